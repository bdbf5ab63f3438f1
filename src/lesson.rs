//! Lessons: a sequence of steps the learner does, each checked against the
//! engine. `model` holds the serialized types (a `lesson.toml`), `loader`
//! reads them (embedded in the binary or from a folder) with errors at
//! file:line:col, `goal` checks a step's goal against the engine's store
//! and the last build report, and `play` applies a step's start and
//! solution to an engine, which `layerlab lesson check`, the tests and the
//! lesson screen share; `demo` plays a lesson by its solutions, forward and
//! back, for an instructor; `picture` draws what a goal is about (the cache
//! pattern, the layers) from a report, the learner's and the best known;
//! `progress` is which steps of which lesson the learner did.
//!
//! No terminal: only `loader` (a lesson folder), `play` (the learner's
//! working folder, the build context) and `progress` (its file) touch the
//! file system.

pub mod demo;
pub mod goal;
pub mod loader;
pub mod model;
pub mod picture;
pub mod play;
pub mod progress;

pub use loader::{embedded, load_dir, named, parse_lesson, LoadError, Loaded};
pub use model::{Action, Caption, Lesson, Start, Step, Text, FORMAT_VERSION};
