//! gzip, gunzip and zcat, and the gzip format `tar z` reads.
//!
//! Deflate comes from flate2 (miniz_oxide), not from busybox's own
//! encoder (gzip 1.2.4's), so compressed bytes differ from busybox's for
//! all but the tiniest inputs: a layer holding a `.gz` a RUN made has the
//! right content once unpacked but not busybox's bytes, so its size and
//! digest differ from the real engine's. Decompression, `-t`, and every
//! round trip are exact. The header is busybox's: no name, mtime 0,
//! XFL 0, OS 3 (Unix).

use std::sync::Arc;

use flate2::{Compression, Crc, Decompress, FlushDecompress, Status};

use super::{read_input, Io, Registry};
use crate::filesystem::blob::Blob;
use crate::limits;
use crate::shell::interp::{base_name, Shell};

pub(super) fn register(r: &mut Registry) {
    r.register("gzip", true, Arc::new(gzip));
    r.register("gunzip", true, Arc::new(gzip));
    r.register("zcat", true, Arc::new(gzip));
}

/// `data` as one gzip member, as busybox's gzip writes it.
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    let mut enc = flate2::write::DeflateEncoder::new(out, Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = std::io::Write::write_all(&mut enc, data);
    out = enc.finish().unwrap_or_default();
    let mut crc = Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Why a gzip stream could not be read, in busybox's words.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GzError {
    Magic,
    Corrupt,
    Truncated,
    Crc,
    Length,
    TooBig(String),
}

impl GzError {
    pub(crate) fn message(&self) -> String {
        match self {
            GzError::Magic => "invalid magic".to_owned(),
            GzError::Corrupt => "corrupted data".to_owned(),
            GzError::Truncated => "unexpected end of file".to_owned(),
            GzError::Crc => "crc error".to_owned(),
            GzError::Length => "incorrect length".to_owned(),
            GzError::TooBig(m) => m.clone(),
        }
    }
}

/// Every member of a gzip stream, inflated, at most `max` bytes.
pub(crate) fn decompress(data: &[u8], max: usize) -> Result<Vec<u8>, GzError> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let rest = &data[pos..];
        if rest.len() < 2 || rest[..2] != [0x1f, 0x8b] {
            if pos == 0 {
                return Err(GzError::Magic);
            }
            // What follows the last member is ignored, as busybox does.
            return Ok(out);
        }
        let start = out.len();
        pos += member(rest, &mut out, max)?;
        let mut crc = Crc::new();
        crc.update(&out[start..]);
        let trailer = data.get(pos..pos + 8).ok_or(GzError::Truncated)?;
        let word = |i: usize| {
            u32::from_le_bytes([trailer[i], trailer[i + 1], trailer[i + 2], trailer[i + 3]])
        };
        if word(0) != crc.sum() {
            return Err(GzError::Crc);
        }
        if word(4) != (out.len() - start) as u32 {
            return Err(GzError::Length);
        }
        pos += 8;
    }
}

/// Inflates one member's body into `out`; returns the bytes read up to
/// its trailer.
fn member(m: &[u8], out: &mut Vec<u8>, max: usize) -> Result<usize, GzError> {
    let header = m.get(..10).ok_or(GzError::Corrupt)?;
    if header[2] != 8 {
        return Err(GzError::Corrupt);
    }
    let flags = header[3];
    let mut pos = 10;
    if flags & 4 != 0 {
        let len = m.get(pos..pos + 2).ok_or(GzError::Corrupt)?;
        pos += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            let end = m.get(pos..).and_then(|r| r.iter().position(|b| *b == 0));
            pos += end.ok_or(GzError::Corrupt)? + 1;
        }
    }
    if flags & 2 != 0 {
        pos += 2;
    }
    let body = m.get(pos..).ok_or(GzError::Corrupt)?;
    let mut inflate = Decompress::new(false);
    loop {
        if out.len() >= max {
            return Err(GzError::TooBig(limits::exceeded(
                "the uncompressed data",
                format_args!("{max} bytes"),
            )));
        }
        out.reserve((max - out.len()).min(1 << 16));
        let read = usize::try_from(inflate.total_in()).unwrap_or(usize::MAX);
        let before = out.len();
        let status = inflate
            .decompress_vec(&body[read.min(body.len())..], out, FlushDecompress::None)
            .map_err(|_| GzError::Corrupt)?;
        match status {
            Status::StreamEnd => {
                return Ok(pos + usize::try_from(inflate.total_in()).unwrap_or(0));
            }
            _ if out.len() == before
                && usize::try_from(inflate.total_in()).unwrap_or(0) >= body.len() =>
            {
                return Err(GzError::Truncated);
            }
            _ => {}
        }
    }
}

const GZIP_USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: gzip [-cfkdt] [FILE]...

Compress FILEs (or stdin)

\t-d\tDecompress
\t-c\tWrite to stdout
\t-f\tForce
\t-k\tKeep input files
\t-t\tTest integrity
";

fn gzip(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let applet = base_name(&argv[0]).to_owned();
    let (mut to_stdout, mut decompressing, mut force, mut keep, mut test) =
        (applet == "zcat", applet != "gzip", false, false, false);
    let mut files = Vec::new();
    let mut options = true;
    for a in &argv[1..] {
        if options && a == "--" {
            options = false;
        } else if options && a.len() > 1 && a.starts_with('-') {
            for c in a[1..].chars() {
                match c {
                    'c' => to_stdout = true,
                    'd' => decompressing = true,
                    'f' => force = true,
                    'k' => keep = true,
                    't' => test = true,
                    'n' | 'q' | 'v' | '1'..='9' => {}
                    _ => {
                        io.error(&applet, &format!("invalid option -- '{c}'"));
                        if applet == "gzip" {
                            io.eprint(GZIP_USAGE);
                        }
                        return 1;
                    }
                }
            }
        } else {
            files.push(a.clone());
        }
    }
    let max = sh.limits().max_bytes;
    let job = Job {
        applet: &applet,
        decompressing,
        test,
        max,
    };
    if files.is_empty() || files == ["-"] {
        let data = io.stdin().to_vec();
        return match job.convert(&data) {
            Ok(out) => {
                if !test {
                    io.out.extend_from_slice(&out);
                }
                0
            }
            Err(e) => {
                io.error(&applet, &e);
                1
            }
        };
    }
    let mut status = 0;
    for f in &files {
        let r = if to_stdout || test {
            job.to_stdout(sh, io, f)
        } else {
            job.in_place(sh, io, f, force, keep)
        };
        if r != 0 {
            status = r;
        }
    }
    status
}

struct Job<'a> {
    applet: &'a str,
    decompressing: bool,
    test: bool,
    max: usize,
}

impl Job<'_> {
    fn convert(&self, data: &[u8]) -> Result<Vec<u8>, String> {
        if self.decompressing || self.test {
            decompress(data, self.max).map_err(|e| e.message())
        } else {
            Ok(compress(data))
        }
    }

    fn read(&self, sh: &Shell, io: &mut Io, f: &str) -> Option<Vec<u8>> {
        match read_input(sh, io, f) {
            Ok(d) => Some(d),
            Err(e) => {
                io.error(self.applet, &format!("{f}: {}", e.strerror()));
                None
            }
        }
    }

    fn to_stdout(&self, sh: &Shell, io: &mut Io, f: &str) -> i32 {
        let Some(data) = self.read(sh, io, f) else {
            return 1;
        };
        if self.applet == "zcat" && data.get(..2) != Some(&[0x1f, 0x8b]) {
            io.error(self.applet, "no gzip/bzip2/xz magic");
            return 1;
        }
        match self.convert(&data) {
            Ok(out) => {
                if !self.test {
                    io.out.extend_from_slice(&out);
                }
                0
            }
            Err(e) => {
                io.error(self.applet, &e);
                1
            }
        }
    }

    /// `gzip F` writes `F.gz` and removes `F`; `gunzip F.gz` the reverse.
    fn in_place(&self, sh: &mut Shell, io: &mut Io, f: &str, force: bool, keep: bool) -> i32 {
        let target = if self.decompressing {
            if let Some(stem) = f.strip_suffix(".gz") {
                stem.to_owned()
            } else if let Some(stem) = f.strip_suffix(".tgz") {
                format!("{stem}.tar")
            } else {
                io.error(self.applet, &format!("{f}: unknown suffix - ignored"));
                return 1;
            }
        } else {
            format!("{f}.gz")
        };
        let abs = sh.abs(f);
        let is_dir = sh.fs().stat(&abs).is_ok_and(|n| n.is_dir());
        let mode = sh.fs().stat(&abs).map(|n| n.mode & 0o7777);
        let data = if is_dir {
            Vec::new()
        } else {
            match self.read(sh, io, f) {
                Some(d) => d,
                None => return 1,
            }
        };
        let out_abs = sh.abs(&target);
        if !force && sh.fs().lstat(&out_abs).is_ok() {
            io.error(self.applet, &format!("can't open '{target}': File exists"));
            return 1;
        }
        let out = match self.convert(&data) {
            Ok(o) => o,
            Err(e) => {
                io.error(self.applet, &e);
                return 1;
            }
        };
        let (uid, gid) = (sh.user().uid, sh.user().gid);
        let mode = mode.unwrap_or(0o644);
        if sh.fs().lstat(&out_abs).is_ok() {
            let _ = sh.fs_mut().remove(&out_abs);
        }
        if let Err(e) = sh
            .fs_mut()
            .write_file(&out_abs, Blob::from_bytes(out), mode, uid, gid)
        {
            io.error(
                self.applet,
                &format!("can't open '{target}': {}", e.strerror()),
            );
            return 1;
        }
        if is_dir {
            io.error(
                self.applet,
                &format!("can't remove file '{f}': Is a directory"),
            );
            return 1;
        }
        if !keep {
            if let Err(e) = sh.fs_mut().remove(&abs) {
                io.error(
                    self.applet,
                    &format!("can't remove file '{f}': {}", e.strerror()),
                );
                return 1;
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_round_trips_and_matches_busybox_for_a_short_line() {
        // `echo hello | busybox gzip`, byte for byte.
        let busybox = [
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 2, 0, 0x20,
            0x30, 0x3a, 0x36, 6, 0, 0, 0,
        ];
        assert_eq!(compress(b"hello\n"), busybox);
        let big: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(decompress(&compress(&big), 1 << 20).unwrap(), big);
    }

    #[test]
    fn broken_streams_say_what_busybox_says() {
        assert_eq!(decompress(b"junk", 100), Err(GzError::Magic));
        assert_eq!(decompress(b"\x1f\x8b", 100), Err(GzError::Corrupt));
        let whole = compress(b"hello\n");
        assert_eq!(decompress(&whole[..15], 100), Err(GzError::Truncated));
        let mut bad = whole;
        let n = bad.len();
        bad[n - 8] ^= 1;
        assert_eq!(decompress(&bad, 100), Err(GzError::Crc));
        let zeros = compress(&vec![0; 10_000]);
        assert!(matches!(decompress(&zeros, 1000), Err(GzError::TooBig(_))));
    }
}
