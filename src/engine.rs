//! The simulated Docker engine: build context, layers, images, build cache.
//! Pure core: no terminal; filesystem access only in `context` and `state`.

pub mod classic_hash;
pub mod history_text;
