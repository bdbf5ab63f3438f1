//! The simulated Docker engine: build context, layers, images, build cache,
//! containers and their processes.
//! Pure core: no terminal; filesystem access only in `context` and `state`.

pub mod archive;
pub mod base;
pub mod builder;
pub mod cache;
pub mod cache_key;
pub mod catalog;
pub mod checks;
pub mod classic_hash;
pub mod container;
pub mod context;
pub mod daemon;
pub mod dockerignore;
pub mod gc;
pub mod gopath;
pub mod history_text;
pub mod image;
pub mod import;
pub mod layer;
pub mod layers;
pub mod memo;
pub mod oracle;
pub mod process;
pub mod programs;
pub mod report;
pub mod state;
pub mod store;
pub mod transaction;
