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

/// A playground's state as the demo test compares it: the engine as JSON
/// (every image, tag, cache record and container) and the folder's files.
fn state(play: &Playground) -> (serde_json::Value, Vec<(String, Vec<u8>)>) {
    let saved = play.save().expect("save");
    let engine = serde_json::to_value(&saved.engine).expect("engine as JSON");
    (engine, saved.files.into_iter().collect())
}

/// The lecture's points, each played by a shipped demo with a caption for
/// every action; where the point is the cache, its captions make claims,
/// checked as it plays.
const DEMO_POINTS: &[(&str, &str, bool)] = &[
    (
        "02-build-cache",
        "reordering for the cache, merging ENV, BuildKit against classic",
        true,
    ),
    ("03-layers", "building an image by hand with commit", false),
    ("04-smaller-images", ".dockerignore", true),
    (
        "05-dependencies",
        "dependency manifests before sources",
        true,
    ),
];

#[test]
fn every_demo_plays_forward_and_back_to_the_states_its_solutions_reach() {
    use layerlab::lesson::demo::Demo;
    use layerlab::messages::Lang;
    for lesson in embedded() {
        let at = |i: usize| format!("{} action {i}", lesson.id);
        let dir = tempfile::tempdir().expect("temp dir");
        let mut demo = Demo::new(lesson.clone(), dir.path().join("demo"), Lang::Ko)
            .unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
        // Forward: every action plays, its caption is in both languages,
        // and each step's goal holds once its last action has played.
        let mut states = vec![state(demo.playground())];
        while let Some(cue) = demo
            .forward()
            .unwrap_or_else(|e| panic!("{}: {e}", at(demo.played())))
        {
            assert!(
                !demo.caption(cue, Lang::Ko).is_empty() && !demo.caption(cue, Lang::En).is_empty()
            );
            let step = &lesson.steps[cue.step];
            if cue.action + 1 == step.solution.len() {
                // The next step's start may be laid out already: its goal
                // is checked on a playground of this step alone instead.
                let next_starts = lesson
                    .steps
                    .get(cue.step + 1)
                    .is_some_and(|s| s.start.is_some());
                if !next_starts {
                    let unmet = demo.playground().check(&step.goal);
                    assert!(
                        unmet.is_empty(),
                        "{}: goal of step {} unmet: {unmet:?}",
                        lesson.id,
                        cue.step + 1
                    );
                }
            }
            states.push(state(demo.playground()));
        }
        assert_eq!(demo.played(), demo.len());
        // Back, one action at a time: each state is the one it was.
        for i in (0..demo.len()).rev() {
            assert!(demo.back().expect("back"), "{}", at(i));
            assert!(
                state(demo.playground()) == states[i],
                "{}: back is not an exact undo",
                at(i)
            );
        }
        assert!(!demo.back().expect("back at the start"));
        // A jump to each step lands where playing forward did.
        for (s, _) in lesson.steps.iter().enumerate().rev() {
            demo.jump(s).expect("jump");
            assert_eq!(demo.step(), s, "{} jump to step {s}", lesson.id);
            let (engine, files) = state(demo.playground());
            let (want_engine, want_files) = &states[demo.played()];
            assert_eq!(&files, want_files, "{} jump to step {s}: files", lesson.id);
            assert_eq!(
                &engine, want_engine,
                "{} jump to step {s}: engine",
                lesson.id
            );
        }
    }
    for (id, point, claims) in DEMO_POINTS {
        let lesson = embedded().into_iter().find(|l| l.id == *id).expect(id);
        let step = lesson.steps.iter().find(|s| !s.captions.is_empty());
        assert!(step.is_some(), "no captions in the demo of {point} ({id})");
        let claimed = lesson
            .steps
            .iter()
            .flat_map(|s| &s.captions)
            .any(|c| c.claims());
        assert!(
            claimed || !claims,
            "the demo of {point} ({id}) claims nothing it checks"
        );
    }
}
