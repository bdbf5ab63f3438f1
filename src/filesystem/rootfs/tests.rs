use super::*;

fn key(s: &str) -> PathKey {
    PathKey::from_clean(s)
}

fn text(fs: &RootFs, path: &str) -> String {
    let blob = fs.read_file(path).expect("file exists");
    String::from_utf8(blob.to_vec().expect("in-memory blob")).expect("utf-8 test content")
}

fn names(fs: &RootFs, path: &str) -> Vec<String> {
    fs.read_dir(path)
        .expect("directory exists")
        .into_iter()
        .map(|e| e.name)
        .collect()
}

/// A base image: /bin/busybox, /bin/sh -> busybox, /etc/conf, /app/{a,b}, /app/sub/c.
fn base() -> RootFs {
    let mut fs = RootFs::new();
    fs.mkdir_all("/bin", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/bin/busybox", Blob::lazy(1000, 1), 0o755, 0, 0)
        .expect("write");
    fs.symlink("busybox", "/bin/sh").expect("symlink");
    fs.mkdir("/etc", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/etc/conf", "x=1\n".into(), 0o644, 0, 0)
        .expect("write");
    fs.mkdir_all("/app/sub", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/app/a", "A".into(), 0o644, 0, 0)
        .expect("write");
    fs.write_file("/app/b", "B".into(), 0o644, 0, 0)
        .expect("write");
    fs.write_file("/app/sub/c", "C".into(), 0o644, 0, 0)
        .expect("write");
    fs.commit(DiffMode::CopyUp).0
}

#[test]
fn empty_fs_has_only_root() {
    let fs = RootFs::new();
    let root = fs.stat("/").expect("root");
    assert!(root.is_dir());
    assert_eq!(root.mode, 0o755);
    assert!(fs.read_dir("/").expect("root dir").is_empty());
    assert_eq!(fs.stat("/x"), Err(FsError::NotFound("/x".into())));
}

#[test]
fn lower_content_is_visible_after_commit() {
    let fs = base();
    assert_eq!(fs.layers().len(), 1);
    assert!(fs.upper().is_empty());
    assert_eq!(text(&fs, "/app/a"), "A");
    assert_eq!(names(&fs, "/"), ["app", "bin", "etc"]);
    assert_eq!(names(&fs, "/app"), ["a", "b", "sub"]);
}

#[test]
fn symlinks_are_followed_for_stat_not_lstat() {
    let fs = base();
    assert!(fs.stat("/bin/sh").expect("stat").is_file());
    assert!(fs.lstat("/bin/sh").expect("lstat").is_symlink());
    assert_eq!(fs.read_link("/bin/sh").as_deref(), Ok("busybox"));
    assert_eq!(
        fs.read_link("/bin/busybox"),
        Err(FsError::InvalidArgument("/bin/busybox".into()))
    );
}

#[test]
fn intermediate_symlinks_and_dotdot_resolve_physically() {
    let mut fs = base();
    fs.symlink("/app/sub", "/s").expect("symlink");
    // `..` after a symlinked directory goes to the target's parent, as the
    // kernel does, not back to `/`.
    assert_eq!(text(&fs, "/s/../a"), "A");
    assert_eq!(text(&fs, "/s/./c"), "C");
    assert_eq!(fs.canonicalize("/s/c").as_deref(), Ok("/app/sub/c"));
    assert_eq!(fs.canonicalize("/../../app").as_deref(), Ok("/app"));
    assert_eq!(
        fs.stat("/app/a/x"),
        Err(FsError::NotADirectory("/app/a/x".into()))
    );
    assert_eq!(
        fs.stat("/app/a/"),
        Err(FsError::NotADirectory("/app/a/".into()))
    );
    assert!(fs.stat("/s/").expect("dir via link").is_dir());
}

#[test]
fn symlink_loops_are_detected() {
    let mut fs = RootFs::new();
    fs.symlink("/b", "/a").expect("symlink");
    fs.symlink("/a", "/b").expect("symlink");
    assert_eq!(fs.stat("/a"), Err(FsError::TooManyLinks("/a".into())));
    assert!(fs.lstat("/a").is_ok());
    fs.symlink("self/x", "/self").expect("symlink");
    assert_eq!(fs.stat("/self"), Err(FsError::TooManyLinks("/self".into())));
}

#[test]
fn write_through_dangling_symlink_creates_target() {
    let mut fs = RootFs::new();
    fs.symlink("/target", "/link").expect("symlink");
    fs.write_file("/link", "t".into(), 0o644, 0, 0)
        .expect("write");
    assert_eq!(text(&fs, "/target"), "t");
    assert!(fs.lstat("/link").expect("link").is_symlink());
}

#[test]
fn posix_errors() {
    let mut fs = base();
    assert_eq!(
        fs.mkdir("/app", 0o755, 0, 0),
        Err(FsError::AlreadyExists("/app".into()))
    );
    assert_eq!(
        fs.mkdir("/nope/x", 0o755, 0, 0),
        Err(FsError::NotFound("/nope/x".into()))
    );
    assert_eq!(
        fs.remove("/app"),
        Err(FsError::DirectoryNotEmpty("/app".into()))
    );
    assert_eq!(
        fs.write_file("/app", Blob::empty(), 0o644, 0, 0),
        Err(FsError::IsADirectory("/app".into()))
    );
    assert_eq!(
        fs.read_file("/app"),
        Err(FsError::IsADirectory("/app".into()))
    );
    assert_eq!(
        fs.read_dir("/app/a"),
        Err(FsError::NotADirectory("/app/a".into()))
    );
    assert_eq!(fs.remove("/"), Err(FsError::InvalidArgument("/".into())));
    assert_eq!(
        fs.rename("/app", "/app/sub/x"),
        Err(FsError::InvalidArgument("/app/sub/x".into()))
    );
    assert_eq!(
        fs.rename("/app/a", "/app/sub"),
        Err(FsError::IsADirectory("/app/sub".into()))
    );
    assert_eq!(
        fs.rename("/app/sub", "/app/a"),
        Err(FsError::NotADirectory("/app/a".into()))
    );
    assert_eq!(
        fs.rename("/app/sub", "/etc"),
        Err(FsError::DirectoryNotEmpty("/etc".into()))
    );
    assert_eq!(
        fs.mkdir_all("/app/a/b", 0o755, 0, 0),
        Err(FsError::NotADirectory("/app/a/b".into()))
    );
    assert_eq!(
        fs.mkdir_all("/app/a", 0o755, 0, 0),
        Err(FsError::AlreadyExists("/app/a".into()))
    );
    // Failed operations leave nothing behind.
    assert!(fs.upper().is_empty());
}

#[test]
fn mkdir_all_gives_parents_docker_defaults() {
    let mut fs = RootFs::new();
    fs.mkdir_all("/a/b/c", 0o700, 1000, 1000).expect("mkdir -p");
    let a = fs.stat("/a").expect("a");
    assert_eq!((a.mode, a.uid, a.gid), (0o755, 0, 0));
    let c = fs.stat("/a/b/c").expect("c");
    assert_eq!((c.mode, c.uid, c.gid), (0o700, 1000, 1000));
    // Existing directories, also through symlinks, are fine.
    fs.symlink("/a", "/l").expect("symlink");
    fs.mkdir_all("/l/b/c/d", 0o755, 0, 0)
        .expect("mkdir -p via link");
    assert!(fs.stat("/a/b/c/d").expect("d").is_dir());
    fs.symlink("/nowhere", "/dangling").expect("symlink");
    assert_eq!(
        fs.mkdir_all("/dangling", 0o755, 0, 0),
        Err(FsError::AlreadyExists("/dangling".into()))
    );
}

#[test]
fn remove_of_lower_entries_records_whiteouts() {
    let mut fs = base();
    fs.remove("/app/a").expect("rm");
    fs.remove_all("/app/sub").expect("rm -r");
    assert!(!fs.exists("/app/a"));
    assert!(!fs.exists("/app/sub/c"));
    assert_eq!(names(&fs, "/app"), ["b"]);
    assert_eq!(fs.upper().get(&key("app/a")), Some(&Change::Whiteout));
    assert_eq!(fs.upper().get(&key("app/sub")), Some(&Change::Whiteout));
    // Nothing below a whiteout is recorded.
    assert_eq!(fs.upper().get(&key("app/sub/c")), None);
}

#[test]
fn removing_an_upper_only_file_leaves_no_trace() {
    let mut fs = base();
    fs.write_file("/tmpfile", "x".into(), 0o644, 0, 0)
        .expect("write");
    fs.remove("/tmpfile").expect("rm");
    assert_eq!(fs.diff(DiffMode::CopyUp), LayerChanges::new());
}

#[test]
fn recreated_directory_is_opaque_and_hides_lower_children() {
    let mut fs = base();
    fs.remove_all("/app").expect("rm -r");
    fs.mkdir("/app", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/app/new", "N".into(), 0o644, 0, 0)
        .expect("write");
    assert_eq!(names(&fs, "/app"), ["new"]);
    assert!(!fs.exists("/app/sub/c"));
    assert!(matches!(
        fs.upper().get(&key("app")),
        Some(Change::Opaque(_))
    ));
    // And after commit the lower view agrees.
    let (fs, layer) = fs.commit(DiffMode::CopyUp);
    assert!(matches!(layer.get(&key("app")), Some(Change::Opaque(_))));
    assert_eq!(names(&fs, "/app"), ["new"]);
    assert!(!fs.exists("/app/a"));
}

#[test]
fn file_replacing_lower_dir_hides_its_children() {
    let mut fs = base();
    fs.remove_all("/app").expect("rm -r");
    fs.write_file("/app", "now a file".into(), 0o644, 0, 0)
        .expect("write");
    assert_eq!(
        fs.stat("/app/a"),
        Err(FsError::NotADirectory("/app/a".into()))
    );
    let (fs, _) = fs.commit(DiffMode::CopyUp);
    assert_eq!(text(&fs, "/app"), "now a file");
    // Turn it back into a directory: the old children must stay gone.
    let mut fs = fs;
    fs.remove("/app").expect("rm");
    fs.mkdir("/app", 0o755, 0, 0).expect("mkdir");
    assert!(fs.read_dir("/app").expect("dir").is_empty());
}

#[test]
fn rename_moves_subtree_and_whiteouts_source() {
    let mut fs = base();
    fs.rename("/app", "/srv").expect("mv");
    assert_eq!(names(&fs, "/srv"), ["a", "b", "sub"]);
    assert_eq!(text(&fs, "/srv/sub/c"), "C");
    assert!(!fs.exists("/app"));
    let diff = fs.diff(DiffMode::CopyUp);
    assert_eq!(diff.get(&key("app")), Some(&Change::Whiteout));
    assert!(matches!(diff.get(&key("srv/sub/c")), Some(Change::Put(_))));
    // A file replacing a file.
    fs.rename("/etc/conf", "/srv/a").expect("mv");
    assert_eq!(text(&fs, "/srv/a"), "x=1\n");
    assert!(!fs.exists("/etc/conf"));
}

#[test]
fn rename_onto_empty_lower_dir_replaces_it() {
    let mut fs = base();
    fs.mkdir("/empty", 0o755, 0, 0).expect("mkdir");
    let (mut fs, _) = fs.commit(DiffMode::CopyUp);
    fs.rename("/app/sub", "/empty").expect("mv");
    assert_eq!(names(&fs, "/empty"), ["c"]);
    assert!(!fs.exists("/app/sub"));
}

#[test]
fn metadata_changes_copy_up() {
    let mut fs = base();
    fs.chmod("/bin/sh", 0o4755).expect("chmod follows link");
    assert_eq!(fs.stat("/bin/busybox").expect("busybox").mode, 0o4755);
    fs.lchown("/bin/sh", 5, 6).expect("lchown");
    let link = fs.lstat("/bin/sh").expect("link");
    assert_eq!((link.uid, link.gid), (5, 6));
    fs.chown("/app", 1000, 1000).expect("chown");
    fs.set_mtime("/app/a", 1234).expect("touch");
    assert_eq!(fs.stat("/app/a").expect("a").mtime, 1234);
    // A copied-up directory keeps its lower children.
    assert_eq!(names(&fs, "/app"), ["a", "b", "sub"]);
}

#[test]
fn parent_mtime_follows_the_clock() {
    let mut fs = base();
    fs.set_now(500);
    fs.write_file("/app/new", "n".into(), 0o644, 0, 0)
        .expect("write");
    assert_eq!(fs.stat("/app").expect("app").mtime, 500);
    assert_eq!(fs.stat("/app/new").expect("new").mtime, 500);
    assert_eq!(fs.stat("/etc").expect("etc").mtime, 0);
}

#[test]
fn diff_includes_parent_dirs_of_changes() {
    let mut fs = base();
    fs.write_file("/app/sub/d", "D".into(), 0o644, 0, 0)
        .expect("write");
    let diff = fs.diff(DiffMode::CopyUp);
    let keys: Vec<&str> = diff.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["app", "app/sub", "app/sub/d"]);
    assert_eq!(diff.size(), 1);
}

#[test]
fn content_compare_drops_identical_rewrites_copy_up_keeps_them() {
    // The 03 scenario shape: COPY package.json, then COPY . . copies it again.
    let mut fs = RootFs::new();
    fs.mkdir_all("/app", 0o755, 0, 0).expect("workdir");
    fs.write_file("/app/package.json", "{}\n".into(), 0o644, 0, 0)
        .expect("copy");
    let (mut fs, _) = fs.commit(DiffMode::CopyUp);
    fs.write_file("/app/package.json", "{}\n".into(), 0o644, 0, 0)
        .expect("copy again");
    fs.write_file("/app/app.js", "run()\n".into(), 0o644, 0, 0)
        .expect("copy");

    let copy_up = fs.diff(DiffMode::CopyUp);
    let keys: Vec<&str> = copy_up.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["app", "app/app.js", "app/package.json"]);
    assert_eq!(copy_up.size(), 9);

    let compare = fs.diff(DiffMode::ContentCompare);
    let keys: Vec<&str> = compare.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["app", "app/app.js"]);
    assert_eq!(compare.size(), 6);

    // Different metadata is a change even with the same bytes.
    fs.chmod("/app/package.json", 0o600).expect("chmod");
    assert!(fs
        .diff(DiffMode::ContentCompare)
        .get(&key("app/package.json"))
        .is_some());
}

#[test]
fn content_compare_keeps_files_under_an_opaque_dir() {
    let mut fs = base();
    fs.remove_all("/app").expect("rm");
    fs.mkdir("/app", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/app/a", "A".into(), 0o644, 0, 0)
        .expect("write");
    let diff = fs.diff(DiffMode::ContentCompare);
    assert!(matches!(diff.get(&key("app/a")), Some(Change::Put(_))));
}

#[test]
fn diff_never_contains_root() {
    let mut fs = base();
    fs.chmod("/", 0o700).expect("chmod /");
    assert_eq!(fs.stat("/").expect("root").mode, 0o700);
    assert!(fs.diff(DiffMode::CopyUp).is_empty());
}

#[test]
fn snapshots_are_independent() {
    let fs = base();
    let mut a = fs.clone();
    let mut b = fs.clone();
    a.write_file("/only-a", "a".into(), 0o644, 0, 0)
        .expect("write");
    b.remove("/app/a").expect("rm");
    assert!(a.exists("/only-a") && !b.exists("/only-a"));
    assert!(a.exists("/app/a") && !b.exists("/app/a"));
    assert!(fs.exists("/app/a") && !fs.exists("/only-a"));
    // Chained commits share the lower layers.
    let (a2, _) = a.commit(DiffMode::CopyUp);
    assert!(Arc::ptr_eq(&a2.layers()[0], &fs.layers()[0]));
    assert_eq!(a2.layers().len(), 2);
}

#[test]
fn from_layers_matches_committed_view() {
    let mut fs = base();
    fs.remove("/app/b").expect("rm");
    fs.write_file("/app/sub/c", "C2".into(), 0o644, 0, 0)
        .expect("write");
    let (fs, _) = fs.commit(DiffMode::ContentCompare);
    let rebuilt = RootFs::from_layers(fs.layers().to_vec());
    for path in ["/", "/app", "/app/sub", "/bin"] {
        assert_eq!(fs.read_dir(path), rebuilt.read_dir(path), "{path}");
    }
    assert_eq!(text(&rebuilt, "/app/sub/c"), "C2");
    assert_eq!(fs.walk("/"), rebuilt.walk("/"));
}

#[test]
fn walk_lists_subtree_in_walk_order() {
    let fs = base();
    let got: Vec<String> = fs
        .walk("/app")
        .expect("walk")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(got, ["a", "b", "sub", "sub/c"]);
}
