//! The shipped lessons: each loads, every step speaks both languages, and
//! every step's solution, played through the lesson engine on a fresh
//! engine, reaches its goal.

use layerlab::lesson::goal::Goal;
use layerlab::lesson::play::Playground;
use layerlab::lesson::{embedded, Text};

fn both(t: &Text, what: &str) {
    assert!(
        !t.ko.trim().is_empty() && !t.en.trim().is_empty(),
        "{what} lacks a language: {t:?}"
    );
    assert!(
        t.ko.chars().any(|c| ('가'..='힣').contains(&c)),
        "{what}: its ko text is not Korean: {:?}",
        t.ko
    );
}

#[test]
fn every_shipped_lesson_is_solvable_and_bilingual() {
    let lessons = embedded();
    assert!(lessons.len() >= 4, "{} lessons shipped", lessons.len());
    for lesson in &lessons {
        both(&lesson.title, &lesson.id);
        both(&lesson.summary, &lesson.id);
        for (i, step) in lesson.steps.iter().enumerate() {
            let at = format!("{} step {}", lesson.id, i + 1);
            both(&step.title, &at);
            both(&step.text, &at);
            for h in &step.hints {
                both(h, &at);
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut play = Playground::new(dir.path().join("work"));
        if let Err((step, line, why)) = play.prove(lesson) {
            panic!("{} step {step} (line {line}): {why}", lesson.id);
        }
    }
}

#[test]
fn a_goal_is_not_met_before_its_solution() {
    let lesson = &embedded()[0];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut play = Playground::new(dir.path().join("work"));
    let step = &lesson.steps[0];
    play.start(step.start.as_ref().expect("first step starts"))
        .expect("start");
    assert!(
        !play.check(&step.goal).is_empty(),
        "goal met with nothing done"
    );
    for action in &step.solution {
        play.apply(action).expect("solution applies");
    }
    assert_eq!(play.check(&step.goal), Vec::new());
}

#[test]
fn the_cache_goal_tells_the_two_orders_apart() {
    let lesson = embedded()
        .into_iter()
        .find(|l| l.id == "02-build-cache")
        .expect("cache lesson");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut play = Playground::new(dir.path().join("work"));
    play.start(lesson.steps[0].start.as_ref().expect("start"))
        .expect("start");
    play.apply(&layerlab::lesson::Action::Run(
        "DOCKER_BUILDKIT=0 docker image build -t web-ping .".into(),
    ))
    .expect("build");
    // COPY then CMD: a change to app.js costs both under the classic builder.
    let goal: &Goal = &lesson.steps[1].goal;
    let unmet = play.check(goal);
    assert_eq!(unmet.len(), 1, "{unmet:?}");
    assert!(unmet[0]
        .message(layerlab::messages::Lang::En)
        .contains("rebuilds 2 steps"));
}

#[test]
fn every_lesson_folder_is_embedded_as_written() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
    let loaded = layerlab::lesson::load_dir(std::path::Path::new(root));
    assert_eq!(loaded.errors, Vec::new());
    let on_disk: Vec<_> = loaded.lessons.into_iter().map(|(_, l)| l).collect();
    assert_eq!(on_disk, embedded(), "lessons/ and the embedded list differ");
}

#[test]
fn the_image_goals_see_wasted_bytes_and_left_files() {
    let lesson = embedded()
        .into_iter()
        .find(|l| l.id == "04-smaller-images")
        .expect("smaller-images lesson");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut play = Playground::new(dir.path().join("work"));
    // Each start, built as it is, misses its goal for the reason the step teaches.
    for (step, tag, want) in [
        (1, "count", "B wasted"),
        (2, "count-multi", "still holds /numbers.txt"),
    ] {
        let step = &lesson.steps[step];
        play.start(step.start.as_ref().expect("start"))
            .expect("start");
        play.apply(&layerlab::lesson::Action::Run(format!(
            "docker image build -t {tag} ."
        )))
        .expect("build");
        let words: Vec<String> = play
            .check(&step.goal)
            .iter()
            .map(|u| u.message(layerlab::messages::Lang::En))
            .collect();
        assert!(words.iter().any(|w| w.contains(want)), "{words:?}");
    }
}
