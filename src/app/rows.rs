//! The rows the panes show, derived here from what the engine hands over:
//! the layer stack's rows from a build view (one per instruction, oldest
//! first; the view draws them newest on top, as `docker history`), and the
//! context pane's rows from the context snapshots.

use crate::app::model::{BuildView, ContextRow, Simulated};
use crate::dockerfile::Keyword;
use crate::engine::builder::is_step;
use crate::engine::context::{ContextSnapshot, FileKind, Overrides};
use crate::engine::report::{MissReason, Verdict};
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A FROM: the base image.
    Base,
    /// A build step (HIT or MISS).
    Step,
    /// An instruction that only edits the image config under this builder.
    Metadata,
    /// A step this build did not reach (another stage, or a failure).
    NotBuilt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerRow {
    pub instruction: usize,
    /// Index into the view's steps.
    pub step: Option<usize>,
    pub kind: RowKind,
    /// The first rebuilt step: the cause of every miss above it.
    pub first_miss: bool,
    /// Rebuilt only because a step below it was.
    pub cascade: bool,
}

pub fn layer_rows(view: &BuildView) -> Vec<LayerRow> {
    let steps = view.steps();
    let first_miss = steps.iter().position(|s| s.verdict.missed());
    view.instructions
        .iter()
        .enumerate()
        .map(|(i, ins)| {
            let step = steps.iter().position(|s| s.instruction == i);
            let kind = match (step, ins.keyword) {
                (_, Keyword::From) => RowKind::Base,
                (Some(_), _) => RowKind::Step,
                (None, k) if is_step(view.builder, k) => RowKind::NotBuilt,
                (None, _) => RowKind::Metadata,
            };
            let cascade = match (step, first_miss) {
                (Some(s), Some(f)) => {
                    s > f
                        && matches!(
                            steps[s].verdict,
                            Verdict::Miss {
                                why: MissReason::ParentRebuilt { .. }
                            }
                        )
                }
                _ => false,
            };
            LayerRow {
                instruction: i,
                step,
                kind,
                first_miss: step.is_some() && step == first_miss,
                cascade,
            }
        })
        .collect()
}

/// What the context pane is derived from: the context as captured from
/// disk, the one builds see (with the simulated changes), and those changes.
#[derive(Debug, Clone)]
pub struct ContextSources {
    pub disk: Arc<ContextSnapshot>,
    pub current: Arc<ContextSnapshot>,
    pub overrides: Overrides,
}

/// The context pane's rows: what `current` sends and leaves out, each
/// marked where a simulation made it differ from `disk`, plus the paths a
/// simulation deleted.
pub fn context_rows(sources: &ContextSources) -> Vec<ContextRow> {
    let (disk, current) = (&*sources.disk, &*sources.current);
    let named = sources.overrides.paths();
    let changed: BTreeSet<String> = current
        .diff(disk, |_| true)
        .into_iter()
        .map(|c| c.path)
        .collect();
    let mark = |p: &str| (changed.contains(p) || named.contains(p)).then_some(Simulated::Changed);
    let mut rows: Vec<ContextRow> = current
        .entries()
        .iter()
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, m)| ContextRow {
            path: p.clone(),
            dir: m.kind == FileKind::Dir,
            size: m.size,
            mode: m.mode,
            excluded: false,
            simulated: mark(p),
        })
        .collect();
    rows.extend(current.excluded().iter().map(|p| ContextRow {
        path: p.clone(),
        dir: false,
        size: 0,
        mode: 0,
        excluded: true,
        simulated: mark(p),
    }));
    let gone = disk
        .entries()
        .iter()
        .filter(|(p, _)| current.get(p).is_none() && !current.excluded().contains(*p))
        .map(|(p, m)| (p, m.kind == FileKind::Dir, false))
        .chain(
            disk.excluded()
                .iter()
                .filter(|p| !current.excluded().contains(*p) && current.get(p).is_none())
                .map(|p| (p, false, true)),
        );
    rows.extend(gone.map(|(p, dir, excluded)| ContextRow {
        path: p.clone(),
        dir,
        size: 0,
        mode: 0,
        excluded,
        simulated: Some(Simulated::Removed),
    }));
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    rows
}
