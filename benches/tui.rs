//! Key press → previewed report (against a build) → rendered frame, for a 100-instruction
//! Dockerfile (goal: under 16 ms, one frame at 60 Hz), and start-up to the
//! first frame (goal: under 100 ms).

use criterion::{criterion_group, criterion_main, Criterion};
use layerlab::app::i18n::Lang;
use layerlab::app::{Event, Key};
use layerlab::engine::daemon::Daemon;
use layerlab::runtime::Session;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;

fn project(dir: &Path) -> std::path::PathBuf {
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(ctx.join("src")).unwrap();
    let mut df = String::from("FROM alpine\n");
    for i in 0..99 {
        match i % 3 {
            0 => df.push_str(&format!("ENV V{i}=value{i}\n")),
            1 => df.push_str(&format!("RUN echo step {i} > /tmp/s{i}\n")),
            _ => {
                std::fs::write(ctx.join(format!("src/f{i}.txt")), format!("file {i}\n")).unwrap();
                df.push_str(&format!("COPY src/f{i}.txt /app/\n"));
            }
        }
    }
    std::fs::write(ctx.join("Dockerfile"), df).unwrap();
    ctx
}

fn open(dir: &Path, ctx: &Path) -> Session {
    let daemon = Daemon::open(&dir.join("state")).unwrap();
    let mut s = Session::open(
        daemon,
        ctx.to_path_buf(),
        ctx.join("Dockerfile"),
        "ctx/Dockerfile",
        Lang::En,
    )
    .unwrap();
    s.model.size = (120, 35);
    s
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = project(dir.path());
    let mut term = Terminal::new(TestBackend::new(120, 35)).unwrap();

    let mut s = open(dir.path(), &ctx);
    s.start();
    // Built once, as a learner would before moving things: each key then
    // previews against that build.
    s.dispatch(Event::Key("f5".parse().unwrap()));
    // Select an instruction in the middle.
    for _ in 0..50 {
        s.dispatch(Event::Key(Key::char('j')));
    }
    let mut up = true;
    c.bench_function("keypress_rebuild_render_100_instructions", |b| {
        b.iter(|| {
            s.dispatch(Event::Key(Key::char(if up { 'K' } else { 'J' })));
            up = !up;
            term.draw(|f| layerlab::ui::draw(f, &s.model)).unwrap();
        });
    });
    drop(s);

    c.bench_function("startup_to_first_frame", |b| {
        b.iter(|| {
            let s = open(dir.path(), &ctx);
            term.draw(|f| layerlab::ui::draw(f, &s.model)).unwrap();
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
