//! First hash of a 1 GiB build context (64 × 16 MiB + 1,000 small files)
//! against a baseline measured in the same run: raw single-core sha256 over
//! an in-memory 64 MiB buffer. Goal: the context hash reaches ≥70% of the
//! baseline's throughput. Compare the two `thrpt` lines criterion prints.

use std::fs;
use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use layerlab::engine::context::{ContextSnapshot, StatCache};
use layerlab::engine::dockerignore::DockerIgnore;
use layerlab::filesystem::digest::Digest;

const BIG_FILES: usize = 64;
const BIG_SIZE: usize = 16 * 1024 * 1024;
const SMALL_FILES: usize = 1_000;
const SMALL_SIZE: usize = 1_024;
const BASELINE_SIZE: usize = 64 * 1024 * 1024;

/// Deterministic, incompressible-looking bytes (xorshift).
fn fill(buffer: &mut [u8], seed: u64) {
    let mut x = seed | 1;
    for chunk in buffer.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let bytes = x.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

fn make_context(root: &Path) -> u64 {
    let mut buffer = vec![0u8; BIG_SIZE];
    for i in 0..BIG_FILES {
        fill(&mut buffer, i as u64 + 1);
        fs::write(root.join(format!("big-{i:02}.bin")), &buffer).expect("write big file");
    }
    let small_dir = root.join("small");
    fs::create_dir(&small_dir).expect("mkdir");
    for i in 0..SMALL_FILES {
        fill(&mut buffer[..SMALL_SIZE], 1_000 + i as u64);
        fs::write(
            small_dir.join(format!("f{i:04}.txt")),
            &buffer[..SMALL_SIZE],
        )
        .expect("write small file");
    }
    (BIG_FILES * BIG_SIZE + SMALL_FILES * SMALL_SIZE) as u64
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("context_hash");
    group.sample_size(10);

    let mut buffer = vec![0u8; BASELINE_SIZE];
    fill(&mut buffer, 42);
    group.throughput(Throughput::Bytes(BASELINE_SIZE as u64));
    group.bench_function("baseline_sha256_64MiB_in_memory", |b| {
        b.iter(|| Digest::of(black_box(&buffer)));
    });
    drop(buffer);

    let dir = tempfile::tempdir().expect("tempdir");
    let total = make_context(dir.path());
    let ignore = DockerIgnore::default();
    group.throughput(Throughput::Bytes(total));
    group.bench_function("first_hash_1GiB_context", |b| {
        b.iter(|| {
            // A fresh stat cache: every file is read and hashed.
            let snapshot = ContextSnapshot::capture(dir.path(), &ignore, &mut StatCache::default())
                .expect("capture");
            assert_eq!(snapshot.stats().bytes_hashed, total);
            snapshot
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
