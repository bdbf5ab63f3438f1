//! The busybox applets layerlab simulates (plus shadow-utils'
//! `useradd`/`groupadd`), gathered by [`Registry::busybox`]; package
//! managers (`apk`, `apt-get`, `npm`, `pip`) plug in later with
//! [`Registry::register`]. What a simulation is to the interpreter — a
//! [`Command`](super::interp::registry::Command) given the running [`Shell`] and an
//! [`Io`] — is defined beside the interpreter, so the applets depend on it
//! and not the other way round.

mod awk;
mod basic;
pub(crate) mod cfmt;
mod cut;
mod dd;
mod diff;
mod expr;
mod fileops;
mod files;
mod find;
pub(crate) mod gzip;
mod hexdump;
mod lines;
mod ls;
mod od;
pub(crate) mod regex;
mod sed;
mod stat;
mod sums;
mod tar;
mod text;
mod timing;
mod useradd;

use crate::filesystem::rootfs::FsError;

use super::interp::registry::{Io, Registry};
use super::interp::Shell;

impl Registry {
    /// Every simulated busybox applet, plus `useradd`/`groupadd`.
    pub fn busybox() -> Self {
        let mut r = Self::new();
        basic::register(&mut r);
        cut::register(&mut r);
        dd::register(&mut r);
        diff::register(&mut r);
        expr::register(&mut r);
        fileops::register(&mut r);
        files::register(&mut r);
        gzip::register(&mut r);
        hexdump::register(&mut r);
        lines::register(&mut r);
        ls::register(&mut r);
        od::register(&mut r);
        stat::register(&mut r);
        sums::register(&mut r);
        text::register(&mut r);
        timing::register(&mut r);
        tar::register(&mut r);
        useradd::register(&mut r);
        r
    }
}

/// Names ash handles itself (what `type` calls a shell builtin).
pub(crate) fn is_shell_builtin(name: &str) -> bool {
    matches!(
        name,
        ":" | "."
            | "break"
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "trap"
            | "unset"
            | "source"
            | "cd"
            | "read"
            | "umask"
            | "type"
            | "command"
            | "wait"
            | "local"
            | "echo"
            | "printf"
            | "test"
            | "["
            | "[["
            | "true"
            | "false"
            | "pwd"
    )
}

/// Splits busybox-style options: leading `-abc` clusters (until `--` or
/// the first operand) into flags; `with_value` flags take the next word
/// (or the rest of the cluster). Unknown flags are kept for the caller.
pub(crate) struct Opts {
    pub flags: Vec<char>,
    pub values: Vec<(char, String)>,
    pub operands: Vec<String>,
}

impl Opts {
    pub fn parse(args: &[String], with_value: &str) -> Self {
        let mut flags = Vec::new();
        let mut values = Vec::new();
        let mut operands = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                operands.extend(args[i + 1..].iter().cloned());
                break;
            }
            if a.len() > 1 && a.starts_with('-') && !a.starts_with("--") {
                let chars: Vec<char> = a[1..].chars().collect();
                let mut j = 0;
                while j < chars.len() {
                    let c = chars[j];
                    if with_value.contains(c) {
                        let rest: String = chars[j + 1..].iter().collect();
                        if rest.is_empty() {
                            i += 1;
                            values.push((c, args.get(i).cloned().unwrap_or_default()));
                        } else {
                            values.push((c, rest));
                        }
                        break;
                    }
                    flags.push(c);
                    j += 1;
                }
            } else if let Some(long) = a.strip_prefix("--") {
                // Long options: kept as a flag char where they have a short twin.
                match long {
                    "recursive" => flags.push('r'),
                    "force" => flags.push('f'),
                    "parents" => flags.push('p'),
                    "all" => flags.push('a'),
                    "archive" => flags.push('a'),
                    "verbose" => flags.push('v'),
                    "quiet" | "silent" => flags.push('q'),
                    _ => {}
                }
            } else {
                operands.push(a.clone());
            }
            i += 1;
        }
        Self {
            flags,
            values,
            operands,
        }
    }

    pub fn has(&self, c: char) -> bool {
        self.flags.contains(&c)
    }

    pub fn value(&self, c: char) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| *k == c)
            .map(|(_, v)| v.as_str())
    }
}

/// busybox's size suffixes (`xatoull_sfx` tables): the 1000-based kB, MB,
/// GB and the 1024-based k, K, M, G that every sizing applet takes.
pub(crate) const SIZE_SUFFIXES: [(&str, u64); 7] = [
    ("kB", 1000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("k", 1024),
    ("K", 1024),
    ("M", 1 << 20),
    ("G", 1 << 30),
];

/// A decimal count with one of `suffixes` (tried in order, so a longer one
/// goes first); `None` when it is not one, or overflows.
pub(crate) fn suffixed_size(s: &str, suffixes: &[(&str, u64)]) -> Option<u64> {
    let (num, mult) = suffixes
        .iter()
        .find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m)))
        .unwrap_or((s, 1));
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// Reads a file argument (`-` is stdin; `/dev/null` is empty).
pub(crate) fn read_input(sh: &Shell<'_, '_>, io: &mut Io, path: &str) -> Result<Vec<u8>, FsError> {
    match path {
        "-" | "/dev/stdin" => Ok(io.stdin().to_vec()),
        "/dev/null" | "/dev/zero" => Ok(Vec::new()),
        _ => {
            let abs = sh.abs(path);
            let blob = sh.fs().read_file(&abs).map_err(|e| with_path(&e, path))?;
            blob.to_vec()
                .map_err(|_| FsError::InvalidArgument(path.to_owned()))
        }
    }
}

/// The same error naming the path as the user typed it.
pub(crate) fn with_path(e: &FsError, path: &str) -> FsError {
    let p = path.to_owned();
    match e {
        FsError::NotFound(_) => FsError::NotFound(p),
        FsError::NotADirectory(_) => FsError::NotADirectory(p),
        FsError::IsADirectory(_) => FsError::IsADirectory(p),
        FsError::DirectoryNotEmpty(_) => FsError::DirectoryNotEmpty(p),
        FsError::AlreadyExists(_) => FsError::AlreadyExists(p),
        FsError::TooManyLinks(_) => FsError::TooManyLinks(p),
        FsError::InvalidArgument(_) => FsError::InvalidArgument(p),
        FsError::NameTooLong(_) => FsError::NameTooLong(p),
        FsError::ReadOnly(_) => FsError::ReadOnly(p),
        FsError::Busy(_) => FsError::Busy(p),
        FsError::PermissionDenied(_) => FsError::PermissionDenied(p),
        FsError::NotPermitted(_) => FsError::NotPermitted(p),
    }
}

/// Input for text filters: the named files concatenated, or stdin.
pub(crate) fn inputs(
    sh: &Shell<'_, '_>,
    io: &mut Io,
    applet: &str,
    files: &[String],
) -> (Vec<u8>, i32) {
    if files.is_empty() {
        return (io.stdin().to_vec(), 0);
    }
    let mut data = Vec::new();
    let mut status = 0;
    for f in files {
        match read_input(sh, io, f) {
            Ok(d) => data.extend_from_slice(&d),
            Err(e) => {
                io.error(applet, &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    (data, status)
}
