//! Disk usage as `docker system df -v` and `docker image ls` count it: each
//! image's size, the part of it that other images share, the part only it
//! holds, and what all images take together; each container's writable
//! layer, and which images containers use (the ACTIVE images).
//!
//! A layer is shared when the same layer *in the same place* — the same
//! chain of layers below it — is in more than one image, as the daemon's
//! layer store keys layers by chain id: equal content on different parents
//! is two layers.

use super::containers::Container;
use crate::engine::report::LayerInfo;
use crate::filesystem::digest::Digest;
use std::collections::BTreeMap;

/// One image's share of the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageUsage {
    pub id: Digest,
    /// Every layer of the image (`docker image ls` SIZE).
    pub size: u64,
    /// The layers some other image also has (SHARED SIZE).
    pub shared: u64,
    /// `size - shared`: what removing only this image would free (UNIQUE
    /// SIZE).
    pub unique: u64,
    /// How many containers use it (CONTAINERS).
    pub containers: usize,
}

/// One container's share of the disk (`docker ps -s`, `system df -v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerUsage {
    pub id: Digest,
    /// Its writable layer (SIZE).
    pub size: u64,
    /// Its image's layers plus the writable one (`virtual`).
    pub virtual_size: u64,
    pub running: bool,
}

/// The images' disk usage, per image (in id order) and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskUsage {
    pub images: Vec<ImageUsage>,
    /// Every layer of every image, each counted once (`docker system df`
    /// SIZE of Images).
    pub total: u64,
    /// The layers in more than one image, each counted once.
    pub shared: u64,
    /// The containers, in id order.
    pub containers: Vec<ContainerUsage>,
}

impl DiskUsage {
    /// The usage of `images`, each an id and its layers (oldest first).
    pub fn of<'a>(images: impl IntoIterator<Item = (Digest, &'a [LayerInfo])>) -> DiskUsage {
        let images: Vec<(Digest, &[LayerInfo])> = images.into_iter().collect();
        // chain id → (layer size, how many images hold it)
        let mut layers: BTreeMap<Digest, (u64, usize)> = BTreeMap::new();
        for (_, img) in &images {
            for (chain, size) in chain_ids(img) {
                layers.entry(chain).or_insert((size, 0)).1 += 1;
            }
        }
        let per_image = images
            .iter()
            .map(|(id, img)| {
                let shared = chain_ids(img)
                    .filter(|(chain, _)| layers[chain].1 > 1)
                    .map(|(_, size)| size)
                    .sum();
                let size = img.iter().map(|l| l.size).sum();
                ImageUsage {
                    id: *id,
                    size,
                    shared,
                    unique: size - shared,
                    containers: 0,
                }
            })
            .collect();
        DiskUsage {
            images: per_image,
            total: layers.values().map(|(size, _)| size).sum(),
            shared: layers
                .values()
                .filter(|(_, refs)| *refs > 1)
                .map(|(size, _)| size)
                .sum(),
            containers: Vec::new(),
        }
    }

    /// This usage with the containers' writable layers, and each image's
    /// count of containers using it.
    pub fn with_containers<'a>(
        mut self,
        containers: impl IntoIterator<Item = &'a Container>,
    ) -> Self {
        for c in containers {
            let size = c.rw_layer.as_ref().map_or(0, |l| l.size);
            let image: u64 = c.image_layers.iter().map(|l| l.size).sum();
            self.containers.push(ContainerUsage {
                id: c.id,
                size,
                virtual_size: image + size,
                running: c.is_running(),
            });
            if let Some(u) = self.images.iter_mut().find(|u| u.id == c.image) {
                u.containers += 1;
            }
        }
        self
    }

    /// Images at least one container uses (`system df` ACTIVE of Images).
    pub fn active_images(&self) -> usize {
        self.images.iter().filter(|u| u.containers > 0).count()
    }

    /// What the containers' writable layers take together.
    pub fn containers_size(&self) -> u64 {
        self.containers.iter().map(|c| c.size).sum()
    }

    /// One image's usage, by id.
    pub fn image(&self, id: &Digest) -> Option<&ImageUsage> {
        self.images.iter().find(|u| u.id == *id)
    }
}

/// Each layer's chain id (OCI image spec: the first layer's diff_id, then
/// `sha256(parent chain id + " " + diff_id)`) with the layer's size.
pub(super) fn chain_ids(layers: &[LayerInfo]) -> impl Iterator<Item = (Digest, u64)> + '_ {
    let mut parent: Option<Digest> = None;
    layers.iter().map(move |l| {
        let chain = match parent {
            None => l.diff_id,
            Some(p) => Digest::of(format!("{p} {}", l.diff_id).as_bytes()),
        };
        parent = Some(chain);
        (chain, l.size)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::store::{ImageRecord, RunConfig};

    fn usage_of(images: &[&ImageRecord]) -> DiskUsage {
        DiskUsage::of(images.iter().map(|i| (i.id, i.layers.as_slice())))
    }

    fn layer(name: &str, size: u64) -> LayerInfo {
        LayerInfo {
            diff_id: Digest::of(name.as_bytes()),
            size,
        }
    }

    fn image(name: &str, layers: Vec<LayerInfo>) -> ImageRecord {
        ImageRecord {
            classic_step: None,
            author: None,
            id: Digest::of(name.as_bytes()),
            config: RunConfig::default(),
            layers,
            history: Vec::new(),
            comment: None,
        }
    }

    #[test]
    fn a_base_shared_by_two_images_counts_once_in_the_total() {
        let base = layer("base", 1000);
        let web = image("web", vec![base.clone(), layer("web", 30)]);
        let api = image("api", vec![base, layer("api", 200)]);
        let alone = image("alone", vec![layer("alone", 7)]);
        let usage = usage_of(&[&web, &api, &alone]);

        let web_usage = usage.image(&web.id).expect("web");
        assert_eq!(
            (web_usage.size, web_usage.shared, web_usage.unique),
            (1030, 1000, 30)
        );
        let api_usage = usage.image(&api.id).expect("api");
        assert_eq!(
            (api_usage.size, api_usage.shared, api_usage.unique),
            (1200, 1000, 200)
        );
        let alone_usage = usage.image(&alone.id).expect("alone");
        assert_eq!(
            (alone_usage.size, alone_usage.shared, alone_usage.unique),
            (7, 0, 7)
        );
        assert_eq!(usage.total, 1000 + 30 + 200 + 7);
        assert_eq!(usage.shared, 1000);
        assert_eq!(usage.images.len(), 3);
    }

    #[test]
    fn the_same_content_on_another_parent_is_not_shared() {
        let top = layer("top", 50);
        let on_base = image("on-base", vec![layer("base", 1000), top.clone()]);
        let on_nothing = image("on-nothing", vec![top]);
        let usage = usage_of(&[&on_base, &on_nothing]);
        assert_eq!(usage.image(&on_base.id).expect("on base").shared, 0);
        assert_eq!(usage.image(&on_nothing.id).expect("alone").unique, 50);
        assert_eq!(usage.total, 1000 + 50 + 50);
        assert_eq!(usage.shared, 0);
    }

    #[test]
    fn an_image_built_on_another_shares_all_of_the_other() {
        let base = image("base", vec![layer("a", 10), layer("b", 20)]);
        let child = image("child", vec![layer("a", 10), layer("b", 20), layer("c", 5)]);
        let usage = usage_of(&[&base, &child]);
        let base_usage = usage.image(&base.id).expect("base");
        assert_eq!((base_usage.shared, base_usage.unique), (30, 0));
        let child_usage = usage.image(&child.id).expect("child");
        assert_eq!((child_usage.shared, child_usage.unique), (30, 5));
        assert_eq!((usage.total, usage.shared), (35, 30));
    }

    #[test]
    fn no_images_use_nothing() {
        let scratch = image("scratch", Vec::new());
        assert_eq!(usage_of(&[]), DiskUsage::default());
        let usage = usage_of(&[&scratch]);
        assert_eq!(usage.image(&scratch.id).expect("scratch").size, 0);
        assert_eq!(usage.total, 0);
    }
}
