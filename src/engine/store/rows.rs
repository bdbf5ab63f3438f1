//! The store's records as the rows the state's database keeps: one row per
//! image, tag, layer, build cache record, container and catalog layer, keyed
//! by its digest or name, valued by the record in JSON, plus the counters.
//! A process keeps the rows as it last read or wrote them, and writes only
//! those its store changed since (see `daemon`).

use super::stamp_chunks::{self, INLINE_MAX};
use super::EngineState;
use crate::engine::cache::CacheRecord;
use crate::engine::cache_key::{OpInputs, Stamps};
use crate::engine::state::{Row, State, StateError};
use crate::filesystem::digest::Digest;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tables of the engine's records (the stat caches are the daemon's).
pub const ENGINE_TABLES: &[&str] = &[
    COUNTERS,
    IMAGES,
    TAGS,
    LAYERS,
    BUILDKIT_CACHE,
    CLASSIC_CACHE,
    CATALOG_LAYERS,
    CATALOG_SOURCES,
    CONTAINERS,
    CACHE_USE,
    REMOVED_RECORDS,
];

const COUNTERS: &str = "counters";
const IMAGES: &str = "images";
const TAGS: &str = "tags";
/// A persisted layer: diff_id → the blob holding its tar.
const LAYERS: &str = "layers";
const BUILDKIT_CACHE: &str = "buildkit_cache";
const CLASSIC_CACHE: &str = "classic_cache";
const CATALOG_LAYERS: &str = "catalog_layers";
const CATALOG_SOURCES: &str = "catalog_sources";
const CONTAINERS: &str = "containers";
const CACHE_USE: &str = "cache_use";
const REMOVED_RECORDS: &str = "removed_records";
/// The chunks of big file lists (see `stamp_chunks`): written with the
/// records that name them, read only when a list is looked at.
pub const STAMP_CHUNKS: &str = "stamp_chunks";
/// Where a record's row names its chunks.
const FILE_CHUNKS: &str = "file_chunks";

/// A build cache record as its row holds it: a file list longer than
/// [`INLINE_MAX`] is out of the record, named by its chunks.
#[derive(Serialize, Deserialize)]
struct RecordRow {
    #[serde(flatten)]
    record: CacheRecord,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    file_chunks: Vec<Digest>,
}

/// Every record's value, by table and key.
pub type Rows = BTreeMap<(&'static str, String), String>;

fn json(value: &impl Serialize) -> String {
    // The records are plain data (strings, numbers, maps keyed by strings):
    // serializing them cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

fn put<K: ToString, V: Serialize>(
    rows: &mut Rows,
    table: &'static str,
    records: impl IntoIterator<Item = (K, V)>,
) {
    for (k, v) in records {
        rows.insert((table, k.to_string()), json(&v));
    }
}

/// The store as rows, and the chunks its records' rows name.
pub fn rows(s: &EngineState) -> (Rows, Vec<Row>) {
    let mut chunks = Vec::new();
    let rows = rows_since(s, &Rows::new(), &mut chunks);
    (rows, chunks)
}

/// What a save writes: the records' rows, and the chunks of file lists
/// those rows name (not kept in memory as rows are: they are big, and a
/// row names them).
#[derive(Debug, Default)]
pub struct Changes {
    pub rows: Vec<Row>,
    pub chunks: Vec<Row>,
}

/// Whether `row`, written over `stored`, may leave chunks that no record
/// names (a record removed or replaced): then [`sweep_chunks`] is due.
pub fn may_orphan_chunks(row: &Row, stored: &Rows) -> bool {
    matches!(row.table, BUILDKIT_CACHE | CLASSIC_CACHE)
        && (row.value.is_none() || stored.contains_key(&(row.table, row.key.clone())))
}

/// Remove the chunks no record names, in the open transaction.
pub fn sweep_chunks(state: &mut State) -> Result<usize, StateError> {
    let path = format!("$.{FILE_CHUNKS}");
    state.delete_unreferenced(
        STAMP_CHUNKS,
        &[
            (BUILDKIT_CACHE, path.as_str()),
            (CLASSIC_CACHE, path.as_str()),
        ],
    )
}

/// The rows of the store that differ from `stored` (the rows last written
/// or read), and removals of those it lacks. A build cache record settled
/// since is as stored and is neither serialized nor compared: one holding
/// a COPY of a 100,000-file context is megabytes even in chunks.
pub fn changed_since(s: &EngineState, stored: &Rows) -> Changes {
    let settled = |table: &str, key: &str| {
        let cache = match table {
            BUILDKIT_CACHE => &s.buildkit_cache,
            CLASSIC_CACHE => &s.classic_cache,
            _ => return false,
        };
        key.parse()
            .is_ok_and(|d| cache.get(&d).is_some() && !cache.unsettled(&d))
    };
    let mut chunks = Vec::new();
    let now = rows_since(s, stored, &mut chunks);
    let mut rows = changed(stored, &now);
    rows.retain(|row| row.value.is_some() || !settled(row.table, &row.key));
    Changes { rows, chunks }
}

/// The store as rows, leaving out the build cache records that are as
/// `stored` has them (settled since it was written or read); the chunks
/// the records' rows name are added to `chunks`.
fn rows_since(s: &EngineState, stored: &Rows, chunks: &mut Vec<Row>) -> Rows {
    let mut rows = Rows::new();
    put(
        &mut rows,
        COUNTERS,
        [
            ("builds", s.builds as i64),
            ("containers_made", s.containers_made as i64),
            ("clock", s.clock),
        ],
    );
    put(&mut rows, IMAGES, &s.images);
    put(&mut rows, TAGS, &s.tags);
    put(&mut rows, LAYERS, &s.layer_blobs);
    for (table, cache) in [
        (BUILDKIT_CACHE, &s.buildkit_cache),
        (CLASSIC_CACHE, &s.classic_cache),
    ] {
        for (digest, record) in cache.iter() {
            let key = (table, digest.to_string());
            if cache.unsettled(digest) || !stored.contains_key(&key) {
                rows.insert(key, record_json(record, chunks));
            }
        }
    }
    put(&mut rows, CATALOG_LAYERS, &s.catalog_layers);
    put(&mut rows, CATALOG_SOURCES, &s.catalog_sources);
    put(&mut rows, CONTAINERS, &s.containers);
    put(&mut rows, CACHE_USE, &s.cache_use);
    put(&mut rows, REMOVED_RECORDS, &s.removed_records);
    rows
}

/// The files a record's key stamps (a COPY's sources, what a RUN's bind
/// mounts show), if it has any to keep apart.
fn stamped(op: &OpInputs) -> Option<&Stamps> {
    match op {
        OpInputs::Copy { files, .. }
        | OpInputs::Classic { files, .. }
        | OpInputs::Run { mounted: files, .. } => Some(files),
        _ => None,
    }
}

fn stamped_mut(op: &mut OpInputs) -> Option<&mut Stamps> {
    match op {
        OpInputs::Copy { files, .. }
        | OpInputs::Classic { files, .. }
        | OpInputs::Run { mounted: files, .. } => Some(files),
        _ => None,
    }
}

/// A build cache record's row: a long file list as chunks (added to
/// `chunks`, unless the list was read from them).
fn record_json(record: &CacheRecord, chunks: &mut Vec<Row>) -> String {
    let mut light = record.clone();
    let file_chunks = match stamped_mut(&mut light.key.op) {
        Some(files) if files.chunks().is_some() || files.len() > INLINE_MAX => {
            let digests = match files.chunks() {
                Some(stored) => stored.to_vec(),
                None => stamp_chunks::split(files)
                    .into_iter()
                    .map(|chunk| {
                        chunks.push(Row {
                            table: STAMP_CHUNKS,
                            key: chunk.digest.to_string(),
                            value: Some(chunk.json),
                        });
                        chunk.digest
                    })
                    .collect(),
            };
            // The clone shares the list; this drops only its share.
            *files = Stamps::default();
            digests
        }
        _ => return json(record),
    };
    json(&RecordRow {
        record: light,
        file_chunks,
    })
}

/// A build cache record from its row: a list kept as chunks is read from
/// the state's when first looked at.
fn record(s: &EngineState, table: &str, key: &str, value: &str) -> Result<CacheRecord, String> {
    let RecordRow {
        mut record,
        file_chunks,
    } = parse(table, key, value)?;
    if !file_chunks.is_empty() {
        let source = s.stamp_source.clone().ok_or_else(|| {
            format!("{table} record {key:?}: its files are in chunks, and no state holds them")
        })?;
        if let Some(files) = stamped_mut(&mut record.key.op) {
            *files = Stamps::stored(file_chunks, source);
        }
    }
    Ok(record)
}

fn parse<T: DeserializeOwned>(table: &str, key: &str, value: &str) -> Result<T, String> {
    serde_json::from_str(value).map_err(|e| format!("{table} record {key:?}: {e}"))
}

fn digest(table: &str, key: &str) -> Result<Digest, String> {
    key.parse()
        .map_err(|_| format!("{table} record {key:?}: not a digest"))
}

/// Set (or, without a value, remove) one record. The caller reindexes the
/// build caches after a batch ([`reindex`]).
pub fn apply(s: &mut EngineState, row: &Row) -> Result<(), String> {
    let (table, key) = (row.table, row.key.as_str());
    let Some(value) = row.value.as_deref() else {
        match table {
            IMAGES => drop(s.images.remove(&digest(table, key)?)),
            TAGS => drop(s.tags.remove(key)),
            LAYERS => drop(s.layer_blobs.remove(&digest(table, key)?)),
            BUILDKIT_CACHE => s.buildkit_cache.remove(&digest(table, key)?),
            CLASSIC_CACHE => s.classic_cache.remove(&digest(table, key)?),
            CATALOG_LAYERS => drop(s.catalog_layers.remove(key)),
            CATALOG_SOURCES => drop(s.catalog_sources.remove(&digest(table, key)?)),
            CONTAINERS => drop(s.containers.remove(&digest(table, key)?)),
            CACHE_USE => drop(s.cache_use.remove(&digest(table, key)?)),
            REMOVED_RECORDS => drop(s.removed_records.remove(&digest(table, key)?)),
            _ => {}
        }
        return Ok(());
    };
    match table {
        COUNTERS => {
            let n: i64 = parse(table, key, value)?;
            match key {
                "builds" => s.builds = n.max(0) as u64,
                "containers_made" => s.containers_made = n.max(0) as u64,
                "clock" => s.clock = n,
                _ => {}
            }
        }
        IMAGES => drop(
            s.images
                .insert(digest(table, key)?, parse(table, key, value)?),
        ),
        TAGS => drop(s.tags.insert(key.to_owned(), parse(table, key, value)?)),
        LAYERS => drop(
            s.layer_blobs
                .insert(digest(table, key)?, parse(table, key, value)?),
        ),
        BUILDKIT_CACHE => {
            let record = record(s, table, key, value)?;
            s.buildkit_cache.insert(digest(table, key)?, record);
        }
        CLASSIC_CACHE => {
            let record = record(s, table, key, value)?;
            s.classic_cache.insert(digest(table, key)?, record);
        }
        CATALOG_LAYERS => drop(
            s.catalog_layers
                .insert(key.to_owned(), parse(table, key, value)?),
        ),
        CATALOG_SOURCES => drop(
            s.catalog_sources
                .insert(digest(table, key)?, parse(table, key, value)?),
        ),
        CONTAINERS => drop(
            s.containers
                .insert(digest(table, key)?, parse(table, key, value)?),
        ),
        CACHE_USE => drop(
            s.cache_use
                .insert(digest(table, key)?, parse(table, key, value)?),
        ),
        REMOVED_RECORDS => drop(
            s.removed_records
                .insert(digest(table, key)?, parse(table, key, value)?),
        ),
        _ => {}
    }
    Ok(())
}

/// A row read from the database or written to it: its record, if it is a
/// build cache record, is as the database has it. Except a record whose
/// long file list its row holds inline (written before lists were kept in
/// chunks): the next save writes it again, in chunks.
pub fn settled(s: &mut EngineState, row: &Row) {
    let cache = match row.table {
        BUILDKIT_CACHE => &mut s.buildkit_cache,
        CLASSIC_CACHE => &mut s.classic_cache,
        _ => return,
    };
    let Ok(digest) = row.key.parse() else {
        return;
    };
    let inline_and_long = cache.get(&digest).is_some_and(|record| {
        stamped(&record.key.op)
            .is_some_and(|files| files.chunks().is_none() && files.len() > INLINE_MAX)
    });
    if !inline_and_long {
        cache.settled(&digest);
    }
}

/// After a batch of [`apply`]: the caches' index by parent and age.
pub fn reindex(s: &mut EngineState) {
    s.buildkit_cache.reindex();
    s.classic_cache.reindex();
}

/// The rows of `now` that differ from `before`, and removals of those
/// `now` lacks.
pub fn changed(before: &Rows, now: &Rows) -> Vec<Row> {
    let mut out: Vec<Row> = now
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|((table, key), v)| Row {
            table,
            key: key.clone(),
            value: Some(v.clone()),
        })
        .collect();
    out.extend(
        before
            .keys()
            .filter(|k| !now.contains_key(*k))
            .map(|(table, key)| Row {
                table,
                key: key.clone(),
                value: None,
            }),
    );
    out
}

/// A version-1 engine document (the whole store in one JSON object) as
/// rows; what cannot be read is the problem, in words.
pub fn from_v1(bytes: &[u8]) -> Result<Vec<Row>, String> {
    let state: EngineState = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let (rows, mut chunks) = rows(&state);
    chunks.extend(changed(&Rows::new(), &rows));
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settled_cache_record_keeps_its_stored_row() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/state-v1/state/engine.json"
        ))
        .expect("fixture");
        let mut s: EngineState = serde_json::from_slice(&bytes).expect("v1 document");
        let (digest, record) = s
            .buildkit_cache
            .iter()
            .next()
            .map(|(d, r)| (*d, r.clone()))
            .expect("a record");
        s.buildkit_cache.insert(digest, record);
        let key = (BUILDKIT_CACHE, digest.to_string());
        let stored: Rows = [(key.clone(), "as stored".to_string())].into();
        let written = |s: &EngineState, stored: &Rows| -> Vec<Option<String>> {
            changed_since(s, stored)
                .rows
                .into_iter()
                .filter(|r| (r.table, r.key.as_str()) == (BUILDKIT_CACHE, key.1.as_str()))
                .map(|r| r.value)
                .collect()
        };
        // Inserted since: serialized again, and written.
        assert_eq!(
            written(&s, &stored),
            [Some(json(&s.buildkit_cache.get(&digest)))]
        );
        let row = Row {
            table: BUILDKIT_CACHE,
            key: key.1.clone(),
            value: None,
        };
        settled(&mut s, &row);
        // Settled: as stored, neither written nor removed.
        assert!(written(&s, &stored).is_empty());
        // A record the stored rows lack is written whatever it is.
        assert_eq!(written(&s, &Rows::new()).len(), 1);
        // One gone from the store is removed.
        s.buildkit_cache.remove(&digest);
        assert_eq!(written(&s, &stored), [None]);
    }

    #[test]
    fn rows_round_trip_through_apply() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/state-v1/state/engine.json"
        ))
        .expect("fixture");
        let original: EngineState = serde_json::from_slice(&bytes).expect("v1 document");
        let mut loaded = EngineState::default();
        for row in from_v1(&bytes).expect("rows") {
            apply(&mut loaded, &row).expect("apply");
        }
        reindex(&mut loaded);
        assert_eq!(
            serde_json::to_value(&loaded).expect("json"),
            serde_json::to_value(&original).expect("json")
        );
        // Removing what is gone: a removal row per record.
        let gone = changed(&rows(&original).0, &rows(&EngineState::default()).0);
        for row in &gone {
            apply(&mut loaded, row).expect("remove");
        }
        assert!(loaded.images.is_empty() && loaded.tags.is_empty());
        assert!(loaded.buildkit_cache.is_empty() && loaded.containers.is_empty());
        assert!(from_v1(b"{ not json").is_err());
    }
}
