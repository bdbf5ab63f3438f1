use layerlab::engine::builder::{build, BuildOptions, EngineState};
use layerlab::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;
const FILES: usize = 1_000;
const INSTRUCTIONS: usize = 100;
include!("/tmp/mk.rs");
fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let df = make_context(root);
    let ignore = read_dockerignore(root).unwrap();
    let mut stat = StatCache::default();
    let mut state = EngineState::default();
    let opts = BuildOptions::default();
    let snap = ContextSnapshot::capture(root, &ignore, &mut stat).unwrap();
    build(&mut state, &df, &snap, &opts).unwrap();
    for n in 0..200u64 {
        std::fs::write(root.join("src/mod19/file0999.js"), format!("x{n}\n")).unwrap();
        let t = Instant::now();
        let snap = ContextSnapshot::capture(root, &ignore, &mut stat).unwrap();
        let t1 = t.elapsed();
        let r = build(&mut state, &df, &snap, &opts).unwrap();
        if n % 50 == 0 {
            eprintln!(
                "snapshot {:?} build {:?} rebuilt {}",
                t1,
                t.elapsed() - t1,
                r.rebuilt()
            );
        }
    }
}
