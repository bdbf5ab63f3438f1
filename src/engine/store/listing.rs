//! The images `docker image ls` lists, as the Docker 20.10 daemon lists
//! them: every image record, and every image the classic builder committed
//! for a step that no image record is (its cache is those step images:
//! each RUN, COPY, ENV, WORKDIR, CMD, … step commits one, a FROM none).
//!
//! A step image has no tag. One a later step was built on is an
//! *intermediate* image, listed only with `-a`; one nothing was built on is
//! dangling and listed always: the image a build left when a later step
//! failed, the last step of a stage no later stage builds on, the image a
//! rebuild moved the tag away from. An image record without a tag is
//! hidden the same way when a classic step was built on it: a longer
//! Dockerfile's build went on from its last step, or a build started
//! `FROM` it. (A `FROM` is known by the tag it named: once that tag is
//! gone, layerlab no longer sees that child, which the daemon still does.)
//! `system df` counts what the listing without `-a` shows (checked on the
//! live engine: its Images TOTAL leaves the intermediate images out).
//!
//! A step image's layers are its base's followed by each step's layer down
//! its chain, so its SIZE is the image's whole size at that step.

use super::{EngineState, ImageRecord};
use crate::engine::cache::CacheRecord;
use crate::engine::cache_key::{CacheKey, OpInputs};
use crate::engine::report::LayerInfo;
use crate::filesystem::digest::Digest;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// One image as the listing sees it: an image record, or a classic step
/// image no record is.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedImage<'a> {
    pub id: Digest,
    /// Oldest first, its base's included.
    pub layers: Cow<'a, [LayerInfo]>,
    /// The build that made it (0: imported, pulled or committed by hand).
    pub created: u64,
    /// Its record; None for a step image.
    pub record: Option<&'a ImageRecord>,
    /// For a step image, the key of its classic cache record.
    pub step: Option<Digest>,
    /// No tag names it and something was built on it: shown with `-a` only.
    pub intermediate: bool,
    /// How many classic steps down from its base it is (0 for an image no
    /// classic build made): of two images made in the same build, the
    /// later step is the newer one.
    depth: usize,
}

impl ListedImage<'_> {
    /// Every layer (`docker image ls` SIZE).
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

/// One row of `docker image ls`: an image under one of its tags, or an
/// image no tag names (`name` None).
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<'a> {
    /// Repository and tag.
    pub name: Option<(&'a str, &'a str)>,
    pub image: ListedImage<'a>,
}

/// The classic cache as a tree of step images: each record's image id (its
/// `chain`) and what was built on which.
struct StepTree<'a> {
    /// Step image id → its record.
    by_image: BTreeMap<Digest, &'a CacheRecord>,
    /// The ids every step was built on (step images and bases).
    parents: BTreeSet<Digest>,
}

impl<'a> StepTree<'a> {
    fn of(state: &'a EngineState) -> Self {
        let mut by_image = BTreeMap::new();
        let mut parents = BTreeSet::new();
        for (_, record) in state.classic_cache.iter() {
            by_image.insert(record.chain, record);
            parents.extend(record.key.parent);
        }
        StepTree { by_image, parents }
    }

    /// The records from the step after the base up to the step `key`, and
    /// what the first was built on (the digest of its base's cache key).
    /// A chain that loops (no build makes one) stops where it would.
    fn path(&self, key: Digest, record: &'a CacheRecord) -> (Vec<&'a CacheRecord>, Digest) {
        let mut path = vec![record];
        let mut root = record.key.parent.unwrap_or(key);
        while let Some(below) = self.by_image.get(&root) {
            if path.len() > self.by_image.len() {
                break;
            }
            path.push(below);
            root = below.key.parent.unwrap_or(root);
        }
        path.reverse();
        (path, root)
    }
}

/// The layer a path of steps adds, oldest first.
fn step_layers<'r>(path: &'r [&'r CacheRecord]) -> impl Iterator<Item = &'r LayerInfo> + 'r {
    path.iter().filter_map(|r| r.layer.as_ref())
}

impl EngineState {
    /// Every image, step images too, in no particular order.
    pub fn listed_images(&self) -> Vec<ListedImage<'_>> {
        let tree = StepTree::of(self);
        let tagged: BTreeSet<Digest> = self.tags.values().copied().collect();
        let base_ids = self.step_base_ids();
        let bases = self.step_bases(&tree, &base_ids);
        let parents = self.image_parents(&tree, &base_ids);
        let steps: BTreeSet<Digest> = self
            .images
            .values()
            .filter_map(|i| i.classic_step)
            .collect();
        let mut out = Vec::new();
        for image in self.images.values() {
            let depth = image
                .classic_step
                .and_then(|k| self.classic_cache.get(&k).map(|r| tree.path(k, r).0.len()))
                .unwrap_or(0);
            out.push(ListedImage {
                id: image.id,
                layers: Cow::Borrowed(&image.layers),
                created: image.history.last().map_or(0, |h| h.built_in),
                record: Some(image),
                step: None,
                intermediate: parents.contains(&image.id) && !tagged.contains(&image.id),
                depth,
            });
        }
        for (key, record) in self.classic_cache.iter() {
            if steps.contains(key) {
                continue;
            }
            let (path, root) = tree.path(*key, record);
            let mut layers: Vec<LayerInfo> = bases.get(&root).cloned().unwrap_or_default();
            layers.extend(step_layers(&path).cloned());
            out.push(ListedImage {
                id: record.chain,
                layers: Cow::Owned(layers),
                created: record.built_by.build,
                record: None,
                step: Some(*key),
                intermediate: tree.parents.contains(&record.chain),
                depth: path.len(),
            });
        }
        out
    }

    /// The image records a classic step was built on: as the last step of
    /// an earlier build (a longer Dockerfile went on from it), or as the
    /// base it starts `FROM`.
    fn image_parents(
        &self,
        tree: &StepTree<'_>,
        base_ids: &BTreeMap<Digest, Digest>,
    ) -> BTreeSet<Digest> {
        let mut parents: BTreeSet<Digest> = tree
            .parents
            .iter()
            .filter_map(|p| base_ids.get(p).copied())
            .collect();
        parents.extend(self.images.values().filter_map(|i| {
            let record = self.classic_cache.get(&i.classic_step?)?;
            tree.parents.contains(&record.chain).then_some(i.id)
        }));
        parents
    }

    /// Whether a classic step was built on image `id` (see
    /// [`EngineState::listed_images`]): the daemon keeps such an image,
    /// untagged, for its children.
    pub(super) fn built_on(&self, id: &Digest) -> bool {
        self.image_parents(&StepTree::of(self), &self.step_base_ids())
            .contains(id)
    }

    /// The image each classic chain starts from, by the digest of that
    /// base's cache key: the image a tag (or an id, as `FROM` may name it)
    /// names. A chain `FROM scratch` starts from no image.
    fn step_base_ids(&self) -> BTreeMap<Digest, Digest> {
        let named = self
            .tags
            .iter()
            .map(|(tag, id)| (tag.clone(), *id))
            .chain(self.images.keys().map(|id| (id.to_string(), *id)));
        named
            .map(|(reference, image)| {
                let key = CacheKey {
                    parent: None,
                    op: OpInputs::Base { reference, image },
                };
                (key.digest(), image)
            })
            .collect()
    }

    /// The layers of the base each classic chain starts from, by the
    /// digest of that base's cache key: that image's, else (its tag gone)
    /// a built image's on the chain less those its steps added. A chain
    /// from neither starts from nothing, as one `FROM scratch` does.
    fn step_bases(
        &self,
        tree: &StepTree<'_>,
        base_ids: &BTreeMap<Digest, Digest>,
    ) -> BTreeMap<Digest, Vec<LayerInfo>> {
        let mut bases: BTreeMap<Digest, Vec<LayerInfo>> = base_ids
            .iter()
            .filter_map(|(root, id)| self.images.get(id).map(|i| (*root, i.layers.clone())))
            .collect();
        for image in self.images.values() {
            let Some((key, record)) = image
                .classic_step
                .and_then(|k| self.classic_cache.get(&k).map(|r| (k, r)))
            else {
                continue;
            };
            let (path, root) = tree.path(key, record);
            let added = step_layers(&path).count();
            if let Some(below) = image.layers.len().checked_sub(added) {
                bases
                    .entry(root)
                    .or_insert_with(|| image.layers[..below].to_vec());
            }
        }
        bases
    }

    /// The image each row of `docker history` names, newest first, as the
    /// daemon fills them in walking the image's parents: a classic build's
    /// rows are its step images, down to its base, whose newest row is the
    /// base (and so on down, for a base built by the classic builder too);
    /// the rows past the last parent are `<missing>` (None), as every row
    /// but the newest of a BuildKit-built or pulled image is.
    pub fn history_ids(&self, image: &ImageRecord) -> Vec<Option<Digest>> {
        let tree = StepTree::of(self);
        let bases = self.step_base_ids();
        let mut ids = vec![Some(image.id)];
        let mut current = image;
        while let Some((key, record)) = current
            .classic_step
            .and_then(|k| self.classic_cache.get(&k).map(|r| (k, r)))
        {
            let (path, root) = tree.path(key, record);
            ids.extend(path.iter().rev().skip(1).map(|r| Some(r.chain)));
            let Some(base) = bases.get(&root).and_then(|id| self.images.get(id)) else {
                break;
            };
            ids.push(Some(base.id));
            // A chain of bases is as long as the images are many, at most.
            if ids.len() > image.history.len() + self.images.len() {
                break;
            }
            current = base;
        }
        ids.resize(image.history.len().max(1), None);
        ids
    }

    /// `docker image ls [-a] [REPOSITORY[:TAG]]`: every tag in name order,
    /// then (without a reference) the images no tag names, newest first:
    /// dangling ones always, intermediate ones only with `all`.
    pub fn list_images(&self, reference: Option<&str>, all: bool) -> Vec<Listed<'_>> {
        let wanted = |repo: &str, tag: &str| match reference {
            None => true,
            Some(f) => match f.split_once(':') {
                Some((r, t)) => r == repo && t == tag,
                None => f == repo,
            },
        };
        let images = self.listed_images();
        let tagged: BTreeSet<Digest> = self.tags.values().copied().collect();
        let mut out = Vec::new();
        for (name, digest) in &self.tags {
            let (repo, tag) = name.rsplit_once(':').unwrap_or((name.as_str(), "latest"));
            let Some(image) = images.iter().find(|i| i.id == *digest) else {
                continue;
            };
            if wanted(repo, tag) {
                out.push(Listed {
                    name: Some((repo, tag)),
                    image: image.clone(),
                });
            }
        }
        if reference.is_none() {
            let mut untagged: Vec<ListedImage> = images
                .into_iter()
                .filter(|i| !tagged.contains(&i.id))
                .filter(|i| all || !i.intermediate)
                .collect();
            // The daemon sorts by creation time, to the second, and leaves
            // ties in no fixed order; layerlab's builds are a minute each,
            // so within one the later step comes first.
            untagged.sort_by(|a, b| (b.created, b.depth, a.id).cmp(&(a.created, a.depth, b.id)));
            out.extend(
                untagged
                    .into_iter()
                    .map(|image| Listed { name: None, image }),
            );
        }
        out
    }

    /// The images `docker image ls` shows without `-a` (each once), which
    /// `system df` counts and `image prune` chooses from.
    pub fn shown_images(&self) -> Vec<ListedImage<'_>> {
        self.listed_images()
            .into_iter()
            .filter(|i| !i.intermediate)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::compile;
    use crate::engine::builder::{build_compiled, BuildOptions, BuilderKind};
    use crate::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
    use crate::engine::store::RemoveError;

    const STEPS: &str = "FROM busybox\nENV A=1\nRUN echo hi > /x\nWORKDIR /app\n\
        COPY f /app/f\nCMD [\"sh\"]\n";

    /// A classic build of `dockerfile`, tagged `tag`, with `f` holding
    /// `file` in its context.
    fn build(s: &mut EngineState, dockerfile: &str, file: &str, tag: &str) -> bool {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("f"), file).expect("write");
        let ignore = read_dockerignore(dir.path()).expect("ignore");
        let ctx = ContextSnapshot::capture(dir.path(), &ignore, &mut StatCache::default())
            .expect("snapshot");
        let opts = BuildOptions {
            builder: BuilderKind::Classic,
            tags: vec![tag.into()],
            ..BuildOptions::default()
        };
        build_compiled(s, &compile(dockerfile), &ctx, &opts).is_ok()
    }

    /// The listing's rows: name (`<none>` for none) and size.
    fn rows(s: &EngineState, all: bool) -> Vec<(String, u64)> {
        s.list_images(None, all)
            .iter()
            .map(|l| {
                let name = l.name.map_or("<none>".into(), |(r, t)| format!("{r}:{t}"));
                (name, l.image.size())
            })
            .collect()
    }

    fn size_of(s: &EngineState, tag: &str) -> u64 {
        s.image(tag).expect("tagged").size()
    }

    #[test]
    fn every_step_of_a_classic_build_is_an_image_listed_with_all() {
        let mut s = EngineState::default();
        assert!(build(&mut s, STEPS, "12345", "web:v1"));
        let (base, top) = (size_of(&s, "busybox"), size_of(&s, "web:v1"));
        assert_eq!(top, base + 3 + 5, "the RUN's and the COPY's bytes");
        // Without -a: the two tags only (busybox was pulled by the build).
        assert_eq!(
            rows(&s, false),
            [("busybox:latest".to_string(), base), ("web:v1".into(), top)]
        );
        // With -a: the ENV, RUN, WORKDIR and COPY steps' images too (CMD's
        // is web:v1), newest first, each the whole image at that step.
        let none = |size| ("<none>".to_string(), size);
        assert_eq!(
            rows(&s, true),
            [
                ("busybox:latest".to_string(), base),
                ("web:v1".into(), top),
                none(top),
                none(base + 3),
                none(base + 3),
                none(base),
            ]
        );
        // `system df` counts the images the listing shows without -a.
        assert_eq!(s.disk_usage().images.len(), 2);
        assert_eq!(s.disk_usage().total, top);
        // A rebuild that hits the cache makes no image.
        assert!(build(&mut s, STEPS, "12345", "web:v1"));
        assert_eq!(rows(&s, true).len(), 6);
    }

    #[test]
    fn a_rebuild_that_moves_the_tag_leaves_the_old_image_dangling() {
        let mut s = EngineState::default();
        assert!(build(&mut s, STEPS, "12345", "web:v1"));
        let old = size_of(&s, "web:v1");
        assert!(build(&mut s, STEPS, "1234567", "web:v1"));
        let new = size_of(&s, "web:v1");
        assert_eq!(new, old + 2);
        let shown = rows(&s, false);
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert_eq!(shown[2], ("<none>".to_string(), old));
        // The new COPY's image joins the four step images of the first build.
        assert_eq!(rows(&s, true).len(), 3 + 5);
        assert_eq!(s.disk_usage().images.len(), 3);

        // `rmi` of the new image takes its COPY step; the WORKDIR's stays
        // for the old image's COPY step.
        let removed = s.remove_image("web:v1", false).expect("rmi");
        assert_eq!(removed.deleted.len(), 1 + 1 + 1, "image, COPY image, layer");
        assert_eq!(rows(&s, true).len(), 1 + 5);
    }

    #[test]
    fn a_failed_build_leaves_its_last_step_image_dangling() {
        let mut s = EngineState::default();
        let failing = "FROM busybox\nLABEL a=1\nRUN echo hi > /x\nRUN exit 3\n";
        assert!(!build(&mut s, failing, "", "web:v1"));
        let base = size_of(&s, "busybox");
        let none = |size| ("<none>".to_string(), size);
        assert_eq!(
            rows(&s, false),
            [("busybox:latest".to_string(), base), none(base + 3)]
        );
        assert_eq!(rows(&s, true).len(), 3);
        let listed = s.list_images(None, true);
        let (top, label) = (listed[1].image.id, listed[2].image.id);
        // The LABEL's image has the RUN's on it: it stays, even forced.
        assert_eq!(
            s.remove_image(&label.hex()[..12], true),
            Err(RemoveError::HasDependentChildren(label))
        );
        assert_eq!(
            RemoveError::HasDependentChildren(label).to_string(),
            format!(
                "conflict: unable to delete {} (cannot be forced) - image has dependent child images",
                label.short()
            )
        );
        // The top one goes with its layer and the LABEL's image below it.
        let removed = s.remove_image(&top.hex()[..12], false).expect("rmi");
        assert_eq!(removed.untagged, Vec::<String>::new());
        assert_eq!(removed.deleted.len(), 3, "{removed:?}");
        assert_eq!((removed.deleted[0], removed.deleted[2]), (top, label));
        assert_eq!(rows(&s, true), [("busybox:latest".to_string(), base)]);
        assert!(s.classic_cache.is_empty());
    }

    #[test]
    fn an_image_a_later_build_went_on_from_is_an_intermediate_one() {
        let mut s = EngineState::default();
        let short = "FROM busybox\nRUN echo hi > /x\n";
        assert!(build(&mut s, short, "", "web:v1"));
        let first = s.image("web:v1").expect("built").id;
        let longer = format!("{short}COPY f /f\n");
        assert!(build(&mut s, &longer, "12345", "web:v1"));
        // The first image is the RUN step's: untagged, with the COPY's on it.
        let hidden: Vec<Digest> = s
            .list_images(None, false)
            .iter()
            .map(|l| l.image.id)
            .collect();
        assert!(!hidden.contains(&first));
        let all: Vec<Digest> = s
            .list_images(None, true)
            .iter()
            .map(|l| l.image.id)
            .collect();
        assert_eq!(all.len(), 3);
        assert!(all.contains(&first));
        // `rmi` of the new image takes the old one below it too.
        let removed = s.remove_image("web:v1", false).expect("rmi");
        assert!(removed.deleted.contains(&first), "{removed:?}");
        assert!(!s.images.contains_key(&first));
        assert_eq!(rows(&s, true).len(), 1);
    }

    #[test]
    fn history_names_each_classic_step_image_down_to_the_base() {
        let mut s = EngineState::default();
        assert!(build(
            &mut s,
            "FROM busybox\nLABEL a=1\nRUN echo hi > /x\n",
            "",
            "base:1"
        ));
        let base = s.image("base:1").expect("built").clone();
        let busybox = s.image("busybox").expect("pulled").clone();
        let steps: Vec<Digest> = s
            .list_images(None, true)
            .iter()
            .filter(|l| l.name.is_none())
            .map(|l| l.image.id)
            .collect();
        let ids = s.history_ids(&base);
        assert_eq!(ids.len(), base.history.len());
        // base:1 (the RUN's), the LABEL's, busybox's newest row, then the
        // rows of busybox's own history that name no image.
        assert_eq!(ids[..3], [Some(base.id), Some(steps[0]), Some(busybox.id)]);
        assert!(ids[3..].iter().all(Option::is_none), "{ids:?}");
        assert_eq!(s.history_ids(&busybox)[0], Some(busybox.id));

        // Built on base:1, the walk goes on through base:1's steps.
        assert!(build(&mut s, "FROM base:1\nCMD [\"sh\"]\n", "", "top:1"));
        let top = s.image("top:1").expect("built").clone();
        let ids = s.history_ids(&top);
        assert_eq!(
            ids[..4],
            [
                Some(top.id),
                Some(base.id),
                Some(steps[0]),
                Some(busybox.id)
            ]
        );

        // base:1 has a child: rmi only untags it, as the daemon does (which
        // then lists it with -a only; layerlab, knowing the child's base by
        // its tag, no longer sees that it has one).
        let removed = s.remove_image("base:1", false).expect("untag");
        assert_eq!((removed.untagged.len(), removed.deleted.len()), (1, 0));
        assert!(s.images.contains_key(&base.id));
    }
}
