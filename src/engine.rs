//! The simulated Docker engine: build context, layers, images, build cache.
//! Pure core: no terminal; filesystem access only in `context` and `state`.

pub mod blob;
pub mod layer;
pub mod rootfs;
