//! `layerlab open [-f Dockerfile] [CONTEXT]`, `layerlab sandbox`, and
//! `layerlab` alone: the interactive screen (and `layerlab record`'s).

use crate::app::i18n::Lang;
use crate::app::present::Look;
use crate::runtime::record::RecordTo;
use crate::runtime::{self, Options, Start};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The build context directory.
    #[arg(default_value = ".")]
    pub context: PathBuf,
}

/// Open the screen on `start`; returns the exit code.
pub fn run(start: Start, state_dir: &Path, lang: Option<&str>) -> i32 {
    run_with(start, state_dir, lang, Look::default(), None)
}

/// As [`run`], the session recorded to `record` when given.
pub fn run_recorded(
    start: Start,
    state_dir: &Path,
    lang: Option<&str>,
    record: Option<RecordTo>,
) -> i32 {
    run_with(start, state_dir, lang, Look::default(), record)
}

/// As [`run_recorded`], in `look` (the presentation layout, a theme).
pub fn run_with(
    start: Start,
    state_dir: &Path,
    lang: Option<&str>,
    look: Look,
    record: Option<RecordTo>,
) -> i32 {
    let lang = match lang.map(Lang::parse).transpose() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ERROR: {e}");
            return 2;
        }
    };
    let opts = Options {
        start,
        state_dir: state_dir.to_path_buf(),
        lang,
        look,
        record,
    };
    match runtime::run(&opts) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ERROR: {e}");
            1
        }
    }
}

pub fn open(args: &OpenArgs, state_dir: &Path, lang: Option<&str>) -> i32 {
    run(
        Start::Open {
            dockerfile: args.file.clone(),
            context: args.context.clone(),
        },
        state_dir,
        lang,
    )
}
