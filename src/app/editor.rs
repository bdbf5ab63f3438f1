//! The multi-line editor, pure: a [`TextArea`] (lines and a cursor) and
//! what an [`Edit`] is of (some lines of the Dockerfile, the whole file, or
//! a context file). Keys come in as the app's keys; what they mean for the
//! model (keep, cancel, the text changed) goes back to `update`.

use crate::app::keymap::{Key, KeyCode};
use unicode_width::UnicodeWidthChar;

/// Lines of text and a cursor (line, column in characters). Never empty:
/// an empty text is one empty line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextArea {
    lines: Vec<String>,
    row: usize,
    col: usize,
}

/// What a key did to the text area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The text changed.
    Changed,
    /// Only the cursor moved (or nothing happened).
    Moved,
    /// Keep the edit (Esc, Ctrl-S).
    Keep,
    /// Throw the edit away (Ctrl-Q).
    Cancel,
}

/// Spaces a Tab inserts, and the indent a continuation line gets when the
/// line it continues has none (Docker's documentation indents so).
const INDENT: &str = "    ";

/// Lines PageUp/PageDown move.
const PAGE: usize = 10;

impl TextArea {
    /// `text`'s lines (split at `\n`), the cursor at the end of `row`.
    pub fn new(text: &str, row: usize) -> TextArea {
        TextArea::from_lines(text.split('\n').map(str::to_string).collect(), row)
    }

    pub fn from_lines(mut lines: Vec<String>, row: usize) -> TextArea {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = row.min(lines.len() - 1);
        let col = lines[row].chars().count();
        TextArea { lines, row, col }
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Whether there is nothing but white space.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    /// (line, column in characters).
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    /// Terminal cells before the cursor on its line: a Korean syllable
    /// takes two, so the cursor is drawn where the character is.
    pub fn cursor_cells(&self) -> usize {
        cells(self.line().chars().take(self.col))
    }

    fn line(&self) -> &str {
        &self.lines[self.row]
    }

    fn len(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    fn byte(&self, col: usize) -> usize {
        let line = self.line();
        line.char_indices().nth(col).map_or(line.len(), |(b, _)| b)
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte(self.col);
        self.lines[self.row].insert(at, c);
        self.col += 1;
    }

    fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            self.insert(c);
        }
    }

    /// Split the line at the cursor. The new line starts with the old
    /// line's indent, or with one when the old line ends in a continuation
    /// `\` and has none, so `ENV A=1 \` Enter `B=2` reads as Docker's
    /// documentation writes it.
    pub fn newline(&mut self) {
        let at = self.byte(self.col);
        let rest = self.lines[self.row].split_off(at);
        let head = &self.lines[self.row];
        let mut indent: String = head.chars().take_while(|c| c.is_whitespace()).collect();
        if indent.is_empty() && head.trim_end().ends_with('\\') {
            indent = INDENT.to_string();
        }
        let col = indent.chars().count();
        self.row += 1;
        self.lines.insert(self.row, indent + rest.trim_start());
        self.col = col;
    }

    /// Delete before the cursor; at a line's start, join it to the line
    /// above.
    pub fn backspace(&mut self) {
        if self.col > 0 {
            self.col -= 1;
            let at = self.byte(self.col);
            self.lines[self.row].remove(at);
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.len(self.row);
            self.lines[self.row].push_str(&line);
        }
    }

    /// Delete under the cursor; at a line's end, join the next line to it.
    pub fn delete(&mut self) {
        if self.col < self.len(self.row) {
            let at = self.byte(self.col);
            self.lines[self.row].remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.len(self.row);
        }
    }

    pub fn right(&mut self) {
        if self.col < self.len(self.row) {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    /// To line `row`, at the column nearest the cursor's on screen (in
    /// cells, so moving past Korean text keeps the cursor in its column).
    fn go_to_row(&mut self, row: usize) {
        let want = self.cursor_cells();
        self.row = row.min(self.lines.len() - 1);
        let mut used = 0;
        let mut col = 0;
        for c in self.line().chars() {
            let w = c.width().unwrap_or(0);
            if used + w > want {
                break;
            }
            used += w;
            col += 1;
        }
        self.col = col;
    }

    pub fn up(&mut self, n: usize) {
        if self.row == 0 {
            self.col = 0;
        } else {
            self.go_to_row(self.row.saturating_sub(n));
        }
    }

    pub fn down(&mut self, n: usize) {
        if self.row + 1 >= self.lines.len() {
            self.col = self.len(self.row);
        } else {
            self.go_to_row(self.row + n);
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.len(self.row);
    }

    /// Apply one key.
    pub fn key(&mut self, key: Key) -> Outcome {
        let before = (self.row, self.col, self.lines.len());
        match key.code {
            KeyCode::Esc => return Outcome::Keep,
            KeyCode::Char('s') if key.ctrl => return Outcome::Keep,
            KeyCode::Char('q') if key.ctrl => return Outcome::Cancel,
            // Emacs' line keys, which shells use too.
            KeyCode::Char('a') if key.ctrl => self.home(),
            KeyCode::Char('e') if key.ctrl => self.end(),
            KeyCode::Char(c) if !key.ctrl && !key.alt => {
                self.insert(c);
                return Outcome::Changed;
            }
            KeyCode::Enter => {
                self.newline();
                return Outcome::Changed;
            }
            KeyCode::Tab => {
                self.insert_str(INDENT);
                return Outcome::Changed;
            }
            KeyCode::Backspace => {
                self.backspace();
                let after = (self.row, self.col, self.lines.len());
                return if after == before {
                    Outcome::Moved
                } else {
                    Outcome::Changed
                };
            }
            KeyCode::Delete => {
                let len = (self.len(self.row), self.lines.len());
                self.delete();
                return if (self.len(self.row), self.lines.len()) == len {
                    Outcome::Moved
                } else {
                    Outcome::Changed
                };
            }
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Up => self.up(1),
            KeyCode::Down => self.down(1),
            KeyCode::PageUp => self.up(PAGE),
            KeyCode::PageDown => self.down(PAGE),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            _ => {}
        }
        Outcome::Moved
    }
}

/// Terminal cells `chars` take.
pub fn cells(chars: impl Iterator<Item = char>) -> usize {
    chars.map(|c| c.width().unwrap_or(0)).sum()
}

/// What is being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    /// Lines of the Dockerfile, edited in place: the document holds the
    /// editor's lines from `first` while the edit is open (so the preview
    /// follows the typing); they stand for `replaced` lines of `before`,
    /// the text as the edit found it (0 for an insert).
    Dockerfile {
        first: usize,
        replaced: usize,
        before: Vec<String>,
        /// The instruction selected before the edit.
        selected: usize,
        /// The whole file is open.
        whole: bool,
    },
    /// A file of the build context (its path in the context) and its text
    /// as the edit found it; kept as a simulated change.
    Context { path: String, original: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub area: TextArea,
    pub target: EditTarget,
}

impl Edit {
    /// The Dockerfile's lines with the editor's in place of the ones it
    /// stands for; `keep` drops the editor's lines when they are blank (an
    /// instruction emptied is deleted, an insert left empty adds nothing).
    /// None for a context file.
    pub fn dockerfile_lines(&self, keep: bool) -> Option<Vec<String>> {
        let EditTarget::Dockerfile {
            first,
            replaced,
            before,
            ..
        } = &self.target
        else {
            return None;
        };
        let first = (*first).min(before.len());
        let end = (first + replaced).min(before.len());
        let mut lines = Vec::with_capacity(before.len() + self.area.lines.len());
        lines.extend_from_slice(&before[..first]);
        if !(keep && self.area.is_blank()) {
            lines.extend_from_slice(&self.area.lines);
        }
        lines.extend_from_slice(&before[end..]);
        Some(lines)
    }

    /// The document lines the editor occupies while open.
    pub fn rows(&self) -> Option<std::ops::Range<usize>> {
        match &self.target {
            EditTarget::Dockerfile { first, .. } => Some(*first..first + self.area.lines.len()),
            EditTarget::Context { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(area: &mut TextArea, keys: &str) {
        for k in keys.split_whitespace() {
            area.key(k.parse().expect("a key"));
        }
    }

    fn chars(area: &mut TextArea, text: &str) {
        for c in text.chars() {
            area.key(Key::char(c));
        }
    }

    #[test]
    fn enter_splits_and_indents_a_continuation_and_backspace_joins() {
        let mut a = TextArea::new("", 0);
        chars(&mut a, "ENV A=1 \\");
        assert_eq!(a.key(Key::plain(KeyCode::Enter)), Outcome::Changed);
        chars(&mut a, "B=2");
        assert_eq!(a.lines(), ["ENV A=1 \\", "    B=2"]);
        assert_eq!(a.cursor(), (1, 7));
        // An indented line's indent carries on.
        typed(&mut a, "enter");
        assert_eq!(a.lines()[2], "    ");
        typed(&mut a, "backspace backspace backspace backspace backspace");
        assert_eq!(a.lines(), ["ENV A=1 \\", "    B=2"]);
        assert_eq!(a.cursor(), (1, 7));
        // At a line's start Backspace joins it to the line above.
        typed(&mut a, "home backspace");
        assert_eq!(a.lines(), ["ENV A=1 \\    B=2"]);
        assert_eq!(a.cursor(), (0, 9));
        // Delete at a line's end joins the next one.
        let mut b = TextArea::new("RUN a\nb", 0);
        typed(&mut b, "end delete");
        assert_eq!(b.text(), "RUN ab");
        typed(&mut b, "end");
        assert_eq!(b.key(Key::plain(KeyCode::Delete)), Outcome::Moved);
    }

    #[test]
    fn arrows_cross_lines_and_keep_the_column_on_screen() {
        let mut a = TextArea::new("FROM alpine\nRUN x", 0);
        assert_eq!(a.cursor(), (0, 11));
        typed(&mut a, "down");
        assert_eq!(a.cursor(), (1, 5), "clamped to the shorter line");
        typed(&mut a, "right");
        assert_eq!(a.cursor(), (1, 5), "nothing after the last character");
        typed(&mut a, "home left");
        assert_eq!(
            a.cursor(),
            (0, 11),
            "left at a start goes to the line above"
        );
        typed(&mut a, "right");
        assert_eq!(a.cursor(), (1, 0));
        typed(&mut a, "up up");
        assert_eq!(a.cursor(), (0, 0), "up on the first line goes to its start");
        // Korean: two cells a character; moving down from column 4 (two
        // syllables in) lands at cell 4 of an ASCII line.
        let mut k = TextArea::new("# 안녕\nRUN echo", 0);
        typed(&mut k, "home right right right");
        assert_eq!(k.cursor_cells(), 4);
        typed(&mut k, "down");
        assert_eq!(k.cursor(), (1, 4));
        typed(&mut k, "right up");
        // Cell 5 falls inside 녕: the cursor stays before it.
        assert_eq!(k.cursor(), (0, 3));
        assert_eq!(k.cursor_cells(), 4);
        chars(&mut k, "하");
        assert_eq!(k.lines()[0], "# 안하녕");
        assert_eq!(k.cursor_cells(), 6);
    }

    #[test]
    fn keep_and_cancel_keys() {
        let mut a = TextArea::new("x", 0);
        assert_eq!(a.key(Key::plain(KeyCode::Esc)), Outcome::Keep);
        assert_eq!(a.key(Key::ctrl('s')), Outcome::Keep);
        assert_eq!(a.key(Key::ctrl('q')), Outcome::Cancel);
        assert_eq!(a.key(Key::ctrl('x')), Outcome::Moved);
        assert_eq!(a.text(), "x");
    }

    #[test]
    fn the_dockerfile_lines_put_the_editors_in_place() {
        let before: Vec<String> = ["FROM a", "RUN b \\", "  c", "CMD d"]
            .map(String::from)
            .to_vec();
        let edit = Edit {
            area: TextArea::new("RUN b", 0),
            target: EditTarget::Dockerfile {
                first: 1,
                replaced: 2,
                before,
                selected: 1,
                whole: false,
            },
        };
        assert_eq!(
            edit.dockerfile_lines(true).unwrap(),
            ["FROM a", "RUN b", "CMD d"]
        );
        assert_eq!(edit.rows(), Some(1..2));
        let mut blank = edit;
        blank.area = TextArea::new("  ", 0);
        assert_eq!(blank.dockerfile_lines(true).unwrap(), ["FROM a", "CMD d"]);
        assert_eq!(
            blank.dockerfile_lines(false).unwrap(),
            ["FROM a", "  ", "CMD d"]
        );
    }
}
