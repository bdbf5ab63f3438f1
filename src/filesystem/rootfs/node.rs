//! One filesystem entry, and the errors filesystem operations return.

use crate::filesystem::blob::Blob;

/// What an entry is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A regular file and its content.
    File(Blob),
    /// A directory; its children are separate entries.
    Dir,
    /// A symbolic link and its target, verbatim.
    Symlink(String),
    /// A character device (`/dev/null` is 1, 3). Only the runtime makes
    /// them, in the `/dev` it mounts for a process: no layer holds one.
    CharDevice { major: u32, minor: u32 },
}

/// One entry with its metadata. `mode` holds the permission bits including
/// set-uid, set-gid and sticky (`0o7777`), never the file type.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds since the epoch; 0 unless something set it, so layers stay
    /// deterministic.
    pub mtime: i64,
}

/// The permission bits a mode may carry.
pub const PERM_MASK: u32 = 0o7777;

impl Node {
    /// A directory as Docker creates missing parents: 0755, owned by root.
    pub fn default_dir() -> Self {
        Self::dir(0o755, 0, 0)
    }

    /// A directory.
    pub fn dir(mode: u32, uid: u32, gid: u32) -> Self {
        Self {
            kind: NodeKind::Dir,
            mode: mode & PERM_MASK,
            uid,
            gid,
            mtime: 0,
        }
    }

    /// A regular file.
    pub fn file(blob: Blob, mode: u32, uid: u32, gid: u32) -> Self {
        Self {
            kind: NodeKind::File(blob),
            mode: mode & PERM_MASK,
            uid,
            gid,
            mtime: 0,
        }
    }

    /// A symlink as `ln -s` makes it: mode 0777, owned by root.
    pub fn symlink(target: impl Into<String>) -> Self {
        Self {
            kind: NodeKind::Symlink(target.into()),
            mode: 0o777,
            uid: 0,
            gid: 0,
            mtime: 0,
        }
    }

    /// A character device node, as runc makes them in a container's `/dev`.
    pub fn char_device(major: u32, minor: u32, mode: u32) -> Self {
        Self {
            kind: NodeKind::CharDevice { major, minor },
            mode: mode & PERM_MASK,
            uid: 0,
            gid: 0,
            mtime: 0,
        }
    }

    /// The same node with `mtime` set.
    pub fn with_mtime(mut self, mtime: i64) -> Self {
        self.mtime = mtime;
        self
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.kind, NodeKind::Dir)
    }

    pub fn is_file(&self) -> bool {
        matches!(self.kind, NodeKind::File(_))
    }

    pub fn is_symlink(&self) -> bool {
        matches!(self.kind, NodeKind::Symlink(_))
    }

    /// The size `ls -l` and `stat` show: file bytes, or the target length of a
    /// symlink (what `lstat` reports); 0 for a directory here.
    pub fn size(&self) -> u64 {
        match &self.kind {
            NodeKind::File(b) => b.len(),
            NodeKind::Symlink(t) => t.len() as u64,
            NodeKind::Dir | NodeKind::CharDevice { .. } => 0,
        }
    }
}

/// A failed filesystem operation, with the path as the caller gave it. The
/// variants are the POSIX errors a shell turns into busybox messages.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    #[error("{0}: No such file or directory")]
    NotFound(String),
    #[error("{0}: Not a directory")]
    NotADirectory(String),
    #[error("{0}: Is a directory")]
    IsADirectory(String),
    #[error("{0}: Directory not empty")]
    DirectoryNotEmpty(String),
    #[error("{0}: File exists")]
    AlreadyExists(String),
    #[error("{0}: Too many levels of symbolic links")]
    TooManyLinks(String),
    /// EINVAL: moving a directory into itself, removing `/`, readlink of a
    /// non-link.
    #[error("{0}: Invalid argument")]
    InvalidArgument(String),
    /// ENAMETOOLONG: a path of [`crate::limits::PATH_MAX`] bytes or more,
    /// or a component longer than [`crate::limits::NAME_MAX`].
    #[error("{0}: File name too long")]
    NameTooLong(String),
    /// EROFS: a write below a read-only mount.
    #[error("{0}: Read-only file system")]
    ReadOnly(String),
    /// EBUSY: removing or renaming a mount point.
    #[error("{0}: Device or resource busy")]
    Busy(String),
    /// EACCES: the permission bits do not let the process write there.
    #[error("{0}: Permission denied")]
    PermissionDenied(String),
    /// EPERM: only the owner (or root) may do this.
    #[error("{0}: Operation not permitted")]
    NotPermitted(String),
}

impl FsError {
    /// The path the failed operation was given.
    pub fn path(&self) -> &str {
        match self {
            Self::NotFound(p)
            | Self::NotADirectory(p)
            | Self::IsADirectory(p)
            | Self::DirectoryNotEmpty(p)
            | Self::AlreadyExists(p)
            | Self::TooManyLinks(p)
            | Self::InvalidArgument(p)
            | Self::NameTooLong(p)
            | Self::ReadOnly(p)
            | Self::Busy(p)
            | Self::PermissionDenied(p)
            | Self::NotPermitted(p) => p,
        }
    }

    /// The C library's text for the error (what busybox appends after `: `).
    pub fn strerror(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "No such file or directory",
            Self::NotADirectory(_) => "Not a directory",
            Self::IsADirectory(_) => "Is a directory",
            Self::DirectoryNotEmpty(_) => "Directory not empty",
            Self::AlreadyExists(_) => "File exists",
            Self::TooManyLinks(_) => "Too many levels of symbolic links",
            Self::InvalidArgument(_) => "Invalid argument",
            Self::NameTooLong(_) => "File name too long",
            Self::ReadOnly(_) => "Read-only file system",
            Self::Busy(_) => "Device or resource busy",
            Self::PermissionDenied(_) => "Permission denied",
            Self::NotPermitted(_) => "Operation not permitted",
        }
    }
}
