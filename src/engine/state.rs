//! The engine's persistent state directory, and the only other filesystem
//! edge of the engine besides `context`.
//!
//! Layout:
//! ```text
//! DIR/layerlab-state.json   marker: {"format":"layerlab-state","version":1}
//! DIR/lock                  flock'ed while a process uses DIR; holds its pid
//! DIR/blobs/sha256/<hex>    content-addressed blobs (layers, configs), stored once
//! DIR/<name>.json           documents (images, tags, build cache, …)
//! ```
//! Every write is atomic: a temporary file in the target's directory, then a
//! rename. A missing, foreign or corrupt state is an error that names the
//! file; the state is never reset silently.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use fs4::FileExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::filesystem::digest::{Digest, Hasher};

/// Environment variable naming the state directory (below `--state`).
pub const STATE_ENV: &str = "LAYERLAB_STATE";
/// The marker file that says "this directory is layerlab's state".
pub const MARKER_FILE: &str = "layerlab-state.json";
/// The state layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

const FORMAT_NAME: &str = "layerlab-state";
const LOCK_FILE: &str = "lock";
const BLOB_DIR: &str = "blobs/sha256";
const COPY_BUFFER: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state is locked by pid {pid} ({})", dir.display())]
    Locked { pid: u32, dir: PathBuf },
    #[error("state is locked by another process ({})", dir.display())]
    LockedByUnknown { dir: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
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

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StateError + '_ {
    move |source| StateError::Io {
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

/// An open, locked state directory. The lock is held until drop.
#[derive(Debug)]
pub struct State {
    dir: PathBuf,
    // Held for its flock; closing the file on drop releases it.
    _lock: File,
}

impl State {
    /// Opens (creating if needed) the state at `dir` and locks it. An empty
    /// or missing directory is initialised; a non-empty one without the
    /// marker is refused.
    pub fn open(dir: &Path) -> Result<State, StateError> {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let marker = dir.join(MARKER_FILE);
        if !marker.exists() && !only_lock_inside(dir)? {
            return Err(StateError::Foreign {
                dir: dir.to_owned(),
            });
        }
        let lock = acquire_lock(dir)?;
        // Checked again under the lock: another process may have just
        // initialised the directory.
        if marker.exists() {
            check_marker(&marker)?;
        } else {
            let text = serde_json::to_vec_pretty(&Marker {
                format: FORMAT_NAME.to_owned(),
                version: FORMAT_VERSION,
            })
            .map_err(|e| io_error(&marker)(io::Error::other(e)))?;
            write_atomic(&marker, &text)?;
        }
        let blobs = dir.join(BLOB_DIR);
        fs::create_dir_all(&blobs).map_err(io_error(&blobs))?;
        Ok(State {
            dir: dir.to_owned(),
            _lock: lock,
        })
    }

    /// Where blobs live: `<dir>/blobs/sha256/<hex>`.
    pub fn blob_dir(&self) -> PathBuf {
        self.dir.join(BLOB_DIR)
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

/// Whether `dir` holds nothing but (maybe) a lock file left by an
/// initialisation that stopped before writing the marker.
fn only_lock_inside(dir: &Path) -> Result<bool, StateError> {
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        if entry.file_name() != LOCK_FILE {
            return Ok(false);
        }
    }
    Ok(true)
}

fn acquire_lock(dir: &Path) -> Result<File, StateError> {
    let path = dir.join(LOCK_FILE);
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_error(&path))?;
    // Called through the trait: std's inherent `File::try_lock` is newer
    // than this crate's minimum Rust version.
    match FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            let mut text = String::new();
            // The holder may be mid-write; an unreadable pid is still "locked".
            let _ = file.read_to_string(&mut text);
            let dir = dir.to_owned();
            return Err(match text.trim().parse() {
                Ok(pid) => StateError::Locked { pid, dir },
                Err(_) => StateError::LockedByUnknown { dir },
            });
        }
        Err(fs4::TryLockError::Error(e)) => return Err(io_error(&path)(e)),
    }
    file.set_len(0).map_err(io_error(&path))?;
    write!(file, "{}", std::process::id()).map_err(io_error(&path))?;
    file.flush().map_err(io_error(&path))?;
    Ok(file)
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
    if marker.version != FORMAT_VERSION {
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
