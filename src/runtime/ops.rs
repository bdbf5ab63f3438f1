//! Simulated code changes: what the context pane asks for, turned into an
//! `Override` over the current snapshot. Nothing here writes to the disk;
//! the learner's files are only ever read.

use crate::app::effect::ContextOp;
use crate::engine::context::{ContextSnapshot, FileKind, Override};
use crate::messages::Message;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A simulated edit holds the whole new content in memory; beyond this the
/// learner is asked to touch or chmod instead.
const MAX_SIMULATED_EDIT: u64 = 64 << 20;

/// `rel` under `root`, refusing anything that would leave it.
fn inside(root: &Path, rel: &str) -> Result<PathBuf, Message> {
    let p = Path::new(rel);
    if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Message::new("simulate.outside").arg("path", rel));
    }
    Ok(root.join(p))
}

/// The change `op` stands for, as `current` (the snapshot with the earlier
/// simulations) sees the context; refused changes are errors in words.
pub fn to_override(
    current: &ContextSnapshot,
    root: &Path,
    op: &ContextOp,
) -> Result<Override, Message> {
    let path = op.path();
    let full = inside(root, path)?;
    let change = match op {
        // An empty line appended: harmless in any language, new digest.
        ContextOp::Edit(_) => {
            let mut bytes = current_bytes(current, &full, path)?;
            bytes.push(b'\n');
            Override::Write(Arc::from(bytes))
        }
        ContextOp::Touch(_) => Override::Touch,
        ContextOp::Chmod(_) => {
            let mode = match current.get(path) {
                Some(meta) => meta.mode,
                // Excluded files are not in the snapshot: ask the disk.
                None => {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::symlink_metadata(&full)
                        .map_err(|e| failed(path, &e))?
                        .permissions()
                        .mode()
                        & 0o7777
                }
            };
            Override::Mode(if mode & 0o111 != 0 {
                mode & !0o111
            } else {
                mode | 0o111
            })
        }
        ContextOp::Add(_) => {
            if current.get(path).is_some() || current.excluded().contains(path) {
                return Err(Message::new("simulate.exists").arg("path", path));
            }
            Override::Write(Arc::from(format!("{path}\n").into_bytes()))
        }
        ContextOp::Delete(_) => Override::Remove,
        ContextOp::Write { text, .. } => Override::Write(Arc::from(text.as_bytes())),
    };
    current
        .check_override(path, &change)
        .map_err(|e| failed(path, &e))?;
    Ok(change)
}

/// A context file's text for the editor, as builds see it now (earlier
/// simulations included): refused when it is larger than
/// [`crate::limits::EDIT_BYTES`] or not text.
pub fn read_for_edit(
    current: &ContextSnapshot,
    root: &Path,
    path: &str,
) -> Result<String, Message> {
    let full = inside(root, path)?;
    let size = match current.get(path) {
        Some(meta) if meta.kind == FileKind::File => Some(meta.size),
        Some(_) => None,
        None => std::fs::metadata(&full).ok().map(|m| m.len()),
    };
    if let Some(size) = size.filter(|s| *s > crate::limits::EDIT_BYTES) {
        return Err(Message::new("edit.too_large")
            .arg("path", path)
            .arg("size", size)
            .arg("limit", format!("{} MiB", crate::limits::EDIT_BYTES >> 20)));
    }
    let bytes = current_bytes(current, &full, path)?;
    // A NUL byte is how git and grep tell binary files too.
    if bytes.contains(&0) {
        return Err(Message::new("edit.binary").arg("path", path));
    }
    String::from_utf8(bytes).map_err(|_| Message::new("edit.binary").arg("path", path))
}

/// A change the system refused, with its own words (an OS error, the
/// snapshot's refusal).
fn failed(path: &str, error: &dyn std::fmt::Display) -> Message {
    Message::new("simulate.failed")
        .arg("path", path)
        .arg("error", error)
}

/// The content a simulated edit starts from: the snapshot's (earlier
/// simulations included), or for a `.dockerignore`d file the disk's.
fn current_bytes(current: &ContextSnapshot, full: &Path, path: &str) -> Result<Vec<u8>, Message> {
    let too_big = |size: u64| {
        (size > MAX_SIMULATED_EDIT).then(|| Message::new("simulate.too_large").arg("path", path))
    };
    let err = |e: &dyn std::fmt::Display| failed(path, e);
    let mut bytes = Vec::new();
    match current.get(path) {
        Some(meta) if meta.kind == FileKind::File => {
            if let Some(e) = too_big(meta.size) {
                return Err(e);
            }
            current
                .open(path)
                .map_err(|e| err(&e))?
                .read_to_end(&mut bytes)
                .map_err(|e| err(&e))?;
        }
        Some(meta) => {
            return Err(Message::new("simulate.not_a_file")
                .arg("path", path)
                .arg("kind", meta.kind.name()))
        }
        None if current.is_excluded(path) => {
            let meta = std::fs::metadata(full).map_err(|e| err(&e))?;
            if let Some(e) = too_big(meta.len()) {
                return Err(e);
            }
            std::fs::File::open(full)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| err(&e))?;
        }
        None => return Err(Message::new("simulate.no_such_file").arg("path", path)),
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::context::{read_dockerignore, StatCache};

    #[test]
    fn ops_become_overrides_and_the_disk_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.js"), "x").unwrap();
        std::fs::write(root.join(".dockerignore"), "*.log\n").unwrap();
        std::fs::write(root.join("debug.log"), "l").unwrap();
        let ignore = read_dockerignore(root).unwrap();
        let snap = ContextSnapshot::capture(root, &ignore, &mut StatCache::default()).unwrap();
        let op = |o: ContextOp| to_override(&snap, root, &o);

        assert_eq!(
            op(ContextOp::Edit("a.js".into())),
            Ok(Override::Write(Arc::from(&b"x\n"[..])))
        );
        assert_eq!(
            op(ContextOp::Edit("debug.log".into())),
            Ok(Override::Write(Arc::from(&b"l\n"[..])))
        );
        assert_eq!(op(ContextOp::Touch("a.js".into())), Ok(Override::Touch));
        let mode = snap.get("a.js").unwrap().mode;
        assert_eq!(
            op(ContextOp::Chmod("a.js".into())),
            Ok(Override::Mode(mode | 0o111))
        );
        assert!(matches!(
            op(ContextOp::Add("src/new.txt".into())),
            Ok(Override::Write(_))
        ));
        assert!(op(ContextOp::Add("a.js".into())).is_err());
        assert_eq!(op(ContextOp::Delete("a.js".into())), Ok(Override::Remove));
        assert!(op(ContextOp::Edit("../x".into())).is_err());
        assert!(op(ContextOp::Touch("/etc/passwd".into())).is_err());
        assert!(op(ContextOp::Edit("missing".into())).is_err());
        // Every refusal is a catalog message the learner reads in either
        // language, naming the path.
        for (refused, path) in [
            (ContextOp::Add("a.js".into()), "a.js"),
            (ContextOp::Edit("../x".into()), "../x"),
            (ContextOp::Edit("missing".into()), "missing"),
        ] {
            let e = op(refused).unwrap_err();
            for lang in crate::messages::Lang::ALL {
                let text = e.try_render(lang).expect("a catalog text");
                assert!(text.starts_with(&format!("{path}: ")), "{text}");
            }
        }
        assert_eq!(
            op(ContextOp::Write {
                path: "a.js".into(),
                text: "y\nz\n".into()
            }),
            Ok(Override::Write(Arc::from(&b"y\nz\n"[..])))
        );
        assert_eq!(std::fs::read_to_string(root.join("a.js")).unwrap(), "x");
        assert_eq!(
            std::fs::read_to_string(root.join("debug.log")).unwrap(),
            "l"
        );
        assert!(!root.join("src").exists());
    }

    #[test]
    fn the_editor_reads_text_and_refuses_binary_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("app.js"), "console.log('안녕')\n").unwrap();
        std::fs::write(root.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
        std::fs::write(root.join("latin1.txt"), b"caf\xe9").unwrap();
        let big = vec![b'a'; crate::limits::EDIT_BYTES as usize + 1];
        std::fs::write(root.join("big.txt"), big).unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        let ignore = read_dockerignore(root).unwrap();
        let snap = ContextSnapshot::capture(root, &ignore, &mut StatCache::default()).unwrap();
        let read = |p: &str| read_for_edit(&snap, root, p);
        assert_eq!(read("app.js").unwrap(), "console.log('안녕')\n");
        for (path, key) in [
            ("logo.png", "edit.binary"),
            ("latin1.txt", "edit.binary"),
            ("big.txt", "edit.too_large"),
            ("src", "simulate.not_a_file"),
            ("missing", "simulate.no_such_file"),
            ("../etc/passwd", "simulate.outside"),
        ] {
            let e = read(path).unwrap_err();
            assert_eq!(e.key(), key, "{path}");
            let text = e
                .try_render(crate::messages::Lang::Ko)
                .expect("a catalog text");
            assert!(text.starts_with(&format!("{path}: ")), "{text}");
        }
    }
}
