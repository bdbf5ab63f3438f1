//! Which instructions each builder reports as steps, in which order and
//! with which `i/N` numbering (see the recordings' README).

use crate::dockerfile::analyzer::{CommandKind, Plan};
use crate::dockerfile::Keyword;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuilderKind {
    #[default]
    Buildkit,
    Classic,
}

impl BuilderKind {
    pub fn name(self) -> &'static str {
        match self {
            BuilderKind::Buildkit => "buildkit",
            BuilderKind::Classic => "classic",
        }
    }
}

impl std::str::FromStr for BuilderKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "buildkit" => Ok(BuilderKind::Buildkit),
            "classic" => Ok(BuilderKind::Classic),
            other => Err(format!(
                "unknown builder {other:?}: expected buildkit or classic"
            )),
        }
    }
}

/// BuildKit turns only these into build steps (LLB operations); every other
/// instruction only edits the image config. The classic builder runs every
/// instruction as a step.
pub fn is_step(builder: BuilderKind, keyword: Keyword) -> bool {
    match builder {
        BuilderKind::Classic => true,
        BuilderKind::Buildkit => matches!(
            keyword,
            Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir
        ),
    }
}

/// The stages a build runs, in the order they run. BuildKit builds only
/// what the target needs (its base stage and the stages it copies from,
/// transitively); the classic builder builds every stage up to the target.
pub fn stage_order(plan: &Plan, target: usize, builder: BuilderKind) -> Vec<usize> {
    match builder {
        BuilderKind::Classic => (0..=target).collect(),
        BuilderKind::Buildkit => {
            let mut needed = BTreeSet::new();
            let mut todo = vec![target];
            while let Some(s) = todo.pop() {
                if !needed.insert(s) {
                    continue;
                }
                let stage = &plan.stages[s];
                if let Some(base) = plan.stage_by_name(&stage.base) {
                    if base < s {
                        todo.push(base);
                    }
                }
                for cmd in &stage.commands {
                    todo.extend(cmd.stages_read());
                }
            }
            needed.into_iter().collect()
        }
    }
}

/// BuildKit's frontend names steps by stage once it has more than one
/// state to build from, and a mount or a copy that reads no stage of the
/// Dockerfile adds one: a cache mount (it starts from an empty image) or a bind mount
/// `from=` an image (recorded: our 69, `[stage-0 2/3]` in a one-stage build).
fn adds_a_state(plan: &Plan) -> bool {
    use crate::dockerfile::mount::MountType;
    plan.stages
        .iter()
        .flat_map(|s| &s.commands)
        .any(|c| match &c.kind {
            CommandKind::Run(r) => r.mounts.iter().any(|m| {
                m.from_stage.is_none()
                    && (m.kind == MountType::Cache
                        || (m.kind == MountType::Bind && m.from.is_some()))
            }),
            // `COPY --from=IMAGE` too (recorded: our 87).
            CommandKind::Copy(c) => c.from_stage.is_none() && c.from.is_some(),
            _ => false,
        })
}

/// Hands out `i/N` per builder: BuildKit counts per stage (FROM is 1, then
/// each step); the classic builder counts every instruction of the build.
pub struct Numbering {
    builder: BuilderKind,
    labels: BTreeMap<usize, Option<String>>,
    totals: BTreeMap<usize, usize>,
    next: BTreeMap<usize, usize>,
    global_total: usize,
    global_next: usize,
    /// BuildKit stages `FROM scratch`: no FROM step.
    scratch: BTreeSet<usize>,
}

impl Numbering {
    pub fn new(plan: &Plan, order: &[usize], builder: BuilderKind) -> Numbering {
        let multi =
            plan.stages.len() > 1 || (builder == BuilderKind::Buildkit && adds_a_state(plan));
        let mut labels = BTreeMap::new();
        let mut totals = BTreeMap::new();
        let mut scratch = BTreeSet::new();
        for &s in order {
            let stage = &plan.stages[s];
            labels.insert(s, multi.then(|| stage.label()));
            // BuildKit has no FROM step for `FROM scratch` or for a stage
            // built on an earlier stage (recorded: 23, our 46).
            let from_step = builder == BuilderKind::Classic
                || !(stage.base.eq_ignore_ascii_case("scratch")
                    || plan.stage_by_name(&stage.base).is_some_and(|b| b < s));
            if !from_step {
                scratch.insert(s);
            }
            let steps = stage
                .commands
                .iter()
                .filter(|c| is_step(builder, c.keyword()))
                .count();
            totals.insert(s, usize::from(from_step) + steps);
        }
        let global_total = totals.values().sum::<usize>()
            + match builder {
                // The classic builder prints ARGs before the first FROM as steps.
                BuilderKind::Classic => plan.global_commands.len(),
                BuilderKind::Buildkit => 0,
            };
        Numbering {
            builder,
            labels,
            totals,
            next: BTreeMap::new(),
            global_total,
            global_next: 0,
            scratch,
        }
    }

    /// Whether the stage's FROM is a numbered step.
    pub fn counts_from(&self, stage: usize) -> bool {
        !self.scratch.contains(&stage)
    }

    /// The next `(i, N)` of the classic builder's global numbering.
    pub fn next_global(&mut self) -> (usize, usize) {
        self.global_next += 1;
        (self.global_next, self.global_total)
    }

    /// The next `(i, N)` for a step of `stage`.
    pub fn next(&mut self, stage: usize) -> (usize, usize) {
        match self.builder {
            BuilderKind::Buildkit => {
                let n = self.next.entry(stage).or_insert(0);
                *n += 1;
                (*n, self.totals.get(&stage).copied().unwrap_or(*n))
            }
            BuilderKind::Classic => {
                self.global_next += 1;
                (self.global_next, self.global_total)
            }
        }
    }

    /// The `(i, N)` last handed out for `stage`, for a step the builder
    /// runs without a number of its own.
    pub fn current(&self, stage: usize) -> (usize, usize) {
        match self.builder {
            BuilderKind::Buildkit => {
                let n = self.next.get(&stage).copied().unwrap_or(0);
                (n, self.totals.get(&stage).copied().unwrap_or(n))
            }
            BuilderKind::Classic => (self.global_next, self.global_total),
        }
    }

    pub fn label(&self, stage: usize) -> Option<String> {
        self.labels.get(&stage).cloned().flatten()
    }
}
