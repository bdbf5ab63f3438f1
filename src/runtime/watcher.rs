//! File watching with a grace period: an editor's save fires several
//! events (write, rename, chmod, …), and some editors write the file in
//! steps (a part, then the rest); they are gathered until the files have
//! been quiet for the grace period, so one save is one change and the file
//! is read once it is whole.

use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Quiet time that ends a burst of events: longer than the pause between
/// the steps of one save, short enough to feel immediate.
pub const QUIET: Duration = Duration::from_millis(150);
/// A burst (a file written continuously) is never held longer than this.
pub const MAX_DELAY: Duration = Duration::from_millis(1000);

/// What changed in one burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Changed {
    pub dockerfile: bool,
    pub context: bool,
}

/// Watches the context directory (and the Dockerfile's directory, when it
/// lives outside it). Dropping it stops the watching.
pub struct FileWatch {
    _watcher: notify::RecommendedWatcher,
}

pub fn watch(context: &Path, dockerfile: &Path, out: Sender<Changed>) -> Result<FileWatch, String> {
    let context = context.canonicalize().map_err(|e| e.to_string())?;
    let dockerfile = dockerfile
        .canonicalize()
        .unwrap_or_else(|_| dockerfile.to_path_buf());
    let (tx, rx) = channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res {
            if !matches!(ev.kind, notify::EventKind::Access(_)) {
                let _ = tx.send(ev.paths);
            }
        }
    })
    .map_err(|e| e.to_string())?;
    watcher
        .watch(&context, RecursiveMode::Recursive)
        .map_err(|e| e.to_string())?;
    if let Some(dir) = dockerfile.parent().filter(|d| !d.starts_with(&context)) {
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(|e| e.to_string())?;
    }
    std::thread::spawn(move || {
        let classify = |paths: &[PathBuf], c: &mut Changed| {
            for p in paths {
                if p == &dockerfile
                    || p.file_name() == dockerfile.file_name() && p.parent() == dockerfile.parent()
                {
                    c.dockerfile = true;
                }
                if p.starts_with(&context) {
                    c.context = true;
                }
            }
        };
        while let Ok(first) = rx.recv() {
            let mut changed = Changed::default();
            classify(&first, &mut changed);
            let start = Instant::now();
            loop {
                let left = MAX_DELAY.saturating_sub(start.elapsed());
                match rx.recv_timeout(QUIET.min(left)) {
                    Ok(paths) => classify(&paths, &mut changed),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if start.elapsed() >= MAX_DELAY {
                    break;
                }
            }
            if (changed.dockerfile || changed.context) && out.send(changed).is_err() {
                return;
            }
        }
    });
    Ok(FileWatch { _watcher: watcher })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_in_two_steps_is_one_burst_after_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let df = dir.path().join("Dockerfile");
        std::fs::write(&df, "FROM a\n").unwrap();
        let (tx, rx) = channel();
        let _w = watch(dir.path(), &df, tx).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let saved = Instant::now();
        // An editor's save in two writes: a part of the text, then all of
        // it; then another's: temp file, write, rename over.
        std::fs::write(&df, "FROM b\nRUN echo ins").unwrap();
        std::thread::sleep(Duration::from_millis(40));
        std::fs::write(&df, "FROM b\nRUN echo installed\n").unwrap();
        let c = rx.recv_timeout(Duration::from_secs(3)).expect("a change");
        let waited = saved.elapsed();
        assert!(c.dockerfile && c.context);
        assert!(waited >= QUIET, "read before the grace period: {waited:?}");
        assert!(waited < MAX_DELAY + QUIET * 2, "{waited:?}");
        assert!(
            rx.recv_timeout(QUIET * 2).is_err(),
            "the second write was a second change"
        );
        assert_eq!(
            std::fs::read_to_string(&df).unwrap(),
            "FROM b\nRUN echo installed\n"
        );
        let tmp = dir.path().join(".Dockerfile.swp");
        std::fs::write(&tmp, "FROM c\n").unwrap();
        std::fs::rename(&tmp, &df).unwrap();
        assert!(rx.recv_timeout(Duration::from_secs(3)).is_ok());
        assert!(rx.recv_timeout(QUIET * 2).is_err(), "one burst per save");
    }
}
