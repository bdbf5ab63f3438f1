//! Issue 3 benchmark (a): a rebuild of a 100-instruction Dockerfile over a
//! 1,000-file context after one copied file changed — snapshot (stat cache:
//! one file re-hashed) plus build (cache lookups, one COPY and the steps
//! above it rebuilt). Goal: under 5 ms median.
//!
//! Baseline in the same run: the same rebuild with nothing changed (every
//! step a cache hit), so the ratio shows what the changed file costs.

use criterion::{criterion_group, criterion_main, Criterion};
use layerlab::engine::builder::{build, BuildOptions};
use layerlab::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
use layerlab::engine::store::EngineState;
use std::fmt::Write as _;
use std::path::Path;

const FILES: usize = 1_000;
const INSTRUCTIONS: usize = 100;

fn make_context(root: &Path) -> String {
    for i in 0..FILES {
        let dir = root.join(format!("src/mod{:02}", i % 20));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join(format!("file{i:04}.js")),
            format!("export const v{i} = {i};\n").repeat(20),
        )
        .expect("write");
    }
    let mut df = String::from("FROM alpine\nWORKDIR /app\n");
    // 98 more: mostly metadata and single-file COPYs, the source dir last.
    for i in 0..(INSTRUCTIONS - 3) {
        match i % 4 {
            0 => writeln!(df, "ENV STEP_{i}=value{i}").ok(),
            1 => writeln!(df, "COPY src/mod{:02}/file{:04}.js /app/lib/", i % 20, i).ok(),
            2 => writeln!(df, "LABEL step{i}=\"label {i}\"").ok(),
            _ => writeln!(df, "RUN echo step {i} > /tmp/step{i}").ok(),
        };
    }
    df.push_str("COPY src/ /app/src/\n");
    df
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let dockerfile = make_context(root);
    assert_eq!(dockerfile.lines().count(), INSTRUCTIONS);
    let ignore = read_dockerignore(root).expect("ignore");
    let mut stat = StatCache::default();
    let mut state = EngineState::default();
    let opts = BuildOptions::default();
    let snap = ContextSnapshot::capture(root, &ignore, &mut stat).expect("snapshot");
    build(&mut state, &dockerfile, &snap, &opts).expect("first build");

    let mut group = c.benchmark_group("rebuild_100_instructions_1000_files");
    group.bench_function("nothing_changed", |b| {
        b.iter(|| {
            let snap = ContextSnapshot::capture(root, &ignore, &mut stat).expect("snapshot");
            build(&mut state, &dockerfile, &snap, &opts).expect("build")
        });
    });
    // A source file only the last COPY reads: one step rebuilds (the
    // Dockerfile written as the lecture teaches).
    let mut n = 0u64;
    let mut change = |name: &str, n: u64| {
        std::fs::write(root.join(name), format!("export const v = {n};\n")).expect("write");
        let snap = ContextSnapshot::capture(root, &ignore, &mut stat).expect("snapshot");
        build(&mut state, &dockerfile, &snap, &opts).expect("build")
    };
    group.bench_function("one_copied_file_changed", |b| {
        b.iter(|| {
            n += 1;
            let report = change("src/mod19/file0999.js", n);
            assert_eq!(report.totals.rebuilt, 1);
            report
        });
    });
    // A file an early COPY reads as well: the cascade rebuilds every COPY
    // and RUN after it (about 45 steps; ENV and LABEL are no steps).
    group.bench_function("early_copied_file_changed_cascade", |b| {
        b.iter(|| {
            n += 1;
            let report = change("src/mod05/file0005.js", n);
            assert!(report.totals.rebuilt > 40);
            report
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
