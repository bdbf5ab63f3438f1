//! Word expansion, in POSIX order: tilde, parameters, command substitution
//! and arithmetic; then field splitting on `IFS`, globbing over the
//! in-memory filesystem, and quote removal.

use super::ast::{ParamExp, ParamOp, Word, WordPart};
use super::interp::{Flow, Shell};
use super::pattern::Pattern;

/// A run of expanded text and how later stages treat it.
#[derive(Clone, Debug)]
struct Piece {
    text: String,
    /// Quoted: no splitting, no globbing.
    quoted: bool,
    /// The result of an unquoted expansion: split on IFS.
    split: bool,
}

/// A word on its way to becoming fields; `$@` can break it into several.
#[derive(Default)]
struct Acc {
    fields: Vec<Vec<Piece>>,
    cur: Vec<Piece>,
    /// Whether the current field holds quotes (so `""` is one empty field).
    cur_quoted: bool,
    quoted_flags: Vec<bool>,
}

impl Acc {
    fn push(&mut self, text: String, quoted: bool, split: bool) {
        if quoted {
            self.cur_quoted = true;
        }
        self.cur.push(Piece {
            text,
            quoted,
            split,
        });
    }

    fn break_field(&mut self) {
        self.fields.push(std::mem::take(&mut self.cur));
        self.quoted_flags
            .push(std::mem::replace(&mut self.cur_quoted, false));
    }

    fn finish(mut self) -> Vec<(Vec<Piece>, bool)> {
        self.break_field();
        self.fields.into_iter().zip(self.quoted_flags).collect()
    }
}

impl Shell<'_, '_> {
    /// Expands command words into fields (splitting and globbing).
    pub(crate) fn expand_words(&mut self, words: &[Word]) -> Result<Vec<String>, Flow> {
        let mut out = Vec::new();
        for w in words {
            self.expand_fields(w, &mut out)?;
        }
        Ok(out)
    }

    fn expand_fields(&mut self, word: &Word, out: &mut Vec<String>) -> Result<(), Flow> {
        let mut acc = Acc::default();
        self.expand_parts(&word.parts, false, true, &mut acc)?;
        let ifs = self
            .var("IFS")
            .map_or_else(|| " \t\n".to_owned(), str::to_owned);
        for (pieces, quoted) in acc.finish() {
            for field in split_fields(&pieces, quoted, &ifs) {
                self.glob_field(&field, out);
            }
        }
        Ok(())
    }

    /// Expands a word to one string: no splitting, no globbing
    /// (redirection targets, `case` subjects, here-strings).
    pub(crate) fn expand_single(&mut self, word: &Word) -> Result<String, Flow> {
        let mut acc = Acc::default();
        self.expand_parts(&word.parts, false, true, &mut acc)?;
        let mut s = String::new();
        for (i, (pieces, _)) in acc.finish().into_iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            for p in pieces {
                s.push_str(&p.text);
            }
        }
        Ok(s)
    }

    /// The value of an assignment (`X=…`): like [`Self::expand_single`].
    pub(crate) fn expand_assignment(&mut self, word: &Word) -> Result<String, Flow> {
        self.expand_single(word)
    }

    /// A here-document body.
    pub(crate) fn expand_heredoc(&mut self, word: &Word) -> Result<String, Flow> {
        self.expand_single(word)
    }

    /// A pattern (`case`, `${x#…}`): quoted characters stay literal.
    pub(crate) fn expand_pattern(&mut self, word: &Word) -> Result<Pattern, Flow> {
        let mut acc = Acc::default();
        self.expand_parts(&word.parts, false, false, &mut acc)?;
        let mut chars = Vec::new();
        for (pieces, _) in acc.finish() {
            for p in pieces {
                chars.extend(p.text.chars().map(|c| (c, p.quoted)));
            }
        }
        Ok(Pattern::new(&chars))
    }

    fn expand_parts(
        &mut self,
        parts: &[WordPart],
        in_double: bool,
        tilde: bool,
        acc: &mut Acc,
    ) -> Result<(), Flow> {
        for (i, part) in parts.iter().enumerate() {
            match part {
                WordPart::Lit(s) => {
                    if i == 0 && tilde && s.starts_with('~') {
                        let end = s.find('/').unwrap_or(s.len());
                        let user = &s[1..end];
                        let home = if user.is_empty() {
                            self.var("HOME").map(str::to_owned)
                        } else {
                            crate::filesystem::users::passwd(self.fs())
                                .into_iter()
                                .find(|e| e.name == user)
                                .map(|e| e.home)
                        };
                        match home {
                            Some(h) => {
                                acc.push(h, true, false);
                                acc.push(s[end..].to_owned(), in_double, false);
                            }
                            None => acc.push(s.clone(), in_double, false),
                        }
                    } else {
                        acc.push(s.clone(), in_double, false);
                    }
                }
                WordPart::Quoted(s) => acc.push(s.clone(), true, false),
                WordPart::Double(inner) => {
                    acc.cur_quoted = true;
                    self.expand_parts(inner, true, false, acc)?;
                }
                WordPart::Param(p) => self.expand_param(p, in_double, acc)?,
                WordPart::CommandSub(program) => {
                    let (status, out) = self.run_script_captured(program, None, |_| {})?;
                    self.subst_status = Some(status);
                    self.status = status;
                    let mut text = String::from_utf8_lossy(&out).into_owned();
                    while text.ends_with('\n') {
                        text.pop();
                    }
                    self.check_size(&text)?;
                    acc.push(text, in_double, !in_double);
                }
                WordPart::Arith(inner) => {
                    let expr = self.expand_single(&Word {
                        parts: inner.clone(),
                    })?;
                    let value = match super::arith::eval(self, &expr) {
                        Ok(v) => v,
                        Err(msg) => return Err(self.fatal(&msg)),
                    };
                    acc.push(value.to_string(), in_double, !in_double);
                }
            }
        }
        Ok(())
    }

    /// A parameter's value, `None` when unset.
    pub(crate) fn param_value(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.status.to_string()),
            // RUN's shell is PID 1 in its container.
            "$" => Some(self.scope.pid.to_string()),
            "!" => Some(String::new()),
            "#" => Some(self.positional().len().to_string()),
            "0" => Some(self.arg0.clone()),
            "-" => {
                let o = self.options();
                let mut s = String::new();
                if o.errexit {
                    s.push('e');
                }
                if o.noglob {
                    s.push('f');
                }
                if o.nounset {
                    s.push('u');
                }
                if o.xtrace {
                    s.push('x');
                }
                Some(s)
            }
            "@" | "*" => Some(self.positional().join(" ")),
            n if n.chars().all(|c| c.is_ascii_digit()) => n
                .parse::<usize>()
                .ok()
                .and_then(|i| self.positional().get(i.checked_sub(1)?).cloned()),
            n => self.var(n).map(str::to_owned),
        }
    }

    fn expand_param(&mut self, p: &ParamExp, in_double: bool, acc: &mut Acc) -> Result<(), Flow> {
        // `$@` / `$*` produce one field per positional parameter ("$*"
        // joins them with the first IFS character).
        if (p.name == "@" || p.name == "*") && p.op == ParamOp::Plain {
            let args = self.positional().to_vec();
            if in_double && p.name == "*" {
                let sep = self
                    .var("IFS")
                    .map_or(" ".to_owned(), |s| s.chars().take(1).collect());
                acc.push(args.join(&sep), true, false);
                return Ok(());
            }
            if in_double && args.is_empty() {
                // "$@" with no arguments yields no field at all.
                acc.cur_quoted = false;
            }
            for (i, a) in args.into_iter().enumerate() {
                if i > 0 {
                    acc.break_field();
                    if in_double {
                        acc.cur_quoted = true;
                    }
                }
                acc.push(a, in_double, !in_double);
            }
            return Ok(());
        }
        let value = self.param_value(&p.name);
        let set_nonempty = |colon: bool| match &value {
            Some(v) => !(colon && v.is_empty()),
            None => false,
        };
        let text = match &p.op {
            ParamOp::Plain => match value {
                Some(v) => v,
                None if self.options().nounset => {
                    return Err(self.fatal(&format!("{}: parameter not set", p.name)))
                }
                None => String::new(),
            },
            ParamOp::Length => value.unwrap_or_default().chars().count().to_string(),
            ParamOp::Default { colon, word } => {
                if set_nonempty(*colon) {
                    value.unwrap_or_default()
                } else {
                    return self.expand_parts(&word.parts, in_double, true, acc);
                }
            }
            ParamOp::Assign { colon, word } => {
                if set_nonempty(*colon) {
                    value.unwrap_or_default()
                } else {
                    let v = self.expand_single(word)?;
                    if let Err(msg) = self.set_var(&p.name, &v) {
                        return Err(self.fatal(&msg));
                    }
                    v
                }
            }
            ParamOp::Error { colon, word } => {
                if set_nonempty(*colon) {
                    value.unwrap_or_default()
                } else {
                    let msg = self.expand_single(word)?;
                    let msg = if msg.is_empty() {
                        "parameter not set".to_owned()
                    } else {
                        msg
                    };
                    return Err(self.fatal(&format!("{}: {msg}", p.name)));
                }
            }
            ParamOp::Alternative { colon, word } => {
                if set_nonempty(*colon) {
                    return self.expand_parts(&word.parts, in_double, true, acc);
                }
                String::new()
            }
            ParamOp::TrimPrefix { longest, pattern } => {
                let v = value.unwrap_or_default();
                let pat = self.expand_pattern(pattern)?;
                let m = pat.prefix_matches(&v);
                let n = if *longest { m.last() } else { m.first() };
                match n {
                    Some(&n) => v.chars().skip(n).collect(),
                    None => v,
                }
            }
            ParamOp::TrimSuffix { longest, pattern } => {
                let v = value.unwrap_or_default();
                let pat = self.expand_pattern(pattern)?;
                let m = pat.suffix_matches(&v);
                let n = if *longest { m.last() } else { m.first() };
                match n {
                    Some(&n) => v.chars().take(n).collect(),
                    None => v,
                }
            }
            ParamOp::Substring { offset, length } => {
                let v: Vec<char> = value.unwrap_or_default().chars().collect();
                let n = v.len() as i64;
                let off = self.arith_word(offset)?;
                let start = if off < 0 {
                    (n + off).max(0)
                } else {
                    off.min(n)
                };
                let end = match length {
                    None => n,
                    Some(l) => {
                        let l = self.arith_word(l)?;
                        if l < 0 {
                            (n + l).max(start)
                        } else {
                            start.saturating_add(l).min(n)
                        }
                    }
                };
                v[start as usize..end.max(start) as usize].iter().collect()
            }
            ParamOp::Replace { all, pattern, repl } => {
                let v = value.unwrap_or_default();
                let pat = self.expand_pattern(pattern)?;
                let rep = match repl {
                    Some(r) => self.expand_single(r)?,
                    None => String::new(),
                };
                replace(&v, &pat, &rep, *all)
            }
        };
        acc.push(text, in_double, !in_double);
        Ok(())
    }

    /// An arithmetic word of `${name:offset:length}`.
    fn arith_word(&mut self, w: &Word) -> Result<i64, Flow> {
        let text = self.expand_single(w)?;
        super::arith::eval(self, &text).map_err(|msg| self.fatal(&msg))
    }

    /// Globs one field; without matches (or wildcards) the text stays.
    fn glob_field(&self, field: &[(char, bool)], out: &mut Vec<String>) {
        let text: String = field.iter().map(|(c, _)| *c).collect();
        let live = field
            .iter()
            .any(|(c, q)| !q && matches!(c, '*' | '?' | '['));
        if !live || self.options().noglob {
            out.push(text);
            return;
        }
        let mut matches = self.glob(field);
        if matches.is_empty() {
            out.push(text);
        } else {
            matches.sort();
            out.extend(matches);
        }
    }

    /// Paths matching a pattern, component by component.
    fn glob(&self, field: &[(char, bool)]) -> Vec<String> {
        let absolute = field.first().is_some_and(|(c, _)| *c == '/');
        let comps: Vec<&[(char, bool)]> = field
            .split(|(c, _)| *c == '/')
            .filter(|c| !c.is_empty())
            .collect();
        // (text as the user will see it, absolute path to read)
        let start = if absolute {
            ("/".to_owned(), "/".to_owned())
        } else {
            (String::new(), self.cwd().to_owned())
        };
        let mut current = vec![start];
        for (i, comp) in comps.iter().enumerate() {
            let last = i + 1 == comps.len();
            let pat = Pattern::new(comp);
            let mut next = Vec::new();
            for (shown, real) in &current {
                let join = |base: &str, name: &str| {
                    if base.is_empty() || base.ends_with('/') {
                        format!("{base}{name}")
                    } else {
                        format!("{base}/{name}")
                    }
                };
                if let Some(lit) = pat.literal() {
                    let r = join(real, &lit);
                    let ok = if last {
                        self.fs().lstat(&r).is_ok()
                    } else {
                        self.fs().stat(&r).is_ok_and(|n| n.is_dir())
                    };
                    if ok {
                        next.push((join(shown, &lit), r));
                    }
                    continue;
                }
                let Ok(entries) = self.fs().read_dir(real) else {
                    continue;
                };
                for e in entries {
                    if e.name.starts_with('.') && !pat.starts_with_dot() {
                        continue;
                    }
                    if !pat.matches(&e.name) {
                        continue;
                    }
                    let r = join(real, &e.name);
                    if !last && !self.fs().stat(&r).is_ok_and(|n| n.is_dir()) {
                        continue;
                    }
                    next.push((join(shown, &e.name), r));
                }
            }
            current = next;
            if current.is_empty() {
                break;
            }
        }
        let trailing_slash = field.last().is_some_and(|(c, _)| *c == '/');
        current
            .into_iter()
            .map(|(shown, _)| if trailing_slash { shown + "/" } else { shown })
            .collect()
    }
}

/// Splits a word's pieces on IFS into fields of (char, quoted).
fn split_fields(pieces: &[Piece], had_quotes: bool, ifs: &str) -> Vec<Vec<(char, bool)>> {
    let mut fields = Vec::new();
    let mut cur: Vec<(char, bool)> = Vec::new();
    // Whether the current field exists even if empty.
    let mut live = had_quotes;
    for p in pieces {
        if !p.split {
            if !p.text.is_empty() {
                live = true;
            }
            cur.extend(p.text.chars().map(|c| (c, p.quoted)));
            continue;
        }
        let mut pending_ws = false;
        for c in p.text.chars() {
            if ifs.contains(c) {
                if c == ' ' || c == '\t' || c == '\n' {
                    if live {
                        fields.push(std::mem::take(&mut cur));
                        live = false;
                    }
                    pending_ws = true;
                } else {
                    if live || !pending_ws {
                        fields.push(std::mem::take(&mut cur));
                    }
                    live = false;
                    pending_ws = false;
                }
            } else {
                pending_ws = false;
                live = true;
                cur.push((c, false));
            }
        }
    }
    if live {
        fields.push(cur);
    }
    fields
}

/// `${v/pat/rep}`: the longest match at the first place one starts (each
/// place with `all`).
fn replace(v: &str, pat: &crate::shell::pattern::Pattern, rep: &str, all: bool) -> String {
    let chars: Vec<char> = v.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i < chars.len() {
        if !replaced || all {
            let rest: String = chars[i..].iter().collect();
            if let Some(&n) = pat.prefix_matches(&rest).last().filter(|n| **n > 0) {
                out.push_str(rep);
                i += n;
                replaced = true;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}
