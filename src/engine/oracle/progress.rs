//! Reading build steps and their cache flags from a real builder's output,
//! exactly as the shared conformance README (and its recorder) reads them:
//!
//! * BuildKit `--progress=plain`: `#N [stage i/N] TEXT` or `#N [i/N] TEXT`
//!   names vertex N; it is cached when a `#N CACHED` line follows.
//!   `[internal]` vertices have no `i/N` and are left out.
//! * classic: `Step i/N : TEXT`, cached when ` ---> Using cache` follows it.

use std::collections::{BTreeMap, BTreeSet};

/// One step as the real builder printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineStep {
    /// Stage label (`AS` name or `stage-N`); `None` for a single stage.
    pub stage: Option<String>,
    /// The `i` of `i/N`.
    pub step: usize,
    /// The `N` of `i/N`.
    pub of: usize,
    /// Upper-cased instruction keyword.
    pub keyword: String,
    /// The step text exactly as printed.
    pub text: String,
    pub cached: bool,
    /// BuildKit reported `ERROR` for this step.
    pub error: bool,
    /// BuildKit reported `CANCELED` for this step (another step failed).
    pub canceled: bool,
}

fn keyword_of(text: &str) -> String {
    text.split_whitespace()
        .next()
        .map(str::to_uppercase)
        .unwrap_or_default()
}

/// `#N [stage i/N] TEXT` -> (N, stage, i, N, TEXT).
fn buildkit_name(line: &str) -> Option<(u64, Option<&str>, usize, usize, &str)> {
    let rest = line.strip_prefix('#')?;
    let (vertex, rest) = rest.split_once(' ')?;
    let vertex = vertex.parse().ok()?;
    let rest = rest.strip_prefix('[')?;
    let (inside, text) = rest.split_once("] ")?;
    // BuildKit pads the step number to the width of the count
    // (`[stage-2  2/10]`, `[ 2/10]`; seen on dockerd 20.10, our 96).
    let mut words = inside.split_whitespace();
    let (stage, counter) = match (words.next(), words.next(), words.next()) {
        (Some(counter), None, None) => (None, counter),
        (Some(stage), Some(counter), None) => (Some(stage), counter),
        _ => return None,
    };
    let (i, n) = counter.split_once('/')?;
    Some((vertex, stage, i.parse().ok()?, n.parse().ok()?, text))
}

/// `#N CACHED` / `#N DONE 0.1s` / `#N ERROR: ...` / `#N CANCELED` -> (N, status).
fn buildkit_status(line: &str) -> Option<(u64, &'static str)> {
    let rest = line.strip_prefix('#')?;
    let (vertex, rest) = rest.split_once(' ')?;
    let vertex = vertex.parse().ok()?;
    let status = ["CACHED", "DONE", "ERROR", "CANCELED"]
        .into_iter()
        .find(|s| {
            rest.strip_prefix(s)
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        })?;
    Some((vertex, status))
}

/// Steps of a BuildKit plain-progress log, ordered by stage (the order of
/// `stages`, Dockerfile order) then step.
pub fn parse_buildkit(output: &str, stages: &[String]) -> Vec<EngineStep> {
    let mut steps: BTreeMap<u64, EngineStep> = BTreeMap::new();
    let mut status: BTreeMap<u64, BTreeSet<&str>> = BTreeMap::new();
    for line in output.lines() {
        if let Some((vertex, stage, i, n, text)) = buildkit_name(line) {
            // a vertex's name is printed again when it resumes: the first one counts
            steps.entry(vertex).or_insert_with(|| EngineStep {
                stage: stage.map(str::to_string),
                step: i,
                of: n,
                keyword: keyword_of(text),
                text: text.to_string(),
                cached: false,
                error: false,
                canceled: false,
            });
        } else if let Some((vertex, st)) = buildkit_status(line) {
            status.entry(vertex).or_default().insert(st);
        }
    }
    let mut out: Vec<EngineStep> = steps
        .into_iter()
        .map(|(vertex, mut s)| {
            let st = status.get(&vertex);
            let has = |name: &str| st.is_some_and(|set| set.contains(name));
            s.cached = has("CACHED");
            s.error = has("ERROR");
            s.canceled = has("CANCELED");
            s
        })
        .collect();
    let stage_index = |label: &Option<String>| match label {
        None => 0,
        Some(l) => stages.iter().position(|s| s == l).unwrap_or(stages.len()),
    };
    out.sort_by_key(|s| (stage_index(&s.stage), s.step));
    out
}

/// Steps of a classic-builder log. Stage labels come from `stages` (the
/// Dockerfile's, in order: the classic builder prints none); a single-stage
/// build has none.
pub fn parse_classic(output: &str, stages: &[String]) -> Vec<EngineStep> {
    let mut out: Vec<EngineStep> = Vec::new();
    let mut stage_no: Option<usize> = None;
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("Step ") {
            let parsed = rest.split_once(" : ").and_then(|(counter, text)| {
                let (i, n) = counter.split_once('/')?;
                Some((i.parse().ok()?, n.parse().ok()?, text))
            });
            if let Some((i, n, text)) = parsed {
                let keyword = keyword_of(text);
                if keyword == "FROM" {
                    stage_no = Some(stage_no.map_or(0, |s| s + 1));
                }
                let stage = if stages.len() > 1 {
                    stage_no.and_then(|s| stages.get(s)).cloned()
                } else {
                    None
                };
                out.push(EngineStep {
                    stage,
                    step: i,
                    of: n,
                    keyword,
                    text: text.to_string(),
                    cached: false,
                    error: false,
                    canceled: false,
                });
                continue;
            }
        }
        if line.trim() == "---> Using cache" {
            if let Some(last) = out.last_mut() {
                last.cached = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildkit_plain_progress() {
        let log = "\
#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#5 [builder 1/3] FROM docker.io/library/busybox
#5 CACHED
#6 [builder 2/3] WORKDIR /src
#6 DONE 0.1s
#7 [stage-1 2/2] COPY --from=builder /a /b
#7 DONE 0.0s
#8 [builder 3/3] RUN cat /x [1/2]
#8 ERROR: process \"/bin/sh -c cat /x [1/2]\" did not complete successfully: exit code: 1
#9 [stage-1 1/2] FROM docker.io/library/busybox
#9 CACHEDNOT
#10 [builder 3/3] COPY a b
#10 CANCELED
";
        let stages = vec!["builder".to_string(), "stage-1".to_string()];
        let steps = parse_buildkit(log, &stages);
        // stage step keyword, then c(ached) e(rror) x (canceled) flags
        let brief: Vec<String> = steps
            .iter()
            .map(|s| {
                let flags: String = [(s.cached, 'c'), (s.error, 'e'), (s.canceled, 'x')]
                    .iter()
                    .filter_map(|(on, f)| on.then_some(*f))
                    .collect();
                format!(
                    "{} {} {} {flags}",
                    s.stage.as_deref().unwrap_or("-"),
                    s.step,
                    s.keyword
                )
            })
            .collect();
        assert_eq!(
            brief,
            [
                "builder 1 FROM c",
                "builder 2 WORKDIR ",
                "builder 3 RUN e",
                "builder 3 COPY x",
                "stage-1 1 FROM ",
                "stage-1 2 COPY ",
            ]
        );
        assert_eq!(steps[2].text, "RUN cat /x [1/2]");
    }

    #[test]
    fn a_step_number_padded_to_the_count_is_read() {
        let log = "#5 [stage-2  2/10] WORKDIR /app\n#5 DONE 0.0s\n#6 [ 3/10] RUN x\n#6 CACHED\n";
        let stages = vec!["stage-2".to_string()];
        let steps = parse_buildkit(log, &stages);
        let got: Vec<_> = steps
            .iter()
            .map(|s| (s.stage.as_deref(), s.step, s.of, s.cached))
            .collect();
        assert_eq!(got, [(Some("stage-2"), 2, 10, false), (None, 3, 10, true)]);
    }

    #[test]
    fn classic_steps() {
        let log = "\
Sending build context to Docker daemon  3.072kB
Step 1/4 : FROM busybox AS builder
 ---> 8d1f1e2e3f4a
Step 2/4 : RUN echo hi
 ---> Using cache
 ---> 0123456789ab
Step 3/4 : FROM busybox
Step 4/4 : COPY --from=builder /a /b
 ---> 1234
Successfully built 1234
";
        let stages = vec!["builder".to_string(), "stage-1".to_string()];
        let steps = parse_classic(log, &stages);
        let brief: Vec<(Option<&str>, usize, usize, &str, bool)> = steps
            .iter()
            .map(|s| (s.stage.as_deref(), s.step, s.of, s.text.as_str(), s.cached))
            .collect();
        assert_eq!(
            brief,
            [
                (Some("builder"), 1, 4, "FROM busybox AS builder", false),
                (Some("builder"), 2, 4, "RUN echo hi", true),
                (Some("stage-1"), 3, 4, "FROM busybox", false),
                (Some("stage-1"), 4, 4, "COPY --from=builder /a /b", false),
            ]
        );
        let single = parse_classic("Step 1/1 : FROM busybox\n", &["stage-0".to_string()]);
        assert_eq!(single[0].stage, None);
    }
}
