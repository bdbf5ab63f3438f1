//! hexdump and xxd as busybox 1.35 prints them. hexdump folds repeated
//! lines into `*`; xxd never does. `-e` formats are not simulated.

use std::fmt::Write as _;
use std::sync::Arc;

use super::{inputs, Io, Registry};
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("hexdump", true, Arc::new(hexdump));
    r.register("xxd", true, Arc::new(xxd));
}

/// One of hexdump's line formats.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Canonical,
    Hex2,
    Hex2Wide,
    Dec2,
    Oct2,
    Oct1,
    Char,
}

impl Format {
    /// The line after its offset, blanks standing in for missing bytes.
    fn line(self, chunk: &[u8]) -> String {
        let mut s = String::new();
        match self {
            Format::Canonical => {
                for i in 0..16 {
                    if i == 8 {
                        s.push(' ');
                    }
                    match chunk.get(i) {
                        Some(b) => {
                            let _ = write!(s, "{b:02x} ");
                        }
                        None => s.push_str("   "),
                    }
                }
                s.push_str(" |");
                s.extend(chunk.iter().map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        char::from(b)
                    } else {
                        '.'
                    }
                }));
                s.push('|');
            }
            Format::Hex2 | Format::Hex2Wide | Format::Dec2 | Format::Oct2 => {
                for i in 0..8 {
                    let unit = match chunk.get(2 * i) {
                        Some(&lo) => {
                            let v = u16::from(lo)
                                | u16::from(chunk.get(2 * i + 1).copied().unwrap_or(0)) << 8;
                            Some(v)
                        }
                        None => None,
                    };
                    let text = match (self, unit) {
                        (Format::Hex2, Some(v)) => format!("{v:04x} "),
                        (Format::Hex2Wide, Some(v)) => format!("   {v:04x} "),
                        (Format::Dec2, Some(v)) => format!("  {v:05} "),
                        (Format::Oct2, Some(v)) => format!(" {v:06o} "),
                        (Format::Hex2, None) => " ".repeat(5),
                        _ => " ".repeat(8),
                    };
                    s.push_str(&text);
                }
            }
            Format::Oct1 | Format::Char => {
                for i in 0..16 {
                    match (self, chunk.get(i)) {
                        (Format::Oct1, Some(b)) => {
                            let _ = write!(s, "{b:03o} ");
                        }
                        (Format::Char, Some(&b)) => {
                            let c = match b {
                                0 => "\\0".to_owned(),
                                7 => "\\a".to_owned(),
                                8 => "\\b".to_owned(),
                                9 => "\\t".to_owned(),
                                10 => "\\n".to_owned(),
                                11 => "\\v".to_owned(),
                                12 => "\\f".to_owned(),
                                13 => "\\r".to_owned(),
                                0x20..=0x7e => char::from(b).to_string(),
                                _ => format!("{b:03o}"),
                            };
                            let _ = write!(s, "{c:>3} ");
                        }
                        _ => s.push_str("    "),
                    }
                }
            }
        }
        // The space after a line's last unit is not printed.
        if self != Format::Canonical {
            s.pop();
        }
        s
    }
}

fn hexdump(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut formats = Vec::new();
    let (mut all, mut skip, mut length) = (false, 0usize, None);
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a.len() > 1 && a.starts_with('-') {
            let mut chars = a[1..].chars();
            while let Some(c) = chars.next() {
                match c {
                    'C' => formats.push(Format::Canonical),
                    'x' => formats.push(Format::Hex2Wide),
                    'd' => formats.push(Format::Dec2),
                    'o' => formats.push(Format::Oct2),
                    'b' => formats.push(Format::Oct1),
                    'c' => formats.push(Format::Char),
                    'v' => all = true,
                    's' | 'n' => {
                        let rest: String = chars.by_ref().collect();
                        let value = if rest.is_empty() {
                            i += 1;
                            argv.get(i).cloned().unwrap_or_default()
                        } else {
                            rest
                        };
                        let Ok(n) = value.parse::<usize>() else {
                            io.error("hexdump", &format!("invalid number '{value}'"));
                            return 1;
                        };
                        if c == 's' {
                            skip = n;
                        } else {
                            length = Some(n);
                        }
                    }
                    'e' | 'f' => {
                        io.eprint("layerlab: hexdump -e and -f formats are not simulated\n");
                        return 1;
                    }
                    other => {
                        io.error("hexdump", &format!("invalid option -- '{other}'"));
                        return 1;
                    }
                }
            }
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    if formats.is_empty() {
        formats.push(Format::Hex2);
    }
    let (data, status) = inputs(sh, io, "hexdump", &files);
    let mut data = &data[skip.min(data.len())..];
    if let Some(n) = length {
        data = &data[..n.min(data.len())];
    }
    if data.is_empty() {
        return status;
    }
    let wide = formats.first() == Some(&Format::Canonical);
    let offset = |o: usize| {
        if wide {
            format!("{o:08x}")
        } else {
            format!("{o:07x}")
        }
    };
    let mut out = String::new();
    let mut prev: Option<&[u8]> = None;
    let mut starred = false;
    for (k, chunk) in data.chunks(16).enumerate() {
        let at = skip + k * 16;
        if !all && prev == Some(chunk) {
            if !starred {
                out.push_str("*\n");
                starred = true;
            }
            continue;
        }
        starred = false;
        prev = Some(chunk);
        for f in &formats {
            let sep = if *f == Format::Canonical { "  " } else { " " };
            let _ = writeln!(out, "{}{sep}{}", offset(at), f.line(chunk));
        }
    }
    let _ = writeln!(out, "{}", offset(skip + data.len()));
    io.print(&out);
    status
}

const XXD_USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: xxd [-pri] [-g N] [-c N] [-n LEN] [-s OFS] [-o OFS] [FILE]

Hex dump FILE (or stdin)

\t-g N\t\tBytes per group
\t-c N\t\tBytes per line
\t-p\t\tShow only hex bytes, assumes -c30
\t-i\t\tC include file style
\t-l LENGTH\tShow only first LENGTH bytes
\t-s OFFSET\tSkip OFFSET bytes
\t-o OFFSET\tAdd OFFSET to displayed offset
\t-r\t\tReverse (with -p, assumes no offsets in input)
";

fn xxd(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let (mut plain, mut reverse, mut include) = (false, false, false);
    let (mut group, mut cols, mut length, mut skip, mut shown) = (None, None, None, 0usize, 0usize);
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a.len() > 1 && a.starts_with('-') {
            let mut chars = a[1..].chars();
            while let Some(c) = chars.next() {
                match c {
                    'p' => plain = true,
                    'r' => reverse = true,
                    'i' => include = true,
                    'g' | 'c' | 'l' | 'n' | 's' | 'o' => {
                        let rest: String = chars.by_ref().collect();
                        let value = if rest.is_empty() {
                            i += 1;
                            match argv.get(i) {
                                Some(v) => v.clone(),
                                None => {
                                    io.error(
                                        "xxd",
                                        &format!("option requires an argument -- '{c}'"),
                                    );
                                    io.eprint(XXD_USAGE);
                                    return 1;
                                }
                            }
                        } else {
                            rest
                        };
                        let Ok(n) = value.parse::<usize>() else {
                            io.error("xxd", &format!("invalid number '{value}'"));
                            return 1;
                        };
                        match c {
                            'g' => group = Some(n),
                            'c' => cols = Some(n.max(1)),
                            'l' | 'n' => length = Some(n),
                            's' => skip = n,
                            _ => shown = n,
                        }
                    }
                    other => {
                        io.error("xxd", &format!("invalid option -- '{other}'"));
                        io.eprint(XXD_USAGE);
                        return 1;
                    }
                }
            }
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let (data, status) = inputs(sh, io, "xxd", &files);
    if status != 0 {
        return status;
    }
    if reverse {
        io.out.extend(unhex(&data, plain));
        return 0;
    }
    let mut data = &data[skip.min(data.len())..];
    if let Some(n) = length {
        data = &data[..n.min(data.len())];
    }
    let mut out = String::new();
    if plain {
        for chunk in data.chunks(cols.unwrap_or(30)) {
            chunk.iter().for_each(|b| {
                let _ = write!(out, "{b:02x}");
            });
            out.push('\n');
        }
    } else if include {
        // A file's dump is a C array named after its path.
        let name = files.first().map(|f| {
            f.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        });
        if let Some(n) = &name {
            let _ = writeln!(out, "unsigned char {n}[] = {{");
        }
        for chunk in data.chunks(cols.unwrap_or(12)) {
            out.push_str("  ");
            let units: Vec<String> = chunk.iter().map(|b| format!("0x{b:02x}")).collect();
            out.push_str(&units.join(", "));
            out.push_str(",\n");
        }
        if let Some(n) = &name {
            let _ = writeln!(out, "}};\nunsigned int {n}_len = {};", data.len());
        }
    } else {
        let cols = cols.unwrap_or(16);
        let group = group.unwrap_or(2);
        let groups = if group == 0 { 1 } else { cols.div_ceil(group) };
        let width = 2 * cols + groups - 1;
        for (k, chunk) in data.chunks(cols).enumerate() {
            let mut hex = String::new();
            for (j, b) in chunk.iter().enumerate() {
                if j > 0 && group > 0 && j % group == 0 {
                    hex.push(' ');
                }
                let _ = write!(hex, "{b:02x}");
            }
            let text: String = chunk
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        char::from(b)
                    } else {
                        '.'
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "{:08x}: {hex:<width$}  {text}",
                shown + skip + k * cols
            );
        }
    }
    io.print(&out);
    0
}

/// `xxd -r`: hex digits back to bytes — all of them with `-p`, else those
/// between each line's `OFFSET:` and the two spaces before its text.
fn unhex(data: &[u8], plain: bool) -> Vec<u8> {
    let digits = |s: &[u8], out: &mut Vec<u8>| {
        let mut high: Option<u8> = None;
        for &c in s {
            let Some(d) = char::from(c).to_digit(16) else {
                continue;
            };
            let d = d as u8;
            match high.take() {
                Some(h) => out.push(h << 4 | d),
                None => high = Some(d),
            }
        }
    };
    let mut out = Vec::new();
    if plain {
        digits(data, &mut out);
        return out;
    }
    for line in data.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let rest = &line[colon + 1..];
        let end = rest
            .windows(2)
            .position(|w| w == b"  ")
            .unwrap_or(rest.len());
        digits(&rest[..end], &mut out);
    }
    out
}
