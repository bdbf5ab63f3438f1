//! Garbage collection of the BuildKit build cache, as `docker builder
//! prune` and BuildKit's automatic policy do it: without `--all` only
//! records no image shares (dangling ones); `until` keeps what was used
//! recently; a storage limit drops one record at a time, the least
//! valuable first — ranked, as BuildKit ranks them, by when each was last
//! used and how often — until the cache fits.
//!
//! The classic builder's cache is its intermediate images, which docker
//! does not count as build cache: it is left alone here.

use crate::engine::cache::{CacheRecord, CacheUse};
use crate::engine::report::Removal;
use crate::engine::store::EngineState;
use crate::filesystem::digest::Digest;
use std::collections::BTreeSet;

/// The automatic policy's limit unless [`KEEP_STORAGE_ENV`] sets another:
/// a learner's cache of a few projects fits many times over, and a
/// forgotten `.dockerignore` over `node_modules` cannot fill the disk.
pub const DEFAULT_KEEP_STORAGE: u64 = 2 << 30;
/// A docker size (`512MB`, `10GB`; `0` turns the policy off).
pub const KEEP_STORAGE_ENV: &str = "LAYERLAB_BUILDER_KEEP_STORAGE";

/// Simulated seconds between two builds (each keeps its own minute).
const BUILD_SECONDS: u64 = 60;

/// What a prune was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prune {
    /// `--all`: records an image shares go too.
    pub all: bool,
    /// `--keep-storage` (0: none): stop once the cache takes less.
    pub keep_storage: u64,
    /// `--filter until=`: keep what was used within this many seconds.
    pub keep_for: Option<u64>,
    /// The other filters, each one key with one value.
    pub filters: Vec<(Field, String)>,
}

/// A field `--filter` may name besides `until`, as BuildKit's are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Parent,
    Type,
    Description,
    InUse,
    Shared,
    Private,
}

impl Field {
    pub fn named(name: &str) -> Option<Field> {
        Some(match name {
            "id" => Field::Id,
            "parent" => Field::Parent,
            "type" => Field::Type,
            "description" => Field::Description,
            "inuse" => Field::InUse,
            "shared" => Field::Shared,
            "private" => Field::Private,
            _ => return None,
        })
    }
}

/// One record as `system df -v` lists it and a prune weighs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry<'a> {
    pub digest: Digest,
    pub record: &'a CacheRecord,
    pub size: u64,
    /// An image holds its layer: pruning it frees nothing, so it is not
    /// counted in the cache's size and stays without `--all`.
    pub shared: bool,
    pub used: CacheUse,
}

impl CacheEntry<'_> {
    /// The record's id as docker prints it (BuildKit's are 25 characters).
    pub fn id(&self) -> String {
        cache_id(&self.digest)
    }

    /// The record it was built on (BuildKit chains keys: the parent's key
    /// is the record's id).
    fn parent(&self) -> Option<Digest> {
        self.record.key.parent
    }

    fn matches(&self, field: Field, value: &str) -> bool {
        // An id as `builder prune` prints it, or as `system df -v` does.
        let names = |d: &Digest| cache_id(d) == value || d.hex()[..12] == *value;
        match field {
            Field::Id => names(&self.digest),
            Field::Parent => self.parent().is_some_and(|p| names(&p)),
            Field::Type => value == "regular",
            Field::Description => self.record.built_by.text.contains(value),
            // Nothing is in use between builds.
            Field::InUse => false,
            Field::Shared => self.shared,
            Field::Private => !self.shared,
        }
    }
}

/// A record's id: BuildKit's are 25 characters long.
pub fn cache_id(digest: &Digest) -> String {
    digest.hex()[..25].to_string()
}

/// What a prune removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Records' ids, in the order they went.
    pub ids: Vec<String>,
    /// The records' sizes, as the daemon adds them up (a shared one's
    /// too, though an image still holds its layer).
    pub reclaimed: u64,
}

impl EngineState {
    /// Every BuildKit record, with its size, whether an image shares it,
    /// and how it was used.
    pub fn cache_entries(&self) -> Vec<CacheEntry<'_>> {
        let in_images: BTreeSet<Digest> = self
            .images
            .values()
            .flat_map(|i| i.layers.iter().map(|l| l.diff_id))
            .collect();
        self.buildkit_cache
            .iter()
            .map(|(digest, record)| {
                let shared = record
                    .layer
                    .as_ref()
                    .is_some_and(|l| in_images.contains(&l.diff_id));
                let used = self.cache_use.get(digest).copied().unwrap_or(CacheUse {
                    last_used: record.built_by.build,
                    uses: 1,
                });
                CacheEntry {
                    digest: *digest,
                    record,
                    size: record.layer.as_ref().map_or(0, |l| l.size),
                    shared,
                    used,
                }
            })
            .collect()
    }

    /// What the build cache takes on disk, as `system df` counts it: the
    /// records no image shares.
    pub fn build_cache_size(&self) -> u64 {
        unshared_size(&self.cache_entries())
    }

    /// `docker builder prune`.
    pub fn prune_build_cache(&mut self, prune: &Prune) -> Pruned {
        let mut pruned = Pruned::default();
        if prune.filters.is_empty() && prune.keep_for.is_none() && prune.keep_storage == 0 {
            // Cache mounts are dangling records to BuildKit (no image holds
            // them); they are kept in memory only, so their use is unknown
            // and only an unfiltered prune takes them.
            for id in std::mem::take(&mut self.cache_mounts).into_keys() {
                pruned.ids.push(cache_id(&Digest::of(
                    format!("cache mount {id}").as_bytes(),
                )));
            }
        }
        loop {
            let entries = self.cache_entries();
            let now = self.now_seconds();
            let mut candidates: Vec<&CacheEntry> = entries
                .iter()
                .filter(|e| prune.all || !e.shared)
                .filter(|e| {
                    prune.keep_for.is_none_or(|keep| {
                        now.saturating_sub(e.used.last_used * BUILD_SECONDS) >= keep
                    })
                })
                .filter(|e| prune.filters.iter().all(|(f, v)| e.matches(*f, v)))
                .collect();
            if prune.keep_storage > 0 {
                // One at a time, the least valuable first, until it fits.
                if unshared_size(&entries) < prune.keep_storage {
                    return pruned;
                }
                rank(&mut candidates);
                candidates.truncate(1);
            }
            if candidates.is_empty() {
                return pruned;
            }
            let gone: Vec<(Digest, String, u64)> = candidates
                .iter()
                .map(|e| (e.digest, e.id(), e.size))
                .collect();
            drop(entries);
            for (digest, id, size) in gone {
                self.buildkit_cache.remove(&digest);
                self.cache_use.remove(&digest);
                self.record_removed(digest, Removal::Pruned);
                pruned.ids.push(id);
                pruned.reclaimed += size;
            }
            if prune.keep_storage == 0 {
                return pruned;
            }
        }
    }

    /// The automatic policy, after each build: while the cache takes
    /// `keep` bytes or more, drop its least valuable dangling record.
    pub fn collect_build_cache(&mut self, keep: u64) -> Pruned {
        self.prune_build_cache(&Prune {
            keep_storage: keep,
            ..Prune::default()
        })
    }

    /// Simulated seconds since the epoch's start: the clock, or the last
    /// build's minute when that is later.
    fn now_seconds(&self) -> u64 {
        let clock = u64::try_from(self.clock).unwrap_or(0);
        clock.max(self.builds * BUILD_SECONDS)
    }
}

fn unshared_size(entries: &[CacheEntry]) -> u64 {
    entries.iter().filter(|e| !e.shared).map(|e| e.size).sum()
}

/// BuildKit's order of deletion: each record's place among the distinct
/// last-used times and among the distinct use counts, each as a share of
/// the largest place, summed — least recently and least often used first.
fn rank(entries: &mut [&CacheEntry]) {
    let places = |values: Vec<u64>| -> Vec<u64> {
        let distinct: BTreeSet<u64> = values.iter().copied().collect();
        let order: Vec<u64> = distinct.into_iter().collect();
        values
            .iter()
            .map(|v| order.partition_point(|o| o < v) as u64 + 1)
            .collect()
    };
    let when = places(entries.iter().map(|e| e.used.last_used).collect());
    let often = places(entries.iter().map(|e| u64::from(e.used.uses)).collect());
    let (max_when, max_often) = (
        when.iter().copied().max().unwrap_or(1) as f64,
        often.iter().copied().max().unwrap_or(1) as f64,
    );
    let mut scored: Vec<(f64, u64, &CacheEntry)> = entries
        .iter()
        .zip(when.iter().zip(&often))
        .map(|(e, (w, o))| {
            (
                *w as f64 / max_when + *o as f64 / max_often,
                e.used.last_used,
                *e,
            )
        })
        .collect();
    // Ties: the older first, then by id, so the order is the same each time.
    scored.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.digest.cmp(&b.2.digest))
    });
    for (slot, (_, _, e)) in entries.iter_mut().zip(scored) {
        *slot = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cache_key::{CacheKey, OpInputs};
    use crate::engine::report::{LayerInfo, StepRef};

    /// A dangling record of `size` bytes, last used by build `last_used`,
    /// `uses` times.
    fn add(s: &mut EngineState, text: &str, size: u64, last_used: u64, uses: u32) -> String {
        let used = CacheUse { last_used, uses };
        let key = CacheKey {
            parent: None,
            op: OpInputs::Base {
                reference: text.into(),
                image: Digest::of(text.as_bytes()),
            },
        };
        let digest = key.digest();
        let record = CacheRecord {
            built_by: StepRef {
                build: used.last_used,
                step: 1,
                of: 1,
                stage: None,
                text: text.into(),
                cost_ms: 0,
            },
            layer: Some(LayerInfo {
                diff_id: Digest::of(format!("layer of {text}").as_bytes()),
                size,
            }),
            chain: digest,
            key,
        };
        s.buildkit_cache.insert(digest, record);
        s.cache_use.insert(digest, used);
        s.builds = s.builds.max(used.last_used);
        cache_id(&digest)
    }

    /// BuildKit's ranking weighs how often as much as how recently: a
    /// record used five times outlives a newer one used once.
    #[test]
    fn a_storage_limit_drops_by_recency_and_frequency() {
        let mut s = EngineState::default();
        let often = add(&mut s, "often", 100, 1, 5);
        let once = add(&mut s, "once", 100, 2, 1);
        let newest = add(&mut s, "newest", 100, 3, 1);
        assert_eq!(s.build_cache_size(), 300);
        let pruned = s.collect_build_cache(250);
        assert_eq!(pruned.ids, vec![once.clone()]);
        assert_eq!(pruned.reclaimed, 100);
        let pruned = s.collect_build_cache(150);
        assert_eq!(pruned.ids, vec![often]);
        assert_eq!(s.collect_build_cache(150), Pruned::default(), "it fits");
        assert_eq!(
            s.cache_entries()
                .iter()
                .map(CacheEntry::id)
                .collect::<Vec<_>>(),
            vec![newest]
        );
        assert!(!s.cache_use.keys().any(|d| cache_id(d) == once));
    }

    #[test]
    fn until_counts_in_the_simulated_minutes_builds_keep() {
        let mut s = EngineState::default();
        let old = add(&mut s, "old", 1, 1, 1);
        add(&mut s, "new", 1, 10, 1);
        let prune = Prune {
            keep_for: Some(5 * 60),
            ..Prune::default()
        };
        assert_eq!(s.prune_build_cache(&prune).ids, vec![old]);
        assert_eq!(s.buildkit_cache.len(), 1);
    }
}
