//! Fixtures the integration tests share: for the tests that check layerlab against a real
//! Docker engine, the conformance scenario model, reading builder output, comparing records
//! and replaying scenarios on a live engine; the conformance base in memory; real directories
//! written and recorded; for the shell tests, their base filesystem and runners; for the app
//! and screen tests, a session over a real engine; for the end-to-end tests, a real terminal
//! (tmux).

pub mod binary;
pub mod busybox;
pub mod compare;
pub mod docker;
pub mod files;
pub mod layerlab;
pub mod progress;
pub mod scenario;
pub mod shell;
pub mod tmux;
pub mod tui;
