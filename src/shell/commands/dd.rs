//! busybox's dd: blocks of `ibs` read from `if=` (or stdin), written in
//! blocks of `obs` to `of=` (or stdout), and the two record counts on
//! stderr — Debian's build prints no bytes-and-rate line.

use std::sync::Arc;

use super::{read_input, Io, Registry};
use crate::filesystem::blob::Blob;
use crate::limits;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("dd", true, Arc::new(dd));
}

const USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: dd [if=FILE] [of=FILE] [ibs=N obs=N/bs=N] [count=N] [skip=N] [seek=N]
\t[conv=notrunc|noerror|sync|fsync]
\t[iflag=skip_bytes|count_bytes|fullblock|direct] [oflag=seek_bytes|append|direct]

Copy a file with converting and formatting

\tif=FILE\t\tRead from FILE instead of stdin
\tof=FILE\t\tWrite to FILE instead of stdout
\tbs=N\t\tRead and write N bytes at a time
\tibs=N\t\tRead N bytes at a time
\tobs=N\t\tWrite N bytes at a time
\tcount=N\t\tCopy only N input blocks
\tskip=N\t\tSkip N input blocks
\tseek=N\t\tSkip N output blocks
\tconv=notrunc\tDon't truncate output file
\tconv=noerror\tContinue after read errors
\tconv=sync\tPad blocks with zeros
\tconv=fsync\tPhysically write data out before finishing
\tconv=swab\tSwap every pair of bytes
\tiflag=skip_bytes\tskip=N is in bytes
\tiflag=count_bytes\tcount=N is in bytes
\toflag=seek_bytes\tseek=N is in bytes
\tiflag=direct\tO_DIRECT input
\toflag=direct\tO_DIRECT output
\tiflag=fullblock\tRead full blocks
\toflag=append\tOpen output in append mode
\tstatus=noxfer\tSuppress rate output
\tstatus=none\tSuppress all output

N may be suffixed by c (1), w (2), b (512), kB (1000), k (1024), MB, M, GB, G
";

/// A size with dd's suffixes: busybox's, and c (1), w (2), b (512).
fn size(s: &str) -> Option<u64> {
    const BLOCKS: [(&str, u64); 3] = [("c", 1), ("w", 2), ("b", 512)];
    super::suffixed_size(s, &super::SIZE_SUFFIXES).or_else(|| super::suffixed_size(s, &BLOCKS))
}

#[derive(Default)]
struct Flags {
    notrunc: bool,
    sync: bool,
    swab: bool,
    skip_bytes: bool,
    count_bytes: bool,
    seek_bytes: bool,
    append: bool,
}

fn dd(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let (mut input, mut output) = (None, None);
    let (mut ibs, mut obs) = (512u64, 512u64);
    let (mut count, mut skip, mut seek) = (None, 0u64, 0u64);
    let mut flags = Flags::default();
    let mut quiet = false;
    for a in &argv[1..] {
        let Some((key, value)) = a.split_once('=') else {
            io.eprint(USAGE);
            return 1;
        };
        let num = |io: &mut Io| match size(value) {
            Some(n) => Ok(n),
            None => {
                io.error("dd", &format!("invalid number '{value}'"));
                Err(1)
            }
        };
        let r = match key {
            "if" => {
                input = Some(value.to_owned());
                Ok(())
            }
            "of" => {
                output = Some(value.to_owned());
                Ok(())
            }
            "bs" => num(io).map(|n| (ibs, obs) = (n, n)),
            "ibs" => num(io).map(|n| ibs = n),
            "obs" => num(io).map(|n| obs = n),
            "count" => num(io).map(|n| count = Some(n)),
            "skip" => num(io).map(|n| skip = n),
            "seek" => num(io).map(|n| seek = n),
            "conv" | "iflag" | "oflag" => value.split(',').try_for_each(|v| {
                match (key, v) {
                    ("conv", "notrunc") => flags.notrunc = true,
                    ("conv", "sync") => flags.sync = true,
                    ("conv", "swab") => flags.swab = true,
                    ("conv", "noerror" | "fsync") => {}
                    ("iflag", "skip_bytes") => flags.skip_bytes = true,
                    ("iflag", "count_bytes") => flags.count_bytes = true,
                    ("iflag", "fullblock" | "direct") => {}
                    ("oflag", "seek_bytes") => flags.seek_bytes = true,
                    ("oflag", "append") => flags.append = true,
                    ("oflag", "direct") => {}
                    _ => {
                        io.error("dd", &format!("invalid argument '{v}' to '{key}'"));
                        return Err(1);
                    }
                }
                Ok(())
            }),
            "status" => match value {
                "none" => {
                    quiet = true;
                    Ok(())
                }
                "noxfer" => Ok(()),
                _ => {
                    io.error("dd", &format!("invalid argument '{value}' to 'status'"));
                    Err(1)
                }
            },
            _ => {
                io.eprint(USAGE);
                Err(1)
            }
        };
        if let Err(code) = r {
            return code;
        }
    }
    if ibs == 0 || obs == 0 {
        io.error("dd", "number 0 is not in 1..9223372036854775807 range");
        return 1;
    }
    let max = sh.limits().max_bytes as u64;
    let skip_at = if flags.skip_bytes {
        skip
    } else {
        skip.saturating_mul(ibs)
    };
    let limit = count.map(|c| {
        if flags.count_bytes {
            c
        } else {
            c.saturating_mul(ibs)
        }
    });
    let data = match input.as_deref() {
        Some("/dev/zero") => {
            // Endless: only count= ends it.
            let Some(n) = limit else {
                io.error(
                    "dd",
                    &limits::exceeded(
                        "reading /dev/zero without count=",
                        format_args!("{max} bytes"),
                    ),
                );
                return 1;
            };
            if n > max {
                io.error(
                    "dd",
                    &limits::exceeded("the data copied", format_args!("{max} bytes")),
                );
                return 1;
            }
            vec![
                0;
                usize::try_from(n.saturating_add(skip_at))
                    .unwrap_or(0)
                    .min(max as usize)
            ]
        }
        Some(f) => match read_input(sh, io, f) {
            Ok(d) => d,
            Err(e) => {
                io.error("dd", &format!("can't open '{f}': {}", e.strerror()));
                return 1;
            }
        },
        None => io.stdin().to_vec(),
    };
    let from = usize::try_from(skip_at)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let mut rest = &data[from..];
    if let Some(n) = limit {
        rest = &rest[..usize::try_from(n).unwrap_or(usize::MAX).min(rest.len())];
    }
    // Input records: whole `ibs` blocks and the short one at the end.
    let ibs_n = usize::try_from(ibs).unwrap_or(usize::MAX);
    let (full_in, part_in) = (rest.len() / ibs_n, usize::from(rest.len() % ibs_n != 0));
    let mut copied = Vec::with_capacity(rest.len());
    for block in rest.chunks(ibs_n) {
        copied.extend_from_slice(block);
        if flags.sync && block.len() < ibs_n {
            copied.resize(copied.len() + ibs_n - block.len(), 0);
        }
    }
    if flags.swab {
        for pair in copied.chunks_exact_mut(2) {
            pair.swap(0, 1);
        }
    }
    // With one block size each block read is written as it came.
    let (full_out, part_out) = if ibs == obs {
        (
            full_in + usize::from(flags.sync) * part_in,
            usize::from(!flags.sync) * part_in,
        )
    } else {
        let obs_n = usize::try_from(obs).unwrap_or(usize::MAX);
        (copied.len() / obs_n, usize::from(copied.len() % obs_n != 0))
    };
    let status = match output.as_deref() {
        None => {
            io.out.extend_from_slice(&copied);
            0
        }
        Some("/dev/null") => 0,
        Some(f) => write_out(
            sh,
            io,
            f,
            &copied,
            &flags,
            if flags.seek_bytes {
                seek
            } else {
                seek.saturating_mul(obs)
            },
        ),
    };
    if status == 0 && !quiet {
        io.eprint(&format!(
            "{full_in}+{part_in} records in\n{full_out}+{part_out} records out\n"
        ));
    }
    status
}

/// Writes `data` at `offset` of `f`, truncating after it unless
/// `conv=notrunc` (the gap before `offset` reads as zeros).
fn write_out(sh: &mut Shell, io: &mut Io, f: &str, data: &[u8], flags: &Flags, offset: u64) -> i32 {
    let abs = sh.abs(f);
    let old = match sh.fs().stat(&abs) {
        Ok(n) if n.is_dir() => {
            io.error("dd", &format!("can't open '{f}': Is a directory"));
            return 1;
        }
        Ok(_) => read_input(sh, io, f).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let mut buf = old;
    // `oflag=append` still empties the file first unless `conv=notrunc`.
    if flags.append && !flags.notrunc {
        buf.clear();
    }
    let at = if flags.append {
        buf.len()
    } else {
        usize::try_from(offset).unwrap_or(usize::MAX)
    };
    if at.saturating_add(data.len()) > sh.limits().max_bytes {
        io.error(
            "dd",
            &limits::exceeded(
                "the output file",
                format_args!("{} bytes", sh.limits().max_bytes),
            ),
        );
        return 1;
    }
    if !flags.notrunc && !flags.append {
        buf.truncate(at);
    }
    if buf.len() < at {
        buf.resize(at, 0);
    }
    let end = at + data.len();
    if buf.len() < end {
        buf.resize(end, 0);
    }
    buf[at..end].copy_from_slice(data);
    let (mode, uid, gid) = match sh.fs().stat(&abs) {
        Ok(n) => (n.mode & 0o7777, n.uid, n.gid),
        Err(_) => (0o666 & !sh.umask(), sh.user().uid, sh.user().gid),
    };
    match sh
        .fs_mut()
        .write_file(&abs, Blob::from_bytes(buf), mode, uid, gid)
    {
        Ok(_) => 0,
        Err(e) => {
            io.error("dd", &format!("can't open '{f}': {}", e.strerror()));
            1
        }
    }
}
