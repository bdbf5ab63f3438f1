//! Replaying a conformance scenario through layerlab's engine, and
//! comparing the result with a recording (or a live engine) on what
//! layerlab simulates so far. Shared by the offline differential test
//! (tests/it/conformance.rs) and the live one (tests/it/live_engine.rs).

use super::compare;
use super::scenario::{
    apply_mutation, materialize, BuildRecord, FinalImage, HistoryRow, ImageSummary, Mode,
    ModeRecord, ScenarioDir, Step,
};
use layerlab::engine::builder::{self, BuildOptions, BuilderKind};
use layerlab::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
use layerlab::engine::history_text::BuildkitFrontend;
use layerlab::engine::store::EngineState;

/// The rootfs tarball the recordings' base was imported from (see
/// `conformance/runner/make_base.sh`): busybox-static and nine applet links.
pub fn busybox_rootfs() -> Result<Vec<u8>, String> {
    let busybox = std::fs::read("/bin/busybox")
        .map_err(|e| format!("/bin/busybox is missing ({e}): apt-get install -y busybox-static"))?;
    let mut out = tar::Builder::new(Vec::new());
    let header = |kind: tar::EntryType, mode: u32, size: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_764_310_175);
        h
    };
    let mut dir = header(tar::EntryType::Directory, 0o755, 0);
    out.append_data(&mut dir, "bin/", std::io::empty())
        .map_err(|e| e.to_string())?;
    let mut file = header(tar::EntryType::Regular, 0o755, busybox.len() as u64);
    out.append_data(&mut file, "bin/busybox", busybox.as_slice())
        .map_err(|e| e.to_string())?;
    for applet in super::busybox::APPLETS {
        let mut link = header(tar::EntryType::Symlink, 0o777, 0);
        out.append_link(&mut link, format!("bin/{applet}"), "busybox")
            .map_err(|e| e.to_string())?;
    }
    out.into_inner().map_err(|e| e.to_string())
}

struct Args {
    opts: BuildOptions,
    dockerfile: String,
}

fn parse_args(args: &[String], builder: BuilderKind) -> Args {
    let mut opts = BuildOptions {
        builder,
        ..BuildOptions::default()
    };
    let mut dockerfile = "Dockerfile".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-cache" => opts.no_cache = true,
            "--build-arg" => {
                if let Some(kv) = it.next() {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    opts.build_args.push((k.into(), v.into()));
                }
            }
            "--target" => opts.target = it.next().cloned(),
            "-f" | "--file" => {
                if let Some(f) = it.next() {
                    dockerfile = f.clone();
                }
            }
            other => panic!("scenario uses a docker build flag this test does not know: {other}"),
        }
    }
    Args { opts, dockerfile }
}

pub fn replay(sc: &ScenarioDir, mode: Mode, base: &[u8], frontend: BuildkitFrontend) -> ModeRecord {
    let builder = match mode {
        Mode::Buildkit => BuilderKind::Buildkit,
        Mode::Classic => BuilderKind::Classic,
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    materialize(root, &sc.scenario.files).expect("materialize");
    let mut state = EngineState::default();
    layerlab::engine::import::import_tar(&mut state, base, "busybox:latest").expect("import");
    let mut stat_cache = StatCache::default();
    let mut builds = Vec::new();
    let mut last = None;
    let mut previous_id = None;
    for spec in &sc.scenario.builds {
        for m in &spec.mutate {
            apply_mutation(root, m).expect("mutation");
        }
        let mut args = parse_args(&spec.args, builder);
        args.opts.frontend = frontend;
        let text = std::fs::read_to_string(root.join(&args.dockerfile)).expect("Dockerfile");
        let ignore = read_dockerignore(root).expect(".dockerignore");
        let snapshot = ContextSnapshot::capture(root, &ignore, &mut stat_cache).expect("snapshot");
        match builder::build(&mut state, &text, &snapshot, &args.opts) {
            Ok(report) => {
                let same = previous_id.map(|p| p == report.image_id);
                previous_id = Some(report.image_id);
                builds.push(BuildRecord {
                    args: spec.args.clone(),
                    exit_code: 0,
                    steps: report.steps.iter().map(|s| step(s, mode)).collect(),
                    same_image_as_previous_build: same,
                    layer_count: Some(report.layer_count as u64),
                    size: Some(report.size),
                    ..BuildRecord::default()
                });
                last = Some(report);
            }
            Err(e) => {
                // The recorder never compares across a failed build: the
                // build after one has no previous image.
                previous_id = None;
                builds.push(BuildRecord {
                    args: spec.args.clone(),
                    exit_code: e.exit_code,
                    steps: e.steps.iter().map(|s| step(s, mode)).collect(),
                    error_tail: Some(e.message),
                    ..BuildRecord::default()
                });
            }
        }
    }
    let final_image = last
        .and_then(|r| state.images.get(&r.image_id).cloned())
        .map(|img| {
            let oci = img.oci();
            let c = &oci.config;
            let keys = |m: &std::collections::BTreeMap<String, layerlab::engine::image::Empty>| {
                (!m.is_empty()).then(|| m.keys().cloned().collect())
            };
            FinalImage {
                inspect: ImageSummary {
                    layer_count: img.layers.len() as u64,
                    env: Some(c.env.clone()),
                    cmd: c.cmd.clone(),
                    entrypoint: c.entrypoint.clone(),
                    working_dir: Some(c.working_dir.clone()),
                    user: Some(c.user.clone()),
                    labels: (!c.labels.is_empty()).then(|| c.labels.clone()),
                    exposed_ports: keys(&c.exposed_ports),
                    volumes: keys(&c.volumes),
                    shell: (!c.shell.is_empty()).then(|| c.shell.clone()),
                    stop_signal: (!c.stop_signal.is_empty()).then(|| c.stop_signal.clone()),
                    healthcheck: c
                        .healthcheck
                        .as_ref()
                        .map(|h| serde_json::to_value(h).expect("healthcheck json")),
                    ..ImageSummary::default()
                },
                history: img
                    .history
                    .iter()
                    .rev()
                    .map(|h| HistoryRow {
                        created_by: h.created_by.clone(),
                        comment: h.comment.clone(),
                        size_bytes: Some(h.size),
                        id: None,
                        created_at: None,
                    })
                    .collect(),
            }
        });
    ModeRecord {
        builds,
        final_image,
    }
}

fn step(s: &layerlab::engine::report::StepReport, mode: Mode) -> Step {
    use layerlab::engine::report::{MissReason, Verdict};
    let failed = matches!(
        s.verdict,
        Verdict::Miss {
            why: MissReason::Failed { .. }
        }
    );
    Step {
        stage: s.stage.clone(),
        step: s.step as u32,
        of: s.of as u32,
        keyword: s.keyword.clone(),
        text: s.text.clone(),
        cached: s.verdict.cached(),
        // BuildKit marks the failing step ERROR; the classic builder does not.
        error: failed && mode == Mode::Buildkit,
        canceled: matches!(
            s.verdict,
            Verdict::Miss {
                why: MissReason::Canceled { .. }
            }
        ),
    }
}

/// Compare everything the recordings keep stable: steps with their cached
/// flags, exit codes, whether the image is the previous build's, layer
/// counts, sizes, and the final config and history.
pub fn mismatches(
    sc: &ScenarioDir,
    mode: Mode,
    want: &ModeRecord,
    got: &ModeRecord,
) -> Vec<String> {
    let mut out = Vec::new();
    if want.builds.len() != got.builds.len() {
        out.push(format!(
            "expected {} builds, got {}",
            want.builds.len(),
            got.builds.len()
        ));
    }
    for (i, (w, g)) in want.builds.iter().zip(&got.builds).enumerate() {
        let mut w = w.clone();
        let mut g = g.clone();
        if sc.scenario.nondeterministic_stage_labels {
            w.steps.iter_mut().for_each(|s| s.stage = None);
            g.steps.iter_mut().for_each(|s| s.stage = None);
        }
        // Image ids are not stable between recordings (README).
        w.image_id = None;
        w.wall_seconds = None;
        w.error_tail = None;
        w.parse_warning = None;
        g.error_tail = None;
        if w.exit_code != 0 {
            w.layer_count = None;
            g.layer_count = None;
        }
        out.extend(
            compare::compare(&w, &g)
                .into_iter()
                .map(|m| format!("{mode:?} build {i}: {m}")),
        );
    }
    if let (Some(w), Some(g)) = (&want.final_image, &got.final_image) {
        out.extend(
            compare::compare_final(w, g)
                .into_iter()
                .map(|m| format!("{mode:?}: {m}")),
        );
    }
    out
}
