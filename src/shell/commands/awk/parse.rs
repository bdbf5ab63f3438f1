//! awk's grammar, by precedence: `?:`, `||`, `&&`, `in`, `~`, the
//! comparisons (no bare `>` inside `print`, where it redirects),
//! concatenation, `+ -`, `* / %`, unary `! - +`, `^`, `++ --`, `$`.

use std::collections::HashMap;

use super::lex::{lex, Tok};

#[derive(Debug)]
pub enum Expr {
    Num(f64),
    Str(String),
    /// A bare regex: matches `$0`.
    Regex(String),
    Var(String),
    Field(Box<Expr>),
    Index(String, Vec<Expr>),
    /// `=` (None) or an operator assignment (`+=` is Some("+")).
    Assign(Option<&'static str>, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Plus(Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    /// `~` (false) or `!~` (true).
    Match(bool, Box<Expr>, Box<Expr>),
    In(Vec<Expr>, String),
    /// Prefix (true) or postfix, by +1 or -1.
    Incr(bool, f64, Box<Expr>),
    Builtin(String, Vec<Expr>),
    Call(String, Vec<Expr>),
    Getline(Getline, Option<Box<Expr>>),
    /// `(a, b)`, only meaningful as `print`'s arguments or before `in`.
    List(Vec<Expr>),
}

#[derive(Debug)]
pub enum Getline {
    Main,
    File(Box<Expr>),
    Cmd(Box<Expr>),
}

#[derive(Debug)]
pub enum Stmt {
    Print {
        printf: bool,
        args: Vec<Expr>,
        redir: Option<(&'static str, Expr)>,
    },
    Expr(Expr),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    Do(Box<Stmt>, Expr),
    For(
        Option<Box<Stmt>>,
        Option<Expr>,
        Option<Box<Stmt>>,
        Box<Stmt>,
    ),
    ForIn(String, String, Box<Stmt>),
    Block(Vec<Stmt>),
    Next,
    Exit(Option<Expr>),
    Return(Option<Expr>),
    Break,
    Continue,
    Delete(String, Option<Vec<Expr>>),
}

#[derive(Debug)]
pub enum Pattern {
    Begin,
    End,
    All,
    Expr(Expr),
    Range(Expr, Expr),
}

#[derive(Debug, Default)]
pub struct Program {
    pub items: Vec<(Pattern, Option<Vec<Stmt>>)>,
    pub funcs: HashMap<String, (Vec<String>, Vec<Stmt>)>,
}

type PResult<T> = Result<T, (usize, String)>;

struct P {
    t: Vec<(Tok, usize)>,
    i: usize,
    /// > 0 inside `print`'s arguments outside parentheses.
    no_gt: usize,
    depth: usize,
}

pub fn parse(src: &str) -> PResult<Program> {
    let mut p = P {
        t: lex(src)?,
        i: 0,
        no_gt: 0,
        depth: 0,
    };
    let mut prog = Program::default();
    loop {
        p.skip_terms();
        if p.peek().is_none() {
            break;
        }
        if p.is_kw("function") {
            p.i += 1;
            let name = match p.next() {
                Some(Tok::Name(n) | Tok::Call(n)) => n,
                _ => return Err(p.err()),
            };
            p.expect_op("(")?;
            let mut params = Vec::new();
            while !p.is_op(")") {
                match p.next() {
                    Some(Tok::Name(n)) => params.push(n),
                    _ => return Err(p.err()),
                }
                if p.is_op(",") {
                    p.i += 1;
                    p.skip_newlines();
                }
            }
            p.i += 1;
            p.skip_newlines();
            let body = p.block()?;
            prog.funcs.insert(name, (params, body));
            continue;
        }
        let pattern = if p.is_kw("BEGIN") {
            p.i += 1;
            Pattern::Begin
        } else if p.is_kw("END") {
            p.i += 1;
            Pattern::End
        } else if p.is_op("{") {
            Pattern::All
        } else {
            let a = p.expr()?;
            if p.is_op(",") {
                p.i += 1;
                p.skip_newlines();
                Pattern::Range(a, p.expr()?)
            } else {
                Pattern::Expr(a)
            }
        };
        let body = if p.is_op("{") {
            Some(p.block()?)
        } else if matches!(pattern, Pattern::Begin | Pattern::End) {
            return Err(p.err());
        } else {
            None
        };
        prog.items.push((pattern, body));
    }
    Ok(prog)
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i).map(|t| &t.0)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.t.get(self.i).map(|t| t.0.clone());
        self.i += 1;
        t
    }

    fn err(&self) -> (usize, String) {
        let line = self
            .t
            .get(self.i.min(self.t.len().saturating_sub(1)))
            .map_or(1, |t| t.1);
        (line, "Unexpected token".to_owned())
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Keyword(k)) if *k == kw)
    }

    fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.is_op(op) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err())
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline)) {
            self.i += 1;
        }
    }

    fn skip_terms(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline)) || self.is_op(";") {
            self.i += 1;
        }
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect_op("{")?;
        let mut out = Vec::new();
        loop {
            self.skip_terms();
            if self.is_op("}") {
                self.i += 1;
                return Ok(out);
            }
            if self.peek().is_none() {
                return Err(self.err());
            }
            out.push(self.stmt()?);
        }
    }

    /// A statement's end: `;`, a newline, or before `}`.
    fn end_simple(&mut self) -> PResult<()> {
        match self.peek() {
            Some(Tok::Newline) => {
                self.i += 1;
                Ok(())
            }
            Some(Tok::Op(";")) => {
                self.i += 1;
                Ok(())
            }
            Some(Tok::Op("}")) | None => Ok(()),
            _ => Err(self.err()),
        }
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err());
        }
        let r = self.stmt_inner();
        self.depth -= 1;
        r
    }

    fn body(&mut self) -> PResult<Box<Stmt>> {
        self.skip_newlines();
        if self.is_op(";") {
            self.i += 1;
            return Ok(Box::new(Stmt::Block(Vec::new())));
        }
        Ok(Box::new(self.stmt()?))
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        if self.is_op("{") {
            return Ok(Stmt::Block(self.block()?));
        }
        let Some(Tok::Keyword(k)) = self.peek().cloned() else {
            let s = self.simple()?;
            self.end_simple()?;
            return Ok(s);
        };
        match k {
            "if" => {
                self.i += 1;
                self.expect_op("(")?;
                let cond = self.expr()?;
                self.expect_op(")")?;
                let then = self.body()?;
                let save = self.i;
                self.skip_terms();
                if self.is_kw("else") {
                    self.i += 1;
                    let other = self.body()?;
                    Ok(Stmt::If(cond, then, Some(other)))
                } else {
                    self.i = save;
                    Ok(Stmt::If(cond, then, None))
                }
            }
            "while" => {
                self.i += 1;
                self.expect_op("(")?;
                let cond = self.expr()?;
                self.expect_op(")")?;
                if self.is_op(";") {
                    self.i += 1;
                    return Ok(Stmt::While(cond, Box::new(Stmt::Block(Vec::new()))));
                }
                Ok(Stmt::While(cond, self.body()?))
            }
            "do" => {
                self.i += 1;
                let body = self.body()?;
                self.skip_terms();
                if !self.is_kw("while") {
                    return Err(self.err());
                }
                self.i += 1;
                self.expect_op("(")?;
                let cond = self.expr()?;
                self.expect_op(")")?;
                self.end_simple()?;
                Ok(Stmt::Do(body, cond))
            }
            "for" => {
                self.i += 1;
                self.expect_op("(")?;
                if let (Some(Tok::Name(v)), Some(Tok::Keyword("in")), Some(Tok::Name(a))) = (
                    self.t.get(self.i).map(|t| t.0.clone()),
                    self.t.get(self.i + 1).map(|t| t.0.clone()),
                    self.t.get(self.i + 2).map(|t| t.0.clone()),
                ) {
                    if matches!(self.t.get(self.i + 3), Some((Tok::Op(")"), _))) {
                        self.i += 4;
                        return Ok(Stmt::ForIn(v, a, self.body()?));
                    }
                }
                let init = if self.is_op(";") {
                    None
                } else {
                    Some(Box::new(self.simple()?))
                };
                self.expect_op(";")?;
                self.skip_newlines();
                let cond = if self.is_op(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect_op(";")?;
                self.skip_newlines();
                let step = if self.is_op(")") {
                    None
                } else {
                    Some(Box::new(self.simple()?))
                };
                self.expect_op(")")?;
                if self.is_op(";") {
                    self.i += 1;
                    return Ok(Stmt::For(
                        init,
                        cond,
                        step,
                        Box::new(Stmt::Block(Vec::new())),
                    ));
                }
                Ok(Stmt::For(init, cond, step, self.body()?))
            }
            "next" | "nextfile" | "break" | "continue" => {
                self.i += 1;
                self.end_simple()?;
                Ok(match k {
                    "break" => Stmt::Break,
                    "continue" => Stmt::Continue,
                    _ => Stmt::Next,
                })
            }
            "exit" | "return" => {
                self.i += 1;
                let v = if matches!(self.peek(), Some(Tok::Newline | Tok::Op(";" | "}")) | None) {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.end_simple()?;
                Ok(if k == "exit" {
                    Stmt::Exit(v)
                } else {
                    Stmt::Return(v)
                })
            }
            _ => {
                let s = self.simple()?;
                self.end_simple()?;
                Ok(s)
            }
        }
    }

    /// print, printf, delete, or an expression.
    fn simple(&mut self) -> PResult<Stmt> {
        if self.is_kw("print") || self.is_kw("printf") {
            let printf = self.is_kw("printf");
            self.i += 1;
            self.no_gt += 1;
            let mut args = Vec::new();
            if !matches!(
                self.peek(),
                Some(Tok::Newline | Tok::Op(";" | "}" | ">" | ">>" | "|")) | None
            ) {
                args.push(self.expr()?);
                while self.is_op(",") {
                    self.i += 1;
                    self.skip_newlines();
                    args.push(self.expr()?);
                }
            }
            if let [Expr::List(_)] = args.as_slice() {
                if let Some(Expr::List(items)) = args.pop() {
                    args = items;
                }
            }
            let redir = match self.peek() {
                Some(Tok::Op(o @ (">" | ">>" | "|"))) => {
                    let o = *o;
                    self.i += 1;
                    Some((o, self.concat()?))
                }
                _ => None,
            };
            self.no_gt -= 1;
            if printf && args.is_empty() {
                return Err(self.err());
            }
            return Ok(Stmt::Print {
                printf,
                args,
                redir,
            });
        }
        if self.is_kw("delete") {
            self.i += 1;
            let Some(Tok::Name(n)) = self.next() else {
                return Err(self.err());
            };
            if self.is_op("[") {
                self.i += 1;
                let subs = self.expr_list("]")?;
                return Ok(Stmt::Delete(n, Some(subs)));
            }
            return Ok(Stmt::Delete(n, None));
        }
        Ok(Stmt::Expr(self.expr()?))
    }

    fn expr_list(&mut self, close: &str) -> PResult<Vec<Expr>> {
        let mut out = Vec::new();
        self.skip_newlines();
        if self.is_op(close) {
            self.i += 1;
            return Ok(out);
        }
        loop {
            out.push(self.expr()?);
            self.skip_newlines();
            if self.is_op(",") {
                self.i += 1;
                self.skip_newlines();
                continue;
            }
            self.expect_op(close)?;
            return Ok(out);
        }
    }

    pub fn expr(&mut self) -> PResult<Expr> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err());
        }
        let r = self.assign();
        self.depth -= 1;
        r
    }

    fn assign(&mut self) -> PResult<Expr> {
        let lhs = self.ternary()?;
        let op = match self.peek() {
            Some(Tok::Op(o)) => *o,
            _ => return Ok(lhs),
        };
        let kind = match op {
            "=" => None,
            "+=" => Some("+"),
            "-=" => Some("-"),
            "*=" => Some("*"),
            "/=" => Some("/"),
            "%=" => Some("%"),
            "^=" | "**=" => Some("^"),
            _ => return Ok(lhs),
        };
        if !matches!(lhs, Expr::Var(_) | Expr::Field(_) | Expr::Index(..)) {
            return Ok(lhs);
        }
        self.i += 1;
        self.skip_newlines();
        let rhs = self.expr()?;
        Ok(Expr::Assign(kind, Box::new(lhs), Box::new(rhs)))
    }

    fn ternary(&mut self) -> PResult<Expr> {
        let cond = self.or()?;
        if !self.is_op("?") {
            return Ok(cond);
        }
        self.i += 1;
        self.skip_newlines();
        let a = self.expr()?;
        self.skip_newlines();
        self.expect_op(":")?;
        self.skip_newlines();
        let b = self.expr()?;
        Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)))
    }

    fn or(&mut self) -> PResult<Expr> {
        let mut lhs = self.and()?;
        while self.is_op("||") {
            self.i += 1;
            self.skip_newlines();
            let rhs = self.and()?;
            lhs = Expr::Or(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> PResult<Expr> {
        let mut lhs = self.in_expr()?;
        while self.is_op("&&") {
            self.i += 1;
            self.skip_newlines();
            let rhs = self.in_expr()?;
            lhs = Expr::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn in_expr(&mut self) -> PResult<Expr> {
        let mut lhs = self.matching()?;
        while self.is_kw("in") {
            self.i += 1;
            let Some(Tok::Name(a)) = self.next() else {
                return Err(self.err());
            };
            let keys = match lhs {
                Expr::List(items) => items,
                other => vec![other],
            };
            lhs = Expr::In(keys, a);
        }
        Ok(lhs)
    }

    fn matching(&mut self) -> PResult<Expr> {
        let mut lhs = self.compare()?;
        while self.is_op("~") || self.is_op("!~") {
            let neg = self.is_op("!~");
            self.i += 1;
            let rhs = self.compare()?;
            lhs = Expr::Match(neg, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn compare(&mut self) -> PResult<Expr> {
        let mut lhs = self.concat()?;
        loop {
            if self.is_op("|")
                && matches!(self.t.get(self.i + 1), Some((Tok::Keyword("getline"), _)))
            {
                self.i += 2;
                let var = self.getline_var()?;
                lhs = Expr::Getline(Getline::Cmd(Box::new(lhs)), var);
                continue;
            }
            let op = match self.peek() {
                Some(Tok::Op(o @ ("<" | "<=" | "==" | "!=" | ">=" | ">"))) => *o,
                _ => return Ok(lhs),
            };
            if op == ">" && self.no_gt > 0 {
                return Ok(lhs);
            }
            self.i += 1;
            let rhs = self.concat()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn starts_operand(&self) -> bool {
        match self.peek() {
            Some(
                Tok::Num(_)
                | Tok::Str(_)
                | Tok::Name(_)
                | Tok::Call(_)
                | Tok::Builtin(_)
                | Tok::Regex(_),
            ) => true,
            Some(Tok::Op(o)) => matches!(*o, "$" | "(" | "!" | "++" | "--" | "-"),
            _ => false,
        }
    }

    fn concat(&mut self) -> PResult<Expr> {
        let mut lhs = self.additive()?;
        // `a -1` is a subtraction, so a leading minus never starts a
        // concatenated operand here (it was taken by `additive`).
        while self.starts_operand() && !self.is_op("-") && !self.is_op("!") {
            if self.is_kw("in") {
                break;
            }
            let rhs = self.additive()?;
            lhs = Expr::Concat(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn additive(&mut self) -> PResult<Expr> {
        let mut lhs = self.mul()?;
        while let Some(Tok::Op(o @ ("+" | "-"))) = self.peek() {
            let o = *o;
            self.i += 1;
            let rhs = self.mul()?;
            lhs = Expr::Binary(o, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn mul(&mut self) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Op(o @ ("*" | "/" | "%"))) = self.peek() {
            let o = *o;
            self.i += 1;
            let rhs = self.unary()?;
            lhs = Expr::Binary(o, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err());
        }
        let r = match self.peek() {
            Some(Tok::Op("!")) => {
                self.i += 1;
                self.unary().map(|e| Expr::Not(Box::new(e)))
            }
            Some(Tok::Op("-")) => {
                self.i += 1;
                self.unary().map(|e| Expr::Neg(Box::new(e)))
            }
            Some(Tok::Op("+")) => {
                self.i += 1;
                self.unary().map(|e| Expr::Plus(Box::new(e)))
            }
            _ => self.power(),
        };
        self.depth -= 1;
        r
    }

    fn power(&mut self) -> PResult<Expr> {
        let base = self.postfix()?;
        if self.is_op("^") || self.is_op("**") {
            self.i += 1;
            let exp = self.unary()?;
            return Ok(Expr::Binary("^", Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let e = self.primary()?;
        if matches!(e, Expr::Var(_) | Expr::Field(_) | Expr::Index(..))
            && (self.is_op("++") || self.is_op("--"))
        {
            let d = if self.is_op("++") { 1.0 } else { -1.0 };
            self.i += 1;
            return Ok(Expr::Incr(false, d, Box::new(e)));
        }
        Ok(e)
    }

    fn getline_var(&mut self) -> PResult<Option<Box<Expr>>> {
        Ok(match self.peek() {
            Some(Tok::Name(_)) | Some(Tok::Op("$")) => Some(Box::new(self.primary()?)),
            _ => None,
        })
    }

    fn primary(&mut self) -> PResult<Expr> {
        let Some(tok) = self.next() else {
            return Err(self.err());
        };
        Ok(match tok {
            Tok::Num(n) => Expr::Num(n),
            Tok::Str(s) => Expr::Str(s),
            Tok::Regex(r) => Expr::Regex(r),
            Tok::Op("(") => {
                let saved = self.no_gt;
                self.no_gt = 0;
                let items = self.expr_list(")");
                self.no_gt = saved;
                let mut items = items?;
                match items.len() {
                    0 => return Err(self.err()),
                    1 => items.pop().unwrap_or(Expr::Num(0.0)),
                    _ => Expr::List(items),
                }
            }
            Tok::Op("$") => {
                let e = if self.is_op("++") || self.is_op("--") || self.is_op("-") {
                    self.unary()?
                } else {
                    self.primary()?
                };
                Expr::Field(Box::new(e))
            }
            Tok::Op(o @ ("++" | "--")) => {
                let e = self.primary()?;
                if !matches!(e, Expr::Var(_) | Expr::Field(_) | Expr::Index(..)) {
                    self.i -= 1;
                    return Err(self.err());
                }
                Expr::Incr(true, if o == "++" { 1.0 } else { -1.0 }, Box::new(e))
            }
            Tok::Op("-") => Expr::Neg(Box::new(self.unary()?)),
            Tok::Op("!") => Expr::Not(Box::new(self.unary()?)),
            Tok::Name(n) => {
                if self.is_op("[") {
                    self.i += 1;
                    let subs = self.expr_list("]")?;
                    Expr::Index(n, subs)
                } else {
                    Expr::Var(n)
                }
            }
            Tok::Call(n) => {
                self.expect_op("(")?;
                let saved = self.no_gt;
                self.no_gt = 0;
                let args = self.expr_list(")");
                self.no_gt = saved;
                Expr::Call(n, args?)
            }
            Tok::Builtin(n) => {
                if self.is_op("(") {
                    self.i += 1;
                    let saved = self.no_gt;
                    self.no_gt = 0;
                    let args = self.expr_list(")");
                    self.no_gt = saved;
                    Expr::Builtin(n, args?)
                } else if n == "length" {
                    Expr::Builtin(n, Vec::new())
                } else {
                    return Err(self.err());
                }
            }
            Tok::Keyword("getline") => {
                let var = self.getline_var()?;
                if self.is_op("<") {
                    self.i += 1;
                    let f = self.primary()?;
                    Expr::Getline(Getline::File(Box::new(f)), var)
                } else {
                    Expr::Getline(Getline::Main, var)
                }
            }
            _ => {
                self.i -= 1;
                return Err(self.err());
            }
        })
    }
}
