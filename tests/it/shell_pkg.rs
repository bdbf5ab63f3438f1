//! The simulated package managers: apk, apt-get, npm and pip over real
//! catalog base images and small hand-made filesystems — what they write,
//! how layers grow or stay small, their failures, and the simulated time.

use std::sync::Arc;

use layerlab::engine::catalog::Catalog;
use layerlab::filesystem::blob::Blob;
use layerlab::filesystem::rootfs::{DiffMode, RootFs};
use layerlab::filesystem::users::User;
use layerlab::shell::pkg::catalog::{catalogs, Catalogs};
use layerlab::shell::pkg::register_package_managers;
use layerlab::shell::{self, ExecContext, ExecResult, Registry};

use crate::support::shell::{put, read, NOW};

fn registry() -> Arc<Registry> {
    let mut r = Registry::busybox();
    register_package_managers(&mut r);
    Arc::new(r)
}

/// A catalog image's filesystem (all layers committed) and its ENV.
fn image(reference: &str) -> (RootFs, Vec<(String, String)>) {
    let cat = Catalog::embedded().expect("catalog");
    let img = cat.resolve(reference).expect("image in catalog");
    let layers: Vec<_> = img.layers.iter().map(|l| Arc::new(l.changes())).collect();
    let mut fs = RootFs::from_layers(layers);
    fs.set_now(NOW);
    let env = img
        .config
        .as_ref()
        .map(|c| {
            c.env
                .iter()
                .map(|e| {
                    let (k, v) = e.split_once('=').unwrap_or((e, ""));
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    (fs, env)
}

fn run_with(
    fs: &mut RootFs,
    env: &[(String, String)],
    cwd: &str,
    user: User,
    script: &str,
) -> ExecResult {
    let mut ctx = ExecContext::new(fs);
    ctx.commands = registry();
    if !env.is_empty() {
        ctx.env = env.to_vec();
    }
    ctx.cwd = cwd.to_owned();
    ctx.user = user;
    shell::run(script, &mut ctx)
}

fn run(fs: &mut RootFs, env: &[(String, String)], script: &str) -> ExecResult {
    run_with(fs, env, "/", User::root(), script)
}

/// Runs `script` as one RUN step: the layer's size as `docker history`
/// counts it, and the result.
fn step(fs: &mut RootFs, env: &[(String, String)], cwd: &str, script: &str) -> (u64, ExecResult) {
    let r = run_with(fs, env, cwd, User::root(), script);
    let (next, layer) = std::mem::take(fs).commit(DiffMode::ContentCompare);
    *fs = next;
    fs.set_now(NOW);
    (layer.size(), r)
}

/// Total bytes of regular files below `dir`.
fn du(fs: &RootFs, dir: &str) -> u64 {
    fs.walk(dir)
        .map(|v| v.iter().map(|(_, n)| n.size()).sum())
        .unwrap_or(0)
}

// ---- the catalogs ----

#[test]
fn every_package_catalog_parses_and_is_consistent() {
    let c: &Catalogs = catalogs().expect("catalogs load");
    assert!(c.apk.packages.len() >= 40, "{}", c.apk.packages.len());
    assert!(c.apt.packages.len() >= 60);
    assert!(c.npm.packages.len() >= 60);
    assert!(c.pip.packages.len() >= 30);
    for name in [
        "curl",
        "git",
        "bash",
        "python3",
        "nodejs",
        "npm",
        "build-base",
        "ca-certificates",
        "tzdata",
    ] {
        assert!(c.apk.packages.iter().any(|p| p.name == name), "apk {name}");
    }
    for name in [
        "curl",
        "git",
        "ca-certificates",
        "python3",
        "build-essential",
        "nginx",
        "vim",
        "wget",
        "gnupg",
    ] {
        let p = c.apt.packages.iter().find(|p| p.name == name);
        let p = p.unwrap_or_else(|| panic!("apt {name}"));
        assert!(p.versions.contains_key("bookworm") && p.versions.contains_key("noble"));
    }
    for name in ["express", "lodash", "react", "axios", "typescript"] {
        assert!(c.npm.packages.iter().any(|p| p.name == name), "npm {name}");
    }
    for name in ["requests", "Flask", "Django", "numpy", "pandas"] {
        assert!(c.pip.packages.iter().any(|p| p.name == name), "pip {name}");
    }
    // apt-get update fetches tens of MB per suite.
    for s in &c.apt.suites {
        let total: u64 = s.indexes.iter().map(|i| i.size).sum();
        assert!(
            (10_000_000..100_000_000).contains(&total),
            "{}: {total}",
            s.codename
        );
    }
    // A broken dependency is refused with its name.
    let apk = "mirror = \"m\"\ndefault_release = \"v3.20\"\navailable = 1\nindex_millis = 1\n[timing]\nstartup_millis = 1\npackage_millis = 1\nbytes_per_second = 1\n[[index]]\nrepo = \"main\"\ncache_name = \"A\"\nsize = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\ndepends = [\"zz\"]\n";
    let embedded_apt = include_str!("../../assets/packages/apt.toml");
    let embedded_npm = include_str!("../../assets/packages/npm.toml");
    let embedded_pip = include_str!("../../assets/packages/pip.toml");
    let err = Catalogs::parse(apk, embedded_apt, embedded_npm, embedded_pip).unwrap_err();
    assert!(err.contains("a depends on zz"), "{err}");
}

#[test]
fn base_images_have_the_package_managers_binaries_and_databases() {
    for (reference, paths) in [
        (
            "alpine:3.20",
            &["/sbin/apk", "/lib/apk/db/installed", "/etc/apk/world"][..],
        ),
        (
            "debian:bookworm-slim",
            &["/usr/bin/apt-get", "/var/lib/dpkg/status"][..],
        ),
        (
            "ubuntu:24.04",
            &["/usr/bin/apt-get", "/var/lib/dpkg/status"][..],
        ),
        (
            "node:20-bookworm",
            &["/usr/local/bin/npm", "/usr/bin/apt-get"][..],
        ),
        ("node:20-alpine", &["/usr/local/bin/npm", "/sbin/apk"][..]),
        (
            "python:3.12-slim",
            &["/usr/local/bin/pip", "/usr/bin/apt-get"][..],
        ),
    ] {
        let (fs, _) = image(reference);
        for p in paths {
            assert!(fs.exists(p), "{reference}: {p}");
        }
    }
}

// ---- apk ----

/// A tiny alpine: busybox, apk, os-release and a one-package database.
fn mini_alpine() -> RootFs {
    let mut fs = RootFs::new();
    fs.set_now(NOW);
    fs.mkdir_all("/bin", 0o755, 0, 0).unwrap();
    fs.mkdir_all("/sbin", 0o755, 0, 0).unwrap();
    fs.write_file("/bin/busybox", Blob::lazy(900_000, 1), 0o755, 0, 0)
        .unwrap();
    fs.symlink("busybox", "/bin/sh").unwrap();
    fs.write_file("/sbin/apk", Blob::lazy(72_000, 2), 0o755, 0, 0)
        .unwrap();
    put(&mut fs, "/etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n");
    put(&mut fs, "/etc/apk/world", "busybox\n");
    put(
        &mut fs,
        "/lib/apk/db/installed",
        "P:busybox\nV:1.36.1-r29\nI:946176\nD:musl\nF:bin\nR:busybox\n\n",
    );
    // The base is a lower layer, as FROM gives it.
    let (mut fs, _) = fs.commit(DiffMode::ContentCompare);
    fs.set_now(NOW);
    fs
}

#[test]
fn apk_add_installs_dependencies_first_with_realistic_output() {
    let mut fs = mini_alpine();
    let r = run(&mut fs, &[], "apk add --no-cache curl");
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(out.starts_with(
        "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz\nfetch https://dl-cdn.alpinelinux.org/alpine/v3.20/community/x86_64/APKINDEX.tar.gz\n(1/10) Installing ca-certificates (20240705-r0)\n"
    ), "{out}");
    assert!(
        out.contains("(10/10) Installing curl (8.9.1-r1)\n"),
        "{out}"
    );
    assert!(out.contains("Executing ca-certificates-20240705-r0.trigger\n"));
    assert!(
        out.ends_with(" packages\n") && out.contains("OK: "),
        "{out}"
    );
    assert!(out.contains("in 11 packages"), "{out}");
    assert!(fs.exists("/usr/bin/curl"));
    assert_eq!(
        fs.stat("/usr/lib/libcurl.so.4.8.0").unwrap().size(),
        677_000
    );
    assert_eq!(read(&fs, "/etc/apk/world"), "busybox\ncurl\n");
    let db = read(&fs, "/lib/apk/db/installed");
    assert!(db.contains("P:curl\nV:8.9.1-r1\n") && db.contains("F:usr/bin\nR:curl\n"));
    // --no-cache: the indexes were not kept.
    assert!(!fs.exists("/var/cache/apk"));
    // Already installed: nothing to do.
    let again = run(&mut fs, &[], "apk add --no-cache curl");
    assert!(!again.stdout_text().contains("Installing"));
}

#[test]
fn apk_without_no_cache_keeps_the_indexes_in_the_layer() {
    let mut cached = mini_alpine();
    let (with_cache, _) = step(&mut cached, &[], "/", "apk add bash");
    let mut clean = mini_alpine();
    let (no_cache, r) = step(&mut clean, &[], "/", "apk add --no-cache bash");
    assert_eq!(r.exit_code, 0);
    let indexes: u64 = catalogs().unwrap().apk.indexes.iter().map(|i| i.size).sum();
    assert_eq!(with_cache - no_cache, indexes);
    assert_eq!(du(&cached, "/var/cache/apk"), indexes);
    // With the indexes cached, the next add fetches nothing.
    let r = run(&mut cached, &[], "apk add tzdata");
    assert!(!r.stdout_text().contains("fetch "), "{}", r.stdout_text());
}

#[test]
fn apk_virtual_package_and_del_in_the_same_run_leave_no_bytes() {
    let mut fs = mini_alpine();
    let (size, r) = step(
        &mut fs,
        &[],
        "/",
        "apk add --no-cache --virtual .build-deps gcc make && apk del .build-deps",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(
        out.contains("Installing .build-deps (20261128.063229)"),
        "{out}"
    );
    assert!(
        out.contains("Purging .build-deps") && out.contains("Purging gcc"),
        "{out}"
    );
    assert!(!fs.exists("/usr/bin/gcc"));
    // Only the rewritten database and world remain.
    assert!(size < 10_000, "{size}");
    let mut split = mini_alpine();
    let (install, _) = step(
        &mut split,
        &[],
        "/",
        "apk add --no-cache --virtual .build-deps gcc make",
    );
    let (del, _) = step(&mut split, &[], "/", "apk del .build-deps");
    assert!(install > 90_000_000, "{install}");
    assert!(del < 10_000);
}

#[test]
fn apk_failures_read_like_apk() {
    let mut fs = mini_alpine();
    let r = run(&mut fs, &[], "apk add --no-cache curl nosuchpkg");
    assert_eq!(r.exit_code, 1);
    assert_eq!(
        r.stderr_text(),
        "ERROR: unable to select packages:\n  nosuchpkg (no such package):\n    required by: world[nosuchpkg]\n"
    );
    assert!(!fs.exists("/usr/bin/curl"));
    let r = run_with(
        &mut fs,
        &[],
        "/",
        User {
            uid: 1000,
            gid: 1000,
            name: None,
            home: "/".into(),
        },
        "apk add curl",
    );
    assert_eq!(r.exit_code, 99);
    assert!(r
        .stderr_text()
        .starts_with("ERROR: Unable to lock database: Permission denied"));
    // No apk binary, no apk (debian).
    let (mut deb, env) = image("debian:bookworm-slim");
    let r = run(&mut deb, &env, "apk add curl");
    assert_eq!(
        (r.exit_code, r.stderr_text()),
        (127, "/bin/sh: apk: not found\n".to_owned())
    );
}

#[test]
fn apk_in_the_real_alpine_image() {
    let (mut fs, env) = image("alpine:3.20");
    let (size, r) = step(&mut fs, &env, "/", "apk add --no-cache bash");
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(out.contains("(4/4) Installing bash (5.2.26-r0)"), "{out}");
    assert!(out.ends_with("in 19 packages\n"), "{out}");
    assert!(size > 1_000_000 && size < 3_000_000, "{size}");
    // del keeps the base (install_if keeps ssl_client).
    let r = run(&mut fs, &env, "apk del bash");
    let out = r.stdout_text();
    assert!(
        out.contains("Purging bash") && !out.contains("ssl_client"),
        "{out}"
    );
    assert!(out.ends_with("in 15 packages\n"), "{out}");
}

// ---- apt ----

#[test]
fn apt_get_install_without_update_cannot_locate_packages() {
    let (mut fs, env) = image("debian:bookworm-slim");
    let r = run(&mut fs, &env, "apt-get install -y curl");
    assert_eq!(r.exit_code, 100);
    assert_eq!(
        r.stdout_text(),
        "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    );
    assert_eq!(r.stderr_text(), "E: Unable to locate package curl\n");
    // Installed packages are still known.
    let r = run(&mut fs, &env, "apt-get install -y bash");
    assert_eq!(r.exit_code, 0);
    assert!(r
        .stdout_text()
        .contains("bash is already the newest version (5.2.15-2+b7).\n"));
}

#[test]
fn apt_lists_removed_in_the_same_run_versus_the_next() {
    let (base, env) = image("debian:bookworm-slim");
    let lists: u64 = catalogs().unwrap().apt.suites[0]
        .indexes
        .iter()
        .map(|i| i.size)
        .sum();

    let mut same = base.clone();
    let (one, r) = step(
        &mut same,
        &env,
        "/",
        "apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(du(&same, "/var/lib/apt/lists"), 0);
    assert!(same.exists("/usr/bin/curl"));

    let mut split = base;
    let (update, _) = step(&mut split, &env, "/", "apt-get update");
    let (install, _) = step(
        &mut split,
        &env,
        "/",
        "apt-get install -y --no-install-recommends curl",
    );
    let (cleanup, _) = step(&mut split, &env, "/", "rm -rf /var/lib/apt/lists/*");
    assert!(update >= lists, "{update} {lists}");
    assert!(cleanup < 1000, "a whiteout layer: {cleanup}");
    // The split build carries the lists forever; the same-RUN one doesn't.
    assert!(
        update + install + cleanup >= one + lists,
        "{update} {install} {cleanup} {one}"
    );
    assert!(one < 5_000_000, "{one}");
}

#[test]
fn apt_install_output_recommends_and_prompt() {
    let (mut fs, env) = image("debian:bookworm-slim");
    let r = run(&mut fs, &env, "apt-get update");
    let out = r.stdout_text();
    assert!(
        out.starts_with("Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]\n"),
        "{out}"
    );
    assert!(
        out.contains("Get:4 http://deb.debian.org/debian bookworm/main amd64 Packages [8792 kB]\n")
    );
    assert!(out.ends_with("Reading package lists...\n"));
    // docker-clean: no binary caches.
    assert!(!fs.exists("/var/cache/apt/pkgcache.bin"));
    // A second update finds everything current.
    let again = run(&mut fs, &env, "apt-get update");
    assert!(
        again.stdout_text().starts_with("Hit:1 "),
        "{}",
        again.stdout_text()
    );

    // Without -y, extra packages make apt ask, and stdin says no.
    let r = run(&mut fs, &env, "apt-get install curl");
    assert_eq!(r.exit_code, 1);
    assert!(r
        .stdout_text()
        .ends_with("Do you want to continue? [Y/n] Abort.\n"));
    assert!(!fs.exists("/usr/bin/curl"));

    let mut with = fs.clone();
    let (with_recs, r) = step(&mut with, &env, "/", "apt-get install -y curl");
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(
        out.contains("The following NEW packages will be installed:\n  ca-certificates curl "),
        "{out}"
    );
    assert!(out.contains("Setting up curl (7.88.1-10+deb12u7) ...\n"));
    assert!(out.contains("Processing triggers for libc-bin (2.36-9+deb12u8) ...\n"));
    let mut without = fs.clone();
    let (no_recs, r) = step(
        &mut without,
        &env,
        "/",
        "apt-get install -y --no-install-recommends curl",
    );
    assert!(
        r.stdout_text()
            .contains("Recommended packages:\n  ca-certificates"),
        "{}",
        r.stdout_text()
    );
    assert!(with_recs > no_recs + 1_000_000, "{with_recs} {no_recs}");
    let status = read(&with, "/var/lib/dpkg/status");
    assert!(status.contains("Package: curl\nStatus: install ok installed\n"));
    assert!(read(&with, "/var/lib/dpkg/info/curl.list").contains("/usr/bin/curl\n"));
    // .deb files are removed by docker-clean.
    assert!(with
        .read_dir("/var/cache/apt/archives")
        .map_or(true, |d| d.is_empty()));
}

#[test]
fn apt_without_docker_clean_keeps_debs_and_caches_until_clean() {
    let (mut fs, env) = image("debian:bookworm-slim");
    fs.remove("/etc/apt/apt.conf.d/docker-clean").unwrap();
    let r = run(
        &mut fs,
        &env,
        "apt-get update && apt-get install -y --no-install-recommends curl",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert!(fs.exists("/var/cache/apt/pkgcache.bin"));
    assert!(fs.exists("/var/cache/apt/archives/curl_7.88.1-10+deb12u7_amd64.deb"));
    run(&mut fs, &env, "apt-get clean");
    assert!(!fs.exists("/var/cache/apt/pkgcache.bin"));
    assert!(!fs.exists("/var/cache/apt/archives/curl_7.88.1-10+deb12u7_amd64.deb"));
}

#[test]
fn apt_purge_auto_remove_and_failures() {
    let (mut fs, env) = image("debian:bookworm-slim");
    let r = run(
        &mut fs,
        &env,
        "apt-get update >/dev/null && apt-get install -y --no-install-recommends curl >/dev/null && apt-get purge -y --auto-remove curl",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert!(
        r.stdout_text()
            .contains("The following packages will be REMOVED:\n  curl libbrotli1"),
        "{}",
        r.stdout_text()
    );
    assert!(!fs.exists("/usr/bin/curl"));
    assert!(!fs.exists("/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0"));
    let r = run(&mut fs, &env, "apt-get install -y nosuchpkg");
    assert_eq!(
        (r.exit_code, r.stderr_text()),
        (100, "E: Unable to locate package nosuchpkg\n".to_owned())
    );
    let nobody = User {
        uid: 65534,
        gid: 65534,
        name: None,
        home: "/".into(),
    };
    let r = run_with(&mut fs, &env, "/", nobody, "apt-get install -y curl");
    assert_eq!(r.exit_code, 100);
    assert!(r.stderr_text().contains("are you root?"));
    let r = run(&mut fs, &env, "apt update");
    assert!(r
        .stderr_text()
        .contains("WARNING: apt does not have a stable CLI interface."));
}

#[test]
fn apt_on_ubuntu_uses_noble() {
    let (mut fs, env) = image("ubuntu:24.04");
    let (size, r) = step(
        &mut fs,
        &env,
        "/",
        "apt-get update && apt-get install -y python3",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(
        out.contains("Get:1 http://archive.ubuntu.com/ubuntu noble InRelease"),
        "{out}"
    );
    assert!(
        out.contains("python3.12-minimal") && !out.contains("python3.11"),
        "{out}"
    );
    let lists = du(&fs, "/var/lib/apt/lists");
    assert!(lists > 40_000_000, "{lists}");
    assert!(size > lists + 20_000_000, "{size}");
}

// ---- npm ----

const PACKAGE_JSON: &str = r#"{
  "name": "web",
  "version": "1.0.0",
  "scripts": { "build": "echo building $npm_lifecycle_event", "hello": "echo hello from npm" },
  "dependencies": { "express": "^4.21.0" },
  "devDependencies": { "typescript": "^5.6.0" }
}
"#;

#[test]
fn npm_install_writes_node_modules_lock_and_cache() {
    let (mut fs, env) = image("node:20-bookworm");
    put(&mut fs, "/app/package.json", PACKAGE_JSON);
    let (size, r) = step(&mut fs, &env, "/app", "npm install");
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(
        out.starts_with("\nadded 64 packages, and audited 65 packages in "),
        "{out}"
    );
    assert!(
        out.contains("12 packages are looking for funding\n  run `npm fund` for details\n"),
        "{out}"
    );
    assert!(out.ends_with("\nfound 0 vulnerabilities\n"));
    assert!(fs.exists("/app/node_modules/express/package.json"));
    assert!(fs.exists("/app/node_modules/mime-db/package.json"));
    assert_eq!(
        fs.read_link("/app/node_modules/.bin/tsc").unwrap(),
        "../typescript/bin/tsc"
    );
    assert!(du(&fs, "/app/node_modules/typescript") >= 22_000_000);
    let lock = read(&fs, "/app/package-lock.json");
    assert!(lock.contains("\"lockfileVersion\": 3") && lock.contains("\"node_modules/express\""));
    assert!(lock.contains("\"dev\": true"));
    let cache = du(&fs, "/root/.npm/_cacache");
    assert!(cache > 6_000_000, "{cache}");
    assert!(size > 28_000_000, "{size}");
    // Secs are tens of seconds for a tree this size.
    let secs = r.simulated_seconds();
    assert!((10.0..60.0).contains(&secs), "{secs}");
    // Again: nothing to add, and the tarballs come from the cache.
    let r = run_with(&mut fs, &env, "/app", User::root(), "npm install");
    assert!(
        r.stdout_text()
            .starts_with("\nup to date, audited 65 packages in"),
        "{}",
        r.stdout_text()
    );
    assert!(r.simulated_seconds() < secs / 4.0);
}

#[test]
fn npm_ci_installs_exactly_the_lock_and_needs_it() {
    let (mut fs, env) = image("node:20-bookworm");
    put(&mut fs, "/app/package.json", PACKAGE_JSON);
    let r = run_with(&mut fs, &env, "/app", User::root(), "npm ci");
    assert_eq!(r.exit_code, 1);
    let err = r.stderr_text();
    assert!(err.starts_with("npm error code EUSAGE\nnpm error\nnpm error The `npm ci` command can only install with an existing package-lock.json or\n"), "{err}");
    assert!(err.contains("npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-28T06_32_29_000Z-debug-0.log\n"), "{err}");
    // A lock listing only lodash (and package.json in sync with it).
    put(
        &mut fs,
        "/app/package.json",
        r#"{"name":"x","version":"1.0.0","dependencies":{"lodash":"^4.17.21"}}"#,
    );
    put(
        &mut fs,
        "/app/package-lock.json",
        r#"{"name":"x","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x"},"node_modules/lodash":{"version":"4.17.21"}}}"#,
    );
    put(&mut fs, "/app/node_modules/stale/package.json", "{}");
    let r = run_with(&mut fs, &env, "/app", User::root(), "npm ci --omit=dev");
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert!(
        r.stdout_text()
            .starts_with("\nadded 1 package, and audited 2 packages in "),
        "{}",
        r.stdout_text()
    );
    assert!(fs.exists("/app/node_modules/lodash/package.json"));
    assert!(
        !fs.exists("/app/node_modules/stale"),
        "ci starts from scratch"
    );
    // Out of sync: package.json wants express, the lock lacks it.
    put(
        &mut fs,
        "/app/package.json",
        r#"{"dependencies":{"lodash":"^4","express":"^4"}}"#,
    );
    let r = run_with(&mut fs, &env, "/app", User::root(), "npm ci");
    assert_eq!(r.exit_code, 1);
    assert!(
        r.stderr_text()
            .contains("npm error Missing: express@^4 from lock file\n"),
        "{}",
        r.stderr_text()
    );
}

#[test]
fn npm_unknown_package_and_old_npm_prefix() {
    let (mut fs, env) = image("node:20-bookworm");
    fs.mkdir_all("/app", 0o755, 0, 0).unwrap();
    let r = run_with(
        &mut fs,
        &env,
        "/app",
        User::root(),
        "npm install left-pad-nope",
    );
    assert_eq!(r.exit_code, 1);
    let err = r.stderr_text();
    assert!(err.starts_with("npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/left-pad-nope - Not found\n"), "{err}");
    // diamol/node bundles npm 6: `npm ERR!`.
    let (mut old, env) = image("diamol/node");
    old.mkdir_all("/app", 0o755, 0, 0).unwrap();
    let r = run_with(
        &mut old,
        &env,
        "/app",
        User::root(),
        "npm install nope-nope",
    );
    assert!(
        r.stderr_text().starts_with("npm ERR! code E404\n"),
        "{}",
        r.stderr_text()
    );
}

#[test]
fn npm_install_package_saves_it_and_run_uses_the_script() {
    let (mut fs, env) = image("node:20-alpine");
    fs.mkdir_all("/app", 0o755, 0, 0).unwrap();
    put(&mut fs, "/app/package.json", PACKAGE_JSON);
    let r = run_with(
        &mut fs,
        &env,
        "/app",
        User::root(),
        "npm install --no-audit lodash && npm run hello",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert!(read(&fs, "/app/package.json").contains("\"lodash\": \"^4.17.21\""));
    assert!(
        r.stdout_text()
            .ends_with("\n> web@1.0.0 hello\n> echo hello from npm\n\nhello from npm\n"),
        "{}",
        r.stdout_text()
    );
    let r = run_with(&mut fs, &env, "/app", User::root(), "npm run nope");
    assert_eq!(r.exit_code, 1);
    assert!(r
        .stderr_text()
        .starts_with("npm error Missing script: \"nope\"\n"));
}

#[test]
fn npm_as_non_root_in_a_root_owned_directory_fails_with_eacces() {
    let (mut fs, env) = image("node:20-bookworm");
    put(&mut fs, "/app/package.json", PACKAGE_JSON);
    let node = User {
        uid: 1000,
        gid: 1000,
        name: Some("node".into()),
        home: "/home/node".into(),
    };
    let r = run_with(&mut fs, &env, "/app", node, "npm install");
    assert_eq!(r.exit_code, 1);
    assert!(
        r.stderr_text().contains("npm error code EACCES\n"),
        "{}",
        r.stderr_text()
    );
}

#[test]
fn npm_cache_clean_in_the_same_run_keeps_the_layer_smaller() {
    let (base, env) = image("node:20-bookworm");
    let mut a = base.clone();
    put(&mut a, "/app/package.json", PACKAGE_JSON);
    let (a_size, _) = step(&mut a, &env, "/app", "npm ci || npm install --omit=dev");
    let mut b = base;
    put(&mut b, "/app/package.json", PACKAGE_JSON);
    let (b_size, r) = step(
        &mut b,
        &env,
        "/app",
        "npm install --omit=dev && npm cache clean --force",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert!(!b.exists("/root/.npm/_cacache"));
    assert!(a_size > b_size + 500_000, "{a_size} {b_size}");
    assert!(!b.exists("/app/node_modules/typescript"), "--omit=dev");
}

// ---- pip ----

#[test]
fn pip_install_requirements_into_site_packages_with_cache() {
    let (mut fs, env) = image("python:3.12-slim");
    put(
        &mut fs,
        "/app/requirements.txt",
        "# web\nflask==3.0.3\nrequests>=2.31  # http\n\n",
    );
    let (size, r) = step(&mut fs, &env, "/app", "pip install -r requirements.txt");
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let out = r.stdout_text();
    assert!(
        out.starts_with("Collecting flask\n  Downloading flask-3.0.3-py3-none-any.whl (101 kB)\n"),
        "{out}"
    );
    assert!(out.contains("Collecting werkzeug (from Flask)\n"), "{out}");
    assert!(out.contains("Successfully installed Flask-3.0.3 Jinja2-3.1.4 MarkupSafe-2.1.5 Werkzeug-3.0.4 blinker-1.8.2 certifi-2024.8.30 charset-normalizer-3.3.2 click-8.1.7 idna-3.10 itsdangerous-2.2.0 requests-2.32.3 urllib3-2.2.3\n"), "{out}");
    assert!(r
        .stderr_text()
        .starts_with("WARNING: Running pip as the 'root' user"));
    let site = "/usr/local/lib/python3.12/site-packages";
    assert!(fs.exists(&format!("{site}/flask")));
    assert!(read(&fs, &format!("{site}/flask-3.0.3.dist-info/RECORD"))
        .contains("flask-3.0.3.dist-info/METADATA,sha256="));
    assert!(fs.stat("/usr/local/bin/flask").unwrap().mode & 0o111 != 0);
    let cache = du(&fs, "/root/.cache/pip");
    assert!(cache > 900_000, "{cache}");
    assert!(size > cache + 4_000_000, "{size}");
    // Installed already.
    let r = run_with(&mut fs, &env, "/app", User::root(), "pip install flask");
    assert!(r.stdout_text().starts_with("Requirement already satisfied: flask in /usr/local/lib/python3.12/site-packages (3.0.3)\n"), "{}", r.stdout_text());
}

#[test]
fn pip_no_cache_dir_leaves_no_cache() {
    let (base, env) = image("python:3.12-slim");
    let mut a = base.clone();
    let (with_cache, _) = step(&mut a, &env, "/", "pip install pandas");
    let mut b = base.clone();
    let (without, r) = step(&mut b, &env, "/", "pip install --no-cache-dir pandas");
    assert_eq!(r.exit_code, 0);
    assert!(!b.exists("/root/.cache/pip"));
    let wheels: u64 = [
        "pandas",
        "numpy",
        "python-dateutil",
        "pytz",
        "tzdata",
        "six",
    ]
    .iter()
    .map(|n| {
        catalogs()
            .unwrap()
            .pip
            .packages
            .iter()
            .find(|p| p.name == *n)
            .unwrap()
            .wheel_size
    })
    .sum();
    assert!(
        with_cache - without >= wheels,
        "{with_cache} {without} {wheels}"
    );
    let mut c = base;
    let envc: Vec<_> = env
        .iter()
        .cloned()
        .chain([("PIP_NO_CACHE_DIR".to_owned(), "1".to_owned())])
        .collect();
    run(&mut c, &envc, "pip install six");
    assert!(!c.exists("/root/.cache/pip"));
}

#[test]
fn pip_failures_read_like_pip() {
    let (mut fs, env) = image("python:3.12-slim");
    let r = run(&mut fs, &env, "pip install nosuchproject==1.0");
    assert_eq!(r.exit_code, 1);
    assert_eq!(
        r.stderr_text(),
        "ERROR: Could not find a version that satisfies the requirement nosuchproject==1.0 (from versions: none)\nERROR: No matching distribution found for nosuchproject==1.0\n"
    );
    let r = run(&mut fs, &env, "pip install -r missing.txt");
    assert_eq!(r.exit_code, 1);
    assert_eq!(r.stderr_text(), "ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'missing.txt'\n");
    let r = run(&mut fs, &env, "python -m pip --version && pip3 --version");
    assert_eq!(
        r.stdout_text(),
        "pip 24.2 from /usr/local/lib/python3.12/site-packages/pip (python 3.12)\n".repeat(2)
    );
    // pip is not in alpine.
    let (mut alpine, env) = image("alpine:3.20");
    let r = run(&mut alpine, &env, "pip install flask");
    assert_eq!(r.exit_code, 127);
}

// ---- simulated time ----

#[test]
fn durations_are_positive_deterministic_and_scale() {
    let secs = |reference: &str, cwd: &str, script: &str| {
        let (mut fs, env) = image(reference);
        put(&mut fs, "/app/package.json", PACKAGE_JSON);
        put(&mut fs, "/app/requirements.txt", "django\n");
        let r = run_with(&mut fs, &env, cwd, User::root(), script);
        assert_eq!(r.exit_code, 0, "{script}: {}", r.stderr_text());
        (r.simulated_seconds(), fs.now())
    };
    let update = secs("debian:bookworm-slim", "/", "apt-get update");
    assert!(
        (1.0..10.0).contains(&update.0),
        "apt-get update: {}",
        update.0
    );
    assert_eq!(update, secs("debian:bookworm-slim", "/", "apt-get update"));
    // The clock moved by the whole seconds spent.
    assert_eq!(update.1, NOW + update.0 as i64);
    let npm = secs("node:20-bookworm", "/app", "npm install");
    assert!(npm.0 >= 10.0, "npm install: {}", npm.0);
    let apk = secs("alpine:3.20", "/", "apk add --no-cache curl");
    assert!((0.5..5.0).contains(&apk.0), "apk: {}", apk.0);
    let big = secs("alpine:3.20", "/", "apk add --no-cache build-base");
    assert!(big.0 > apk.0 * 2.0, "{} vs {}", big.0, apk.0);
    let pip = secs(
        "python:3.12-slim",
        "/app",
        "pip install -r requirements.txt",
    );
    assert!(pip.0 > 1.0, "pip: {}", pip.0);
    // sleep counts too.
    let both = secs("alpine:3.20", "/", "sleep 3 && apk add --no-cache curl");
    assert!((both.0 - apk.0 - 3.0).abs() < 1e-9, "{} {}", both.0, apk.0);
    // A plain script costs nothing.
    assert_eq!(secs("alpine:3.20", "/", "echo hi").0, 0.0);
}
