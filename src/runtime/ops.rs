//! Simulated code changes, performed on the context directory for real so
//! the engine sees exactly what a learner's own edit would produce.

use crate::app::effect::ContextOp;
use std::path::{Component, Path, PathBuf};

/// `rel` under `root`, refusing anything that would leave it.
fn inside(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!(
            "{rel}: only paths inside the context can be changed"
        ));
    }
    Ok(root.join(p))
}

pub fn apply(root: &Path, op: &ContextOp) -> Result<(), String> {
    let path = inside(root, op.path())?;
    let err = |e: std::io::Error| format!("{}: {e}", op.path());
    match op {
        // An empty line appended: harmless in any language, new digest.
        ContextOp::Edit(_) => {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(err)?;
            f.write_all(b"\n").map_err(err)
        }
        ContextOp::Touch(_) => {
            let f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(err)?;
            f.set_modified(std::time::SystemTime::now()).map_err(err)
        }
        ContextOp::Chmod(_) => {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(&path).map_err(err)?;
            let mode = meta.permissions().mode();
            let new = if mode & 0o111 != 0 {
                mode & !0o111
            } else {
                mode | 0o111
            };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(new)).map_err(err)
        }
        ContextOp::Add(_) => {
            if path.exists() {
                return Err(format!("{}: already exists", op.path()));
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(err)?;
            }
            std::fs::write(&path, format!("{}\n", op.path())).map_err(err)
        }
        ContextOp::Delete(_) => {
            let meta = std::fs::symlink_metadata(&path).map_err(err)?;
            if meta.is_dir() {
                std::fs::remove_dir_all(&path).map_err(err)
            } else {
                std::fs::remove_file(&path).map_err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_change_the_files_and_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.js"), "x").unwrap();
        apply(root, &ContextOp::Edit("a.js".into())).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("a.js")).unwrap(), "x\n");
        apply(root, &ContextOp::Chmod("a.js".into())).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("a.js"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(mode & 0o111, 0);
        apply(root, &ContextOp::Add("src/new.txt".into())).unwrap();
        assert!(root.join("src/new.txt").exists());
        apply(root, &ContextOp::Delete("src".into())).unwrap();
        assert!(!root.join("src").exists());
        assert!(apply(root, &ContextOp::Edit("../x".into())).is_err());
        assert!(apply(root, &ContextOp::Touch("/etc/passwd".into())).is_err());
    }
}
