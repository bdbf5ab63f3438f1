//! Simulated context changes (`ContextSnapshot::with_overrides`) through
//! real builds: the verdicts and layers a change on disk would give, with
//! the directory on disk never touched.

use std::sync::Arc;

use layerlab::engine::builder::{self, BuildOptions, BuilderKind};
use layerlab::engine::context::{
    read_dockerignore, ContextSnapshot, Override, Overrides, StatCache,
};
use layerlab::engine::report::{BuildReport, FileChange, MissReason, Verdict};
use layerlab::engine::store::EngineState;
use layerlab::filesystem::rootfs::{Change, NodeKind};

use crate::support::files::{disk_state, write};

const DF: &str = "FROM scratch\nCOPY app.js /app/\nCOPY src/ /src/\nCOPY . /all/\n";

/// A context on disk, its snapshot, and a digest of every byte and mode in
/// it, to prove nothing was written.
struct Fixture {
    dir: tempfile::TempDir,
    snap: ContextSnapshot,
    state: EngineState,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".dockerignore", "*.log\nbuild\n");
        write(root, "Dockerfile", DF);
        write(root, "app.js", "console.log(1)\n");
        write(root, "src/a.js", "a\n");
        write(root, "src/b.js", "b\n");
        write(root, "debug.log", "noise\n");
        let ignore = read_dockerignore(root).unwrap();
        let snap = ContextSnapshot::capture(root, &ignore, &mut StatCache::default()).unwrap();
        Fixture {
            dir,
            snap,
            state: EngineState::default(),
        }
    }

    fn build(&mut self, snap: &ContextSnapshot, builder: BuilderKind) -> BuildReport {
        let opts = BuildOptions {
            builder,
            ..BuildOptions::default()
        };
        builder::build(&mut self.state, DF, snap, &opts).expect("build")
    }

    /// Builds the real context, then the simulated one; the disk is the same
    /// before and after.
    fn simulate(&mut self, builder: BuilderKind, changes: &[(&str, Override)]) -> BuildReport {
        let before = disk_state(self.dir.path());
        let base = self.snap.clone();
        self.build(&base, builder);
        let mut o = Overrides::default();
        for (p, c) in changes {
            o.push(*p, c.clone());
        }
        let report = self.build(&base.with_overrides(&o), builder);
        assert_eq!(
            disk_state(self.dir.path()),
            before,
            "the context on disk changed"
        );
        report
    }

    /// The bytes a step's layer holds at `path` (no leading `/`).
    fn layer_file(&mut self, report: &BuildReport, step: &str, path: &str) -> Option<Vec<u8>> {
        let layer = report
            .steps
            .iter()
            .find(|s| s.text.contains(step))?
            .layer
            .as_ref()?;
        let changes = self.state.layer(&layer.diff_id)?;
        changes.iter().find_map(|(k, c)| match c {
            Change::Put(n) if k.as_str() == path => match &n.kind {
                NodeKind::File(b) => b.to_vec().ok(),
                _ => None,
            },
            _ => None,
        })
    }
}

fn verdict(report: &BuildReport, step: &str) -> Verdict {
    report
        .steps
        .iter()
        .find(|s| s.text.contains(step))
        .map(|s| s.verdict.clone())
        .unwrap_or_else(|| panic!("no step {step}: {report:?}"))
}

fn size(report: &BuildReport, step: &str) -> u64 {
    report
        .steps
        .iter()
        .find(|s| s.text.contains(step))
        .and_then(|s| s.layer.as_ref())
        .map_or(0, |l| l.size)
}

fn changes(v: &Verdict) -> Vec<FileChange> {
    match v {
        Verdict::Miss {
            why: MissReason::FilesChanged { changes },
        } => changes.clone(),
        other => panic!("not a file change: {other:?}"),
    }
}

fn write_op(text: &str) -> Override {
    Override::Write(Arc::from(text.as_bytes()))
}

const BOTH: [BuilderKind; 2] = [BuilderKind::Buildkit, BuilderKind::Classic];

#[test]
fn a_written_file_misses_and_its_layer_holds_the_new_bytes() {
    for builder in BOTH {
        let mut f = Fixture::new();
        let plain = f.build(&f.snap.clone(), builder);
        let old_size = size(&plain, "COPY app.js");
        let r = f.simulate(builder, &[("app.js", write_op("console.log(1)\n\n"))]);
        assert!(verdict(&r, "COPY app.js").missed(), "{builder:?}");
        if builder == BuilderKind::Buildkit {
            assert!(matches!(
                &changes(&verdict(&r, "COPY app.js"))[..],
                [FileChange::Content { path, .. }] if path == "app.js"
            ));
        }
        assert!(matches!(
            verdict(&r, "COPY src/"),
            Verdict::Miss {
                why: MissReason::ParentRebuilt { .. }
            }
        ));
        assert_eq!(
            f.layer_file(&r, "COPY app.js", "app/app.js").as_deref(),
            Some(&b"console.log(1)\n\n"[..])
        );
        assert_eq!(size(&r, "COPY app.js"), old_size + 1, "{builder:?}");
    }
}

#[test]
fn touch_keeps_the_cache_and_a_mode_change_misses() {
    for builder in BOTH {
        let mut f = Fixture::new();
        let r = f.simulate(builder, &[("src/a.js", Override::Touch)]);
        assert!(verdict(&r, "COPY src/").cached(), "{builder:?}");
        assert!(verdict(&r, "COPY . ").cached(), "{builder:?}");
        let r = f.simulate(builder, &[("src/a.js", Override::Mode(0o755))]);
        assert!(verdict(&r, "COPY src/").missed(), "{builder:?}");
        assert!(verdict(&r, "COPY app.js").cached(), "{builder:?}");
    }
}

#[test]
fn removing_a_copied_file_fails_the_copy_and_in_a_dir_misses() {
    for builder in BOTH {
        let mut f = Fixture::new();
        f.build(&f.snap.clone(), builder);
        let mut o = Overrides::default();
        o.push("app.js", Override::Remove);
        let opts = BuildOptions {
            builder,
            ..BuildOptions::default()
        };
        let err = builder::build(&mut f.state, DF, &f.snap.with_overrides(&o), &opts)
            .expect_err("COPY of a missing file fails");
        assert!(err.message.contains("app.js"), "{}", err.message);
        assert!(f.dir.path().join("app.js").exists());

        let r = f.simulate(builder, &[("src/b.js", Override::Remove)]);
        assert!(verdict(&r, "COPY src/").missed(), "{builder:?}");
        assert_eq!(f.layer_file(&r, "COPY src/", "src/b.js"), None);
        assert!(f.layer_file(&r, "COPY src/", "src/a.js").is_some());
    }
}

#[test]
fn an_added_file_misses_a_copied_dir_unless_dockerignore_drops_it() {
    for builder in BOTH {
        let mut f = Fixture::new();
        let r = f.simulate(builder, &[("src/c.js", write_op("c\n"))]);
        assert!(verdict(&r, "COPY src/").missed(), "{builder:?}");
        if builder == BuilderKind::Buildkit {
            assert!(matches!(
                &changes(&verdict(&r, "COPY src/"))[..],
                [FileChange::Added { path }] if path.contains("c.js")
            ));
        }
        assert_eq!(
            f.layer_file(&r, "COPY src/", "src/c.js").as_deref(),
            Some(&b"c\n"[..])
        );
        // Ignored: a new log, a file in an ignored directory, and more text
        // in the ignored log that exists on disk.
        let r = f.simulate(
            builder,
            &[
                ("new.log", write_op("x")),
                ("build/out.o", write_op("x")),
                ("debug.log", write_op("noise\n\n")),
            ],
        );
        assert!(verdict(&r, "COPY . ").cached(), "{builder:?}");
    }
}

#[test]
fn a_large_written_file_is_not_streamed_from_the_disk() {
    // Above the file cache's limit context files are streamed from disk;
    // simulated content must still come from memory.
    let mut f = Fixture::new();
    let big = "x".repeat(3 << 20);
    let r = f.simulate(BuilderKind::Buildkit, &[("app.js", write_op(&big))]);
    assert_eq!(
        f.layer_file(&r, "COPY app.js", "app/app.js")
            .map(|b| b.len()),
        Some(big.len())
    );
    assert_eq!(size(&r, "COPY app.js"), big.len() as u64);
}
