//! The read-only lower layers of a view, merged lazily into one index.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::changes::{child_names, Change, LayerChanges};
use super::node::Node;
use super::path::PathKey;

/// Path → effective node of a stack of layers, whiteouts already applied.
pub(crate) type Index = BTreeMap<PathKey, Node>;

/// An immutable stack of layers shared by every snapshot built on it.
///
/// Lookups go to a merged index so a path costs one map lookup per
/// component, however many layers there are. The index is built on first
/// use: from the parent view's index plus the top layer when the parent has
/// one (the usual case while a build chains steps), else from all layers.
pub(crate) struct LowerView {
    layers: Vec<Arc<LayerChanges>>,
    /// Dropped once this view's index exists, so a long chain of snapshots
    /// does not pin every older index.
    parent: Mutex<Option<Arc<LowerView>>>,
    index: OnceLock<Arc<Index>>,
}

impl LowerView {
    pub(crate) fn new(layers: Vec<Arc<LayerChanges>>) -> Self {
        Self {
            layers,
            parent: Mutex::new(None),
            index: OnceLock::new(),
        }
    }

    /// `parent` with `top` laid over it.
    pub(crate) fn on_top(parent: Arc<LowerView>, top: Arc<LayerChanges>) -> Self {
        let mut layers = parent.layers.clone();
        layers.push(top);
        Self {
            layers,
            parent: Mutex::new(Some(parent)),
            index: OnceLock::new(),
        }
    }

    /// The layers, bottom first.
    pub(crate) fn layers(&self) -> &[Arc<LayerChanges>] {
        &self.layers
    }

    pub(crate) fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            // A poisoned lock only means another thread panicked while
            // holding it; the Option inside is still valid.
            let parent = self
                .parent
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            let built = match (parent, self.layers.last()) {
                (Some(p), Some(top)) if p.index.get().is_some() => {
                    let mut idx = p.index().clone();
                    apply(&mut idx, top);
                    idx
                }
                _ => {
                    let mut idx = Index::new();
                    for layer in &self.layers {
                        apply(&mut idx, layer);
                    }
                    idx
                }
            };
            Arc::new(built)
        })
    }

    pub(crate) fn get(&self, key: &PathKey) -> Option<&Node> {
        self.index().get(key)
    }

    pub(crate) fn child_names(&self, dir: &PathKey) -> Vec<String> {
        child_names(self.index(), dir)
    }
}

/// Applies one layer to a merged index the way extracting its tar would.
pub(crate) fn apply(idx: &mut Index, layer: &LayerChanges) {
    for (key, change) in layer {
        match change {
            Change::Whiteout => {
                remove_inside(idx, key);
                idx.remove(key);
            }
            Change::Opaque(node) => {
                remove_inside(idx, key);
                ensure_parents(idx, key);
                idx.insert(key.clone(), node.clone());
            }
            Change::Put(node) => {
                // A directory over a directory merges; anything else replaces
                // the old entry and whatever was below it.
                let merges = node.is_dir() && idx.get(key).is_some_and(Node::is_dir);
                if !merges {
                    remove_inside(idx, key);
                }
                ensure_parents(idx, key);
                idx.insert(key.clone(), node.clone());
            }
        }
    }
}

fn remove_inside(idx: &mut Index, dir: &PathKey) {
    let doomed: Vec<PathKey> = idx
        .range(dir.inside_range())
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        idx.remove(&k);
    }
}

/// A tar may list `a/b` without `a/`; extraction then creates `a` as a root
/// directory with mode 0755, and so does this. A non-directory in the way is
/// replaced.
fn ensure_parents(idx: &mut Index, key: &PathKey) {
    let mut missing = Vec::new();
    for anc in key.ancestors() {
        if anc.is_root() || idx.get(&anc).is_some_and(Node::is_dir) {
            break;
        }
        missing.push(anc);
    }
    for anc in missing.into_iter().rev() {
        idx.insert(anc, Node::default_dir());
    }
}
