//! Recursive-descent parser from tokens to the [`ast`](super::ast), with
//! ash's syntax error wording (`syntax error: unexpected "fi"`).

use std::rc::Rc;

use super::ast::{
    AndOr, CaseArm, Command, Compound, Connector, List, Pipeline, Program, RedirOp, RedirTarget,
    Redirect, SimpleCommand, Word,
};
use super::lexer::{self, is_name_char, is_name_start, Lexed, Op, Tok, Token, MAX_NESTING};
use super::SyntaxError;

/// Parses a script.
pub fn parse(src: &str) -> Result<Program, SyntaxError> {
    parse_tokens(lexer::lex(src, parse_tokens)?, 0)
}

/// Parses tokens produced by the lexer (also used for `$(…)` bodies, at a
/// nesting depth that counts against [`MAX_NESTING`]).
pub(crate) fn parse_tokens(lexed: Lexed, depth: usize) -> Result<Program, SyntaxError> {
    let mut p = Parser {
        tokens: lexed.tokens,
        heredocs: lexed.heredocs,
        pos: 0,
        depth,
    };
    p.skip_newlines();
    let body = p.list(&[])?;
    match p.peek() {
        Tok::Eof => Ok(Program { body }),
        _ => Err(p.unexpected(None)),
    }
}

struct Parser {
    tokens: Vec<Token>,
    heredocs: Vec<Word>,
    pos: usize,
    depth: usize,
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{",
    "}", "!", "in",
];

/// Words that end a compound list.
const LIST_END: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn line(&self) -> usize {
        self.tokens.get(self.pos).map_or(0, |t| t.line)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn keyword(&self) -> Option<&str> {
        match self.peek() {
            Tok::Word(w) => w.as_plain().filter(|s| RESERVED.contains(s)),
            _ => None,
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        self.keyword() == Some(kw)
    }

    fn is_op(&self, op: Op) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.pos += 1;
        }
    }

    /// The error for the current token; `expecting` names what would have
    /// been accepted at end of file.
    fn unexpected(&self, expecting: Option<&str>) -> SyntaxError {
        // ash names an operator or a reserved word in quotes and any other
        // word as just `word`.
        let what = match self.peek() {
            Tok::Eof => "end of file".to_owned(),
            Tok::Newline => "newline".to_owned(),
            Tok::Op(op) => format!("\"{}\"", op.text()),
            Tok::IoNumber(_) => "word".to_owned(),
            Tok::Word(w) => match w.as_plain().filter(|s| RESERVED.contains(s)) {
                Some(kw) => format!("\"{kw}\""),
                None => "word".to_owned(),
            },
        };
        SyntaxError::new(match expecting {
            Some(e) => format!("syntax error: unexpected {what} (expecting {e})"),
            None => format!("syntax error: unexpected {what}"),
        })
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), SyntaxError> {
        if self.is_keyword(kw) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(Some(&format!("\"{kw}\""))))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(SyntaxError::new("syntax error: nesting too deep"));
        }
        Ok(())
    }

    /// A compound list: and-or lists separated by `;`, `&` or newlines, up
    /// to a token that cannot start a command. `closers` are extra operator
    /// tokens that end it (`)` for subshells, `;;` in case arms).
    fn list(&mut self, closers: &[Op]) -> Result<List, SyntaxError> {
        let mut out = Vec::new();
        loop {
            self.skip_newlines();
            if self.at_list_end(closers) {
                return Ok(out);
            }
            let mut item = self.and_or()?;
            match self.peek() {
                Tok::Op(Op::Semi) => {
                    self.pos += 1;
                }
                Tok::Op(Op::Amp) => {
                    self.pos += 1;
                    item.background = true;
                }
                Tok::Newline => {}
                _ => {
                    out.push(item);
                    if self.at_list_end(closers) {
                        return Ok(out);
                    }
                    return Err(self.unexpected(None));
                }
            }
            out.push(item);
        }
    }

    fn at_list_end(&self, closers: &[Op]) -> bool {
        match self.peek() {
            Tok::Eof => true,
            Tok::Op(op) => closers.contains(op),
            Tok::Word(_) => self.keyword().is_some_and(|k| LIST_END.contains(&k)),
            _ => false,
        }
    }

    /// A list that must hold at least one command (ash rejects `{ ; }`).
    fn nonempty_list(&mut self, closers: &[Op], expecting: &str) -> Result<List, SyntaxError> {
        let list = self.list(closers)?;
        if list.is_empty() {
            // ash says what it expected only when the text ran out.
            let at_end = matches!(self.peek(), Tok::Eof);
            return Err(self.unexpected(at_end.then_some(expecting)));
        }
        Ok(list)
    }

    fn and_or(&mut self) -> Result<AndOr, SyntaxError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let conn = match self.peek() {
                Tok::Op(Op::AndIf) => Connector::And,
                Tok::Op(Op::OrIf) => Connector::Or,
                _ => break,
            };
            self.pos += 1;
            self.skip_newlines();
            rest.push((conn, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        let bang = self.is_keyword("!");
        if bang {
            self.pos += 1;
        }
        let mut commands = vec![self.command()?];
        while self.is_op(Op::Pipe) {
            self.pos += 1;
            self.skip_newlines();
            commands.push(self.command()?);
        }
        Ok(Pipeline { bang, commands })
    }

    fn command(&mut self) -> Result<Command, SyntaxError> {
        self.enter()?;
        let cmd = self.command_inner();
        self.depth -= 1;
        cmd
    }

    fn command_inner(&mut self) -> Result<Command, SyntaxError> {
        let compound = match self.keyword() {
            Some("{") => {
                self.pos += 1;
                let body = self.nonempty_list(&[], "\"}\"")?;
                self.expect_keyword("}")?;
                Compound::Group(body)
            }
            Some("if") => self.if_clause()?,
            Some("while") | Some("until") => {
                let until = self.is_keyword("until");
                self.pos += 1;
                let cond = self.nonempty_list(&[], "\"do\"")?;
                self.expect_keyword("do")?;
                let body = self.nonempty_list(&[], "\"done\"")?;
                self.expect_keyword("done")?;
                Compound::Loop { cond, body, until }
            }
            Some("for") => self.for_clause()?,
            Some("case") => self.case_clause()?,
            Some(_) => return Err(self.unexpected(None)),
            None if self.is_op(Op::LParen) => {
                self.pos += 1;
                let body = self.nonempty_list(&[Op::RParen], "\")\"")?;
                if !self.is_op(Op::RParen) {
                    return Err(self.unexpected(Some("\")\"")));
                }
                self.pos += 1;
                Compound::Subshell(body)
            }
            None => return self.simple_or_function(),
        };
        let mut redirects = Vec::new();
        while let Some(r) = self.redirect()? {
            redirects.push(r);
        }
        Ok(Command::Compound(compound, redirects))
    }

    fn if_clause(&mut self) -> Result<Compound, SyntaxError> {
        self.pos += 1;
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.nonempty_list(&[], "\"then\"")?;
            self.expect_keyword("then")?;
            let body = self.nonempty_list(&[], "\"fi\"")?;
            branches.push((cond, body));
            match self.keyword() {
                Some("elif") => {
                    self.pos += 1;
                }
                Some("else") => {
                    self.pos += 1;
                    otherwise = Some(self.nonempty_list(&[], "\"fi\"")?);
                    self.expect_keyword("fi")?;
                    break;
                }
                _ => {
                    self.expect_keyword("fi")?;
                    break;
                }
            }
        }
        Ok(Compound::If {
            branches,
            otherwise,
        })
    }

    fn for_clause(&mut self) -> Result<Compound, SyntaxError> {
        self.pos += 1;
        let var = match self.next() {
            Tok::Word(w) => match w.as_plain() {
                Some(n) if is_name(n) => n.to_owned(),
                _ => return Err(SyntaxError::new("syntax error: bad for loop variable")),
            },
            _ => {
                self.pos -= 1;
                return Err(self.unexpected(Some("word")));
            }
        };
        self.skip_newlines();
        let mut items = None;
        if self.is_keyword("in") {
            self.pos += 1;
            let mut words = Vec::new();
            while let Tok::Word(w) = self.peek() {
                words.push(w.clone());
                self.pos += 1;
            }
            items = Some(words);
            match self.peek() {
                Tok::Op(Op::Semi) | Tok::Newline => {
                    self.pos += 1;
                }
                _ => return Err(self.unexpected(Some("\"do\""))),
            }
        } else if self.is_op(Op::Semi) {
            self.pos += 1;
        }
        self.skip_newlines();
        self.expect_keyword("do")?;
        let body = self.nonempty_list(&[], "\"done\"")?;
        self.expect_keyword("done")?;
        Ok(Compound::For { var, items, body })
    }

    fn case_clause(&mut self) -> Result<Compound, SyntaxError> {
        self.pos += 1;
        let subject = match self.next() {
            Tok::Word(w) => w,
            _ => {
                self.pos -= 1;
                return Err(self.unexpected(Some("word")));
            }
        };
        self.skip_newlines();
        self.expect_keyword("in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines();
            if self.is_keyword("esac") {
                self.pos += 1;
                break;
            }
            if self.is_op(Op::LParen) {
                self.pos += 1;
            }
            let mut patterns = Vec::new();
            loop {
                match self.next() {
                    Tok::Word(w) => patterns.push(w),
                    _ => {
                        self.pos -= 1;
                        return Err(self.unexpected(Some("word")));
                    }
                }
                if self.is_op(Op::Pipe) {
                    self.pos += 1;
                    continue;
                }
                if self.is_op(Op::RParen) {
                    self.pos += 1;
                    break;
                }
                return Err(self.unexpected(Some("\")\"")));
            }
            let body = self.list(&[Op::DSemi])?;
            arms.push(CaseArm { patterns, body });
            if self.is_op(Op::DSemi) {
                self.pos += 1;
                continue;
            }
            self.skip_newlines();
            self.expect_keyword("esac")?;
            break;
        }
        Ok(Compound::Case { subject, arms })
    }

    fn simple_or_function(&mut self) -> Result<Command, SyntaxError> {
        // `name ( )` starts a function definition.
        if let (
            Tok::Word(w),
            Some(Token {
                tok: Tok::Op(Op::LParen),
                ..
            }),
        ) = (self.peek(), self.tokens.get(self.pos + 1))
        {
            if let Some(name) = w.as_plain().map(str::to_owned) {
                self.pos += 2;
                if !self.is_op(Op::RParen) {
                    return Err(self.unexpected(Some("\")\"")));
                }
                self.pos += 1;
                self.skip_newlines();
                let body = self.command()?;
                if !matches!(body, Command::Compound(..)) {
                    return Err(SyntaxError::new("syntax error: bad function body"));
                }
                return Ok(Command::Function(name, Rc::new(body)));
            }
        }
        let line = self.line();
        let mut cmd = SimpleCommand {
            assigns: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
            line,
        };
        // After an unquoted `[[` word busybox's lexer reads `&&` and `||`
        // as words (the test's own and/or) until a `]]` word.
        let mut in_test = false;
        loop {
            if let Some(r) = self.redirect()? {
                cmd.redirects.push(r);
                continue;
            }
            let w = match self.peek() {
                Tok::Word(w) => w.clone(),
                Tok::Op(op @ (Op::AndIf | Op::OrIf)) if in_test => Word::literal(op.text()),
                _ => break,
            };
            self.pos += 1;
            match w.as_plain() {
                Some("[[") => in_test = true,
                Some("]]") => in_test = false,
                _ => {}
            }
            if cmd.words.is_empty() {
                if let Some((name, value)) = split_assignment(&w) {
                    cmd.assigns.push((name, value));
                    continue;
                }
            }
            cmd.words.push(w);
        }
        if cmd.assigns.is_empty() && cmd.words.is_empty() && cmd.redirects.is_empty() {
            return Err(self.unexpected(None));
        }
        Ok(Command::Simple(cmd))
    }

    fn redirect(&mut self) -> Result<Option<Redirect>, SyntaxError> {
        let (fd, op_pos) = match self.peek() {
            Tok::IoNumber(n) => (Some(*n), self.pos + 1),
            _ => (None, self.pos),
        };
        let Some(Token {
            tok: Tok::Op(op), ..
        }) = self.tokens.get(op_pos)
        else {
            return Ok(None);
        };
        let op = match *op {
            Op::Less => RedirOp::In,
            Op::Great | Op::Clobber => RedirOp::Out,
            Op::DGreat => RedirOp::Append,
            Op::LessGreat => RedirOp::ReadWrite,
            Op::LessAnd => RedirOp::DupIn,
            Op::GreatAnd => RedirOp::DupOut,
            Op::HereDoc { index, .. } => {
                self.pos = op_pos + 1;
                // The delimiter word itself.
                if !matches!(self.peek(), Tok::Word(_)) {
                    return Err(self.unexpected(None));
                }
                self.pos += 1;
                let body = self.heredocs.get(index).cloned().unwrap_or_default();
                return Ok(Some(Redirect {
                    fd,
                    op: RedirOp::HereDoc,
                    target: RedirTarget::HereDoc(body),
                }));
            }
            _ => return Ok(None),
        };
        self.pos = op_pos + 1;
        match self.next() {
            Tok::Word(w) => Ok(Some(Redirect {
                fd,
                op,
                target: RedirTarget::Word(w),
            })),
            _ => {
                self.pos -= 1;
                Err(self.unexpected(None))
            }
        }
    }
}

pub(crate) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// `NAME=value` at the start of a simple command: the name and the value's
/// word (the parts after `=`).
fn split_assignment(w: &Word) -> Option<(String, Word)> {
    use super::ast::WordPart;
    let WordPart::Lit(first) = w.parts.first()? else {
        return None;
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    if !is_name(name) {
        return None;
    }
    let mut parts = Vec::with_capacity(w.parts.len());
    let rest = &first[eq + 1..];
    if !rest.is_empty() {
        parts.push(WordPart::Lit(rest.to_owned()));
    }
    parts.extend(w.parts.iter().skip(1).cloned());
    Some((name.to_owned(), Word { parts }))
}
