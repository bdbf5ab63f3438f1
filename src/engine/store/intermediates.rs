//! What deleting an image takes with it, as the daemon lists it. The
//! classic builder commits every step as an image of its own, and its cache
//! is those images: deleting a built image deletes, one by one down the
//! chain, the step images nothing else stands on (no other image is that
//! step, no other step was built on it). Each image deleted releases the
//! layer it added, which goes when nothing else holds it: another image,
//! or a BuildKit cache record (BuildKit's cache keeps the layers of what it
//! built). So after `docker rmi`, a classic rebuild starts over, where
//! BuildKit's cache, kept apart from images, still hits.

use super::usage::chain_ids;
use super::EngineState;
use crate::engine::cache::CacheRecord;
use crate::engine::report::Removal;
use crate::filesystem::digest::Digest;

impl EngineState {
    /// Delete image `id`; what went, in the daemon's order: the image,
    /// each layer that went with it (by chain id), and, for a classic
    /// build, each step image that went with it followed by its layer.
    pub fn delete_image(&mut self, id: &Digest) -> Vec<Digest> {
        let Some(image) = self.images.remove(id) else {
            return Vec::new();
        };
        let chains: Vec<Digest> = chain_ids(&image).map(|(c, _)| c).collect();
        let mut deleted = vec![image.id];
        let Some(top) = image.classic_step else {
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
        let mut below = chains.len();
        let mut step = Some(top);
        let mut first = true;
        while let Some(key) = step {
            let Some(record) = self.classic_cache.get(&key).cloned() else {
                break;
            };
            if self.stands_on(&key, &record) {
                break;
            }
            self.classic_cache.remove(&key);
            self.record_removed(
                key,
                Removal::WithImage {
                    image: image.id.short(),
                },
            );
            if !first {
                deleted.push(record.chain);
            }
            first = false;
            if record.layer.is_some() && below > 0 {
                below -= 1;
                if !self.holds(&chains[below], &image.layers[below].diff_id) {
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
        deleted
    }

    /// Whether something still stands on classic step `key`: an image that
    /// is that step, or a step built on its image.
    fn stands_on(&self, key: &Digest, record: &CacheRecord) -> bool {
        self.images.values().any(|i| i.classic_step == Some(*key))
            || self
                .classic_cache
                .iter()
                .any(|(_, r)| r.key.parent == Some(record.chain))
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
            .any(|i| chain_ids(i).any(|(c, _)| c == *chain))
            || in_cache(&self.buildkit_cache)
            || in_cache(&self.classic_cache)
    }
}
