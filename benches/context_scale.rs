//! Issue 12, deliverable 4: a real project's context — a node app with
//! 100,000 files under `node_modules` — at interactive speed.
//!
//! Baseline in the same run: a stat walk of the same tree (`read_dir` and
//! `lstat` of every entry, what `find -printf '%s %T@'` does), the least any
//! snapshot of the tree can cost. Goals, as ratios to it or in time:
//! - a fully cached `layerlab build` (open the state, snapshot, build, save)
//!   no slower than 2× the stat walk;
//! - a rebuild after one source file changed, against the same walk;
//! - key press → preview → frame on the screen under 16 ms when nothing on
//!   disk changed (a preview reads no file's metadata again);
//! - a file saved on disk → the screen's snapshot brought up to date from the
//!   watcher's paths, against the same walk;
//! - the first frame of the screen under 500 ms (and, apart, the first
//!   preview after it).

use criterion::{criterion_group, criterion_main, Criterion};
use layerlab::app::i18n::Lang;
use layerlab::app::{Event, Key};
use layerlab::engine::builder::BuildOptions;
use layerlab::engine::daemon::Daemon;
use layerlab::runtime::Session;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use std::path::{Path, PathBuf};

const PACKAGES: usize = 100;
const DIRS_PER_PACKAGE: usize = 10;
const FILES_PER_DIR: usize = 100;

/// The lecture's node Dockerfile over a context that forgot `.dockerignore`.
const DOCKERFILE: &str = "FROM node\nWORKDIR /app\nCOPY package.json .\nRUN echo npm install\nCOPY . .\nCMD [\"node\", \"src/index.js\"]\n";

fn make_project(root: &Path) -> PathBuf {
    let ctx = root.join("app");
    for p in 0..PACKAGES {
        for d in 0..DIRS_PER_PACKAGE {
            let dir = ctx.join(format!("node_modules/pkg{p:03}/lib{d}"));
            std::fs::create_dir_all(&dir).expect("mkdir");
            for f in 0..FILES_PER_DIR {
                std::fs::write(
                    dir.join(format!("f{f:03}.js")),
                    format!("module.exports = {};\n", (p * 10 + d) * 100 + f),
                )
                .expect("write");
            }
        }
    }
    std::fs::create_dir_all(ctx.join("src")).expect("mkdir");
    std::fs::write(ctx.join("src/index.js"), "console.log('hi');\n").expect("write");
    std::fs::write(ctx.join("package.json"), "{\"name\": \"app\"}\n").expect("write");
    std::fs::write(ctx.join("Dockerfile"), DOCKERFILE).expect("write");
    ctx
}

/// The baseline: every entry's `lstat`, nothing else.
fn stat_walk(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let meta = std::fs::symlink_metadata(entry.path()).expect("lstat");
        total += meta.len();
        if meta.is_dir() {
            total += stat_walk(&entry.path());
        }
    }
    total
}

/// What `layerlab build` does: open the state, snapshot, build, save.
fn cli_build(state: &Path, ctx: &Path) -> usize {
    let mut daemon = Daemon::open(state).expect("open state");
    let snap = daemon.snapshot(ctx).expect("snapshot");
    let report = daemon
        .build(DOCKERFILE, &snap, &BuildOptions::default())
        .expect("build");
    report.totals.rebuilt
}

fn open_screen(state: &Path, ctx: &Path) -> Session {
    let daemon = Daemon::open(state).expect("open state");
    let mut s = Session::open(
        daemon,
        ctx.to_path_buf(),
        ctx.join("Dockerfile"),
        "app/Dockerfile",
        Lang::En,
    )
    .expect("open");
    s.model.size = (120, 35);
    s
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = make_project(dir.path());
    let state = dir.path().join("state");
    assert_eq!(
        cli_build(&state, &ctx),
        4,
        "the first build runs every step"
    );

    let mut group = c.benchmark_group("context_100k_files");
    group.sample_size(10);
    group.bench_function("baseline_stat_walk", |b| {
        b.iter(|| stat_walk(black_box(&ctx)));
    });
    group.bench_function("cached_rebuild", |b| {
        b.iter(|| assert_eq!(cli_build(&state, &ctx), 0));
    });
    let mut n = 0;
    group.bench_function("rebuild_one_file_changed", |b| {
        b.iter(|| {
            n += 1;
            std::fs::write(ctx.join("src/index.js"), format!("console.log({n});\n"))
                .expect("write");
            assert_eq!(cli_build(&state, &ctx), 1, "only COPY . . runs again");
        });
    });

    let mut term = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    // As the screen starts: the state opened, the Dockerfile read, the
    // first frame drawn; the context is read after it (`Session::start`).
    group.bench_function("first_frame", |b| {
        b.iter(|| {
            let s = open_screen(&state, &ctx);
            term.draw(|f| layerlab::ui::draw(f, &s.model))
                .expect("draw");
        });
    });
    // And what follows it: the context read, the first preview under both
    // builders (the side-by-side view) in a new process's memo.
    group.bench_function("first_preview", |b| {
        b.iter(|| {
            let mut s = open_screen(&state, &ctx);
            s.start();
            term.draw(|f| layerlab::ui::draw(f, &s.model))
                .expect("draw");
        });
    });

    let mut s = open_screen(&state, &ctx);
    s.start();
    // The RUN step selected: K and J move it above COPY package.json and
    // back, each a new preview of the whole file.
    for _ in 0..3 {
        s.dispatch(Event::Key(Key::char('j')));
    }
    let mut up = true;
    group.bench_function("keypress_preview_frame", |b| {
        b.iter(|| {
            s.dispatch(Event::Key(Key::char(if up { 'K' } else { 'J' })));
            up = !up;
            term.draw(|f| layerlab::ui::draw(f, &s.model))
                .expect("draw");
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
