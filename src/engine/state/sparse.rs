//! Writing a file with holes where its bytes are zero, so a layer holding a
//! sparse file (a 2 GB disk image of which a few bytes are set) takes on
//! disk about what the file itself does. The bytes read back are the same:
//! a hole reads as zeros.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

/// The unit a hole is made of: a filesystem block on every common one.
const BLOCK: usize = 4096;
/// How much is gathered before it is written.
const BUFFER: usize = 256 * BLOCK;

/// A writer over a new, empty file that skips over runs of zero blocks
/// instead of writing them; [`SparseWriter::finish`] sets the length, so
/// trailing zeros are a hole too.
pub struct SparseWriter<'f> {
    file: &'f File,
    /// Bytes not yet written, starting at `at` (always block-aligned).
    pending: Vec<u8>,
    at: u64,
    /// Where the file's cursor is.
    cursor: u64,
}

impl<'f> SparseWriter<'f> {
    pub fn new(file: &'f File) -> Self {
        Self {
            file,
            pending: Vec::with_capacity(BUFFER),
            at: 0,
            cursor: 0,
        }
    }

    /// Writes what is left and gives the file its full length (its
    /// trailing zeros a hole); the length.
    pub fn finish(mut self) -> io::Result<u64> {
        self.drain(self.pending.len())?;
        self.file.set_len(self.at)?;
        Ok(self.at)
    }

    /// Writes the first `len` pending bytes (whole blocks unless it is the
    /// end), skipping zero blocks.
    fn drain(&mut self, len: usize) -> io::Result<()> {
        let mut start = 0;
        while start < len {
            let end = (start + BLOCK).min(len);
            if is_zero(&self.pending[start..end]) {
                start = end;
                continue;
            }
            // A run of blocks holding data, written at once.
            let mut run_end = end;
            while run_end < len {
                let next = (run_end + BLOCK).min(len);
                if is_zero(&self.pending[run_end..next]) {
                    break;
                }
                run_end = next;
            }
            let pos = self.at + start as u64;
            if self.cursor != pos {
                self.file.seek(SeekFrom::Start(pos))?;
            }
            self.file.write_all(&self.pending[start..run_end])?;
            self.cursor = pos + (run_end - start) as u64;
            start = run_end;
        }
        self.pending.drain(..len);
        self.at += len as u64;
        Ok(())
    }
}

impl Write for SparseWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = BUFFER - self.pending.len();
        let n = room.min(buf.len());
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == BUFFER {
            self.drain(BUFFER)?;
        }
        Ok(n)
    }

    /// Pending bytes stay pending: a partial block may still be followed
    /// by zeros that make it part of a hole.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Whether every byte is zero (in 64-byte strides the compiler vectorises).
fn is_zero(bytes: &[u8]) -> bool {
    let mut strides = bytes.chunks_exact(64);
    let whole = strides
        .by_ref()
        .all(|c| c.iter().fold(0u8, |acc, &b| acc | b) == 0);
    whole && strides.remainder().iter().all(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn written(chunks: &[&[u8]]) -> (Vec<u8>, File) {
        let mut file = tempfile::tempfile().expect("temp file");
        let mut w = SparseWriter::new(&file);
        for c in chunks {
            w.write_all(c).expect("write");
        }
        let len = w.finish().expect("finish");
        assert_eq!(len, chunks.iter().map(|c| c.len() as u64).sum::<u64>());
        let mut back = Vec::new();
        file.seek(SeekFrom::Start(0)).expect("rewind");
        file.read_to_end(&mut back).expect("read back");
        (back, file)
    }

    #[test]
    fn the_bytes_read_back_are_the_bytes_written() {
        let zeros = vec![0u8; 3 * BUFFER + 17];
        let mut data = vec![7u8; 5000];
        data.extend_from_slice(&zeros);
        data.extend_from_slice(b"tail");
        // Odd chunk sizes, across block and buffer boundaries.
        let parts: Vec<&[u8]> = data.chunks(1234).collect();
        let (back, _) = written(&parts);
        assert_eq!(back.len(), data.len());
        assert!(back == data, "same bytes");
        // Ending in zeros: the length still counts them.
        let (back, _) = written(&[b"x", &zeros]);
        assert_eq!(back.len(), zeros.len() + 1);
        assert_eq!(back[0], b'x');
        assert!(is_zero(&back[1..]));
        let (back, _) = written(&[]);
        assert!(back.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn zero_blocks_take_no_space() {
        use std::os::unix::fs::MetadataExt;
        let zeros = vec![0u8; 64 << 20];
        let (back, file) = written(&[b"start", &zeros, b"end"]);
        assert_eq!(back.len(), zeros.len() + 8);
        let meta = file.metadata().expect("metadata");
        assert!(
            meta.blocks() * 512 < 1 << 20,
            "{} bytes on disk for a file of {}",
            meta.blocks() * 512,
            meta.len()
        );
    }
}
