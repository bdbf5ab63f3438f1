//! The persistent state directory: layout, blobs, documents, lock, and
//! refusal of foreign or corrupt state.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;

use layerlab::engine::state::{State, StateError, FORMAT_VERSION, MARKER_FILE};
use layerlab::filesystem::digest::Digest;

#[test]
fn creates_layout_in_missing_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("state");
    let state = State::open(&dir).expect("open");
    assert_eq!(state.dir(), dir);
    let marker = fs::read_to_string(dir.join(MARKER_FILE)).expect("marker");
    assert!(marker.contains("\"layerlab-state\""), "{marker}");
    assert!(
        marker.contains(&format!("\"version\": {FORMAT_VERSION}")),
        "{marker}"
    );
    assert!(dir.join("blobs/sha256").is_dir());
    let pid = fs::read_to_string(dir.join("lock")).expect("lock");
    assert_eq!(pid, std::process::id().to_string());
}

#[test]
fn blobs_are_content_addressed_and_stored_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = State::open(tmp.path()).expect("open");
    let digest = state.put_blob(b"layer bytes").expect("put");
    assert_eq!(digest, Digest::of(b"layer bytes"));
    assert_eq!(state.put_blob(b"layer bytes").expect("put again"), digest);
    let streamed = state
        .put_blob_from(&b"layer bytes"[..])
        .expect("put from reader");
    assert_eq!(streamed, digest);
    let files = fs::read_dir(tmp.path().join("blobs/sha256"))
        .expect("ls")
        .count();
    assert_eq!(files, 1, "one blob, no temp files left behind");
    assert!(tmp.path().join("blobs/sha256").join(digest.hex()).is_file());

    assert!(state.has_blob(&digest));
    assert_eq!(state.blob_size(&digest).expect("size"), 11);
    let mut content = String::new();
    state
        .open_blob(&digest)
        .expect("open")
        .read_to_string(&mut content)
        .expect("read");
    assert_eq!(content, "layer bytes");

    let absent = Digest::of(b"nothing");
    assert!(!state.has_blob(&absent));
    assert!(matches!(state.open_blob(&absent), Err(StateError::MissingBlob(d)) if d == absent));
}

#[test]
fn large_blob_streams_from_a_reader() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = State::open(tmp.path()).expect("open");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let digest = state.put_blob_from(data.as_slice()).expect("put");
    assert_eq!(digest, Digest::of(&data));
    assert_eq!(state.blob_size(&digest).expect("size"), data.len() as u64);
}

#[test]
fn documents_round_trip_and_persist() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut tags = BTreeMap::new();
    tags.insert("app:latest".to_owned(), Digest::of(b"config"));
    {
        let state = State::open(tmp.path()).expect("open");
        assert_eq!(
            state
                .load_doc::<BTreeMap<String, Digest>>("tags")
                .expect("load"),
            None
        );
        state.save_doc("tags", &tags).expect("save");
    }
    let state = State::open(tmp.path()).expect("reopen after drop");
    assert_eq!(state.load_doc("tags").expect("load"), Some(tags));
    assert!(matches!(
        state.save_doc("../x", &1),
        Err(StateError::BadDocumentName(_))
    ));
    assert!(matches!(
        state.save_doc("layerlab-state", &1),
        Err(StateError::BadDocumentName(_))
    ));
}

#[test]
fn corrupt_document_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = State::open(tmp.path()).expect("open");
    fs::write(tmp.path().join("images.json"), "{\"oops\": ").expect("write");
    let err = state
        .load_doc::<BTreeMap<String, String>>("images")
        .expect_err("corrupt");
    let text = err.to_string();
    assert!(text.contains("images.json is corrupt"), "{text}");
    assert!(text.contains("EOF"), "{text}");
    // Wrong shape is corruption too, not a silent default.
    fs::write(tmp.path().join("images.json"), "[1, 2]").expect("write");
    assert!(matches!(
        state.load_doc::<BTreeMap<String, String>>("images"),
        Err(StateError::Corrupt { .. })
    ));
    assert_eq!(
        fs::read_to_string(tmp.path().join("images.json")).expect("kept"),
        "[1, 2]"
    );
}

#[test]
fn second_handle_is_refused_with_the_holders_pid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = State::open(tmp.path()).expect("first");
    // flock locks belong to the open file, so a second open in this same
    // process contends exactly like another process would.
    let err = State::open(tmp.path()).expect_err("locked");
    assert_eq!(
        err.to_string(),
        format!(
            "state is locked by pid {} ({})",
            std::process::id(),
            tmp.path().display()
        )
    );
    drop(first);
    State::open(tmp.path()).expect("free again after drop");
}

#[test]
fn foreign_directory_is_refused_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("precious.txt"), "mine").expect("write");
    let err = State::open(tmp.path()).expect_err("foreign");
    assert!(matches!(err, StateError::Foreign { .. }), "{err}");
    let names: Vec<_> = fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["precious.txt"], "nothing was created");
}

#[test]
fn corrupt_or_newer_marker_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    drop(State::open(tmp.path()).expect("init"));
    let marker = tmp.path().join(MARKER_FILE);

    fs::write(&marker, "not json").expect("write");
    let err = State::open(tmp.path()).expect_err("corrupt marker");
    assert!(
        err.to_string().contains("layerlab-state.json is corrupt"),
        "{err}"
    );

    fs::write(&marker, r#"{"format":"something-else","version":1}"#).expect("write");
    let err = State::open(tmp.path()).expect_err("foreign marker");
    assert!(
        err.to_string().contains("expected \"layerlab-state\""),
        "{err}"
    );

    fs::write(&marker, r#"{"format":"layerlab-state","version":99}"#).expect("write");
    let err = State::open(tmp.path()).expect_err("newer");
    assert!(
        matches!(err, StateError::UnknownVersion { found: 99, .. }),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(&marker).expect("kept"),
        r#"{"format":"layerlab-state","version":99}"#,
        "never reset"
    );
}

/// A long session defers saving to its caller: nothing reaches the state
/// directory until `save`, and then the next process sees the builds and
/// the stat cache (no file is hashed again).
#[test]
fn a_session_saves_when_it_chooses() {
    use layerlab::engine::builder::BuildOptions;
    use layerlab::engine::daemon::Daemon;

    let tmp = tempfile::tempdir().expect("tempdir");
    let (ctx, state) = (tmp.path().join("ctx"), tmp.path().join("state"));
    fs::create_dir(&ctx).expect("mkdir");
    fs::write(ctx.join("app.js"), "console.log(1)\n").expect("write");
    let dockerfile = "FROM busybox\nCOPY app.js /app/\n";
    let build = |daemon: &mut Daemon| {
        let snap = daemon.snapshot(&ctx).expect("snapshot");
        daemon
            .build(dockerfile, &snap, &BuildOptions::default())
            .expect("build");
        snap.stats()
    };

    let mut daemon = Daemon::open(&state).expect("open");
    daemon.save_later();
    assert!(!daemon.unsaved());
    build(&mut daemon);
    assert!(daemon.unsaved());
    drop(daemon);
    let mut daemon = Daemon::open(&state).expect("reopen");
    assert_eq!(daemon.engine.builds, 0, "nothing was saved");

    daemon.save_later();
    build(&mut daemon);
    daemon.save().expect("save");
    assert!(!daemon.unsaved());
    drop(daemon);
    let mut daemon = Daemon::open(&state).expect("reopen");
    assert_eq!(daemon.engine.builds, 1);
    let stats = build(&mut daemon);
    assert_eq!((stats.files_hashed, stats.files_reused), (0, 1));
}
