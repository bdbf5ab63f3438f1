//! The lesson menu, pure: every lesson with where the learner stands in it,
//! in the suggested order (any may be opened), and what a key asks for. The
//! runtime does what a [`Choice`] says and shows the menu again after a
//! reset.

use crate::app::action::Action;
use crate::app::i18n::{tr, Lang};
use crate::app::keymap::{Key, Keymap, Scope};
use crate::lesson::model::Lesson;
use crate::lesson::progress::{Progress, Standing};

/// One lesson as the menu lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub lesson: Lesson,
    pub standing: Standing,
}

/// A reset waiting for its `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    Lesson,
    Step,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub rows: Vec<Row>,
    pub progress: Progress,
    pub selected: usize,
    pub ask: Option<Reset>,
    pub lang: Lang,
    pub keymap: Keymap,
    /// One line for the learner (a progress file kept aside, a reset done).
    pub status: Option<String>,
    pub size: (u16, u16),
    pub no_color: bool,
}

/// What the learner chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Open the lesson (by id) where the learner left it.
    Open(String),
    Sandbox,
    ResetLesson(String),
    ResetStep(String),
    Quit,
}

impl Menu {
    /// The menu over `lessons`, the selection on the lesson the learner was
    /// in last, else the first not done.
    pub fn new(lessons: Vec<Lesson>, progress: Progress, lang: Lang) -> Menu {
        let mut menu = Menu {
            rows: Vec::new(),
            progress,
            selected: 0,
            ask: None,
            lang,
            keymap: Keymap::default_map(),
            status: None,
            size: (80, 24),
            no_color: false,
        };
        menu.rows = lessons
            .into_iter()
            .map(|lesson| Row {
                standing: Standing::NotStarted,
                lesson,
            })
            .collect();
        menu.set_progress(menu.progress.clone());
        let current = menu.progress.current.clone();
        menu.selected = menu
            .rows
            .iter()
            .position(|r| Some(&r.lesson.id) == current.as_ref())
            .or_else(|| menu.rows.iter().position(|r| r.standing != Standing::Done))
            .unwrap_or(0);
        menu
    }

    /// New progress (after a reset): every row's standing again.
    pub fn set_progress(&mut self, progress: Progress) {
        for row in &mut self.rows {
            row.standing = progress.standing(&row.lesson.id, row.lesson.steps.len());
        }
        self.progress = progress;
    }

    fn selected_id(&self) -> Option<String> {
        self.rows.get(self.selected).map(|r| r.lesson.id.clone())
    }

    /// A key; what it chose, if anything.
    pub fn key(&mut self, key: Key) -> Option<Choice> {
        if let Some(reset) = self.ask.take() {
            if key != Key::char('y') {
                self.status = Some(tr(self.lang, "lesson.cancelled"));
                return None;
            }
            self.status = None;
            let id = self.selected_id()?;
            return Some(match reset {
                Reset::Lesson => Choice::ResetLesson(id),
                Reset::Step => Choice::ResetStep(id),
            });
        }
        if key == Key::ctrl('c') {
            return Some(Choice::Quit);
        }
        self.status = None;
        let action = self.keymap.lookup(Scope::Menu, key)?;
        match action {
            Action::MenuUp => {
                self.selected = self.selected.saturating_sub(1);
                None
            }
            Action::MenuDown => {
                if self.selected + 1 < self.rows.len() {
                    self.selected += 1;
                }
                None
            }
            Action::MenuOpen => self.selected_id().map(Choice::Open),
            Action::MenuSandbox => Some(Choice::Sandbox),
            Action::MenuResetLesson | Action::MenuResetStep => {
                let row = self.rows.get(self.selected)?;
                if row.standing == Standing::NotStarted {
                    self.status = Some(tr(self.lang, "menu.nothing_to_reset"));
                    return None;
                }
                let (reset, ask) = if action == Action::MenuResetLesson {
                    (Reset::Lesson, "menu.ask_reset_lesson")
                } else {
                    (Reset::Step, "menu.ask_reset_step")
                };
                self.ask = Some(reset);
                self.status = Some(tr(self.lang, ask));
                None
            }
            Action::ToggleLang => {
                self.lang = match self.lang {
                    Lang::En => Lang::Ko,
                    Lang::Ko => Lang::En,
                };
                self.status = Some(tr(self.lang, "lesson.lang"));
                None
            }
            Action::Quit => Some(Choice::Quit),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::KeyCode;

    fn menu() -> Menu {
        Menu::new(crate::lesson::embedded(), Progress::new(), Lang::En)
    }

    #[test]
    fn enter_opens_the_selected_lesson_and_s_the_sandbox() {
        let mut m = menu();
        assert_eq!(m.key(Key::char('j')), None);
        assert_eq!(
            m.key(Key::plain(KeyCode::Enter)),
            Some(Choice::Open("02-build-cache".into()))
        );
        assert_eq!(m.key(Key::char('s')), Some(Choice::Sandbox));
        assert_eq!(m.key(Key::char('q')), Some(Choice::Quit));
    }

    #[test]
    fn a_reset_asks_first_and_only_y_resets() {
        let mut progress = Progress::new();
        progress.current = Some("01-first-image".into());
        progress.lesson_mut("01-first-image").done.insert(0);
        let mut m = Menu::new(crate::lesson::embedded(), progress, Lang::En);
        assert_eq!(m.key(Key::char('r')), None);
        assert_eq!(m.ask, Some(Reset::Lesson));
        assert_eq!(m.key(Key::char('n')), None, "any other key cancels");
        assert_eq!(m.key(Key::char('R')), None);
        assert_eq!(
            m.key(Key::char('y')),
            Some(Choice::ResetStep("01-first-image".into()))
        );
        // A lesson not started has nothing to reset.
        m.key(Key::char('j'));
        assert_eq!(m.key(Key::char('r')), None);
        assert_eq!(m.ask, None);
    }
}
