//! Support shared by the integration tests that check layerlab against a real Docker engine:
//! the conformance scenario model, reading builder output, comparing records, and replaying
//! scenarios on a live engine.

// Each test binary that includes `mod support;` uses only part of it; the rest would be
// reported as dead code per binary.
#![allow(dead_code)]

pub mod compare;
pub mod docker;
pub mod layerlab;
pub mod progress;
pub mod scenario;
