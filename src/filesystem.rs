//! The filesystem layer both the engine and the shell stand on: content
//! digests, the content store of file bytes, the in-memory root filesystem
//! with its change tracking, and the users and groups an image's
//! `/etc/passwd` and `/etc/group` define.
//!
//! Pure core: it imports nothing else of layerlab, so the engine (which
//! lays layers and keys its cache on digests) and the shell (which runs
//! commands over a root filesystem) can both use it without using each
//! other.

pub mod blob;
pub mod digest;
pub mod rootfs;
pub mod users;
