//! The full walk behind the watcher. A file watcher misses what happens
//! while its queue overflows, on network filesystems, or in a directory
//! created and filled before its watch was set: now and then, while the
//! screen is idle, the whole context is walked on a thread of its own (with
//! a copy of the stat cache, so only files whose stat changed are read),
//! and the screen takes the result if it differs from what the watcher's
//! paths made of it.

use crate::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
use std::path::PathBuf;
use std::time::Duration;

/// How long the screen stays idle between two walks.
pub const EVERY: Duration = Duration::from_secs(20);

/// A walk to make: the context and where its snapshot stood.
pub struct Walk {
    pub root: PathBuf,
    pub cache: StatCache,
    /// The snapshot's generation when the walk began: a refresh from the
    /// watcher after that is newer than the walk's result.
    pub generation: u64,
}

/// What a walk found.
#[derive(Debug)]
pub struct Walked {
    pub snapshot: ContextSnapshot,
    pub cache: StatCache,
    pub generation: u64,
}

impl Walk {
    pub fn run(mut self) -> Result<Walked, String> {
        let ignore = read_dockerignore(&self.root).map_err(|e| e.to_string())?;
        let snapshot = ContextSnapshot::capture(&self.root, &ignore, &mut self.cache)
            .map_err(|e| e.to_string())?;
        Ok(Walked {
            snapshot,
            cache: self.cache,
            generation: self.generation,
        })
    }

    /// Runs the walk on a thread of its own; `done` hears of the result.
    pub fn spawn(self, done: impl FnOnce(Result<Walked, String>) + Send + 'static) {
        std::thread::spawn(move || done(self.run()));
    }
}
