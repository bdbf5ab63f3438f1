//! File watching with a grace period: an editor's save fires several
//! events (write, rename, chmod, …), and some editors write the file in
//! steps (a part, then the rest); they are gathered until the files have
//! been quiet for the grace period, so one save is one change and the file
//! is read once it is whole.

use crate::engine::context::MAX_REFRESH_PATHS;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Quiet time that ends a burst of events: longer than the pause between
/// the steps of one save, short enough to feel immediate.
pub const QUIET: Duration = Duration::from_millis(150);
/// A burst (a file written continuously) is never held longer than this.
pub const MAX_DELAY: Duration = Duration::from_millis(1000);

/// What changed in one burst.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changed {
    pub dockerfile: bool,
    pub context: bool,
    /// The context's paths that changed (relative, `/`-separated), so the
    /// snapshot reads those alone; empty when they are not known — the
    /// watcher lost events, or more changed than are worth listing — and
    /// the whole context must be read.
    pub paths: BTreeSet<String>,
}

impl Changed {
    /// A change somewhere in the context or the Dockerfile, paths unknown
    /// (read everything again).
    pub fn everything() -> Changed {
        Changed {
            dockerfile: true,
            context: true,
            paths: BTreeSet::new(),
        }
    }
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
    // `None`: events were lost (the kernel's queue overflowed, or the
    // watcher failed) and what changed is unknown.
    let (tx, rx) = channel::<Option<Vec<PathBuf>>>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let paths = match res {
            Ok(ev) if ev.need_rescan() => None,
            Ok(ev) if matches!(ev.kind, notify::EventKind::Access(_)) => return,
            Ok(ev) => Some(ev.paths),
            Err(_) => None,
        };
        let _ = tx.send(paths);
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
        while let Ok(first) = rx.recv() {
            let mut burst = Burst::default();
            burst.take(first, &dockerfile, &context);
            let start = Instant::now();
            loop {
                let left = MAX_DELAY.saturating_sub(start.elapsed());
                match rx.recv_timeout(QUIET.min(left)) {
                    Ok(paths) => burst.take(paths, &dockerfile, &context),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if start.elapsed() >= MAX_DELAY {
                    break;
                }
            }
            let Burst {
                mut changed,
                unknown,
            } = burst;
            if unknown {
                changed.paths.clear();
            }
            if (changed.dockerfile || changed.context) && out.send(changed).is_err() {
                return;
            }
        }
    });
    Ok(FileWatch { _watcher: watcher })
}

/// The events of one burst.
#[derive(Default)]
struct Burst {
    changed: Changed,
    /// Some path is not known (events were lost) or too many changed:
    /// the whole context is read.
    unknown: bool,
}

impl Burst {
    fn take(&mut self, paths: Option<Vec<PathBuf>>, dockerfile: &Path, context: &Path) {
        let c = &mut self.changed;
        let Some(paths) = paths else {
            self.unknown = true;
            c.dockerfile = true;
            c.context = true;
            return;
        };
        for p in paths {
            if p == dockerfile
                || p.file_name() == dockerfile.file_name() && p.parent() == dockerfile.parent()
            {
                c.dockerfile = true;
            }
            if let Ok(rel) = p.strip_prefix(context) {
                c.context = true;
                match rel.to_str() {
                    Some(rel) if !self.unknown && c.paths.len() < MAX_REFRESH_PATHS => {
                        c.paths.insert(rel.to_owned());
                    }
                    _ => self.unknown = true,
                }
            }
        }
    }
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
        // The context's paths, for a refresh that reads those alone.
        assert!(c.paths.iter().all(|p| p == "Dockerfile"), "{:?}", c.paths);
        assert!(!c.paths.is_empty());
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
