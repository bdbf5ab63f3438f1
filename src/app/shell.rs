//! The shell pane: `docker run -it IMAGE sh` or `docker exec -it NAME sh`
//! typed in the command bar opens a shell inside the container. A prompt,
//! a line typed and run on Enter, ↑/↓ through the lines typed before, and
//! `exit` or Ctrl-D to come back; the engine keeps the shell (the runtime
//! holds it), this pane only what the learner sees of it.

use crate::app::effect::Effect;
use crate::app::keymap::{Key, KeyCode};
use crate::app::model::{Input, Mode, Model, ShellPane};
use crate::engine::container::Typed;
use crate::messages::Message;

/// At most so many lines are kept on the pane; older ones scroll away.
const KEPT_LINES: usize = 2000;

impl ShellPane {
    fn push(&mut self, error: bool, text: &str) {
        self.lines
            .extend(text.lines().map(|l| (error, l.to_owned())));
        let over = self.lines.len().saturating_sub(KEPT_LINES);
        self.lines.drain(..over);
    }
}

/// The shell opened: the pane takes the screen's keys.
pub fn opened(model: &mut Model, title: String, prompt: String) {
    model.mode = Mode::Shell(Box::new(ShellPane {
        title,
        prompt,
        ..ShellPane::default()
    }));
}

pub fn key(model: &mut Model, mut pane: Box<ShellPane>, key: Key) -> Vec<Effect> {
    if pane.busy {
        model.mode = Mode::Shell(pane);
        return Vec::new();
    }
    let mut effects = Vec::new();
    match key.code {
        KeyCode::Enter => {
            let line = std::mem::take(&mut pane.input).text;
            let shown = format!("{}{line}", pane.prompt);
            pane.push(false, &shown);
            if !line.trim().is_empty() && pane.history.last() != Some(&line) {
                pane.history.push(line.clone());
            }
            pane.history_pos = None;
            pane.busy = true;
            effects.push(Effect::ShellLine(line));
        }
        // Ctrl-D on an empty line is the end of input: the shell exits.
        KeyCode::Char('d') if key.ctrl && pane.input.text.is_empty() => {
            pane.busy = true;
            effects.push(Effect::ShellHangUp);
        }
        KeyCode::Up if !pane.history.is_empty() => {
            let pos = pane
                .history_pos
                .map_or(pane.history.len() - 1, |p| p.saturating_sub(1));
            pane.input = Input::new(&pane.history[pos]);
            pane.history_pos = Some(pos);
        }
        KeyCode::Down => match pane.history_pos {
            Some(p) if p + 1 < pane.history.len() => {
                pane.input = Input::new(&pane.history[p + 1]);
                pane.history_pos = Some(p + 1);
            }
            _ => {
                pane.input = Input::default();
                pane.history_pos = None;
            }
        },
        _ => pane.input.edit(key),
    }
    model.mode = Mode::Shell(pane);
    effects
}

/// A line ran: what it printed, the next prompt, or the shell's end.
pub fn typed(model: &mut Model, typed: &Typed, prompt: String) {
    let Mode::Shell(pane) = &mut model.mode else {
        return;
    };
    pane.push(false, &typed.stdout);
    pane.push(true, &typed.stderr);
    pane.prompt = prompt;
    pane.busy = false;
    if let Some(code) = typed.ended {
        closed(model, code);
    }
}

/// The shell ended (with `code`): the command log says so and the screen
/// has its keys back.
pub fn closed(model: &mut Model, code: i32) {
    let title = match &model.mode {
        Mode::Shell(pane) => pane.title.clone(),
        _ => return,
    };
    let words = Message::new("shell.ended")
        .arg("container", &title)
        .arg("code", code)
        .render(model.lang);
    model.log.output.push((code != 0, words));
    model.log.shown = true;
    model.mode = Mode::Normal;
}

/// A line could not run (the container was stopped meanwhile): said on
/// the pane, which closes.
pub fn failed(model: &mut Model, error: String) {
    if let Mode::Shell(pane) = &mut model.mode {
        pane.push(true, &error);
    }
    model.log.output.push((true, error));
    closed(model, 1);
}
