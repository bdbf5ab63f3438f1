//! `md5sum`, `sha1sum`, `sha256sum`, `sha512sum` (with `-c`) and
//! `base64` (with `-d`), as Dockerfiles verify and unpack downloads.
//! MD5 (RFC 1321) and SHA-1 (FIPS 180-4) are written out here; the SHA-2
//! ones come from the `sha2` crate the engine digests layers with.

use std::sync::Arc;

use sha2::{Digest as _, Sha256, Sha512};

use super::{read_input, Io, Opts, Registry};
use crate::shell::interp::{base_name, Shell};

pub(super) fn register(r: &mut Registry) {
    for name in ["md5sum", "sha1sum", "sha256sum", "sha512sum"] {
        r.register(name, true, Arc::new(sum));
    }
    r.register("base64", true, Arc::new(base64));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(applet: &str, data: &[u8]) -> String {
    match applet {
        "md5sum" => hex(&md5(data)),
        "sha1sum" => hex(&sha1(data)),
        "sha256sum" => hex(&Sha256::digest(data)),
        _ => hex(&Sha512::digest(data)),
    }
}

fn sum(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let applet = base_name(&argv[0]).to_owned();
    let o = Opts::parse(&argv[1..], "");
    let files = if o.operands.is_empty() {
        vec!["-".to_owned()]
    } else {
        o.operands.clone()
    };
    let mut status = 0;
    if o.has('c') {
        let (mut bad, mut total) = (0, 0);
        for list in &files {
            let Ok(text) = read_input(sh, io, list) else {
                io.error(
                    &applet,
                    &format!("can't open '{list}': No such file or directory"),
                );
                status = 1;
                continue;
            };
            for line in String::from_utf8_lossy(&text).lines() {
                let Some((want, name)) = line.split_once("  ").or_else(|| line.split_once(' '))
                else {
                    continue;
                };
                let name = name.trim_start_matches('*');
                total += 1;
                let ok = read_input(sh, io, name)
                    .is_ok_and(|d| digest(&applet, &d).eq_ignore_ascii_case(want.trim()));
                io.print(&format!("{name}: {}\n", if ok { "OK" } else { "FAILED" }));
                if !ok {
                    bad += 1;
                }
            }
        }
        if bad > 0 {
            io.error(
                &applet,
                &format!("WARNING: {bad} of {total} computed checksums did NOT match"),
            );
            status = 1;
        }
        return status;
    }
    for f in &files {
        match read_input(sh, io, f) {
            Ok(d) => io.print(&format!("{}  {f}\n", digest(&applet, &d))),
            Err(e) => {
                io.error(&applet, &format!("can't open '{f}': {}", e.strerror()));
                status = 1;
            }
        }
    }
    status
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let f = o.operands.first().map_or("-", String::as_str).to_owned();
    let data = match read_input(sh, io, &f) {
        Ok(d) => d,
        Err(e) => {
            io.error("base64", &format!("{f}: {}", e.strerror()));
            return 1;
        }
    };
    if o.has('d') {
        // Characters outside the alphabet are skipped; decoding stops at
        // the first `=`.
        let mut acc = 0u32;
        let mut bits = 0;
        for &c in &data {
            if c == b'=' {
                break;
            }
            let Some(v) = B64.iter().position(|b| *b == c) else {
                continue;
            };
            acc = (acc << 6) | v as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                io.out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        return 0;
    }
    let mut line = 0;
    for chunk in data.chunks(3) {
        let n = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            let c = if i <= chunk.len() {
                B64[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            };
            io.out.push(c);
            line += 1;
            if line == 76 {
                io.out.push(b'\n');
                line = 0;
            }
        }
    }
    if line > 0 {
        io.out.push(b'\n');
    }
    0
}

/// The message padded as MD5 and SHA-1 both pad it: a 1 bit, zeros, and
/// the bit length in 64 bits (little-endian for MD5, big for SHA-1).
fn padded(data: &[u8], big_endian: bool) -> Vec<u8> {
    let mut m = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend_from_slice(&if big_endian {
        bits.to_be_bytes()
    } else {
        bits.to_le_bytes()
    });
    m
}

fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    // K[i] = floor(2^32 * |sin(i + 1)|).
    let k: Vec<u32> = (0..64)
        .map(|i| (((i + 1) as f64).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for block in padded(data, false).chunks(64) {
        let w: Vec<u32> = block
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let t = d;
            d = c;
            c = b;
            b = b.wrapping_add(
                a.wrapping_add(f)
                    .wrapping_add(k[i])
                    .wrapping_add(w[g])
                    .rotate_left(S[i]),
            );
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 16];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    for block in padded(data, true).chunks(64) {
        let mut w = [0u32; 80];
        for (i, c) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5a82_7999),
                1 => (b ^ c ^ d, 0x6ed9_eba1),
                2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
                _ => (b ^ c ^ d, 0xca62_c1d6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{hex, md5, sha1};

    #[test]
    fn known_digests() {
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&md5(b"hello\n")), "b1946ac92492d2347c6235b4d2611184");
        assert_eq!(
            hex(&sha1(b"hello\n")),
            "f572d396fae9206628714fb2ce00f72e94f2258f"
        );
        assert_eq!(
            hex(&sha1(&[b'a'; 1000])),
            "291e9a6c66994949b57ba5e650361e98fc36b1ba"
        );
    }
}
