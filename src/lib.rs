//! layerlab: a Dockerfile beside its image's layer stack, every build-cache
//! decision explained.
//!
//! The pure core (`dockerfile`, `engine`, `shell`) never touches a terminal;
//! `cli` is the front door that prints text or JSON from it.

pub mod cli;
pub mod dockerfile;
pub mod engine;
pub mod shell;
