//! What a key can ask for, as data: every action has a name (the key map
//! file's spelling) and round-trips through `FromStr`/`Display`.

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ($($variant:ident = $name:literal,)*) => {
        /// A user intent, independent of the key that asked for it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    Help = "help",
    Quit = "quit",
    CommandBar = "command_bar",
    Docker = "docker",
    Build = "build",
    ToggleBuildOnSave = "toggle_build_on_save",
    ToggleBuilder = "toggle_builder",
    ToggleSideBySide = "toggle_side_by_side",
    ToggleContext = "toggle_context",
    FocusNext = "focus_next",
    FocusPrev = "focus_prev",
    Save = "save",
    ScrollOutputUp = "scroll_output_up",
    ScrollOutputDown = "scroll_output_down",
    ToggleOutput = "toggle_output",
    SelectUp = "select_up",
    SelectDown = "select_down",
    MoveUp = "move_up",
    MoveDown = "move_down",
    Edit = "edit",
    EditFile = "edit_file",
    ExternalEditor = "external_editor",
    InsertBelow = "insert_below",
    InsertAbove = "insert_above",
    Delete = "delete",
    Duplicate = "duplicate",
    Undo = "undo",
    Redo = "redo",
    Details = "details",
    SelectNewer = "select_newer",
    SelectOlder = "select_older",
    ContextUp = "context_up",
    ContextDown = "context_down",
    ContextOpen = "context_open",
    ContextEdit = "context_edit",
    ContextTouch = "context_touch",
    ContextChmod = "context_chmod",
    ContextExternal = "context_external",
    ContextAdd = "context_add",
    ContextDelete = "context_delete",
    ContextReset = "context_reset",
    TogglePresent = "toggle_present",
    ToggleTheme = "toggle_theme",
    ToggleLang = "toggle_lang",
    DemoNext = "demo_next",
    DemoBack = "demo_back",
    DemoJump = "demo_jump",
    ExportScreen = "export_screen",
    LessonHint = "lesson_hint",
    LessonSolution = "lesson_solution",
    LessonNext = "lesson_next",
    LessonMenu = "lesson_menu",
    MenuUp = "menu_up",
    MenuDown = "menu_down",
    MenuOpen = "menu_open",
    MenuSandbox = "menu_sandbox",
    MenuResetLesson = "menu_reset_lesson",
    MenuResetStep = "menu_reset_step",
}

impl Action {
    /// What a key may ask for while a demo plays: its moves, and what
    /// changes how the screen shows it. Not `p`: a demo is the
    /// presentation layout, and the ordinary one would list keys that do
    /// nothing there.
    pub fn in_demo(self) -> bool {
        matches!(
            self,
            Action::DemoNext
                | Action::DemoBack
                | Action::DemoJump
                | Action::ToggleTheme
                | Action::ToggleLang
                | Action::Help
                | Action::Quit
                | Action::ExportScreen
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown action {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips() {
        for a in Action::ALL {
            assert_eq!(a.to_string().parse::<Action>(), Ok(*a));
        }
        assert!("fly".parse::<Action>().is_err());
    }
}
