//! What deleting an image takes with it, as the daemon lists it. The
//! classic builder commits every step as an image of its own, and its cache
//! is those images: deleting a built image deletes, one by one down the
//! chain, the step images nothing else stands on (no other step was built
//! on it, no tagged image or one a container uses is that step; an
//! untagged image that is, the image a rebuild moved the tag from, goes
//! along). A step image no image record is (the last step before a failed
//! one, say) is deleted by its own id, or by `image prune`, the same way
//! down its chain. Each image deleted releases the
//! layer it added, which goes when nothing else holds it: another image,
//! or a BuildKit cache record (BuildKit's cache keeps the layers of what it
//! built). So after `docker rmi`, a classic rebuild starts over, where
//! BuildKit's cache, kept apart from images, still hits.

use super::usage::chain_ids;
use super::{EngineState, NoSuchImage, RemoveError, Removed};
use crate::engine::cache::CacheRecord;
use crate::engine::report::{LayerInfo, Removal};
use crate::filesystem::digest::Digest;

impl EngineState {
    /// Delete image `id`; what went, in the daemon's order: the image,
    /// each layer that went with it (by chain id), and, for a classic
    /// build, each step image that went with it followed by its layer.
    pub fn delete_image(&mut self, id: &Digest) -> Vec<Digest> {
        let Some(image) = self.images.remove(id) else {
            return Vec::new();
        };
        let mut deleted = vec![image.id];
        let Some(top) = image.classic_step else {
            let chains: Vec<Digest> = chain_ids(&image.layers).map(|(c, _)| c).collect();
            // Released from the top down, until a layer something holds.
            for (k, chain) in chains.iter().enumerate().rev() {
                if self.holds(chain, &image.layers[k].diff_id) {
                    break;
                }
                deleted.push(*chain);
            }
            return deleted;
        };
        // The image is its last step's image: that one is not listed again.
        self.delete_steps(top, &image.layers, image.id, false, &mut deleted);
        deleted
    }

    /// `docker rmi ID` of a classic step image no image record is (`tag`:
    /// the reference as "No such image" names it): refused while something
    /// was built on it, else deleted with what goes with it.
    pub(super) fn remove_step_image(
        &mut self,
        reference: &str,
        tag: String,
    ) -> Result<Removed, RemoveError> {
        let found = self.listed_images().into_iter().find(|i| {
            i.step.is_some()
                && reference.len() >= 4
                && (i.id.hex().starts_with(reference) || i.id.to_string() == reference)
        });
        let Some((id, Some(key), intermediate)) = found.map(|i| (i.id, i.step, i.intermediate))
        else {
            return Err(NoSuchImage(tag).into());
        };
        if intermediate {
            return Err(RemoveError::HasDependentChildren(id));
        }
        Ok(Removed {
            untagged: Vec::new(),
            deleted: self.delete_step_image(&key),
        })
    }

    /// Delete the step image of classic record `key`, one no image record
    /// is and nothing was built on (as `image prune` and `rmi` by id do,
    /// the daemon's way): it, its layer, and the step images below it that
    /// go with it, as [`EngineState::delete_image`] lists them.
    pub fn delete_step_image(&mut self, key: &Digest) -> Vec<Digest> {
        let Some(step) = self
            .listed_images()
            .into_iter()
            .find(|i| i.step == Some(*key))
        else {
            return Vec::new();
        };
        let (id, layers) = (step.id, step.layers.into_owned());
        let mut deleted = Vec::new();
        self.delete_steps(*key, &layers, id, true, &mut deleted);
        deleted
    }

    /// From step `top` down its chain, delete each step image nothing
    /// stands on, and the layer each added unless something holds it;
    /// `layers` are the top's. The top step image is listed (`list_top`)
    /// unless it is the image `image` already listed.
    fn delete_steps(
        &mut self,
        top: Digest,
        layers: &[LayerInfo],
        image: Digest,
        list_top: bool,
        deleted: &mut Vec<Digest>,
    ) {
        let chains: Vec<Digest> = chain_ids(layers).map(|(c, _)| c).collect();
        let mut below = chains.len();
        let mut step = Some(top);
        let mut first = true;
        while let Some(key) = step {
            let Some(record) = self.classic_cache.get(&key).cloned() else {
                break;
            };
            let Some(untagged) = self.free_step(&key, &record) else {
                break;
            };
            self.classic_cache.remove(&key);
            self.record_removed(
                key,
                Removal::WithImage {
                    image: image.short(),
                },
            );
            // An image record that is this step is this step image: it
            // goes under its own id.
            for id in &untagged {
                self.images.remove(id);
            }
            if untagged.is_empty() && (!first || list_top) {
                deleted.push(record.chain);
            }
            deleted.extend(untagged);
            first = false;
            if record.layer.is_some() && below > 0 {
                below -= 1;
                if !self.holds(&chains[below], &layers[below].diff_id) {
                    deleted.push(chains[below]);
                }
            }
            // The step before: the record whose image this one was built
            // on (none for the base, an image of its own).
            step = record.key.parent.and_then(|parent| {
                self.classic_cache
                    .iter()
                    .find(|(_, r)| r.chain == parent)
                    .map(|(d, _)| *d)
            });
        }
    }

    /// Whether classic step `key` can go: None while something stands on
    /// it (a step built on its image, a tagged image that is that step, a
    /// container of one), else the image records that are that step (no tag
    /// names them: a rebuild moved it), which go with it.
    fn free_step(&self, key: &Digest, record: &CacheRecord) -> Option<Vec<Digest>> {
        let built_on = self
            .classic_cache
            .iter()
            .any(|(_, r)| r.key.parent == Some(record.chain));
        let images: Vec<Digest> = self
            .images
            .values()
            .filter(|i| i.classic_step == Some(*key))
            .map(|i| i.id)
            .collect();
        let held = images.iter().any(|id| {
            self.tags.values().any(|d| d == id) || self.containers.values().any(|c| c.image == *id)
        });
        (!built_on && !held).then_some(images)
    }

    /// Whether the layer at `chain` (adding `diff_id`) is held by an image
    /// or by a build cache record.
    fn holds(&self, chain: &Digest, diff_id: &Digest) -> bool {
        let in_cache = |records: &crate::engine::cache::BuildCache| {
            records
                .iter()
                .any(|(_, r)| r.layer.as_ref().is_some_and(|l| l.diff_id == *diff_id))
        };
        self.images
            .values()
            .any(|i| chain_ids(&i.layers).any(|(c, _)| c == *chain))
            || in_cache(&self.buildkit_cache)
            || in_cache(&self.classic_cache)
    }
}
