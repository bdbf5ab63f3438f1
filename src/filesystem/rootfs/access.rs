//! The permission bits a running process that is not root meets when it
//! writes, as the kernel checks them: a new or removed entry needs write
//! and search permission on its directory (and, in a sticky one like
//! `/tmp`, to own the entry or the directory), new content needs write
//! permission on the file, a mode, owner or time change needs its owner;
//! every directory on the way needs search permission, reading a file or
//! listing a directory needs read permission on it.

use super::node::{FsError, Node};

/// Who a running process is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

/// What a write does at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Adds, removes or replaces the entry in its directory.
    Entry,
    /// Writes an existing file's content.
    Content,
    /// Changes its mode, owner or times.
    Owner,
}

/// The `rwx` bits a use of an existing node wants (as `0o7`).
pub const READ: u32 = 0o4;
const WRITE: u32 = 0o2;
pub const SEARCH: u32 = 0o1;
/// On a file, the bit that is [`SEARCH`] on a directory.
pub const EXECUTE: u32 = 0o1;
const STICKY: u32 = 0o1000;

impl Credentials {
    /// Whether the `want` bits (of `rwx`, as `0o7`) are granted on `node`.
    fn may(&self, node: &Node, want: u32) -> bool {
        let bits = if node.uid == self.uid {
            node.mode >> 6
        } else if node.gid == self.gid || self.groups.contains(&node.gid) {
            node.mode >> 3
        } else {
            node.mode
        };
        bits & want == want
    }

    /// Whether the `want` bits ([`READ`], [`SEARCH`]) are let on `node`;
    /// root passes every read and search.
    pub fn check_use(&self, node: &Node, want: u32, path: &str) -> Result<(), FsError> {
        if self.uid == 0 || self.may(node, want) {
            Ok(())
        } else {
            Err(FsError::PermissionDenied(path.to_owned()))
        }
    }

    /// Whether this write is let: `dir` is the directory of the entry (for
    /// [`Access::Entry`]), `node` what is at the path now.
    pub fn check(
        &self,
        access: Access,
        dir: Option<&Node>,
        node: Option<&Node>,
        path: &str,
    ) -> Result<(), FsError> {
        if self.uid == 0 {
            return Ok(());
        }
        let denied = || Err(FsError::PermissionDenied(path.to_owned()));
        match access {
            Access::Entry => match dir {
                Some(d) if !self.may(d, WRITE | SEARCH) => denied(),
                Some(d)
                    if d.mode & STICKY != 0
                        && d.uid != self.uid
                        && node.is_some_and(|n| n.uid != self.uid) =>
                {
                    Err(FsError::NotPermitted(path.to_owned()))
                }
                _ => Ok(()),
            },
            Access::Content => match node {
                Some(n) if !self.may(n, WRITE) => denied(),
                _ => Ok(()),
            },
            Access::Owner => match node {
                Some(n) if n.uid != self.uid => Err(FsError::NotPermitted(path.to_owned())),
                _ => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(uid: u32, gid: u32, groups: &[u32]) -> Credentials {
        Credentials {
            uid,
            gid,
            groups: groups.to_vec(),
        }
    }

    #[test]
    fn a_user_writes_where_its_bits_say() {
        let root_dir = Node::dir(0o755, 0, 0);
        let app = user(1000, 1000, &[]);
        let path = "/x";
        assert_eq!(
            app.check(Access::Entry, Some(&root_dir), None, path),
            Err(FsError::PermissionDenied(path.into()))
        );
        assert_eq!(
            user(0, 0, &[]).check(Access::Entry, Some(&root_dir), None, path),
            Ok(())
        );
        let own = Node::dir(0o755, 1000, 1000);
        assert_eq!(app.check(Access::Entry, Some(&own), None, path), Ok(()));
        let group = Node::dir(0o775, 0, 50);
        assert!(app.check(Access::Entry, Some(&group), None, path).is_err());
        let member = user(1000, 1000, &[50]);
        assert_eq!(
            member.check(Access::Entry, Some(&group), None, path),
            Ok(())
        );
        let file = Node::dir(0o644, 0, 0);
        assert!(app.check(Access::Content, None, Some(&file), path).is_err());
        assert_eq!(
            app.check(Access::Owner, None, Some(&file), path),
            Err(FsError::NotPermitted(path.into()))
        );
    }

    #[test]
    fn a_sticky_directory_keeps_others_entries() {
        let tmp = Node::dir(0o1777, 0, 0);
        let app = user(1000, 1000, &[]);
        let theirs = Node::dir(0o644, 0, 0);
        let mine = Node::dir(0o644, 1000, 1000);
        assert_eq!(
            app.check(Access::Entry, Some(&tmp), None, "/tmp/new"),
            Ok(())
        );
        assert_eq!(
            app.check(Access::Entry, Some(&tmp), Some(&mine), "/tmp/m"),
            Ok(())
        );
        assert_eq!(
            app.check(Access::Entry, Some(&tmp), Some(&theirs), "/tmp/t"),
            Err(FsError::NotPermitted("/tmp/t".into()))
        );
    }
}
