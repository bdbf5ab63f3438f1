//! Real directories for the tests: writing a file into one, and a record of
//! everything in one, to prove that a simulation left the disk alone.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Writes `root/rel`, creating its parent directories.
pub fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, content).expect("write");
}

/// One path below a root and what a change to it would show in.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub path: String,
    pub mode: u32,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub bytes: Vec<u8>,
}

/// Every path below `root` (not following links) with its mode, mtime and
/// bytes, sorted by path.
pub fn disk_state(root: &Path) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            let m = fs::symlink_metadata(&path).unwrap();
            if m.is_dir() {
                stack.push(path.clone());
            }
            let bytes = if m.is_file() {
                fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            out.push(Entry {
                path: path.strip_prefix(root).unwrap().display().to_string(),
                mode: m.mode(),
                mtime: m.mtime(),
                mtime_nsec: m.mtime_nsec(),
                bytes,
            });
        }
    }
    out.sort();
    out
}
