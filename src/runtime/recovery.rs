//! Unsaved edits kept when a signal ends a session: one file per
//! Dockerfile under `<state>/recovery/`, named by a digest of the file's
//! path, with the path beside it so a digest collision or a moved state
//! directory never offers one file's edits for another. The learner's file
//! is never written here: the edits are offered the next time it is
//! opened, and the recovery goes when the learner saves.

use crate::filesystem::digest::Digest;
use std::path::{Path, PathBuf};

/// Where the edits of `dockerfile` are kept: `(text, metadata)`.
fn paths(state_dir: &Path, dockerfile: &Path) -> (PathBuf, PathBuf, String) {
    let abs = std::path::absolute(dockerfile).unwrap_or_else(|_| dockerfile.to_path_buf());
    let abs = abs.canonicalize().unwrap_or(abs);
    let shown = abs.to_string_lossy().into_owned();
    let name = &Digest::of(shown.as_bytes()).hex()[..16];
    let dir = state_dir.join("recovery");
    (
        dir.join(format!("{name}.Dockerfile")),
        dir.join(format!("{name}.path")),
        shown,
    )
}

/// Keep `text` as the unsaved edits of `dockerfile`.
pub fn write(state_dir: &Path, dockerfile: &Path, text: &str) -> std::io::Result<()> {
    let (file, meta, shown) = paths(state_dir, dockerfile);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&file, text)?;
    std::fs::write(&meta, shown)
}

/// The edits kept for `dockerfile`, unless they are what it holds now.
pub fn read(state_dir: &Path, dockerfile: &Path) -> Option<String> {
    let (file, meta, shown) = paths(state_dir, dockerfile);
    if std::fs::read_to_string(meta).ok()? != shown {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let on_disk = std::fs::read_to_string(dockerfile).unwrap_or_default();
    (text != on_disk).then_some(text)
}

/// The learner saved: the kept edits are not needed any more.
pub fn remove(state_dir: &Path, dockerfile: &Path) {
    let (file, meta, _) = paths(state_dir, dockerfile);
    let _ = std::fs::remove_file(file);
    let _ = std::fs::remove_file(meta);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_kept_per_file_and_offered_only_while_they_differ() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let a = dir.path().join("a.Dockerfile");
        let b = dir.path().join("b.Dockerfile");
        std::fs::write(&a, "FROM alpine\n").unwrap();
        std::fs::write(&b, "FROM alpine\n").unwrap();
        write(&state, &a, "FROM alpine\nRUN edited\n").unwrap();
        assert_eq!(
            read(&state, &a).as_deref(),
            Some("FROM alpine\nRUN edited\n")
        );
        assert_eq!(read(&state, &b), None, "another file's edits");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "FROM alpine\n");
        std::fs::write(&a, "FROM alpine\nRUN edited\n").unwrap();
        assert_eq!(read(&state, &a), None, "saved since");
        remove(&state, &a);
        assert!(!state.join("recovery").read_dir().unwrap().any(|_| true));
    }
}
