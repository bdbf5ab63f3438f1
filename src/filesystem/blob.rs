//! File content: cheap to clone, and allowed to be lazy.
//!
//! A simulated image can hold files whose bytes nobody ever looks at (a
//! catalog base image's 80 MB of libraries) and files that sit on the user's
//! disk (the build context). Both must still hash and tar exactly like real
//! bytes, so a [`Blob`] is one of three sources behind one `Arc`:
//! bytes in memory, deterministic pseudo-random bytes generated from a seed,
//! or an external [`BlobSource`] streamed when read.

use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, OnceLock};

use crate::filesystem::digest::{Digest, Hasher};

/// Content that lives outside the simulation (a build-context file on disk),
/// read only when a tar is written or the file is read.
pub trait BlobSource: fmt::Debug + Send + Sync {
    /// The content length in bytes, known without reading.
    fn size(&self) -> u64;
    /// A fresh reader over the whole content. It may fail (the file may have
    /// vanished since it was snapshotted); callers report that as an error.
    fn open(&self) -> io::Result<Box<dyn Read + '_>>;
}

/// Where a blob's bytes come from.
#[derive(Clone, Debug)]
pub enum BlobContent {
    /// Bytes held in memory.
    Bytes(Arc<[u8]>),
    /// `size` pseudo-random bytes determined by `seed`, generated on demand.
    Lazy { size: u64, seed: u64 },
    /// Bytes streamed from an external source.
    External(Arc<dyn BlobSource>),
}

/// The content of one regular file. Clones share the content and the
/// memoised digest.
#[derive(Clone)]
pub struct Blob(Arc<Inner>);

struct Inner {
    content: BlobContent,
    digest: OnceLock<Digest>,
}

impl Blob {
    fn new(content: BlobContent) -> Self {
        Self(Arc::new(Inner {
            content,
            digest: OnceLock::new(),
        }))
    }

    /// A blob holding `bytes`.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Self {
        Self::new(BlobContent::Bytes(bytes.into()))
    }

    /// `size` deterministic pseudo-random bytes: the same `(size, seed)` always
    /// reads the same, and nothing is allocated until it is read.
    pub fn lazy(size: u64, seed: u64) -> Self {
        Self::new(BlobContent::Lazy { size, seed })
    }

    /// A blob whose bytes are read from `source` when needed.
    pub fn external(source: Arc<dyn BlobSource>) -> Self {
        Self::new(BlobContent::External(source))
    }

    /// The empty file.
    pub fn empty() -> Self {
        Self::from_bytes(Vec::new())
    }

    /// Where the bytes come from.
    pub fn content(&self) -> &BlobContent {
        &self.0.content
    }

    /// The length in bytes.
    pub fn len(&self) -> u64 {
        match &self.0.content {
            BlobContent::Bytes(b) => b.len() as u64,
            BlobContent::Lazy { size, .. } => *size,
            BlobContent::External(s) => s.size(),
        }
    }

    /// Whether the blob has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A reader over the whole content.
    pub fn reader(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(match &self.0.content {
            BlobContent::Bytes(b) => Box::new(&b[..]),
            BlobContent::Lazy { size, seed } => Box::new(LazyReader::new(*size, *seed)),
            BlobContent::External(s) => s.open()?,
        })
    }

    /// All the bytes, in memory (for `cat` and friends; avoid for big files).
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        if let BlobContent::Bytes(b) = &self.0.content {
            return Ok(b.to_vec());
        }
        let mut out = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0).min(1 << 24));
        self.reader()?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// SHA-256 of the content, computed once per blob (clones share it).
    pub fn digest(&self) -> io::Result<Digest> {
        if let Some(d) = self.0.digest.get() {
            return Ok(*d);
        }
        let d = match &self.0.content {
            BlobContent::Bytes(b) => Digest::of(b),
            _ => {
                let mut hasher = HashWriter::default();
                io::copy(&mut self.reader()?, &mut hasher)?;
                hasher.finish().0
            }
        };
        Ok(*self.0.digest.get_or_init(|| d))
    }

    /// Whether both blobs hold the same bytes. A source that cannot be read
    /// counts as different: the caller then keeps the file in a layer, and
    /// writing that layer reports the read error.
    pub fn same_content(&self, other: &Blob) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        if self.len() != other.len() {
            return false;
        }
        match (&self.0.content, &other.0.content) {
            (BlobContent::Bytes(a), BlobContent::Bytes(b)) => a == b,
            (BlobContent::Lazy { seed: a, .. }, BlobContent::Lazy { seed: b, .. }) if a == b => {
                true
            }
            _ => match (self.digest(), other.digest()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl PartialEq for Blob {
    fn eq(&self, other: &Self) -> bool {
        self.same_content(other)
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.content {
            BlobContent::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) if b.len() <= 64 => write!(f, "Blob({s:?})"),
                _ => write!(f, "Blob({} bytes)", b.len()),
            },
            BlobContent::Lazy { size, seed } => write!(f, "Blob(lazy {size} bytes, seed {seed})"),
            BlobContent::External(s) => write!(f, "Blob(external {s:?})"),
        }
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Self::from_bytes(v)
    }
}

impl From<&[u8]> for Blob {
    fn from(v: &[u8]) -> Self {
        Self::from_bytes(v)
    }
}

impl From<&str> for Blob {
    fn from(v: &str) -> Self {
        Self::from_bytes(v.as_bytes())
    }
}

impl From<String> for Blob {
    fn from(v: String) -> Self {
        Self::from_bytes(v.into_bytes())
    }
}

/// Streams the bytes of `Blob::lazy`. Each 8-byte word is a pure function of
/// (seed, word index) — a SplitMix64 step — so any reader produces the same
/// bytes and the generator needs no state beyond a position.
struct LazyReader {
    seed: u64,
    pos: u64,
    size: u64,
}

impl LazyReader {
    fn new(size: u64, seed: u64) -> Self {
        Self { seed, pos: 0, size }
    }
}

fn lazy_word(seed: u64, index: u64) -> [u8; 8] {
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)).to_le_bytes()
}

impl Read for LazyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.size - self.pos;
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let mut i = 0;
        while i < n {
            let word = lazy_word(self.seed, self.pos / 8);
            // Where in the current word this position falls.
            let off = usize::try_from(self.pos % 8).unwrap_or(0);
            let take = (8 - off).min(n - i);
            buf[i..i + take].copy_from_slice(&word[off..off + take]);
            i += take;
            self.pos += take as u64;
        }
        Ok(n)
    }
}

/// A writer that hashes and counts what passes through it, forwarding to an
/// inner writer (`io::Sink` when only the digest is wanted).
pub struct HashWriter<W = io::Sink> {
    inner: W,
    hasher: Hasher,
    written: u64,
}

impl<W: io::Write> HashWriter<W> {
    /// Hash everything written, and pass it on to `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Hasher::new(),
            written: 0,
        }
    }

    /// The digest and length of everything written, and the inner writer.
    pub fn finish(self) -> (Digest, u64, W) {
        (self.hasher.finish(), self.written, self.inner)
    }
}

impl Default for HashWriter {
    fn default() -> Self {
        Self::new(io::sink())
    }
}

impl<W: io::Write> io::Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_bytes_matches_known_sha256() {
        let b = Blob::from("abc");
        assert_eq!(
            b.digest().map(|d| d.hex()).ok(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_owned())
        );
        assert_eq!(
            Digest::of(b"").to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn lazy_blob_is_deterministic_and_sized() {
        let a = Blob::lazy(1001, 7).to_vec().expect("lazy blobs read");
        let b = Blob::lazy(1001, 7).to_vec().expect("lazy blobs read");
        let c = Blob::lazy(1001, 8).to_vec().expect("lazy blobs read");
        assert_eq!(a.len(), 1001);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // A prefix of a longer lazy blob with the same seed is the same bytes.
        let long = Blob::lazy(5000, 7).to_vec().expect("lazy blobs read");
        assert_eq!(&long[..1001], &a[..]);
    }

    #[test]
    fn lazy_reader_gives_same_bytes_with_odd_buffer_sizes() {
        let whole = Blob::lazy(300, 3).to_vec().expect("lazy blobs read");
        let mut r = LazyReader::new(300, 3);
        let mut got = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = r.read(&mut buf).expect("lazy read");
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, whole);
    }

    #[test]
    fn lazy_digest_equals_digest_of_its_bytes() {
        let lazy = Blob::lazy(70_000, 42);
        let bytes = Blob::from(lazy.to_vec().expect("lazy blobs read"));
        assert_eq!(lazy.digest().ok(), bytes.digest().ok());
        assert!(lazy.same_content(&bytes));
        assert_eq!(lazy, bytes);
    }

    #[derive(Debug)]
    struct Gone;
    impl BlobSource for Gone {
        fn size(&self) -> u64 {
            3
        }
        fn open(&self) -> io::Result<Box<dyn Read + '_>> {
            Err(io::Error::new(io::ErrorKind::NotFound, "vanished"))
        }
    }

    #[test]
    fn unreadable_external_source_is_an_error_not_a_panic() {
        let b = Blob::external(Arc::new(Gone));
        assert_eq!(b.len(), 3);
        assert!(b.digest().is_err());
        assert!(!b.same_content(&Blob::from("abc")));
    }

    #[test]
    fn hash_writer_forwards_and_counts() {
        use std::io::Write;
        let mut w = HashWriter::new(Vec::new());
        w.write_all(b"abc").expect("write to Vec");
        let (d, n, inner) = w.finish();
        assert_eq!(n, 3);
        assert_eq!(inner, b"abc");
        assert_eq!(d, Digest::of(b"abc"));
    }
}
