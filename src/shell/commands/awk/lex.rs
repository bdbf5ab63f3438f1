//! awk's tokens. A `/` starts a regex where an operand may start (after
//! an operator, `(`, `,`, a keyword or the start), and divides elsewhere.

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    Regex(String),
    Name(String),
    /// A name directly followed by `(`: a function call.
    Call(String),
    Builtin(String),
    Keyword(&'static str),
    Op(&'static str),
    Newline,
}

const KEYWORDS: &[&str] = &[
    "BEGIN", "END", "function", "func", "if", "else", "while", "for", "do", "break", "continue",
    "next", "nextfile", "exit", "return", "delete", "in", "getline", "print", "printf",
];

const BUILTINS: &[&str] = &[
    "length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "tolower", "toupper",
    "int", "system", "close", "srand", "rand", "sin", "cos", "atan2", "exp", "log", "sqrt",
    "fflush",
];

const OPS: &[&str] = &[
    "+=", "-=", "*=", "/=", "%=", "^=", "**=", "==", "<=", ">=", "!=", "++", "--", "&&", "||",
    ">>", "!~", "**", "{", "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^", "!",
    ">", "<", "|", "?", ":", "~", "$", "=",
];

/// Tokens with the line each starts on.
pub fn lex(src: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut out: Vec<(Tok, usize)> = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            out.push((Tok::Newline, line));
            line += 1;
            i += 1;
            continue;
        }
        if ch == ' ' || ch == '\t' || ch == '\r' {
            i += 1;
            continue;
        }
        if ch == '\\' && c.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
            continue;
        }
        if ch == '#' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if ch.is_ascii_digit() || (ch == '.' && c.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '.') {
                if (c[i] == 'e' || c[i] == 'E') && matches!(c.get(i + 1), Some('+' | '-')) {
                    i += 1;
                }
                i += 1;
            }
            let text: String = c[start..i].iter().collect();
            let n = if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                i64::from_str_radix(h, 16).map(|n| n as f64).ok()
            } else {
                text.parse::<f64>().ok()
            };
            out.push((
                Tok::Num(n.ok_or((line, "Unexpected token".to_owned()))?),
                line,
            ));
            continue;
        }
        if ch.is_ascii_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let w: String = c[start..i].iter().collect();
            let tok = if let Some(k) = KEYWORDS.iter().find(|k| **k == w) {
                Tok::Keyword(if *k == "func" { "function" } else { k })
            } else if BUILTINS.contains(&w.as_str()) {
                Tok::Builtin(w)
            } else if c.get(i) == Some(&'(') {
                Tok::Call(w)
            } else {
                Tok::Name(w)
            };
            out.push((tok, line));
            continue;
        }
        if ch == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = c.get(i) else {
                    return Err((line, "Unexpected end of string".to_owned()));
                };
                i += 1;
                match d {
                    '"' => break,
                    '\n' => return Err((line, "Unexpected end of string".to_owned())),
                    '\\' => {
                        let e = c.get(i).copied().unwrap_or('\\');
                        i += 1;
                        match e {
                            'n' => s.push('\n'),
                            't' => s.push('\t'),
                            'r' => s.push('\r'),
                            '\\' => s.push('\\'),
                            '"' => s.push('"'),
                            '/' => s.push('/'),
                            'a' => s.push('\x07'),
                            'b' => s.push('\x08'),
                            'f' => s.push('\x0c'),
                            'v' => s.push('\x0b'),
                            '0'..='7' => {
                                let mut v = e.to_digit(8).unwrap_or(0);
                                for _ in 0..2 {
                                    match c.get(i).and_then(|d| d.to_digit(8)) {
                                        Some(d) => {
                                            v = v * 8 + d;
                                            i += 1;
                                        }
                                        None => break,
                                    }
                                }
                                s.push(char::from_u32(v).unwrap_or('?'));
                            }
                            '\n' => line += 1,
                            other => {
                                s.push('\\');
                                s.push(other);
                            }
                        }
                    }
                    _ => s.push(d),
                }
            }
            out.push((Tok::Str(s), line));
            continue;
        }
        if ch == '/' && regex_allowed(out.last().map(|t| &t.0)) {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = c.get(i) else {
                    return Err((line, "Unexpected end of regex".to_owned()));
                };
                i += 1;
                match d {
                    '/' => break,
                    '\n' => return Err((line, "Unexpected end of regex".to_owned())),
                    '\\' if c.get(i) == Some(&'/') => {
                        s.push('/');
                        i += 1;
                    }
                    '\\' => {
                        s.push('\\');
                        if let Some(&e) = c.get(i) {
                            s.push(e);
                            i += 1;
                        }
                    }
                    _ => s.push(d),
                }
            }
            out.push((Tok::Regex(s), line));
            continue;
        }
        let rest: String = c[i..c.len().min(i + 3)].iter().collect();
        let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) else {
            return Err((line, "Unexpected token".to_owned()));
        };
        i += op.chars().count();
        out.push((Tok::Op(op), line));
    }
    Ok(out)
}

fn regex_allowed(prev: Option<&Tok>) -> bool {
    match prev {
        None | Some(Tok::Newline | Tok::Keyword(_)) => true,
        Some(Tok::Op(o)) => !matches!(*o, ")" | "]" | "$" | "++" | "--"),
        _ => false,
    }
}
