//! `layerlab lesson list|check|new` through the binary: the shipped lessons
//! pass `check`, broken ones fail with file:line, and a scaffold passes as
//! written.

use crate::support::binary::layerlab;
use std::path::Path;

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = layerlab()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("layerlab runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn the_shipped_lessons_pass_check() {
    let (code, out, err) = run(&["lesson", "check", "lessons"], Path::new(ROOT));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok  01-first-image"), "{out}");
    assert!(
        out.ends_with("lessons checked, every step solvable\n"),
        "{out}"
    );
}

#[test]
fn broken_lessons_fail_check_at_file_and_line() {
    let (code, _, err) = run(
        &["lesson", "check", "tests/fixtures/lessons"],
        Path::new(ROOT),
    );
    assert_eq!(code, 1, "{err}");
    for want in [
        "tests/fixtures/lessons/syntax/lesson.toml:6:",
        "tests/fixtures/lessons/no-english/lesson.toml:7:8: missing field `en`",
        "tests/fixtures/lessons/unsolvable/lesson.toml:5: step 1: its solution does not reach its goal: there is no image goodbye.",
        "tests/fixtures/lessons/untrue-caption/lesson.toml:5: step 1: caption 1: it says 0 rebuilt, the build had 1",
        "tests/fixtures/lessons/captions-count/lesson.toml:5:1: step 1: captions, when given, are one per action of the solution",
        "5 of 5 lessons failed",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn list_names_the_embedded_lessons_in_the_learners_language() {
    let (code, out, _) = run(&["--lang", "ko", "lesson", "list"], Path::new(ROOT));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("01-first-image  첫 이미지 만들기  (4단계)\n"),
        "{out}"
    );
}

#[test]
fn a_new_lesson_passes_check_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, out, err) = run(&["lesson", "new", "04-mine"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("wrote 04-mine/lesson.toml"), "{out}");
    let (code, out, err) = run(&["lesson", "check", "04-mine"], dir.path());
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "ok  04-mine  (1 step)\n1 lessons checked, every step solvable\n"
        ),
        "{err}"
    );
    let (code, _, err) = run(&["lesson", "new", "04-mine"], dir.path());
    assert_eq!((code, err.as_str()), (1, "ERROR: 04-mine already exists\n"));
}
