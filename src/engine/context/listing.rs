//! Reading one directory of the context: each entry's name and `lstat`.
//!
//! A rebuild's capture re-hashes almost nothing (the stat cache answers), so
//! its time is this: one directory read and one `lstat` per entry. On Linux
//! the directory is read with `getdents64` into one buffer reused for every
//! directory, and each entry is stat'ed relative to the open directory, so
//! an entry costs one system call and the allocation of its name. Elsewhere
//! the standard library does the same work with a few more allocations.

use std::io;

/// What the walk needs of an entry's `lstat`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lstat {
    pub kind: Kind,
    /// Permission bits with setuid/setgid/sticky (`mode & 0o7777`).
    pub perm: u32,
    pub size: u64,
    pub uid: u32,
    pub gid: u32,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Dir,
    File,
    Symlink,
    /// Sockets, FIFOs, devices.
    Other,
}

/// A directory's entries, sorted by name.
pub(super) type Listing = Vec<(String, Lstat)>;

/// Why a directory could not be listed.
pub(super) enum ListError {
    /// Reading the directory itself failed.
    Io(io::Error),
    /// An entry could not be stat'ed (it may have vanished since it was
    /// listed).
    Entry(String, io::Error),
    /// An entry whose name is not UTF-8 (its raw bytes).
    NonUtf8(Vec<u8>),
}

impl From<io::Error> for ListError {
    fn from(e: io::Error) -> Self {
        ListError::Io(e)
    }
}

fn nanos(secs: i64, nsec: i64) -> i64 {
    secs.saturating_mul(1_000_000_000).saturating_add(nsec)
}

/// One path's `lstat`, for a refresh that reads a few paths rather than
/// whole directories.
pub(super) fn lstat(path: &std::path::Path) -> io::Result<Lstat> {
    std::fs::symlink_metadata(path).map(|m| from_metadata(&m))
}

/// The standard library's `lstat` as the walk needs it.
fn from_metadata(meta: &std::fs::Metadata) -> Lstat {
    use std::os::unix::fs::MetadataExt;
    let file_type = meta.file_type();
    let kind = if file_type.is_dir() {
        Kind::Dir
    } else if file_type.is_file() {
        Kind::File
    } else if file_type.is_symlink() {
        Kind::Symlink
    } else {
        Kind::Other
    };
    Lstat {
        kind,
        perm: meta.mode() & 0o7777,
        size: meta.len(),
        uid: meta.uid(),
        gid: meta.gid(),
        mtime_ns: nanos(meta.mtime(), meta.mtime_nsec()),
        ctime_ns: nanos(meta.ctime(), meta.ctime_nsec()),
        inode: meta.ino(),
    }
}

#[cfg(target_os = "linux")]
pub(super) use linux::Lister;

#[cfg(not(target_os = "linux"))]
pub(super) use portable::Lister;

#[cfg(target_os = "linux")]
mod linux {
    use super::{from_metadata, nanos, Kind, ListError, Listing, Lstat};
    use rustix::fs::{
        openat, statx, AtFlags, FileType, Mode, OFlags, RawDir, Statx, StatxFlags, CWD,
    };
    use rustix::io::Errno;
    use std::path::Path;

    /// Room for a few hundred entries per `getdents64` call.
    const BUFFER: usize = 32 * 1024;

    /// Lists directories through one reused `getdents64` buffer.
    pub(in crate::engine::context) struct Lister {
        buf: Vec<u8>,
    }

    impl From<rustix::io::Errno> for ListError {
        fn from(e: rustix::io::Errno) -> Self {
            ListError::Io(e.into())
        }
    }

    impl Lister {
        pub fn new() -> Self {
            Self {
                buf: Vec::with_capacity(BUFFER),
            }
        }

        pub fn list(&mut self, dir: &Path) -> Result<Listing, ListError> {
            let fd = openat(
                CWD,
                dir,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            let mut out = Vec::new();
            let mut entries = RawDir::new(&fd, self.buf.spare_capacity_mut());
            while let Some(entry) = entries.next() {
                let entry = entry?;
                let name = entry.file_name();
                let bytes = name.to_bytes();
                if bytes == b"." || bytes == b".." {
                    continue;
                }
                let Ok(text) = name.to_str() else {
                    return Err(ListError::NonUtf8(bytes.to_vec()));
                };
                let st = match statx(
                    &fd,
                    name,
                    AtFlags::SYMLINK_NOFOLLOW,
                    StatxFlags::BASIC_STATS,
                ) {
                    Ok(st) => lstat(&st),
                    // Kernels before 4.11 and old container seccomp profiles
                    // refuse statx; lstat by path works everywhere.
                    Err(Errno::NOSYS | Errno::PERM) => {
                        match std::fs::symlink_metadata(dir.join(text)) {
                            Ok(meta) => from_metadata(&meta),
                            Err(e) => return Err(ListError::Entry(text.to_owned(), e)),
                        }
                    }
                    Err(e) => return Err(ListError::Entry(text.to_owned(), e.into())),
                };
                out.push((text.to_owned(), st));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(out)
        }
    }

    fn lstat(st: &Statx) -> Lstat {
        let mode = u32::from(st.stx_mode);
        let kind = match FileType::from_raw_mode(mode) {
            FileType::Directory => Kind::Dir,
            FileType::RegularFile => Kind::File,
            FileType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        };
        Lstat {
            kind,
            perm: mode & 0o7777,
            size: st.stx_size,
            uid: st.stx_uid,
            gid: st.stx_gid,
            mtime_ns: nanos(st.stx_mtime.tv_sec, i64::from(st.stx_mtime.tv_nsec)),
            ctime_ns: nanos(st.stx_ctime.tv_sec, i64::from(st.stx_ctime.tv_nsec)),
            inode: st.stx_ino,
        }
    }
}

// Compiled for tests on Linux too, where it must agree with `linux`.
#[cfg(any(not(target_os = "linux"), test))]
mod portable {
    use super::{from_metadata, ListError, Listing};
    use std::fs;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub(in crate::engine::context) struct Lister;

    impl Lister {
        pub fn new() -> Self {
            Self
        }

        pub fn list(&mut self, dir: &Path) -> Result<Listing, ListError> {
            let mut out = Vec::new();
            for entry in fs::read_dir(dir)? {
                let entry = entry?;
                let name = entry
                    .file_name()
                    .into_string()
                    .map_err(|raw| ListError::NonUtf8(raw.as_bytes().to_vec()))?;
                let meta = entry
                    .metadata()
                    .map_err(|e| ListError::Entry(name.clone(), e))?;
                out.push((name, from_metadata(&meta)));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

    /// The listing agrees with what the standard library's `lstat` says.
    #[test]
    fn entries_and_their_lstat() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("b.txt"), "hello").expect("write");
        std::fs::set_permissions(root.join("b.txt"), std::fs::Permissions::from_mode(0o4751))
            .expect("chmod");
        std::fs::create_dir(root.join("a")).expect("mkdir");
        symlink("b.txt", root.join("c")).expect("symlink");
        let listing = match Lister::new().list(root) {
            Ok(l) => l,
            Err(_) => panic!("listing failed"),
        };
        let names: Vec<&str> = listing.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b.txt", "c"]);
        let kinds: Vec<Kind> = listing.iter().map(|(_, s)| s.kind).collect();
        assert_eq!(kinds, [Kind::Dir, Kind::File, Kind::Symlink]);
        let (_, file) = &listing[1];
        let meta = std::fs::symlink_metadata(root.join("b.txt")).expect("lstat");
        assert_eq!(file.perm, 0o4751);
        assert_eq!(file.size, 5);
        assert_eq!(file.inode, meta.ino());
        assert_eq!(file.mtime_ns, nanos(meta.mtime(), meta.mtime_nsec()));
        assert_eq!(file.ctime_ns, nanos(meta.ctime(), meta.ctime_nsec()));
        assert_eq!((file.uid, file.gid), (meta.uid(), meta.gid()));
        assert_eq!(listing[2].1.size, "b.txt".len() as u64);
    }

    /// On Linux, the getdents64 lister and the standard library agree.
    #[cfg(target_os = "linux")]
    #[test]
    fn both_listers_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("f"), "x").expect("write");
        std::fs::create_dir(dir.path().join("d")).expect("mkdir");
        symlink("nowhere", dir.path().join("l")).expect("symlink");
        let show = |l: Result<Listing, ListError>| match l {
            Ok(l) => format!("{l:?}"),
            Err(_) => panic!("listing failed"),
        };
        assert_eq!(
            show(linux::Lister::new().list(dir.path())),
            show(portable::Lister::new().list(dir.path()))
        );
    }

    #[test]
    fn a_missing_directory_is_an_io_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("gone");
        assert!(matches!(
            Lister::new().list(&gone),
            Err(ListError::Io(e)) if e.kind() == io::ErrorKind::NotFound
        ));
    }

    #[test]
    fn a_directory_larger_than_one_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..2000 {
            std::fs::write(dir.path().join(format!("file-with-a-long-name-{i:05}")), "")
                .expect("write");
        }
        let listing = match Lister::new().list(dir.path()) {
            Ok(l) => l,
            Err(_) => panic!("listing failed"),
        };
        assert_eq!(listing.len(), 2000);
        assert!(listing.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
