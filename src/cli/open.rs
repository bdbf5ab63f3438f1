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
    /// Also build every build you commit on the real engine (`docker`: the
    /// daemon at DOCKER_HOST or the default socket) and show its verdicts
    /// beside layerlab's.
    #[arg(long, value_name = "ENGINE", value_parser = ["docker"])]
    pub engine: Option<String>,
}

/// How a screen opens, besides what it opens on.
#[derive(Debug, Default)]
pub struct Extras {
    /// Builds the learner commits go to the real daemon too.
    pub engine: bool,
    /// The presentation layout, a theme.
    pub look: Look,
    /// Record the session as asciicast.
    pub record: Option<RecordTo>,
}

/// Open the screen on `start` (with the real engine beside it when
/// `engine`); returns the exit code.
pub fn run(start: Start, state_dir: &Path, lang: Option<&str>, engine: bool) -> i32 {
    let extras = Extras {
        engine,
        ..Extras::default()
    };
    run_with(start, state_dir, lang, extras)
}

/// As [`run`], with everything a screen can open with.
pub fn run_with(start: Start, state_dir: &Path, lang: Option<&str>, extras: Extras) -> i32 {
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
        engine: extras.engine,
        look: extras.look,
        record: extras.record,
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
        args.engine.is_some(),
    )
}
