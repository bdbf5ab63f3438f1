//! The layer stack's rows, derived from a build view: one per instruction,
//! oldest first (the view draws them newest on top, as `docker history`).

use crate::app::model::BuildView;
use crate::dockerfile::Keyword;
use crate::engine::builder::is_step;
use crate::engine::report::{MissReason, Verdict};

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
