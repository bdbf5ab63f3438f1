//! File applets: cat, mkdir, rmdir, touch, rm, cp, mv, ln, chmod, chown,
//! chgrp, readlink, realpath, tee, find.

use std::sync::Arc;

use super::{read_input, with_path, Io, Opts, Registry};
use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::{FsError, Node, NodeKind};
use crate::filesystem::users;
use crate::shell::interp::{base_name, Shell};

pub(super) fn register(r: &mut Registry) {
    r.register("cat", true, Arc::new(cat));
    r.register("mkdir", true, Arc::new(mkdir));
    r.register("rmdir", true, Arc::new(rmdir));
    r.register("touch", true, Arc::new(touch));
    r.register("rm", true, Arc::new(rm));
    r.register("cp", true, Arc::new(cp));
    r.register("mv", true, Arc::new(mv));
    r.register("ln", true, Arc::new(ln));
    r.register("chmod", true, Arc::new(chmod));
    r.register("chown", true, Arc::new(chown));
    r.register("chgrp", true, Arc::new(chown));
    r.register("readlink", true, Arc::new(readlink));
    r.register("realpath", true, Arc::new(realpath));
    r.register("tee", true, Arc::new(tee));
    r.register("find", true, Arc::new(super::find::find));
    r.register("mktemp", true, Arc::new(mktemp));
}

fn cat(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    if o.operands.is_empty() {
        let d = io.stdin().to_vec();
        io.out.extend_from_slice(&d);
        return 0;
    }
    let mut status = 0;
    for f in &o.operands {
        match read_input(sh, io, f) {
            Ok(d) => io.out.extend_from_slice(&d),
            Err(FsError::IsADirectory(_)) => {
                io.error("cat", "read error: Is a directory");
                status = 1;
            }
            Err(e) => {
                io.error("cat", &format!("can't open '{f}': {}", e.strerror()));
                status = 1;
            }
        }
    }
    status
}

fn mkdir(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "m");
    let mode = match o.value('m') {
        Some(m) => match parse_mode(m, 0o777, 0) {
            Some(v) => Some(v),
            None => {
                io.error("mkdir", &format!("invalid mode '{m}'"));
                return 1;
            }
        },
        None => None,
    };
    let (uid, gid) = (sh.user().uid, sh.user().gid);
    let default = 0o777 & !sh.umask();
    each_operand(io, "mkdir", &o.operands, |d| {
        let path = sh.abs(d);
        let m = mode.unwrap_or(default);
        let r = if o.has('p') {
            mkdir_parents(sh, &path, m, default, uid, gid)
        } else {
            sh.fs_mut().mkdir(&path, m, uid, gid)
        };
        r.map_err(|e| format!("can't create directory '{d}': {}", e.strerror()))
    })
}

/// Runs `op` on each operand in turn, as busybox's file applets do: a
/// failure prints `applet: message` and the rest still run; the status is 1
/// if any failed.
fn each_operand(
    io: &mut Io,
    applet: &str,
    operands: &[String],
    mut op: impl FnMut(&str) -> Result<(), String>,
) -> i32 {
    let mut status = 0;
    for operand in operands {
        if let Err(message) = op(operand) {
            io.error(applet, &message);
            status = 1;
        }
    }
    status
}

/// `mkdir -p`: parents get the umask's mode and the caller's owner.
fn mkdir_parents(
    sh: &mut Shell,
    path: &str,
    mode: u32,
    parent_mode: u32,
    uid: u32,
    gid: u32,
) -> Result<(), FsError> {
    // Refused before the walk, which would create the parents that fit
    // (as Linux's mkdir -p does) at a cost growing with the square of the
    // depth for each.
    if path.len() >= crate::limits::PATH_MAX {
        return Err(FsError::NameTooLong(path.to_owned()));
    }
    // Most calls find the whole path there, or all but its last part: look
    // from the end, so `mkdir -p` one level deeper per loop pass costs the
    // depth once, not its square.
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let prefix_of = |n: usize| format!("/{}", comps[..n].join("/"));
    let mut existing = comps.len();
    while existing > 0 {
        match sh.fs().stat(&prefix_of(existing)) {
            Ok(n) if n.is_dir() => break,
            Err(FsError::NotFound(_)) => existing -= 1,
            // Not a directory, or worse: the walk from the root below
            // reports it as before.
            _ => {
                existing = 0;
                break;
            }
        }
    }
    let mut prefix = if existing == 0 {
        String::new()
    } else {
        prefix_of(existing)
    };
    for (i, c) in comps.iter().enumerate().skip(existing) {
        prefix.push('/');
        prefix.push_str(c);
        match sh.fs().stat(&prefix) {
            Ok(n) if n.is_dir() => continue,
            Ok(_) => return Err(FsError::AlreadyExists(path.to_owned())),
            Err(FsError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        let m = if i + 1 == comps.len() {
            mode
        } else {
            parent_mode
        };
        sh.fs_mut().mkdir(&prefix, m, uid, gid)?;
    }
    Ok(())
}

fn rmdir(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    each_operand(io, "rmdir", &o.operands, |d| {
        let path = sh.abs(d);
        let r = match sh.fs().lstat(&path) {
            Ok(n) if !n.is_dir() => Err(FsError::NotADirectory(d.to_owned())),
            Ok(_) => sh.fs_mut().remove(&path),
            Err(e) => Err(e),
        };
        r.map_err(|e| format!("'{d}': {}", e.strerror()))
    })
}

fn touch(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "dtr");
    let now = sh.now();
    let (uid, gid) = (sh.user().uid, sh.user().gid);
    let mode = 0o666 & !sh.umask();
    each_operand(io, "touch", &o.operands, |f| {
        let path = sh.abs(f);
        let r = match sh.fs().stat(&path) {
            Ok(_) => sh.fs_mut().set_mtime(&path, now),
            Err(FsError::NotFound(_)) if o.has('c') => Ok(()),
            Err(FsError::NotFound(_)) => {
                sh.fs_mut().write_file(&path, Blob::empty(), mode, uid, gid)
            }
            Err(e) => Err(e),
        };
        r.map_err(|e| format!("{f}: {}", e.strerror()))
    })
}

fn rm(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let recursive = o.has('r') || o.has('R');
    let force = o.has('f');
    let mut busy = Vec::new();
    let mut status = each_operand(io, "rm", &o.operands, |f| {
        let path = sh.abs(f);
        let r = match sh.fs().lstat(&path) {
            Ok(n) if n.is_dir() && !recursive => return Err(format!("'{f}' is a directory")),
            Ok(n) if n.is_dir() => match sh.fs_mut().remove_all(&path) {
                // a mount point below: what can go goes, entry by entry
                Err(FsError::Busy(_)) => {
                    remove_around_mounts(sh, &path, f, &mut busy);
                    Ok(())
                }
                r => r,
            },
            Ok(_) => sh.fs_mut().remove(&path),
            Err(FsError::NotFound(_)) if force => Ok(()),
            Err(e) => Err(e),
        };
        r.map_err(|e| format!("can't remove '{f}': {}", e.strerror()))
    });
    for shown in &busy {
        io.error(
            "rm",
            &format!("can't remove '{shown}': Device or resource busy"),
        );
        status = 1;
    }
    status
}

/// `rm -r` of a tree holding mount points, as busybox walks it: children
/// first, each mount point refused (EBUSY, named in `busy`), a directory
/// left where something below it stayed. True when `path` went.
fn remove_around_mounts(sh: &mut Shell, path: &str, shown: &str, busy: &mut Vec<String>) -> bool {
    match sh.fs().lstat(path) {
        Ok(n) if n.is_dir() => {
            let children = sh.fs().read_dir(path).unwrap_or_default();
            let mut all = true;
            for c in children {
                let at = format!("{}/{}", path.trim_end_matches('/'), c.name);
                let at_shown = format!("{}/{}", shown.trim_end_matches('/'), c.name);
                all &= remove_around_mounts(sh, &at, &at_shown, busy);
            }
            all && remove_or_busy(sh, path, shown, busy)
        }
        _ => remove_or_busy(sh, path, shown, busy),
    }
}

fn remove_or_busy(sh: &mut Shell, path: &str, shown: &str, busy: &mut Vec<String>) -> bool {
    match sh.fs_mut().remove(path) {
        Ok(()) => true,
        Err(FsError::Busy(_)) => {
            busy.push(shown.to_owned());
            false
        }
        Err(_) => false,
    }
}

struct CopyOpts {
    recursive: bool,
    preserve: bool,
    no_deref: bool,
    uid: u32,
    gid: u32,
    umask: u32,
}

fn cp(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let archive = o.has('a');
    let opts = CopyOpts {
        recursive: o.has('r') || o.has('R') || archive,
        preserve: o.has('p') || archive,
        no_deref: o.has('P') || o.has('d') || archive,
        uid: sh.user().uid,
        gid: sh.user().gid,
        umask: sh.umask(),
    };
    let Some((dest, sources)) = o.operands.split_last() else {
        io.error("cp", "missing file operand");
        return 1;
    };
    if sources.is_empty() {
        io.error("cp", "missing file operand");
        return 1;
    }
    let dest_abs = sh.abs(dest);
    let dest_is_dir = sh.fs().stat(&dest_abs).is_ok_and(|n| n.is_dir());
    if sources.len() > 1 && !dest_is_dir {
        io.error("cp", &format!("'{dest}' is not a directory"));
        return 1;
    }
    let mut status = 0;
    for s in sources {
        let src = sh.abs(s);
        let node = if opts.no_deref {
            sh.fs().lstat(&src)
        } else {
            sh.fs().stat(&src)
        };
        let node = match node {
            Ok(n) => n,
            Err(e) => {
                io.error("cp", &format!("can't stat '{s}': {}", e.strerror()));
                status = 1;
                continue;
            }
        };
        if node.is_dir() && !opts.recursive {
            io.error("cp", &format!("omitting directory '{s}'"));
            status = 1;
            continue;
        }
        let target = if dest_is_dir {
            format!("{}/{}", dest_abs.trim_end_matches('/'), base_name(s))
        } else {
            dest_abs.clone()
        };
        if let Err(e) = copy_node(sh, &src, node, &target, &opts) {
            io.error(
                "cp",
                &format!("can't create '{}': {}", e.path(), e.strerror()),
            );
            status = 1;
        }
    }
    status
}

fn copy_node(
    sh: &mut Shell,
    src: &str,
    node: Node,
    dst: &str,
    o: &CopyOpts,
) -> Result<(), FsError> {
    let (uid, gid) = if o.preserve {
        (node.uid, node.gid)
    } else {
        (o.uid, o.gid)
    };
    match node.kind {
        NodeKind::File(blob) => {
            let mode = match sh.fs().stat(dst) {
                // An existing file keeps its mode and owner when overwritten.
                Ok(existing) if existing.is_file() && !o.preserve => {
                    let (m, u, g) = (existing.mode, existing.uid, existing.gid);
                    return sh.fs_mut().write_file(dst, blob, m, u, g);
                }
                _ if o.preserve => node.mode,
                _ => node.mode & !o.umask,
            };
            sh.fs_mut().write_file(dst, blob, mode, uid, gid)?;
            if o.preserve {
                sh.fs_mut().set_mtime(dst, node.mtime)?;
            }
            Ok(())
        }
        // cp reads a device as a file (busybox without -a): its bytes,
        // none here.
        NodeKind::CharDevice { .. } => sh.fs_mut().write_file(
            dst,
            crate::filesystem::blob::Blob::from(""),
            node.mode & !o.umask,
            uid,
            gid,
        ),
        NodeKind::Symlink(target) => {
            if sh.fs().lstat(dst).is_ok() {
                sh.fs_mut().remove(dst)?;
            }
            sh.fs_mut().symlink(&target, dst)
        }
        NodeKind::Dir => {
            let mode = if o.preserve {
                node.mode
            } else {
                node.mode & !o.umask
            };
            match sh.fs().stat(dst) {
                Ok(n) if n.is_dir() => {}
                Ok(_) => return Err(FsError::AlreadyExists(dst.to_owned())),
                Err(_) => sh.fs_mut().mkdir(dst, mode, uid, gid)?,
            }
            let children = sh.fs().read_dir(src)?;
            for c in children {
                let s = format!("{}/{}", src.trim_end_matches('/'), c.name);
                let d = format!("{}/{}", dst.trim_end_matches('/'), c.name);
                let n = if o.no_deref {
                    c.node
                } else {
                    sh.fs().stat(&s)?
                };
                copy_node(sh, &s, n, &d, o)?;
            }
            if o.preserve {
                sh.fs_mut().set_mtime(dst, node.mtime)?;
            }
            Ok(())
        }
    }
}

fn mv(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let Some((dest, sources)) = o.operands.split_last() else {
        io.error("mv", "missing file operand");
        return 1;
    };
    let dest_abs = sh.abs(dest);
    let dest_is_dir = sh.fs().stat(&dest_abs).is_ok_and(|n| n.is_dir());
    each_operand(io, "mv", sources, |s| {
        let src = sh.abs(s);
        let target = if dest_is_dir {
            format!("{}/{}", dest_abs.trim_end_matches('/'), base_name(s))
        } else {
            dest_abs.clone()
        };
        sh.fs_mut()
            .rename(&src, &target)
            .map_err(|e| format!("can't rename '{s}': {}", e.strerror()))
    })
}

fn ln(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let Some((dest, sources)) = o.operands.split_last() else {
        io.error("ln", "missing file operand");
        return 1;
    };
    let (dest, sources) = if sources.is_empty() {
        (".".to_owned(), std::slice::from_ref(dest))
    } else {
        (dest.clone(), sources)
    };
    let dest_abs = sh.abs(&dest);
    let dest_is_dir = !o.has('n') && sh.fs().stat(&dest_abs).is_ok_and(|n| n.is_dir());
    let mut status = 0;
    for s in sources {
        let (link, shown) = if dest_is_dir {
            (
                format!("{}/{}", dest_abs.trim_end_matches('/'), base_name(s)),
                format!("{}/{}", dest.trim_end_matches('/'), base_name(s)),
            )
        } else {
            (dest_abs.clone(), dest.clone())
        };
        if o.has('f') && sh.fs().lstat(&link).is_ok_and(|n| !n.is_dir()) {
            let _ = sh.fs_mut().remove(&link);
        }
        let r = if o.has('s') {
            sh.fs_mut().symlink(s, &link)
        } else {
            // A hard link: the same content and metadata under a new name.
            let src = sh.abs(s);
            match sh.fs().stat(&src) {
                Ok(n) if n.is_dir() => Err(FsError::IsADirectory(s.clone())),
                Ok(n) => match sh.fs().lstat(&link) {
                    Ok(_) => Err(FsError::AlreadyExists(shown.clone())),
                    Err(_) => match n.kind {
                        NodeKind::File(b) => sh.fs_mut().write_file(&link, b, n.mode, n.uid, n.gid),
                        _ => Err(FsError::InvalidArgument(s.clone())),
                    },
                },
                Err(e) => Err(with_path(&e, s)),
            }
        };
        if let Err(e) = r {
            let what = match e {
                FsError::AlreadyExists(_) => shown.clone(),
                ref other => other.path().to_owned(),
            };
            io.error("ln", &format!("{what}: {}", e.strerror()));
            status = 1;
        }
    }
    status
}

/// An octal or symbolic (`u+x,go-w,a=r`) mode applied to `current`.
pub(crate) fn parse_mode(spec: &str, current: u32, umask: u32) -> Option<u32> {
    if !spec.is_empty() && spec.chars().all(|c| c.is_digit(8)) {
        let v = u32::from_str_radix(spec, 8).ok()?;
        return (v <= 0o7777).then_some(v);
    }
    let mut mode = current;
    for clause in spec.split(',') {
        let who_end = clause
            .find(|c: char| !"ugoa".contains(c))
            .unwrap_or(clause.len());
        let who = &clause[..who_end];
        let mut rest = &clause[who_end..];
        if rest.is_empty() {
            return None;
        }
        let mut mask = 0;
        for c in who.chars() {
            mask |= match c {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                _ => 0o7777,
            };
        }
        let implicit = who.is_empty();
        if implicit {
            mask = 0o7777;
        }
        while !rest.is_empty() {
            let op = rest.chars().next()?;
            if !"+-=".contains(op) {
                return None;
            }
            rest = &rest[1..];
            let perm_end = rest.find(['+', '-', '=']).unwrap_or(rest.len());
            let perms = &rest[..perm_end];
            rest = &rest[perm_end..];
            let mut bits = 0;
            for c in perms.chars() {
                bits |= match c {
                    'r' => 0o444,
                    'w' => 0o222,
                    'x' => 0o111,
                    'X' => {
                        if mode & 0o111 != 0 || mode & 0o40000 != 0 {
                            0o111
                        } else {
                            0
                        }
                    }
                    's' => 0o6000,
                    't' => 0o1000,
                    'u' => ((mode >> 6) & 7) * 0o111,
                    'g' => ((mode >> 3) & 7) * 0o111,
                    'o' => (mode & 7) * 0o111,
                    _ => return None,
                };
            }
            let mut eff = bits & mask;
            if implicit && op != '=' {
                eff &= !umask;
            }
            match op {
                '+' => mode |= eff,
                '-' => mode &= !eff,
                _ => mode = (mode & !mask) | eff,
            }
        }
    }
    Some(mode & 0o7777)
}

fn walk_paths(sh: &Shell, path: &str) -> Vec<String> {
    let mut out = vec![path.to_owned()];
    if sh.fs().lstat(path).is_ok_and(|n| n.is_dir()) {
        if let Ok(entries) = sh.fs().walk(path) {
            for (rel, _) in entries {
                out.push(format!("{}/{rel}", path.trim_end_matches('/')));
            }
        }
    }
    out
}

fn chmod(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    // Symbolic modes like `-x` look like options; take the first
    // non-`-R` word as the mode.
    let mut recursive = false;
    let mut words = Vec::new();
    for a in &argv[1..] {
        match a.as_str() {
            "-R" => recursive = true,
            "-f" | "-v" | "-c" => {}
            _ => words.push(a.clone()),
        }
    }
    let Some((spec, files)) = words.split_first() else {
        io.error("chmod", "missing operand");
        return 1;
    };
    if parse_mode(spec, 0, 0).is_none() {
        io.error("chmod", &format!("invalid mode '{spec}'"));
        return 1;
    }
    let mut status = 0;
    for f in files {
        let abs = sh.abs(f);
        let targets = if recursive {
            walk_paths(sh, &abs)
        } else {
            vec![abs]
        };
        for t in targets {
            let node = match if t == sh.abs(f) {
                sh.fs().stat(&t)
            } else {
                sh.fs().lstat(&t)
            } {
                Ok(n) => n,
                Err(e) => {
                    io.error("chmod", &format!("{f}: {}", e.strerror()));
                    status = 1;
                    continue;
                }
            };
            if node.is_symlink() {
                continue;
            }
            let dir_bit = if node.is_dir() { 0o40000 } else { 0 };
            let new = parse_mode(spec, node.mode | dir_bit, 0).unwrap_or(node.mode);
            if let Err(e) = sh.fs_mut().chmod(&t, new) {
                io.error("chmod", &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    status
}

fn chown(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let applet = base_name(&argv[0]).to_owned();
    let o = Opts::parse(&argv[1..], "");
    let Some((spec, files)) = o.operands.split_first() else {
        io.error(&applet, "missing operand");
        return 1;
    };
    let (user, group) = if applet == "chgrp" {
        (None, Some(spec.as_str()))
    } else {
        match spec.split_once([':', '.']) {
            Some((u, g)) => (
                Some(u).filter(|u| !u.is_empty()),
                Some(g).filter(|g| !g.is_empty()),
            ),
            None => (Some(spec.as_str()), None),
        }
    };
    let passwd = users::passwd(sh.fs());
    let groups = users::groups(sh.fs());
    let uid = match user {
        Some(u) => match u.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => match passwd.iter().find(|e| e.name == u) {
                Some(e) => Some(e.uid),
                None => {
                    io.error(&applet, &format!("unknown user {u}"));
                    return 1;
                }
            },
        },
        None => None,
    };
    let gid = match group {
        Some(g) => match g.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => match groups.iter().find(|e| e.name == g) {
                Some(e) => Some(e.gid),
                None => {
                    io.error(&applet, &format!("unknown group {g}"));
                    return 1;
                }
            },
        },
        None => None,
    };
    let recursive = o.has('R');
    let mut status = 0;
    for f in files {
        let abs = sh.abs(f);
        let targets = if recursive {
            walk_paths(sh, &abs)
        } else {
            vec![abs.clone()]
        };
        for t in targets {
            let follow = t == abs && !o.has('h');
            let node = if follow {
                sh.fs().stat(&t)
            } else {
                sh.fs().lstat(&t)
            };
            let node = match node {
                Ok(n) => n,
                Err(e) => {
                    io.error(&applet, &format!("{f}: {}", e.strerror()));
                    status = 1;
                    continue;
                }
            };
            let (u, g) = (uid.unwrap_or(node.uid), gid.unwrap_or(node.gid));
            let r = if follow {
                sh.fs_mut().chown(&t, u, g)
            } else {
                sh.fs_mut().lchown(&t, u, g)
            };
            if let Err(e) = r {
                io.error(&applet, &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    status
}

fn readlink(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let Some(f) = o.operands.first() else {
        return 1;
    };
    let abs = sh.abs(f);
    let r = if o.has('f') {
        sh.fs().canonicalize(&abs)
    } else {
        sh.fs().read_link(&abs)
    };
    match r {
        Ok(t) => {
            io.print(&format!("{t}\n"));
            0
        }
        Err(_) => 1,
    }
}

fn realpath(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut status = 0;
    for f in &argv[1..] {
        match sh.fs().canonicalize(&sh.abs(f)) {
            Ok(p) => io.print(&format!("{}\n", if p.is_empty() { "/" } else { &p })),
            Err(e) => {
                io.error("realpath", &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    status
}

fn tee(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let data = io.stdin().to_vec();
    io.out.extend_from_slice(&data);
    let (uid, gid) = (sh.user().uid, sh.user().gid);
    let mode = 0o666 & !sh.umask();
    let mut status = 0;
    for f in &o.operands {
        let abs = sh.abs(f);
        let (content, m, u, g) = match sh.fs().stat(&abs) {
            Ok(n) => {
                let mut old = if o.has('a') {
                    read_input(sh, io, f).unwrap_or_default()
                } else {
                    Vec::new()
                };
                old.extend_from_slice(&data);
                (old, n.mode, n.uid, n.gid)
            }
            Err(_) => (data.clone(), mode, uid, gid),
        };
        if let Err(e) = sh
            .fs_mut()
            .write_file(&abs, Blob::from_bytes(content), m, u, g)
        {
            io.error("tee", &format!("{f}: {}", e.strerror()));
            status = 1;
        }
    }
    status
}

/// `mktemp [-dt] [-p DIR] [TEMPLATE]`: a new file (0600) or directory
/// (0700) named by TEMPLATE's trailing six or more X's replaced (default
/// `tmp.XXXXXX` in $TMPDIR or /tmp). The letters come from the clock and a
/// counter, not chance, so a rebuild writes the same names.
fn mktemp(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "p");
    let template = o.operands.first().cloned();
    let dir = o
        .value('p')
        .map(str::to_owned)
        .or_else(|| sh.var("TMPDIR").map(str::to_owned))
        .unwrap_or_else(|| "/tmp".to_owned());
    let path = match &template {
        Some(t) if !(o.has('t') || o.value('p').is_some()) => t.clone(),
        Some(t) => format!("{dir}/{t}"),
        None => format!("{dir}/tmp.XXXXXX"),
    };
    let xs = path.len() - path.trim_end_matches('X').len();
    if xs < 6 {
        io.error("mktemp", "(null): Invalid argument");
        return 1;
    }
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let stem = &path[..path.len() - xs];
    let mut seed = (sh.now() as u64) ^ 0x9e37_79b9_7f4a_7c15;
    for _ in 0..100 {
        let name: String = (0..xs)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                LETTERS[(seed >> 33) as usize % LETTERS.len()] as char
            })
            .collect();
        let candidate = format!("{stem}{name}");
        let abs = sh.abs(&candidate);
        if sh.fs().lstat(&abs).is_ok() {
            continue;
        }
        let (uid, gid) = (sh.user().uid, sh.user().gid);
        let made = if o.has('d') {
            sh.fs_mut().mkdir(&abs, 0o700, uid, gid)
        } else {
            sh.fs_mut().write_file(&abs, Blob::empty(), 0o600, uid, gid)
        };
        return match made {
            Ok(()) => {
                io.print(&format!("{candidate}\n"));
                0
            }
            Err(e) => {
                io.error("mktemp", &format!("(null): {}", e.strerror()));
                1
            }
        };
    }
    io.error("mktemp", "(null): File exists");
    1
}
