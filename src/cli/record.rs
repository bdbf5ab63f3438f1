//! `layerlab record FILE.cast [-f Dockerfile] [CONTEXT]`: the interactive
//! screen, recorded as asciicast v2 for `asciinema play` (slides, READMEs,
//! a demo to replay without layerlab).

use crate::cli::open;
use crate::runtime::record::RecordTo;
use crate::runtime::Start;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The recording to write (asciicast v2, e.g. demo.cast).
    #[arg(value_name = "FILE.cast")]
    pub cast: PathBuf,
    /// Replace FILE.cast if it exists (else it is kept and nothing is recorded).
    #[arg(long)]
    pub overwrite: bool,
    /// The Dockerfile (default: CONTEXT/Dockerfile), as for `layerlab open`.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The build context directory, as for `layerlab open` (default: the
    /// lecture's web-ping example, as `layerlab` alone opens).
    pub context: Option<PathBuf>,
    /// Record a scratch project (as `layerlab sandbox`).
    #[arg(long, conflicts_with_all = ["file", "context"])]
    pub sandbox: bool,
}

pub fn run(args: &RecordArgs, state_dir: &Path, lang: Option<&str>) -> i32 {
    let start = match (&args.file, &args.context) {
        _ if args.sandbox => Start::Scratch,
        (None, None) => Start::Example,
        (file, context) => Start::Open {
            dockerfile: file.clone(),
            context: context.clone().unwrap_or_else(|| PathBuf::from(".")),
        },
    };
    let to = RecordTo {
        path: args.cast.clone(),
        overwrite: args.overwrite,
    };
    open::run_with(
        start,
        state_dir,
        lang,
        open::Extras {
            record: Some(to),
            ..open::Extras::default()
        },
    )
}
