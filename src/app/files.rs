//! A layer's files as the detail view shows them (added / modified /
//! removed, with sizes, as a tree), and the image's wasted bytes, derived
//! from the changes the engine keeps for each layer.

use crate::filesystem::rootfs::{Change as FsChange, LayerChanges};
use std::collections::{BTreeMap, BTreeSet};

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
