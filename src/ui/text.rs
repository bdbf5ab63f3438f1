//! Text fitted to cells: display width (Korean characters take two cells),
//! truncation with an ellipsis, padding, and key names for people.

use crate::app::keymap::{Key, KeyCode};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    s.width()
}

/// Cut `s` to at most `w` cells (ending in `…` when cut).
pub fn truncate(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    if w > 0 {
        out.push('…');
    }
    out
}

/// Exactly `w` cells: cut, or padded with spaces on the right.
pub fn fit(s: &str, w: usize) -> String {
    let mut t = truncate(s, w);
    let pad = w.saturating_sub(t.width());
    t.push_str(&" ".repeat(pad));
    t
}

/// Exactly `w` cells, aligned right.
pub fn fit_right(s: &str, w: usize) -> String {
    let t = truncate(s, w);
    format!("{}{t}", " ".repeat(w.saturating_sub(t.width())))
}

/// A key as the footer and help print it: `↑`, `Alt+↓`, `^r`, `K`.
pub fn key_label(k: Key) -> String {
    let base = match k.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift+Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::F(n) => format!("F{n}"),
    };
    let mut s = String::new();
    if k.ctrl {
        s.push('^');
    }
    if k.alt {
        s.push_str("Alt+");
    }
    if k.shift {
        s.push_str("Shift+");
    }
    s.push_str(&base);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_counts_two_cells() {
        assert_eq!(width("레이어"), 6);
        assert_eq!(fit("레이어", 5), "레이…");
        assert_eq!(width(&fit("레이어", 5)), 5);
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit_right("ab", 4), "  ab");
    }
}
