//! Small file operations RUN lines use: truncate, unlink, sync, cmp.

use std::sync::Arc;

use super::{read_input, Io, Registry};
use crate::filesystem::blob::Blob;
use crate::limits;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("truncate", true, Arc::new(truncate));
    r.register("unlink", true, Arc::new(unlink));
    r.register("cmp", true, Arc::new(cmp));
    // Everything is in memory: there is nothing to flush.
    r.register(
        "sync",
        true,
        Arc::new(|_: &mut Shell, _: &[String], _: &mut Io| 0),
    );
}

const TRUNCATE_USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: truncate [-c] -s SIZE FILE...

Truncate FILEs to SIZE

\t-c\tDo not create files
\t-s SIZE
";

fn truncate(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let (mut no_create, mut target) = (false, None);
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "-c" {
            no_create = true;
        } else if let Some(v) = a.strip_prefix("-s") {
            let v = if v.is_empty() {
                i += 1;
                argv.get(i).cloned().unwrap_or_default()
            } else {
                v.to_owned()
            };
            match super::suffixed_size(&v, &super::SIZE_SUFFIXES) {
                Some(n) => target = Some(n),
                None => {
                    io.error("truncate", &format!("invalid number '{v}'"));
                    return 1;
                }
            }
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let (Some(target), false) = (target, files.is_empty()) else {
        io.eprint(TRUNCATE_USAGE);
        return 1;
    };
    let max = sh.limits().max_bytes;
    let Ok(len) =
        usize::try_from(target)
            .map_err(|_| ())
            .and_then(|n| if n > max { Err(()) } else { Ok(n) })
    else {
        io.error(
            "truncate",
            &limits::exceeded("the file size", format_args!("{max} bytes")),
        );
        return 1;
    };
    let mut status = 0;
    for f in &files {
        let abs = sh.abs(f);
        let (mut data, mode, uid, gid) = match sh.fs().stat(&abs) {
            Ok(n) if n.is_dir() => {
                io.error("truncate", &format!("{f}: open: Is a directory"));
                status = 1;
                continue;
            }
            Ok(n) => (
                read_input(sh, io, f).unwrap_or_default(),
                n.mode & 0o7777,
                n.uid,
                n.gid,
            ),
            Err(_) if no_create => continue,
            Err(_) => (
                Vec::new(),
                0o666 & !sh.umask(),
                sh.user().uid,
                sh.user().gid,
            ),
        };
        data.resize(len, 0);
        if let Err(e) = sh
            .fs_mut()
            .write_file(&abs, Blob::from_bytes(data), mode, uid, gid)
        {
            io.error("truncate", &format!("{f}: {}", e.strerror()));
            status = 1;
        }
    }
    status
}

fn unlink(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let [_, f] = argv else {
        io.eprint(
            "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: unlink FILE\n\nDelete FILE by calling unlink()\n",
        );
        return 1;
    };
    let abs = sh.abs(f);
    let r = match sh.fs().lstat(&abs) {
        Ok(n) if n.is_dir() => Err("Is a directory"),
        Ok(_) => sh.fs_mut().remove(&abs).map_err(|e| e.strerror()),
        Err(e) => Err(e.strerror()),
    };
    match r {
        Ok(()) => 0,
        Err(why) => {
            io.error("unlink", &format!("can't remove file '{f}': {why}"));
            1
        }
    }
}

/// Compares two files byte by byte: the first difference (or, with `-l`,
/// every one), 1 when they differ, 2 when one cannot be read.
fn cmp(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = super::Opts::parse(&argv[1..], "");
    let (a, b) = match o.operands.as_slice() {
        [a] => (a.clone(), "-".to_owned()),
        [a, b, ..] => (a.clone(), b.clone()),
        [] => {
            io.eprint("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: cmp [-ls] [-n NUM] FILE1 [FILE2]\n");
            return 2;
        }
    };
    let read = |f: &str, io: &mut Io| match read_input(sh, io, f) {
        Ok(d) => Some(d),
        Err(e) => {
            io.error("cmp", &format!("{f}: {}", e.strerror()));
            None
        }
    };
    let (Some(x), Some(y)) = (read(&a, io), read(&b, io)) else {
        return 2;
    };
    let (silent, list) = (o.has('s'), o.has('l'));
    let mut line = 1;
    let mut differ = false;
    for (i, (p, q)) in x.iter().zip(y.iter()).enumerate() {
        if p != q {
            differ = true;
            if silent {
                return 1;
            }
            if !list {
                io.print(&format!("{a} {b} differ: char {}, line {line}\n", i + 1));
                return 1;
            }
            io.print(&format!("{} {p:o} {q:o}\n", i + 1));
        }
        if *p == b'\n' {
            line += 1;
        }
    }
    if x.len() != y.len() {
        if !silent {
            let shorter = if x.len() < y.len() { &a } else { &b };
            io.error("cmp", &format!("EOF on {shorter}"));
        }
        return 1;
    }
    i32::from(differ)
}
