//! Dockerfile syntax colouring for one line: keyword, flags, strings,
//! variables, comments.

use crate::ui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Span;

/// Spans of `line`; `starts_instruction` says whether its first word is the
/// keyword (continuation lines have none).
pub fn line_spans(line: &str, starts_instruction: bool, theme: Theme) -> Vec<Span<'static>> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let mut out = Vec::new();
    if !indent.is_empty() {
        out.push(Span::raw(indent.to_string()));
    }
    if trimmed.starts_with('#') {
        out.push(Span::styled(trimmed.to_string(), theme.comment()));
        return out;
    }
    let mut rest = trimmed;
    if starts_instruction {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push(Span::styled(rest[..end].to_string(), theme.keyword()));
        rest = &rest[end..];
    }
    words(rest, theme, &mut out);
    out
}

fn words(s: &str, theme: Theme, out: &mut Vec<Span<'static>>) {
    let mut plain = String::new();
    let flush = |plain: &mut String, out: &mut Vec<Span<'static>>| {
        if !plain.is_empty() {
            out.push(Span::raw(std::mem::take(plain)));
        }
    };
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_word_start = i == 0 || chars[i - 1].is_whitespace();
        if c == '"' || c == '\'' {
            flush(&mut plain, out);
            let mut j = i + 1;
            while j < chars.len() && chars[j] != c {
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            out.push(styled(&chars[i..end], theme.string()));
            i = end;
        } else if c == '$' {
            flush(&mut plain, out);
            let mut j = i + 1;
            if chars.get(j) == Some(&'{') {
                while j < chars.len() && chars[j] != '}' {
                    j += 1;
                }
                j = (j + 1).min(chars.len());
            } else {
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
            }
            out.push(styled(&chars[i..j], theme.variable()));
            i = j;
        } else if c == '-' && at_word_start && chars.get(i + 1) == Some(&'-') {
            flush(&mut plain, out);
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() {
                j += 1;
            }
            out.push(styled(&chars[i..j], theme.flag()));
            i = j;
        } else {
            plain.push(c);
            i += 1;
        }
    }
    flush(&mut plain, out);
}

fn styled(chars: &[char], style: Style) -> Span<'static> {
    Span::styled(chars.iter().collect::<String>(), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_flag_string_variable() {
        let t = Theme::new(false);
        let spans = line_spans("COPY --chown=a \"x y\" $HOME/b", true, t);
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(
            texts,
            vec!["COPY", " ", "--chown=a", " ", "\"x y\"", " ", "$HOME", "/b"]
        );
        assert_eq!(spans[0].style, t.keyword());
        assert_eq!(spans[2].style, t.flag());
        assert_eq!(spans[4].style, t.string());
        assert_eq!(spans[6].style, t.variable());
    }
}
