//! busybox `stat` (1.35): `-c FMT` with printf-style flags, width and
//! precision on every sequence, `-L`, `-t` and the default display. What it
//! prints was compared with the real busybox in a container on overlay2:
//! sizes and block counts are ext4's (as `ls` shows them), an unknown
//! sequence prints its letter, a format ending in a lone `%` ends the
//! line without a newline, and names nobody in /etc/passwd or /etc/group is
//! called are `UNKNOWN`. Device and inode numbers are made up (overlay2
//! gives each container its own): a fixed device and an inode derived from
//! the path. The access, change and modification times are all the node's
//! mtime, which is all the simulated filesystem keeps.

use std::sync::Arc;

use super::ls::{link_count, mode_string};
use super::{Io, Registry};
use crate::calendar::civil;
use crate::filesystem::rootfs::{Node, NodeKind};
use crate::filesystem::users;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("stat", true, Arc::new(stat));
}

/// The device overlay2 showed in the container stat was compared in.
const DEVICE: u64 = 40;

/// busybox's own display formats (`stat` and `stat -t`).
const DISPLAY: &str = "  File: %N\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n\
                       Device: %Dh/%dd\tInode: %-10i  Links: %h\n\
                       Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n\
                       Access: %x\nModify: %y\nChange: %z";
const TERSE: &str = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %o";

const USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n\
Usage: stat [-ltf] [-c FMT] FILE...\n\n\
Display file (default) or filesystem status\n\n\
\t-c FMT\tUse the specified format\n\
\t-f\tDisplay filesystem status\n\
\t-L\tFollow links\n\
\t-t\tTerse display\n";

struct File<'a> {
    name: &'a str,
    path: String,
    node: Node,
    follow: bool,
}

fn stat(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut format: Option<String> = None;
    let mut follow = false;
    let mut terse = false;
    let mut operands = Vec::new();
    let mut args = argv[1..].iter();
    while let Some(a) = args.next() {
        if !operands.is_empty() || a == "-" || !a.starts_with('-') {
            operands.push(a.as_str());
            continue;
        }
        if a == "--" {
            operands.extend(args.by_ref().map(String::as_str));
            break;
        }
        if a.starts_with("--") {
            io.eprint(&format!("stat: unrecognized option '{a}'\n{USAGE}"));
            return 1;
        }
        for (i, c) in a[1..].char_indices() {
            match c {
                'L' => follow = true,
                't' => terse = true,
                'c' => {
                    let rest = &a[1 + i + 1..];
                    format = Some(if rest.is_empty() {
                        match args.next() {
                            Some(v) => v.clone(),
                            None => {
                                io.eprint(&format!(
                                    "stat: option requires an argument -- 'c'\n{USAGE}"
                                ));
                                return 1;
                            }
                        }
                    } else {
                        rest.to_string()
                    });
                    break;
                }
                'f' => {
                    io.error("stat", "-f (file system status) is not simulated");
                    return 1;
                }
                _ => {
                    io.eprint(&format!("stat: invalid option -- '{c}'\n{USAGE}"));
                    return 1;
                }
            }
        }
    }
    if operands.is_empty() {
        io.eprint(USAGE);
        return 1;
    }
    let format = format.unwrap_or_else(|| if terse { TERSE } else { DISPLAY }.to_string());
    let passwd = users::passwd(sh.fs());
    let groups = users::groups(sh.fs());
    let mut status = 0;
    for name in operands {
        let path = sh.abs(name);
        let node = if follow {
            sh.fs().stat(&path)
        } else {
            sh.fs().lstat(&path)
        };
        let node = match node {
            Ok(n) => n,
            Err(e) => {
                io.error("stat", &format!("can't stat '{name}': {}", e.strerror()));
                status = 1;
                continue;
            }
        };
        let file = File {
            name,
            path,
            node,
            follow,
        };
        let user = passwd
            .iter()
            .find(|e| e.uid == file.node.uid)
            .map_or("UNKNOWN", |e| e.name.as_str());
        let group = groups
            .iter()
            .find(|e| e.gid == file.node.gid)
            .map_or("UNKNOWN", |e| e.name.as_str());
        io.print(&render(sh, &format, &file, user, group));
    }
    status
}

/// One file through the format: each `%[flags][width][.precision]X`
/// replaced (`%%` is `%`), the rest as written, and a newline unless the format ended
/// in a lone `%`.
fn render(sh: &Shell, format: &str, f: &File, user: &str, group: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let spec = &rest[at + 1..];
        let modifiers = spec
            .find(|c: char| !"#-+.I 0123456789".contains(c))
            .unwrap_or(spec.len());
        let Some(conv) = spec[modifiers..].chars().next() else {
            // A lone `%` at the end: printed, and the line is not ended.
            out.push('%');
            out.push_str(&spec[..modifiers]);
            return out;
        };
        rest = &spec[modifiers + conv.len_utf8()..];
        if conv == '%' {
            out.push('%');
            continue;
        }
        // An unknown sequence prints its letter (busybox formats it as
        // a `%c`).
        let v = value(sh, conv, f, user, group).unwrap_or(Value::Text(conv.to_string()));
        out.push_str(&pad(&spec[..modifiers], v));
    }
    out.push_str(rest);
    out.push('\n');
    out
}

enum Value {
    Text(String),
    Decimal(u64),
    Octal(u64),
    Hex(u64),
}

fn value(sh: &Shell, conv: char, f: &File, user: &str, group: &str) -> Option<Value> {
    let n = &f.node;
    let time = || {
        let c = civil(n.mtime);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.000000000 +0000",
            c.year, c.month, c.day, c.hour, c.min, c.sec
        )
    };
    let seconds = u64::try_from(n.mtime).unwrap_or(0);
    Some(match conv {
        'a' => Value::Octal(u64::from(n.mode & 0o7777)),
        'A' => Value::Text(mode_string(n)),
        'b' => Value::Decimal(match &n.kind {
            NodeKind::Dir => 8,
            NodeKind::File(b) => b.len().div_ceil(4096) * 8,
            NodeKind::Symlink(_) | NodeKind::CharDevice { .. } => 0,
        }),
        'B' => Value::Decimal(512),
        'd' => Value::Decimal(DEVICE),
        'D' => Value::Hex(DEVICE),
        'f' => Value::Hex(u64::from(type_bits(n) | (n.mode & 0o7777))),
        'F' => Value::Text(
            match &n.kind {
                NodeKind::Dir => "directory",
                NodeKind::Symlink(_) => "symbolic link",
                NodeKind::File(b) if b.is_empty() => "regular empty file",
                NodeKind::File(_) => "regular file",
                NodeKind::CharDevice { .. } => "character special file",
            }
            .into(),
        ),
        'g' => Value::Decimal(u64::from(n.gid)),
        'G' => Value::Text(group.into()),
        'h' => Value::Decimal(link_count(sh, &f.path, n)),
        'i' => Value::Decimal(inode(&f.path)),
        'n' => Value::Text(f.name.into()),
        'N' => Value::Text(match &n.kind {
            NodeKind::Symlink(t) if !f.follow => format!("'{}' -> '{t}'", f.name),
            _ => f.name.into(),
        }),
        'o' => Value::Decimal(4096),
        's' => Value::Decimal(match n.kind {
            NodeKind::Dir => 4096,
            _ => n.size(),
        }),
        't' | 'T' => Value::Hex(0),
        'u' => Value::Decimal(u64::from(n.uid)),
        'U' => Value::Text(user.into()),
        'x' | 'y' | 'z' => Value::Text(time()),
        'X' | 'Y' | 'Z' => Value::Decimal(seconds),
        _ => return None,
    })
}

/// The `S_IFMT` bits of a node's kind.
fn type_bits(n: &Node) -> u32 {
    match n.kind {
        NodeKind::Dir => 0o040_000,
        NodeKind::File(_) => 0o100_000,
        NodeKind::Symlink(_) => 0o120_000,
        NodeKind::CharDevice { .. } => 0o020_000,
    }
}

/// A stable made-up inode number for a path.
fn inode(path: &str) -> u64 {
    let d = crate::filesystem::digest::Digest::of(path.as_bytes());
    let hex = d.hex();
    10_000_000 + u64::from_str_radix(&hex[..6], 16).unwrap_or(0) % 1_000_000
}

/// printf's flags, width and precision on an unsigned number or a string
/// (busybox hands every sequence to printf). `+` and space do nothing on
/// unsigned numbers; `#` prefixes octal with 0 and hex with 0x.
fn pad(modifiers: &str, v: Value) -> String {
    let flags_end = modifiers
        .find(|c: char| !"#-+ 0I".contains(c))
        .unwrap_or(modifiers.len());
    let (flags, size) = modifiers.split_at(flags_end);
    let left = flags.contains('-');
    let alt = flags.contains('#');
    let (width, precision) = match size.split_once('.') {
        Some((w, p)) => (w, Some(p.parse::<usize>().unwrap_or(0))),
        None => (size, None),
    };
    let width: usize = width.parse().unwrap_or(0);
    let (body, numeric) = match v {
        Value::Text(s) => (
            match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            },
            false,
        ),
        Value::Decimal(n) => (digits(n.to_string(), precision), true),
        Value::Octal(n) => {
            let d = digits(format!("{n:o}"), precision);
            (
                if alt && !d.starts_with('0') {
                    format!("0{d}")
                } else {
                    d
                },
                true,
            )
        }
        Value::Hex(n) => {
            let d = digits(format!("{n:x}"), precision);
            (if alt && n != 0 { format!("0x{d}") } else { d }, true)
        }
    };
    let fill = width.saturating_sub(body.chars().count());
    if left {
        format!("{body}{}", " ".repeat(fill))
    } else if numeric && flags.contains('0') && precision.is_none() {
        match body.strip_prefix("0x") {
            Some(hex) => format!("0x{}{hex}", "0".repeat(fill)),
            None => format!("{}{body}", "0".repeat(fill)),
        }
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

/// A number's digits with printf's precision (a minimum digit count).
fn digits(d: String, precision: Option<usize>) -> String {
    match precision {
        Some(p) if p > d.len() => format!("{}{d}", "0".repeat(p - d.len())),
        _ => d,
    }
}
