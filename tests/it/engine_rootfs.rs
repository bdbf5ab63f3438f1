//! The overlay filesystem driven the way the builder drives it: one step
//! after another, each step's diff becoming a layer.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use layerlab::engine::layer::digest_layer;
use layerlab::filesystem::blob::{Blob, BlobSource};
use layerlab::filesystem::rootfs::{DiffMode, RootFs};

use crate::support;

fn keys(changes: &layerlab::filesystem::rootfs::LayerChanges) -> Vec<String> {
    changes.iter().map(|(k, _)| k.as_str().to_owned()).collect()
}

/// A busybox-like base, committed as one layer.
fn busybox() -> RootFs {
    let mut fs = RootFs::new();
    support::busybox::install(&mut fs, 1);
    fs.commit(DiffMode::CopyUp).0
}

/// Replays the shape of the "order deps before source" scenario:
/// WORKDIR /app, COPY package.json ., RUN cp package.json /deps.lock,
/// COPY . . — and returns each step's layer keys and size.
fn deps_before_source(mode: DiffMode) -> Vec<(Vec<String>, u64)> {
    let dockerfile = Blob::from("d".repeat(124));
    let package = Blob::from("p".repeat(76));
    let app = Blob::from("a".repeat(25));
    let mut layers = Vec::new();
    let mut step = |fs: RootFs| -> RootFs {
        let (next, layer) = fs.commit(mode);
        layers.push((keys(&layer), layer.size()));
        next
    };

    let mut fs = busybox();
    fs.mkdir_all("/app", 0o755, 0, 0).expect("WORKDIR");
    let mut fs = step(fs);
    fs.write_file("/app/package.json", package.clone(), 0o644, 0, 0)
        .expect("COPY");
    let mut fs = step(fs);
    let lock = fs.read_file("/app/package.json").expect("cp source");
    fs.write_file("/deps.lock", lock, 0o644, 0, 0).expect("cp");
    let mut fs = step(fs);
    for (name, blob) in [
        ("Dockerfile", dockerfile),
        ("app.js", app),
        ("package.json", package),
    ] {
        fs.write_file(&format!("/app/{name}"), blob, 0o644, 0, 0)
            .expect("COPY . .");
    }
    step(fs);
    layers
}

#[test]
fn classic_and_buildkit_0_8_repeat_the_unchanged_file() {
    let layers = deps_before_source(DiffMode::CopyUp);
    assert_eq!(layers[0], (vec!["app".to_owned()], 0));
    assert_eq!(
        layers[1],
        (vec!["app".into(), "app/package.json".into()], 76)
    );
    assert_eq!(layers[2], (vec!["deps.lock".into()], 76));
    assert_eq!(
        layers[3],
        (
            vec![
                "app".into(),
                "app/Dockerfile".into(),
                "app/app.js".into(),
                "app/package.json".into()
            ],
            225
        )
    );
}

#[test]
fn buildkit_head_leaves_the_unchanged_file_out() {
    let layers = deps_before_source(DiffMode::ContentCompare);
    assert_eq!(
        layers[3],
        (
            vec!["app".into(), "app/Dockerfile".into(), "app/app.js".into()],
            149
        )
    );
}

#[test]
fn ten_thousand_files_in_one_step() {
    let mut fs = busybox();
    fs.mkdir_all("/data", 0o755, 0, 0).expect("mkdir");
    for i in 0..10_000 {
        fs.write_file(&format!("/data/f{i:05}"), Blob::lazy(16, i), 0o644, 0, 0)
            .expect("write");
    }
    assert_eq!(fs.read_dir("/data").expect("ls").len(), 10_000);
    let changes = fs.diff(DiffMode::ContentCompare);
    assert_eq!(changes.len(), 10_001);
    let layer = digest_layer(&changes).expect("digest");
    assert_eq!(layer.size, 160_000);
    // Each file: a header block and one content block; plus data/ and the end.
    assert_eq!(layer.tar_len, (10_000 * 2 + 1 + 2) * 512);
}

#[test]
fn long_chains_of_snapshots_stay_consistent() {
    let mut fs = busybox();
    let mut snapshots = Vec::new();
    for i in 0..40 {
        fs.write_file(&format!("/step{i}"), format!("{i}").into(), 0o644, 0, 0)
            .expect("write");
        if i % 3 == 0 && i > 0 {
            fs.remove(&format!("/step{}", i - 1)).expect("rm");
        }
        let (next, _) = fs.commit(DiffMode::CopyUp);
        snapshots.push(next.clone());
        fs = next;
    }
    assert_eq!(fs.layers().len(), 41);
    // Every earlier snapshot still shows its own state.
    for (i, snap) in snapshots.iter().enumerate() {
        assert!(snap.exists(&format!("/step{i}")));
        assert!(!snap.exists(&format!("/step{}", i + 1)));
    }
    assert!(!fs.exists("/step2"));
    assert!(fs.exists("/step3"));
    let rebuilt = RootFs::from_layers(fs.layers().to_vec());
    assert_eq!(rebuilt.read_dir("/"), fs.read_dir("/"));
}

/// A build-context file read from disk only when the tar is written.
#[derive(Debug)]
struct DiskFile {
    path: PathBuf,
    size: u64,
}

impl BlobSource for DiskFile {
    fn size(&self) -> u64 {
        self.size
    }
    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(std::fs::File::open(&self.path)?))
    }
}

#[test]
fn context_files_stream_from_disk_and_changes_are_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("app.js");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(b"console.log(1)\n"))
        .expect("context file");
    let source = DiskFile {
        path: path.clone(),
        size: 15,
    };
    let mut fs = RootFs::new();
    fs.write_file("/app.js", Blob::external(Arc::new(source)), 0o644, 0, 0)
        .expect("COPY");
    let in_memory = {
        let mut m = RootFs::new();
        m.write_file("/app.js", "console.log(1)\n".into(), 0o644, 0, 0)
            .expect("write");
        digest_layer(&m.diff(DiffMode::CopyUp)).expect("digest")
    };
    let streamed = digest_layer(&fs.diff(DiffMode::CopyUp)).expect("digest");
    assert_eq!(streamed, in_memory);

    // The file shrinks behind the snapshot's back: an error, not a bad tar.
    std::fs::write(&path, b"short").expect("rewrite");
    assert!(digest_layer(&fs.diff(DiffMode::CopyUp)).is_err());
    std::fs::remove_file(&path).expect("rm");
    assert!(digest_layer(&fs.diff(DiffMode::CopyUp)).is_err());
}
