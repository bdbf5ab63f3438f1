//! A step's stamped files: the list a COPY's key holds, either here (made
//! from a context snapshot, shared by the preview's key, its record and the
//! memo) or in the state (a record read back, whose list is read only when
//! a miss is explained against it: one of a 100,000-file context is
//! megabytes, and opening a state must not parse every such list).

use super::FileStamp;
use crate::filesystem::digest::Digest;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Where a stored list's chunks are read from (the state's database).
pub trait StampSource: Send + Sync + fmt::Debug {
    /// One chunk's stamps, in order; None when the state lacks it.
    fn chunk(&self, digest: &Digest) -> Option<Vec<FileStamp>>;
}

/// A step's stamped files. Serialized as the list alone, so keys hash as
/// they always did.
#[derive(Debug, Clone, Default)]
pub struct Stamps {
    held: Held,
    /// A digest naming where the list came from (the context snapshot and
    /// the sources selected in it), when that says what the list holds as
    /// surely as the list does: the builder's memo keys on it instead of
    /// hashing every stamp. Not part of what the stamps are.
    pub origin: Option<Digest>,
}

#[derive(Debug, Clone)]
enum Held {
    Here(Arc<Vec<FileStamp>>),
    Stored(Arc<Stored>),
}

impl Default for Held {
    fn default() -> Held {
        Held::Here(Arc::default())
    }
}

/// A list kept in the state as content-addressed chunks, read once, when
/// first looked at.
struct Stored {
    /// Never empty: an empty list is kept here.
    chunks: Vec<Digest>,
    source: Arc<dyn StampSource>,
    list: OnceLock<Vec<FileStamp>>,
}

impl fmt::Debug for Stored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stored({} chunks)", self.chunks.len())
    }
}

impl Stored {
    fn list(&self) -> &[FileStamp] {
        self.list.get_or_init(|| {
            let mut list = Vec::new();
            for digest in &self.chunks {
                match self.source.chunk(digest) {
                    Some(mut stamps) => list.append(&mut stamps),
                    // Gone: the record was collected by another process
                    // since this one read it, and is about to be dropped
                    // here too. A miss explained against it names no file.
                    None => return Vec::new(),
                }
            }
            list
        })
    }
}

impl Stamps {
    /// `list`, from wherever `origin` says (see [`Stamps::origin`]).
    pub fn with_origin(list: Arc<Vec<FileStamp>>, origin: Digest) -> Stamps {
        Stamps {
            held: Held::Here(list),
            origin: Some(origin),
        }
    }

    /// The list the state keeps as `chunks`, read from `source` when first
    /// needed.
    pub fn stored(chunks: Vec<Digest>, source: Arc<dyn StampSource>) -> Stamps {
        if chunks.is_empty() {
            return Stamps::default();
        }
        Stamps {
            held: Held::Stored(Arc::new(Stored {
                chunks,
                source,
                list: OnceLock::new(),
            })),
            origin: None,
        }
    }

    /// The chunks the state keeps the list as, when it was read from there.
    pub fn chunks(&self) -> Option<&[Digest]> {
        match &self.held {
            Held::Here(_) => None,
            Held::Stored(stored) => Some(&stored.chunks),
        }
    }

    /// Whether the list is empty, without reading a stored one (which is
    /// never empty, unless its chunks were lost).
    pub fn is_empty(&self) -> bool {
        match &self.held {
            Held::Here(list) => list.is_empty(),
            Held::Stored(_) => false,
        }
    }
}

impl From<Vec<FileStamp>> for Stamps {
    fn from(list: Vec<FileStamp>) -> Stamps {
        Stamps {
            held: Held::Here(Arc::new(list)),
            origin: None,
        }
    }
}

impl std::ops::Deref for Stamps {
    type Target = [FileStamp];
    fn deref(&self) -> &[FileStamp] {
        match &self.held {
            Held::Here(list) => list,
            Held::Stored(stored) => stored.list(),
        }
    }
}

impl PartialEq for Stamps {
    fn eq(&self, other: &Stamps) -> bool {
        // The same list (a memo's), or the same chunks, is equal without a
        // walk (or a read).
        match (&self.held, &other.held) {
            (Held::Here(a), Held::Here(b)) if Arc::ptr_eq(a, b) => return true,
            (Held::Stored(a), Held::Stored(b)) if a.chunks == b.chunks => return true,
            _ => {}
        }
        **self == **other
    }
}

impl Eq for Stamps {}

impl Serialize for Stamps {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Stamps {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stamps, D::Error> {
        Vec::<FileStamp>::deserialize(d).map(Stamps::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cache_key::StampKind;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    fn stamp(path: &str) -> FileStamp {
        FileStamp {
            path: path.into(),
            kind: StampKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
            content: "x".into(),
        }
    }

    /// Chunks in memory, counting reads.
    #[derive(Debug, Default)]
    struct Chunks {
        held: BTreeMap<Digest, Vec<FileStamp>>,
        reads: Mutex<usize>,
    }

    impl StampSource for Chunks {
        fn chunk(&self, digest: &Digest) -> Option<Vec<FileStamp>> {
            *self.reads.lock().expect("lock") += 1;
            self.held.get(digest).cloned()
        }
    }

    #[test]
    fn a_stored_list_is_read_once_when_looked_at() {
        let (a, b) = (Digest::of(b"a"), Digest::of(b"b"));
        let source = Arc::new(Chunks {
            held: [(a, vec![stamp("a")]), (b, vec![stamp("b"), stamp("c")])].into(),
            ..Chunks::default()
        });
        let stored = Stamps::stored(vec![a, b], source.clone());
        assert!(!stored.is_empty());
        assert_eq!(*source.reads.lock().expect("lock"), 0);
        // The same chunks: equal without a read.
        assert_eq!(stored, Stamps::stored(vec![a, b], source.clone()));
        assert_eq!(*source.reads.lock().expect("lock"), 0);
        let here = Stamps::from(vec![stamp("a"), stamp("b"), stamp("c")]);
        assert_eq!(stored, here);
        assert_eq!(
            serde_json::to_string(&stored).ok(),
            serde_json::to_string(&here).ok()
        );
        assert_eq!(*source.reads.lock().expect("lock"), 2);
        assert_eq!(stored.len(), 3);
        assert_eq!(*source.reads.lock().expect("lock"), 2);
        assert_eq!(stored.chunks(), Some(&[a, b][..]));
        assert_eq!(here.chunks(), None);
        // A chunk gone: the list reads as empty (the record is stale).
        let lost = Stamps::stored(vec![a, Digest::of(b"gone")], source);
        assert!(!lost.is_empty());
        assert!(lost.iter().next().is_none());
        assert!(Stamps::stored(Vec::new(), Arc::new(Chunks::default())).is_empty());
    }
}
