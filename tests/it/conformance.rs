//! The differential test: every recorded conformance scenario (the shared set
//! and ours in tests/conformance) replayed through layerlab's engine, with a
//! fresh state per scenario and builder, the recordings' busybox base
//! imported first, and the mutations applied between builds. Steps (keyword
//! and cached flag, FROM left out), exit codes, layer counts and the final
//! config must match what the real engine recorded.
//!
//! BuildKit follows `expected.buildkit-head.json` where present (current
//! BuildKit), the classic builder `expected.json`.

use crate::support;

use layerlab::engine::history_text::BuildkitFrontend;
use std::path::{Path, PathBuf};
use support::layerlab::{busybox_rootfs, mismatches, replay};
use support::scenario::{
    find_scenarios, own_conformance_dir, shared_conformance_dir, Mode, ModeRecord, ScenarioDir,
};

/// The recording to follow, and the BuildKit frontend it was made with:
/// current BuildKit where `expected.buildkit-head.json` exists, else the
/// BuildKit inside Docker 20.10 (whose history texts differ in places).
fn expected_for(sc: &ScenarioDir, mode: Mode) -> Option<(ModeRecord, BuildkitFrontend)> {
    if mode == Mode::Buildkit {
        let head = sc.dir.join("expected.buildkit-head.json");
        if let Ok(text) = std::fs::read_to_string(&head) {
            let head: support::scenario::Expected =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", head.display()));
            return head
                .modes
                .get(&Mode::Buildkit)
                .cloned()
                .map(|m| (m, BuildkitFrontend::Head));
        }
    }
    sc.expected
        .modes
        .get(&mode)
        .cloned()
        .map(|m| (m, BuildkitFrontend::Docker2010))
}

fn scenario_roots() -> Vec<PathBuf> {
    let mut roots = vec![own_conformance_dir()];
    match shared_conformance_dir() {
        Some(d) => roots.push(d),
        None => {
            eprintln!("\n!!!!!!!! ../shared/conformance is absent: the shared scenarios were NOT replayed !!!!!!!!\n");
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must provide ../shared/conformance"
            );
        }
    }
    roots
}

#[test]
fn layerlab_matches_recorded_engine() {
    let base = match busybox_rootfs() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("\n!!!!!!!! conformance NOT replayed: {e} !!!!!!!!\n");
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install busybox-static"
            );
            return;
        }
    };
    let mut failures = Vec::new();
    let mut total = 0;
    for root in scenario_roots() {
        let dirs = find_scenarios(&root).unwrap_or_default();
        for dir in dirs {
            let sc = ScenarioDir::load(Path::new(&dir)).expect("scenario");
            for mode in Mode::ALL {
                let Some((want, frontend)) = expected_for(&sc, mode) else {
                    continue;
                };
                total += 1;
                let got = replay(&sc, mode, &base, frontend);
                let m = mismatches(&sc, mode, &want, &got);
                if !m.is_empty() {
                    failures.push(format!("{} ({mode:?}):\n  {}", sc.label(), m.join("\n  ")));
                }
            }
        }
    }
    eprintln!(
        "conformance: {}/{} scenario×builder replays match",
        total - failures.len(),
        total
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
