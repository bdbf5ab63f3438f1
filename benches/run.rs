//! Issue 4 benchmarks: RUN for real.
//!
//! * a RUN that creates 10,000 files (shell loop → in-memory filesystem →
//!   diff → tar layer → sha256), baseline in the same run: the same RUN
//!   creating 10 files, to show the per-file cost;
//! * a 100-instruction Dockerfile from a node base with `npm ci`, built
//!   from scratch (every step runs) and rebuilt with one source file
//!   changed (only the last COPY runs).

use criterion::{criterion_group, criterion_main, Criterion};
use layerlab::engine::builder::{build, BuildOptions};
use layerlab::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
use layerlab::engine::store::EngineState;
use std::fmt::Write as _;
use std::path::Path;

fn context(root: &Path, files: &[(&str, String)]) -> ContextSnapshot {
    for (name, text) in files {
        let path = root.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let ignore = read_dockerignore(root).expect("ignore");
    ContextSnapshot::capture(root, &ignore, &mut StatCache::default()).expect("snapshot")
}

fn run_creating_files(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("run_creates_files");
    group.sample_size(10);
    for n in [10usize, 10_000] {
        let dockerfile = format!(
            "FROM alpine\nRUN mkdir -p /data && for i in $(seq 1 {n}); do echo $i > /data/f$i; done\n"
        );
        let snap = context(dir.path(), &[("Dockerfile", dockerfile.clone())]);
        let mut state = EngineState::default();
        // Resolve the base image once, outside the measurement.
        build(&mut state, "FROM alpine\n", &snap, &BuildOptions::default()).expect("base");
        let opts = BuildOptions {
            no_cache: true,
            ..BuildOptions::default()
        };
        group.bench_function(format!("{n}_files"), |b| {
            b.iter(|| {
                let r = build(&mut state, &dockerfile, &snap, &opts).expect("build");
                assert!(r.size > 0);
                r
            });
        });
    }
    group.finish();
}

fn node_npm_ci_100(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let mut df = String::from(
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n",
    );
    let mut files = vec![
        (
            "package.json",
            r#"{"name":"bench","version":"1.0.0","dependencies":{"express":"^4.19.2"}}"#
                .to_string(),
        ),
        ("src/index.js", "console.log('v1');\n".to_string()),
    ];
    for i in 0..95 {
        match i % 3 {
            0 => writeln!(df, "ENV STEP_{i}=v{i}").ok(),
            1 => writeln!(df, "RUN echo step {i} > /tmp/step{i}").ok(),
            _ => writeln!(df, "LABEL step{i}=\"{i}\"").ok(),
        };
    }
    df.push_str("COPY src/ /app/src/\n");
    assert_eq!(df.lines().count(), 100);
    files.push(("Dockerfile", df.clone()));
    // npm ci needs a lock: make it with npm install once.
    let snap = context(root, &files);
    let mut state = EngineState::default();
    let lock_df = "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n";
    build(&mut state, lock_df, &snap, &BuildOptions::default()).expect("lock build");
    let lock = lock_json(&mut state);
    files.push(("package-lock.json", lock));
    let snap = context(root, &files);

    let mut group = c.benchmark_group("node_npm_ci_100_instructions");
    group.sample_size(10);
    group.bench_function("cold_build", |b| {
        b.iter(|| {
            // The base image's layer digests are a one-time cost per state.
            let mut fresh = EngineState {
                catalog_layers: state.catalog_layers.clone(),
                ..EngineState::default()
            };
            build(&mut fresh, &df, &snap, &BuildOptions::default()).expect("build")
        });
    });
    build(&mut state, &df, &snap, &BuildOptions::default()).expect("warm");
    let mut n = 0;
    group.bench_function("rebuild_after_source_change", |b| {
        b.iter(|| {
            n += 1;
            std::fs::write(root.join("src/index.js"), format!("console.log({n});\n")).expect("w");
            let ignore = read_dockerignore(root).expect("ignore");
            let snap =
                ContextSnapshot::capture(root, &ignore, &mut StatCache::default()).expect("s");
            let r = build(&mut state, &df, &snap, &BuildOptions::default()).expect("build");
            assert_eq!(r.totals.rebuilt, 1);
            r
        });
    });
    group.finish();
}

/// The package-lock.json the lock build's `npm install` wrote.
fn lock_json(state: &mut EngineState) -> String {
    let image = state
        .images
        .values()
        .max_by_key(|i| i.history.len())
        .cloned()
        .expect("image");
    for l in image.layers.iter().rev() {
        let changes = state.layer(&l.diff_id).expect("layer");
        for (key, change) in changes.iter() {
            if key.as_str() == "app/package-lock.json" {
                if let layerlab::filesystem::rootfs::Change::Put(node) = change {
                    if let layerlab::filesystem::rootfs::NodeKind::File(blob) = &node.kind {
                        return String::from_utf8(blob.to_vec().expect("read")).expect("utf8");
                    }
                }
            }
        }
    }
    panic!("npm install wrote no package-lock.json");
}

criterion_group!(benches, run_creating_files, node_npm_ci_100);
criterion_main!(benches);
