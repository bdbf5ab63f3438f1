//! Content digests: `sha256:<hex>`, the identity of every blob, layer, image
//! and cache key in the engine.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// The only algorithm Docker uses for local content today; kept in the text
/// form so digests print and parse exactly as `docker` shows them.
const ALGORITHM: &str = "sha256";
const PREFIX: &str = "sha256:";

/// A sha256 digest. Displays (and serializes) as `sha256:<64 lowercase hex>`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest([u8; 32]);

impl Digest {
    /// Digest of a byte slice held in memory.
    pub fn of(bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::new();
        hasher.update(bytes);
        hasher.finish()
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 hex characters without the `sha256:` prefix (file names in the
    /// blob store use this).
    pub fn hex(&self) -> String {
        let text = self.text();
        text[PREFIX.len()..].to_owned()
    }

    /// `sha256:<hex>` on the stack: digests are printed into every cache key
    /// (one per copied file), so this allocates nothing.
    fn text(&self) -> TextForm {
        let mut out = [0u8; TEXT_LEN];
        out[..PREFIX.len()].copy_from_slice(PREFIX.as_bytes());
        for (pair, byte) in out[PREFIX.len()..].chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        TextForm(out)
    }

    /// The first 12 hex characters: the short ID `docker images` prints.
    pub fn short(&self) -> String {
        let mut hex = self.hex();
        hex.truncate(12);
        hex
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const TEXT_LEN: usize = PREFIX.len() + 64;

/// A digest's text, `sha256:` and 64 hex characters, all ASCII.
struct TextForm([u8; TEXT_LEN]);

impl std::ops::Deref for TextForm {
    type Target = str;

    fn deref(&self) -> &str {
        // Only ASCII is ever written into it.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.text())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// Why a string is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestParseError {
    #[error("invalid digest {0:?}: expected \"sha256:\" followed by 64 hex characters")]
    MissingAlgorithm(String),
    #[error("invalid digest {input:?}: unsupported algorithm {algorithm:?} (only sha256)")]
    UnsupportedAlgorithm { input: String, algorithm: String },
    #[error(
        "invalid digest {input:?}: expected 64 hex characters after \"sha256:\", found {found}"
    )]
    BadLength { input: String, found: usize },
    #[error("invalid digest {input:?}: {ch:?} is not a lowercase hex character")]
    BadHex { input: String, ch: char },
}

impl FromStr for Digest {
    type Err = DigestParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((algorithm, hex)) = s.split_once(':') else {
            return Err(DigestParseError::MissingAlgorithm(s.to_owned()));
        };
        if algorithm != ALGORITHM {
            return Err(DigestParseError::UnsupportedAlgorithm {
                input: s.to_owned(),
                algorithm: algorithm.to_owned(),
            });
        }
        if hex.len() != 64 {
            return Err(DigestParseError::BadLength {
                input: s.to_owned(),
                found: hex.chars().count(),
            });
        }
        let mut bytes = [0u8; 32];
        let mut nibbles = hex.chars().map(|ch| {
            // Docker (go-digest) accepts only lowercase hex; so do we, so that
            // one digest has exactly one spelling.
            match ch {
                '0'..='9' | 'a'..='f' => Ok(ch.to_digit(16).unwrap_or(0) as u8),
                _ => Err(DigestParseError::BadHex {
                    input: s.to_owned(),
                    ch,
                }),
            }
        });
        for byte in &mut bytes {
            let hi = nibbles.next().unwrap_or(Ok(0))?;
            let lo = nibbles.next().unwrap_or(Ok(0))?;
            *byte = (hi << 4) | lo;
        }
        Ok(Digest(bytes))
    }
}

/// `sha256:<hex>` in text formats (JSON: what docker prints), the 32 bytes
/// in binary ones (the stat caches: 100,000 of them are read at every
/// rebuild).
impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.text())
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            return text.parse().map_err(serde::de::Error::custom);
        }
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Digest;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("32 bytes of a sha256 digest")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Digest, E> {
                <[u8; 32]>::try_from(v)
                    .map(Digest)
                    .map_err(|_| E::invalid_length(v.len(), &self))
            }
        }
        deserializer.deserialize_bytes(Bytes)
    }
}

/// Streaming sha256: feed bytes with `update`, get the `Digest` with `finish`.
#[derive(Clone, Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn new() -> Hasher {
        Hasher(Sha256::new())
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> Digest {
        let out = self.0.finalize();
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&out);
        Digest(bytes)
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The sha256 of the empty string: a well-known constant, so this test
    // checks the algorithm, not just self-consistency.
    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn known_vectors() {
        assert_eq!(Digest::of(b"").to_string(), EMPTY);
        assert_eq!(
            Digest::of(b"abc").to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut hasher = Hasher::new();
        for chunk in data.chunks(333) {
            hasher.update(chunk);
        }
        assert_eq!(hasher.finish(), Digest::of(&data));
    }

    #[test]
    fn short_is_first_twelve_hex() {
        assert_eq!(Digest::of(b"").short(), "e3b0c44298fc");
    }

    #[test]
    fn parse_round_trip_and_serde() {
        let d: Digest = EMPTY.parse().expect("valid digest");
        assert_eq!(d, Digest::of(b""));
        let json = serde_json::to_string(&d).expect("serialize");
        assert_eq!(json, format!("\"{EMPTY}\""));
        let back: Digest = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, d);
    }

    #[test]
    fn parse_errors_are_specific() {
        assert!(matches!(
            "e3b0".parse::<Digest>(),
            Err(DigestParseError::MissingAlgorithm(_))
        ));
        assert!(matches!(
            "md5:abc".parse::<Digest>(),
            Err(DigestParseError::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            "sha256:abc".parse::<Digest>(),
            Err(DigestParseError::BadLength { found: 3, .. })
        ));
        let upper = EMPTY.to_uppercase().replacen("SHA256", "sha256", 1);
        assert!(matches!(
            upper.parse::<Digest>(),
            Err(DigestParseError::BadHex { ch: 'E', .. })
        ));
        let err = serde_json::from_str::<Digest>("\"sha256:zz\"").expect_err("bad digest");
        assert!(err.to_string().contains("64 hex characters"), "{err}");
    }
}
