//! The engine's persistent state directory, and the only other filesystem
//! edge of the engine besides `context`.
//!
//! Layout:
//! ```text
//! DIR/layerlab-state.json   marker: {"format":"layerlab-state","version":2}
//! DIR/engine.db             the engine's records (SQLite in WAL mode, with
//!                           engine.db-wal and engine.db-shm beside it)
//! DIR/blobs/sha256/<hex>    content-addressed blobs (layers, configs), stored once,
//!                           runs of zeros in them as holes
//! DIR/blobs/checked/<hex>   what a blob file looked like when its bytes were
//!                           last found to hash to its name
//! DIR/<name>.json           documents
//! DIR/engine.json.v1        a version-1 state's engine document, kept after
//!                           its records were migrated into engine.db
//! ```
//! Several processes use one state at once, as clients of one daemon do:
//! readers are never blocked (WAL), a writer waits its turn (a busy
//! timeout) in a transaction that first reads what the others committed
//! (see [`State::changes_since`]). Blob and document writes are atomic: a
//! temporary file in the target's directory, then a rename. A foreign,
//! corrupt or newer state is an error that names the file; the state is
//! never reset silently.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::filesystem::digest::{Digest, Hasher};

mod sparse;

/// Environment variable naming the state directory (below `--state`).
pub const STATE_ENV: &str = "LAYERLAB_STATE";
/// The marker file that says "this directory is layerlab's state".
pub const MARKER_FILE: &str = "layerlab-state.json";
/// The state layout this build reads and writes: 2 keeps the records in
/// SQLite; 1 (one JSON engine document) is migrated on first open.
pub const FORMAT_VERSION: u32 = 2;
/// The database of records.
pub const DB_FILE: &str = "engine.db";
/// Version 1's engine document, and where it is kept once migrated.
pub const LEGACY_ENGINE_DOC: &str = "engine.json";
pub const LEGACY_BACKUP: &str = "engine.json.v1";
/// Where an engine document that could not be read is kept.
pub const LEGACY_UNREADABLE: &str = "engine.json.unreadable";

const FORMAT_NAME: &str = "layerlab-state";
/// Version 1 kept a lock file; a directory holding only that is a state
/// whose initialisation stopped early.
const LEGACY_LOCK_FILE: &str = "lock";
const BLOB_DIR: &str = "blobs/sha256";
const CHECKED_DIR: &str = "blobs/checked";
const COPY_BUFFER: usize = 256 * 1024;
/// The schema of `engine.db` (`PRAGMA user_version`; 0 is a new file).
/// 2 added `cache_use` and `removed_records`, 3 `stamp_chunks`; every version's tables are made
/// if missing, so an older file gains the new ones and keeps its rows.
const SCHEMA_VERSION: i64 = 3;
/// How long a writer waits for another's transaction before giving up: a
/// build holds its transaction while it runs, so this covers several.
const BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// How often, and after what pause, an open that SQLite found busy is
/// tried again (see [`State::connect`]): ten seconds in all.
const OPEN_RETRIES: u32 = 200;
const OPEN_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// The tables of records. Each is `(key TEXT PRIMARY KEY, value TEXT,
/// generation INTEGER)`: the value is the record in JSON, NULL once it was
/// removed (kept, so that other processes learn of the removal), and the
/// generation is that of the transaction that last wrote it.
pub const TABLES: &[&str] = &[
    "counters",
    "images",
    "tags",
    "layers",
    "buildkit_cache",
    "classic_cache",
    "catalog_layers",
    "catalog_sources",
    "containers",
    "stat_caches",
    "cache_use",
    "removed_records",
    "stamp_chunks",
];

/// Tables whose rows are named by the digest of their value: a row
/// written again is the same, so a write keeps the one there.
const CONTENT_ADDRESSED: &[&str] = &["stamp_chunks"];

/// One record as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub table: &'static str,
    pub key: String,
    /// The record in JSON; None: removed.
    pub value: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {source}", path.display())]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{} is not a layerlab state directory: it is not empty and has no {MARKER_FILE}", dir.display())]
    Foreign { dir: PathBuf },
    #[error("{} is corrupt: {problem}", path.display())]
    Corrupt { path: PathBuf, problem: String },
    #[error("{} has state format version {found}; this layerlab reads version {FORMAT_VERSION}", path.display())]
    UnknownVersion { path: PathBuf, found: u32 },
    #[error("no state directory: pass --state DIR or set {STATE_ENV} (no user data directory was found)")]
    NoDataDir,
    #[error("invalid document name {0:?}: use ASCII letters, digits, '-' and '_'")]
    BadDocumentName(String),
    #[error("blob {0} is not in the state")]
    MissingBlob(Digest),
}

/// Something the open did that the user should hear of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Notice {
    #[error("{} could not be read ({problem}); it is kept as {} and this state starts without its images and build cache", path.display(), kept.display())]
    KeptAside {
        path: PathBuf,
        kept: PathBuf,
        problem: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StateError + '_ {
    move |source| StateError::Io {
        path: path.to_owned(),
        source,
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn db_error(path: &Path) -> impl FnOnce(rusqlite::Error) -> StateError + '_ {
    move |source| StateError::Db {
        path: path.to_owned(),
        source,
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    format: String,
    version: u32,
}

/// The state directory to use: `--state DIR`, else `$LAYERLAB_STATE`, else
/// `layerlab` in the user's data directory (e.g. `~/.local/share/layerlab`).
pub fn resolve_state_dir(flag: Option<&Path>) -> Result<PathBuf, StateError> {
    let default =
        || directories::ProjectDirs::from("", "", "layerlab").map(|d| d.data_dir().to_owned());
    choose_state_dir(flag, std::env::var_os(STATE_ENV), default)
}

fn choose_state_dir(
    flag: Option<&Path>,
    env: Option<OsString>,
    default: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf, StateError> {
    if let Some(flag) = flag {
        return Ok(flag.to_owned());
    }
    match env {
        // An empty variable counts as unset, as shells make unsetting awkward.
        Some(value) if !value.is_empty() => Ok(PathBuf::from(value)),
        _ => default().ok_or(StateError::NoDataDir),
    }
}

/// Turns a version-1 engine document into rows (the store knows its shape).
pub type Migrate<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<Row>, String>;

/// An open state directory: its database connection and its blob store.
#[derive(Debug)]
pub struct State {
    dir: PathBuf,
    db: Connection,
    /// Whether a write transaction is open.
    writing: bool,
    notices: Vec<Notice>,
}

impl State {
    /// Opens (creating if needed) the state at `dir`. An empty or missing
    /// directory is initialised, a version-1 state migrated; a non-empty
    /// one without the marker is refused. Any number of processes may open
    /// one directory at once, a fresh one too.
    pub fn open(dir: &Path, migrate: Migrate<'_>) -> Result<State, StateError> {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let marker = dir.join(MARKER_FILE);
        let db_path = dir.join(DB_FILE);
        if !is_state_or_empty(dir)? {
            return Err(StateError::Foreign {
                dir: dir.to_owned(),
            });
        }
        if marker.exists() {
            check_marker(&marker)?;
        }
        let state = Self::connect(dir, &db_path, migrate)?;
        if read_marker_version(&marker)? != Some(FORMAT_VERSION) {
            let text = serde_json::to_vec_pretty(&Marker {
                format: FORMAT_NAME.to_owned(),
                version: FORMAT_VERSION,
            })
            .map_err(|e| io_error(&marker)(io::Error::other(e)))?;
            write_atomic(&marker, &text)?;
        }
        let blobs = dir.join(BLOB_DIR);
        fs::create_dir_all(&blobs).map_err(io_error(&blobs))?;
        Ok(state)
    }

    /// Open the database and make its schema. While other processes are
    /// making the same fresh database, SQLite can answer "busy" at once,
    /// without waiting the busy timeout (switching to WAL, building the
    /// WAL index): those answers are retried, a bounded number of times.
    fn connect(dir: &Path, db_path: &Path, migrate: Migrate<'_>) -> Result<State, StateError> {
        let mut tries = 0;
        loop {
            let attempt = Connection::open(db_path)
                .and_then(|db| db.busy_timeout(BUSY_TIMEOUT).map(|()| db))
                .map_err(db_error(db_path))
                .and_then(|db| {
                    let mut state = State {
                        dir: dir.to_owned(),
                        db,
                        writing: false,
                        notices: Vec::new(),
                    };
                    state.init(migrate).map(|()| state)
                });
            match attempt {
                Err(StateError::Db { source, .. }) if is_busy(&source) && tries < OPEN_RETRIES => {
                    tries += 1;
                    std::thread::sleep(OPEN_RETRY_PAUSE);
                }
                other => return other,
            }
        }
    }

    /// What the open did that the user should hear of.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    fn schema_version(&self) -> Result<i64, StateError> {
        self.db
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db_error(&self.db_path()))
    }

    /// Make the schema (migrating a version-1 engine document into it) in
    /// one transaction, unless another process did.
    fn init(&mut self, migrate: Migrate<'_>) -> Result<(), StateError> {
        let path = self.db_path();
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StateError::UnknownVersion {
                path,
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        if found < SCHEMA_VERSION {
            // WAL is a property of the file: set once, by whoever comes
            // first (it needs the file alone for a moment; the busy
            // timeout covers that).
            let mode: String = self
                .db
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(db_error(&path))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StateError::Corrupt {
                    path,
                    problem: format!("cannot use write-ahead logging (journal mode {mode})"),
                });
            }
            self.begin()?;
            let made = self.make_schema(migrate);
            match made {
                Ok(()) => self.commit()?,
                Err(e) => {
                    self.rollback();
                    return Err(e);
                }
            }
        }
        self.keep_legacy_aside()
    }

    fn make_schema(&mut self, migrate: Migrate<'_>) -> Result<(), StateError> {
        let path = self.db_path();
        // Checked again in the transaction: another process may have just
        // made it.
        let found = self.schema_version()?;
        if found >= SCHEMA_VERSION {
            return Ok(());
        }
        let mut sql = String::from(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
             INSERT OR IGNORE INTO meta VALUES ('generation', 0);",
        );
        for table in TABLES {
            sql.push_str(&format!(
                "CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT, \
                 generation INTEGER NOT NULL) WITHOUT ROWID;
                 CREATE INDEX IF NOT EXISTS {table}_by_generation ON {table} (generation);"
            ));
        }
        self.db.execute_batch(&sql).map_err(db_error(&path))?;
        if found > 0 {
            // An older schema: its rows stay as they are.
            return self.set_schema_version();
        }
        let legacy = self.dir.join(LEGACY_ENGINE_DOC);
        match fs::read(&legacy) {
            Ok(bytes) => match migrate(&bytes) {
                Ok(mut rows) => {
                    rows.extend(self.legacy_stat_caches()?);
                    self.write(&rows)?;
                }
                Err(problem) => {
                    // Kept aside below, once the empty schema is committed.
                    self.notices.push(Notice::KeptAside {
                        kept: self.dir.join(LEGACY_UNREADABLE),
                        path: legacy,
                        problem,
                    });
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&legacy)(e)),
        }
        self.set_schema_version()
    }

    fn set_schema_version(&self) -> Result<(), StateError> {
        self.db
            .execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
            .map_err(db_error(&self.db_path()))
    }

    /// Version 1's stat caches (`statcache-*.json`), as rows.
    fn legacy_stat_caches(&self) -> Result<Vec<Row>, StateError> {
        let mut rows = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(io_error(&self.dir))? {
            let entry = entry.map_err(io_error(&self.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(key) = name.strip_suffix(".json") else {
                continue;
            };
            if !key.starts_with("statcache-") {
                continue;
            }
            // A cache: one that cannot be read costs a re-hash, nothing more.
            if let Ok(text) = fs::read_to_string(entry.path()) {
                rows.push(Row {
                    table: "stat_caches",
                    key: key.to_owned(),
                    value: Some(text),
                });
            }
        }
        Ok(rows)
    }

    /// A version-1 engine document left beside the database is moved aside:
    /// as a backup once migrated, under another name when unreadable (the
    /// notice says so). Never deleted.
    fn keep_legacy_aside(&mut self) -> Result<(), StateError> {
        let legacy = self.dir.join(LEGACY_ENGINE_DOC);
        if !legacy.exists() {
            return Ok(());
        }
        let unreadable = self
            .notices
            .iter()
            .any(|Notice::KeptAside { path, .. }| *path == legacy);
        let name = if unreadable {
            LEGACY_UNREADABLE
        } else {
            LEGACY_BACKUP
        };
        let kept = free_name(&self.dir, name);
        match fs::rename(&legacy, &kept) {
            Ok(()) => {}
            // Another process opening the state moved it first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&legacy)(e)),
        }
        for Notice::KeptAside { path, kept: k, .. } in &mut self.notices {
            if *path == legacy {
                k.clone_from(&kept);
            }
        }
        Ok(())
    }

    /// Start a write transaction, waiting while another process has one.
    pub fn begin(&mut self) -> Result<(), StateError> {
        if !self.writing {
            self.db
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(db_error(&self.dir.join(DB_FILE)))?;
            self.writing = true;
        }
        Ok(())
    }

    pub fn writing(&self) -> bool {
        self.writing
    }

    pub fn commit(&mut self) -> Result<(), StateError> {
        if self.writing {
            self.writing = false;
            if let Err(e) = self.db.execute_batch("COMMIT") {
                self.rollback();
                return Err(db_error(&self.db_path())(e));
            }
        }
        Ok(())
    }

    /// Drop the open transaction's writes.
    pub fn rollback(&mut self) {
        self.writing = false;
        // Fails only when there is no transaction, which is what is wanted.
        let _ = self.db.execute_batch("ROLLBACK");
    }

    /// The generation of the last committed write: it changes exactly when
    /// some process wrote records.
    pub fn generation(&self) -> Result<i64, StateError> {
        self.db
            .query_row(
                "SELECT value FROM meta WHERE name = 'generation'",
                [],
                |r| r.get(0),
            )
            .map_err(db_error(&self.db_path()))
    }

    /// Every row of `tables` written after `generation` (removed ones with
    /// no value), and the generation they bring the reader to. Read in one
    /// snapshot of the database.
    pub fn changes_since(
        &mut self,
        tables: &[&'static str],
        generation: i64,
    ) -> Result<(Vec<Row>, i64), StateError> {
        let path = self.db_path();
        let own = !self.writing;
        if own {
            self.db.execute_batch("BEGIN").map_err(db_error(&path))?;
        }
        let read = self.read_changes(tables, generation);
        if own {
            let _ = self.db.execute_batch("COMMIT");
        }
        read
    }

    fn read_changes(
        &self,
        tables: &[&'static str],
        generation: i64,
    ) -> Result<(Vec<Row>, i64), StateError> {
        let path = self.db_path();
        let now = self.generation()?;
        let mut rows = Vec::new();
        for table in tables {
            let mut stmt = self
                .db
                .prepare_cached(&format!(
                    "SELECT key, value FROM {table} WHERE generation > ?1"
                ))
                .map_err(db_error(&path))?;
            let found = stmt
                .query_map(params![generation], |r| {
                    Ok(Row {
                        table,
                        key: r.get(0)?,
                        value: r.get(1)?,
                    })
                })
                .map_err(db_error(&path))?;
            for row in found {
                rows.push(row.map_err(db_error(&path))?);
            }
        }
        Ok((rows, now))
    }

    /// One record's value, if it is there.
    pub fn get(&self, table: &'static str, key: &str) -> Result<Option<String>, StateError> {
        let path = self.db_path();
        let mut stmt = self
            .db
            .prepare_cached(&format!("SELECT value FROM {table} WHERE key = ?1"))
            .map_err(db_error(&path))?;
        let value: Option<Option<String>> = stmt
            .query_row(params![key], |r| r.get(0))
            .optional()
            .map_err(db_error(&path))?;
        Ok(value.flatten())
    }

    /// One row's value as bytes, whether it was written as text or as
    /// bytes ([`State::put_bytes`]).
    pub fn get_bytes(&self, table: &'static str, key: &str) -> Result<Option<Vec<u8>>, StateError> {
        use rusqlite::types::Value;
        let path = self.db_path();
        let mut stmt = self
            .db
            .prepare_cached(&format!("SELECT value FROM {table} WHERE key = ?1"))
            .map_err(db_error(&path))?;
        let value: Option<Value> = stmt
            .query_row(params![key], |r| r.get(0))
            .optional()
            .map_err(db_error(&path))?;
        Ok(match value {
            Some(Value::Text(text)) => Some(text.into_bytes()),
            Some(Value::Blob(bytes)) => Some(bytes),
            _ => None,
        })
    }

    /// Sets one row to `bytes` in the open transaction, at the current
    /// generation: for what other processes need not hear of at once (a
    /// context's stat cache, read by each process when it first needs it).
    pub fn put_bytes(
        &mut self,
        table: &'static str,
        key: &str,
        bytes: &[u8],
    ) -> Result<(), StateError> {
        let path = self.db_path();
        let generation = self.generation()?;
        let mut stmt = self
            .db
            .prepare_cached(&format!(
                "INSERT INTO {table} (key, value, generation) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = ?2, generation = ?3"
            ))
            .map_err(db_error(&path))?;
        stmt.execute(params![key, bytes, generation])
            .map_err(db_error(&path))?;
        Ok(())
    }

    /// Write `rows` as the next generation, in the open transaction (or in
    /// one of their own). Returns that generation.
    pub fn write(&mut self, rows: &[Row]) -> Result<i64, StateError> {
        let own = !self.writing;
        self.begin()?;
        let written = self.write_rows(rows);
        match (&written, own) {
            (Ok(_), true) => self.commit()?,
            (Err(_), true) => self.rollback(),
            _ => {}
        }
        written
    }

    fn write_rows(&self, rows: &[Row]) -> Result<i64, StateError> {
        let path = self.db_path();
        let generation = self.generation()? + 1;
        for row in rows {
            let on_conflict = if CONTENT_ADDRESSED.contains(&row.table) {
                "NOTHING"
            } else {
                "UPDATE SET value = ?2, generation = ?3"
            };
            let mut stmt = self
                .db
                .prepare_cached(&format!(
                    "INSERT INTO {} (key, value, generation) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO {on_conflict}",
                    row.table
                ))
                .map_err(db_error(&path))?;
            stmt.execute(params![row.key, row.value, generation])
                .map_err(db_error(&path))?;
        }
        self.db
            .execute(
                "UPDATE meta SET value = ?1 WHERE name = 'generation'",
                params![generation],
            )
            .map_err(db_error(&path))?;
        Ok(generation)
    }

    /// In the open transaction, remove the rows of `table` that no row of
    /// the `referrers` names: each is a table and the JSON path, in its
    /// values, of a list of keys of `table`. How many went.
    pub fn delete_unreferenced(
        &mut self,
        table: &'static str,
        referrers: &[(&'static str, &str)],
    ) -> Result<usize, StateError> {
        let path = self.db_path();
        let named: Vec<String> = referrers
            .iter()
            .map(|(referrer, json_path)| {
                format!(
                    "SELECT j.value FROM {referrer} AS r, json_each(r.value, '{json_path}') AS j \
                     WHERE json_valid(r.value)"
                )
            })
            .collect();
        let sql = format!(
            "DELETE FROM {table} WHERE key NOT IN ({})",
            named.join(" UNION ")
        );
        self.db.execute(&sql, []).map_err(db_error(&path))
    }

    /// Reads rows of `table` on a connection of its own, for a reader on
    /// another thread or one that outlives this handle.
    pub fn row_reader(&self, table: &'static str) -> RowReader {
        RowReader {
            path: self.db_path(),
            table,
            db: Mutex::new(None),
        }
    }

    /// The blob files (`<dir>/blobs/sha256/<hex>`), for a reader that
    /// outlives this handle.
    pub fn blob_files(&self) -> BlobFiles {
        BlobFiles {
            dir: self.dir.clone(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(BLOB_DIR).join(digest.hex())
    }

    /// Stores `bytes` under their digest; storing the same bytes again is a
    /// no-op, so a layer shared by many images exists once.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<Digest, StateError> {
        let digest = Digest::of(bytes);
        let path = self.blob_path(&digest);
        if !path.exists() {
            write_atomic(&path, bytes)?;
        }
        Ok(digest)
    }

    /// Stores the blob that `write` writes as it streams to a temporary
    /// file in the blob directory (nothing is held in memory), zero blocks
    /// left as holes. `write` returns the digest of exactly what it wrote
    /// (a `HashWriter`'s: a layer's tar is hashed as it is made). A blob
    /// already stored under that digest is kept, unless `replace` (a blob
    /// found corrupt). The digest; the blob is recorded as checked.
    pub fn put_blob_written(
        &self,
        replace: bool,
        write: impl FnOnce(&mut dyn Write) -> io::Result<Digest>,
    ) -> Result<Digest, StateError> {
        let dir = self.dir.join(BLOB_DIR);
        let temp = tempfile::NamedTempFile::new_in(&dir).map_err(io_error(&dir))?;
        let mut out = sparse::SparseWriter::new(temp.as_file());
        let digest = write(&mut out).map_err(io_error(temp.path()))?;
        out.finish().map_err(io_error(temp.path()))?;
        let path = self.blob_path(&digest);
        if replace || !path.exists() {
            temp.as_file().sync_all().map_err(io_error(temp.path()))?;
            temp.persist(&path).map_err(|e| io_error(&path)(e.error))?;
            self.blob_files().mark_checked(&digest);
        }
        Ok(digest)
    }

    /// Stores a blob read from `reader`, hashing while it streams to a
    /// temporary file (nothing is held in memory).
    pub fn put_blob_from(&self, mut reader: impl Read) -> Result<Digest, StateError> {
        let dir = self.dir.join(BLOB_DIR);
        let mut temp = tempfile::NamedTempFile::new_in(&dir).map_err(io_error(&dir))?;
        let mut hasher = Hasher::new();
        let mut buffer = vec![0; COPY_BUFFER];
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(temp.path())(e)),
            };
            hasher.update(&buffer[..n]);
            temp.write_all(&buffer[..n])
                .map_err(io_error(temp.path()))?;
        }
        let digest = hasher.finish();
        let path = self.blob_path(&digest);
        if !path.exists() {
            temp.as_file().sync_all().map_err(io_error(temp.path()))?;
            temp.persist(&path).map_err(|e| io_error(&path)(e.error))?;
        }
        Ok(digest)
    }

    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    pub fn open_blob(&self, digest: &Digest) -> Result<File, StateError> {
        let path = self.blob_path(digest);
        File::open(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StateError::MissingBlob(*digest),
            _ => io_error(&path)(e),
        })
    }

    pub fn blob_size(&self, digest: &Digest) -> Result<u64, StateError> {
        Ok(self
            .open_blob(digest)?
            .metadata()
            .map_err(io_error(&self.blob_path(digest)))?
            .len())
    }

    /// Reads document `name` (`DIR/<name>.json`); `None` if it was never
    /// saved. Unreadable JSON is an error naming the file and the problem.
    pub fn load_doc<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StateError> {
        let path = self.doc_path(name)?;
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path)(e)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                path,
                problem: e.to_string(),
            })
    }

    /// Writes document `name` atomically.
    pub fn save_doc<T: Serialize>(&self, name: &str, value: &T) -> Result<(), StateError> {
        let path = self.doc_path(name)?;
        let bytes =
            serde_json::to_vec_pretty(value).map_err(|e| io_error(&path)(io::Error::other(e)))?;
        write_atomic(&path, &bytes)
    }

    fn doc_path(&self, name: &str) -> Result<PathBuf, StateError> {
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        // The marker's own name is reserved.
        if !valid || format!("{name}.json") == MARKER_FILE {
            return Err(StateError::BadDocumentName(name.to_owned()));
        }
        Ok(self.dir.join(format!("{name}.json")))
    }
}

/// The blob files of a state, and what each looked like when its bytes
/// were last found to hash to its name: a blob unchanged since (same
/// length, inode, modification and change times) is not read again to be
/// trusted, as git trusts its index; one written over is.
#[derive(Debug, Clone)]
pub struct BlobFiles {
    dir: PathBuf,
}

/// What a blob file looked like (see [`BlobFiles`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStamp {
    len: u64,
    modified_ns: i128,
    changed_ns: i128,
    inode: u64,
    device: u64,
}

impl BlobStamp {
    pub fn of(meta: &fs::Metadata) -> BlobStamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            BlobStamp {
                len: meta.len(),
                modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
                changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
                device: meta.dev(),
            }
        }
        #[cfg(not(unix))]
        {
            let modified_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            BlobStamp {
                len: meta.len(),
                modified_ns,
                changed_ns: 0,
                inode: 0,
                device: 0,
            }
        }
    }
}

impl BlobFiles {
    pub fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(BLOB_DIR).join(digest.hex())
    }

    fn stamp_path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(CHECKED_DIR).join(digest.hex())
    }

    /// What the blob looked like when it was last checked.
    pub fn checked(&self, digest: &Digest) -> Option<BlobStamp> {
        let text = fs::read(self.stamp_path(digest)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// The blob, as it is now, holds what its name says (it was just
    /// written or hashed). A stamp that cannot be written costs a check
    /// next time, nothing else.
    pub fn mark_checked(&self, digest: &Digest) {
        if let Ok(meta) = fs::metadata(self.path(digest)) {
            self.mark_checked_as(digest, BlobStamp::of(&meta));
        }
    }

    /// [`BlobFiles::mark_checked`] with the stamp the check saw.
    pub fn mark_checked_as(&self, digest: &Digest, stamp: BlobStamp) {
        let dir = self.dir.join(CHECKED_DIR);
        if let Ok(text) = serde_json::to_vec(&stamp) {
            let _ = fs::create_dir_all(&dir);
            let _ = write_atomic(&self.stamp_path(digest), &text);
        }
    }
}

/// Whether `dir` holds nothing but (maybe) version 1's lock file, left by
/// an initialisation that stopped before writing the marker.
/// Whether `dir` is a state, or one being made, or empty: it holds the
/// marker or the database, or nothing but what an initialisation makes
/// first. Decided on one listing, because other processes may be
/// initialising the directory while it is read: all they add is the
/// database, its journals and temporary files, so the answer cannot flip
/// to "foreign" half way.
fn is_state_or_empty(dir: &Path) -> Result<bool, StateError> {
    let mut foreign = false;
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let name = entry.map_err(io_error(dir))?.file_name();
        let name = name.to_string_lossy();
        if name == MARKER_FILE || name == DB_FILE {
            return Ok(true);
        }
        // engine.db-wal, -shm, -journal; write_atomic's temporary files;
        // version 1's lock
        let made_first =
            name.starts_with(DB_FILE) || name.starts_with(".tmp") || name == LEGACY_LOCK_FILE;
        foreign |= !made_first;
    }
    Ok(!foreign)
}

/// One table's rows, read on a connection opened when first needed (see
/// [`State::row_reader`]). It sees what was committed.
#[derive(Debug)]
pub struct RowReader {
    path: PathBuf,
    table: &'static str,
    db: Mutex<Option<Connection>>,
}

impl RowReader {
    /// One row's value, None when there is none (or it could not be read:
    /// what reads here explains, and does without).
    pub fn get(&self, key: &str) -> Option<String> {
        let mut db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        if db.is_none() {
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let opened = Connection::open_with_flags(&self.path, flags).ok()?;
            opened.busy_timeout(BUSY_TIMEOUT).ok()?;
            *db = Some(opened);
        }
        let db = db.as_ref()?;
        let mut stmt = db
            .prepare_cached(&format!("SELECT value FROM {} WHERE key = ?1", self.table))
            .ok()?;
        stmt.query_row(params![key], |r| r.get::<_, Option<String>>(0))
            .ok()
            .flatten()
    }
}

/// `dir/name`, or `dir/name.N` for the first N free.
pub fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{name}.{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// The marker's version; None when there is no marker yet.
fn read_marker_version(path: &Path) -> Result<Option<u32>, StateError> {
    match fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice::<Marker>(&bytes)
            .ok()
            .map(|m| m.version)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path)(e)),
    }
}

fn check_marker(path: &Path) -> Result<(), StateError> {
    let bytes = fs::read(path).map_err(io_error(path))?;
    let marker: Marker = serde_json::from_slice(&bytes).map_err(|e| StateError::Corrupt {
        path: path.to_owned(),
        problem: e.to_string(),
    })?;
    if marker.format != FORMAT_NAME {
        return Err(StateError::Corrupt {
            path: path.to_owned(),
            problem: format!("format is {:?}, expected {FORMAT_NAME:?}", marker.format),
        });
    }
    // Version 1 is migrated by the open.
    if marker.version != FORMAT_VERSION && marker.version != 1 {
        return Err(StateError::UnknownVersion {
            path: path.to_owned(),
            found: marker.version,
        });
    }
    Ok(())
}

/// Temp file beside `path`, fsync, rename: readers see the old or the new
/// content, never half of it.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io_error(dir))?;
    temp.write_all(bytes).map_err(io_error(temp.path()))?;
    temp.as_file().sync_all().map_err(io_error(temp.path()))?;
    temp.persist(path).map_err(|e| io_error(path)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_dir_precedence() {
        let default = || Some(PathBuf::from("/home/u/.local/share/layerlab"));
        let flag = Path::new("/flag");
        assert_eq!(
            choose_state_dir(Some(flag), Some("/env".into()), default).expect("flag"),
            PathBuf::from("/flag")
        );
        assert_eq!(
            choose_state_dir(None, Some("/env".into()), default).expect("env"),
            PathBuf::from("/env")
        );
        assert_eq!(
            choose_state_dir(None, Some("".into()), default).expect("empty env"),
            PathBuf::from("/home/u/.local/share/layerlab")
        );
        assert!(matches!(
            choose_state_dir(None, None, || None),
            Err(StateError::NoDataDir)
        ));
    }
}
