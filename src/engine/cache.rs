//! The build cache: records of steps built before, looked up by key, and the
//! reasoning that turns a lookup into a verdict a learner can read.

use crate::engine::cache_key::{CacheKey, FileStamp, OpInputs};
use crate::engine::report::{FileChange, LayerInfo, MissReason, StepRef};
use crate::filesystem::digest::Digest;
use crate::limits::quote_cut;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a cached step produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheRecord {
    pub key: CacheKey,
    /// The step as the learner saw it when it was built.
    pub built_by: StepRef,
    /// The layer the step made (None for a metadata-only step).
    pub layer: Option<LayerInfo>,
    /// What the next step builds on: the key itself under BuildKit, the
    /// committed image's id under the classic builder.
    pub chain: Digest,
}

/// How a BuildKit record has been used, which garbage collection ranks it
/// by (kept apart from the record, which is large and written once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheUse {
    /// The build that last made or reused it: builds keep a simulated
    /// minute each, so this is also when.
    pub last_used: u64,
    /// How many builds made or reused it.
    pub uses: u32,
}

/// All records, by key digest, with an index by parent so a miss can be
/// explained against the steps that were built on the same parent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildCache {
    records: BTreeMap<Digest, CacheRecord>,
    /// Oldest build first, so the newest record on a parent is found
    /// without looking at every variant ever built there.
    #[serde(skip)]
    by_parent: BTreeMap<Option<Digest>, Vec<Digest>>,
    /// Records inserted since the daemon last wrote or read them: it
    /// serializes those alone (a record holds a COPY's files, and one of
    /// 100,000 files is megabytes of JSON).
    #[serde(skip)]
    inserted: BTreeSet<Digest>,
}

impl BuildCache {
    /// Rebuild the parent index (after loading from disk).
    pub fn reindex(&mut self) {
        self.by_parent.clear();
        let mut by_age: Vec<(&Digest, &CacheRecord)> = self.records.iter().collect();
        by_age.sort_by_key(|(_, r)| r.built_by.build);
        for (d, r) in by_age {
            self.by_parent.entry(r.key.parent).or_default().push(*d);
        }
    }

    pub fn get(&self, key: &Digest) -> Option<&CacheRecord> {
        self.records.get(key)
    }

    /// Store `record` under `digest`, the digest of its key (callers have
    /// it already: computing it means hashing the whole key again).
    pub fn insert(&mut self, digest: Digest, record: CacheRecord) {
        let built = self.by_parent.entry(record.key.parent).or_default();
        // A record built again (`--no-cache`) is the newest now.
        if self.records.contains_key(&digest) {
            built.retain(|d| *d != digest);
        }
        built.push(digest);
        self.records.insert(digest, record);
        self.inserted.insert(digest);
    }

    /// Whether the record under `digest` was inserted since it was last
    /// written or read (see [`BuildCache::settled`]).
    pub fn unsettled(&self, digest: &Digest) -> bool {
        self.inserted.contains(digest)
    }

    /// The record under `digest` is as the state's database has it.
    pub fn settled(&mut self, digest: &Digest) {
        self.inserted.remove(digest);
    }

    /// Every record is as the state's database has it.
    pub fn all_settled(&mut self) {
        self.inserted.clear();
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Every record, by key digest (`system df` counts them).
    pub fn iter(&self) -> impl Iterator<Item = (&Digest, &CacheRecord)> {
        self.records.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records built on `parent`, newest first.
    fn newest_on<'a>(
        &'a self,
        parent: &Option<Digest>,
    ) -> impl Iterator<Item = &'a CacheRecord> + 'a {
        self.by_parent
            .get(parent)
            .into_iter()
            .flatten()
            .rev()
            .filter_map(|d| self.records.get(d))
    }

    /// Add `newer`'s records, each parent's in the order they were built.
    pub fn merge(&mut self, mut newer: BuildCache) {
        for digests in std::mem::take(&mut newer.by_parent).into_values() {
            for d in digests {
                if let Some(record) = newer.records.remove(&d) {
                    self.insert(d, record);
                }
            }
        }
    }

    /// Forget one record (another process pruned it).
    pub fn remove(&mut self, key: &Digest) {
        if let Some(record) = self.records.remove(key) {
            if let Some(built) = self.by_parent.get_mut(&record.key.parent) {
                built.retain(|d| d != key);
            }
        }
    }

    /// Forget everything (`docker builder prune`).
    pub fn clear(&mut self) {
        self.records.clear();
        self.by_parent.clear();
        self.inserted.clear();
    }

    /// Why `key` is not in the cache, judged against the most recent record
    /// built on the same parent (the step that "used to be here").
    pub fn explain_miss(&self, key: &CacheKey, text: &str, arg_names: &[String]) -> MissReason {
        self.explain_miss_after(&BuildCache::default(), key, text, arg_names)
    }

    /// [`BuildCache::explain_miss`] over this cache with `newer`'s records
    /// (those of the build under way) laid over it.
    pub fn explain_miss_after(
        &self,
        newer: &BuildCache,
        key: &CacheKey,
        text: &str,
        arg_names: &[String],
    ) -> MissReason {
        let newest_first = || {
            newer
                .newest_on(&key.parent)
                .chain(self.newest_on(&key.parent))
        };
        let previous = newest_first().find(|r| same_kind(&r.key.op, &key.op));
        let Some(prev) = previous else {
            return match newest_first().next() {
                // Something else was built here before: the instruction is new.
                Some(r) => MissReason::InstructionChanged {
                    old: quote_cut(&r.built_by.text),
                    new: quote_cut(text),
                },
                None => MissReason::FirstBuild,
            };
        };
        explain(&prev.key.op, &key.op, &prev.built_by, text, arg_names)
    }
}

fn same_kind(a: &OpInputs, b: &OpInputs) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Compare the inputs of the step built before with this one's.
fn explain(
    old: &OpInputs,
    new: &OpInputs,
    prev: &StepRef,
    text: &str,
    arg_names: &[String],
) -> MissReason {
    let changed_text = || MissReason::InstructionChanged {
        old: quote_cut(&prev.text),
        new: quote_cut(text),
    };
    match (old, new) {
        (
            OpInputs::Run {
                argv: a0,
                env: e0,
                workdir: w0,
                user: u0,
                heredocs: h0,
                mounted: m0,
                ..
            },
            OpInputs::Run {
                argv: a1,
                env: e1,
                workdir: w1,
                user: u1,
                heredocs: h1,
                mounted: m1,
                ..
            },
        ) => {
            if a0 != a1 {
                changed_text()
            } else if m0 != m1 && prev.text == text {
                MissReason::FilesChanged {
                    changes: file_changes(m0, m1),
                }
            } else if let Some((name, _)) = h1.iter().find(|h| !h0.contains(h)) {
                MissReason::HeredocChanged { name: name.clone() }
            } else if e0 != e1 {
                env_change(e0, e1, arg_names)
            } else if w0 != w1 {
                MissReason::SettingChanged {
                    setting: "WORKDIR".into(),
                    old: quote_cut(w0),
                    new: quote_cut(w1),
                }
            } else if u0 != u1 {
                MissReason::SettingChanged {
                    setting: "USER".into(),
                    old: quote_cut(u0),
                    new: quote_cut(u1),
                }
            } else {
                MissReason::FlagsChanged
            }
        }
        (
            OpInputs::Copy {
                patterns: p0,
                files: f0,
                dest: d0,
                source: s0,
                ..
            },
            OpInputs::Copy {
                patterns: p1,
                files: f1,
                dest: d1,
                source: s1,
                ..
            },
        ) => {
            if p0 != p1 || d0 != d1 {
                changed_text()
            } else if f0 != f1 {
                MissReason::FilesChanged {
                    changes: file_changes(f0, f1),
                }
            } else if s0 != s1 {
                MissReason::SourceStageChanged
            } else {
                MissReason::FlagsChanged
            }
        }
        (
            OpInputs::Classic {
                created_by: c0,
                config: g0,
                files: f0,
            },
            OpInputs::Classic {
                created_by: c1,
                config: g1,
                files: f1,
            },
        ) => {
            if f0 != f1 && !(f0.is_empty() && f1.is_empty()) && prev.text == text {
                MissReason::FilesChanged {
                    changes: file_changes(f0, f1),
                }
            } else if c0 != c1 {
                // For a RUN, the classic builder writes the build args in
                // front of the command (`|1 V=2 /bin/sh -c …`).
                if prev.text == text {
                    MissReason::BuildArgsChanged {
                        old: quote_cut(c0),
                        new: quote_cut(c1),
                    }
                } else {
                    changed_text()
                }
            } else if g0 != g1 {
                MissReason::ConfigChanged
            } else {
                changed_text()
            }
        }
        (OpInputs::Mkdir { path: p0, .. }, OpInputs::Mkdir { path: p1, .. }) if p0 != p1 => {
            changed_text()
        }
        (OpInputs::Base { reference: r0, .. }, OpInputs::Base { reference: r1, .. }) => {
            if r0 == r1 {
                MissReason::BaseImageChanged
            } else {
                changed_text()
            }
        }
        _ => changed_text(),
    }
}

/// Which variable of a RUN's environment changed; a declared build ARG is
/// named as such.
fn env_change(old: &[String], new: &[String], arg_names: &[String]) -> MissReason {
    let split = |e: &String| {
        let (k, v) = e.split_once('=').unwrap_or((e, ""));
        (k.to_string(), v.to_string())
    };
    let old: BTreeMap<String, String> = old.iter().map(split).collect();
    let new: BTreeMap<String, String> = new.iter().map(split).collect();
    let names = old.keys().chain(new.keys());
    for name in names {
        let (a, b) = (old.get(name), new.get(name));
        if a != b {
            let (old, new) = (a.map(|v| quote_cut(v)), b.map(|v| quote_cut(v)));
            return if arg_names.iter().any(|n| n == name) {
                MissReason::BuildArgChanged {
                    name: name.clone(),
                    old,
                    new,
                }
            } else {
                MissReason::EnvChanged {
                    name: name.clone(),
                    old,
                    new,
                }
            };
        }
    }
    MissReason::FlagsChanged
}

/// Per-file differences between two stamped file sets, in path order: one
/// merge walk, since a set may hold thousands of files.
pub fn file_changes(old: &[FileStamp], new: &[FileStamp]) -> Vec<FileChange> {
    use std::cmp::Ordering;
    let (old, new) = (by_path(old), by_path(new));
    let (mut old, mut new) = (old.into_iter().peekable(), new.into_iter().peekable());
    let mut out = Vec::new();
    loop {
        let order = match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(o), Some(n)) => o.path.cmp(&n.path),
        };
        match order {
            Ordering::Less => {
                if let Some(o) = old.next() {
                    out.push(FileChange::Removed {
                        path: o.path.clone(),
                    });
                }
            }
            Ordering::Greater => {
                if let Some(n) = new.next() {
                    out.push(FileChange::Added {
                        path: n.path.clone(),
                    });
                }
            }
            Ordering::Equal => {
                if let (Some(o), Some(n)) = (old.next(), new.next()) {
                    out.extend(changed(o, n));
                }
            }
        }
    }
    out
}

/// The stamps sorted by path, each path once (two sources may select the
/// same file): the last stamp of a path counts.
fn by_path(stamps: &[FileStamp]) -> Vec<&FileStamp> {
    let mut sorted: Vec<&FileStamp> = stamps.iter().collect();
    // Stable, so the last of equal paths stays last.
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<&FileStamp> = Vec::with_capacity(sorted.len());
    for f in sorted {
        match out.last_mut() {
            Some(last) if last.path == f.path => *last = f,
            _ => out.push(f),
        }
    }
    out
}

/// How one path's stamp changed, if it did.
fn changed(o: &FileStamp, n: &FileStamp) -> Option<FileChange> {
    let path = || n.path.clone();
    if o.content != n.content || o.kind != n.kind {
        Some(FileChange::Content {
            path: path(),
            old: o.content.clone(),
            new: n.content.clone(),
        })
    } else if o.mode != n.mode {
        Some(FileChange::Mode {
            path: path(),
            old: o.mode,
            new: n.mode,
        })
    } else if (o.uid, o.gid) != (n.uid, n.gid) {
        Some(FileChange::Owner {
            path: path(),
            old: format!("{}:{}", o.uid, o.gid),
            new: format!("{}:{}", n.uid, n.gid),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cache_key::StampKind;

    fn stamp(path: &str, content: &str, mode: u32) -> FileStamp {
        FileStamp {
            path: path.into(),
            kind: StampKind::File,
            mode,
            uid: 0,
            gid: 0,
            size: content.len() as u64,
            content: content.into(),
        }
    }

    /// Every kind of change, in path order, whatever order the stamps came
    /// in; a path stamped twice counts once, by its last stamp.
    #[test]
    fn file_changes_in_path_order() {
        let old = [
            stamp("d", "same", 0o644),
            stamp("b", "old", 0o644),
            stamp("a", "gone", 0o644),
            stamp("c", "same", 0o644),
        ];
        let mut owned = stamp("e", "same", 0o644);
        owned.uid = 1000;
        let new = [
            stamp("c", "same", 0o755),
            stamp("b", "new", 0o644),
            stamp("d", "first", 0o644),
            stamp("d", "same", 0o644),
            stamp("f", "added", 0o644),
        ];
        let old: Vec<FileStamp> = old.into_iter().chain([stamp("e", "same", 0o644)]).collect();
        let new: Vec<FileStamp> = new.into_iter().chain([owned]).collect();
        assert_eq!(
            file_changes(&old, &new),
            [
                FileChange::Removed { path: "a".into() },
                FileChange::Content {
                    path: "b".into(),
                    old: "old".into(),
                    new: "new".into()
                },
                FileChange::Mode {
                    path: "c".into(),
                    old: 0o644,
                    new: 0o755
                },
                FileChange::Owner {
                    path: "e".into(),
                    old: "0:0".into(),
                    new: "1000:0".into()
                },
                FileChange::Added { path: "f".into() },
            ]
        );
        assert!(file_changes(&new, &new).is_empty());
    }
}
