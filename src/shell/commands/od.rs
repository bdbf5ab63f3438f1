//! busybox `od` (1.35, the GNU-compatible one): `-t` types (`a`-less:
//! `c`, and `d`/`o`/`u`/`x` with sizes 1, 2, 4, 8), the short forms `-b -c
//! -d -o -x`, `-A d|o|x|n`, `-j`, `-N`, `-v`, `-w`. Each line shows the same
//! bytes once per type, later types under a blank address; a run of lines
//! like the one before prints as one `*`; a last short word is padded with
//! zero bytes. Widths and address forms were compared with the real busybox
//! byte for byte.

use std::sync::Arc;

use super::{inputs, Io, Registry};
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("od", true, Arc::new(od));
}

const USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n\
Usage: od [-abcdfhilovxs] [-t TYPE] [-A RADIX] [-N SIZE] [-j SKIP] [-S MINSTR] [-w WIDTH] [FILE]...\n\n\
Print FILEs (or stdin) unambiguously, as octal bytes by default\n";

/// Where a dump stops growing (16 MiB).
const OUTPUT_BOUND: usize = 16 * crate::limits::VALUE_BYTES;

/// One output type: how many bytes a field takes and how it is printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Char,
    Signed,
    Octal,
    Unsigned,
    Hex,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Type {
    kind: Kind,
    size: usize,
}

/// `-t` type strings: `c`, or `d`/`o`/`u`/`x` with an optional size
/// (`C` 1, `S` 2, `I` 4, `L` 8, or digits; int is 4 bytes).
fn parse_types(spec: &str, out: &mut Vec<Type>) -> Result<(), String> {
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        let kind = match c {
            'c' => {
                out.push(Type {
                    kind: Kind::Char,
                    size: 1,
                });
                continue;
            }
            'd' => Kind::Signed,
            'o' => Kind::Octal,
            'u' => Kind::Unsigned,
            'x' => Kind::Hex,
            other => {
                return Err(format!(
                    "invalid character '{other}' in type string '{spec}'"
                ))
            }
        };
        let size = match chars.peek() {
            Some('C') => 1,
            Some('S') => 2,
            Some('I') => 4,
            Some('L') => 8,
            Some(d) if d.is_ascii_digit() => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                match n.parse::<usize>() {
                    Ok(s @ (1 | 2 | 4 | 8)) => {
                        out.push(Type { kind, size: s });
                        continue;
                    }
                    _ => {
                        return Err(format!(
                            "invalid type string '{spec}'; {n}-byte {} type is not supported",
                            kind_name(kind)
                        ))
                    }
                }
            }
            _ => {
                out.push(Type { kind, size: 4 });
                continue;
            }
        };
        chars.next();
        out.push(Type { kind, size });
    }
    Ok(())
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Signed | Kind::Unsigned | Kind::Octal | Kind::Hex => "integral",
        Kind::Char => "char",
    }
}

/// A field as busybox prints it: a space, then the value right-aligned to
/// the widest value of its type.
fn field(t: Type, bytes: &[u8], out: &mut String) {
    if t.kind == Kind::Char {
        let b = bytes[0];
        let text = match b {
            0 => "\\0".to_string(),
            7 => "\\a".to_string(),
            8 => "\\b".to_string(),
            9 => "\\t".to_string(),
            10 => "\\n".to_string(),
            11 => "\\v".to_string(),
            12 => "\\f".to_string(),
            13 => "\\r".to_string(),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("{b:03o}"),
        };
        out.push_str(&format!("{text:>4}"));
        return;
    }
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    let v = u64::from_le_bytes(word);
    let bits = t.size * 8;
    let signed = if bits == 64 {
        v as i64
    } else {
        ((v << (64 - bits)) as i64) >> (64 - bits)
    };
    let text = match (t.kind, t.size) {
        (Kind::Octal, 1) => format!(" {v:03o}"),
        (Kind::Octal, 2) => format!(" {v:06o}"),
        (Kind::Octal, 4) => format!(" {v:011o}"),
        (Kind::Octal, _) => format!(" {v:022o}"),
        (Kind::Hex, n) => format!(" {v:0w$x}", w = n * 2),
        (Kind::Unsigned, 1) => format!(" {v:3}"),
        (Kind::Unsigned, 2) => format!(" {v:5}"),
        (Kind::Unsigned, 4) => format!(" {v:10}"),
        (Kind::Unsigned, _) => format!(" {v:20}"),
        (Kind::Signed, 1) => format!(" {signed:4}"),
        (Kind::Signed, 2) => format!(" {signed:6}"),
        (Kind::Signed, 4) => format!(" {signed:11}"),
        (Kind::Signed, _) => format!(" {signed:20}"),
        (Kind::Char, _) => String::new(),
    };
    out.push_str(&text);
}

#[derive(Clone, Copy)]
enum Radix {
    Octal,
    Decimal,
    Hex,
    None,
}

fn address(radix: Radix, at: u64) -> String {
    match radix {
        Radix::Octal => format!("{at:07o}"),
        Radix::Decimal => format!("{at:07}"),
        Radix::Hex => format!("{at:06x}"),
        Radix::None => String::new(),
    }
}

/// `-N 16`, `-j 0x10`, `-j 1k`: a count with busybox's suffixes.
fn parse_count(s: &str) -> Option<u64> {
    let (digits, mult) = match s.as_bytes().last() {
        Some(b'b') => (&s[..s.len() - 1], 512),
        Some(b'k') => (&s[..s.len() - 1], 1024),
        Some(b'm') => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let n = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(h, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    n.checked_mul(mult)
}

fn od(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut types = Vec::new();
    let mut radix = Radix::Octal;
    let mut skip = 0u64;
    let mut limit: Option<u64> = None;
    let mut verbose = false;
    let mut width = 16usize;
    let mut files = Vec::new();
    let mut args = argv[1..].iter();
    let bad = |io: &mut Io, msg: &str| {
        io.error("od", msg);
        1
    };
    while let Some(a) = args.next() {
        if a == "--" {
            files.extend(args.by_ref().cloned());
            break;
        }
        if !a.starts_with('-') || a == "-" {
            files.push(a.clone());
            continue;
        }
        for (i, c) in a[1..].char_indices() {
            let takes = matches!(c, 't' | 'A' | 'N' | 'j' | 'w' | 'S');
            let value = if takes {
                let rest = &a[1 + i + 1..];
                let v = if rest.is_empty() {
                    match args.next() {
                        Some(v) => v.clone(),
                        None => {
                            io.eprint(&format!(
                                "od: option requires an argument -- '{c}'\n{USAGE}"
                            ));
                            return 1;
                        }
                    }
                } else {
                    rest.to_string()
                };
                Some(v)
            } else {
                None
            };
            match (c, value) {
                ('t', Some(v)) => {
                    if let Err(m) = parse_types(&v, &mut types) {
                        return bad(io, &m);
                    }
                }
                ('A', Some(v)) => {
                    radix = match v.as_str() {
                        "o" => Radix::Octal,
                        "d" => Radix::Decimal,
                        "x" => Radix::Hex,
                        "n" => Radix::None,
                        _ => {
                            return bad(
                                io,
                                &format!("bad output address radix '{v}': use one of doxn"),
                            )
                        }
                    }
                }
                ('N', Some(v)) | ('j', Some(v)) => match parse_count(&v) {
                    Some(n) if c == 'N' => limit = Some(n),
                    Some(n) => skip = n,
                    None => return bad(io, &format!("invalid number '{v}'")),
                },
                ('w', Some(v)) => match v.parse::<usize>() {
                    Ok(n) if n > 0 => width = n,
                    _ => return bad(io, &format!("invalid number '{v}'")),
                },
                ('S', Some(_)) => {
                    return bad(io, "-S is not simulated");
                }
                ('b', _) => types.push(Type {
                    kind: Kind::Octal,
                    size: 1,
                }),
                ('c', _) => types.push(Type {
                    kind: Kind::Char,
                    size: 1,
                }),
                ('d', _) => types.push(Type {
                    kind: Kind::Unsigned,
                    size: 2,
                }),
                ('o', _) => types.push(Type {
                    kind: Kind::Octal,
                    size: 2,
                }),
                ('x', _) => types.push(Type {
                    kind: Kind::Hex,
                    size: 2,
                }),
                ('v', _) => verbose = true,
                _ => {
                    io.eprint(&format!("od: invalid option -- '{c}'\n{USAGE}"));
                    return 1;
                }
            }
            if takes {
                break;
            }
        }
    }
    if types.is_empty() {
        types.push(Type {
            kind: Kind::Octal,
            size: 2,
        });
    }
    let (data, status) = inputs(sh, io, "od", &files);
    if status != 0 && data.is_empty() && !files.is_empty() {
        return status;
    }
    let start = usize::try_from(skip).unwrap_or(usize::MAX).min(data.len());
    let end = match limit {
        Some(n) => start
            .saturating_add(usize::try_from(n).unwrap_or(usize::MAX))
            .min(data.len()),
        None => data.len(),
    };
    let bytes = &data[start..end];
    let blank = " ".repeat(address(radix, 0).len());
    let mut out = String::new();
    let mut previous: Option<&[u8]> = None;
    let mut starred = false;
    for (n, line) in bytes.chunks(width).enumerate() {
        let at = skip + (n * width) as u64;
        if !verbose && line.len() == width && previous == Some(line) {
            if !starred {
                out.push_str("*\n");
                starred = true;
            }
            continue;
        }
        starred = false;
        previous = Some(line);
        for (i, t) in types.iter().enumerate() {
            out.push_str(&if i == 0 {
                address(radix, at)
            } else {
                blank.clone()
            });
            for chunk in line.chunks(t.size) {
                field(*t, chunk, &mut out);
            }
            out.push('\n');
        }
        // Input is bounded, but `-t` may repeat types without end: the
        // dump stops at a bound no real dump of a simulated file reaches.
        if out.len() > OUTPUT_BOUND {
            break;
        }
    }
    if !matches!(radix, Radix::None) {
        out.push_str(&address(radix, skip + bytes.len() as u64));
        out.push('\n');
    }
    io.print(&out);
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: Type, bytes: &[u8]) -> String {
        let mut s = String::new();
        for c in bytes.chunks(t.size) {
            field(t, c, &mut s);
        }
        s
    }

    /// Expected texts are busybox 1.35's output for the same bytes.
    #[test]
    fn fields_have_busyboxs_widths() {
        let b = b"hello\nworld\x01\xff";
        let t = |kind, size| Type { kind, size };
        assert_eq!(
            line(t(Kind::Octal, 2), b),
            " 062550 066154 005157 067567 066162 000544 000377"
        );
        assert_eq!(
            line(t(Kind::Char, 1), b),
            "   h   e   l   l   o  \\n   w   o   r   l   d 001 377"
        );
        assert_eq!(
            line(t(Kind::Hex, 2), b),
            " 6568 6c6c 0a6f 6f77 6c72 0164 00ff"
        );
        assert_eq!(
            line(t(Kind::Signed, 2), b),
            "  25960  27756   2671  28535  27762    356    255"
        );
        assert_eq!(line(t(Kind::Unsigned, 1), &b[..3]), " 104 101 108");
        assert_eq!(
            line(t(Kind::Hex, 4), b),
            " 6c6c6568 6f770a6f 01646c72 000000ff"
        );
        assert_eq!(
            line(t(Kind::Unsigned, 4), &b[..8]),
            " 1819043176 1870072431"
        );
    }

    #[test]
    fn type_strings_and_counts() {
        let mut v = Vec::new();
        parse_types("x1u2dc", &mut v).unwrap();
        assert_eq!(
            v.iter().map(|t| (t.kind, t.size)).collect::<Vec<_>>(),
            [
                (Kind::Hex, 1),
                (Kind::Unsigned, 2),
                (Kind::Signed, 4),
                (Kind::Char, 1)
            ]
        );
        assert_eq!(
            parse_types("q", &mut v).unwrap_err(),
            "invalid character 'q' in type string 'q'"
        );
        assert_eq!(parse_count("0x10"), Some(16));
        assert_eq!(parse_count("1k"), Some(1024));
        assert_eq!(parse_count("010"), Some(8));
    }
}
