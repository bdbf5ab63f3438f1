//! Paths inside an image, as map keys ordered like a directory walk.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Bound;
use std::sync::Arc;

/// A clean path inside the image, relative to `/`: components joined by `/`,
/// none empty, `.` or `..`. The root is the empty key.
///
/// Keys order the way Go's `filepath.Walk` (and so Docker's layer differs)
/// visits a tree: component by component, each by bytes. That is byte order
/// with `/` counted lowest, which puts a directory's whole subtree right
/// after it (`a`, `a/z`, `a-b`) — so parents come before children and a
/// subtree is one contiguous range of a `BTreeMap`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PathKey(Arc<str>);

/// The byte that sorts right after every key of a subtree: names never hold
/// NUL, so `key + "\x01"` is above `key/anything` and at or below any later
/// sibling.
const AFTER_SUBTREE: char = '\u{1}';

impl PathKey {
    /// `/`.
    pub fn root() -> Self {
        Self(Arc::from(""))
    }

    /// Wraps an already clean relative path (the caller guarantees it).
    pub(crate) fn from_clean(s: &str) -> Self {
        Self(Arc::from(s))
    }

    /// Cleans an archive or user path lexically: leading `/` and `./`, empty
    /// and `.` components are dropped. `..` is refused (returns `None`)
    /// because a lexical `..` cannot be resolved safely without the tree.
    pub fn parse_lexical(path: &str) -> Option<Self> {
        let mut out = String::with_capacity(path.len());
        for comp in path.split('/') {
            match comp {
                "" | "." => {}
                ".." => return None,
                name => {
                    if !out.is_empty() {
                        out.push('/');
                    }
                    out.push_str(name);
                }
            }
        }
        Some(Self(Arc::from(out)))
    }

    /// The path without a leading `/` (`""` for the root).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `/`.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last component (`""` for the root).
    pub fn name(&self) -> &str {
        match self.0.rfind('/') {
            Some(i) => &self.0[i + 1..],
            None => &self.0,
        }
    }

    /// The containing directory, `None` for the root.
    pub fn parent(&self) -> Option<PathKey> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rfind('/') {
            Some(i) => Self::from_clean(&self.0[..i]),
            None => Self::root(),
        })
    }

    /// `self/name`; `name` must be one clean component.
    pub fn join(&self, name: &str) -> PathKey {
        if self.is_root() {
            return Self::from_clean(name);
        }
        // Assembled on the stack when it fits, so the key costs one
        // allocation, its own (a COPY makes thousands).
        let len = self.0.len() + 1 + name.len();
        let mut buf = [0u8; 128];
        if let Some(out) = buf.get_mut(..len) {
            let (dir, rest) = out.split_at_mut(self.0.len());
            dir.copy_from_slice(self.0.as_bytes());
            rest[0] = b'/';
            rest[1..].copy_from_slice(name.as_bytes());
            if let Ok(joined) = std::str::from_utf8(out) {
                return Self(Arc::from(joined));
            }
        }
        Self(Arc::from(format!("{}/{name}", self.0)))
    }

    /// Whether `self` lies strictly inside `dir`.
    pub fn is_inside(&self, dir: &PathKey) -> bool {
        if dir.is_root() {
            return !self.is_root();
        }
        self.0.len() > dir.0.len()
            && self.0.starts_with(&*dir.0)
            && self.0.as_bytes()[dir.0.len()] == b'/'
    }

    /// The first key that sorts after this key's whole subtree.
    pub(crate) fn after_subtree(&self) -> PathKey {
        let mut s = String::with_capacity(self.0.len() + 1);
        s.push_str(&self.0);
        s.push(AFTER_SUBTREE);
        Self(Arc::from(s))
    }

    /// The key range of everything strictly inside `self`.
    pub(crate) fn inside_range(&self) -> (Bound<PathKey>, Bound<PathKey>) {
        let end = if self.is_root() {
            Bound::Unbounded
        } else {
            Bound::Excluded(self.after_subtree())
        };
        (Bound::Excluded(self.clone()), end)
    }

    /// `self` relative to its ancestor `dir` (`None` unless inside it).
    pub fn strip_prefix(&self, dir: &PathKey) -> Option<&str> {
        if !self.is_inside(dir) {
            return None;
        }
        Some(if dir.is_root() {
            &self.0
        } else {
            &self.0[dir.0.len() + 1..]
        })
    }

    /// The ancestors from the parent up to the root, nearest first.
    pub fn ancestors(&self) -> impl Iterator<Item = PathKey> + '_ {
        let s: &str = &self.0;
        let mut end = Some(s.len());
        std::iter::from_fn(move || {
            let e = end?;
            if e == 0 {
                end = None;
                return None;
            }
            let cut = s[..e].rfind('/');
            end = Some(cut.unwrap_or(0));
            Some(Self::from_clean(&s[..cut.unwrap_or(0)]))
        })
    }
}

fn walk_byte(b: u8) -> u8 {
    if b == b'/' {
        0
    } else {
        b
    }
}

impl Ord for PathKey {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        match first_difference(a, b) {
            Some(i) => walk_byte(a[i]).cmp(&walk_byte(b[i])),
            None => a.len().cmp(&b.len()),
        }
    }
}

/// Where two byte strings first differ. Keys in one tree share long
/// prefixes (`usr/lib/…`), so the common part is skipped eight bytes at a
/// time: this is the comparison every map lookup of the filesystem makes.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    a[i..]
        .iter()
        .zip(&b[i..])
        .position(|(x, y)| x != y)
        .map(|p| p + i)
}

impl PartialOrd for PathKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for PathKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

impl fmt::Display for PathKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> PathKey {
        PathKey::from_clean(s)
    }

    #[test]
    fn walk_order_puts_subtree_right_after_its_dir() {
        let mut v = [
            k("a-b"),
            k("a/z"),
            k("a"),
            k("a.c"),
            k(""),
            k("a/b/c"),
            k("b"),
        ];
        v.sort();
        let got: Vec<&str> = v.iter().map(PathKey::as_str).collect();
        assert_eq!(got, ["", "a", "a/b/c", "a/z", "a-b", "a.c", "b"]);
        assert!(k("a/zzz") < k("a").after_subtree());
        assert!(k("a").after_subtree() <= k("a\u{1}x"));
        assert!(k("a").after_subtree() < k("a-b"));
    }

    #[test]
    fn lexical_parse_cleans_and_refuses_dotdot() {
        assert_eq!(
            PathKey::parse_lexical("./bin//sh/.").map(|p| p.0),
            Some(Arc::from("bin/sh"))
        );
        assert_eq!(PathKey::parse_lexical("/").map(|p| p.is_root()), Some(true));
        assert!(PathKey::parse_lexical("a/../b").is_none());
    }

    #[test]
    fn parents_names_and_ancestors() {
        assert_eq!(k("a/b/c").parent(), Some(k("a/b")));
        assert_eq!(k("a").parent(), Some(PathKey::root()));
        assert_eq!(PathKey::root().parent(), None);
        assert_eq!(k("a/b/c").name(), "c");
        let anc: Vec<PathKey> = k("a/b/c").ancestors().collect();
        assert_eq!(anc, [k("a/b"), k("a"), PathKey::root()]);
        assert!(k("a/b").is_inside(&k("a")));
        assert!(!k("ab").is_inside(&k("a")));
        assert!(k("a").is_inside(&PathKey::root()));
        assert_eq!(k("a/b/c").strip_prefix(&k("a")), Some("b/c"));
        assert_eq!(PathKey::root().join("x").join("y"), k("x/y"));
    }
}
