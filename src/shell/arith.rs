//! `$((…))`: 64-bit integer arithmetic with C precedence, variables
//! (unset or empty is 0), and assignment operators.

use super::interp::Shell;

/// Evaluates an already parameter-expanded expression. Errors carry ash's
/// wording (`arithmetic syntax error`, `divide by zero`).
pub fn eval(sh: &mut Shell<'_, '_>, expr: &str) -> Result<i64, String> {
    let tokens = tokenize(expr)?;
    if tokens.is_empty() {
        return Ok(0);
    }
    let mut p = Parser {
        toks: tokens,
        pos: 0,
        sh,
        depth: 0,
    };
    let v = p.assign()?;
    if p.pos != p.toks.len() {
        return Err(SYNTAX.to_owned());
    }
    Ok(v)
}

const SYNTAX: &str = "arithmetic syntax error";

#[derive(Clone, Debug, PartialEq)]
enum T {
    Num(i64),
    Name(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "<<=", ">>=", "++", "--", "**", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "&=", "|=", "^=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "!", "~",
    "(", ")", "?", ":", "=",
];

fn tokenize(s: &str) -> Result<Vec<T>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let n = if b.get(i) == Some(&b'#') {
                // BASE#DIGITS, bases 2 to 36.
                let base = s[start..i]
                    .parse::<u32>()
                    .ok()
                    .filter(|b| (2..=36).contains(b));
                i += 1;
                let digits = i;
                while i < b.len() && b[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                base.and_then(|r| i64::from_str_radix(&s[digits..i], r).ok())
            } else {
                parse_num(&s[start..i])
            };
            out.push(T::Num(n.ok_or_else(|| SYNTAX.to_owned())?));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(T::Name(s[start..i].to_owned()));
        } else {
            let op = OPS
                .iter()
                .find(|op| s[i..].starts_with(**op))
                .ok_or_else(|| SYNTAX.to_owned())?;
            let next_is_name = s[i + op.len()..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if matches!(*op, "++" | "--")
                && !matches!(out.last(), Some(T::Name(_)))
                && !next_is_name
            {
                // Not next to a variable: `1--1` is 1 - (-1).
                let single = if *op == "++" { "+" } else { "-" };
                out.push(T::Op(single));
                out.push(T::Op(single));
                i += 2;
                continue;
            }
            i += op.len();
            out.push(T::Op(op));
        }
    }
    Ok(out)
}

fn parse_num(s: &str) -> Option<i64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

struct Parser<'a, 'c, 'fs> {
    toks: Vec<T>,
    pos: usize,
    sh: &'a mut Shell<'c, 'fs>,
    depth: usize,
}

/// Binary operators by precedence level, loosest first.
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", ">", "<=", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Parser<'_, '_, '_> {
    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(T::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn var_value(&mut self, name: &str) -> Result<i64, String> {
        let v = self.sh.var(name).unwrap_or("").trim().to_owned();
        if v.is_empty() {
            return Ok(0);
        }
        match parse_num(&v) {
            Some(n) => Ok(n),
            None => {
                // A variable holding an expression is evaluated in turn.
                self.depth += 1;
                if self.depth > 32 {
                    return Err("expression recursion loop detected".to_owned());
                }
                let toks = tokenize(&v)?;
                let saved = (std::mem::replace(&mut self.toks, toks), self.pos);
                self.pos = 0;
                let r = self.assign();
                let done = self.pos == self.toks.len();
                self.toks = saved.0;
                self.pos = saved.1;
                self.depth -= 1;
                let r = r?;
                if !done {
                    return Err(SYNTAX.to_owned());
                }
                Ok(r)
            }
        }
    }

    fn assign(&mut self) -> Result<i64, String> {
        if let (Some(T::Name(name)), Some(T::Op(op))) = (
            self.toks.get(self.pos).cloned(),
            self.toks.get(self.pos + 1).cloned(),
        ) {
            if op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=") {
                self.pos += 2;
                let rhs = self.assign()?;
                let value = if op == "=" {
                    rhs
                } else {
                    let cur = self.var_value(&name)?;
                    binary(&op[..op.len() - 1], cur, rhs)?
                };
                self.sh.set_var(&name, &value.to_string())?;
                return Ok(value);
            }
        }
        self.ternary()
    }

    fn ternary(&mut self) -> Result<i64, String> {
        let cond = self.binary(0)?;
        if self.peek_op() == Some("?") {
            self.pos += 1;
            let a = self.assign()?;
            if self.peek_op() != Some(":") {
                return Err(SYNTAX.to_owned());
            }
            self.pos += 1;
            let b = self.assign()?;
            return Ok(if cond != 0 { a } else { b });
        }
        Ok(cond)
    }

    fn binary(&mut self, level: usize) -> Result<i64, String> {
        if level >= LEVELS.len() {
            return self.power();
        }
        let mut lhs = self.binary(level + 1)?;
        while let Some(op) = self.peek_op().filter(|o| LEVELS[level].contains(o)) {
            self.pos += 1;
            let rhs = self.binary(level + 1)?;
            lhs = binary(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn power(&mut self) -> Result<i64, String> {
        let base = self.unary()?;
        if self.peek_op() == Some("**") {
            self.pos += 1;
            let exp = self.power()?;
            return binary("**", base, exp);
        }
        Ok(base)
    }

    fn unary(&mut self) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(SYNTAX.to_owned());
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    /// `++name`/`--name` (the new value) and `name++`/`name--` (the old).
    fn step_var(&mut self, name: &str, op: &str, prefix: bool) -> Result<i64, String> {
        let old = self.var_value(name)?;
        let new = if op == "++" {
            old.wrapping_add(1)
        } else {
            old.wrapping_sub(1)
        };
        self.sh.set_var(name, &new.to_string())?;
        Ok(if prefix { new } else { old })
    }

    fn unary_inner(&mut self) -> Result<i64, String> {
        match self.toks.get(self.pos).cloned() {
            Some(T::Op(op @ ("++" | "--"))) => match self.toks.get(self.pos + 1).cloned() {
                Some(T::Name(name)) => {
                    self.pos += 2;
                    self.step_var(&name, op, true)
                }
                _ => Err(SYNTAX.to_owned()),
            },
            Some(T::Name(name))
                if matches!(self.toks.get(self.pos + 1), Some(T::Op("++" | "--"))) =>
            {
                let Some(T::Op(op)) = self.toks.get(self.pos + 1).cloned() else {
                    return Err(SYNTAX.to_owned());
                };
                self.pos += 2;
                self.step_var(&name, op, false)
            }
            Some(T::Op("-")) => {
                self.pos += 1;
                Ok(self.unary()?.wrapping_neg())
            }
            Some(T::Op("+")) => {
                self.pos += 1;
                self.unary()
            }
            Some(T::Op("!")) => {
                self.pos += 1;
                Ok(i64::from(self.unary()? == 0))
            }
            Some(T::Op("~")) => {
                self.pos += 1;
                Ok(!self.unary()?)
            }
            Some(T::Op("(")) => {
                self.pos += 1;
                let v = self.assign()?;
                if self.peek_op() != Some(")") {
                    return Err(SYNTAX.to_owned());
                }
                self.pos += 1;
                Ok(v)
            }
            Some(T::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(T::Name(name)) => {
                self.pos += 1;
                self.var_value(&name)
            }
            _ => Err(SYNTAX.to_owned()),
        }
    }
}

fn binary(op: &str, a: i64, b: i64) -> Result<i64, String> {
    Ok(match op {
        "||" => i64::from(a != 0 || b != 0),
        "&&" => i64::from(a != 0 && b != 0),
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "<" => i64::from(a < b),
        ">" => i64::from(a > b),
        "<=" => i64::from(a <= b),
        ">=" => i64::from(a >= b),
        "<<" => a.wrapping_shl(b as u32),
        ">>" => a.wrapping_shr(b as u32),
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" | "%" if b == 0 => return Err("divide by zero".to_owned()),
        "/" => a.wrapping_div(b),
        "%" => a.wrapping_rem(b),
        "**" if b < 0 => return Err("exponent less than 0".to_owned()),
        "**" => a.wrapping_pow(u32::try_from(b).unwrap_or(u32::MAX)),
        _ => return Err(SYNTAX.to_owned()),
    })
}
