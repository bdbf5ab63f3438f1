//! busybox's diff: unified output (its only format) with 3 lines of
//! context (`-U N`), `-q`, exit 0 same, 1 different, 2 trouble. Lines are
//! matched by a Myers shortest edit script; busybox's own algorithm can
//! pair lines differently where several shortest scripts exist.

use std::sync::Arc;

use super::{read_input, Io, Registry};
use crate::limits;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("diff", true, Arc::new(diff));
}

/// Steps one comparison may take (diagonals kept plus lines matched,
/// which grow with the files' lengths times the edits): far beyond any
/// pair of files a RUN compares.
const WORK: usize = 20_000_000;

#[derive(Clone, Copy, PartialEq)]
enum Edit {
    Same,
    Del,
    Add,
}

/// The shortest edit script turning `a` into `b`, or None past [`WORK`].
fn myers(a: &[&[u8]], b: &[&[u8]]) -> Option<Vec<Edit>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut work = 0usize;
    'outer: for d in 0..=max as isize {
        // Only diagonals -(d+1)..=d+1 can be read back for this round.
        let lo = (off - d - 1) as usize;
        trace.push(v[lo..=lo + 2 * (d as usize + 1)].to_vec());
        work = work.saturating_add(2 * d as usize + 3);
        if work > WORK {
            return None;
        }
        let mut k = -d;
        while k <= d {
            let idx = (k + off) as usize;
            let mut x = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) {
                v[idx + 1]
            } else {
                v[idx - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
                work += 1;
            }
            if work > WORK {
                return None;
            }
            v[idx] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }
    // Walk back through the saved rounds.
    let mut edits = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let at = |k: isize| v[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            edits.push(Edit::Same);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            edits.push(if x == prev_x { Edit::Add } else { Edit::Del });
        }
        x = prev_x;
        y = prev_y;
    }
    edits.reverse();
    Some(edits)
}

/// `start,count` as a unified hunk header writes a range.
fn range(start: usize, count: usize) -> String {
    match count {
        0 => format!("{},0", start.saturating_sub(1)),
        1 => start.to_string(),
        _ => format!("{start},{count}"),
    }
}

fn diff(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut quiet = false;
    let mut context = 3usize;
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        match a.as_str() {
            "-q" => quiet = true,
            "-u" | "-a" | "-N" => {}
            _ if a.starts_with("-U") => {
                let v = if a.len() > 2 {
                    a[2..].to_owned()
                } else {
                    i += 1;
                    argv.get(i).cloned().unwrap_or_default()
                };
                match v.parse() {
                    Ok(n) => context = n,
                    Err(_) => {
                        io.error("diff", &format!("invalid number '{v}'"));
                        return 2;
                    }
                }
            }
            _ => files.push(a.clone()),
        }
        i += 1;
    }
    let [fa, fb] = files.as_slice() else {
        io.eprint("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: diff [-abBdiNqrTstw] [-L LABEL] [-S FILE] [-U LINES] FILE1 FILE2\n");
        return 2;
    };
    let read = |f: &str, io: &mut Io| -> Option<Vec<u8>> {
        if f != "-" && sh.fs().stat(&sh.abs(f)).is_err() {
            io.error(
                "diff",
                &format!("can't stat '{f}': No such file or directory"),
            );
            return None;
        }
        read_input(sh, io, f).ok()
    };
    let (Some(x), Some(y)) = (read(fa, io), read(fb, io)) else {
        return 2;
    };
    if x == y {
        return 0;
    }
    if quiet {
        io.print(&format!("Files {fa} and {fb} differ\n"));
        return 1;
    }
    let a: Vec<&[u8]> = x.split_inclusive(|c| *c == b'\n').collect();
    let b: Vec<&[u8]> = y.split_inclusive(|c| *c == b'\n').collect();
    let Some(edits) = myers(&a, &b) else {
        io.error(
            "diff",
            &limits::exceeded("comparing these files", format_args!("{WORK} steps")),
        );
        return 2;
    };
    let mut out = Vec::new();
    out.extend_from_slice(format!("--- {fa}\n+++ {fb}\n").as_bytes());
    // Positions of each edit in both files.
    let mut pos = Vec::with_capacity(edits.len());
    let (mut ia, mut ib) = (0usize, 0usize);
    for e in &edits {
        pos.push((ia, ib));
        match e {
            Edit::Same => {
                ia += 1;
                ib += 1;
            }
            Edit::Del => ia += 1,
            Edit::Add => ib += 1,
        }
    }
    let changed: Vec<usize> = (0..edits.len())
        .filter(|&k| edits[k] != Edit::Same)
        .collect();
    let mut h = 0;
    while h < changed.len() {
        // A hunk runs while the unchanged stretch between changes is at
        // most twice the context.
        let mut end = h;
        while end + 1 < changed.len() && changed[end + 1] - changed[end] - 1 <= 2 * context {
            end += 1;
        }
        let lo = changed[h].saturating_sub(context);
        let hi = (changed[end] + context + 1).min(edits.len());
        let (sa, sb) = pos[lo];
        let (ca, cb) = edits[lo..hi].iter().fold((0, 0), |(ca, cb), e| match e {
            Edit::Same => (ca + 1, cb + 1),
            Edit::Del => (ca + 1, cb),
            Edit::Add => (ca, cb + 1),
        });
        out.extend_from_slice(
            format!("@@ -{} +{} @@\n", range(sa + 1, ca), range(sb + 1, cb)).as_bytes(),
        );
        for k in lo..hi {
            let (pa, pb) = pos[k];
            let (mark, line) = match edits[k] {
                Edit::Same => (b' ', a[pa]),
                Edit::Del => (b'-', a[pa]),
                Edit::Add => (b'+', b[pb]),
            };
            out.push(mark);
            out.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                out.extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        }
        h = end + 1;
    }
    io.out.extend_from_slice(&out);
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_with_nothing_in_common_stop_at_the_work_bound() {
        let a: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("a{i}\n").into_bytes())
            .collect();
        let b: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("b{i}\n").into_bytes())
            .collect();
        let a: Vec<&[u8]> = a.iter().map(Vec::as_slice).collect();
        let b: Vec<&[u8]> = b.iter().map(Vec::as_slice).collect();
        assert!(myers(&a, &b).is_none());
        let small = myers(&a[..3], &b[..2]).unwrap();
        assert_eq!(small.iter().filter(|e| **e == Edit::Del).count(), 3);
        assert_eq!(small.iter().filter(|e| **e == Edit::Add).count(), 2);
    }
}
