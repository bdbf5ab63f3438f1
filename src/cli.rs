//! The command-line front door: clap arguments → a subcommand that prints
//! text or JSON from the pure core → an exit code.

mod parse;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "layerlab",
    version,
    about = "See how Docker builds an image, layer by layer, and why each step hits or misses the cache."
)]
pub struct Cli {
    /// Engine state directory (images, layers, build cache). Defaults to
    /// $LAYERLAB_STATE, then the user's data directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub state: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a Dockerfile and list its instructions as BuildKit reads them.
    Parse(parse::ParseArgs),
}

/// Run the program; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Parse(args)) => parse::run(&args),
        None => {
            eprintln!(
                "layerlab: the interactive screen is not built yet; try `layerlab parse FILE`"
            );
            2
        }
    }
}
