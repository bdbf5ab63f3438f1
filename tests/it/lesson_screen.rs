//! The lesson screen through the app's logic and the runtime's session,
//! without a terminal: a lesson opened as the menu opens it, its first step
//! done by keys or by its solution, the step marked done and the progress
//! saved and read back, a corrupt progress file kept aside with its
//! message, and the resets.

use layerlab::app::action::Action;
use layerlab::app::keymap::{Keymap, Scope};
use layerlab::app::{Event, Key};
use layerlab::engine::builder::BuilderKind;
use layerlab::engine::daemon::Daemon;
use layerlab::lesson::embedded;
use layerlab::lesson::progress::{self, Progress, Trouble};
use layerlab::messages::Lang;
use layerlab::runtime::lesson::{lesson_root, open, reset_lesson, reset_step, trouble_message};
use layerlab::runtime::Session;
use std::path::Path;

use crate::support::tui::press;

/// The lesson `id`'s screen over the state in `state`, started, as the
/// menu opens it with `progress`.
fn lesson(state: &Path, id: &str, progress: Progress) -> Session {
    // The menu makes the state directory a state first.
    drop(Daemon::open(state).unwrap());
    let lesson = embedded().into_iter().find(|l| l.id == id).unwrap();
    let mut s = open(state, lesson, progress, Lang::En, true)
        .unwrap()
        .session;
    s.start();
    s
}

fn type_line(s: &mut Session, line: &str) {
    for c in line.chars() {
        s.dispatch(Event::Key(Key::char(c)));
    }
    press(s, "enter");
}

fn done(s: &Session, step: usize) -> bool {
    s.model.lesson.as_ref().unwrap().is_done(step)
}

#[test]
fn the_first_step_of_every_shipped_lesson_is_done_by_its_solution_and_saved() {
    for l in embedded() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = lesson(dir.path(), &l.id, Progress::new());
        let screen = s.model.lesson.as_ref().unwrap();
        assert_eq!(screen.step, 0, "{}", l.id);
        assert!(
            screen.unmet.as_ref().is_some_and(|u| !u.is_empty()),
            "{}: the goal is checked at once and not met: {:?}",
            l.id,
            screen.unmet
        );
        // S asks, y shows; S over it asks, y applies.
        press(&mut s, "S");
        assert!(!s.model.lesson.as_ref().unwrap().solution, "{}", l.id);
        press(&mut s, "y");
        assert!(s.model.lesson.as_ref().unwrap().solution_open);
        press(&mut s, "S y");
        assert!(
            done(&s, 0),
            "{}: {:?}",
            l.id,
            s.model.lesson.as_ref().unwrap().unmet
        );
        assert_eq!(
            s.model.status.as_deref(),
            Some("Step 1 done! n goes on to the next step"),
            "{}",
            l.id
        );
        let (saved, trouble) = progress::load(dir.path());
        assert_eq!(trouble, None);
        assert!(saved.lesson(&l.id).done.contains(&0), "{}: {saved:?}", l.id);
        assert_eq!(saved.current.as_deref(), Some(l.id.as_str()));
    }
}

#[test]
fn a_step_done_by_keys_is_kept_and_the_lesson_reopens_where_it_was_left() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = lesson(dir.path(), "01-first-image", Progress::new());
    // Hints come one at a time, and stop at the last.
    press(&mut s, "h");
    assert_eq!(s.model.lesson.as_ref().unwrap().hints, 1);
    press(&mut s, "h h");
    assert_eq!(s.model.lesson.as_ref().unwrap().hints, 2);
    assert_eq!(
        s.model.status.as_deref(),
        Some("No more hints: S shows the solution")
    );
    // n on a step not done asks; any other key stays.
    press(&mut s, "n x");
    assert_eq!(s.model.lesson.as_ref().unwrap().step, 0);
    assert_eq!(s.model.status.as_deref(), Some("Cancelled"));

    type_line(&mut s, ":docker image pull diamol/node");
    assert!(done(&s, 0));
    press(&mut s, "n");
    let screen = s.model.lesson.as_ref().unwrap();
    assert_eq!((screen.step, screen.hints), (1, 0));
    assert!(!done(&s, 1));
    drop(s);

    let (saved, trouble) = progress::load(dir.path());
    assert_eq!(trouble, None);
    let p = saved.lesson("01-first-image");
    assert_eq!(
        (p.step, p.done.iter().copied().collect::<Vec<_>>()),
        (1, vec![0])
    );

    let s = lesson(dir.path(), "01-first-image", saved);
    let screen = s.model.lesson.as_ref().unwrap();
    assert_eq!(screen.step, 1, "resumed where it was left");
    assert!(screen.is_done(0));
    assert!(
        s.host.daemon.engine.image("diamol/node").is_some(),
        "the lesson's engine keeps what was pulled"
    );
    let work = lesson_root(dir.path(), "01-first-image").join("work");
    assert!(work.join("app.js").is_file());
}

#[test]
fn the_goal_picture_shows_the_best_known_cache_pattern_beside_the_learners() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = lesson(dir.path(), "02-build-cache", Progress::new());
    press(&mut s, "S y S y");
    assert!(done(&s, 0));
    press(&mut s, "n");
    let screen = s.model.lesson.as_ref().unwrap();
    let best = screen.best.as_ref().expect("a best known picture");
    assert_eq!(best.rebuilt, 1, "{best:?}");
    let yours = screen.yours.as_ref().expect("the learner's picture");
    assert!(yours.rebuilt > best.rebuilt, "{yours:?}");
    press(&mut s, "S y S y");
    let screen = s.model.lesson.as_ref().unwrap();
    assert!(screen.is_done(1), "{:?}", screen.unmet);
    assert_eq!(screen.yours.as_ref().map(|p| p.rebuilt), Some(1));
}

/// A step whose goal names a builder previews under it from the start, and
/// the next step under its own (02: classic for the lecture's reorder, then
/// BuildKit for its last step).
#[test]
fn a_step_about_one_builder_previews_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = lesson(dir.path(), "02-build-cache", Progress::new());
    assert_eq!(s.model.builder, BuilderKind::Classic);
    for _ in 0..3 {
        press(&mut s, "S y S y n");
    }
    let screen = s.model.lesson.as_ref().unwrap();
    assert_eq!(screen.step, 3, "{:?}", screen.unmet);
    assert_eq!(s.model.builder, BuilderKind::Buildkit);
}

#[test]
fn a_corrupt_progress_file_is_kept_aside_with_a_message_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    drop(Daemon::open(dir.path()).unwrap());
    std::fs::write(dir.path().join("progress.json"), "{ not json").unwrap();
    let (p, trouble) = progress::load(dir.path());
    assert_eq!(p, Progress::new());
    let kept = dir.path().join("progress.json.corrupt");
    assert_eq!(trouble, Some(Trouble::Corrupt { kept: kept.clone() }));
    let words = trouble_message(trouble.as_ref().unwrap()).render(Lang::Ko);
    assert!(
        words.contains("진행 상황 파일을 읽을 수 없어")
            && words.contains(&kept.display().to_string()),
        "{words}"
    );

    // The lesson goes on and saves afresh; what was kept aside stays.
    let mut s = lesson(dir.path(), "01-first-image", p);
    press(&mut s, "S y S y");
    assert!(done(&s, 0));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "{ not json");
    let (p, trouble) = progress::load(dir.path());
    assert_eq!(trouble, None);
    assert!(p.lesson("01-first-image").done.contains(&0));
}

#[test]
fn a_step_reset_puts_its_files_back_and_a_lesson_reset_starts_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = lesson(dir.path(), "01-first-image", Progress::new());
    press(&mut s, "S y S y n");
    drop(s);
    let work = lesson_root(dir.path(), "01-first-image").join("work");
    let began = std::fs::read_to_string(work.join("Dockerfile")).unwrap();
    std::fs::write(work.join("Dockerfile"), "FROM nothing\n").unwrap();
    std::fs::write(work.join("mine.txt"), "x").unwrap();

    let lesson01 = embedded().into_iter().next().unwrap();
    let (mut p, _) = progress::load(dir.path());
    p.lesson_mut("01-first-image").done.insert(1);
    reset_step(dir.path(), &mut p, &lesson01).unwrap();
    assert_eq!(
        std::fs::read_to_string(work.join("Dockerfile")).unwrap(),
        began
    );
    assert!(!work.join("mine.txt").exists());
    let l = p.lesson("01-first-image");
    assert_eq!(
        (l.step, l.done.contains(&0), l.done.contains(&1)),
        (1, true, false)
    );

    reset_lesson(dir.path(), &mut p, "01-first-image").unwrap();
    assert!(!lesson_root(dir.path(), "01-first-image").exists());
    let s = lesson(dir.path(), "01-first-image", p);
    let screen = s.model.lesson.as_ref().unwrap();
    assert_eq!(screen.step, 0);
    assert!(!screen.is_done(0));
    assert!(s.host.daemon.engine.image("diamol/node").is_none());
}

#[test]
fn l_switches_the_language_and_the_lesson_keys_clash_with_no_pane_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = lesson(dir.path(), "01-first-image", Progress::new());
    press(&mut s, "L");
    assert_eq!(s.model.lang, Lang::Ko);
    assert_eq!(s.model.status.as_deref(), Some("언어: 한국어"));
    assert_eq!(s.host.lang, Lang::Ko, "command output speaks it too");
    press(&mut s, "M");
    assert!(s.to_menu && s.model.quit);

    let map = Keymap::default_map();
    for (key, action) in [
        ('h', Action::LessonHint),
        ('S', Action::LessonSolution),
        ('n', Action::LessonNext),
        ('M', Action::LessonMenu),
        ('L', Action::ToggleLang),
    ] {
        for scope in [
            Scope::Dockerfile,
            Scope::Layers,
            Scope::Context,
            Scope::Global,
        ] {
            assert_eq!(
                map.lookup(scope, Key::char(key)),
                Some(action),
                "{key} in {scope:?}"
            );
        }
    }
}
