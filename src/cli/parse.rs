//! `layerlab parse [--json] FILE`

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Print one JSON array, one object per instruction.
    #[arg(long)]
    pub json: bool,
    /// The Dockerfile to read (`-` reads standard input).
    pub file: PathBuf,
}

pub fn run(_args: &ParseArgs) -> i32 {
    eprintln!("layerlab parse: not wired yet");
    2
}
