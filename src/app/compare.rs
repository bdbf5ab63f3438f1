//! The two builders compared on one change: when the learner's change
//! costs steps in one builder and none in the other (the lecture's reorder
//! of ENV and CMD rebuilds under the classic builder, and nothing under
//! BuildKit, which keeps them as metadata), the single view names it.

use crate::app::i18n::{tr, trf, Lang};
use crate::app::model::BuildView;
use crate::engine::builder::{is_step, BuilderKind};

/// One builder rebuilds steps for the change, the other none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The builder that rebuilds.
    pub costly: BuilderKind,
    /// Steps it rebuilds.
    pub rebuilt: usize,
    /// Instructions of the Dockerfile the other builder keeps as metadata
    /// only (`ENV`, `CMD`), in the order they first appear.
    pub metadata: Vec<String>,
}

impl Difference {
    /// The difference between `view` and the other builder's preview it
    /// carries, if one builder rebuilds and the other does not. A builder
    /// that reuses nothing at all has no earlier build to compare with
    /// (its cache is empty for this Dockerfile): that is not what the
    /// change costs, so no difference is named.
    pub fn of(view: &BuildView) -> Option<Difference> {
        let (Some(buildkit), Some(classic)) = view.by_builder() else {
            return None;
        };
        let (kit, old) = (buildkit.report.as_ref()?, classic.report.as_ref()?);
        let reused = |v: &BuildView| v.steps().iter().any(|s| s.verdict.cached());
        let (costly, cheap, rebuilt) = match (kit.totals.rebuilt, old.totals.rebuilt) {
            (0, n) if n > 0 && reused(classic) => (BuilderKind::Classic, buildkit, n),
            (n, 0) if n > 0 && reused(buildkit) => (BuilderKind::Buildkit, classic, n),
            _ => return None,
        };
        let mut metadata: Vec<String> = Vec::new();
        for ins in &cheap.instructions {
            let name = ins.keyword.as_str().to_uppercase();
            if !is_step(cheap.builder, ins.keyword)
                && is_step(costly, ins.keyword)
                && !matches!(ins.keyword, crate::dockerfile::Keyword::From)
                && !metadata.contains(&name)
            {
                metadata.push(name);
            }
        }
        Some(Difference {
            costly,
            rebuilt,
            metadata,
        })
    }

    /// BuildKit rebuilds nothing for the learner's change (`changed`: the
    /// text differs from the last build), and the classic builder, which
    /// the lecture uses, has no build of this Dockerfile to compare with:
    /// the single view says so rather than let "nothing rebuilt" stand
    /// for both builders.
    pub fn untried(view: &BuildView, changed: bool) -> bool {
        let (Some(buildkit), Some(classic)) = view.by_builder() else {
            return false;
        };
        let reused = classic.steps().iter().any(|s| s.verdict.cached());
        changed
            && view.builder == BuilderKind::Buildkit
            && buildkit
                .report
                .as_ref()
                .is_some_and(|r| r.totals.rebuilt == 0)
            && classic.report.is_some()
            && !reused
    }

    /// The line the single view shows.
    pub fn line(&self, lang: Lang) -> String {
        let n = if self.rebuilt == 1 {
            tr(lang, "diff.one_step")
        } else {
            trf(lang, "diff.steps", &[("n", &self.rebuilt.to_string())])
        };
        match self.costly {
            BuilderKind::Classic if !self.metadata.is_empty() => {
                let (last, rest) = self
                    .metadata
                    .split_last()
                    .unwrap_or((&self.metadata[0], &[]));
                let names = if rest.is_empty() {
                    last.clone()
                } else {
                    trf(
                        lang,
                        "diff.and",
                        &[("first", &rest.join(", ")), ("last", last)],
                    )
                };
                trf(
                    lang,
                    "diff.classic_rebuilds",
                    &[("rebuilt", &n), ("metadata", &names)],
                )
            }
            BuilderKind::Classic => trf(lang, "diff.classic_rebuilds_plain", &[("rebuilt", &n)]),
            BuilderKind::Buildkit => trf(lang, "diff.buildkit_rebuilds", &[("rebuilt", &n)]),
        }
    }
}
