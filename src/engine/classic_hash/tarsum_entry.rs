//! The per-entry "tarsum v1" digest the classic builder keys its cache on.
//!
//! moby v20.10.24 `pkg/tarsum/versioning.go` (`v1TarHeaderSelect`) feeds a
//! SHA-256 with the concatenation key+value of eleven tar header fields in a
//! fixed order (v0's list without `mtime`), then the entry's data bytes.
//! Security xattrs would follow as extra pairs; the simulated filesystems
//! carry none, so they are not modelled.

use sha2::{Digest, Sha256};
use std::io::Read;

/// `S_IFREG`, `S_IFDIR`, `S_IFLNK`: moby's `archive.FileInfoHeader` puts the
/// file-type bits back into the tar mode (`fillGo18FileTypeBits`), so a 0644
/// file hashes as mode `33188` (0o100644), not `420`.
pub(super) const TYPE_BITS_FILE: u32 = 0o100_000;
pub(super) const TYPE_BITS_DIR: u32 = 0o040_000;
pub(super) const TYPE_BITS_SYMLINK: u32 = 0o120_000;

/// Go's `tar.FileInfoHeader` keeps the permission bits plus setuid, setgid
/// and sticky (`c_ISUID`, `c_ISGID`, `c_ISVTX`); nothing else of a mode.
pub(super) const MODE_BITS_KEPT: u32 = 0o7777;

/// The tar header fields that tarsum v1 hashes, already rendered the way the
/// header reader sees them.
pub(super) struct TarsumHeader<'a> {
    /// Header name: the path relative to the source root, with a trailing
    /// `/` for directories (`archive.canonicalTarName`).
    pub name: &'a str,
    /// Permission bits and file-type bits together.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Data length: the file size for regular files, 0 for everything else.
    pub size: u64,
    /// `'0'` regular file, `'5'` directory, `'2'` symlink.
    pub typeflag: char,
    pub linkname: &'a str,
    pub uname: &'a str,
    pub gname: &'a str,
}

/// Digests `header` followed by every byte `data` yields, as lowercase hex.
pub(super) fn tarsum_hex(
    header: &TarsumHeader<'_>,
    data: &mut dyn Read,
) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let fields: [(&str, String); 11] = [
        ("name", header.name.to_owned()),
        ("mode", header.mode.to_string()),
        ("uid", header.uid.to_string()),
        ("gid", header.gid.to_string()),
        ("size", header.size.to_string()),
        ("typeflag", header.typeflag.to_string()),
        ("linkname", header.linkname.to_owned()),
        ("uname", header.uname.to_owned()),
        ("gname", header.gname.to_owned()),
        // Only character and block devices have device numbers; the
        // simulated filesystems hold neither.
        ("devmajor", "0".to_owned()),
        ("devminor", "0".to_owned()),
    ];
    for (key, value) in &fields {
        hasher.update(key.as_bytes());
        hasher.update(value.as_bytes());
    }
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = data.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(lower_hex(&hasher.finalize()))
}

/// SHA-256 of `text` as lowercase hex (the `hashStringSlice` helper of the
/// classic builder hashes a joined string this way).
pub(super) fn sha256_hex(text: &str) -> String {
    lower_hex(&Sha256::digest(text.as_bytes()))
}

fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_string_digest_is_the_well_known_one() {
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    /// Recorded: 01-unchanged-rebuild, `COPY app.js .` of
    /// "console.log('hello v1');\n" (25 bytes, 0644) shows
    /// `file:f8ea10c6…e998` in the classic history.
    #[test]
    fn regular_file_matches_the_recorded_classic_hash() {
        let content = b"console.log('hello v1');\n";
        let header = TarsumHeader {
            name: "app.js",
            mode: TYPE_BITS_FILE | 0o644,
            uid: 0,
            gid: 0,
            size: 25,
            typeflag: '0',
            linkname: "",
            uname: "",
            gname: "",
        };
        let hex = tarsum_hex(&header, &mut &content[..]).expect("reading a slice cannot fail");
        assert_eq!(
            hex,
            "f8ea10c67aaeb895e64f94c1c0b60388fac9ce5be60258bdc03c70ffd2e8e998"
        );
    }
}
