//! Simulated package managers: `apk`, `apt-get`/`apt`, `npm`, `pip`/`pip3`.
//!
//! Each installs packages from an offline catalog ([`catalog`],
//! `assets/packages/*.toml`) into the in-memory filesystem: the files under
//! their usual paths with realistic sizes, the package database the real
//! tool keeps, and the caches it leaves behind (apt lists, apk indexes, the
//! npm and pip caches) — so a layer that updates in one RUN and cleans up
//! in the next visibly keeps the bytes, and one that does both in the same
//! RUN does not. Output goes to the build log and reads like the real
//! tool's; failures use the real messages and exit codes.
//!
//! Every command charges simulated time ([`Shell::spend_millis`]) from the
//! catalog's timing: per index, per package and per byte.
//!
//! They run only where the image has the binary: [`register_package_managers`]
//! adds them to a [`Registry`], and the shell's `PATH` lookup decides.

pub mod apk;
pub mod apt;
pub mod catalog;
pub mod npm;
pub mod pip;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::FsError;

use super::interp::registry::{Io, Registry};
use super::interp::Shell;
use catalog::{FileSpec, FillerSpec};

/// Adds `apk`, `apt-get`, `apt`, `npm`, `pip`, `pip3` and `python`/`python3`
/// (for `python -m pip`) to `reg`. None is a busybox applet: each needs its
/// binary in the image.
pub fn register_package_managers(reg: &mut Registry) {
    reg.register("apk", false, Arc::new(apk::apk));
    reg.register("apt-get", false, Arc::new(apt::apt_get));
    reg.register("apt", false, Arc::new(apt::apt));
    reg.register("npm", false, Arc::new(npm::npm));
    reg.register("pip", false, Arc::new(pip::pip));
    reg.register("pip3", false, Arc::new(pip::pip));
    reg.register("python", false, Arc::new(pip::python));
    reg.register("python3", false, Arc::new(pip::python));
}

/// What one planned file holds.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Deterministic pseudo-random bytes.
    Lazy {
        size: u64,
        seed: u64,
    },
    Text(String),
    Link(String),
}

/// A file a package puts on disk.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub path: String,
    pub content: Content,
    pub mode: u32,
}

impl Planned {
    pub fn text(path: String, text: String) -> Self {
        Self {
            path,
            content: Content::Text(text),
            mode: 0o644,
        }
    }

    /// Bytes as `docker history` counts them (a symlink: its target).
    pub fn size(&self) -> u64 {
        match &self.content {
            Content::Lazy { size, .. } => *size,
            Content::Text(t) | Content::Link(t) => t.len() as u64,
        }
    }
}

/// FNV-1a over the parts: a stable seed for a file's lazy bytes, so the
/// same package always produces the same layer.
pub(crate) fn seed(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A hex digest-like name derived from `parts` (cache file names).
pub(crate) fn hex_name(parts: &[&str], len: usize) -> String {
    let mut out = String::new();
    let mut i = 0u64;
    while out.len() < len {
        let mut p: Vec<&str> = parts.to_vec();
        let salt = i.to_string();
        p.push(&salt);
        out.push_str(&format!("{:016x}", seed(&p)));
        i += 1;
    }
    out.truncate(len);
    out
}

/// Expands a package's explicit files and fillers under `prefix` (empty
/// for absolute catalog paths).
pub(crate) fn expand(
    prefix: &str,
    files: &[FileSpec],
    fillers: &[FillerSpec],
    seed_base: &[&str],
) -> Vec<Planned> {
    let mut out = Vec::new();
    for f in files {
        let path = format!("{prefix}{}", f.path);
        let content = if let Some(t) = &f.link {
            Content::Link(t.clone())
        } else if let Some(t) = &f.text {
            Content::Text(t.clone())
        } else {
            let mut parts = seed_base.to_vec();
            parts.push(&f.path);
            Content::Lazy {
                size: f.size,
                seed: seed(&parts),
            }
        };
        out.push(Planned {
            path,
            content,
            mode: f.mode.unwrap_or(0o644),
        });
    }
    for f in fillers {
        out.extend(filler_files(&format!("{prefix}{}", f.dir), f, seed_base));
    }
    out
}

/// `count` files splitting `bytes` evenly (the first ones take the
/// remainder), named from the pattern with a zero-padded index.
pub(crate) fn filler_files(dir: &str, f: &FillerSpec, seed_base: &[&str]) -> Vec<Planned> {
    let count = u64::from(f.count.max(1));
    let width = count.to_string().len();
    let (each, rest) = (f.bytes / count, f.bytes % count);
    (0..count)
        .map(|i| {
            let name = f.name.replacen("{}", &format!("{i:0width$}"), 1);
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            let mut parts = seed_base.to_vec();
            parts.push(&path);
            Planned {
                content: Content::Lazy {
                    size: each + u64::from(i < rest),
                    seed: seed(&parts),
                },
                path,
                mode: 0o644,
            }
        })
        .collect()
}

/// Writes planned files (parents created as root 0755 directories), owned
/// by `uid:gid`.
pub(crate) fn write_all(
    sh: &mut Shell<'_, '_>,
    files: &[Planned],
    uid: u32,
    gid: u32,
) -> Result<(), FsError> {
    let fs = sh.fs_mut();
    for f in files {
        if let Some((parent, _)) = f.path.rsplit_once('/') {
            if !parent.is_empty() {
                fs.mkdir_all(parent, 0o755, uid, gid)?;
            }
        }
        match &f.content {
            Content::Link(target) => {
                if fs.lstat(&f.path).is_ok() {
                    fs.remove_all(&f.path)?;
                }
                fs.symlink(target, &f.path)?;
                fs.lchown(&f.path, uid, gid)?;
            }
            Content::Lazy { size, seed } => {
                fs.write_file(&f.path, Blob::lazy(*size, *seed), f.mode, uid, gid)?;
            }
            Content::Text(t) => {
                fs.write_file(&f.path, Blob::from(t.as_str()), f.mode, uid, gid)?;
            }
        }
    }
    Ok(())
}

/// Writes one text file as root (parents created).
pub(crate) fn write_text(sh: &mut Shell<'_, '_>, path: &str, text: &str) -> Result<(), FsError> {
    write_all(sh, &[Planned::text(path.to_owned(), text.to_owned())], 0, 0)
}

/// A text file's content, if it exists and reads.
pub(crate) fn read_text(sh: &Shell<'_, '_>, path: &str) -> Option<String> {
    let blob = sh.fs().read_file(path).ok()?;
    let bytes = blob.to_vec().ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// `/etc/os-release` as key → unquoted value.
pub(crate) fn os_release(sh: &Shell<'_, '_>) -> BTreeMap<String, String> {
    let text = read_text(sh, "/etc/os-release")
        .or_else(|| read_text(sh, "/usr/lib/os-release"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_owned(),
                v.trim().trim_matches('"').trim_matches('\'').to_owned(),
            )
        })
        .collect()
}

/// The catalogs, or the failure reported as the tool's own error.
pub(crate) fn catalogs_or_report(io: &mut Io, tool: &str) -> Option<&'static catalog::Catalogs> {
    match catalog::catalogs() {
        Ok(c) => Some(c),
        Err(e) => {
            io.eprint(&format!("layerlab: {tool}: package catalog broken: {e}\n"));
            None
        }
    }
}

/// Removes whatever is at `path`, if anything.
pub(crate) fn remove_if_exists(sh: &mut Shell<'_, '_>, path: &str) -> Result<(), FsError> {
    if sh.fs().lstat(path).is_ok() {
        sh.fs_mut().remove_all(path)?;
    }
    Ok(())
}

/// The names in directory `dir` (empty when it does not exist).
pub(crate) fn dir_names(sh: &Shell<'_, '_>, dir: &str) -> Vec<String> {
    sh.fs()
        .read_dir(dir)
        .map(|v| v.into_iter().map(|e| e.name).collect())
        .unwrap_or_default()
}

/// Words joined into lines of at most 80 columns, each indented by two
/// spaces, as apt lists packages.
pub(crate) fn wrap_list(words: &[String]) -> String {
    let mut out = String::new();
    let mut line = String::from(" ");
    for w in words {
        if line.len() + 1 + w.len() > 79 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(w);
    }
    if line.len() > 1 {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Splits `--opt=value` into its parts.
pub(crate) fn long_opt(arg: &str) -> Option<(&str, Option<&str>)> {
    let rest = arg.strip_prefix("--")?;
    Some(match rest.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (rest, None),
    })
}
