//! Build-context snapshots over real temporary directories.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use layerlab::engine::context::{
    read_dockerignore, ChangeKind, ContextError, ContextSnapshot, Dialect, FileKind, StatCache,
};
use layerlab::engine::dockerignore::DockerIgnore;
use layerlab::filesystem::digest::Digest;

use crate::support::files::write;

fn snapshot(root: &Path, cache: &mut StatCache) -> ContextSnapshot {
    let ignore = read_dockerignore(root).expect("dockerignore");
    ContextSnapshot::capture(root, &ignore, cache).expect("capture")
}

fn paths(snap: &ContextSnapshot) -> Vec<&str> {
    snap.entries().keys().map(String::as_str).collect()
}

#[test]
fn records_files_dirs_symlinks_and_modes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "app.js", "console.log(1)\n");
    write(root, "src/lib/util.js", "x");
    symlink("app.js", root.join("link")).expect("symlink");
    fs::set_permissions(root.join("app.js"), fs::Permissions::from_mode(0o4755)).expect("chmod");

    let snap = snapshot(root, &mut StatCache::default());
    assert_eq!(
        paths(&snap),
        ["app.js", "link", "src", "src/lib", "src/lib/util.js"]
    );
    let app = snap.get("app.js").expect("app.js");
    assert_eq!(app.kind, FileKind::File);
    assert_eq!(app.mode, 0o4755, "setuid bit kept");
    assert_eq!(app.size, 15);
    assert_eq!(app.content, Some(Digest::of(b"console.log(1)\n")));
    let link = snap.get("link").expect("link");
    assert_eq!(
        link.kind,
        FileKind::Symlink {
            target: "app.js".into()
        }
    );
    assert_eq!(link.content, None);
    assert_eq!(snap.get("src").expect("src").kind, FileKind::Dir);
}

#[test]
fn dockerignore_excludes_and_lists_what_it_excluded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        ".dockerignore",
        "*.log\nnotes/\ndocs\n!docs/keep.md\n",
    );
    write(root, "app.js", "a");
    write(root, "debug.log", "l");
    write(root, "notes/todo.md", "t");
    write(root, "docs/keep.md", "k");
    write(root, "docs/drop.md", "d");

    let snap = snapshot(root, &mut StatCache::default());
    assert_eq!(
        paths(&snap),
        [".dockerignore", "app.js", "docs", "docs/keep.md"]
    );
    let excluded: Vec<&str> = snap.excluded().iter().map(String::as_str).collect();
    assert_eq!(excluded, ["debug.log", "docs/drop.md", "notes"]);
    assert!(snap.is_excluded("notes/todo.md"), "below a skipped dir");
    assert!(
        !snap.is_excluded("docs"),
        "kept: something below it is included"
    );
    assert!(!snap.is_excluded("app.js"));
}

#[test]
fn excluded_dir_with_nothing_reincluded_is_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".dockerignore", "docs\n!docs/*.md\n");
    write(root, "docs/a.txt", "a");
    let snap = snapshot(root, &mut StatCache::default());
    assert!(snap.get("docs").is_none());
    assert!(snap.is_excluded("docs/a.txt"));
}

#[test]
fn bad_dockerignore_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), ".dockerignore", "ok\n[x\n");
    let err = read_dockerignore(dir.path()).expect_err("bad pattern");
    assert_eq!(
        err.to_string(),
        ".dockerignore line 2: syntax error in pattern \"[x\""
    );
}

#[test]
fn stat_cache_rehashes_only_changed_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for i in 0..5 {
        write(root, &format!("f{i}.txt"), &format!("content {i}"));
    }
    let mut cache = StatCache::default();
    let first = snapshot(root, &mut cache);
    assert_eq!(first.stats().files_hashed, 5);
    assert_eq!(first.stats().files_reused, 0);
    assert_eq!(cache.len(), 5);

    let second = snapshot(root, &mut cache);
    assert_eq!(second.stats().files_hashed, 0);
    assert_eq!(second.stats().files_reused, 5);
    assert_eq!(second.entries(), first.entries());

    // Same size, new content: the mtime/ctime change triggers a re-hash.
    write(root, "f2.txt", "CONTENT 2");
    fs::remove_file(root.join("f4.txt")).expect("rm");
    let third = snapshot(root, &mut cache);
    assert_eq!(third.stats().files_hashed, 1);
    assert_eq!(third.stats().files_reused, 3);
    assert_eq!(
        third.get("f2.txt").and_then(|m| m.content),
        Some(Digest::of(b"CONTENT 2"))
    );
    assert_eq!(cache.len(), 4, "deleted files leave the cache");

    // The cache survives a serde round trip (the state persists it).
    let json = serde_json::to_string(&cache).expect("serialize");
    let mut restored: StatCache = serde_json::from_str(&json).expect("deserialize");
    let fourth = snapshot(root, &mut restored);
    assert_eq!(fourth.stats().files_hashed, 0);
    assert_eq!(fourth.stats().files_reused, 4);
}

#[test]
fn large_file_is_streamed_and_hashed_correctly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 5 MiB + 17 bytes: many buffer fills and a ragged tail.
    let data: Vec<u8> = (0..5 * 1024 * 1024 + 17)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    fs::write(dir.path().join("big.bin"), &data).expect("write");
    let snap = snapshot(dir.path(), &mut StatCache::default());
    let meta = snap.get("big.bin").expect("big.bin");
    assert_eq!(meta.content, Some(Digest::of(&data)));
    assert_eq!(snap.stats().bytes_hashed, data.len() as u64);

    let mut read_back = Vec::new();
    std::io::Read::read_to_end(&mut snap.open("big.bin").expect("open"), &mut read_back)
        .expect("read");
    assert_eq!(read_back, data);
}

#[test]
fn open_detects_a_file_changed_after_the_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.txt", "one");
    let snap = snapshot(dir.path(), &mut StatCache::default());
    write(dir.path(), "a.txt", "two");
    let mut out = Vec::new();
    let err = std::io::Read::read_to_end(&mut snap.open("a.txt").expect("open"), &mut out)
        .expect_err("changed");
    assert!(err.to_string().contains("a.txt changed"), "{err}");
    assert!(matches!(
        snap.open("missing"),
        Err(ContextError::NotAFile { .. })
    ));
}

#[test]
fn wildcard_names_enter_the_key_as_buildkit_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "x/app.js", "a");
    write(root, "one.js", "1");
    // `*/app.js` with one match named like the pattern: only contents count,
    // so renaming the directory keeps the key (the copy result is the same).
    let before = checksum_of(root, "*/app.js");
    fs::rename(root.join("x"), root.join("y")).expect("rename");
    assert_eq!(checksum_of(root, "*/app.js"), before);
    // `*.js` matching one file named differently from the pattern: the name counts.
    let one = checksum_of(root, "*.js");
    fs::rename(root.join("one.js"), root.join("two.js")).expect("rename");
    assert_ne!(checksum_of(root, "*.js"), one);
    // A plain source: contents only.
    assert_eq!(
        checksum_of(root, "two.js"),
        checksum_of(root, "y/../two.js")
    );
}

fn names(snap: &ContextSnapshot, source: &str, dialect: Dialect) -> Vec<(String, String, bool)> {
    snap.resolve_sources(source, dialect)
        .expect("resolves")
        .into_iter()
        .map(|s| (s.name, s.path, s.is_dir))
        .collect()
}

fn s(name: &str, path: &str, is_dir: bool) -> (String, String, bool) {
    (name.to_owned(), path.to_owned(), is_dir)
}

#[test]
fn copy_sources_resolve_like_buildkit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "app.js", "a");
    write(root, "extra.js", "e");
    write(root, "notes.txt", "n");
    write(root, "src/a.js", "s");
    write(root, "src/deep/b.js", "b");
    symlink("src", root.join("srclink")).expect("symlink");
    symlink("/src/a.js", root.join("abs")).expect("symlink");
    symlink("../../../app.js", root.join("escape")).expect("symlink");
    symlink("/etc/passwd", root.join("passwd")).expect("symlink");
    let snap = snapshot(root, &mut StatCache::default());
    let bk = Dialect::Buildkit;

    // `.`, `./x`, `/x` and `..` all resolve against the context root.
    assert_eq!(names(&snap, ".", bk), [s("", "", true)]);
    assert_eq!(names(&snap, "./app.js", bk), [s("app.js", "app.js", false)]);
    assert_eq!(names(&snap, "/app.js", bk), [s("app.js", "app.js", false)]);
    assert_eq!(
        names(&snap, "../../app.js", bk),
        [s("app.js", "app.js", false)]
    );
    assert_eq!(names(&snap, "src/", bk), [s("src", "src", true)]);
    // `*` matches within one path element only.
    assert_eq!(
        names(&snap, "*.js", bk),
        [
            s("app.js", "app.js", false),
            s("extra.js", "extra.js", false)
        ]
    );
    assert_eq!(
        names(&snap, "src/*.js", bk),
        [s("src/a.js", "src/a.js", false)]
    );
    assert_eq!(names(&snap, "s?c", bk), [s("src", "src", true)]);
    // Symlinks are followed inside the context: the root acts as `/`.
    assert_eq!(
        names(&snap, "srclink/a.js", bk),
        [s("srclink/a.js", "src/a.js", false)]
    );
    assert_eq!(
        names(&snap, "srclink/*.js", bk),
        [s("srclink/a.js", "src/a.js", false)]
    );
    assert_eq!(names(&snap, "abs", bk), [s("abs", "src/a.js", false)]);
    assert_eq!(names(&snap, "escape", bk), [s("escape", "app.js", false)]);
    // …so an absolute link to the host's /etc/passwd finds nothing.
    let err = snap.resolve_sources("passwd", bk).expect_err("scoped");
    assert!(matches!(err, ContextError::SourceNotFound(_)), "{err}");
}

#[test]
fn missing_sources_have_each_builders_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "app.js", "a");
    let snap = snapshot(dir.path(), &mut StatCache::default());
    let Err(ContextError::SourceNotFound(missing)) =
        snap.resolve_sources("./missing.txt", Dialect::Buildkit)
    else {
        panic!("expected not found");
    };
    assert_eq!(
        missing.message(Dialect::Buildkit, "COPY"),
        "failed to compute cache key: \"/missing.txt\" not found: not found"
    );
    assert_eq!(
        missing.message(Dialect::Classic, "COPY"),
        "COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist"
    );
    // An empty wildcard: fine for BuildKit, an error for the classic builder.
    assert!(snap
        .resolve_sources("*.py", Dialect::Buildkit)
        .expect("empty ok")
        .is_empty());
    let Err(ContextError::SourceNotFound(none)) = snap.resolve_sources("*.py", Dialect::Classic)
    else {
        panic!("expected classic failure");
    };
    assert_eq!(
        none.message(Dialect::Classic, "COPY"),
        "COPY failed: no source files were specified"
    );
}

#[test]
fn excluded_files_cannot_be_copied() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), ".dockerignore", "secret.txt\n");
    write(dir.path(), "secret.txt", "s");
    let snap = snapshot(dir.path(), &mut StatCache::default());
    assert!(matches!(
        snap.resolve_sources("secret.txt", Dialect::Buildkit),
        Err(ContextError::SourceNotFound(_))
    ));
}

fn checksum_of(root: &Path, source: &str) -> Digest {
    let snap = snapshot(root, &mut StatCache::default());
    let sources = snap
        .resolve_sources(source, Dialect::Buildkit)
        .expect("resolve");
    snap.checksum(&sources)
}

#[test]
fn checksum_covers_content_mode_and_names_not_mtime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "app.js", "v1");
    write(root, "src/a.js", "a");
    write(root, "other.txt", "o");
    let all = checksum_of(root, ".");
    let src = checksum_of(root, "src");
    let app = checksum_of(root, "app.js");

    // mtime only (touch): unchanged.
    let file = fs::File::options()
        .write(true)
        .open(root.join("app.js"))
        .expect("open");
    file.set_modified(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000),
    )
    .expect("touch");
    assert_eq!(checksum_of(root, "."), all);
    assert_eq!(checksum_of(root, "app.js"), app);

    // An unrelated file: `src` unchanged, `.` changed.
    write(root, "other.txt", "o2");
    assert_eq!(checksum_of(root, "src"), src);
    let all2 = checksum_of(root, ".");
    assert_ne!(all2, all);

    // Mode: changed.
    fs::set_permissions(root.join("src/a.js"), fs::Permissions::from_mode(0o755)).expect("chmod");
    let src2 = checksum_of(root, "src");
    assert_ne!(src2, src);

    // A new empty directory inside a copied directory: changed.
    fs::create_dir(root.join("src/empty")).expect("mkdir");
    assert_ne!(checksum_of(root, "src"), src2);

    // Rename keeps content but changes the matched name: changed.
    let wildcard = checksum_of(root, "*.js");
    fs::rename(root.join("app.js"), root.join("main.js")).expect("rename");
    assert_ne!(checksum_of(root, "*.js"), wildcard);

    // Content revert restores the old key.
    write(root, "other.txt", "o");
    fs::rename(root.join("main.js"), root.join("app.js")).expect("rename");
    assert_eq!(checksum_of(root, "app.js"), app);
}

#[test]
fn diff_reports_each_kind_of_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "same.txt", "s");
    write(root, "edit.txt", "1");
    write(root, "gone.txt", "g");
    write(root, "mode.sh", "m");
    fs::set_permissions(root.join("mode.sh"), fs::Permissions::from_mode(0o644)).expect("chmod");
    write(root, "touch.txt", "t");
    symlink("same.txt", root.join("link")).expect("symlink");
    let old = snapshot(root, &mut StatCache::default());

    write(root, "edit.txt", "2");
    fs::remove_file(root.join("gone.txt")).expect("rm");
    write(root, "new.txt", "n");
    fs::set_permissions(root.join("mode.sh"), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::File::options()
        .write(true)
        .open(root.join("touch.txt"))
        .and_then(|f| f.set_modified(std::time::SystemTime::UNIX_EPOCH))
        .expect("touch");
    fs::remove_file(root.join("link")).expect("rm link");
    symlink("edit.txt", root.join("link")).expect("symlink");
    let new = snapshot(root, &mut StatCache::default());

    let changes: Vec<(String, ChangeKind)> = new
        .diff(&old, |_| true)
        .into_iter()
        .map(|c| (c.path, c.kind))
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                "edit.txt".into(),
                ChangeKind::Content {
                    old: Digest::of(b"1"),
                    new: Digest::of(b"2")
                }
            ),
            ("gone.txt".into(), ChangeKind::Removed),
            (
                "link".into(),
                ChangeKind::Target {
                    old: "same.txt".into(),
                    new: "edit.txt".into()
                }
            ),
            (
                "mode.sh".into(),
                ChangeKind::Mode {
                    old: 0o644,
                    new: 0o755
                }
            ),
            ("new.txt".into(), ChangeKind::Added),
            ("touch.txt".into(), ChangeKind::Touched),
        ]
    );
    let filtered = new.diff(&old, |p| p.ends_with(".sh"));
    assert_eq!(filtered.len(), 1);
}

#[test]
fn ignore_can_be_given_explicitly() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", "FROM scratch\n");
    write(dir.path(), "a.txt", "a");
    let ignore = DockerIgnore::parse("*\n!a.txt\n").expect("parse");
    let snap =
        ContextSnapshot::capture(dir.path(), &ignore, &mut StatCache::default()).expect("capture");
    assert_eq!(paths(&snap), ["a.txt"]);
    assert!(
        snap.is_excluded("Dockerfile"),
        "the Dockerfile is excluded like any file"
    );
}

#[test]
fn a_stat_cache_kept_as_bytes_answers_as_before_and_old_json_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..50 {
        std::fs::write(root.join(format!("f{i}")), format!("{i}")).unwrap();
    }
    let mut cache = StatCache::default();
    snapshot(root, &mut cache);
    let bytes = cache.to_bytes();
    let json = serde_json::to_vec(&cache).unwrap();
    assert!(
        bytes.len() * 2 < json.len(),
        "{} vs {}",
        bytes.len(),
        json.len()
    );
    for kept in [bytes, json] {
        let mut read = StatCache::from_bytes(&kept).expect("a cache");
        assert_eq!(read, cache);
        // It answers for every file: nothing is hashed again.
        let snap = snapshot(root, &mut read);
        assert_eq!(snap.stats().files_hashed, 0);
        assert_eq!(snap.stats().files_reused, 50);
    }
    assert!(StatCache::from_bytes(b"layerlab-statcache-1\0garbage").is_none());
    assert!(StatCache::from_bytes(b"{ not json").is_none());
}
