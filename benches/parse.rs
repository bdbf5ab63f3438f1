//! Parser throughput on a generated 10,000-instruction Dockerfile.
//!
//! The same text is written to `target/tmp/bench-10000.Dockerfile` so that
//! BuildKit's Go parser can be timed on identical bytes for comparison.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use layerlab::dockerfile::{parse, sample::generate_dockerfile};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const INSTRUCTIONS: usize = 10_000;

fn parse_large_dockerfile(c: &mut Criterion) {
    let text = generate_dockerfile(INSTRUCTIONS);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-10000.Dockerfile");
    if let Err(err) = std::fs::write(&path, &text) {
        eprintln!("could not write {}: {err}", path.display());
    }
    // Timing a parser that rejects its input would measure the wrong thing.
    match parse(&text) {
        Ok(file) => assert_eq!(
            file.instructions.len(),
            INSTRUCTIONS,
            "the generated file should parse into {INSTRUCTIONS} instructions"
        ),
        Err(diagnostic) => panic!(
            "the generated Dockerfile does not parse:\n{}",
            diagnostic.render(&path.display().to_string(), &text)
        ),
    }

    let mut group = c.benchmark_group("parse_10k");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    // One throughput per benchmark in criterion, so the same work is timed
    // twice: once reported as bytes/s, once as instructions/s.
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("bytes", |b| b.iter(|| parse(black_box(&text))));
    group.throughput(Throughput::Elements(INSTRUCTIONS as u64));
    group.bench_function("instructions", |b| b.iter(|| parse(black_box(&text))));
    group.finish();
}

criterion_group!(benches, parse_large_dockerfile);
criterion_main!(benches);
