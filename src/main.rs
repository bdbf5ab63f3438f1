fn main() {
    std::process::exit(layerlab::cli::main());
}
