//! busybox `ls`, with the output it gives when stdout is not a terminal
//! (one name per line, as in `ls > file`). Sizes and block counts are
//! those of an ext4 backing store, which is what overlay2 reports: a
//! directory is 4096 bytes and 4 KiB blocks, a file takes whole 4 KiB
//! blocks, a symlink's size is its target's length.

use std::sync::Arc;

use super::{Io, Opts, Registry};
use crate::calendar::civil;
use crate::filesystem::rootfs::{Node, NodeKind};
use crate::filesystem::users;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("ls", true, Arc::new(ls));
}

struct Flags {
    long: bool,
    all: bool,
    almost_all: bool,
    recursive: bool,
    numeric: bool,
    dir_itself: bool,
    human: bool,
    reverse: bool,
    by_time: bool,
    by_size: bool,
    classify: bool,
    slash_dirs: bool,
}

/// What one line shows.
struct Item {
    name: String,
    /// Path to stat, for `-l` and recursion.
    path: String,
    node: Node,
}

struct Ctx<'a> {
    passwd: Vec<users::PasswdEntry>,
    groups: Vec<users::GroupEntry>,
    now: i64,
    f: &'a Flags,
}

fn ls(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let f = Flags {
        long: o.has('l') || o.has('n'),
        all: o.has('a'),
        almost_all: o.has('A'),
        recursive: o.has('R'),
        numeric: o.has('n'),
        dir_itself: o.has('d'),
        human: o.has('h'),
        reverse: o.has('r'),
        by_time: o.has('t'),
        by_size: o.has('S'),
        classify: o.has('F'),
        slash_dirs: o.has('p'),
    };
    let ctx = Ctx {
        passwd: users::passwd(sh.fs()),
        groups: users::groups(sh.fs()),
        now: sh.now(),
        f: &f,
    };
    let operands = if o.operands.is_empty() {
        vec![".".to_owned()]
    } else {
        o.operands
    };
    let mut status = 0;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for op in &operands {
        let abs = sh.abs(op);
        // Operands are followed (unless -l shows a link itself, or -d).
        let lnode = sh.fs().lstat(&abs);
        let node = match lnode {
            Ok(n) if n.is_symlink() && !(f.long || f.dir_itself || f.classify) => {
                sh.fs().stat(&abs).or(Ok(n))
            }
            other => other,
        };
        match node {
            Ok(n) if n.is_dir() && !f.dir_itself => dirs.push(Item {
                name: op.clone(),
                path: abs,
                node: n,
            }),
            Ok(n) => files.push(Item {
                name: op.clone(),
                path: abs,
                node: n,
            }),
            Err(e) => {
                io.error("ls", &format!("{op}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    sort_items(&mut files, &f);
    sort_items(&mut dirs, &f);
    for it in &files {
        line(sh, &ctx, it, io);
    }
    let show_headers = f.recursive || operands.len() > 1;
    let mut first = files.is_empty();
    for d in dirs {
        if !list_dir(sh, &ctx, &d.name, &d.path, show_headers, &mut first, io, 0) {
            status = 1;
        }
    }
    status
}

fn sort_items(items: &mut [Item], f: &Flags) {
    items.sort_by(|a, b| {
        let ord = if f.by_time {
            b.node
                .mtime
                .cmp(&a.node.mtime)
                .then_with(|| a.name.cmp(&b.name))
        } else if f.by_size {
            b.node
                .size()
                .cmp(&a.node.size())
                .then_with(|| a.name.cmp(&b.name))
        } else {
            a.name.cmp(&b.name)
        };
        if f.reverse {
            ord.reverse()
        } else {
            ord
        }
    });
}

#[allow(clippy::too_many_arguments)]
fn list_dir(
    sh: &Shell,
    ctx: &Ctx,
    shown: &str,
    path: &str,
    header: bool,
    first: &mut bool,
    io: &mut Io,
    depth: usize,
) -> bool {
    let f = ctx.f;
    if header {
        if !*first {
            io.print("\n");
        }
        io.print(&format!("{shown}:\n"));
    }
    *first = false;
    let mut items = Vec::new();
    if f.all {
        if let Ok(n) = sh.fs().stat(path) {
            items.push(Item {
                name: ".".to_owned(),
                path: path.to_owned(),
                node: n,
            });
        }
        let parent = format!("{}/..", path.trim_end_matches('/'));
        if let Ok(n) = sh.fs().stat(&parent) {
            items.push(Item {
                name: "..".to_owned(),
                path: parent,
                node: n,
            });
        }
    }
    match sh.fs().read_dir(path) {
        Ok(entries) => {
            for e in entries {
                if e.name.starts_with('.') && !(f.all || f.almost_all) {
                    continue;
                }
                items.push(Item {
                    path: format!("{}/{}", path.trim_end_matches('/'), e.name),
                    name: e.name,
                    node: e.node,
                });
            }
        }
        // busybox names the directory it could not open (and fails).
        Err(e) => {
            io.error("ls", &format!("can't open '{shown}': {}", e.strerror()));
            return false;
        }
    }
    sort_items(&mut items, f);
    if f.long {
        let total: u64 = items.iter().map(|i| blocks_1k(&i.node)).sum();
        io.print(&format!("total {total}\n"));
    }
    for it in &items {
        line(sh, ctx, it, io);
    }
    let mut ok = true;
    if f.recursive && depth < 64 {
        for it in &items {
            if it.node.is_dir() && it.name != "." && it.name != ".." {
                let child_shown = if shown.ends_with('/') {
                    format!("{shown}{}", it.name)
                } else {
                    format!("{shown}/{}", it.name)
                };
                ok &= list_dir(sh, ctx, &child_shown, &it.path, true, first, io, depth + 1);
            }
        }
    }
    ok
}

/// Hard links: a directory has one per subdirectory plus its own name and
/// `.`; everything else one (the simulation makes no hard links).
pub(super) fn link_count(sh: &Shell, path: &str, node: &Node) -> u64 {
    match node.kind {
        NodeKind::Dir => {
            2 + sh
                .fs()
                .read_dir(path)
                .map(|es| es.iter().filter(|e| e.node.is_dir()).count() as u64)
                .unwrap_or(0)
        }
        _ => 1,
    }
}

/// 1 KiB blocks as `ls -s`/`total` count them on ext4.
fn blocks_1k(n: &Node) -> u64 {
    match &n.kind {
        NodeKind::Dir => 4,
        NodeKind::File(b) => b.len().div_ceil(4096) * 4,
        NodeKind::Symlink(_) | NodeKind::CharDevice { .. } => 0,
    }
}

fn display_size(n: &Node) -> u64 {
    match n.kind {
        NodeKind::Dir => 4096,
        _ => n.size(),
    }
}

pub(crate) fn mode_string(n: &Node) -> String {
    let mut s = String::with_capacity(10);
    s.push(match n.kind {
        NodeKind::Dir => 'd',
        NodeKind::Symlink(_) => 'l',
        NodeKind::File(_) => '-',
        NodeKind::CharDevice { .. } => 'c',
    });
    let m = n.mode;
    let triple =
        |r: u32, w: u32, x: u32, special: u32, lower: char, upper: char, s: &mut String| {
            s.push(if m & r != 0 { 'r' } else { '-' });
            s.push(if m & w != 0 { 'w' } else { '-' });
            s.push(match (m & x != 0, m & special != 0) {
                (true, true) => lower,
                (false, true) => upper,
                (true, false) => 'x',
                (false, false) => '-',
            });
        };
    triple(0o400, 0o200, 0o100, 0o4000, 's', 'S', &mut s);
    triple(0o040, 0o020, 0o010, 0o2000, 's', 'S', &mut s);
    triple(0o004, 0o002, 0o001, 0o1000, 't', 'T', &mut s);
    s
}

/// busybox's make_human_readable_str: plain below 1024, else one decimal
/// below 10 and whole numbers above, with a K/M/G/T suffix.
pub(super) fn human(size: u64) -> String {
    if size < 1024 {
        return size.to_string();
    }
    let units = ['K', 'M', 'G', 'T', 'P', 'E'];
    let mut v = size as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if v < 10.0 {
        format!("{:.1}{}", (v * 10.0).round() / 10.0, units[u])
    } else {
        format!("{}{}", v.round() as u64, units[u])
    }
}

fn line(sh: &Shell, ctx: &Ctx, it: &Item, io: &mut Io) {
    let f = ctx.f;
    let mut s = String::new();
    if f.long {
        let nlink = link_count(sh, &it.path, &it.node);
        let user = if f.numeric {
            it.node.uid.to_string()
        } else {
            ctx.passwd
                .iter()
                .find(|e| e.uid == it.node.uid)
                .map_or_else(|| it.node.uid.to_string(), |e| e.name.clone())
        };
        let group = if f.numeric {
            it.node.gid.to_string()
        } else {
            ctx.groups
                .iter()
                .find(|e| e.gid == it.node.gid)
                .map_or_else(|| it.node.gid.to_string(), |e| e.name.clone())
        };
        let user: String = user.chars().take(8).collect();
        let group: String = group.chars().take(8).collect();
        s.push_str(&format!(
            "{:<10} {nlink:>4} {user:<8} {group:<8} ",
            mode_string(&it.node)
        ));
        let size = display_size(&it.node);
        if let NodeKind::CharDevice { major, minor } = it.node.kind {
            // busybox: the device's numbers where a file's size goes
            s.push_str(&format!("{major:>4},{minor:>4} "));
        } else if f.human {
            s.push_str(&format!("{:>7} ", human(size)));
        } else {
            s.push_str(&format!("{size:>9} "));
        }
        s.push_str(&time_column(it.node.mtime, ctx.now));
        s.push(' ');
    }
    s.push_str(&it.name);
    if f.long {
        if let NodeKind::Symlink(t) = &it.node.kind {
            s.push_str(" -> ");
            s.push_str(t);
        }
    }
    if f.classify || f.slash_dirs {
        match &it.node.kind {
            NodeKind::Dir => s.push('/'),
            NodeKind::Symlink(_) if f.classify => s.push('@'),
            NodeKind::File(_) if f.classify && it.node.mode & 0o111 != 0 => s.push('*'),
            _ => {}
        }
    }
    s.push('\n');
    io.print(&s);
}

/// `Nov 28 06:32` for recent files, `Nov 28  2019` for ones older than
/// about six months (or in the future).
fn time_column(mtime: i64, now: i64) -> String {
    let c = civil(mtime);
    let month = c.month_abbr();
    let age = now - mtime;
    if age < 3600 * 24 * 365 / 2 && age > -15 * 60 {
        format!("{month} {:>2} {:02}:{:02}", c.day, c.hour, c.min)
    } else {
        format!("{month} {:>2}  {:>4}", c.day, c.year)
    }
}
