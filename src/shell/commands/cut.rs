//! busybox's cut: bytes (`-b`, and `-c`, which busybox also counts in
//! bytes), fields split at one delimiter byte (`-f -d`) or at a regex
//! (`-F`). Its lists are sorted by start (unless `-D`) and each list after
//! the first opens with the output delimiter even where the line has no
//! such field: `echo a:b | cut -d: -f1,3` prints `a:`.

use std::sync::Arc;

use super::regex::Regex;
use super::{inputs, Io, Opts, Registry};
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("cut", true, Arc::new(cut));
}

/// One list entry, zero-based and inclusive (`i64::MAX`: to the end).
type Span = (i64, i64);

enum Split {
    /// `-b`/`-c`.
    Bytes,
    /// `-f`: at this byte.
    Byte(u8),
    /// `-F`: at matches of this regex.
    Regex(Regex),
}

fn parse_list(spec: &str) -> Result<Vec<Span>, String> {
    let number = |s: &str| -> Result<i64, String> {
        s.parse::<u32>()
            .map(i64::from)
            .map_err(|_| format!("invalid number '{s}'"))
    };
    let mut out = Vec::new();
    for entry in spec.split(',').filter(|e| !e.is_empty()) {
        let (first, last) = match entry.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (entry, None),
        };
        // busybox reads position 0 as 1.
        let start = if first.is_empty() {
            0
        } else {
            (number(first)? - 1).max(0)
        };
        let end = match last {
            None => start,
            Some("") => i64::MAX,
            Some(b) => {
                let e = number(b)?;
                if e < start {
                    return Err(format!("{e}<{start}"));
                }
                e - 1
            }
        };
        out.push((start, end));
    }
    if out.is_empty() {
        return Err("missing list of positions".to_owned());
    }
    Ok(out)
}

fn cut(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "bcfdOF");
    let die = |io: &mut Io, msg: &str| {
        io.error("cut", msg);
        1
    };
    let (list, fields) = match (o.value('b').or(o.value('c')), o.value('f'), o.value('F')) {
        (Some(l), None, None) => (l, false),
        (None, Some(l), None) | (None, None, Some(l)) => (l, true),
        (None, None, None) => {
            return die(io, "expected a list of bytes, characters, or fields");
        }
        _ => {
            io.eprint(USAGE);
            return 1;
        }
    };
    if !fields && o.has('s') {
        return die(
            io,
            "suppressing non-delimited lines makes sense only when operating on fields",
        );
    }
    if !fields && o.value('d').is_some() {
        return die(
            io,
            "a delimiter may be specified only when operating on fields",
        );
    }
    let mut spans = match parse_list(list) {
        Ok(s) => s,
        Err(e) => return die(io, &e),
    };
    let unsorted = o.has('D');
    if !unsorted {
        spans.sort_by_key(|s| s.0);
    }
    let delim = o.value('d').filter(|d| !d.is_empty());
    let (split, odelim) = if !fields {
        (Split::Bytes, String::new())
    } else if o.value('F').is_some() {
        let pat = delim.unwrap_or("[[:space:]]+");
        match Regex::new(pat, true, false) {
            Ok(re) => (Split::Regex(re), o.value('O').unwrap_or(" ").to_owned()),
            Err(e) => return die(io, &format!("bad regex '{pat}': {e}")),
        }
    } else {
        let d = delim.unwrap_or("\t");
        (
            Split::Byte(d.as_bytes()[0]),
            o.value('O').unwrap_or(d).to_owned(),
        )
    };
    let cutter = Cutter {
        spans: &spans,
        split: &split,
        odelim: odelim.as_bytes(),
        suppress: o.has('s'),
        unsorted,
    };
    let (data, status) = inputs(sh, io, "cut", &o.operands);
    let mut out = Vec::new();
    for line in data.split_inclusive(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        if cutter.line(line, &mut out) {
            out.push(b'\n');
        }
    }
    io.out.extend_from_slice(&out);
    status
}

const USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: cut [OPTIONS] [FILE]...

Print selected fields from FILEs to stdout

\t-b LIST\tOutput only bytes from LIST
\t-c LIST\tOutput only characters from LIST
\t-d SEP\tField delimiter for input (default -f TAB, -F run of whitespace)
\t-O SEP\tField delimiter for output (default = -d for -f, one space for -F)
\t-D\tDon't sort/collate sections or match -fF lines without delimiter
\t-f LIST\tPrint only these fields (-d is single char)
\t-F LIST\tPrint only these fields (-d is regex)
\t-s\tOutput only lines containing delimiter
\t-n\tIgnored
";

struct Cutter<'a> {
    spans: &'a [Span],
    split: &'a Split,
    odelim: &'a [u8],
    suppress: bool,
    unsorted: bool,
}

impl Cutter<'_> {
    /// Appends what `line` gives; false when the line is dropped (`-s`).
    fn line(&self, line: &[u8], out: &mut Vec<u8>) -> bool {
        match self.split {
            Split::Bytes => {
                let mut printed = vec![false; line.len()];
                for &(start, end) in self.spans {
                    let stop = usize::try_from(end.saturating_add(1)).unwrap_or(0);
                    let start = usize::try_from(start).unwrap_or(0);
                    for p in start..line.len().min(stop) {
                        if !printed[p] {
                            printed[p] = true;
                            out.push(line[p]);
                        }
                    }
                }
                true
            }
            Split::Byte(_) | Split::Regex(_) => self.fields(line, out),
        }
    }

    /// The next regex delimiter at or after `from`: where it starts and ends.
    fn delimiter(&self, line: &[u8], from: usize) -> Option<(usize, usize)> {
        match self.split {
            Split::Regex(re) => {
                let text = String::from_utf8_lossy(line);
                let from_char = text.get(..from).map_or(0, |t| t.chars().count());
                let caps = re.find(&text, from_char)?;
                let (s, e) = caps.first().copied().flatten()?;
                let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
                // An empty match would never move on: take one byte more.
                let (s, e) = (byte(s), byte(e).max(byte(s) + 1));
                Some((s.min(line.len()), e.min(line.len())))
            }
            Split::Bytes | Split::Byte(_) => None,
        }
    }

    /// busybox 1.35's walk over a line's fields: `dcount` delimiters seen,
    /// the current list `cl`, the field being read `start..end`. A list
    /// past the line's last field still prints its delimiter, and a blank
    /// line is printed even with `-s`.
    fn fields(&self, line: &[u8], out: &mut Vec<u8>) -> bool {
        let regex = matches!(self.split, Split::Regex(_));
        let len = line.len();
        let (mut next, mut start, mut end, mut dcount) = (0usize, 0usize, 0usize, 0i64);
        let mut cl = 0;
        let mut printed = 0;
        loop {
            if end == len || dcount > self.spans[cl].1 {
                cl += 1;
                if cl >= self.spans.len() {
                    break;
                }
                if self.unsorted {
                    (start, dcount, next) = (0, 0, 0);
                }
                end = 0;
            }
            if next == len {
                if cl == 0 && dcount == 0 && !regex {
                    if self.suppress {
                        return false;
                    }
                } else if dcount < self.spans[cl].0 {
                    start = len;
                }
                end = len;
            } else {
                // A byte delimiter is looked for a byte at a time, each
                // step passing the range check above, as busybox does.
                if let Split::Byte(d) = self.split {
                    end = next;
                    next += 1;
                    if line[end] != *d {
                        continue;
                    }
                } else {
                    let Some((s, e)) = self.delimiter(line, next) else {
                        next = len;
                        continue;
                    };
                    end = s;
                    next = e;
                }
                dcount += 1;
                if dcount - 1 < self.spans[cl].0 {
                    start = next;
                    continue;
                }
            }
            if end != start || !regex {
                if printed > 0 {
                    out.extend_from_slice(self.odelim);
                }
                printed += 1;
                out.extend_from_slice(&line[start.min(end)..end]);
            }
            start = next;
            if dcount == 0 {
                break;
            }
        }
        true
    }
}
