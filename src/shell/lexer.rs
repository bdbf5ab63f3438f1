//! Turns script text into tokens: words (with their quoting kept as
//! [`WordPart`]s), operators and newlines. Here-document bodies are read
//! when the newline after their `<<` is reached; `$(…)` and backquotes are
//! parsed recursively into programs right away, so a syntax error inside
//! them surfaces at parse time as it does in ash. The parser hands itself in
//! for those bodies ([`ParseBody`]), so the lexer does not depend on it.

use std::rc::Rc;

use super::ast::{ParamExp, ParamOp, Program, Word, WordPart};
use super::SyntaxError;

/// Parses the tokens of a `$(…)` or backquoted body, at a nesting depth,
/// into a program: the parser's entry point, given to [`lex`] by the parser.
pub(crate) type ParseBody = fn(Lexed, usize) -> Result<Program, SyntaxError>;

/// Deepest nesting of `$(…)`, `${…}` and quotes inside each other before the
/// lexer gives up (keeps hostile input from overflowing the stack).
pub(crate) const MAX_NESTING: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Word(Word),
    /// Digits right before `<` or `>`: the descriptor of a redirection.
    IoNumber(u32),
    Op(Op),
    Newline,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    AndIf,
    OrIf,
    DSemi,
    Semi,
    Amp,
    Pipe,
    LParen,
    RParen,
    Less,
    Great,
    DGreat,
    Clobber,
    LessGreat,
    LessAnd,
    GreatAnd,
    /// `<<` or `<<-` with the index of its body in [`Lexed::heredocs`].
    HereDoc {
        strip_tabs: bool,
        index: usize,
    },
}

impl Op {
    pub fn text(self) -> &'static str {
        match self {
            Op::AndIf => "&&",
            Op::OrIf => "||",
            Op::DSemi => ";;",
            Op::Semi => ";",
            Op::Amp => "&",
            Op::Pipe => "|",
            Op::LParen => "(",
            Op::RParen => ")",
            Op::Less => "<",
            Op::Great => ">",
            Op::DGreat => ">>",
            Op::Clobber => ">|",
            Op::LessGreat => "<>",
            Op::LessAnd => "<&",
            Op::GreatAnd => ">&",
            Op::HereDoc {
                strip_tabs: false, ..
            } => "<<",
            Op::HereDoc {
                strip_tabs: true, ..
            } => "<<-",
        }
    }
}

/// A token and the zero-based line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
}

/// The lexer's output: tokens (ending in [`Tok::Eof`]) and here-doc bodies.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub heredocs: Vec<Word>,
}

struct PendingHereDoc {
    delimiter: String,
    strip_tabs: bool,
    quoted: bool,
    index: usize,
}

pub(crate) struct Lexer<'a> {
    src: &'a [char],
    parse_body: ParseBody,
    pos: usize,
    line: usize,
    depth: usize,
    pending: Vec<PendingHereDoc>,
    heredocs: Vec<Word>,
}

/// Tokenizes a whole script; command substitutions are parsed with
/// `parse_body`.
pub(crate) fn lex(src: &str, parse_body: ParseBody) -> Result<Lexed, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut lx = Lexer::new(&chars, parse_body, 0, 0, 0);
    let tokens = lx.tokens(false)?;
    Ok(Lexed {
        tokens,
        heredocs: lx.heredocs,
    })
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>'
    )
}

pub(crate) fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

pub(crate) fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// How literal text inside a word-like context is treated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Inside `"…"`: only `$`, backquote and `\` before `$ \` " newline` are special.
    Double,
    /// A here-doc body: like `Double`, but `"` is ordinary.
    HereDoc,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a [char], parse_body: ParseBody, pos: usize, line: usize, depth: usize) -> Self {
        Self {
            src,
            parse_body,
            pos,
            line,
            depth,
            pending: Vec::new(),
            heredocs: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src.get(self.pos + n).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn nested(&self) -> Result<usize, SyntaxError> {
        if self.depth >= MAX_NESTING {
            return Err(SyntaxError::new("syntax error: nesting too deep"));
        }
        Ok(self.depth + 1)
    }

    /// Tokens up to the end of input, or — when `in_subst` — up to the `)`
    /// closing a `$(`, which is consumed but not returned.
    fn tokens(&mut self, in_subst: bool) -> Result<Vec<Token>, SyntaxError> {
        let mut out = Vec::new();
        // Parentheses opened inside the substitution, and `case` words seen
        // (a `case` pattern's `)` must not close the substitution).
        let mut parens = 0usize;
        let mut cases = 0usize;
        loop {
            let tok = self.next_token()?;
            match &tok.tok {
                Tok::Eof => {
                    if in_subst {
                        return Err(SyntaxError::new(
                            "syntax error: unexpected end of file (expecting \")\")",
                        ));
                    }
                    out.push(tok);
                    return Ok(out);
                }
                Tok::Op(Op::LParen) => parens += 1,
                Tok::Op(Op::RParen) if in_subst && parens == 0 && cases == 0 => {
                    out.push(Token {
                        tok: Tok::Eof,
                        line: tok.line,
                    });
                    return Ok(out);
                }
                Tok::Op(Op::RParen) if parens > 0 => parens -= 1,
                Tok::Word(w) if in_subst => match w.as_plain() {
                    Some("case") => cases += 1,
                    Some("esac") => cases = cases.saturating_sub(1),
                    _ => {}
                },
                _ => {}
            }
            out.push(tok);
        }
    }

    fn next_token(&mut self) -> Result<Token, SyntaxError> {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.bump();
                }
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let line = self.line;
        let Some(c) = self.peek() else {
            self.read_heredocs()?;
            return Ok(Token {
                tok: Tok::Eof,
                line,
            });
        };
        let tok = match c {
            '\n' => {
                self.bump();
                self.read_heredocs()?;
                Tok::Newline
            }
            ';' | '&' | '|' | '(' | ')' | '<' | '>' => Tok::Op(self.operator()?),
            _ => {
                // An all-digit word right before `<`/`>` names a descriptor.
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
                if self.pos > start && matches!(self.peek(), Some('<' | '>')) {
                    let digits: String = self.src[start..self.pos].iter().collect();
                    match digits.parse::<u32>() {
                        Ok(n) => Tok::IoNumber(n),
                        Err(_) => return Err(SyntaxError::new("syntax error: bad fd number")),
                    }
                } else {
                    self.pos = start;
                    Tok::Word(self.word()?)
                }
            }
        };
        Ok(Token { tok, line })
    }

    fn operator(&mut self) -> Result<Op, SyntaxError> {
        let c = self.bump().unwrap_or(';');
        let op = match c {
            ';' if self.eat(';') => Op::DSemi,
            ';' => Op::Semi,
            '&' if self.eat('&') => Op::AndIf,
            '&' => Op::Amp,
            '|' if self.eat('|') => Op::OrIf,
            '|' => Op::Pipe,
            '(' => Op::LParen,
            ')' => Op::RParen,
            '>' if self.eat('>') => Op::DGreat,
            '>' if self.eat('|') => Op::Clobber,
            '>' if self.eat('&') => Op::GreatAnd,
            '>' => Op::Great,
            '<' if self.eat('<') => {
                let strip_tabs = self.eat('-');
                return self.heredoc_operator(strip_tabs);
            }
            '<' if self.eat('>') => Op::LessGreat,
            '<' if self.eat('&') => Op::LessAnd,
            _ => Op::Less,
        };
        Ok(op)
    }

    /// `<<` has just been read: the delimiter word follows; its body is read
    /// at the next newline.
    fn heredoc_operator(&mut self, strip_tabs: bool) -> Result<Op, SyntaxError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        if self.peek().is_none_or(is_meta) {
            return Err(SyntaxError::new(match self.peek() {
                None | Some('\n') => "syntax error: unexpected newline".to_owned(),
                Some(c) => format!("syntax error: unexpected \"{c}\""),
            }));
        }
        let save = self.pos;
        let delim = self.word()?;
        // The delimiter is also emitted as a word token so the parser sees
        // the usual `op word` shape.
        self.pos = save;
        let index = self.heredocs.len();
        self.heredocs.push(Word::default());
        self.pending.push(PendingHereDoc {
            delimiter: delim.unquoted_text(),
            strip_tabs,
            quoted: delim.has_quotes(),
            index,
        });
        Ok(Op::HereDoc { strip_tabs, index })
    }

    fn read_heredocs(&mut self) -> Result<(), SyntaxError> {
        for doc in std::mem::take(&mut self.pending) {
            let mut body = String::new();
            loop {
                if self.peek().is_none() {
                    break;
                }
                let mut line = String::new();
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                    line.push(c);
                }
                let text = if doc.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line.as_str()
                };
                if text == doc.delimiter {
                    break;
                }
                body.push_str(text);
                body.push('\n');
            }
            let word = if doc.quoted {
                Word {
                    parts: vec![WordPart::Quoted(body)],
                }
            } else {
                let chars: Vec<char> = body.chars().collect();
                let mut sub = Lexer::new(&chars, self.parse_body, 0, self.line, self.nested()?);
                Word {
                    parts: sub.quoted_parts(Mode::HereDoc)?,
                }
            };
            if let Some(slot) = self.heredocs.get_mut(doc.index) {
                *slot = word;
            }
        }
        Ok(())
    }

    /// One word, up to the next unquoted metacharacter.
    fn word(&mut self) -> Result<Word, SyntaxError> {
        let mut out = Parts::new(false);
        while let Some(c) = self.peek() {
            if is_meta(c) {
                break;
            }
            if c == '\\' {
                self.bump();
                match self.bump() {
                    Some('\n') => {}
                    Some(e) => out.push(WordPart::Quoted(e.to_string())),
                    None => out.push_char('\\'),
                }
            } else {
                self.piece(c, &mut out)?;
            }
        }
        Ok(Word {
            parts: out.finish(),
        })
    }

    fn single_quoted(&mut self) -> Result<String, SyntaxError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('\'') => return Ok(s),
                Some(c) => s.push(c),
                None => return Err(SyntaxError::new("syntax error: unterminated quoted string")),
            }
        }
    }

    /// The inside of `$'…'` (busybox's bash extension), after the
    /// opening quote: backslash escapes as busybox 1.35 reads them — the C
    /// letters `a b f n r t v`, `\\ \' \"`, octal `\NNN` and `\xHH` — while
    /// any other escape (`\e`, `\u…`, `\c…`) stays as typed and a NUL byte
    /// is dropped (no argument can hold one). Bytes that are not UTF-8
    /// become U+FFFD, as the shell's words are text.
    fn dollar_single(&mut self) -> Result<String, SyntaxError> {
        let mut bytes = Vec::new();
        let push = |bytes: &mut Vec<u8>, c: char| {
            let mut buf = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        };
        loop {
            match self.bump() {
                Some('\'') => break,
                Some('\\') => {
                    let Some(e) = self.bump() else {
                        return Err(SyntaxError::new("syntax error: unterminated quoted string"));
                    };
                    let simple = match e {
                        'a' => Some(7),
                        'b' => Some(8),
                        'f' => Some(12),
                        'n' => Some(b'\n'),
                        'r' => Some(b'\r'),
                        't' => Some(b'\t'),
                        'v' => Some(11),
                        '\\' | '\'' | '"' => Some(e as u8),
                        _ => None,
                    };
                    if let Some(b) = simple {
                        bytes.push(b);
                    } else if let Some(d) = e.to_digit(8) {
                        let mut v = d;
                        for _ in 0..2 {
                            match self.peek().and_then(|c| c.to_digit(8)) {
                                Some(d) => {
                                    self.bump();
                                    v = v * 8 + d;
                                }
                                None => break,
                            }
                        }
                        bytes.push((v & 0xff) as u8);
                    } else if e == 'x' && self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                        let mut v = 0;
                        for _ in 0..2 {
                            match self.peek().and_then(|c| c.to_digit(16)) {
                                Some(d) => {
                                    self.bump();
                                    v = v * 16 + d;
                                }
                                None => break,
                            }
                        }
                        bytes.push((v & 0xff) as u8);
                    } else {
                        bytes.push(b'\\');
                        push(&mut bytes, e);
                    }
                }
                Some(c) => push(&mut bytes, c),
                None => return Err(SyntaxError::new("syntax error: unterminated quoted string")),
            }
        }
        bytes.retain(|b| *b != 0);
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn double_quoted(&mut self) -> Result<Vec<WordPart>, SyntaxError> {
        let depth = self.nested()?;
        let saved = std::mem::replace(&mut self.depth, depth);
        let parts = self.quoted_parts(Mode::Double);
        self.depth = saved;
        let parts = parts?;
        if !self.eat('"') {
            return Err(SyntaxError::new("syntax error: unterminated quoted string"));
        }
        Ok(parts)
    }

    /// The inside of `"…"` (stopping before the closing quote) or a whole
    /// here-doc body.
    fn quoted_parts(&mut self, mode: Mode) -> Result<Vec<WordPart>, SyntaxError> {
        let mut out = Parts::new(true);
        while let Some(c) = self.peek() {
            match c {
                '"' if mode == Mode::Double => break,
                '\\' => {
                    self.bump();
                    match self.peek() {
                        Some('\n') => {
                            self.bump();
                        }
                        Some(e @ ('$' | '`' | '\\')) => {
                            self.bump();
                            out.push_char(e);
                        }
                        Some('"') if mode == Mode::Double => {
                            self.bump();
                            out.push_char('"');
                        }
                        _ => out.push_char('\\'),
                    }
                }
                _ => self.piece(c, &mut out)?,
            }
        }
        Ok(out.finish())
    }

    /// Reads what starts at `c` where every context agrees on it: quotes
    /// (only outside quotes), `$…`, a backquote, or one literal character.
    /// The callers handle `\` and their own terminators first, because
    /// those differ between a word, a quoted text and `${…}`.
    fn piece(&mut self, c: char, out: &mut Parts) -> Result<(), SyntaxError> {
        match c {
            '\'' if !out.quoted => {
                self.bump();
                let text = self.single_quoted()?;
                out.push(WordPart::Quoted(text));
            }
            '"' if !out.quoted => {
                self.bump();
                let inner = self.double_quoted()?;
                out.push(WordPart::Double(inner));
            }
            '$' if !out.quoted && self.peek_at(1) == Some('\'') => {
                self.pos += 2;
                let text = self.dollar_single()?;
                out.push(WordPart::Quoted(text));
            }
            '$' => {
                let part = self.dollar(out.quoted)?;
                out.push(part);
            }
            '`' => {
                self.bump();
                let part = self.backquote(out.quoted)?;
                out.push(part);
            }
            _ => {
                self.bump();
                out.push_char(c);
            }
        }
        Ok(())
    }

    /// At a `$`: the expansion it starts, or a literal `$`.
    fn dollar(&mut self, quoted: bool) -> Result<WordPart, SyntaxError> {
        self.bump();
        Ok(match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.pos += 2;
                self.arithmetic()?
            }
            Some('(') => {
                self.bump();
                self.command_sub()?
            }
            Some('{') => {
                self.bump();
                self.braced_param()?
            }
            Some(c) if is_name_start(c) => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
                    self.bump();
                    name.push(c);
                }
                param(name, ParamOp::Plain)
            }
            Some(c @ ('0'..='9' | '?' | '$' | '#' | '@' | '*' | '!' | '-')) => {
                self.bump();
                param(c.to_string(), ParamOp::Plain)
            }
            _ if quoted => WordPart::Quoted("$".into()),
            _ => WordPart::Lit("$".into()),
        })
    }

    fn command_sub(&mut self) -> Result<WordPart, SyntaxError> {
        let mut sub = Lexer::new(
            self.src,
            self.parse_body,
            self.pos,
            self.line,
            self.nested()?,
        );
        let tokens = sub.tokens(true)?;
        self.pos = sub.pos;
        self.line = sub.line;
        let program = (self.parse_body)(
            Lexed {
                tokens,
                heredocs: sub.heredocs,
            },
            sub.depth,
        )?;
        Ok(WordPart::CommandSub(Rc::new(program)))
    }

    /// Parses the text of a backquoted substitution at a nesting depth.
    fn parse_nested(&self, text: &str, depth: usize) -> Result<Program, SyntaxError> {
        let chars: Vec<char> = text.chars().collect();
        let mut lx = Lexer::new(&chars, self.parse_body, 0, 0, depth);
        let tokens = lx.tokens(false)?;
        (self.parse_body)(
            Lexed {
                tokens,
                heredocs: lx.heredocs,
            },
            depth,
        )
    }

    fn backquote(&mut self, in_double: bool) -> Result<WordPart, SyntaxError> {
        let mut text = String::new();
        loop {
            match self.bump() {
                Some('`') => break,
                Some('\\') => match self.peek() {
                    Some(e @ ('`' | '\\' | '$')) => {
                        self.bump();
                        text.push(e);
                    }
                    Some('"') if in_double => {
                        self.bump();
                        text.push('"');
                    }
                    _ => text.push('\\'),
                },
                Some(c) => text.push(c),
                None => return Err(SyntaxError::new("syntax error: unterminated quoted string")),
            }
        }
        let program = self.parse_nested(&text, self.nested()?)?;
        Ok(WordPart::CommandSub(Rc::new(program)))
    }

    /// After `$((`: the expression up to the matching `))`.
    fn arithmetic(&mut self) -> Result<WordPart, SyntaxError> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError::new(
                        "syntax error: unexpected end of file (expecting \"))\")",
                    ))
                }
                Some('(') => depth += 1,
                Some(')') if depth == 0 => {
                    if self.peek_at(1) == Some(')') {
                        break;
                    }
                    return Err(SyntaxError::new("arithmetic syntax error"));
                }
                Some(')') => depth -= 1,
                _ => {}
            }
            self.bump();
        }
        let inner: Vec<char> = self.src[start..self.pos].to_vec();
        self.pos += 2;
        let mut sub = Lexer::new(&inner, self.parse_body, 0, self.line, self.nested()?);
        let parts = sub.quoted_parts(Mode::HereDoc)?;
        Ok(WordPart::Arith(parts))
    }

    /// After `${`.
    fn braced_param(&mut self) -> Result<WordPart, SyntaxError> {
        let missing = || SyntaxError::new("syntax error: missing '}'");
        let bad = || SyntaxError::new("syntax error: bad substitution");
        // `${#}` is the count; `${#name}` the length of name.
        let length = self.peek() == Some('#')
            && self
                .peek_at(1)
                .is_some_and(|c| c != '}' && (is_name_char(c) || "?$@*!-".contains(c)));
        if length {
            self.bump();
        }
        let mut name = String::new();
        match self.peek() {
            Some(c) if is_name_start(c) => {
                while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
                    self.bump();
                    name.push(c);
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                    self.bump();
                    name.push(c);
                }
            }
            Some(c @ ('?' | '$' | '#' | '@' | '*' | '!' | '-')) => {
                self.bump();
                name.push(c);
            }
            None => return Err(missing()),
            Some(_) => return Err(bad()),
        }
        if length {
            return if self.eat('}') {
                Ok(param(name, ParamOp::Length))
            } else {
                Err(bad())
            };
        }
        let colon = self.eat(':');
        if colon && !matches!(self.peek(), Some('-' | '=' | '?' | '+')) {
            let (offset, length) = self.param_word()?.split_at_lit(':');
            return Ok(param(name, ParamOp::Substring { offset, length }));
        }
        let op_char = self.bump().ok_or_else(missing)?;
        let op = match op_char {
            '}' if !colon => return Ok(param(name, ParamOp::Plain)),
            '-' | '=' | '?' | '+' => {
                let word = self.param_word()?;
                match op_char {
                    '-' => ParamOp::Default { colon, word },
                    '=' => ParamOp::Assign { colon, word },
                    '?' => ParamOp::Error { colon, word },
                    _ => ParamOp::Alternative { colon, word },
                }
            }
            '#' if !colon => {
                let longest = self.eat('#');
                ParamOp::TrimPrefix {
                    longest,
                    pattern: self.param_word()?,
                }
            }
            '%' if !colon => {
                let longest = self.eat('%');
                ParamOp::TrimSuffix {
                    longest,
                    pattern: self.param_word()?,
                }
            }
            '/' => {
                let all = self.eat('/');
                let (pattern, repl) = self.param_word()?.split_at_lit('/');
                ParamOp::Replace { all, pattern, repl }
            }
            _ => return Err(bad()),
        };
        Ok(param(name, op))
    }

    /// The word inside `${name op word}` up to the closing brace (consumed).
    fn param_word(&mut self) -> Result<Word, SyntaxError> {
        let depth = self.nested()?;
        let saved = std::mem::replace(&mut self.depth, depth);
        let word = self.param_word_inner();
        self.depth = saved;
        word
    }

    fn param_word_inner(&mut self) -> Result<Word, SyntaxError> {
        let mut out = Parts::new(false);
        loop {
            let Some(c) = self.peek() else {
                return Err(SyntaxError::new("syntax error: missing '}'"));
            };
            match c {
                '}' => {
                    self.bump();
                    break;
                }
                '\\' => {
                    self.bump();
                    if let Some(e) = self.bump() {
                        out.push(WordPart::Quoted(e.to_string()));
                    }
                }
                _ => self.piece(c, &mut out)?,
            }
        }
        Ok(Word {
            parts: out.finish(),
        })
    }
}

fn param(name: String, op: ParamOp) -> WordPart {
    WordPart::Param(Box::new(ParamExp { name, op }))
}

/// A word's parts as they are read: literal characters gather into one
/// part until a quote or an expansion starts the next.
struct Parts {
    parts: Vec<WordPart>,
    lit: String,
    /// Inside `"…"` or a here-doc body: the gathered text is `Quoted` (not
    /// split or globbed) and `$`/backquotes read as they do inside quotes.
    quoted: bool,
}

impl Parts {
    fn new(quoted: bool) -> Parts {
        Parts {
            parts: Vec::new(),
            lit: String::new(),
            quoted,
        }
    }

    fn push_char(&mut self, c: char) {
        self.lit.push(c);
    }

    fn push(&mut self, part: WordPart) {
        self.flush();
        self.parts.push(part);
    }

    fn flush(&mut self) {
        if self.lit.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.lit);
        self.parts.push(if self.quoted {
            WordPart::Quoted(text)
        } else {
            WordPart::Lit(text)
        });
    }

    fn finish(mut self) -> Vec<WordPart> {
        self.flush();
        self.parts
    }
}
