//! A build cache record's big file list, kept apart from its row as
//! content-addressed chunks. A COPY of a 100,000-file context stamps every
//! file: inline, its row is 17 MB of JSON that every open of the state
//! would parse, and a rebuild after one file changed would store all of it
//! again. As chunks, the row names about 400 digests, a list is read only
//! when a miss is explained against it, and two lists that differ in a file
//! share every chunk but that file's.
//!
//! Chunk boundaries are content-defined (as in rsync or restic), by a hash
//! of each path alone: a file changed, added or removed changes the chunk
//! it falls in and leaves every other boundary where it was.

use crate::engine::cache_key::{FileStamp, StampSource};
use crate::engine::state::RowReader;
use crate::filesystem::digest::Digest;

/// Lists this long or shorter stay in their record's row.
pub const INLINE_MAX: usize = 512;
/// A chunk ends after a path whose hash is 0 modulo this: 256 stamps on
/// average (about 40 KB of JSON)...
const BOUNDARY: u64 = 256;
/// ...and after this many at most, whatever the paths.
const CHUNK_MAX: usize = 4 * BOUNDARY as usize;

/// One chunk as its row holds it: the stamps in JSON, named by its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub digest: Digest,
    pub json: String,
}

/// `list` in chunks, in order.
pub fn split(list: &[FileStamp]) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for (i, stamp) in list.iter().enumerate() {
        let last = i + 1 == list.len();
        if last || i + 1 - start >= CHUNK_MAX || ends_chunk(&stamp.path) {
            chunks.push(chunk(&list[start..=i]));
            start = i + 1;
        }
    }
    chunks
}

fn chunk(stamps: &[FileStamp]) -> Chunk {
    // Plain data: serializing it cannot fail.
    let json = serde_json::to_string(stamps).unwrap_or_default();
    Chunk {
        digest: Digest::of(json.as_bytes()),
        json,
    }
}

/// FNV-1a: stable across builds and platforms, as the boundaries of
/// chunks already stored must be.
fn ends_chunk(path: &str) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in path.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash % BOUNDARY == 0
}

/// The state's chunk rows, as records read back find their lists.
#[derive(Debug)]
pub struct ChunkRows(pub RowReader);

impl StampSource for ChunkRows {
    fn chunk(&self, digest: &Digest) -> Option<Vec<FileStamp>> {
        let json = self.0.get(&digest.to_string())?;
        // A chunk is named by its digest: one whose bytes do not hash to
        // it is not the list the record was built with.
        if Digest::of(json.as_bytes()) != *digest {
            return None;
        }
        serde_json::from_str(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cache_key::StampKind;

    fn stamps(n: usize, content: &str) -> Vec<FileStamp> {
        (0..n)
            .map(|i| FileStamp {
                path: format!("node_modules/pkg{}/f{i:05}.js", i / 100),
                kind: StampKind::File,
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: 10,
                content: content.into(),
            })
            .collect()
    }

    fn joined(chunks: &[Chunk]) -> Vec<FileStamp> {
        chunks
            .iter()
            .flat_map(|c| serde_json::from_str::<Vec<FileStamp>>(&c.json).expect("chunk"))
            .collect()
    }

    #[test]
    fn chunks_hold_the_list_in_order_and_bounded() {
        let list = stamps(20_000, "a");
        let chunks = split(&list);
        assert_eq!(joined(&chunks), list);
        let sizes: Vec<usize> = chunks
            .iter()
            .map(|c| {
                serde_json::from_str::<Vec<FileStamp>>(&c.json)
                    .expect("chunk")
                    .len()
            })
            .collect();
        assert!(sizes.iter().all(|n| (1..=CHUNK_MAX).contains(n)));
        // About BOUNDARY on average: far fewer chunks than stamps.
        assert!(
            (20..=200).contains(&chunks.len()),
            "{} chunks",
            chunks.len()
        );
        assert!(split(&[]).is_empty());
        assert_eq!(split(&list[..1]).len(), 1);
    }

    #[test]
    fn a_change_to_one_file_changes_one_chunk() {
        let list = stamps(20_000, "a");
        let before = split(&list);
        let mut changed = list.clone();
        changed[12_345].content = "b".into();
        let after = split(&changed);
        assert_eq!(before.len(), after.len());
        let differ = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert_eq!(differ, 1);
        // A file added: the chunks before and after it stay.
        let mut added = list.clone();
        let mut extra = list[5_000].clone();
        extra.path.push_str(".map");
        added.insert(5_001, extra);
        let after = split(&added);
        let kept = after.iter().filter(|c| before.contains(c)).count();
        assert!(kept + 2 >= before.len(), "{kept} of {} kept", before.len());
    }
}
