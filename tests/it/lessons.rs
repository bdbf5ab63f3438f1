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

/// Every shipped demo, played through the present screen's logic (keys
/// into a `DemoSession`, as `layerlab present LESSON` gets them): → and
/// space play the next action, ← takes it back, a digit jumps to a step.
/// Each state on the way is the one the lesson's solutions reach when
/// played on their own, back is an exact undo, and the card says where
/// the demo is and what its action said (captions' claims are checked as
/// they play: a false one stops the demo with an error on the card).
#[test]
fn every_demo_plays_forward_and_back_to_the_states_its_solutions_reach() {
    use layerlab::app::present::ThemeName;
    use layerlab::app::Key;
    use layerlab::lesson::Action;
    use layerlab::messages::Lang;
    use layerlab::runtime::present::DemoSession;
    for lesson in embedded() {
        let at = |i: usize| format!("{} action {i}", lesson.id);
        let dir = tempfile::tempdir().expect("temp dir");
        // The states the solutions reach, played on a playground of their
        // own: after each action (and the next step's start, which the
        // demo lays out with the last action of a step).
        let mut own = Playground::new(dir.path().join("own"));
        let mut reached = Vec::new();
        for (i, step) in lesson.steps.iter().enumerate() {
            if let Some(start) = &step.start {
                own.start(start).expect("start");
            }
            if i == 0 {
                reached.push(state(&own));
            }
            for (j, action) in step.solution.iter().enumerate() {
                own.apply(action)
                    .unwrap_or_else(|e| panic!("{}: {e}", at(j)));
                let next_start = lesson.steps.get(i + 1).and_then(|s| s.start.as_ref());
                if j + 1 == step.solution.len() {
                    // The goal of this step holds before the next step's
                    // files replace its own.
                    let unmet = own.check(&step.goal);
                    assert!(
                        unmet.is_empty(),
                        "{}: goal of step {} unmet: {unmet:?}",
                        lesson.id,
                        i + 1
                    );
                    if let Some(start) = next_start {
                        own.start(start).expect("start");
                    }
                }
                reached.push(state(&own));
            }
        }
        let mut s = DemoSession::new(
            lesson.clone(),
            dir.path().join("demo"),
            Lang::Ko,
            ThemeName::Dark,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
        let n = s.demo.len();
        assert_eq!(reached.len(), n + 1, "{}", lesson.id);
        assert!(
            state(s.demo.playground()) == reached[0],
            "{}: the start",
            lesson.id
        );
        // Forward, by → and space in turn.
        for i in 0..n {
            let key = if i % 2 == 0 { "right" } else { "space" };
            s.key(key.parse::<Key>().expect("key"));
            let card = s.model.demo.clone().expect("a demo card");
            assert_eq!(card.error, None, "{}", at(i));
            assert_eq!((card.played, card.actions), (i + 1, n), "{}", at(i));
            let cue = s.demo.last().expect("an action played");
            assert_eq!(card.step, cue.step, "{}", at(i));
            // The card says the caption of the action just played, in
            // the screen's language, even the last of a step.
            assert!(!card.next, "{}", at(i));
            assert_eq!(card.caption, s.demo.caption(cue, Lang::Ko), "{}", at(i));
            if let Action::Run(line) = s.demo.action(cue) {
                assert_eq!(card.action, format!("$ {line}"), "{}", at(i));
            }
            assert!(!s.demo.caption(cue, Lang::En).is_empty(), "{}", at(i));
            assert!(
                state(s.demo.playground()) == reached[i + 1],
                "{}: not the state its solution reaches",
                at(i)
            );
        }
        // At the end, → plays nothing.
        s.key("right".parse::<Key>().expect("key"));
        assert_eq!(s.demo.played(), n);
        // Back, one action at a time: each state is the one it was.
        for i in (0..n).rev() {
            s.key("left".parse::<Key>().expect("key"));
            assert_eq!(s.demo.played(), i, "{}", at(i));
            assert!(
                state(s.demo.playground()) == reached[i],
                "{}: back is not an exact undo",
                at(i)
            );
        }
        s.key("left".parse::<Key>().expect("key"));
        assert_eq!(s.demo.played(), 0, "back at the start stays there");
        // A digit jumps to the start of its step, where playing forward
        // got to.
        for (k, _) in lesson
            .steps
            .iter()
            .enumerate()
            .rev()
            .filter(|(k, _)| *k < 9)
        {
            s.key(Key::char(char::from(b'1' + k as u8)));
            let card = s.model.demo.clone().expect("a demo card");
            assert_eq!(
                (s.demo.step(), card.step),
                (k, k),
                "{} jump to step {}",
                lesson.id,
                k + 1
            );
            assert!(
                state(s.demo.playground()) == reached[s.demo.played()],
                "{} jump to step {}",
                lesson.id,
                k + 1
            );
        }
        // A digit past the last step moves nothing.
        let before = s.demo.played();
        s.key(Key::char('9'));
        if lesson.steps.len() < 9 {
            assert_eq!(s.demo.played(), before);
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
