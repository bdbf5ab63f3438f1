//! Comparing two records of the same build on the fields that are stable between recordings
//! (the conformance README): exit code, the steps with their cached flags, whether the image
//! is the previous build's, layer count, size, and the final image's config and history.
//! Left out: image IDs, layer diff_ids, times, and FROM steps (BuildKit prints CACHED/DONE for
//! them seemingly at random and merges identical FROMs of several stages under any label).

use super::scenario::{BuildRecord, FinalImage, ModeRecord, Scenario, Step};

fn step_line(s: &Step) -> String {
    let stage = s
        .stage
        .as_deref()
        .map(|l| format!("{l} "))
        .unwrap_or_default();
    let mut flag = if s.cached { "CACHED" } else { "built" }.to_string();
    if s.error {
        flag.push_str(", ERROR");
    }
    if s.canceled {
        flag.push_str(", CANCELED");
    }
    format!("[{stage}{}/{}] {} ({flag})", s.step, s.of, s.text)
}

fn compared_steps(steps: &[Step]) -> Vec<&Step> {
    steps.iter().filter(|s| s.keyword != "FROM").collect()
}

fn field<T: PartialEq + std::fmt::Debug>(out: &mut Vec<String>, name: &str, want: &T, got: &T) {
    if want != got {
        out.push(format!("{name}: expected {want:?}, got {got:?}"));
    }
}

/// Mismatches between an expected and an actual build (empty when they agree).
pub fn compare(expected: &BuildRecord, actual: &BuildRecord) -> Vec<String> {
    let mut out = Vec::new();
    field(
        &mut out,
        "exit code",
        &expected.exit_code,
        &actual.exit_code,
    );
    let want = compared_steps(&expected.steps);
    let got = compared_steps(&actual.steps);
    if want.len() != got.len() {
        let list = |v: &[&Step]| {
            v.iter()
                .map(|s| format!("\n      {}", step_line(s)))
                .collect::<String>()
        };
        out.push(format!(
            "steps (FROM left out): expected {}:{}\n    got {}:{}",
            want.len(),
            list(&want),
            got.len(),
            list(&got)
        ));
    } else {
        for (w, g) in want.iter().zip(&got) {
            if w != g {
                out.push(format!(
                    "step: expected {}\n    got {}",
                    step_line(w),
                    step_line(g)
                ));
            }
        }
    }
    field(
        &mut out,
        "same image as previous build",
        &expected.same_image_as_previous_build,
        &actual.same_image_as_previous_build,
    );
    field(
        &mut out,
        "layer count",
        &expected.layer_count,
        &actual.layer_count,
    );
    field(&mut out, "size", &expected.size, &actual.size);
    out
}

/// Mismatches between two final images: config and history (`CreatedBy`, `Comment`,
/// `SizeBytes`, newest first).
pub fn compare_final(expected: &FinalImage, actual: &FinalImage) -> Vec<String> {
    let mut out = Vec::new();
    let (w, g) = (&expected.inspect, &actual.inspect);
    field(
        &mut out,
        "final layer_count",
        &w.layer_count,
        &g.layer_count,
    );
    field(&mut out, "final Env", &w.env, &g.env);
    field(&mut out, "final Cmd", &w.cmd, &g.cmd);
    field(&mut out, "final Entrypoint", &w.entrypoint, &g.entrypoint);
    field(&mut out, "final WorkingDir", &w.working_dir, &g.working_dir);
    field(&mut out, "final User", &w.user, &g.user);
    field(&mut out, "final Labels", &w.labels, &g.labels);
    field(
        &mut out,
        "final ExposedPorts",
        &w.exposed_ports,
        &g.exposed_ports,
    );
    field(&mut out, "final Volumes", &w.volumes, &g.volumes);
    field(&mut out, "final Shell", &w.shell, &g.shell);
    field(&mut out, "final StopSignal", &w.stop_signal, &g.stop_signal);
    field(
        &mut out,
        "final Healthcheck",
        &w.healthcheck,
        &g.healthcheck,
    );
    let row =
        |h: &super::scenario::HistoryRow| (h.created_by.clone(), h.comment.clone(), h.size_bytes);
    let want: Vec<_> = expected.history.iter().map(row).collect();
    let got: Vec<_> = actual.history.iter().map(row).collect();
    if want.len() != got.len() {
        out.push(format!(
            "history: expected {} rows, got {}:\n    expected {want:?}\n    got      {got:?}",
            want.len(),
            got.len()
        ));
    } else {
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            if w != g {
                out.push(format!("history row {i}: expected {w:?}, got {g:?}"));
            }
        }
    }
    out
}

/// Mismatches between all builds of a scenario in one builder mode, each line prefixed with
/// the build it concerns. Honours `nondeterministic_stage_labels`.
pub fn compare_mode(
    scenario: &Scenario,
    expected: &ModeRecord,
    actual: &ModeRecord,
) -> Vec<String> {
    let mut out = Vec::new();
    if expected.builds.len() != actual.builds.len() {
        out.push(format!(
            "expected {} builds, got {}",
            expected.builds.len(),
            actual.builds.len()
        ));
    }
    for (i, (w, g)) in expected.builds.iter().zip(&actual.builds).enumerate() {
        let (w, g) = if scenario.nondeterministic_stage_labels {
            (without_stage_labels(w), without_stage_labels(g))
        } else {
            (w.clone(), g.clone())
        };
        out.extend(
            compare(&w, &g)
                .into_iter()
                .map(|m| format!("build {i}: {m}")),
        );
    }
    match (&expected.final_image, &actual.final_image) {
        (Some(w), Some(g)) => out.extend(compare_final(w, g)),
        (None, None) => {}
        (Some(_), None) => out.push("final image: expected one, got none".to_string()),
        (None, Some(_)) => out.push("final image: expected none, got one".to_string()),
    }
    out
}

fn without_stage_labels(b: &BuildRecord) -> BuildRecord {
    let mut b = b.clone();
    for s in &mut b.steps {
        s.stage = None;
    }
    b.steps
        .sort_by(|x, y| (&x.text, x.step, x.of).cmp(&(&y.text, y.step, y.of)));
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(kw: &str, text: &str, cached: bool) -> Step {
        Step {
            stage: None,
            step: 1,
            of: 2,
            keyword: kw.into(),
            text: text.into(),
            cached,
            error: false,
            canceled: false,
        }
    }

    fn build(steps: Vec<Step>, size: u64) -> BuildRecord {
        BuildRecord {
            exit_code: 0,
            steps,
            image_id: Some("sha256:aaa".into()),
            layer_count: Some(2),
            size: Some(size),
            wall_seconds: Some(1.0),
            ..BuildRecord::default()
        }
    }

    #[test]
    fn unstable_fields_are_ignored() {
        let a = build(
            vec![
                step("FROM", "FROM busybox", true),
                step("RUN", "RUN x", true),
            ],
            10,
        );
        let mut b = build(
            vec![
                step("FROM", "FROM busybox", false),
                step("RUN", "RUN x", true),
            ],
            10,
        );
        b.image_id = Some("sha256:bbb".into());
        b.wall_seconds = Some(9.0);
        assert_eq!(compare(&a, &b), Vec::<String>::new());
    }

    #[test]
    fn cache_flag_size_and_missing_steps_are_reported() {
        let a = build(vec![step("RUN", "RUN x", true)], 10);
        let b = build(vec![step("RUN", "RUN x", false)], 11);
        let m = compare(&a, &b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].contains("CACHED") && m[0].contains("built"), "{m:?}");
        assert!(m[1].starts_with("size"), "{m:?}");
        let c = build(vec![], 10);
        assert_eq!(compare(&a, &c).len(), 1);
    }
}
