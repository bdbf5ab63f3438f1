//! Issue 12: a cached rebuild of a context holding one 2 GB sparse file,
//! as `layerlab build` runs it — a process opening the persisted state,
//! snapshotting the context (its stat cache says nothing changed) and
//! building a Dockerfile whose every step is cached. Goals: under 2 s and
//! 300 MB.
//!
//! Baseline in the same run: the same rebuild of the same context without
//! the big file, in a state of its own, so the ratio shows what the 2 GB
//! file costs a cached rebuild. The peak memory (VmHWM, reset before each
//! measurement through /proc/self/clear_refs) of one rebuild of each is
//! printed beside it, and of the first build that stores the layer.

use criterion::{criterion_group, criterion_main, Criterion};
use layerlab::engine::builder::BuildOptions;
use layerlab::engine::daemon::Daemon;
use std::path::Path;

const BIG: u64 = 2 << 30;
const DOCKERFILE: &str = "FROM busybox\nCOPY . /data/\n";
/// The goal for a cached rebuild with the 2 GB file.
const MEMORY_GOAL: u64 = 300 << 20;

fn make_context(root: &Path, big: bool) {
    std::fs::create_dir_all(root).expect("context dir");
    std::fs::write(root.join("a.txt"), "hi\n").expect("a.txt");
    std::fs::write(root.join(".dockerignore"), "Dockerfile\n").expect(".dockerignore");
    if big {
        let file = std::fs::File::create(root.join("big.img")).expect("big.img");
        file.set_len(BIG).expect("a 2 GB hole");
    }
}

/// What `layerlab build` does: open the state, snapshot, build. Whether
/// every step was cached.
fn build(state: &Path, context: &Path) -> bool {
    let mut daemon = Daemon::open(state).expect("open the state");
    let snapshot = daemon.snapshot(context).expect("snapshot");
    let report = daemon
        .build(DOCKERFILE, &snapshot, &BuildOptions::default())
        .expect("build");
    report.steps.iter().all(|s| !s.verdict.missed())
}

/// The peak resident memory while `f` runs, when the kernel can say
/// (Linux: VmHWM, reset by writing 5 to clear_refs).
fn peak_memory(f: impl FnOnce()) -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    f();
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn megabytes(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "not measured (no /proc/self/clear_refs)".to_owned(),
        |b| format!("{:.1} MB", b as f64 / 1e6),
    )
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (small_ctx, big_ctx) = (dir.path().join("small"), dir.path().join("big"));
    let (small_state, big_state) = (dir.path().join("state-small"), dir.path().join("state-big"));
    make_context(&small_ctx, false);
    make_context(&big_ctx, true);

    let first = peak_memory(|| assert!(!build(&big_state, &big_ctx), "a first build"));
    assert!(!build(&small_state, &small_ctx), "a first build");
    let small = peak_memory(|| assert!(build(&small_state, &small_ctx), "all cached"));
    let big = peak_memory(|| assert!(build(&big_state, &big_ctx), "all cached"));
    println!(
        "peak memory, first build with the 2 GB file: {}",
        megabytes(first)
    );
    println!(
        "peak memory, cached rebuild without it:      {}",
        megabytes(small)
    );
    println!(
        "peak memory, cached rebuild with it:         {}",
        megabytes(big)
    );
    if let Some(big) = big {
        assert!(
            big < MEMORY_GOAL,
            "a cached rebuild with a 2 GB file peaks at {}",
            megabytes(Some(big))
        );
    }

    let mut group = c.benchmark_group("cached_rebuild_2gb_sparse_file");
    group.bench_function("baseline_without_the_file", |b| {
        b.iter(|| assert!(build(&small_state, &small_ctx)));
    });
    group.bench_function("with_the_2gb_file", |b| {
        b.iter(|| assert!(build(&big_state, &big_ctx)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
