//! The bits of Go's `fmt` that Docker's texts are printed with: `%q` of
//! strings, string slices and ints, `%v` of string slices, and
//! `time.Duration.String` (and its reverse, `time.ParseDuration`, for the
//! flags and filters that take one). Error messages and history rows must match
//! BuildKit's byte for byte, so they are all quoted here.

use finl_unicode::categories::CharacterCategories;
use std::fmt::Write;

/// `%q` of a string: Go's `strconv.Quote`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// `%q` of an int: a single-quoted rune literal (`'\x03'` for 3). Values
/// beyond Unicode print as the replacement character, like Go.
pub(crate) fn quote_int_as_rune(value: i64) -> String {
    let c = u32::try_from(value)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut out = String::from('\'');
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// `%q` of a `[]string`: `["cat" "/app/app.js"]`.
pub(crate) fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// `%v` of a `[]string`: `[/bin/sh -c]`.
pub(crate) fn plain_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// Go's `time.Duration.String`: `0s`, `1.5s`, `1m30s`, `2h0m0s`, `500ms`.
pub(crate) fn duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let mut u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (prec, unit) = match u {
            0..=999 => (0, "ns"),
            1_000..=999_999 => (3, "µs"),
            _ => (6, "ms"),
        };
        let (whole, frac) = split_fraction(u, prec);
        return format!("{sign}{whole}{frac}{unit}");
    }
    let (seconds, frac) = split_fraction(u, 9);
    u = seconds;
    let mut out = format!("{}{frac}s", u % 60);
    u /= 60;
    if u > 0 {
        out = format!("{}m{out}", u % 60);
        u /= 60;
        if u > 0 {
            out = format!("{u}h{out}");
        }
    }
    format!("{sign}{out}")
}

/// `v / 10^prec` and its fraction as `.ddd` without trailing zeros (empty
/// when the fraction is zero) — Go's `fmtFrac`.
fn split_fraction(v: u64, prec: u32) -> (u64, String) {
    let scale = 10u64.pow(prec);
    let frac = v % scale;
    if frac == 0 {
        return (v / scale, String::new());
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    (v / scale, format!(".{}", digits.trim_end_matches('0')))
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_go_printable(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\u{0c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0b}' => out.push_str("\\v"),
        c if u32::from(c) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c if u32::from(c) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\U{:08x}", u32::from(c));
        }
    }
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space (other spaces are escaped).
fn is_go_printable(c: char) -> bool {
    c == ' ' || c.is_letter() || c.is_mark() || c.is_number() || c.is_punctuation() || c.is_symbol()
}

/// A Go duration (`30s`, `1m30s`, `500ms`, `1h`) in nanoseconds.
pub(crate) fn parse_duration(text: &str) -> Option<i64> {
    let mut rest = text;
    let mut total: f64 = 0.0;
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(0);
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Some(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_strconv_quote() {
        assert_eq!(quote("cat"), "\"cat\"");
        assert_eq!(quote("say \"hi\"\\n"), "\"say \\\"hi\\\"\\\\n\"");
        assert_eq!(quote("a\tb\nc\u{1}\u{7f}"), "\"a\\tb\\nc\\x01\\x7f\"");
        assert_eq!(quote("héllo ☺"), "\"héllo ☺\"");
        assert_eq!(quote("nb\u{a0}sp"), "\"nb\\u00a0sp\"");
        assert_eq!(quote("'"), "\"'\"");
    }

    #[test]
    fn ints_quote_as_rune_literals() {
        assert_eq!(quote_int_as_rune(0), "'\\x00'");
        assert_eq!(quote_int_as_rune(3), "'\\x03'");
        assert_eq!(quote_int_as_rune(65), "'A'");
        assert_eq!(quote_int_as_rune(39), "'\\''");
        assert_eq!(quote_int_as_rune(-1), "'\u{fffd}'");
    }

    #[test]
    fn lists_print_like_go() {
        let cmd = vec!["cat".to_owned(), "/app/app.js".to_owned()];
        assert_eq!(quote_list(&cmd), "[\"cat\" \"/app/app.js\"]");
        assert_eq!(plain_list(&cmd), "[cat /app/app.js]");
        assert_eq!(plain_list(&[]), "[]");
    }

    #[test]
    fn durations_print_like_go() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (500_000_000, "500ms"),
            (1_000_000_000, "1s"),
            (1_500_000_000, "1.5s"),
            (30_000_000_000, "30s"),
            (90_000_000_000, "1m30s"),
            (300_000_000_000, "5m0s"),
            (7_200_000_000_000, "2h0m0s"),
            (3_723_000_000_001, "1h2m3.000000001s"),
            (-1_500_000_000, "-1.5s"),
        ];
        for &(nanos, want) in cases {
            assert_eq!(duration(nanos), want, "{nanos}ns");
        }
    }
}
