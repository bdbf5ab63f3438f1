//! A RUN that creates 10,000 files: how long the overlay takes to record
//! them, and to turn them into a digested tar layer.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use layerlab::engine::layer::digest_layer;
use layerlab::filesystem::blob::Blob;
use layerlab::filesystem::rootfs::{DiffMode, RootFs};

const FILES: u64 = 10_000;

fn populate() -> RootFs {
    let mut fs = RootFs::new();
    fs.mkdir_all("/usr/lib/pkg", 0o755, 0, 0)
        .expect("mkdir on an empty fs");
    for i in 0..FILES {
        // 100 directories of 100 files, 1 KiB each.
        let dir = format!("/usr/lib/pkg/d{:03}", i / 100);
        if i % 100 == 0 {
            fs.mkdir(&dir, 0o755, 0, 0).expect("fresh dir");
        }
        fs.write_file(&format!("{dir}/f{i:05}"), Blob::lazy(1024, i), 0o644, 0, 0)
            .expect("fresh file");
    }
    fs
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("rootfs");
    group.sample_size(10);
    group.bench_function("create 10k files", |b| b.iter(|| black_box(populate())));
    let fs = populate();
    group.bench_function("diff 10k files", |b| {
        b.iter(|| black_box(fs.diff(DiffMode::ContentCompare)));
    });
    let changes = fs.diff(DiffMode::ContentCompare);
    group.bench_function("tar+sha256 10k files (10 MiB)", |b| {
        b.iter(|| black_box(digest_layer(&changes).expect("lazy blobs always read")));
    });
    group.bench_function("create+diff+digest+commit 10k files", |b| {
        b.iter(|| {
            let fs = populate();
            let layer = digest_layer(&fs.diff(DiffMode::CopyUp)).expect("lazy blobs always read");
            let (next, _) = fs.commit(DiffMode::CopyUp);
            black_box((layer, next.exists("/usr/lib/pkg/d099/f09999")))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
