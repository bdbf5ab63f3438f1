//! layerlab: a Dockerfile beside its image's layer stack, every build-cache
//! decision explained.
//!
//! The pure core (`dockerfile`, `engine`, `shell`, `gofmt` for texts that
//! must match Go's, `units` for docker's sizes, and `calendar` for dates)
//! never touches a terminal;
//! `cli` is the front door that prints text or JSON from it; `app` (pure
//! state and update), `ui` (views of it) and `runtime` (the terminal loop)
//! make the interactive screen; `command` is the docker-like command table.
//! `messages` is the catalog every text for a person comes from, in Korean
//! and English; it sits below all of them.

pub mod app;
pub mod calendar;
pub mod cli;
pub mod command;
pub mod dockerfile;
pub mod engine;
pub mod filesystem;
pub mod gofmt;
pub mod lesson;
pub mod limits;
pub mod messages;
pub mod runtime;
pub mod shell;
pub mod ui;
pub mod units;
