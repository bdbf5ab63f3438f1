//! A layer's files as the detail view shows them (added / modified /
//! removed, with sizes, as a tree), and the image's wasted bytes, derived
//! from the changes the engine keeps for each layer — once per stack of
//! layers, which a preview on every key press mostly shows again.

use crate::engine::report::StepReport;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{Change as FsChange, LayerChanges};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Removed,
}

impl Change {
    pub fn sign(self) -> char {
        match self {
            Change::Added => '+',
            Change::Modified => '~',
            Change::Removed => '-',
        }
    }
}

/// One path a layer adds, modifies or removes (absolute, `/`-separated;
/// directories end in `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerFile {
    pub path: String,
    pub change: Change,
    pub size: u64,
}

/// A layer's changes as the detail view lists them; `present` holds the
/// paths of the layers below (to tell added from modified) and is brought
/// up to date with this one.
pub fn layer_files(changes: &LayerChanges, present: &mut BTreeSet<String>) -> Vec<LayerFile> {
    changes
        .iter()
        .map(|(key, change)| {
            let mut path = format!("/{}", key.as_str());
            let (kind, size) = match change {
                FsChange::Whiteout => (Change::Removed, 0),
                FsChange::Put(node) | FsChange::Opaque(node) => {
                    if node.is_dir() {
                        path.push('/');
                    }
                    let kind = if present.contains(&path) {
                        Change::Modified
                    } else {
                        Change::Added
                    };
                    (kind, node.size())
                }
            };
            if kind == Change::Removed {
                present.remove(&path);
            } else {
                present.insert(path.clone());
            }
            LayerFile {
                path,
                change: kind,
                size,
            }
        })
        .collect()
}

/// One line of the tree: depth, name, and the change and size of a path
/// the layer touches (None for a directory only shown as a parent).
pub type TreeLine = (usize, String, Option<(Change, u64)>);

/// The files as an indented tree: one line per path component, the file's
/// change sign and size on its own line.
pub fn tree_lines(files: &[LayerFile]) -> Vec<TreeLine> {
    let mut sorted: Vec<&LayerFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<TreeLine> = Vec::new();
    let mut shown_dirs: Vec<String> = Vec::new();
    for f in sorted {
        let trimmed = f.path.trim_matches('/');
        let parts: Vec<&str> = trimmed.split('/').filter(|p| !p.is_empty()).collect();
        for depth in 0..parts.len().saturating_sub(1) {
            let dir = parts[..=depth].join("/");
            if !shown_dirs.contains(&dir) {
                out.push((depth, format!("{}/", parts[depth]), None));
                shown_dirs.push(dir);
            }
        }
        let name = parts.last().copied().unwrap_or("/");
        let name = if f.path.ends_with('/') {
            shown_dirs.push(trimmed.to_string());
            format!("{name}/")
        } else {
            name.to_string()
        };
        out.push((
            parts.len().saturating_sub(1),
            name,
            Some((f.change, f.size)),
        ));
    }
    out
}

/// Bytes that lower layers store but a later layer overwrites or removes,
/// with the paths that waste them (largest first).
pub fn wasted<'a>(
    layers: impl IntoIterator<Item = &'a Vec<LayerFile>>,
) -> (u64, Vec<(String, u64)>) {
    let mut present: BTreeMap<&str, u64> = BTreeMap::new();
    let mut waste: BTreeMap<String, u64> = BTreeMap::new();
    for layer in layers {
        for f in layer {
            if let Some(old) = present.get(f.path.as_str()) {
                if *old > 0 {
                    *waste.entry(f.path.clone()).or_default() += old;
                }
            }
            match f.change {
                Change::Removed => {
                    present.remove(f.path.as_str());
                }
                Change::Added | Change::Modified => {
                    present.insert(&f.path, f.size);
                }
            }
        }
    }
    let total = waste.values().sum();
    let mut list: Vec<(String, u64)> = waste.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (total, list)
}

/// Every layer's files of one build's stack, and what they waste.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StackFiles {
    /// Layer files by step index.
    pub layer_files: Arc<BTreeMap<usize, Vec<LayerFile>>>,
    /// A base image's files, one list per layer (oldest first), by the
    /// index of its FROM step.
    pub base_files: Arc<BTreeMap<usize, Vec<Vec<LayerFile>>>>,
    /// Bytes lower layers store but later ones overwrite or remove (from
    /// the steps' layers), and the paths that waste them, largest first.
    pub wasted: u64,
    pub wasted_files: Arc<Vec<(String, u64)>>,
}

/// The layers a stack's lists are derived from, in the order they are
/// listed, by step index: a base image's (all of them, none for scratch)
/// and each step's. A step's layer is named by its diff_id, the digest of
/// everything in it (a preview that runs a step again makes the same layer
/// anew); a base image's layers by the engine's `Arc`s, which never change
/// once made and are the same for a layer it already has.
type Stack = Vec<(usize, StackLayers)>;

#[derive(Clone)]
enum StackLayers {
    Base(Vec<Arc<LayerChanges>>),
    Step(Digest, Arc<LayerChanges>),
}

impl StackLayers {
    fn same(&self, other: &StackLayers) -> bool {
        match (self, other) {
            (StackLayers::Base(a), StackLayers::Base(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| Arc::ptr_eq(a, b))
            }
            (StackLayers::Step(a, _), StackLayers::Step(b, _)) => a == b,
            _ => false,
        }
    }
}

/// Stacks whose lists are kept: a preview and the other builder's, before
/// and after the change the learner is trying back and forth.
const STACKS_KEPT: usize = 8;

/// The lists of the stacks shown last, newest last.
#[derive(Clone, Default)]
pub struct FilesMemo {
    stacks: VecDeque<(Stack, Arc<StackFiles>)>,
    /// Stacks listed rather than found, for tests to tell a hit.
    pub listed: u64,
}

impl std::fmt::Debug for FilesMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FilesMemo({} stacks)", self.stacks.len())
    }
}

impl FilesMemo {
    /// The lists of the layers of `steps`: `changes` by step index (the
    /// layer each step reports), and `bases`, a base image's layers by its
    /// FROM step's.
    pub fn stack(
        &mut self,
        steps: &[StepReport],
        changes: &BTreeMap<usize, Arc<LayerChanges>>,
        bases: &BTreeMap<usize, Vec<Arc<LayerChanges>>>,
    ) -> Arc<StackFiles> {
        let mut stack: Stack = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            if let Some(layers) = bases.get(&i) {
                stack.push((i, StackLayers::Base(layers.clone())));
            }
            if let (Some(c), Some(layer)) = (changes.get(&i), &step.layer) {
                stack.push((i, StackLayers::Step(layer.diff_id, Arc::clone(c))));
            }
        }
        let same = |kept: &Stack| {
            kept.len() == stack.len()
                && kept
                    .iter()
                    .zip(&stack)
                    .all(|(a, b)| a.0 == b.0 && a.1.same(&b.1))
        };
        if let Some(at) = self.stacks.iter().position(|(kept, _)| same(kept)) {
            if let Some(entry) = self.stacks.remove(at) {
                let files = Arc::clone(&entry.1);
                self.stacks.push_back(entry);
                return files;
            }
        }
        let files = Arc::new(list_stack(&stack));
        self.listed += 1;
        self.stacks.push_back((stack, Arc::clone(&files)));
        if self.stacks.len() > STACKS_KEPT {
            self.stacks.pop_front();
        }
        files
    }
}

/// A stack's lists: paths present below each layer tell added from
/// modified, and a stage starts from its base image's files.
fn list_stack(stack: &Stack) -> StackFiles {
    let mut present = BTreeSet::new();
    let mut base_files: BTreeMap<usize, Vec<Vec<LayerFile>>> = BTreeMap::new();
    let mut by_step = BTreeMap::new();
    for (i, layers) in stack {
        match layers {
            StackLayers::Base(layers) => {
                present.clear();
                let lists = layers.iter().map(|c| layer_files(c, &mut present));
                base_files.insert(*i, lists.collect());
            }
            StackLayers::Step(_, c) => {
                by_step.insert(*i, layer_files(c, &mut present));
            }
        }
    }
    let (wasted, wasted_files) = wasted(by_step.values());
    StackFiles {
        layer_files: Arc::new(by_step),
        base_files: Arc::new(base_files),
        wasted,
        wasted_files: Arc::new(wasted_files),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, change: Change, size: u64) -> LayerFile {
        LayerFile {
            path: path.into(),
            change,
            size,
        }
    }

    #[test]
    fn overwritten_and_removed_files_are_wasted() {
        let layers = vec![
            vec![
                f("/app/big.bin", Change::Added, 1000),
                f("/app/a.js", Change::Added, 10),
            ],
            vec![f("/app/a.js", Change::Modified, 12)],
            vec![f("/app/big.bin", Change::Removed, 0)],
        ];
        let (total, list) = wasted(&layers);
        assert_eq!(total, 1010);
        assert_eq!(list[0], ("/app/big.bin".to_string(), 1000));
    }

    /// The view of a preview of `text` over a context holding `a.txt`
    /// with `body`, each layer's changes a fresh `Arc` (as a preview that
    /// ran its steps again makes them).
    fn view_of(text: &str, body: &str, memo: &mut FilesMemo) -> crate::app::model::BuildView {
        use crate::app::model::{BuildOutcome, BuildView, Shown};
        use crate::engine::builder::{preview, BuildOptions, BuilderKind};
        use crate::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, body).expect("write");
        // A COPY layer holds the file's mtime: a fixed one keeps two views
        // made in different seconds (a loaded machine) the same layers.
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(at))
            .expect("mtime");
        let ignore = read_dockerignore(dir.path()).expect("ignore");
        let ctx = ContextSnapshot::capture(dir.path(), &ignore, &mut StatCache::default())
            .expect("snapshot");
        let compiled = std::sync::Arc::new(crate::dockerfile::compile(text));
        let state = crate::engine::store::EngineState::default();
        let mut engine_memo = crate::engine::memo::Memo::default();
        let seen = preview(
            &state,
            &mut engine_memo,
            &compiled,
            &ctx,
            &BuildOptions::default(),
        );
        let report = seen.result.clone().expect("a report");
        let layers = report
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let changes = seen.layers.get(&s.layer.as_ref()?.diff_id)?;
                Some((i, Arc::new(LayerChanges::clone(changes))))
            })
            .collect();
        let outcome = BuildOutcome {
            shown: Shown::Preview { last_build: 0 },
            compiled,
            builder: BuilderKind::Buildkit,
            result: Ok(report),
            layers,
            base_layers: BTreeMap::new(),
            origin: None,
            other: None,
        };
        BuildView::new(outcome, memo)
    }

    #[test]
    fn the_same_layers_again_are_not_listed_again() {
        let text = "FROM scratch\nCOPY a.txt /\nCOPY a.txt /b.txt\n";
        let mut memo = FilesMemo::default();
        let first = view_of(text, "one\n", &mut memo);
        assert_eq!(memo.listed, 1);
        assert_eq!(first.wasted, Some(0));
        assert_eq!(first.layer_files.len(), 2);

        // The same layers by digest, made again: found, the very lists.
        let again = view_of(text, "one\n", &mut memo);
        assert_eq!(memo.listed, 1);
        assert!(Arc::ptr_eq(&again.layer_files, &first.layer_files));
        assert_eq!(again, first);

        // Other layers are listed, as a memo that never saw them lists them.
        let other = view_of(text, "two!\n", &mut memo);
        assert_eq!(memo.listed, 2);
        assert_eq!(other, view_of(text, "two!\n", &mut FilesMemo::default()));
        let sizes: Vec<u64> = other.layer_files[&1].iter().map(|f| f.size).collect();
        assert_eq!(sizes, vec![5]);
        // The first stack is still kept.
        view_of(text, "one\n", &mut memo);
        assert_eq!(memo.listed, 2);
    }

    #[test]
    fn tree_nests_components() {
        let t = tree_lines(&[
            f("/web-ping/app.js", Change::Added, 612),
            f("/web-ping/", Change::Added, 0),
        ]);
        let names: Vec<(usize, &str)> = t.iter().map(|(d, n, _)| (*d, n.as_str())).collect();
        assert_eq!(names, vec![(0, "web-ping/"), (1, "app.js")]);
    }
}
