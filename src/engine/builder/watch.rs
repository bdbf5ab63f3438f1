//! Who watches a run from outside: a flag that asks it to stop, checked
//! between steps (and, through the shell, between commands and loop
//! passes), and a callback told when each step starts. The builder stays
//! pure: it never waits, sleeps or spawns; the caller decides where the
//! run happens and what the callback does with what it hears.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A step about to run (or be looked up in the cache).
#[derive(Debug, Clone, PartialEq)]
pub struct StepStarted {
    pub stage: Option<String>,
    pub step: usize,
    pub of: usize,
    /// The instruction's text as the step shows it.
    pub text: String,
    /// Simulated seconds the steps before it took.
    pub seconds_so_far: f64,
}

/// Told of every step as it starts.
pub type OnStep = Arc<dyn Fn(&StepStarted) + Send + Sync>;

/// The cancel flag and the progress callback of one run; none by default.
#[derive(Clone, Default)]
pub struct Watch {
    pub cancel: Option<Arc<AtomicBool>>,
    pub on_step: Option<OnStep>,
}

impl Watch {
    /// Whether the run was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    pub(super) fn step(&self, started: &StepStarted) {
        if let Some(f) = &self.on_step {
            f(started);
        }
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("cancel", &self.cancel)
            .field("on_step", &self.on_step.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::compile;
    use crate::engine::builder::{build_compiled, BuildOptions, CANCELLED};
    use crate::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
    use crate::engine::store::EngineState;
    use std::sync::Mutex;

    #[test]
    fn a_build_cancelled_midway_reports_its_steps_and_leaves_the_store_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "a\n").expect("write");
        let ignore = read_dockerignore(dir.path()).expect("ignore");
        let ctx = ContextSnapshot::capture(dir.path(), &ignore, &mut StatCache::default())
            .expect("snapshot");
        let mut state = EngineState::default();
        build_compiled(
            &mut state,
            &compile("FROM alpine\nRUN echo one > /1\n"),
            &ctx,
            &BuildOptions::default(),
        )
        .expect("the first build");
        let before = serde_json::to_string(&state).expect("serialize");
        let layers = state.layers.len();

        // Cancelled as the third step starts, the way another thread would.
        let cancel = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let on_step: OnStep = {
            let (cancel, seen) = (Arc::clone(&cancel), Arc::clone(&seen));
            Arc::new(move |s: &StepStarted| {
                seen.lock().expect("lock").push(s.text.clone());
                if s.step == 3 {
                    cancel.store(true, Ordering::Relaxed);
                }
            })
        };
        let opts = BuildOptions {
            watch: Watch {
                cancel: Some(Arc::clone(&cancel)),
                on_step: Some(on_step),
            },
            ..BuildOptions::default()
        };
        let text = "FROM alpine\nRUN echo two > /2\nRUN while true; do :; done\nCOPY a.txt /\n";
        let err = build_compiled(&mut state, &compile(text), &ctx, &opts)
            .expect_err("the build was cancelled");
        assert_eq!(err.message, CANCELLED);
        assert_eq!(
            *seen.lock().expect("lock"),
            ["RUN echo two > /2", "RUN while true; do :; done"],
            "the steps it started, the COPY after the cancel never"
        );
        assert_eq!(serde_json::to_string(&state).expect("serialize"), before);
        assert_eq!(
            state.layers.len(),
            layers,
            "no layer of the cancelled build"
        );
    }

    #[test]
    fn a_cancelled_shell_stops_at_its_next_command() {
        let mut fs = crate::filesystem::rootfs::RootFs::new();
        let mut ctx = crate::shell::ExecContext::new(&mut fs);
        ctx.cancel = Some(Arc::new(AtomicBool::new(true)));
        let r = crate::shell::run("while true; do :; done", &mut ctx);
        assert_ne!(r.exit_code, 0);
        assert!(r.stderr_text().contains("cancelled"), "{}", r.stderr_text());
    }
}
