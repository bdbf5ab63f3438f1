//! Layers as real tar archives: write → read round trips, whiteouts,
//! determinism, the `docker history` size rule, long and unicode names, and
//! `docker import` of foreign tarballs.

use std::io::Read;
use std::sync::Arc;

use layerlab::engine::layer::{digest_layer, read_tar, write_layer, ImportError};
use layerlab::filesystem::blob::Blob;
use layerlab::filesystem::digest::Digest;
use layerlab::filesystem::rootfs::{
    Change, DiffMode, LayerChanges, Node, NodeKind, PathKey, RootFs,
};

use crate::support;

fn key(path: &str) -> PathKey {
    PathKey::parse_lexical(path).expect("clean test path")
}

fn tar_bytes(changes: &LayerChanges) -> Vec<u8> {
    write_layer(changes, Vec::new()).expect("in-memory tar").1
}

/// Entry names and type bytes as an independent reader (the tar crate's)
/// sees them, with PAX and GNU long names applied.
fn listing(tar: &[u8]) -> Vec<(String, u8)> {
    let mut archive = tar::Archive::new(tar);
    archive
        .entries()
        .expect("readable archive")
        .map(|e| {
            let e = e.expect("readable entry");
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            (name, e.header().entry_type().as_byte())
        })
        .collect()
}

fn sample_fs() -> RootFs {
    let mut fs = RootFs::new();
    fs.mkdir_all("/usr/local/bin", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/usr/local/bin/tool", Blob::lazy(70_000, 9), 0o4755, 0, 0)
        .expect("write");
    fs.symlink("tool", "/usr/local/bin/t").expect("symlink");
    fs.mkdir("/home", 0o755, 0, 0).expect("mkdir");
    fs.mkdir("/home/user", 0o700, 1000, 1000).expect("mkdir");
    fs.write_file("/home/user/notes.txt", "hello\n".into(), 0o600, 1000, 1000)
        .expect("write");
    fs.write_file("/home/user/empty", Blob::empty(), 0o644, 1000, 1000)
        .expect("write");
    fs
}

fn node_eq_ignoring_blob_identity(a: &LayerChanges, b: &LayerChanges) {
    let left: Vec<(&PathKey, &Change)> = a.iter().collect();
    let right: Vec<(&PathKey, &Change)> = b.iter().collect();
    assert_eq!(left, right);
}

#[test]
fn round_trip_write_then_read() {
    let changes = sample_fs().diff(DiffMode::CopyUp);
    let (layer, tar) = write_layer(&changes, Vec::new()).expect("tar");
    assert_eq!(layer.tar_len, tar.len() as u64);
    assert_eq!(layer.diff_id, Digest::of(&tar));
    assert_eq!(tar.len() % 512, 0);

    let imported = read_tar(&tar[..]).expect("import");
    assert!(imported.skipped.is_empty());
    assert_eq!(imported.layer, layer, "import hashes the same bytes");
    node_eq_ignoring_blob_identity(&imported.changes, &changes);
}

#[test]
fn tar_lists_parents_first_dirs_with_slash() {
    let tar = tar_bytes(&sample_fs().diff(DiffMode::CopyUp));
    let names: Vec<String> = listing(&tar).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "home/",
            "home/user/",
            "home/user/empty",
            "home/user/notes.txt",
            "usr/",
            "usr/local/",
            "usr/local/bin/",
            "usr/local/bin/t",
            "usr/local/bin/tool",
        ]
    );
}

#[test]
fn header_fields_carry_node_metadata() {
    let mut fs = sample_fs();
    fs.set_mtime("/home/user/notes.txt", 1_700_000_000)
        .expect("touch");
    let tar = tar_bytes(&fs.diff(DiffMode::CopyUp));
    let mut archive = tar::Archive::new(&tar[..]);
    let mut seen = 0;
    for e in archive.entries().expect("entries") {
        let mut e = e.expect("entry");
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let h = e.header().clone();
        match name.as_str() {
            "home/user/notes.txt" => {
                assert_eq!(h.mode().ok(), Some(0o600));
                assert_eq!((h.uid().ok(), h.gid().ok()), (Some(1000), Some(1000)));
                assert_eq!(h.mtime().ok(), Some(1_700_000_000));
                let mut s = String::new();
                e.read_to_string(&mut s).expect("content");
                assert_eq!(s, "hello\n");
                seen += 1;
            }
            "usr/local/bin/tool" => {
                assert_eq!(h.mode().ok(), Some(0o4755));
                assert_eq!(h.size().ok(), Some(70_000));
                assert_eq!(h.mtime().ok(), Some(0));
                seen += 1;
            }
            "usr/local/bin/t" => {
                assert_eq!(h.link_name_bytes().as_deref(), Some(&b"tool"[..]));
                seen += 1;
            }
            _ => {}
        }
        // Go's writer: USTAR magic, no user or group names.
        assert_eq!(&h.as_bytes()[257..265], b"ustar\x0000");
        assert_eq!(h.username_bytes(), Some(&b""[..]));
    }
    assert_eq!(seen, 3);
}

#[test]
fn whiteouts_and_opaque_dirs_are_marker_files() {
    let mut fs = sample_fs();
    fs.mkdir("/etc", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/etc/old", "o".into(), 0o644, 0, 0)
        .expect("write");
    fs.write_file("/rootfile", "r".into(), 0o644, 0, 0)
        .expect("write");
    let (mut fs, _) = fs.commit(DiffMode::CopyUp);
    fs.remove("/rootfile").expect("rm");
    fs.remove("/home/user/notes.txt").expect("rm");
    fs.remove_all("/etc").expect("rm -r");
    fs.mkdir("/etc", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/etc/new", "n".into(), 0o644, 0, 0)
        .expect("write");

    let changes = fs.diff(DiffMode::CopyUp);
    let tar = tar_bytes(&changes);
    let entries = listing(&tar);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    // A whiteout sits where the deleted entry sorted, as both overlay2's
    // walk of the upper dir and containerd's differ place it.
    assert_eq!(
        names,
        [
            "etc/",
            "etc/.wh..wh..opq",
            "etc/new",
            "home/",
            "home/user/",
            "home/user/.wh.notes.txt",
            ".wh.rootfile",
        ]
    );
    // Markers are empty regular files.
    for (name, kind) in &entries {
        if name.contains(".wh.") {
            assert_eq!(*kind, b'0', "{name}");
        }
    }
    let back = read_tar(&tar[..]).expect("import");
    node_eq_ignoring_blob_identity(&back.changes, &changes);

    // Applying the layer over its base gives the same view.
    let base = fs.layers().to_vec();
    let mut stacked = base;
    stacked.push(Arc::new(back.changes));
    let view = RootFs::from_layers(stacked);
    assert!(!view.exists("/rootfile"));
    assert!(!view.exists("/etc/old"));
    assert!(view.exists("/etc/new"));
    assert!(view.exists("/home/user/empty"));
    assert!(!view.exists("/home/user/notes.txt"));
}

#[test]
fn same_input_same_digest_whatever_the_order_of_operations() {
    let a = digest_layer(&sample_fs().diff(DiffMode::CopyUp)).expect("digest");
    let b = digest_layer(&sample_fs().diff(DiffMode::CopyUp)).expect("digest");
    assert_eq!(a, b);

    let mut reordered = RootFs::new();
    reordered
        .mkdir_all("/home/user", 0o700, 1000, 1000)
        .expect("mkdir");
    reordered.chown("/home", 0, 0).expect("chown");
    reordered.chmod("/home", 0o755).expect("chmod");
    reordered
        .write_file("/home/user/empty", Blob::empty(), 0o644, 1000, 1000)
        .expect("write");
    reordered
        .write_file("/home/user/notes.txt", "hello\n".into(), 0o600, 1000, 1000)
        .expect("write");
    reordered
        .mkdir_all("/usr/local/bin", 0o755, 0, 0)
        .expect("mkdir");
    reordered
        .symlink("tool", "/usr/local/bin/t")
        .expect("symlink");
    // Same bytes from a different source: same layer.
    let bytes = Blob::lazy(70_000, 9).to_vec().expect("lazy");
    reordered
        .write_file("/usr/local/bin/tool", bytes.into(), 0o4755, 0, 0)
        .expect("write");
    let c = digest_layer(&reordered.diff(DiffMode::CopyUp)).expect("digest");
    assert_eq!(a, c);

    let mut changed = sample_fs();
    changed.chmod("/home/user/empty", 0o640).expect("chmod");
    let d = digest_layer(&changed.diff(DiffMode::CopyUp)).expect("digest");
    assert_ne!(a.diff_id, d.diff_id);
}

#[test]
fn empty_layer_is_two_zero_blocks() {
    let layer = digest_layer(&LayerChanges::new()).expect("digest");
    assert_eq!(layer.tar_len, 1024);
    assert_eq!(layer.size, 0);
    assert_eq!(layer.diff_id, Digest::of(&[0u8; 1024]));
    // The digest Docker reports for an empty layer.
    assert_eq!(
        layer.diff_id.to_string(),
        "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
    );
}

#[test]
fn size_counts_file_bytes_and_symlink_targets() {
    // The conformance base: a 1,982,256-byte busybox and nine applet links
    // to "busybox" make 1,982,319 bytes in `docker history`.
    let mut fs = RootFs::new();
    support::busybox::install(&mut fs, 1);
    let layer = digest_layer(&fs.diff(DiffMode::CopyUp)).expect("digest");
    assert_eq!(layer.size, 1_982_319);
    // Headers: bin/ + busybox + 9 links, content padded, 2 end blocks.
    let content_blocks = 1_982_256u64.div_ceil(512);
    assert_eq!(layer.tar_len, (11 + content_blocks + 2) * 512);
}

#[test]
fn long_paths_and_link_targets_round_trip() {
    let mut fs = RootFs::new();
    let deep = format!("/{}/{}", "d".repeat(120), "e".repeat(60));
    fs.mkdir_all(&deep, 0o755, 0, 0).expect("mkdir");
    // 120 + 1 + 60 + 1 + 99: fits only split into USTAR prefix and name.
    let split = format!("{deep}/{}", "f".repeat(99));
    fs.write_file(&split, "split".into(), 0o644, 0, 0)
        .expect("write");
    // Over 255 bytes: needs a PAX path record.
    let long = format!("{deep}/{}", "g".repeat(200));
    fs.write_file(&long, "long".into(), 0o644, 0, 0)
        .expect("write");
    let long_target = "t".repeat(150);
    fs.symlink(&long_target, "/link").expect("symlink");

    let changes = fs.diff(DiffMode::CopyUp);
    let tar = tar_bytes(&changes);
    let names: Vec<String> = listing(&tar).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&split[1..].to_owned()));
    assert!(names.contains(&long[1..].to_owned()));
    let back = read_tar(&tar[..]).expect("import");
    node_eq_ignoring_blob_identity(&back.changes, &changes);
    let view = RootFs::from_layers([Arc::new(back.changes)]);
    assert_eq!(view.read_link("/link").as_deref(), Ok(long_target.as_str()));
    let long_content = view.read_file(&long).expect("long file").to_vec();
    assert_eq!(long_content.ok().as_deref(), Some(&b"long"[..]));
}

#[test]
fn unicode_names_round_trip_through_pax() {
    let mut fs = RootFs::new();
    fs.mkdir("/데이터", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/데이터/ñandú.txt", "ok".into(), 0o644, 0, 0)
        .expect("write");
    fs.symlink("ñandú.txt", "/데이터/링크").expect("symlink");
    let changes = fs.diff(DiffMode::CopyUp);
    let tar = tar_bytes(&changes);
    let names: Vec<String> = listing(&tar)
        .into_iter()
        .filter(|(_, kind)| *kind != b'x')
        .map(|(n, _)| n)
        .collect();
    // Byte order: "ñ" is 0xC3 0xB1, "링" 0xEB 0xA7 0x81.
    assert_eq!(names, ["데이터/", "데이터/ñandú.txt", "데이터/링크"]);
    let back = read_tar(&tar[..]).expect("import");
    node_eq_ignoring_blob_identity(&back.changes, &changes);
}

#[test]
fn big_ids_and_times_use_pax_records() {
    let mut fs = RootFs::new();
    fs.write_file("/f", "x".into(), 0o644, 4_000_000_000, 3_000_000)
        .expect("write");
    fs.set_mtime("/f", -86_400).expect("touch");
    let changes = fs.diff(DiffMode::CopyUp);
    let back = read_tar(&tar_bytes(&changes)[..]).expect("import");
    let Some(Change::Put(node)) = back.changes.get(&key("f")) else {
        panic!("f imported as a put");
    };
    assert_eq!(
        (node.uid, node.gid, node.mtime),
        (4_000_000_000, 3_000_000, -86_400)
    );
}

/// A tar as GNU tar writes it for `tar -C dir -cf out .`: `./` first, then
/// `./bin/` and its entries, padded to a 10 KiB record.
fn gnu_style_rootfs_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, kind: tar::EntryType, mode: u32, link: Option<&str>, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(data.len() as u64);
        h.set_mtime(1_700_000_000);
        h.set_uid(0);
        h.set_gid(0);
        if let Some(l) = link {
            h.set_link_name(l).expect("short link");
        }
        b.append_data(&mut h, name, data).expect("append");
    };
    add("./", tar::EntryType::Directory, 0o700, None, b"");
    add("./bin/", tar::EntryType::Directory, 0o755, None, b"");
    add(
        "./bin/busybox",
        tar::EntryType::Regular,
        0o755,
        None,
        &[7u8; 1000],
    );
    add(
        "./bin/sh",
        tar::EntryType::Symlink,
        0o777,
        Some("busybox"),
        b"",
    );
    add(
        "./bin/ls",
        tar::EntryType::Link,
        0o755,
        Some("./bin/busybox"),
        b"",
    );
    add("./dev/null", tar::EntryType::Char, 0o666, None, b"");
    let mut bytes = b.into_inner().expect("finish");
    // GNU tar pads the archive to a whole 10240-byte record.
    bytes.resize(bytes.len().div_ceil(10_240) * 10_240, 0);
    bytes
}

#[test]
fn import_hashes_every_input_byte_like_dockerd() {
    let tar = gnu_style_rootfs_tar();
    let imported = read_tar(&tar[..]).expect("import");
    assert_eq!(imported.layer.diff_id, Digest::of(&tar));
    assert_eq!(imported.layer.tar_len, tar.len() as u64);
    assert_eq!(imported.skipped, ["dev/null"]);
    // The hard link counts once, the symlink by its target length.
    assert_eq!(imported.layer.size, 1000 + 7);

    // The layer keeps the tarball's `./` as it is; a container's `/` (the
    // runtime's upper directory) is 0755 whatever a layer below says.
    let root = imported.changes.get(&PathKey::root());
    assert!(
        matches!(root, Some(Change::Put(n)) if n.mode == 0o700),
        "{root:?}"
    );
    let fs = RootFs::from_layers([Arc::new(imported.changes)]);
    assert_eq!(
        fs.stat("/").expect("root").mode,
        0o755,
        "the runtime's root"
    );
    assert_eq!(fs.read_link("/bin/sh").as_deref(), Ok("busybox"));
    let ls = fs.stat("/bin/ls").expect("hard link");
    assert!(matches!(&ls.kind, NodeKind::File(b) if b.len() == 1000));
    assert_eq!(fs.stat("/bin/busybox").expect("file").mtime, 1_700_000_000);
}

/// A raw header for names the tar crate's builder refuses to write.
fn raw_entry(name: &[u8], kind: u8, link: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_ustar();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(0);
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[test]
fn import_rejects_paths_that_leave_the_root() {
    let err = read_tar(&raw_entry(b"../evil", b'0', b"")[..]).map(|_| ());
    assert!(matches!(err, Err(ImportError::UnsafePath(p)) if p == "../evil"));
    let err = read_tar(&raw_entry(b"a/../../evil", b'0', b"")[..]).map(|_| ());
    assert!(matches!(err, Err(ImportError::UnsafePath(_))));
    // Climbing inside the tree is fine, as in dockerd.
    let ok = read_tar(&raw_entry(b"a/../b", b'0', b"")[..]).expect("import");
    assert!(ok.changes.get(&key("b")).is_some());
    let err = read_tar(&raw_entry(b"x", b'1', b"nowhere")[..]).map(|_| ());
    assert!(matches!(err, Err(ImportError::BadHardLink { .. })));
}

#[test]
fn import_of_garbage_is_an_error() {
    let garbage = vec![0x55u8; 2048];
    assert!(matches!(read_tar(&garbage[..]), Err(ImportError::Io(_))));
}

#[test]
fn opaque_marker_before_its_dir_entry_still_yields_opaque() {
    let mut bytes = raw_entry(b"d/.wh..wh..opq", b'0', b"");
    bytes.truncate(512);
    let mut dir = raw_entry(b"d/", b'5', b"");
    bytes.append(&mut dir);
    let imported = read_tar(&bytes[..]).expect("import");
    assert!(matches!(
        imported.changes.get(&key("d")),
        Some(Change::Opaque(Node { mode: 0o644, .. }))
    ));
}
