//! Views of layer stacks, kept from one build to the next.
//!
//! A view answers lookups from a merged index of its whole stack, built on
//! the first lookup by applying its layers (see `lower`). A rebuild walks
//! the same stacks again: every cached step lays the same stored layer on
//! the same parent. Handing out last build's view for such a step lets an
//! executed step above it use the index built last time, instead of
//! applying every layer below it again (a large base image alone has tens
//! of thousands of paths).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::changes::LayerChanges;
use super::lower::LowerView;
use super::RootFs;

/// The views handed out by the current and the previous build.
#[derive(Clone, Default)]
pub struct ViewCache {
    bases: Vec<Base>,
    /// By the addresses of the parent view and the top layer; the entry
    /// holds both, so neither address can be reused while it exists.
    stacked: HashMap<(usize, usize), Stacked>,
    build: u64,
    /// Whether the current build asked for any view.
    asked: bool,
}

#[derive(Clone)]
struct Base {
    layers: Vec<Arc<LayerChanges>>,
    view: Arc<LowerView>,
    used: u64,
}

#[derive(Clone)]
struct Stacked {
    _parent: Arc<LowerView>,
    _top: Arc<LayerChanges>,
    view: Arc<LowerView>,
    used: u64,
}

impl fmt::Debug for ViewCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ViewCache")
            .field("bases", &self.bases.len())
            .field("stacked", &self.stacked.len())
            .finish()
    }
}

impl ViewCache {
    /// [`RootFs::from_layers`], reusing the view of the same layers.
    pub fn base(&mut self, layers: Vec<Arc<LayerChanges>>) -> RootFs {
        let build = self.build;
        self.asked = true;
        let same = |b: &&mut Base| {
            b.layers.len() == layers.len()
                && b.layers.iter().zip(&layers).all(|(x, y)| Arc::ptr_eq(x, y))
        };
        let view = match self.bases.iter_mut().find(same) {
            Some(b) => {
                b.used = build;
                Arc::clone(&b.view)
            }
            None => {
                let view = Arc::new(LowerView::new(layers.clone()));
                self.bases.push(Base {
                    layers,
                    view: Arc::clone(&view),
                    used: build,
                });
                view
            }
        };
        RootFs::on(view, 0)
    }

    /// `fs` (its upper layer empty) with `layer`, already stored (a cached
    /// step's), laid on top as a new lower layer; the view of `layer` on the
    /// same parent is reused.
    pub fn with_layer(&mut self, fs: RootFs, layer: Arc<LayerChanges>) -> RootFs {
        let key = (
            Arc::as_ptr(&fs.lower) as usize,
            Arc::as_ptr(&layer) as usize,
        );
        let build = self.build;
        self.asked = true;
        let entry = self.stacked.entry(key).or_insert_with(|| Stacked {
            view: Arc::new(LowerView::on_top(Arc::clone(&fs.lower), Arc::clone(&layer))),
            _parent: fs.lower,
            _top: layer,
            used: build,
        });
        entry.used = build;
        RootFs::on(Arc::clone(&entry.view), fs.now)
    }

    /// Ends a build: forgets the views it did not use — unless it used
    /// none (a fully cached build looks at no filesystem: the views of the
    /// build before are still those the next one wants).
    pub fn sweep(&mut self) {
        if !std::mem::take(&mut self.asked) {
            return;
        }
        let build = self.build;
        self.bases.retain(|b| b.used == build);
        self.stacked.retain(|_, s| s.used == build);
        self.build += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filesystem::rootfs::{Change, Node, PathKey};

    fn layer(path: &str) -> Arc<LayerChanges> {
        let mut changes = LayerChanges::new();
        changes.insert(PathKey::from_clean(path), Change::Put(Node::default_dir()));
        Arc::new(changes)
    }

    #[test]
    fn the_same_stack_gets_the_same_view_until_a_build_skips_it() {
        let (a, b, c) = (layer("a"), layer("b"), layer("c"));
        let mut views = ViewCache::default();
        let base = views.base(vec![Arc::clone(&a)]);
        let first = views.with_layer(base, Arc::clone(&b));
        assert!(first.exists("/a") && first.exists("/b"));
        views.sweep();

        let base = views.base(vec![Arc::clone(&a)]);
        let again = views.with_layer(base.clone(), Arc::clone(&b));
        assert!(Arc::ptr_eq(&first.lower, &again.lower));
        // Another layer on the same parent is another view.
        let other = views.with_layer(base, Arc::clone(&c));
        assert!(!Arc::ptr_eq(&first.lower, &other.lower));
        assert!(other.exists("/c") && !other.exists("/b"));
        views.sweep();

        // A build that looked at no filesystem forgets nothing.
        views.sweep();
        let base = views.base(vec![Arc::clone(&a)]);
        let kept = views.with_layer(base, Arc::clone(&b));
        assert!(Arc::ptr_eq(&first.lower, &kept.lower));
        views.sweep();

        // A build that used neither stack forgets both.
        let _other = views.base(vec![Arc::clone(&c)]);
        views.sweep();
        let base = views.base(vec![a]);
        let fresh = views.with_layer(base, b);
        assert!(!Arc::ptr_eq(&first.lower, &fresh.lower));
    }
}
