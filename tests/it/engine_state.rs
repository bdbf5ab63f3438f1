//! The persistent state directory: layout, blobs, documents, several
//! handles at once, migration from version 1, and refusal of foreign or
//! corrupt state.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use layerlab::engine::daemon::Daemon;
use layerlab::engine::state::{
    Notice, Row, State, StateError, FORMAT_VERSION, LEGACY_BACKUP, LEGACY_UNREADABLE, MARKER_FILE,
};
use layerlab::engine::store::rows::from_v1;
use layerlab::filesystem::digest::Digest;

fn open(dir: &Path) -> Result<State, StateError> {
    State::open(dir, &from_v1)
}

#[test]
fn creates_layout_in_missing_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("state");
    let state = open(&dir).expect("open");
    assert_eq!(state.dir(), dir);
    let marker = fs::read_to_string(dir.join(MARKER_FILE)).expect("marker");
    assert!(marker.contains("\"layerlab-state\""), "{marker}");
    assert!(
        marker.contains(&format!("\"version\": {FORMAT_VERSION}")),
        "{marker}"
    );
    assert!(dir.join("blobs/sha256").is_dir());
    assert!(dir.join("engine.db").is_file());
}

#[test]
fn blobs_are_content_addressed_and_stored_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = open(tmp.path()).expect("open");
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
    let state = open(tmp.path()).expect("open");
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
        let state = open(tmp.path()).expect("open");
        assert_eq!(
            state
                .load_doc::<BTreeMap<String, Digest>>("tags")
                .expect("load"),
            None
        );
        state.save_doc("tags", &tags).expect("save");
    }
    let state = open(tmp.path()).expect("reopen after drop");
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
    let state = open(tmp.path()).expect("open");
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
fn two_handles_at_once_read_each_others_writes_and_readers_never_wait() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut first = open(tmp.path()).expect("first");
    let mut second = open(tmp.path()).expect("second, while the first is open");
    let row = |key: &str, value: Option<&str>| Row {
        table: "tags",
        key: key.to_owned(),
        value: value.map(str::to_owned),
    };
    let g = first
        .write(&[row("web:latest", Some("\"sha256:1\""))])
        .expect("write");
    let (seen, now) = second.changes_since(&["tags"], 0).expect("read");
    assert_eq!(
        (seen, now),
        (vec![row("web:latest", Some("\"sha256:1\""))], g)
    );
    // A writer's open transaction blocks no reader, and its rows are its
    // own until it commits.
    first.begin().expect("begin");
    first.write(&[row("web:latest", None)]).expect("remove");
    assert_eq!(second.generation().expect("read while writing"), g);
    assert_eq!(
        second.get("tags", "web:latest").expect("get").as_deref(),
        Some("\"sha256:1\"")
    );
    first.commit().expect("commit");
    let (seen, now) = second.changes_since(&["tags"], g).expect("read");
    assert_eq!((seen, now), (vec![row("web:latest", None)], g + 1));
}

#[test]
fn foreign_directory_is_refused_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("precious.txt"), "mine").expect("write");
    let err = open(tmp.path()).expect_err("foreign");
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
    drop(open(tmp.path()).expect("init"));
    let marker = tmp.path().join(MARKER_FILE);

    fs::write(&marker, "not json").expect("write");
    let err = open(tmp.path()).expect_err("corrupt marker");
    assert!(
        err.to_string().contains("layerlab-state.json is corrupt"),
        "{err}"
    );

    fs::write(&marker, r#"{"format":"something-else","version":1}"#).expect("write");
    let err = open(tmp.path()).expect_err("foreign marker");
    assert!(
        err.to_string().contains("expected \"layerlab-state\""),
        "{err}"
    );

    fs::write(&marker, r#"{"format":"layerlab-state","version":99}"#).expect("write");
    let err = open(tmp.path()).expect_err("newer");
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

/// A build is saved as it ends, with the stat cache of its context: the
/// next process sees the build and hashes no file again.
#[test]
fn a_build_is_saved_with_its_stat_cache() {
    use layerlab::engine::builder::BuildOptions;

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
    build(&mut daemon);
    assert!(!daemon.unsaved());
    drop(daemon);
    let mut daemon = Daemon::open(&state).expect("reopen");
    assert_eq!(daemon.engine.builds, 1);
    let stats = build(&mut daemon);
    assert_eq!((stats.files_hashed, stats.files_reused), (0, 1));
}

/// Two processes' daemons (two handles here) on one state: each change is
/// made over what the other wrote, so neither loses the other's.
#[test]
fn changes_of_two_daemons_are_made_over_each_other() {
    use layerlab::engine::container::CreateOptions;

    let tmp = tempfile::tempdir().expect("tempdir");
    let mut one = Daemon::open(tmp.path()).expect("one");
    let mut two = Daemon::open(tmp.path()).expect("two");
    let pulled = layerlab::engine::base::pull(one.engine_mut(), "busybox").expect("pull");
    one.save().expect("save");
    let base = one.engine.images[&pulled.image].clone();
    let create = |daemon: &mut Daemon| {
        daemon
            .engine_mut()
            .create_container("busybox", &CreateOptions::default())
            .expect("create");
        daemon.save().expect("save");
    };
    // Each made over a store that did not have the other's last container.
    create(&mut one);
    create(&mut two);
    create(&mut one);
    two.engine_mut().tag_image(base, "mine:v1");
    two.save().expect("save");
    assert!(one.refresh().expect("refresh"), "one sees two's writes");
    assert!(!one.refresh().expect("again"), "nothing new");
    for daemon in [&one, &two] {
        assert_eq!(daemon.engine.containers.len(), 3, "no container lost");
        assert_eq!(daemon.engine.containers_made, 3);
        assert!(daemon.engine.image("mine:v1").is_some());
    }
    drop((one, two));
    let reopened = Daemon::open(tmp.path()).expect("reopen");
    assert_eq!(reopened.engine.containers.len(), 3);
}

/// Copies `tests/fixtures/state-v1` (a state directory written by the
/// layerlab before SQLite: one `engine.json`, its blobs, a stat cache)
/// into `to`.
fn v1_fixture(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).expect("mkdir");
        for entry in fs::read_dir(from).expect("ls") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), &target).expect("copy");
            }
        }
    }
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-v1"),
        to,
    );
}

#[test]
fn a_version_1_state_is_migrated_and_its_document_kept() {
    use layerlab::engine::builder::BuildOptions;

    let tmp = tempfile::tempdir().expect("tempdir");
    v1_fixture(tmp.path());
    let state = tmp.path().join("state");
    let document = fs::read(state.join("engine.json")).expect("v1 document");

    let mut daemon = Daemon::open(&state).expect("migrates");
    assert!(daemon.notices().is_empty());
    assert!(!state.join("engine.json").exists());
    assert_eq!(
        fs::read(state.join(LEGACY_BACKUP)).expect("backup"),
        document
    );
    let marker = fs::read_to_string(state.join(MARKER_FILE)).expect("marker");
    assert!(
        marker.contains(&format!("\"version\": {FORMAT_VERSION}")),
        "{marker}"
    );

    let listed: Vec<String> = daemon
        .engine
        .list_images(None, false)
        .iter()
        .filter_map(|l| l.name.map(|(r, t)| format!("{r}:{t}")))
        .collect();
    assert_eq!(listed, ["busybox:latest", "web:latest", "web:v1"]);
    assert_eq!(daemon.engine.builds, 1);
    let diff: Vec<String> = daemon
        .engine
        .container_diff("kept")
        .expect("the container's writable layer, from its blob")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(diff, ["A /hello"]);

    // The same build again is cached through: records and layers came over.
    let ctx = tmp.path().join("ctx");
    let text = fs::read_to_string(ctx.join("Dockerfile")).expect("Dockerfile");
    let snap = daemon.snapshot(&ctx).expect("snapshot");
    let report = daemon
        .build(&text, &snap, &BuildOptions::default())
        .expect("build");
    assert!(
        report.steps.iter().all(|s| !s.verdict.missed()),
        "{report:?}"
    );
    assert_eq!(report.build, 2);
    drop(daemon);

    // Opened again: migrated once, the backup untouched.
    let daemon = Daemon::open(&state).expect("reopen");
    assert_eq!(daemon.engine.builds, 2);
    assert_eq!(
        fs::read(state.join(LEGACY_BACKUP)).expect("backup"),
        document
    );
}

#[test]
fn an_unreadable_version_1_document_is_kept_aside_and_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    v1_fixture(tmp.path());
    let state = tmp.path().join("state");
    fs::write(state.join("engine.json"), "{ not json").expect("corrupt");

    let daemon = Daemon::open(&state).expect("opens, empty");
    let kept = state.join(LEGACY_UNREADABLE);
    match daemon.notices() {
        [Notice::KeptAside { path, kept: k, .. }] => {
            assert_eq!((path, k), (&state.join("engine.json"), &kept));
        }
        other => panic!("{other:?}"),
    }
    let text = daemon.notices()[0].to_string();
    assert!(text.contains("engine.json.unreadable"), "{text}");
    assert_eq!(fs::read_to_string(&kept).expect("kept"), "{ not json");
    assert!(daemon.engine.images.is_empty());
    drop(daemon);
    let daemon = Daemon::open(&state).expect("reopen");
    assert!(daemon.notices().is_empty(), "said once");
    assert_eq!(fs::read_to_string(&kept).expect("still kept"), "{ not json");
}

#[test]
fn a_newer_database_schema_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    drop(open(tmp.path()).expect("init"));
    let db = rusqlite::Connection::open(tmp.path().join("engine.db")).expect("db");
    db.execute_batch("PRAGMA user_version = 99").expect("set");
    drop(db);
    let err = open(tmp.path()).expect_err("newer");
    assert!(
        matches!(err, StateError::UnknownVersion { found: 99, .. }),
        "{err}"
    );
}

/// A database of schema 1 (before `cache_use`) gains the new table and
/// keeps its rows.
#[test]
fn an_older_database_schema_gains_the_new_tables_and_keeps_its_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut state = open(tmp.path()).expect("init");
    let tag = Row {
        table: "tags",
        key: "web:latest".into(),
        value: Some("\"sha256:1\"".into()),
    };
    state.write(std::slice::from_ref(&tag)).expect("write");
    drop(state);
    let db = rusqlite::Connection::open(tmp.path().join("engine.db")).expect("db");
    db.execute_batch("DROP TABLE cache_use; PRAGMA user_version = 1")
        .expect("make it schema 1");
    drop(db);
    let mut state = open(tmp.path()).expect("upgrade");
    assert_eq!(
        state.get("tags", "web:latest").expect("get").as_deref(),
        Some("\"sha256:1\"")
    );
    let used = Row {
        table: "cache_use",
        key: "k".into(),
        value: Some("{}".into()),
    };
    state
        .write(std::slice::from_ref(&used))
        .expect("the new table");
    assert_eq!(
        state.get("cache_use", "k").expect("get").as_deref(),
        Some("{}")
    );
}

/// A context of `files` files in directories of 100, and the daemon's
/// state beside it.
fn big_context(tmp: &Path, files: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let (ctx, state) = (tmp.join("ctx"), tmp.join("state"));
    for i in 0..files {
        let dir = ctx.join(format!("lib{}", i / 100));
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join(format!("f{i}.js")), format!("{i}\n")).expect("write");
    }
    (ctx, state)
}

const COPY_ALL: &str = "FROM scratch\nCOPY . /app/\n";

fn build(
    daemon: &mut Daemon,
    dockerfile: &str,
    ctx: &Path,
) -> layerlab::engine::report::BuildReport {
    let snap = daemon.snapshot(ctx).expect("snapshot");
    daemon
        .build(
            dockerfile,
            &snap,
            &layerlab::engine::builder::BuildOptions::default(),
        )
        .expect("build")
}

/// `(rows of stamp_chunks, the longest build cache row)` as the database has them.
fn chunk_rows(state: &Path) -> (i64, i64) {
    let db = rusqlite::Connection::open(state.join("engine.db")).expect("db");
    let chunks = db
        .query_row("SELECT count(*) FROM stamp_chunks", [], |r| r.get(0))
        .expect("count");
    let longest = db
        .query_row(
            "SELECT coalesce(max(length(value)), 0) FROM buildkit_cache",
            [],
            |r| r.get(0),
        )
        .expect("max");
    (chunks, longest)
}

fn names_the_changed_file(report: &layerlab::engine::report::BuildReport, path: &str) -> bool {
    use layerlab::engine::report::{FileChange, MissReason, Verdict};
    report.steps.iter().any(|step| {
        matches!(&step.verdict, Verdict::Miss { why: MissReason::FilesChanged { changes } }
            if changes.iter().any(|c| matches!(c, FileChange::Content { path: p, .. } if p.ends_with(path))))
    })
}

/// Builds `dockerfile` over a context of `files` files, checks its
/// records' rows hold their file lists in chunks, changes `changed` and
/// builds again in a new daemon (a new process), which must name that
/// file in its miss. The state, that daemon, and the chunks of the first
/// build.
fn chunked_then_explained(
    tmp: &Path,
    dockerfile: &str,
    files: usize,
    changed: &str,
) -> (std::path::PathBuf, Daemon, i64) {
    let (ctx, state) = big_context(tmp, files);
    let mut daemon = Daemon::open(&state).expect("open");
    build(&mut daemon, dockerfile, &ctx);
    drop(daemon);
    let (chunks, longest) = chunk_rows(&state);
    assert!(chunks >= 2, "{chunks} chunks");
    // Inline, 2000 stamps would be some 300 KB.
    assert!(longest < 20_000, "a record row of {longest} bytes");
    fs::write(ctx.join(changed), "changed\n").expect("write");
    let mut daemon = Daemon::open(&state).expect("reopen");
    let report = build(&mut daemon, dockerfile, &ctx);
    assert!(
        names_the_changed_file(&report, changed),
        "{:?}",
        report.first_miss()
    );
    (state, daemon, chunks)
}

/// A COPY of a big context keeps its file list out of its record's row,
/// in chunks; a rebuild after one file changed stores about one chunk
/// more, a miss is still explained file by file by a process that read
/// the record back, and pruning the records removes their chunks.
#[test]
fn a_big_copy_keeps_its_file_list_in_chunks_shared_between_builds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (state, mut daemon, chunks) =
        chunked_then_explained(tmp.path(), COPY_ALL, 3000, "lib17/f1717.js");
    assert!(chunks >= 4, "3000 stamps in {chunks} chunks");
    let (after, _) = chunk_rows(&state);
    assert!(
        (chunks + 1..=chunks + 2).contains(&after),
        "{chunks} → {after}"
    );
    let pruned = daemon
        .engine_mut()
        .prune_build_cache(&layerlab::engine::gc::Prune {
            all: true,
            ..Default::default()
        });
    assert!(!pruned.ids.is_empty());
    daemon.save().expect("save");
    assert_eq!(chunk_rows(&state).0, 0, "every chunk went with its records");
}

/// A RUN's bind mount of the context stamps every file it shows, as a
/// COPY does: those stamps are kept in chunks too.
#[test]
fn a_bind_mounted_context_keeps_its_file_list_in_chunks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dockerfile = "FROM busybox\nRUN --mount=type=bind,target=/src ls /src\n";
    chunked_then_explained(tmp.path(), dockerfile, 2000, "lib7/f777.js");
}

/// A state written before file lists were kept in chunks (schema 2, the
/// list inline in the record's row) reads as it is, explains a miss from
/// it, and the next save writes the record in chunks.
#[test]
fn a_record_with_its_file_list_inline_is_read_and_written_again_in_chunks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (ctx, state) = big_context(tmp.path(), 1000);
    let mut daemon = Daemon::open(&state).expect("open");
    build(&mut daemon, COPY_ALL, &ctx);
    drop(daemon);
    // Made as the older layerlab wrote it.
    let db = rusqlite::Connection::open(state.join("engine.db")).expect("db");
    let mut rows: Vec<(String, String)> = db
        .prepare("SELECT key, value FROM buildkit_cache WHERE value LIKE '%file_chunks%'")
        .expect("select")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(rows.len(), 1, "the COPY's record");
    let (key, value) = rows.remove(0);
    let mut record: serde_json::Value = serde_json::from_str(&value).expect("json");
    let mut files = Vec::new();
    for chunk in record["file_chunks"].as_array().expect("chunks").clone() {
        let text: String = db
            .query_row(
                "SELECT value FROM stamp_chunks WHERE key = ?1",
                [chunk.as_str().expect("digest")],
                |r| r.get(0),
            )
            .expect("chunk");
        let stamps: Vec<serde_json::Value> = serde_json::from_str(&text).expect("stamps");
        files.extend(stamps);
    }
    assert_eq!(files.len(), 1000 + 10, "every file and directory");
    record["key"]["op"]["files"] = serde_json::Value::Array(files);
    record
        .as_object_mut()
        .expect("object")
        .remove("file_chunks");
    db.execute(
        "UPDATE buildkit_cache SET value = ?1 WHERE key = ?2",
        [serde_json::to_string(&record).expect("json"), key],
    )
    .expect("update");
    db.execute_batch("DELETE FROM stamp_chunks; DROP TABLE stamp_chunks; PRAGMA user_version = 2")
        .expect("schema 2");
    drop(db);

    fs::write(ctx.join("lib3/f345.js"), "changed\n").expect("write");
    let mut daemon = Daemon::open(&state).expect("upgrade");
    let report = build(&mut daemon, COPY_ALL, &ctx);
    assert!(names_the_changed_file(&report, "lib3/f345.js"));
    drop(daemon);
    let db = rusqlite::Connection::open(state.join("engine.db")).expect("db");
    let inline: i64 = db
        .query_row(
            "SELECT count(*) FROM buildkit_cache WHERE length(value) > 20000",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(inline, 0, "the old record was written again in chunks");
}
