//! End to end in a real terminal (tmux): `layerlab` with a fresh state
//! directory opens the lesson menu; the first lesson opens from it, its
//! first step is done with keys and marked done; after quitting, a new
//! `layerlab` finds the progress kept. The same over a corrupt progress
//! file, which is kept aside with a message.

use crate::support::tmux::{assert_restored, exited, tmux_available, Session};
use std::path::Path;

/// Seconds a screen may take to show what is waited for: a lesson opens
/// with a preview of its base image and plays its best known apart.
const LONG: u64 = 90;

fn start(name: &str, state: &Path, lang: &str) -> Session {
    let cmd = format!(
        "bash -c \"env LANG=C.UTF-8 TERM=xterm-256color {} --state '{}' --lang {lang}; echo EXIT=\\$?; sleep 60\"",
        env!("CARGO_BIN_EXE_layerlab"),
        state.display(),
    );
    Session::start(name, (100, 30), &cmd)
}

/// The menu, the first lesson opened with Enter, its first step done by
/// typing the command, then quit.
fn do_the_first_step(s: &Session) {
    s.wait_up_to(LONG, "the lesson menu", |sc| {
        sc.contains("layerlab · lessons") && sc.contains("Your first image")
    });
    s.keys(&["Enter"]);
    s.wait_up_to(LONG, "the first step", |sc| {
        sc.contains("step 1 of 4: Pull a base image") && sc.contains("Goal: ✗")
    });
    s.keys(&[":"]);
    s.type_text("docker image pull diamol/node");
    s.keys(&["Enter"]);
    s.wait_up_to(LONG, "the step marked done", |sc| {
        sc.contains("Goal: ✓ reached") && sc.contains("✓ done") && sc.contains("Step 1 done!")
    });
    s.keys(&["q"]);
    assert_eq!(exited(s, LONG), Some(0), "{}", s.screen());
    assert_restored(s);
}

/// A second `layerlab` on the same state: the menu says the first lesson
/// is under way with one step done, and Enter resumes it with the step
/// marked done.
fn find_the_progress_kept(name: &str, state: &Path) {
    let s = start(name, state, "en");
    s.wait_up_to(LONG, "the progress in the menu", |sc| {
        sc.lines()
            .any(|l| l.contains("Your first image") && l.contains("step 1 of 4 · 1 done"))
    });
    s.keys(&["Enter"]);
    s.wait_up_to(LONG, "the step still done", |sc| {
        sc.contains("step 1 of 4: Pull a base image") && sc.contains("✓ done")
    });
    s.keys(&["q"]);
    assert_eq!(exited(&s, LONG), Some(0), "{}", s.screen());
}

fn tmux_or_say_why() -> bool {
    if tmux_available() {
        return true;
    }
    eprintln!("\n!!!!!!!!!! tmux is not installed: the lesson end-to-end test cannot run (apt-get install -y tmux) !!!!!!!!!!\n");
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is required under CI"
    );
    false
}

#[test]
fn the_first_lesson_from_the_menu_with_keys_and_its_progress_kept() {
    if !tmux_or_say_why() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let id = std::process::id();
    do_the_first_step(&start(&format!("lessons-e2e-a-{id}"), &state, "en"));
    find_the_progress_kept(&format!("lessons-e2e-b-{id}"), &state);
}

#[test]
fn a_corrupt_progress_file_is_kept_aside_and_the_lesson_goes_on() {
    if !tmux_or_say_why() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    // A state whose progress file is broken.
    crate::support::binary::layerlab()
        .arg("--state")
        .arg(&state)
        .args(["docker", "images"])
        .output()
        .expect("layerlab runs");
    std::fs::write(
        state.join("progress.json"),
        "{\"format_version\": 1, \"lessons\": [",
    )
    .unwrap();
    let id = std::process::id();
    let s = start(&format!("lessons-e2e-c-{id}"), &state, "ko");
    s.wait_up_to(LONG, "the message in Korean", |sc| {
        sc.contains("진행 상황 파일을 읽을 수 없어") && sc.contains("레슨")
    });
    s.keys(&["L"]);
    do_the_first_step(&s);
    drop(s);
    assert_eq!(
        std::fs::read_to_string(state.join("progress.json.corrupt")).unwrap(),
        "{\"format_version\": 1, \"lessons\": ["
    );
    find_the_progress_kept(&format!("lessons-e2e-d-{id}"), &state);
}
