//! Shipped content is tested (ARCHITECTURE.md pattern 12): every catalog
//! asset loads, and every image keeps the invariants the engine relies on.

use std::collections::{BTreeMap, BTreeSet};

use layerlab::engine::catalog::{
    Catalog, CatalogError, CatalogImage, FileContent, FileKind, HistoryRow,
};

fn catalog() -> &'static Catalog {
    match Catalog::embedded() {
        Ok(c) => c,
        Err(e) => panic!("the embedded catalog must load: {e}"),
    }
}

fn resolve(name: &str) -> &'static CatalogImage {
    match catalog().resolve(name) {
        Ok(image) => image,
        Err(e) => panic!("{name} should resolve: {e}"),
    }
}

/// The error for a name the catalog must not resolve.
fn unresolved(name: &str) -> CatalogError {
    match catalog().resolve(name) {
        Err(e) => e,
        Ok(image) => panic!("{name} resolved to {}", image.reference),
    }
}

/// The file tree after applying every layer in order (no whiteouts in the
/// catalog), as path → (layer index, entry).
fn merged(
    image: &CatalogImage,
) -> BTreeMap<String, (usize, &layerlab::engine::catalog::CatalogFile)> {
    let mut tree = BTreeMap::new();
    for (i, layer) in image.layers.iter().enumerate() {
        for f in &layer.files {
            tree.insert(f.path.clone(), (i, f));
        }
    }
    tree
}

fn text_of(image: &CatalogImage, path: &str) -> String {
    let tree = merged(image);
    let mut path = path.to_string();
    // Follow symlinks (relative ones resolve against the link's directory).
    for _ in 0..8 {
        let Some((_, f)) = tree.get(&path) else {
            panic!("{}: no {path}", image.familiar());
        };
        match (&f.kind, &f.content) {
            (FileKind::Symlink { target }, _) => {
                path = if target.starts_with('/') {
                    target.clone()
                } else {
                    let dir = path.rsplit_once('/').map_or("", |p| p.0);
                    normalize(&format!("{dir}/{target}"))
                };
            }
            (_, FileContent::Text(t)) => return t.clone(),
            _ => panic!("{}: {path} has no inline text", image.familiar()),
        }
    }
    panic!("{}: symlink loop at {path}", image.familiar());
}

fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

#[test]
fn every_asset_loads_and_every_image_resolves_by_each_of_its_names() {
    let cat = catalog();
    assert!(
        cat.images().len() >= 15,
        "catalog has {} images",
        cat.images().len()
    );
    for image in cat.images() {
        for name in std::iter::once(&image.reference).chain(&image.aliases) {
            let found = resolve(name);
            assert_eq!(found.reference, image.reference, "{name}");
        }
    }
}

#[test]
fn names_are_unique_and_listed() {
    let names = catalog().names();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "duplicate names in {names:?}");
    for required in [
        "scratch",
        "busybox:latest",
        "alpine:latest",
        "alpine:3.20",
        "debian:bookworm-slim",
        "ubuntu:latest",
        "ubuntu:24.04",
        "node:20",
        "node:20-alpine",
        "node:18-alpine",
        "node:lts",
        "node:latest",
        "diamol/node:latest",
        "python:3.12-slim",
        "python:3.12",
        "nginx:latest",
        "nginx:alpine",
        "golang:1.22",
        "golang:1.22-alpine",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "{required} not in {names:?}"
        );
        assert!(catalog().resolve(required).is_ok(), "{required}");
    }
}

#[test]
fn history_and_layers_agree() {
    for image in catalog().images() {
        let non_empty: Vec<&HistoryRow> = image.history.iter().filter(|r| !r.empty_layer).collect();
        assert_eq!(
            non_empty.len(),
            image.layers.len(),
            "{}: non-empty history rows vs layers",
            image.familiar()
        );
        for (row, layer) in non_empty.iter().zip(&image.layers) {
            assert_eq!(row.created_by, layer.created_by, "{}", image.familiar());
            assert_eq!(
                row.size,
                layer.size,
                "{}: {}",
                image.familiar(),
                row.created_by
            );
        }
        for row in image.history.iter().filter(|r| r.empty_layer) {
            assert_eq!(row.size, 0, "{}: {}", image.familiar(), row.created_by);
        }
        for row in &image.history {
            let buildkit = row.created_by.ends_with("# buildkit");
            if buildkit {
                assert_eq!(row.comment, "buildkit.dockerfile.v0", "{}", row.created_by);
            }
            if row.created_by.starts_with("RUN ") {
                assert!(
                    row.created_by.starts_with("RUN /bin/sh -c ") && buildkit,
                    "{}: BuildKit RUN rows read `RUN /bin/sh -c … # buildkit`: {}",
                    image.familiar(),
                    row.created_by
                );
            }
        }
        assert!(image.config.is_some(), "{}", image.familiar());
    }
}

#[test]
fn each_layer_is_byte_exact_and_well_formed() {
    for image in catalog().images() {
        let mut dirs: BTreeSet<String> = BTreeSet::from(["/".to_string()]);
        let mut links: BTreeSet<String> = BTreeSet::new();
        for (i, layer) in image.layers.iter().enumerate() {
            let sum: u64 = layer.files.iter().map(|f| f.size).sum();
            assert_eq!(sum, layer.size, "{} layer {i}", image.familiar());
            for f in layer.files.iter().filter(|f| f.kind == FileKind::Dir) {
                dirs.insert(f.path.clone());
            }
            for f in &layer.files {
                let parent = f.path.rsplit_once('/').map_or("/", |p| p.0);
                let parent = if parent.is_empty() { "/" } else { parent };
                // A parent may also be reached through an earlier symlink
                // (/bin → usr/bin in Debian's merged /usr).
                assert!(
                    dirs.contains(parent) || links.contains(parent),
                    "{} layer {i}: {} has no parent directory",
                    image.familiar(),
                    f.path
                );
                match &f.kind {
                    FileKind::Symlink { target } => {
                        assert_eq!(f.size, target.len() as u64, "{}", f.path);
                        links.insert(f.path.clone());
                    }
                    FileKind::Hardlink { target } => {
                        assert_eq!(f.size, 0, "{}", f.path);
                        assert!(
                            layer
                                .files
                                .iter()
                                .any(|g| &g.path == target && g.kind == FileKind::File),
                            "{}: hard link {} to {target}, not a file of the same layer",
                            image.familiar(),
                            f.path
                        );
                    }
                    FileKind::Dir => assert_eq!(f.size, 0, "{}", f.path),
                    FileKind::File => match &f.content {
                        FileContent::Text(t) => assert_eq!(f.size, t.len() as u64, "{}", f.path),
                        FileContent::Lazy { .. } => {}
                        FileContent::None => panic!("{}: a file without content", f.path),
                    },
                }
            }
        }
    }
}

#[test]
fn every_image_but_busybox_has_os_release() {
    for image in catalog().images() {
        if image.reference.contains("/busybox:") {
            continue;
        }
        let text = text_of(image, "/etc/os-release");
        assert!(text.contains("ID="), "{}: {text}", image.familiar());
    }
    assert!(text_of(resolve("node:20"), "/etc/os-release").contains("bookworm"));
    assert!(text_of(resolve("node:20-alpine"), "/etc/os-release").contains("VERSION_ID=3.20.3"));
    assert!(text_of(resolve("ubuntu"), "/etc/os-release").contains("noble"));
    assert!(text_of(resolve("diamol/node"), "/etc/os-release").contains("VERSION_ID=3.9.4"));
}

#[test]
fn users_are_the_distributions_real_ones() {
    let passwd = text_of(resolve("node:20"), "/etc/passwd");
    assert!(
        passwd.contains("node:x:1000:1000::/home/node:/bin/bash"),
        "{passwd}"
    );
    assert!(passwd.contains("www-data:x:33:33:"));
    let passwd = text_of(resolve("node:20-alpine"), "/etc/passwd");
    assert!(passwd.contains("node:x:1000:1000:"), "{passwd}");
    let passwd = text_of(resolve("nginx"), "/etc/passwd");
    assert!(passwd.contains("nginx:x:101:101:"), "{passwd}");
    assert!(passwd.contains("nobody:x:65534:"));
    let passwd = text_of(resolve("busybox"), "/etc/passwd");
    assert!(passwd.starts_with("root:x:0:0:"), "{passwd}");
    let passwd = text_of(resolve("ubuntu:24.04"), "/etc/passwd");
    assert!(passwd.contains("ubuntu:x:1000:1000:"), "{passwd}");
    assert!(text_of(resolve("nginx:alpine"), "/etc/nginx/nginx.conf").contains("user  nginx;"));
}

#[test]
fn important_paths_exist() {
    let has = |name: &str, path: &str| {
        let image = resolve(name);
        assert!(merged(image).contains_key(path), "{name}: no {path}");
    };
    has("alpine", "/bin/sh");
    has("busybox", "/bin/sh");
    has("node:20", "/usr/local/bin/node");
    has("node:18-alpine", "/usr/local/bin/node");
    has("diamol/node", "/usr/local/bin/node");
    has("diamol/node", "/usr/local/bin/docker-entrypoint.sh");
    has("python:3.12-slim", "/usr/local/bin/python3");
    has("python:3.12-slim", "/usr/local/bin/python");
    has("golang:1.22", "/usr/local/go/bin/go");
    has("golang:1.22-alpine", "/usr/local/go/bin/go");
    has("nginx", "/etc/nginx/nginx.conf");
    has("nginx", "/docker-entrypoint.sh");
    match &merged(resolve("alpine"))["/bin/sh"].1.kind {
        FileKind::Symlink { target } => assert_eq!(target, "/bin/busybox"),
        other => panic!("alpine /bin/sh should link to busybox, is {other:?}"),
    }
}

#[test]
fn configs_match_the_published_images() {
    let node = resolve("node:20").config.clone().unwrap_or_default();
    assert_eq!(
        node.entrypoint,
        Some(vec!["docker-entrypoint.sh".to_string()])
    );
    assert_eq!(node.cmd, Some(vec!["node".to_string()]));
    assert!(node.env.contains(&"NODE_VERSION=20.17.0".to_string()));
    let nginx = resolve("nginx:latest").config.clone().unwrap_or_default();
    assert_eq!(nginx.exposed_ports, vec!["80/tcp".to_string()]);
    assert_eq!(nginx.stop_signal.as_deref(), Some("SIGQUIT"));
    let go = resolve("golang:1.22").config.clone().unwrap_or_default();
    assert_eq!(go.working_dir, "/go");
    let busybox = resolve("busybox").config.clone().unwrap_or_default();
    assert_eq!(busybox.cmd, Some(vec!["sh".to_string()]));
}

#[test]
fn diamol_node_has_the_books_layer_structure() {
    let image = resolve("diamol/node");
    let sizes: Vec<u64> = image.layers.iter().map(|l| l.size).collect();
    assert_eq!(sizes.len(), 4);
    assert_eq!(sizes[3], 116, "docker-entrypoint.sh");
    assert_eq!(image.history.len(), 9);
    assert!(image.history[0]
        .created_by
        .starts_with("/bin/sh -c #(nop) ADD file:66f49017dd7ba295"));
}

#[test]
fn parents_share_their_layers() {
    let slim = resolve("debian:bookworm-slim");
    let python = resolve("python:3.12-slim");
    let nginx = resolve("nginx");
    assert_eq!(python.layers[0], slim.layers[0]);
    assert_eq!(nginx.layers[0], slim.layers[0]);
    assert_eq!(
        resolve("node:20-alpine").layers[0],
        resolve("alpine").layers[0]
    );
}

#[test]
fn lazy_seeds_are_stable_per_layer_content() {
    // The same layer reached through two images has the same seeds…
    let a = &resolve("python:3.12").layers[0].files;
    let b = &resolve("node:20").layers[0].files;
    assert_eq!(a, b);
    // …and two different files get different seeds.
    let seeds: Vec<u64> = a
        .iter()
        .filter_map(|f| match f.content {
            FileContent::Lazy { seed } => Some(seed),
            _ => None,
        })
        .collect();
    let unique: BTreeSet<u64> = seeds.iter().copied().collect();
    assert_eq!(unique.len(), seeds.len());
}

#[test]
fn scratch_is_empty_and_has_no_config() {
    let scratch = resolve("scratch");
    assert!(scratch.is_scratch());
    assert!(scratch.layers.is_empty());
    assert!(scratch.history.is_empty());
    assert!(scratch.config.is_none());
}

#[test]
fn references_normalise_like_docker() {
    let node20 = &resolve("node:20").reference;
    for name in [
        "node:20",
        "library/node:20",
        "docker.io/library/node:20",
        "index.docker.io/library/node:20",
        "docker.io/node:20",
    ] {
        assert_eq!(&resolve(name).reference, node20, "{name}");
    }
    assert_eq!(
        resolve("node").reference,
        resolve("docker.io/library/node:latest").reference
    );
    assert_eq!(
        resolve("diamol/node").reference,
        "docker.io/diamol/node:latest"
    );
    assert_eq!(resolve("node:lts").reference, *node20);
}

#[test]
fn unknown_images_fail_as_docker_build_says() {
    let err = unresolved("foo");
    assert_eq!(
        err.to_string(),
        "failed to resolve source metadata for docker.io/library/foo:latest: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
    );
    assert_eq!(
        err.classic_message(),
        "pull access denied for foo, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
    );
    let hint = err
        .hint(catalog())
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(
        hint.contains("node:20") && hint.contains("alpine:3.20"),
        "{hint}"
    );

    let err = unresolved("someone/app:1");
    assert!(err
        .classic_message()
        .starts_with("pull access denied for someone/app,"));

    let err = unresolved("node:99");
    assert_eq!(
        err.to_string(),
        "failed to resolve source metadata for docker.io/library/node:99: docker.io/library/node:99: not found"
    );
    assert_eq!(
        err.classic_message(),
        "manifest for node:99 not found: manifest unknown: manifest unknown"
    );
    let hint = err
        .hint(catalog())
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(
        hint.contains("node:20") && !hint.contains("alpine:3.20"),
        "{hint}"
    );
}

#[test]
fn digests_and_bad_names_are_clear_errors() {
    assert!(matches!(
        catalog().resolve(
            "node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ),
        Err(CatalogError::DigestUnsupported { .. })
    ));
    match catalog().resolve("Node:20") {
        Err(CatalogError::InvalidReference { reason, .. }) => {
            assert_eq!(reason, "repository name must be lowercase");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_assets_are_errors_not_panics() {
    let cases = [
        ("not toml", "[[image]\n"),
        (
            "size mismatch",
            r#"[[image]]
reference = "x:1"
version = "1"
source = "test"
[image.config]
[[image.history]]
created = "2024-01-01T00:00:00Z"
created_by = "ADD x / # buildkit"
empty_layer = false
[image.history.layer]
size = 10
[[image.history.layer.files]]
path = "/a"
text = "abc"
"#,
        ),
        (
            "empty_layer disagrees",
            r#"[[image]]
reference = "x:1"
version = "1"
source = "test"
[image.config]
[[image.history]]
created = "2024-01-01T00:00:00Z"
created_by = "CMD []"
empty_layer = false
"#,
        ),
        (
            "missing parent",
            r#"[[image]]
reference = "x:1"
version = "1"
source = "test"
parent = "nothere:1"
[image.config]
"#,
        ),
        (
            "bad date",
            r#"[[image]]
reference = "x:1"
version = "1"
source = "test"
[image.config]
[[image.history]]
created = "yesterday"
created_by = "CMD []"
empty_layer = true
"#,
        ),
    ];
    for (what, text) in cases {
        match Catalog::from_assets(&[("test.toml", text)]) {
            Err(CatalogError::Asset { .. }) => {}
            other => panic!("{what}: expected an asset error, got {other:?}"),
        }
    }
}

#[test]
fn sizes_are_in_the_published_ballpark() {
    // `docker images` sizes of the real images (MB, 10^6 bytes); the
    // catalog's totals must stay within 15% of them.
    for (name, mb) in [
        ("busybox", 4.26),
        ("alpine", 7.8),
        ("debian:bookworm-slim", 74.8),
        ("node:20-alpine", 132.0),
        ("diamol/node", 75.5),
        ("nginx", 188.0),
        ("python:3.12-slim", 125.0),
    ] {
        let size = resolve(name).size() as f64 / 1e6;
        assert!(
            (size - mb).abs() / mb < 0.15,
            "{name}: catalog total {size:.1}MB vs published {mb}MB"
        );
    }
}
