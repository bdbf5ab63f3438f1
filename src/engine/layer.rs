//! Real tar archives for layers: written deterministically from
//! [`LayerChanges`], streamed into SHA-256 for the diff ID, and read back
//! when a rootfs tarball is imported.
//!
//! The format follows Go's `archive/tar` as Docker uses it: a plain USTAR
//! header when everything fits in it as ASCII, otherwise a PAX extended
//! header first (long or non-ASCII names and link targets, big numbers);
//! directories named `dir/`; whiteouts as empty regular files `.wh.<name>`
//! and `.wh..wh..opq`; two zero blocks at the end.

mod import;

use std::io::{self, Read, Write};

use tar::{EntryType, Header};

use crate::filesystem::blob::{BlobContent, HashWriter};
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{Change, LayerChanges, Node, NodeKind, PathKey};

pub use import::{
    read_tar, read_tar_referring, read_trusted_tar, ImportError, ImportedLayer, REFER_FROM,
};

/// What the engine records about one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer {
    /// SHA-256 of the uncompressed tar (the image config's `rootfs.diff_ids`).
    pub diff_id: Digest,
    /// What `docker history` shows: regular-file bytes plus symlink target
    /// lengths.
    pub size: u64,
    /// Length of the uncompressed tar in bytes.
    pub tar_len: u64,
}

const BLOCK: usize = 512;
const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// Largest value of the 7-digit octal fields (mode, uid, gid).
const MAX_OCTAL_7: u64 = 0o7_777_777;
/// Largest value of the 11-digit octal fields (size, mtime).
const MAX_OCTAL_11: u64 = 0o77_777_777_777;

/// Writes the layer's tar to `out` while hashing it; returns the layer's
/// record and `out`. File contents are streamed, never held all at once.
pub fn write_layer<W: Write>(changes: &LayerChanges, out: W) -> io::Result<(Layer, W)> {
    let mut w = HashWriter::new(out);
    for (key, change) in changes {
        match change {
            Change::Put(node) => write_node(&mut w, key, node)?,
            Change::Opaque(node) => {
                write_node(&mut w, key, node)?;
                // Docker gives the marker the directory's owner and
                // permissions, and no time.
                let marker = Meta {
                    mode: node.mode & 0o777,
                    uid: node.uid,
                    gid: node.gid,
                    mtime: 0,
                    device: (0, 0),
                };
                let name = format!("{}/{OPAQUE_MARKER}", key.as_str());
                write_entry(&mut w, &name, EntryType::Regular, None, marker, 0)?;
            }
            Change::Whiteout => {
                let name = match key.parent() {
                    Some(p) if !p.is_root() => {
                        format!("{}/{WHITEOUT_PREFIX}{}", p.as_str(), key.name())
                    }
                    _ => format!("{WHITEOUT_PREFIX}{}", key.name()),
                };
                write_entry(&mut w, &name, EntryType::Regular, None, Meta::ZERO, 0)?;
            }
        }
    }
    w.write_all(&[0u8; 2 * BLOCK])?;
    let (diff_id, tar_len, out) = w.finish();
    let layer = Layer {
        diff_id,
        size: changes.size(),
        tar_len,
    };
    Ok((layer, out))
}

/// The layer's record, computed by streaming its tar into SHA-256.
pub fn digest_layer(changes: &LayerChanges) -> io::Result<Layer> {
    write_layer(changes, io::sink()).map(|(layer, _)| layer)
}

/// The header numbers of one entry.
#[derive(Clone, Copy)]
struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    mtime: i64,
    /// A device's numbers (major, minor); zeros for anything else.
    device: (u32, u32),
}

impl Meta {
    /// Whiteouts carry no metadata (as containerd writes them).
    const ZERO: Meta = Meta {
        mode: 0,
        uid: 0,
        gid: 0,
        mtime: 0,
        device: (0, 0),
    };

    fn of(node: &Node) -> Self {
        Self {
            mode: node.mode,
            uid: node.uid,
            gid: node.gid,
            mtime: node.mtime,
            device: match node.kind {
                NodeKind::CharDevice { major, minor } => (major, minor),
                _ => (0, 0),
            },
        }
    }
}

fn write_node<W: Write>(w: &mut W, key: &PathKey, node: &Node) -> io::Result<()> {
    let meta = Meta::of(node);
    match &node.kind {
        NodeKind::Dir => {
            // An imported tarball may carry the root itself, as GNU tar's `./`.
            let name = if key.is_root() {
                "./".to_owned()
            } else {
                format!("{}/", key.as_str())
            };
            write_entry(w, &name, EntryType::Directory, None, meta, 0)
        }
        NodeKind::Symlink(target) => {
            write_entry(w, key.as_str(), EntryType::Symlink, Some(target), meta, 0)
        }
        NodeKind::File(blob) => {
            let size = blob.len();
            write_entry(w, key.as_str(), EntryType::Regular, None, meta, size)?;
            let copied = match blob.content() {
                BlobContent::Bytes(bytes) => {
                    w.write_all(bytes)?;
                    bytes.len() as u64
                }
                _ => io::copy(&mut blob.reader()?.take(size), w)?,
            };
            if copied != size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{key}: content is {copied} bytes, expected {size} (changed on disk?)"),
                ));
            }
            pad(w, size)
        }
        NodeKind::CharDevice { .. } => write_entry(w, key.as_str(), EntryType::Char, None, meta, 0),
    }
}

/// Writes one header, preceded by a PAX header when some field does not fit
/// a USTAR header.
fn write_entry<W: Write>(
    w: &mut W,
    name: &str,
    kind: EntryType,
    link: Option<&str>,
    meta: Meta,
    size: u64,
) -> io::Result<()> {
    let mut pax: Vec<(&str, String)> = Vec::new();
    let mut header = Header::new_ustar();
    header.set_entry_type(kind);

    let ustar = header
        .as_ustar_mut()
        .ok_or_else(|| io::Error::other("a new USTAR header is USTAR"))?;
    match split_ustar_path(name) {
        Some((prefix, base)) => {
            ustar.prefix[..prefix.len()].copy_from_slice(prefix.as_bytes());
            ustar.name[..base.len()].copy_from_slice(base.as_bytes());
        }
        None => {
            pax.push(("path", name.to_owned()));
            let fallback = ascii_truncated(name, ustar.name.len());
            ustar.name[..fallback.len()].copy_from_slice(fallback.as_bytes());
        }
    }
    if let Some(target) = link {
        if target.is_ascii() && target.len() <= ustar.linkname.len() {
            ustar.linkname[..target.len()].copy_from_slice(target.as_bytes());
        } else {
            pax.push(("linkpath", target.to_owned()));
            let fallback = ascii_truncated(target, ustar.linkname.len());
            ustar.linkname[..fallback.len()].copy_from_slice(fallback.as_bytes());
        }
    }

    let uid = numeric(&mut pax, "uid", u64::from(meta.uid), MAX_OCTAL_7);
    let gid = numeric(&mut pax, "gid", u64::from(meta.gid), MAX_OCTAL_7);
    let size = numeric(&mut pax, "size", size, MAX_OCTAL_11);
    let mtime = match u64::try_from(meta.mtime) {
        Ok(t) => numeric(&mut pax, "mtime", t, MAX_OCTAL_11),
        Err(_) => {
            pax.push(("mtime", meta.mtime.to_string()));
            0
        }
    };
    seal(&mut header, meta.mode, uid, gid, size, mtime, meta.device);

    if !pax.is_empty() {
        write_pax(w, name, &pax)?;
    }
    w.write_all(header.as_bytes())
}

/// Fills the numeric fields and the checksum exactly as the tar crate's
/// setters do (zero-padded octal ending in NUL), without their `format!`
/// per field: a layer has thousands of headers. Every value must fit its
/// field; callers move larger ones to PAX records first.
fn seal(
    header: &mut Header,
    mode: u32,
    uid: u64,
    gid: u64,
    size: u64,
    mtime: u64,
    (major, minor): (u32, u32),
) {
    let fields = header.as_old_mut();
    put_octal(&mut fields.mode, u64::from(mode));
    put_octal(&mut fields.uid, uid);
    put_octal(&mut fields.gid, gid);
    put_octal(&mut fields.size, size);
    put_octal(&mut fields.mtime, mtime);
    if let Some(ustar) = header.as_ustar_mut() {
        put_octal(&mut ustar.dev_major, u64::from(major));
        put_octal(&mut ustar.dev_minor, u64::from(minor));
    }
    // The checksum counts its own field as spaces.
    header.as_old_mut().cksum = [b' '; 8];
    let sum = header.as_bytes().iter().map(|&b| u64::from(b)).sum();
    put_octal(&mut header.as_old_mut().cksum, sum);
}

fn put_octal(field: &mut [u8], mut value: u64) {
    if let Some((last, digits)) = field.split_last_mut() {
        *last = 0;
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (value & 7) as u8;
            value >>= 3;
        }
    }
}

/// A value for a numeric USTAR field: itself if it fits, else 0 in the field
/// and the real value in a PAX record.
fn numeric(pax: &mut Vec<(&str, String)>, key: &'static str, v: u64, max: u64) -> u64 {
    if v <= max {
        v
    } else {
        pax.push((key, v.to_string()));
        0
    }
}

/// Splits `name` into USTAR prefix and name fields, or `None` when it needs
/// a PAX record: non-ASCII (Go's writer keeps USTAR fields ASCII), or too
/// long even split at a `/`.
fn split_ustar_path(name: &str) -> Option<(&str, &str)> {
    const NAME: usize = 100;
    const PREFIX: usize = 155;
    if !name.is_ascii() {
        return None;
    }
    if name.len() <= NAME {
        return Some(("", name));
    }
    // The split `/` is dropped, so the prefix may use up to PREFIX bytes and
    // a directory's trailing `/` must stay in the name part.
    let searchable = &name[..name.len().min(PREFIX + 1)];
    let searchable = searchable.strip_suffix('/').unwrap_or(searchable);
    let i = searchable.rfind('/')?;
    let (prefix, base) = (&name[..i], &name[i + 1..]);
    (i > 0 && !base.is_empty() && base.len() <= NAME && prefix.len() <= PREFIX)
        .then_some((prefix, base))
}

/// The ASCII characters of `s`, cut to `max` bytes: the USTAR field value
/// that readers without PAX support fall back to.
fn ascii_truncated(s: &str, max: usize) -> String {
    s.chars().filter(char::is_ascii).take(max).collect()
}

/// Writes a PAX extended header ('x') holding `records` for the next entry.
fn write_pax<W: Write>(w: &mut W, name: &str, records: &[(&str, String)]) -> io::Result<()> {
    let mut data = Vec::new();
    for (key, value) in records {
        data.extend_from_slice(pax_record(key, value).as_bytes());
    }
    // Named like Go's writer names them: PaxHeaders.0 beside the entry.
    let trimmed = name.trim_end_matches('/');
    let (dir, base) = match trimmed.rfind('/') {
        Some(i) => (&trimmed[..=i], &trimmed[i + 1..]),
        None => ("", trimmed),
    };
    let pax_name = ascii_truncated(&format!("{dir}PaxHeaders.0/{base}"), 100);
    let mut header = Header::new_ustar();
    header.set_entry_type(EntryType::XHeader);
    if let Some(ustar) = header.as_ustar_mut() {
        ustar.name[..pax_name.len()].copy_from_slice(pax_name.as_bytes());
    }
    seal(&mut header, 0, 0, 0, data.len() as u64, 0, (0, 0));
    w.write_all(header.as_bytes())?;
    w.write_all(&data)?;
    pad(w, data.len() as u64)
}

/// One PAX record, `"<len> <key>=<value>\n"`, where `<len>` counts the
/// whole record including its own digits.
fn pax_record(key: &str, value: &str) -> String {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    format!("{len} {key}={value}\n")
}

fn pad<W: Write>(w: &mut W, len: u64) -> io::Result<()> {
    let rem = usize::try_from(len % BLOCK as u64).unwrap_or(0);
    if rem != 0 {
        w.write_all(&[0u8; BLOCK][..BLOCK - rem])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `seal` writes the bytes the tar crate's setters write.
    #[test]
    fn sealed_headers_match_the_tar_crate() {
        let cases = [
            (0, 0, 0, 0, 0),
            (0o644, 1000, 1000, 480, 1_700_000_000),
            (0o7777, MAX_OCTAL_7, MAX_OCTAL_7, MAX_OCTAL_11, MAX_OCTAL_11),
            (0o4755, 1, 65534, 1 << 30, 86_400),
        ];
        for (mode, uid, gid, size, mtime) in cases {
            let mut ours = Header::new_ustar();
            let mut theirs = Header::new_ustar();
            for h in [&mut ours, &mut theirs] {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_path("some/file.txt").expect("path");
            }
            seal(&mut ours, mode, uid, gid, size, mtime, (0, 0));
            theirs.set_mode(mode);
            theirs.set_uid(uid);
            theirs.set_gid(gid);
            theirs.set_size(size);
            theirs.set_mtime(mtime);
            theirs.set_device_major(0).expect("ustar");
            theirs.set_device_minor(0).expect("ustar");
            theirs.set_cksum();
            assert_eq!(
                ours.as_bytes()[..],
                theirs.as_bytes()[..],
                "{mode:o} {uid} {size}"
            );
        }
    }

    #[test]
    fn pax_record_length_counts_itself() {
        assert_eq!(pax_record("path", "a"), "9 path=a\n");
        // 99 bytes without the length: two digits would make 101, so three.
        let r = pax_record("path", &"x".repeat(92));
        assert_eq!(r.len(), 102);
        assert!(r.starts_with("102 path="));
    }

    #[test]
    fn ustar_split_follows_go_rules() {
        assert_eq!(split_ustar_path("a/b"), Some(("", "a/b")));
        let dir = format!("{}/{}/", "p".repeat(120), "n".repeat(50));
        assert_eq!(split_ustar_path(&dir), Some((&dir[..120], &dir[121..])));
        assert_eq!(split_ustar_path(&"x".repeat(101)), None);
        assert_eq!(split_ustar_path("é"), None);
    }
}
