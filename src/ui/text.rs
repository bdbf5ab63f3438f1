//! Text fitted to cells: display width (Korean characters take two cells),
//! truncation with an ellipsis, padding, and key names for people.

use crate::app::keymap::{Key, KeyCode};
use ratatui::text::{Line, Span};
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

/// A line cut to at most `w` cells, span by span, keeping each span's
/// style; the last span kept ends in `…` when anything was cut. Every pane
/// cuts its text through here (or [`truncate`]), so nothing is cut silently
/// and a wide character is never split at the edge.
pub fn cut_line(line: Line<'static>, w: usize) -> Line<'static> {
    let total: usize = line.spans.iter().map(|s| s.content.width()).sum();
    if total <= w {
        return line;
    }
    let style = line.style;
    let mut used = 0;
    let mut spans = Vec::new();
    for s in line.spans {
        let left = w - used;
        let sw = s.content.width();
        // The ellipsis needs a cell of its own, so a span that fills the
        // rest exactly is cut too (something follows it).
        if sw < left {
            used += sw;
            spans.push(s);
            continue;
        }
        spans.push(Span::styled(truncate_always(&s.content, left), s.style));
        break;
    }
    Line::from(spans).style(style)
}

/// `s` cut to `w` cells with a closing `…`, even when it would fit: the
/// text continues past it.
fn truncate_always(s: &str, w: usize) -> String {
    if w == 0 {
        return String::new();
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
    out.push('…');
    out
}

/// A pane title cut to fit between the corners of a pane `pane_w` cells
/// wide (ratatui would cut it silently).
pub fn title(s: &str, pane_w: u16) -> String {
    truncate(s, (pane_w as usize).saturating_sub(2))
}

/// `s` broken into lines of at most `w` cells at the separator `sep` (the
/// separator stays at the end of the line it closes); a part wider than
/// `w` on its own is cut with `…`.
pub fn wrap_at(s: &str, sep: &str, w: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let parts: Vec<&str> = s.split(sep).collect();
    for (i, part) in parts.iter().enumerate() {
        let piece = if i + 1 < parts.len() {
            format!("{part}{}", sep.trim_end())
        } else {
            (*part).to_string()
        };
        let joined = if cur.is_empty() {
            piece.clone()
        } else {
            format!("{cur} {piece}")
        };
        if joined.width() <= w || cur.is_empty() {
            cur = joined;
        } else {
            out.push(truncate(&cur, w));
            cur = piece;
        }
    }
    if !cur.is_empty() {
        out.push(truncate(&cur, w));
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

/// Keys as the help lists them, `, ` between them; digits bound in a run
/// (a demo's `1` to `9`) are one range, `1–9`.
pub fn keys_label(keys: &[Key]) -> String {
    let digit = |k: &Key| match k.code {
        KeyCode::Char(c) if !k.ctrl && !k.alt => c.to_digit(10),
        _ => None,
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let mut j = i;
        while let (Some(a), Some(b)) = (digit(&keys[j]), keys.get(j + 1).and_then(digit)) {
            if b != a + 1 {
                break;
            }
            j += 1;
        }
        if j >= i + 2 {
            out.push(format!("{}–{}", key_label(keys[i]), key_label(keys[j])));
        } else {
            out.extend(keys[i..=j].iter().map(|k| key_label(*k)));
        }
        i = j + 1;
    }
    out.join(", ")
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
    fn a_run_of_digits_is_one_range() {
        let keys: Vec<Key> = "1 2 3 4 right x"
            .split(' ')
            .map(|k| k.parse().unwrap())
            .collect();
        assert_eq!(keys_label(&keys), "1–4, →, x");
        let two: Vec<Key> = vec![Key::char('1'), Key::char('2')];
        assert_eq!(keys_label(&two), "1, 2");
    }

    #[test]
    fn korean_counts_two_cells() {
        assert_eq!(width("레이어"), 6);
        assert_eq!(fit("레이어", 5), "레이…");
        assert_eq!(width(&fit("레이어", 5)), 5);
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit_right("ab", 4), "  ab");
    }

    fn plain(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_cut_line_ends_in_an_ellipsis_and_keeps_styles() {
        use ratatui::style::{Color, Style};
        let red = Style::default().fg(Color::Red);
        let l = Line::from(vec![Span::raw("ab"), Span::styled("레이어", red)]);
        let cut = cut_line(l.clone(), 6);
        assert_eq!(plain(&cut), "ab레…");
        assert_eq!(cut.spans[1].style, red);
        assert!(width(&plain(&cut)) <= 6);
        // A span that ends exactly at the edge, with more after it.
        let l2 = Line::from(vec![Span::raw("abc"), Span::raw("def")]);
        assert_eq!(plain(&cut_line(l2, 3)), "ab…");
        assert_eq!(plain(&cut_line(l.clone(), 8)), "ab레이어");
        // A wide character that would straddle the edge is left out.
        assert_eq!(plain(&cut_line(l, 4)), "ab…");
    }

    #[test]
    fn wrapping_at_a_separator_keeps_every_part() {
        let s = "2 of 4 steps rebuilt · 0.4 s (cache saved 0.0 s) · 75.5MB";
        let lines = wrap_at(s, " · ", 30);
        assert_eq!(
            lines,
            [
                "2 of 4 steps rebuilt ·",
                "0.4 s (cache saved 0.0 s) ·",
                "75.5MB"
            ]
        );
        assert_eq!(wrap_at(s, " · ", 200), [s]);
        assert_eq!(wrap_at("abcdef", " · ", 4), ["abc…"]);
    }
}
