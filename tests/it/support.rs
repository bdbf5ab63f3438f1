//! Fixtures the integration tests share: for the tests that check layerlab against a real
//! Docker engine, the conformance scenario model, reading builder output, comparing records
//! and replaying scenarios on a live engine; for the shell tests, their base filesystem and
//! runners.

pub mod compare;
pub mod docker;
pub mod layerlab;
pub mod progress;
pub mod scenario;
pub mod shell;
