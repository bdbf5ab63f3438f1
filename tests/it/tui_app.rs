//! (state, keys, expected state): the app's logic without a terminal, and
//! the same keys driven through a session over a real engine.

use layerlab::app::effect::{ContextOp, Effect};
use layerlab::app::i18n::Lang;
use layerlab::app::model::{ContextRow, Focus, Mode, Model, Shown, Simulated};
use layerlab::app::{update, Event, Key};
use layerlab::engine::builder::BuilderKind;
use layerlab::engine::report::{MissReason, Verdict};
use layerlab::runtime::Session;

use crate::support::files::disk_state;
use crate::support::tui::{self, press as press_session};

/// Press space-separated keys (`j`, `K`, `alt+up`, `ctrl+r`, `enter`);
/// returns every effect asked for.
fn press(model: &mut Model, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        let key: Key = k.parse().expect("a key");
        out.extend(update(model, Event::Key(key)));
    }
    out
}

fn type_text(model: &mut Model, text: &str) {
    for c in text.chars() {
        update(model, Event::Key(Key::char(c)));
    }
}

const DF: &str = "FROM alpine\nRUN sleep 5\nCOPY app.js /app/\nCMD [\"node\"]\n";

fn model() -> Model {
    Model::new("t/Dockerfile", DF, Lang::En)
}

#[test]
fn selection_moves_with_arrows_and_vim_keys_and_stops_at_the_ends() {
    let mut m = model();
    assert_eq!(m.selected, 0, "the first instruction is selected at start");
    press(&mut m, "down j");
    assert_eq!(m.selected, 2);
    press(&mut m, "j j j");
    assert_eq!(m.selected, 3);
    press(&mut m, "up k k k k");
    assert_eq!(m.selected, 0);
}

#[test]
fn reorder_with_shift_and_alt_keys_previews() {
    let mut m = model();
    press(&mut m, "j j");
    let fx = press(&mut m, "K");
    assert_eq!(
        m.doc.text(),
        "FROM alpine\nCOPY app.js /app/\nRUN sleep 5\nCMD [\"node\"]\n"
    );
    assert_eq!(m.selected, 1, "the selection follows the moved instruction");
    assert!(
        matches!(&fx[..], [Effect::Preview { compiled, .. }] if compiled.source() == m.doc.text())
    );
    press(&mut m, "alt+down");
    assert_eq!(m.doc.text(), DF);
    press(&mut m, "J");
    assert_eq!(
        m.doc.text(),
        "FROM alpine\nRUN sleep 5\nCMD [\"node\"]\nCOPY app.js /app/\n"
    );
    press(&mut m, "alt+up");
    assert_eq!(m.doc.text(), DF);
    // At the top, nothing moves and nothing rebuilds.
    press(&mut m, "k k k");
    assert!(press(&mut m, "K").is_empty());
}

#[test]
fn moving_keeps_blank_lines_and_comments_in_place() {
    let mut m = Model::new(
        "t",
        "FROM a\n\n# build\nRUN x \\\n  y\nCOPY . .\n",
        Lang::En,
    );
    press(&mut m, "j j K");
    assert_eq!(m.doc.text(), "FROM a\n\n# build\nCOPY . .\nRUN x \\\n  y\n");
}

#[test]
fn edit_insert_delete_duplicate_and_undo_redo_over_all_of_it() {
    let mut m = model();
    press(&mut m, "j e");
    assert!(matches!(m.mode, Mode::Edit { .. }));
    press(&mut m, "backspace");
    type_text(&mut m, "3");
    let fx = press(&mut m, "esc");
    assert_eq!(m.doc.lines[1], "RUN sleep 3");
    assert_eq!(fx.len(), 1, "a kept edit previews");
    press(&mut m, "a");
    type_text(&mut m, "ENV A=1");
    press(&mut m, "ctrl+s");
    assert_eq!(m.doc.lines[2], "ENV A=1");
    assert_eq!(m.selected, 2);
    press(&mut m, "y");
    assert_eq!(m.doc.lines[3], "ENV A=1");
    press(&mut m, "x");
    assert_eq!(m.doc.lines.len(), 5);
    assert!(m.doc.is_dirty());
    press(&mut m, "u u u u");
    assert_eq!(m.doc.text(), DF, "undo walks back to the start");
    assert!(!m.doc.is_dirty());
    press(&mut m, "u");
    assert_eq!(m.status.as_deref(), Some("Nothing to undo"));
    press(&mut m, "ctrl+r ctrl+r");
    assert_eq!(m.doc.lines[2], "ENV A=1");
    assert_eq!(m.doc.lines[1], "RUN sleep 3");
    // A new change after undo drops the redo branch.
    press(&mut m, "u x ctrl+r");
    assert_eq!(m.status.as_deref(), Some("Nothing to redo"));
}

#[test]
fn ctrl_q_cancels_an_edit_and_a_parse_error_keeps_the_text_without_building() {
    let mut m = model();
    press(&mut m, "e");
    type_text(&mut m, "zzz");
    press(&mut m, "ctrl+q");
    assert_eq!(m.doc.text(), DF);
    assert!(m.undo.is_empty(), "a cancelled edit leaves no undo step");
    press(&mut m, "a");
    type_text(&mut m, "COPY");
    let fx = press(&mut m, "esc");
    assert!(fx.is_empty(), "no build of a broken file");
    assert_eq!(m.doc.lines[1], "COPY");
    let p = m.outline.problem.as_ref().expect("an error at its line");
    assert_eq!(p.line, 1);
    // Fixing it rebuilds.
    let fx = press(&mut m, "u");
    assert_eq!(fx.len(), 1);
    assert!(m.outline.problem.is_none());
}

#[test]
fn builder_toggle_previews_under_the_other_rules() {
    let mut m = model();
    let fx = press(&mut m, "b");
    assert_eq!(m.builder, BuilderKind::Classic);
    assert!(matches!(
        &fx[..],
        [Effect::Preview {
            builder: BuilderKind::Classic,
            ..
        }]
    ));
    press(&mut m, "b");
    assert_eq!(m.builder, BuilderKind::Buildkit);
}

#[test]
fn context_pane_simulates_changes_through_effects() {
    let mut m = model();
    update(
        &mut m,
        Event::ContextLoaded(vec![
            ContextRow {
                path: "Dockerfile".into(),
                dir: false,
                size: 1,
                mode: 0o644,
                excluded: false,
                simulated: None,
            },
            ContextRow {
                path: "app.js".into(),
                dir: false,
                size: 1,
                mode: 0o644,
                excluded: false,
                simulated: None,
            },
        ]),
    );
    press(&mut m, "c");
    assert_eq!(m.focus, Focus::Context);
    let fx = press(&mut m, "j e");
    assert_eq!(fx, vec![Effect::Context(ContextOp::Edit("app.js".into()))]);
    assert_eq!(
        press(&mut m, "t"),
        vec![Effect::Context(ContextOp::Touch("app.js".into()))]
    );
    assert_eq!(
        press(&mut m, "m"),
        vec![Effect::Context(ContextOp::Chmod("app.js".into()))]
    );
    // Only simulated, so nothing to confirm.
    assert_eq!(
        press(&mut m, "x"),
        vec![Effect::Context(ContextOp::Delete("app.js".into()))]
    );
    assert_eq!(m.mode, Mode::Normal);
    assert!(press(&mut m, "r").is_empty(), "nothing simulated yet");
    assert_eq!(m.status.as_deref(), Some("No simulated changes to reset"));
    let mut rows = m.context.rows.clone();
    rows[1].simulated = Some(Simulated::Changed);
    update(&mut m, Event::ContextLoaded(rows));
    assert_eq!(press(&mut m, "r"), vec![Effect::ResetContext]);
    press(&mut m, "a");
    type_text(&mut m, "b.txt");
    assert_eq!(
        press(&mut m, "enter"),
        vec![Effect::Context(ContextOp::Add("b.txt".into()))]
    );
    press(&mut m, "esc");
    assert_eq!(m.focus, Focus::Dockerfile);
}

#[test]
fn quitting_asks_when_there_are_unsaved_edits() {
    let mut m = model();
    assert_eq!(press(&mut m, "q"), vec![Effect::Quit]);
    let mut m = model();
    press(&mut m, "j K");
    assert!(press(&mut m, "q").is_empty());
    assert_eq!(m.mode, Mode::ConfirmQuit);
    press(&mut m, "n");
    assert!(!m.quit);
    press(&mut m, "ctrl+c");
    assert_eq!(m.mode, Mode::ConfirmQuit);
    let fx = press(&mut m, "s");
    assert!(matches!(
        &fx[..],
        [Effect::Save {
            quit_after: true,
            ..
        }]
    ));
    press(&mut m, "q y");
    assert!(m.quit);
}

#[test]
fn command_bar_completes_remembers_and_runs() {
    let mut m = model();
    press(&mut m, ":");
    type_text(&mut m, "docker image hi");
    press(&mut m, "tab");
    match &m.mode {
        Mode::Command { input, .. } => assert_eq!(input.text, "docker image history "),
        other => panic!("{other:?}"),
    }
    type_text(&mut m, "web");
    assert_eq!(
        press(&mut m, "enter"),
        vec![Effect::RunCommand("docker image history web".into())]
    );
    // `d` starts typing `docker …` straight away.
    press(&mut m, "d");
    type_text(&mut m, "ocker images");
    assert_eq!(
        press(&mut m, "enter"),
        vec![Effect::RunCommand("docker images".into())]
    );
    press(&mut m, ": up up");
    match &m.mode {
        Mode::Command { input, .. } => assert_eq!(input.text, "docker image history web"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn help_opens_and_closes() {
    let mut m = model();
    press(&mut m, "?");
    assert_eq!(m.mode, Mode::Help);
    press(&mut m, "?");
    assert_eq!(m.mode, Mode::Normal);
}

/// A session over a real engine on a temporary state and context.
fn session(dockerfile: &str, files: &[(&str, &str)]) -> (Session, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
    for (n, t) in files {
        std::fs::write(ctx.join(n), t).unwrap();
    }
    let mut s = tui::open(dir.path(), ctx, "ctx/Dockerfile", Lang::En);
    s.start();
    (s, dir)
}

fn verdict_of(s: &Session, keyword: &str) -> Verdict {
    let view = s.view().expect("a build");
    view.steps()
        .iter()
        .find(|st| st.keyword == keyword)
        .map(|st| st.verdict.clone())
        .expect("the step")
}

#[test]
fn moving_the_copy_above_the_slow_run_and_changing_the_source_rebuilds_the_run() {
    let df = "FROM alpine\nRUN sleep 5\nCOPY app.js /app/\n";
    let (mut s, _dir) = session(df, &[("app.js", "console.log(1)\n")]);
    assert!(
        s.view().unwrap().report.is_some(),
        "first build: {:?}",
        s.view()
    );
    // Build it, and preview it against that build: everything is cached.
    press_session(&mut s, "f5 b b");
    assert!(verdict_of(&s, "RUN").cached());
    press_session(&mut s, "j j K");
    assert!(!verdict_of(&s, "COPY").cached());
    // Build the new order, then change the source from the context pane:
    // the preview explains against that build.
    press_session(&mut s, "f5");
    let app = s
        .model
        .context
        .rows
        .iter()
        .position(|r| r.path == "app.js")
        .unwrap();
    s.dispatch(Event::SelectContext(app));
    press_session(&mut s, "e");
    match verdict_of(&s, "COPY") {
        Verdict::Miss {
            why: MissReason::FilesChanged { .. },
        } => {}
        other => panic!("COPY: {other:?}"),
    }
    assert!(matches!(
        verdict_of(&s, "RUN"),
        Verdict::Miss {
            why: MissReason::ParentRebuilt { .. }
        }
    ));
    // Move it back below the RUN: the RUN is cached again.
    press_session(&mut s, "esc J");
    assert!(
        verdict_of(&s, "RUN").cached(),
        "{:?}",
        verdict_of(&s, "RUN")
    );
}

#[test]
fn a_watcher_echo_of_our_own_change_does_not_rebuild() {
    let (mut s, _dir) = session("FROM alpine\nCOPY a.txt /\n", &[("a.txt", "1")]);
    press_session(&mut s, "f5");
    let shown = s.view().unwrap().shown;
    assert_eq!(shown, Shown::Build { number: 1 });
    s.files_changed(&layerlab::runtime::watcher::Changed::everything());
    assert_eq!(s.view().unwrap().shown, shown, "the build stays on screen");
}

#[test]
fn the_command_bar_builds_into_the_layer_pane() {
    let (mut s, _dir) = session("FROM alpine\nCOPY a.txt /\n", &[("a.txt", "1")]);
    s.dispatch(Event::Key(Key::char(':')));
    for c in "docker build -t web:v1 .".chars() {
        s.dispatch(Event::Key(Key::char(c)));
    }
    s.dispatch(Event::Key("enter".parse().unwrap()));
    let view = s.view().unwrap();
    assert_eq!(view.origin.as_deref(), Some("docker build -t web:v1 ."));
    assert_eq!(view.report.as_ref().unwrap().tags, vec!["web:v1"]);
    assert!(s
        .model
        .log
        .output
        .iter()
        .any(|(_, l)| l.contains("naming to docker.io/library/web:v1")));
    s.dispatch(Event::Key(Key::char(':')));
    for c in "docker build --nmae x .".chars() {
        s.dispatch(Event::Key(Key::char(c)));
    }
    s.dispatch(Event::Key("enter".parse().unwrap()));
    assert!(s
        .model
        .log
        .output
        .iter()
        .any(|(e, l)| *e && l == "unknown flag: --nmae"));
}

fn select_row(s: &mut Session, path: &str) {
    let i = s
        .model
        .context
        .rows
        .iter()
        .position(|r| r.path == path)
        .unwrap_or_else(|| panic!("no row {path}: {:?}", s.model.context.rows));
    s.dispatch(Event::SelectContext(i));
}

fn row(s: &Session, path: &str) -> ContextRow {
    s.model
        .context
        .rows
        .iter()
        .find(|r| r.path == path)
        .cloned()
        .unwrap_or_else(|| panic!("no row {path}"))
}

#[test]
fn simulated_changes_on_open_never_touch_the_real_directory() {
    let df = "FROM alpine\nCOPY app.js /app/\nCOPY src/ /src/\n";
    let (mut s, dir) = session(
        df,
        &[
            ("app.js", "console.log(1)\n"),
            (".dockerignore", "*.log\n"),
            ("debug.log", "noise\n"),
        ],
    );
    let ctx = dir.path().join("ctx");
    std::fs::create_dir(ctx.join("src")).unwrap();
    std::fs::write(ctx.join("src/a.js"), "a\n").unwrap();
    s.files_changed(&layerlab::runtime::watcher::Changed {
        dockerfile: false,
        context: true,
        paths: ["src".to_string()].into(),
    });
    press_session(&mut s, "f5 b b");
    assert!(verdict_of(&s, "COPY").cached(), "{:?}", s.view());
    let before = disk_state(&ctx);
    let unchanged = |s: &Session, what: &str| {
        assert_eq!(disk_state(&ctx), before, "{what} wrote to disk");
        assert!(
            s.model
                .status
                .as_deref()
                .unwrap_or("")
                .contains("untouched")
                || what == "reset"
        );
    };
    press_session(&mut s, "c");

    // Edit: the COPY misses, the row is marked, the disk is as it was.
    select_row(&mut s, "app.js");
    press_session(&mut s, "e");
    unchanged(&s, "edit");
    assert!(matches!(
        verdict_of(&s, "COPY"),
        Verdict::Miss {
            why: MissReason::FilesChanged { .. }
        }
    ));
    let app = row(&s, "app.js");
    assert_eq!(app.simulated, Some(Simulated::Changed));
    assert_eq!(app.size, "console.log(1)\n\n".len() as u64);

    // Reset: back to the disk's context, everything cached again.
    press_session(&mut s, "r");
    unchanged(&s, "reset");
    assert!(verdict_of(&s, "COPY").cached());
    assert_eq!(s.model.context.simulated(), 0);

    // Touch keeps the cache; chmod misses.
    press_session(&mut s, "t");
    unchanged(&s, "touch");
    assert!(verdict_of(&s, "COPY").cached());
    assert_eq!(row(&s, "app.js").simulated, Some(Simulated::Changed));
    press_session(&mut s, "m");
    unchanged(&s, "chmod");
    assert!(verdict_of(&s, "COPY").missed());
    assert_eq!(row(&s, "app.js").mode & 0o111, 0o111);
    press_session(&mut s, "r");

    // Add a file to a copied directory, and one .dockerignore drops.
    press_session(&mut s, "a");
    type_text(&mut s.model, "src/new.js");
    press_session(&mut s, "enter");
    unchanged(&s, "add");
    assert_eq!(row(&s, "src/new.js").simulated, Some(Simulated::Changed));
    let copies: Vec<bool> = s
        .view()
        .unwrap()
        .steps()
        .iter()
        .filter(|st| st.keyword == "COPY")
        .map(|st| st.verdict.cached())
        .collect();
    assert_eq!(copies, [true, false], "only the COPY of src/ misses");
    press_session(&mut s, "r a");
    type_text(&mut s.model, "new.log");
    press_session(&mut s, "enter");
    unchanged(&s, "add ignored");
    assert!(row(&s, "new.log").excluded);
    assert!(verdict_of(&s, "COPY").cached());
    // Editing an ignored file changes nothing either.
    select_row(&mut s, "debug.log");
    press_session(&mut s, "e");
    unchanged(&s, "edit ignored");
    assert!(s
        .view()
        .unwrap()
        .steps()
        .iter()
        .all(|st| !st.verdict.missed()));
    press_session(&mut s, "r");

    // Delete: no question, the COPY fails as Docker's would, the file stays.
    select_row(&mut s, "app.js");
    press_session(&mut s, "x");
    unchanged(&s, "delete");
    assert_eq!(s.model.mode, Mode::Normal);
    assert_eq!(row(&s, "app.js").simulated, Some(Simulated::Removed));
    let failure = s
        .view()
        .unwrap()
        .error
        .as_ref()
        .expect("COPY of a deleted file fails");
    assert!(failure.message.contains("app.js"), "{}", failure.message);
    select_row(&mut s, "src");
    press_session(&mut s, "x");
    unchanged(&s, "delete a directory");
    assert_eq!(row(&s, "src/a.js").simulated, Some(Simulated::Removed));
    press_session(&mut s, "r");
    unchanged(&s, "reset");
    assert!(s.view().unwrap().report.is_some());
    assert!(s.model.context.rows.iter().all(|r| r.simulated.is_none()));
    assert_eq!(disk_state(&ctx), before);
}

#[test]
fn a_command_bar_build_of_the_project_sees_the_simulation() {
    let (mut s, dir) = session("FROM alpine\nCOPY a.txt /\n", &[("a.txt", "1")]);
    let ctx = dir.path().join("ctx");
    let before = disk_state(&ctx);
    press_session(&mut s, "c");
    select_row(&mut s, "a.txt");
    press_session(&mut s, "x");
    s.dispatch(Event::Key(Key::char(':')));
    for c in "docker build .".chars() {
        s.dispatch(Event::Key(Key::char(c)));
    }
    s.dispatch(Event::Key("enter".parse().unwrap()));
    assert!(
        s.model
            .log
            .output
            .iter()
            .any(|(e, l)| *e && l.contains("a.txt")),
        "{:?}",
        s.model.log.output
    );
    assert_eq!(disk_state(&ctx), before);
}

/// What the engine holds, as the learner could count it: images (untagged
/// ones too), cache records of both builders, builds run, and the whole
/// store as `engine.json` would write it.
fn engine_counts(s: &Session) -> (usize, usize, u64, String) {
    let e = &s.host.daemon.engine;
    (
        e.list_images(None, true).len(),
        e.buildkit_cache.len() + e.classic_cache.len(),
        e.builds,
        serde_json::to_string(e).unwrap(),
    )
}

fn title(s: &Session) -> String {
    layerlab::ui::layers_pane::title(&s.model, 200)
}

fn run_command(s: &mut Session, line: &str) -> Vec<String> {
    let from = s.model.log.output.len();
    s.dispatch(Event::Key(Key::char(':')));
    for c in line.chars() {
        s.dispatch(Event::Key(Key::char(c)));
    }
    s.dispatch(Event::Key("enter".parse().unwrap()));
    s.model.log.output[from..]
        .iter()
        .map(|(_, l)| l.clone())
        .collect()
}

const FIVE: &str = "FROM alpine\nENV A=1\nRUN sleep 2\nCOPY a.txt /\nCMD [\"true\"]\n";

#[test]
fn moving_an_instruction_up_three_places_and_back_previews_and_builds_nothing() {
    let (mut s, _dir) = session(FIVE, &[("a.txt", "1")]);
    press_session(&mut s, "f5");
    let before = engine_counts(&s);
    assert_eq!(before.2, 1);
    // The CMD, up three places and back, one key at a time.
    press_session(&mut s, "j j j j");
    for keys in ["K", "K", "K", "J", "J", "J"] {
        press_session(&mut s, keys);
        assert_eq!(
            engine_counts(&s),
            before,
            "after {keys}: the engine changed"
        );
        let view = s.view().unwrap();
        assert_eq!(view.shown, Shown::Preview { last_build: 1 });
        // Every reason speaks of a build the learner ran.
        for step in view.steps() {
            if let Verdict::Hit { from } = &step.verdict {
                assert_eq!(from.build, 1, "{step:?}");
            }
        }
    }
    assert_eq!(s.model.doc.text(), FIVE);
    assert!(!s.model.doc.is_dirty(), "moved back: nothing to save");
    assert!(s
        .view()
        .unwrap()
        .steps()
        .iter()
        .all(|st| !st.verdict.missed()));
    assert!(
        title(&s).contains("preview against build #1"),
        "{}",
        title(&s)
    );
}

#[test]
fn the_build_keys_build_once_each_and_the_title_says_which_is_shown() {
    let (mut s, _dir) = session(FIVE, &[("a.txt", "1")]);
    assert_eq!(s.host.daemon.engine.builds, 0, "opening builds nothing");
    assert!(
        title(&s).contains("preview (nothing built yet)"),
        "{}",
        title(&s)
    );
    press_session(&mut s, "f5");
    assert_eq!(s.host.daemon.engine.builds, 1);
    assert!(title(&s).contains("build #1 ·"), "{}", title(&s));
    press_session(&mut s, "j j K");
    assert_eq!(s.host.daemon.engine.builds, 1);
    assert!(
        title(&s).contains("preview against build #1"),
        "{}",
        title(&s)
    );
    press_session(&mut s, "B");
    assert_eq!(s.host.daemon.engine.builds, 2);
    assert!(title(&s).contains("build #2 ·"), "{}", title(&s));
    assert_eq!(s.view().unwrap().shown, Shown::Build { number: 2 });
    // Tagged with the project's name: image ls and image history show it.
    let ls = run_command(&mut s, "docker image ls");
    assert!(ls.iter().any(|l| l.starts_with("ctx ")), "{ls:?}");
    let history = run_command(&mut s, "docker image history ctx");
    assert!(history.iter().any(|l| l.contains("sleep 2")), "{history:?}");
    assert_eq!(s.host.daemon.engine.builds, 2, "listing builds nothing");
    // The footer names the build keys.
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 35)).unwrap();
    term.draw(|f| layerlab::ui::draw(f, &s.model)).unwrap();
    let screen = format!("{:?}", term.backend().buffer());
    assert!(screen.contains("F5/B"), "{screen}");
}

#[test]
fn a_command_bar_build_uses_the_screens_builder_unless_docker_buildkit_says() {
    let (mut s, _dir) = session(FIVE, &[("a.txt", "1")]);
    let builder_shown = |s: &Session| s.view().unwrap().builder;
    press_session(&mut s, "b");
    run_command(&mut s, "docker build .");
    assert_eq!(builder_shown(&s), BuilderKind::Classic);
    assert_eq!(s.model.builder, BuilderKind::Classic);
    run_command(&mut s, "DOCKER_BUILDKIT=1 docker build .");
    assert_eq!(builder_shown(&s), BuilderKind::Buildkit);
    press_session(&mut s, "b");
    assert_eq!(s.model.builder, BuilderKind::Buildkit);
    let out = run_command(&mut s, "DOCKER_BUILDKIT=0 docker build .");
    assert_eq!(builder_shown(&s), BuilderKind::Classic);
    assert!(out.iter().any(|l| l.starts_with("Step 1/")), "{out:?}");
    run_command(&mut s, "docker build .");
    assert_eq!(builder_shown(&s), BuilderKind::Buildkit);
    assert_eq!(s.host.daemon.engine.builds, 4);
}

#[test]
fn a_save_in_two_steps_after_moving_away_and_back_reloads_the_whole_file() {
    // The file on disk ends without a newline, as a half-written one does.
    let mut m = Model::new("t/Dockerfile", "FROM alpine\nRUN echo one", Lang::En);
    assert!(!m.doc.is_dirty(), "the text is the file's");
    press(&mut m, "j K J");
    assert!(
        !m.doc.is_dirty(),
        "moved back: the text is the file's again"
    );
    // The other editor's first write: part of the file.
    let fx = update(
        &mut m,
        Event::DockerfileOnDisk("FROM alpine\nRUN echo ins".into()),
    );
    assert!(matches!(&fx[..], [Effect::Preview { .. }]), "{fx:?}");
    assert!(!m.doc.is_dirty());
    // Then all of it: read too, not refused as unsaved edits.
    let full = "FROM alpine\nRUN echo installed\nCMD [\"sh\"]\n";
    let fx = update(&mut m, Event::DockerfileOnDisk(full.into()));
    assert!(matches!(&fx[..], [Effect::Preview { .. }]), "{fx:?}");
    assert_eq!(m.doc.text(), full);
    assert!(!m.doc.is_dirty());
    assert_eq!(
        m.status.as_deref(),
        Some("t/Dockerfile changed on disk: reloaded")
    );
    // A real unsaved edit is still kept.
    press(&mut m, "x");
    update(&mut m, Event::DockerfileOnDisk("FROM busybox\n".into()));
    assert_ne!(m.doc.text(), "FROM busybox\n");
    assert!(m
        .status
        .as_deref()
        .unwrap_or("")
        .contains("unsaved edits are kept"));
}

#[test]
fn build_on_save_is_off_until_toggled() {
    let mut m = model();
    let saved = |m: &mut Model| {
        update(
            m,
            Event::Saved {
                text: m.doc.text(),
                result: Ok("t/Dockerfile".into()),
                quit_after: false,
            },
        )
    };
    assert!(saved(&mut m).is_empty(), "saving builds nothing by default");
    press(&mut m, "W");
    assert!(m.build_on_save);
    assert!(matches!(&saved(&mut m)[..], [Effect::Build { .. }]));
    let fx = update(&mut m, Event::DockerfileOnDisk("FROM busybox\n".into()));
    assert!(matches!(&fx[..], [Effect::Build { .. }]), "{fx:?}");
    press(&mut m, "W");
    assert!(saved(&mut m).is_empty());
}

#[test]
fn v_shows_both_builders_side_by_side_and_back_without_a_new_preview() {
    let mut m = model();
    assert!(!m.side_by_side);
    let fx = press(&mut m, "v");
    assert!(m.side_by_side);
    assert!(
        fx.is_empty(),
        "both previews come with every change: {fx:?}"
    );
    assert!(m.status.as_deref().unwrap().starts_with("Side by side"));
    // The screen's builder is still the one builds use.
    assert_eq!(m.builder, BuilderKind::Buildkit);
    press(&mut m, "v");
    assert!(!m.side_by_side);
}

#[test]
fn every_preview_and_build_carries_the_other_builders_preview_and_writes_nothing_more() {
    let (mut s, _dir) = session(FIVE, &[("a.txt", "1")]);
    let view = s.view().unwrap();
    assert_eq!(view.builder, BuilderKind::Buildkit);
    assert_eq!(view.other.as_ref().unwrap().builder, BuilderKind::Classic);
    press_session(&mut s, "f5");
    let after_build = engine_counts(&s);
    // The build kept only BuildKit's records; the classic preview beside it
    // wrote nothing.
    assert_eq!(s.host.daemon.engine.classic_cache.len(), 0);
    assert!(s.view().unwrap().other.is_some());
    press_session(&mut s, "v j j j j K b");
    assert_eq!(engine_counts(&s), after_build, "previews write nothing");
    let view = s.view().unwrap();
    assert_eq!(view.builder, BuilderKind::Classic);
    assert_eq!(view.other.as_ref().unwrap().builder, BuilderKind::Buildkit);
    // A build typed in the command bar keeps the screen's builder.
    run_command(&mut s, "docker build .");
    let view = s.view().unwrap();
    assert_eq!(view.builder, BuilderKind::Classic);
    assert!(s.model.side_by_side);
    // … and the side by side view still has BuildKit beside it.
    let other = view.other.as_ref().expect("BuildKit's preview beside it");
    assert_eq!(other.builder, BuilderKind::Buildkit);
    assert!(matches!(other.shown, Shown::Preview { .. }));
}

/// Types `text` into whatever has the keys, then Enter.
fn enter_line(s: &mut Session, text: &str) {
    for c in text.chars() {
        s.dispatch(Event::Key(Key::char(c)));
    }
    s.dispatch(Event::Key("enter".parse().unwrap()));
}

#[test]
fn run_it_in_the_command_bar_opens_a_shell_pane_until_exit() {
    let (mut s, _dir) = session("FROM alpine\nCOPY a.txt /\n", &[("a.txt", "1")]);
    s.dispatch(Event::Key(Key::char(':')));
    enter_line(&mut s, "docker run -it --name box alpine sh");
    let Mode::Shell(pane) = &s.model.mode else {
        panic!("no shell pane: {:?}", s.model.mode);
    };
    assert_eq!((pane.title.as_str(), pane.prompt.as_str()), ("box", "/ # "));
    enter_line(&mut s, "cd /tmp && X=5 && echo made > f.txt");
    enter_line(&mut s, "echo $X $(cat f.txt)");
    let Mode::Shell(pane) = &s.model.mode else {
        panic!("the shell closed: {:?}", s.model.log.output);
    };
    assert_eq!(pane.prompt, "/tmp # ");
    assert!(
        pane.lines.iter().any(|(_, l)| l == "5 made"),
        "{:?}",
        pane.lines
    );
    // ↑ brings the lines typed back, newest first.
    s.dispatch(Event::Key("up".parse().unwrap()));
    let Mode::Shell(pane) = &s.model.mode else {
        unreachable!()
    };
    assert_eq!(pane.input.text, "echo $X $(cat f.txt)");
    s.dispatch(Event::Key("esc".parse().unwrap()));
    assert!(
        matches!(s.model.mode, Mode::Shell(_)),
        "Esc is a key of the shell, not a way out"
    );
    // A line cleared, then `exit 4`: the screen has its keys back and says how it ended.
    for _ in 0.."echo $X $(cat f.txt)".len() {
        s.dispatch(Event::Key("backspace".parse().unwrap()));
    }
    enter_line(&mut s, "exit 4");
    assert!(matches!(s.model.mode, Mode::Normal));
    assert!(s
        .model
        .log
        .output
        .iter()
        .any(|(_, l)| l == "the shell in box exited with code 4"));
    s.dispatch(Event::Key(Key::char(':')));
    enter_line(&mut s, "docker diff box");
    assert!(
        s.model.log.output.iter().any(|(_, l)| l == "A /tmp/f.txt"),
        "{:?}",
        s.model.log.output
    );
    // Ctrl-D ends an exec shell; the container runs on.
    s.dispatch(Event::Key(Key::char(':')));
    enter_line(&mut s, "docker run -d --name web alpine sleep 600");
    s.dispatch(Event::Key(Key::char(':')));
    enter_line(&mut s, "docker exec -it web sh");
    assert!(matches!(s.model.mode, Mode::Shell(_)));
    s.dispatch(Event::Key("ctrl+d".parse().unwrap()));
    assert!(matches!(s.model.mode, Mode::Normal));
    assert!(s
        .host
        .daemon
        .engine
        .container("web")
        .expect("web")
        .is_running());
}

/// Whether each COPY step of the build on screen is a cache hit.
fn copies_cached(s: &Session) -> Vec<bool> {
    let view = s.view().expect("a build");
    view.steps()
        .iter()
        .filter(|st| st.keyword == "COPY")
        .map(|st| st.verdict.cached())
        .collect()
}

fn reported(paths: &[&str]) -> layerlab::runtime::watcher::Changed {
    layerlab::runtime::watcher::Changed {
        dockerfile: false,
        context: true,
        paths: paths.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn a_save_reads_the_reported_paths_and_the_background_walk_finds_the_rest() {
    let df = "FROM alpine\nCOPY a.txt /a\nCOPY b.txt /b\n";
    let (mut s, dir) = session(df, &[("a.txt", "1"), ("b.txt", "1")]);
    let ctx = dir.path().join("ctx");
    press_session(&mut s, "f5");
    press_session(&mut s, "f5");
    assert_eq!(copies_cached(&s), [true, true]);
    // Both files change; the watcher reports one of them (it lost the
    // other's event): only that one is read again.
    std::fs::write(ctx.join("a.txt"), "2").unwrap();
    std::fs::write(ctx.join("b.txt"), "2").unwrap();
    s.files_changed(&reported(&["a.txt"]));
    assert_eq!(
        copies_cached(&s),
        [false, false],
        "a.txt misses, b.txt follows"
    );
    press_session(&mut s, "f5");
    press_session(&mut s, "f5");
    assert_eq!(
        copies_cached(&s),
        [true, true],
        "b.txt was not read again: its old content hits"
    );
    // The walk behind the watcher finds b.txt.
    let walk = s.host.rewalk().expect("a context to walk");
    s.walked(walk.run());
    assert_eq!(copies_cached(&s), [true, false], "{:?}", s.view());
}

#[test]
fn a_background_walk_older_than_the_watchers_news_is_dropped() {
    let df = "FROM alpine\nCOPY a.txt /a\n";
    let (mut s, dir) = session(df, &[("a.txt", "1")]);
    let ctx = dir.path().join("ctx");
    // The walk reads the disk before the save it then reports after; the
    // engine never built the a.txt it read.
    let walked = s.host.rewalk().expect("a context to walk").run();
    std::fs::write(ctx.join("a.txt"), "2").unwrap();
    s.files_changed(&reported(&["a.txt"]));
    assert_eq!(copies_cached(&s), [false]);
    press_session(&mut s, "f5");
    assert_eq!(copies_cached(&s), [false], "built with the new a.txt");
    s.walked(walked);
    press_session(&mut s, "f5");
    assert_eq!(
        copies_cached(&s),
        [true],
        "the walk's older a.txt was not taken"
    );
}

#[test]
fn a_copy_of_an_ignored_file_is_marked_once_the_context_is_read() {
    let df = "FROM alpine\nCOPY app.js secret.env /app/\n";
    let (s, _dir) = session(
        df,
        &[
            ("app.js", "1"),
            ("secret.env", "KEY=1"),
            (".dockerignore", "*.env\n"),
        ],
    );
    let rules: Vec<(usize, &str)> = s
        .model
        .outline
        .checks
        .iter()
        .map(|c| (c.block, c.rule))
        .collect();
    assert_eq!(
        rules,
        [(1, "CopyIgnoredFile")],
        "{:?}",
        s.model.outline.checks
    );
    let text = s.model.outline.checks[0].message.render(Lang::En);
    assert!(text.contains("secret.env"), "{text}");
}
