//! The multi-line editor as (state, keys, expected state): instructions
//! that span lines, the whole file, context files, cancel and undo, the
//! preview following the typing, Korean text.

use layerlab::app::editor::EditTarget;
use layerlab::app::effect::{ContextOp, Effect, ExternalFile};
use layerlab::app::i18n::Lang;
use layerlab::app::model::{Mode, Model};
use layerlab::app::{update, Event, Key};
use layerlab::engine::report::{MissReason, Verdict};
use layerlab::runtime::Session;

use crate::support::files::disk_state;
use crate::support::tui;

fn press(model: &mut Model, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        out.extend(update(model, Event::Key(k.parse::<Key>().expect("a key"))));
    }
    out
}

/// Types `text` key by key; returns every effect asked for.
fn type_text(model: &mut Model, text: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        out.extend(update(model, Event::Key(Key::char(c))));
    }
    out
}

/// The editor's lines and cursor.
fn editor(model: &Model) -> (Vec<String>, (usize, usize)) {
    match &model.mode {
        Mode::Edit(e) => (e.area.lines().to_vec(), e.area.cursor()),
        other => panic!("the editor is not open: {other:?}"),
    }
}

const DF: &str = "FROM alpine\nRUN sleep 5\nCOPY app.js /app/\nCMD [\"node\"]\n";

#[test]
fn the_lectures_multi_line_env_is_typed_naturally_and_kept_as_two_lines() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    press(&mut m, "j a");
    type_text(&mut m, "ENV A=1 \\");
    press(&mut m, "enter");
    type_text(&mut m, "B=2");
    assert_eq!(
        editor(&m),
        (vec!["ENV A=1 \\".into(), "    B=2".into()], (1, 7)),
        "Enter after a continuation indents the next line"
    );
    let fx = press(&mut m, "esc");
    assert_eq!(m.mode, Mode::Normal);
    assert_eq!(
        m.doc.text(),
        "FROM alpine\nRUN sleep 5\nENV A=1 \\\n    B=2\nCOPY app.js /app/\nCMD [\"node\"]\n"
    );
    // One instruction over two lines, selected, and previewed.
    let env = m.outline.blocks[m.selected];
    assert_eq!((env.first, env.last), (2, 3));
    assert_eq!(m.compiled.instructions().len(), 5);
    assert!(
        matches!(&fx[..], [Effect::Preview { compiled, .. }] if compiled.source() == m.doc.text())
    );
    // The whole edit is one undo step, and one redo.
    press(&mut m, "u");
    assert_eq!(m.doc.text(), DF);
    press(&mut m, "ctrl+r");
    assert_eq!(m.doc.lines[3], "    B=2");
}

#[test]
fn editing_an_instruction_opens_all_its_lines_and_the_preview_follows_the_typing() {
    let text = "FROM alpine\nRUN apk add \\\n    curl\nCMD sh\n";
    let mut m = Model::new("t/Dockerfile", text, Lang::En);
    press(&mut m, "j e");
    assert_eq!(
        editor(&m),
        (vec!["RUN apk add \\".into(), "    curl".into()], (1, 8)),
        "every line of the instruction, the cursor at the end of its last"
    );
    // Each change is previewed at once (the document holds the typing);
    // moving the cursor is not a change.
    let fx = type_text(&mut m, " jq");
    assert_eq!(fx.len(), 3, "{fx:?}");
    assert!(matches!(&fx[2], Effect::Preview { compiled, .. }
        if compiled.source().contains("curl jq")));
    assert!(press(&mut m, "up home left right").is_empty());
    assert_eq!(editor(&m).1, (0, 1));
    // Enter splits a line, Backspace at a line's start joins it back.
    press(&mut m, "end enter");
    type_text(&mut m, "bash \\");
    assert_eq!(
        editor(&m).0,
        ["RUN apk add \\", "    bash \\", "    curl jq"],
        "a continued line's indent carries on"
    );
    press(&mut m, "home delete delete delete delete backspace");
    assert_eq!(editor(&m).0, ["RUN apk add \\bash \\", "    curl jq"]);
    press(&mut m, "enter ctrl+s");
    assert_eq!(
        m.doc.text(),
        "FROM alpine\nRUN apk add \\\n    bash \\\n    curl jq\nCMD sh\n"
    );
    assert_eq!(m.outline.blocks.len(), 3, "{:?}", m.outline);
    press(&mut m, "u");
    assert_eq!(m.doc.text(), text, "one undo undoes the whole edit");
}

#[test]
fn cancel_puts_back_the_text_the_edit_found_and_leaves_the_history_alone() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    press(&mut m, "j j K");
    let moved = m.doc.text();
    press(&mut m, "u");
    assert_eq!(m.redo.len(), 1);
    press(&mut m, "k e");
    type_text(&mut m, " && echo");
    press(&mut m, "enter");
    type_text(&mut m, "RUN rm -rf /");
    assert_ne!(m.doc.text(), DF, "the document holds the typing");
    let fx = press(&mut m, "ctrl+q");
    assert_eq!(m.mode, Mode::Normal);
    assert_eq!(m.doc.text(), DF);
    assert_eq!(m.selected, 1);
    assert!(m.undo.is_empty(), "{:?}", m.undo);
    assert_eq!(
        m.status.as_deref(),
        Some("Edit cancelled: the text is as it was")
    );
    assert!(matches!(&fx[..], [Effect::Preview { compiled, .. }] if compiled.source() == DF));
    // The redo from before the edit is still there.
    press(&mut m, "ctrl+r");
    assert_eq!(m.doc.text(), moved);
    // Keeping an edit that changed nothing adds no undo step either.
    let undo = m.undo.len();
    press(&mut m, "e x backspace esc");
    assert_eq!(m.doc.text(), moved);
    assert_eq!(m.undo.len(), undo);
    // An insert kept empty adds nothing.
    press(&mut m, "a esc");
    assert_eq!(m.doc.text(), moved);
}

#[test]
fn emptying_an_instruction_deletes_it_and_a_parse_error_stays_at_its_line() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    press(&mut m, "j e home");
    press(
        &mut m,
        "delete delete delete delete delete delete delete delete delete delete delete",
    );
    assert_eq!(editor(&m).0, [""]);
    press(&mut m, "esc");
    assert_eq!(m.doc.lines.len(), 3);
    press(&mut m, "u");
    // A broken line while typing: the error points at it, nothing is
    // previewed, and the edit stays open and kept.
    press(&mut m, "e enter");
    let fx = type_text(&mut m, "COPY");
    assert!(fx.is_empty(), "a broken text is not previewed: {fx:?}");
    let problem = m.outline.problem.as_ref().expect("an error");
    assert_eq!(problem.line, 2, "at the line being typed");
    assert!(matches!(m.mode, Mode::Edit(_)), "the edit stays open");
    press(&mut m, "esc");
    assert_eq!(m.doc.lines[2], "COPY", "and is kept as typed");
}

#[test]
fn the_whole_file_opens_in_the_same_editor_at_the_selected_instruction() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    press(&mut m, "j j E");
    let (lines, cursor) = editor(&m);
    assert_eq!(
        lines,
        [
            "FROM alpine",
            "RUN sleep 5",
            "COPY app.js /app/",
            "CMD [\"node\"]"
        ]
    );
    assert_eq!(cursor, (2, 17));
    assert!(matches!(&m.mode, Mode::Edit(e)
        if matches!(e.target, EditTarget::Dockerfile { whole: true, .. })));
    press(&mut m, "down end enter");
    type_text(&mut m, "EXPOSE 80");
    press(&mut m, "pageup home");
    type_text(&mut m, "# web-ping");
    press(&mut m, "enter esc");
    assert_eq!(
        m.doc.text(),
        "# web-ping\nFROM alpine\nRUN sleep 5\nCOPY app.js /app/\nCMD [\"node\"]\nEXPOSE 80\n"
    );
    press(&mut m, "u");
    assert_eq!(m.doc.text(), DF);
}

#[test]
fn korean_text_keeps_the_cursor_on_its_character() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::Ko);
    press(&mut m, "a");
    type_text(&mut m, "LABEL 설명=\"안녕\"");
    press(&mut m, "left left left");
    // Three characters back from the end: before 안.
    assert_eq!(editor(&m).1, (0, 10));
    match &m.mode {
        Mode::Edit(e) => assert_eq!(e.area.cursor_cells(), 12, "설명 takes four cells"),
        _ => unreachable!(),
    }
    type_text(&mut m, "더 ");
    press(&mut m, "esc");
    assert_eq!(m.doc.lines[1], "LABEL 설명=\"더 안녕\"");
}

#[test]
fn your_own_editor_opens_the_file_on_disk_only_when_nothing_is_unsaved() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    assert_eq!(
        press(&mut m, "O"),
        [Effect::ExternalEditor(ExternalFile::Dockerfile)]
    );
    press(&mut m, "j K");
    assert!(press(&mut m, "O").is_empty());
    assert_eq!(
        m.status.as_deref(),
        Some("Save first (w): your own editor opens the file as it is on disk")
    );
}

fn session(files: &[(&str, &[u8])]) -> (Session, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM alpine\nCOPY app.js /app/\nCMD [\"node\"]\n",
    )
    .unwrap();
    for (n, t) in files {
        std::fs::write(ctx.join(n), t).unwrap();
    }
    let mut s = tui::open(dir.path(), ctx, "ctx/Dockerfile", Lang::En);
    s.start();
    (s, dir)
}

fn select_row(s: &mut Session, path: &str) {
    let i = s
        .model
        .context
        .rows
        .iter()
        .position(|r| r.path == path)
        .unwrap();
    s.dispatch(Event::SelectContext(i));
}

fn copy_verdict(s: &Session) -> Verdict {
    let view = s.view().expect("a build");
    let step = view.steps().iter().find(|st| st.keyword == "COPY").unwrap();
    step.verdict.clone()
}

#[test]
fn editing_a_context_file_changes_the_copys_verdict_and_never_the_disk() {
    let (mut s, dir) = session(&[
        ("app.js", b"console.log(1)\n"),
        ("logo.png", b"\x89PNG\0\0"),
    ]);
    let ctx = dir.path().join("ctx");
    // Built, then previewed against that build: all cached.
    tui::press(&mut s, "f5 b b");
    assert!(copy_verdict(&s).cached(), "{:?}", s.view());
    let before = disk_state(&ctx);
    tui::press(&mut s, "c");
    select_row(&mut s, "app.js");
    tui::press(&mut s, "enter");
    assert_eq!(
        editor(&s.model),
        (vec!["console.log(1)".into(), String::new()], (0, 0))
    );
    // Typing in a context file previews nothing until it is kept.
    tui::press(&mut s, "end left backspace");
    s.dispatch(Event::Key(Key::char('2')));
    assert!(copy_verdict(&s).cached());
    tui::press(&mut s, "esc");
    assert_eq!(s.model.mode, Mode::Normal);
    assert!(
        matches!(
            copy_verdict(&s),
            Verdict::Miss {
                why: MissReason::FilesChanged { .. }
            }
        ),
        "{:?}",
        copy_verdict(&s)
    );
    assert_eq!(
        s.model.status.as_deref(),
        Some("Simulated: edited app.js (the file on disk is untouched; r resets)")
    );
    assert_eq!(disk_state(&ctx), before, "the file on disk stays as it was");
    // Opened again, the editor shows the simulated text; putting the old
    // text back makes the COPY a HIT again.
    tui::press(&mut s, "enter");
    assert_eq!(editor(&s.model).0, ["console.log(2)", ""]);
    tui::press(&mut s, "up end left backspace");
    s.dispatch(Event::Key(Key::char('1')));
    tui::press(&mut s, "ctrl+s");
    assert!(copy_verdict(&s).cached(), "{:?}", copy_verdict(&s));
    // A binary file is refused in words, and nothing opens.
    select_row(&mut s, "logo.png");
    tui::press(&mut s, "enter");
    assert_eq!(s.model.mode, Mode::Normal);
    assert_eq!(
        s.model.status.as_deref(),
        Some("logo.png: not text (binary), so it cannot be edited here")
    );
}

#[test]
fn the_context_op_a_kept_file_edit_asks_for() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    update(
        &mut m,
        Event::ContextFileRead {
            path: "app.js".into(),
            result: Ok("a\n".into()),
        },
    );
    press(&mut m, "up end");
    type_text(&mut m, "b");
    assert_eq!(
        press(&mut m, "esc"),
        [Effect::Context(ContextOp::Write {
            path: "app.js".into(),
            text: "ab\n".into()
        })]
    );
    assert_eq!(m.doc.text(), DF, "the Dockerfile is not what was edited");
}

#[test]
fn a_heredoc_opens_with_its_body_and_keeps_it() {
    let text = "FROM alpine\nRUN <<EOF\necho one\nEOF\nCMD sh\n";
    let mut m = Model::new("t/Dockerfile", text, Lang::En);
    press(&mut m, "j e");
    assert_eq!(editor(&m).0, ["RUN <<EOF", "echo one", "EOF"]);
    press(&mut m, "up end enter");
    type_text(&mut m, "echo two");
    press(&mut m, "esc");
    assert_eq!(
        m.doc.text(),
        "FROM alpine\nRUN <<EOF\necho one\necho two\nEOF\nCMD sh\n"
    );
    assert_eq!(m.outline.blocks.len(), 3, "{:?}", m.outline);
    assert!(m.outline.problem.is_none());
}

#[test]
fn a_save_from_outside_while_the_editor_is_open_waits_like_unsaved_edits() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    // Open, nothing typed yet: the document still equals the file.
    press(&mut m, "j e");
    assert!(!m.doc.is_dirty());
    let fx = update(&mut m, Event::DockerfileOnDisk("FROM busybox\n".into()));
    assert!(fx.is_empty());
    assert_eq!(m.doc.text(), DF, "the edit's text is not replaced under it");
    assert!(matches!(m.mode, Mode::Edit(_)));
    assert!(m
        .status
        .as_deref()
        .unwrap_or("")
        .contains("changed on disk"));
}

#[test]
fn the_instruction_under_the_cursor_is_selected_as_the_learner_types() {
    let mut m = Model::new("t/Dockerfile", DF, Lang::En);
    press(&mut m, "E down down end");
    type_text(&mut m, " ");
    assert_eq!(m.selected, 2, "the COPY being typed in");
    press(&mut m, "up end");
    type_text(&mut m, "0");
    assert_eq!(m.selected, 1, "the RUN now");
    press(&mut m, "esc");
    assert_eq!(m.selected, 1, "and once kept");
    assert_eq!(m.doc.lines[1], "RUN sleep 50");
}
