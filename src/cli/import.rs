//! `layerlab import ROOTFS.tar NAME[:TAG]`, as `docker import`.

use crate::engine::daemon::Daemon;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A root filesystem tarball (`-` reads standard input).
    pub tarball: PathBuf,
    /// The image name to give it.
    pub name: String,
}

pub fn run(args: &ImportArgs, state_dir: &Path) -> i32 {
    match import(args, state_dir) {
        Ok(id) => {
            outln!("{id}");
            0
        }
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn import(args: &ImportArgs, state_dir: &Path) -> Result<String, String> {
    let mut daemon = Daemon::open(state_dir).map_err(|e| e.to_string())?;
    for notice in daemon.notices() {
        eprintln!("WARNING: {notice}");
    }
    let image = if args.tarball.as_os_str() == "-" {
        crate::engine::import::import_tar(daemon.engine_mut(), std::io::stdin().lock(), &args.name)
    } else {
        let f = std::fs::File::open(&args.tarball)
            .map_err(|e| format!("open {}: {e}", args.tarball.display()))?;
        crate::engine::import::import_tar(
            daemon.engine_mut(),
            std::io::BufReader::new(f),
            &args.name,
        )
    }
    .map_err(|e| e.to_string())?;
    daemon.save().map_err(|e| e.to_string())?;
    Ok(image.id.to_string())
}
