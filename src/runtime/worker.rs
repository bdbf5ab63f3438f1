//! Builds and previews apart from the event loop (as gitui keeps git work
//! in `asyncgit`): one thread runs one job at a time over a shared,
//! read-only store, and reports each step as it starts and the outcome at
//! the end. A job is cancelled through its flag; the builder and the shell
//! check it between steps and commands, and a cancelled job has no writes,
//! so the engine is left as it was.
//!
//! The store travels as an `Arc`: the session lends its engine for as long
//! as jobs run (previews keystroke after keystroke share the same one, no
//! copy), and takes it back once the worker let go of it — to commit a
//! build's writes, run a command or save.

use crate::app::model::{BuildOutcome, Shown};
use crate::dockerfile::Compiled;
use crate::engine::base::base_layers;
use crate::engine::builder::{self, BuildOptions, BuilderKind, StepStarted, Watch};
use crate::engine::context::ContextSnapshot;
use crate::engine::memo::Memo;
use crate::engine::oracle::EngineSide;
use crate::engine::report::Verdict;
use crate::engine::store::EngineState;
use crate::engine::transaction::Writes;
use crate::filesystem::digest::Digest;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Writes nothing: its writes are dropped.
    Preview,
    /// Its writes are committed by the session.
    Build,
}

/// A build or preview to run.
#[derive(Debug, Clone)]
pub struct Job {
    pub kind: JobKind,
    pub compiled: Arc<Compiled>,
    pub context: Arc<ContextSnapshot>,
    pub opts: BuildOptions,
}

/// A finished job: its outcome as the panes show it, and a build's writes.
#[derive(Debug)]
pub struct Done {
    pub kind: JobKind,
    pub outcome: BuildOutcome,
    pub writes: Option<(u64, Writes)>,
}

/// What the worker tells the session, by job number.
#[derive(Debug)]
pub enum Report {
    Step(u64, StepStarted),
    Done(u64, Box<Done>),
    /// The real daemon's side of build number `.0` (`--engine docker`),
    /// from the thread that ran it there (`runtime::oracle::Runner`).
    Engine(u64, Box<EngineSide>),
}

/// Run `job` over `store`: what the worker thread does, and what a session
/// without one does in place. The other builder's preview of the same text
/// and context comes with it (the side-by-side view and the line naming
/// the builders' difference read it); it shares the job's cancel flag and
/// reports no steps of its own.
pub fn run(store: &EngineState, memo: &mut Memo, job: &Job) -> Done {
    let mut done = run_one(store, memo, job);
    if job.opts.watch.cancelled() {
        return done;
    }
    let other = run_one(store, memo, &other_preview(job));
    done.outcome.other = Some(Box::new(other.outcome));
    done
}

/// A preview of `job`'s text and context under the other builder, sharing
/// its cancel flag, reporting no steps.
pub fn other_preview(job: &Job) -> Job {
    Job {
        kind: JobKind::Preview,
        compiled: Arc::clone(&job.compiled),
        context: Arc::clone(&job.context),
        opts: BuildOptions {
            builder: match job.opts.builder {
                BuilderKind::Buildkit => BuilderKind::Classic,
                BuilderKind::Classic => BuilderKind::Buildkit,
            },
            tags: Vec::new(),
            watch: Watch {
                cancel: job.opts.watch.cancel.clone(),
                on_step: None,
            },
            ..job.opts.clone()
        },
    }
}

/// Run `job` alone (no other builder's preview with it).
pub fn run_one(store: &EngineState, memo: &mut Memo, job: &Job) -> Done {
    let (result, made, writes) = match job.kind {
        JobKind::Preview => {
            let p = builder::preview(store, memo, &job.compiled, &job.context, &job.opts);
            (p.result, p.layers, None)
        }
        JobKind::Build => {
            let d = builder::build_detached(store, memo, &job.compiled, &job.context, &job.opts);
            let made = d
                .writes
                .as_ref()
                .map(|(_, w)| w.layers().clone())
                .unwrap_or_default();
            (d.result, made, d.writes)
        }
    };
    let steps = match &result {
        Ok(r) => &r.steps,
        Err(e) => &e.steps,
    };
    // The files of each step's layer, found here while the store is at
    // hand: made by this run, in the store, or read once into the memo (a
    // cached step's build reads no layer; the next preview shows the same
    // ones, and the screen knows them by what they are).
    let mut layer = |diff_id: &Digest| {
        let known = made
            .get(diff_id)
            .cloned()
            .or_else(|| store.layers.in_memory(diff_id))
            .or_else(|| memo.layers.get(diff_id).cloned());
        known.or_else(|| {
            let read = store.peek_layer(diff_id)?;
            memo.layers.insert(*diff_id, Arc::clone(&read));
            Some(read)
        })
    };
    let layers = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, layer(&s.layer.as_ref()?.diff_id)?)))
        .collect::<BTreeMap<_, _>>();
    let base_layers = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.verdict {
            Verdict::Base { image, .. } => Some((i, base_layers(store, image, &mut layer))),
            _ => None,
        })
        .collect();
    let shown = match job.kind {
        JobKind::Preview => Shown::Preview {
            last_build: store.builds,
        },
        JobKind::Build => Shown::Build {
            number: writes.as_ref().map_or(store.builds, |(b, _)| *b),
        },
    };
    Done {
        kind: job.kind,
        outcome: BuildOutcome {
            shown,
            compiled: Arc::clone(&job.compiled),
            builder: job.opts.builder,
            result,
            layers,
            base_layers,
            origin: None,
            other: None,
        },
        writes,
    }
}

/// The thread that runs jobs, and the flag of the one last sent.
pub struct Worker {
    jobs: Sender<(u64, Arc<EngineState>, Job)>,
    report: Arc<dyn Fn(Report) + Send + Sync>,
    latest: Option<(u64, Arc<AtomicBool>)>,
    next: u64,
}

impl Worker {
    /// Start the thread; `report` is called on it with every step and
    /// outcome.
    pub fn spawn(report: impl Fn(Report) + Send + Sync + 'static) -> Worker {
        let (jobs, rx) = channel::<(u64, Arc<EngineState>, Job)>();
        let report: Arc<dyn Fn(Report) + Send + Sync> = Arc::new(report);
        let sink = Arc::clone(&report);
        std::thread::spawn(move || {
            // What runs remember to be faster lives with the thread that
            // runs them.
            let mut memo = Memo::default();
            while let Ok(mut next) = rx.recv() {
                // Only the newest of the jobs waiting is worth running.
                while let Ok(newer) = rx.try_recv() {
                    next = newer;
                }
                let (id, store, job) = next;
                if job.opts.watch.cancelled() {
                    continue;
                }
                let done = run(&store, &mut memo, &job);
                // Let go of the store before saying so: the session takes
                // it back as soon as it hears.
                drop(store);
                drop(job);
                sink(Report::Done(id, Box::new(done)));
            }
        });
        Worker {
            jobs,
            report,
            latest: None,
            next: 0,
        }
    }

    /// Send `job` to run over `store`, cancelling the one running; returns
    /// its number.
    pub fn send(&mut self, store: Arc<EngineState>, mut job: Job) -> u64 {
        self.cancel();
        self.next += 1;
        let id = self.next;
        let cancel = Arc::new(AtomicBool::new(false));
        let report = Arc::clone(&self.report);
        job.opts.watch = Watch {
            cancel: Some(Arc::clone(&cancel)),
            on_step: Some(Arc::new(move |s: &StepStarted| {
                report(Report::Step(id, s.clone()));
            })),
        };
        self.latest = Some((id, cancel));
        // A worker gone (it panicked) leaves the job unanswered; the
        // session then keeps its last outcome on screen.
        let _ = self.jobs.send((id, store, job));
        id
    }

    /// Cancel the job last sent, if it is still wanted.
    pub fn cancel(&mut self) -> bool {
        match self.latest.take() {
            Some((_, flag)) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Whether `id` is the job whose outcome is still wanted.
    pub fn wanted(&self, id: u64) -> bool {
        self.latest.as_ref().is_some_and(|(l, _)| *l == id)
    }

    /// The outcome of `id` arrived: nothing more is wanted from it.
    pub fn answered(&mut self, id: u64) {
        if self.wanted(id) {
            self.latest = None;
        }
    }

    /// What hears the worker's reports, for other threads to report through
    /// the same way.
    pub fn reporter(&self) -> Arc<dyn Fn(Report) + Send + Sync> {
        Arc::clone(&self.report)
    }

    /// Whether a job's outcome is awaited.
    pub fn busy(&self) -> bool {
        self.latest.is_some()
    }
}
