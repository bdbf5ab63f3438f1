//! What one layer contributes: OCI layer semantics as a sorted map.

use std::collections::btree_map;
use std::collections::BTreeMap;

use super::node::Node;
use super::path::PathKey;

/// One path's change in a layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// The entry exists with this node (new, or replacing the lower one; a
    /// directory put over a lower directory keeps the lower children).
    Put(Node),
    /// The entry and everything below it in lower layers is gone (`.wh.name`).
    Whiteout,
    /// A directory whose lower content is hidden (`.wh..wh..opq`): only
    /// children from this layer and above are visible.
    Opaque(Node),
}

/// The changes of one layer, keyed and ordered as a tar walk writes them
/// (parents before children).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerChanges {
    entries: BTreeMap<PathKey, Change>,
}

impl LayerChanges {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of changed paths.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The change recorded for `path`.
    pub fn get(&self, path: &PathKey) -> Option<&Change> {
        self.entries.get(path)
    }

    /// Records `change` for `path`, replacing any earlier one.
    pub fn insert(&mut self, path: PathKey, change: Change) -> Option<Change> {
        self.entries.insert(path, change)
    }

    /// The place of `path`'s change, to read and fill with one search.
    pub(crate) fn entry(&mut self, path: PathKey) -> btree_map::Entry<'_, PathKey, Change> {
        self.entries.entry(path)
    }

    /// Forgets `path`'s change.
    pub fn remove(&mut self, path: &PathKey) -> Option<Change> {
        self.entries.remove(path)
    }

    /// All changes in walk order.
    pub fn iter(&self) -> btree_map::Iter<'_, PathKey, Change> {
        self.entries.iter()
    }

    /// The changes strictly inside `dir`, in walk order.
    pub fn inside<'a>(
        &'a self,
        dir: &'a PathKey,
    ) -> impl Iterator<Item = (&'a PathKey, &'a Change)> {
        self.entries.range(dir.inside_range())
    }

    /// Forgets `dir`'s change and every change inside it.
    pub fn remove_subtree(&mut self, dir: &PathKey) {
        let doomed: Vec<PathKey> = self.inside(dir).map(|(k, _)| k.clone()).collect();
        for k in doomed {
            self.entries.remove(&k);
        }
        self.entries.remove(dir);
    }

    /// The names of `dir`'s children that have a change at or below them,
    /// in order, each once. Skips over each child's subtree, so the cost is
    /// per child, not per entry.
    pub fn child_names(&self, dir: &PathKey) -> Vec<String> {
        child_names(&self.entries, dir)
    }

    /// The bytes `docker history` reports for this layer: regular-file bytes
    /// plus symlink target lengths, as dockerd measures an applied layer
    /// (directories, whiteouts and markers count 0).
    pub fn size(&self) -> u64 {
        self.entries
            .values()
            .map(|c| match c {
                Change::Put(n) => n.size_in_layer(),
                Change::Opaque(_) | Change::Whiteout => 0,
            })
            .sum()
    }
}

impl Node {
    fn size_in_layer(&self) -> u64 {
        if self.is_dir() {
            0
        } else {
            self.size()
        }
    }
}

impl FromIterator<(PathKey, Change)> for LayerChanges {
    fn from_iter<T: IntoIterator<Item = (PathKey, Change)>>(iter: T) -> Self {
        Self {
            entries: iter.into_iter().collect(),
        }
    }
}

impl<'a> IntoIterator for &'a LayerChanges {
    type Item = (&'a PathKey, &'a Change);
    type IntoIter = btree_map::Iter<'a, PathKey, Change>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// Names of `dir`'s children among the keys of `map` (see
/// [`LayerChanges::child_names`]).
pub(crate) fn child_names<V>(map: &BTreeMap<PathKey, V>, dir: &PathKey) -> Vec<String> {
    use std::ops::Bound::Included;
    let mut names = Vec::new();
    let (mut start, end) = dir.inside_range();
    while let Some((k, _)) = map.range((start, end.clone())).next() {
        let Some(rel) = k.strip_prefix(dir) else {
            break;
        };
        let name = rel.split('/').next().unwrap_or(rel);
        let child = dir.join(name);
        names.push(name.to_owned());
        start = Included(child.after_subtree());
    }
    names
}
