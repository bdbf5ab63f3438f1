//! Replays every recorded conformance scenario (the shared set and ours in tests/conformance)
//! on a live Docker engine with both builders, and checks the engine still reports what was
//! recorded. This validates the replay harness and our own recordings; the differential test
//! of layerlab against the same recordings reuses `support::compare`.
//!
//! Needs a daemon: `export DOCKER_HOST=$(bash .ci/docker-up.sh)`. Without one the test says
//! so loudly and passes, except under CI, where it fails.
//! `LAYERLAB_LIVE_ONLY=substring` replays only the scenarios whose directory name contains it.

use crate::support;

use layerlab::engine::history_text::BuildkitFrontend;
use std::time::Instant;
use support::compare::compare_mode;
use support::docker::{engine_for_test, in_ci, loud};
use support::layerlab::{
    busybox_rootfs, mismatches as layerlab_mismatches, replay as layerlab_replay,
};
use support::scenario::{
    find_scenarios, own_conformance_dir, shared_conformance_dir, Mode, ScenarioDir,
};

/// Our own set must stay at least this large (the brief of tests/conformance).
const MIN_OWN_SCENARIOS: usize = 12;

fn load_all(root: &std::path::Path) -> Vec<ScenarioDir> {
    let dirs = find_scenarios(root).unwrap_or_else(|e| panic!("scanning {}: {e}", root.display()));
    dirs.iter()
        .map(|d| ScenarioDir::load(d).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn own_scenarios() -> Vec<ScenarioDir> {
    load_all(&own_conformance_dir())
}

/// "R" rebuilt / "C" cached per non-FROM step, builds separated by `|`, as the recorder prints.
fn compact(record: &support::scenario::ModeRecord) -> String {
    let builds: Vec<String> = record
        .builds
        .iter()
        .map(|b| {
            let s: String = b
                .steps
                .iter()
                .filter(|s| s.keyword != "FROM")
                .map(|s| if s.cached { 'C' } else { 'R' })
                .collect();
            if b.exit_code != 0 {
                format!("{s}!{}", b.exit_code)
            } else if s.is_empty() {
                "-".into()
            } else {
                s
            }
        })
        .collect();
    builds.join(" | ")
}

#[test]
fn own_scenarios_are_well_formed() {
    let own = own_scenarios();
    assert!(
        own.len() >= MIN_OWN_SCENARIOS,
        "tests/conformance holds {} scenarios, expected at least {MIN_OWN_SCENARIOS}",
        own.len()
    );
    for s in &own {
        let label = s.label();
        assert_eq!(
            s.scenario.name, label,
            "{label}: name differs from the directory"
        );
        assert!(
            !s.scenario.teaches.trim().is_empty(),
            "{label}: no `teaches` line"
        );
        assert!(!s.scenario.builds.is_empty(), "{label}: no builds");
        assert!(
            s.expected.recording_problems.is_empty(),
            "{label}: recorded with problems {:?}",
            s.expected.recording_problems
        );
        for mode in Mode::ALL {
            let rec =
                s.expected.modes.get(&mode).unwrap_or_else(|| {
                    panic!("{label}: expected.json lacks mode {}", mode.as_str())
                });
            assert_eq!(
                rec.builds.len(),
                s.scenario.builds.len(),
                "{label} {}: build count",
                mode.as_str()
            );
            for (i, (b, spec)) in rec.builds.iter().zip(&s.scenario.builds).enumerate() {
                let may_fail = spec.expect_failure.applies_to(mode);
                assert!(
                    b.exit_code == 0 || may_fail,
                    "{label} {} build {i}: failed but expect_failure does not say so",
                    mode.as_str()
                );
            }
        }
    }
}

#[test]
fn live_engine_reproduces_recorded_scenarios() {
    let mut scenarios = Vec::new();
    match shared_conformance_dir() {
        Some(dir) => scenarios.extend(load_all(&dir)),
        None if in_ci() => panic!(
            "CI is set but the shared conformance scenarios are missing (../shared/conformance)"
        ),
        None => loud(
            "live_engine: the shared conformance set (../shared/conformance) is absent: \
             replaying only tests/conformance",
        ),
    }
    scenarios.extend(own_scenarios());
    if let Ok(only) = std::env::var("LAYERLAB_LIVE_ONLY") {
        scenarios.retain(|s| s.label().contains(&only));
    }

    let Some(engine) = engine_for_test("live_engine_reproduces_recorded_scenarios") else {
        return;
    };
    let session = engine
        .session()
        .unwrap_or_else(|e| panic!("cannot start replaying on {}: {e}", engine.host));
    let base = match busybox_rootfs() {
        Ok(b) => Some(b),
        Err(e) if in_ci() => panic!("{e}"),
        Err(e) => {
            loud(&format!(
                "live_engine: layerlab is NOT compared with the engine: {e}"
            ));
            None
        }
    };
    let started = Instant::now();
    let mut failures = Vec::new();
    for s in &scenarios {
        for (mode, expected) in &s.expected.modes {
            let t = Instant::now();
            let label = format!("{} [{}]", s.label(), mode.as_str());
            match session.replay(&s.scenario, *mode) {
                Err(e) => failures.push(format!("{label}: replay failed: {e}")),
                Ok(actual) => {
                    // layerlab against the same live run, as Docker 20.10's
                    // BuildKit would build it.
                    if let Some(base) = &base {
                        let ours = layerlab_replay(s, *mode, base, BuildkitFrontend::Docker2010);
                        failures.extend(
                            layerlab_mismatches(s, *mode, &actual, &ours)
                                .into_iter()
                                .map(|m| {
                                    format!("{label}: layerlab differs from the live engine: {m}")
                                }),
                        );
                    }
                    let mismatches = compare_mode(&s.scenario, expected, &actual);
                    eprintln!(
                        "{label}: {} in {:.1}s{}",
                        compact(&actual),
                        t.elapsed().as_secs_f64(),
                        if mismatches.is_empty() {
                            ""
                        } else {
                            "  MISMATCH"
                        }
                    );
                    failures.extend(mismatches.into_iter().map(|m| format!("{label}: {m}")));
                }
            }
        }
    }
    drop(session);
    // always shown (not captured): how long the oracle takes is worth seeing in every CI log
    loud(&format!(
        "live engine: replayed {} scenarios x {} builders on {} in {:.0}s, {} mismatch(es)",
        scenarios.len(),
        Mode::ALL.len(),
        engine.host,
        started.elapsed().as_secs_f64(),
        failures.len()
    ));
    assert!(
        failures.is_empty(),
        "{} mismatch(es) between the live engine and the recordings:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
