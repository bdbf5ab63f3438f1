//! The syntax tree of a parsed shell script: plain data, built by
//! [`super::parser`] and walked by [`super::interp`].

use std::rc::Rc;

/// A whole script, or the body of `$(…)`, `(…)`, `{ …; }` and friends: and-or
/// lists run one after the other.
pub type List = Vec<AndOr>;

/// A parsed script.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    pub body: List,
}

/// `a && b || c`, optionally followed by `&`.
#[derive(Clone, Debug, PartialEq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    /// Ended by `&`. layerlab runs it synchronously: RUN waits for its
    /// children anyway before the layer is taken.
    pub background: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// `! a | b | c`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub bang: bool,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Simple(SimpleCommand),
    Compound(Compound, Vec<Redirect>),
    /// `name() compound-command`; the body is shared so defining it is cheap.
    Function(String, Rc<Command>),
}

/// `A=1 cmd arg >out`.
#[derive(Clone, Debug, PartialEq)]
pub struct SimpleCommand {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// Zero-based line of the command, as ash counts it in error messages.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Compound {
    Group(List),
    Subshell(List),
    If {
        branches: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    For {
        var: String,
        /// `None` without `in`: the positional parameters.
        items: Option<Vec<Word>>,
        body: List,
    },
    Loop {
        cond: List,
        body: List,
        /// `until` rather than `while`.
        until: bool,
    },
    Case {
        subject: Word,
        arms: Vec<CaseArm>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: List,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redirect {
    /// The explicit descriptor (`2>`), if any.
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: RedirTarget,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    In,
    /// `>` and `>|`
    Out,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `>&`
    DupOut,
    /// `<&`
    DupIn,
    /// `<<` and `<<-` (the body is in the target).
    HereDoc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RedirTarget {
    Word(Word),
    /// A here-document body: literal when the delimiter was quoted,
    /// otherwise expanded like a double-quoted string.
    HereDoc(Word),
}

/// A word as written: the pieces keep their quoting, which decides field
/// splitting and globbing later.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Word {
    pub parts: Vec<WordPart>,
}

impl Word {
    /// Splits at the first unquoted `sep` (`${x/pat/rep}`, `${x:1:2}`).
    pub fn split_at_lit(&self, sep: char) -> (Word, Option<Word>) {
        for (i, part) in self.parts.iter().enumerate() {
            if let WordPart::Lit(t) = part {
                if let Some((a, b)) = t.split_once(sep) {
                    let mut head = self.parts[..i].to_vec();
                    if !a.is_empty() {
                        head.push(WordPart::Lit(a.to_owned()));
                    }
                    let mut tail = Vec::new();
                    if !b.is_empty() {
                        tail.push(WordPart::Lit(b.to_owned()));
                    }
                    tail.extend(self.parts[i + 1..].iter().cloned());
                    return (Word { parts: head }, Some(Word { parts: tail }));
                }
            }
        }
        (self.clone(), None)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WordPart {
    /// Unquoted text: glob characters in it are live.
    Lit(String),
    /// Text inside `'…'`, after a backslash, or inside `"…"`: taken verbatim.
    Quoted(String),
    /// `"…"`: expansions inside are not split or globbed.
    Double(Vec<WordPart>),
    Param(Box<ParamExp>),
    CommandSub(Rc<Program>),
    /// `$((…))`: the parts are expanded, then evaluated.
    Arith(Vec<WordPart>),
}

/// `$name`, `${name…}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamExp {
    pub name: String,
    pub op: ParamOp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamOp {
    Plain,
    /// `${#name}`
    Length,
    /// `${name-w}` / `${name:-w}` (colon: empty counts as unset).
    Default {
        colon: bool,
        word: Word,
    },
    /// `${name=w}` / `${name:=w}`
    Assign {
        colon: bool,
        word: Word,
    },
    /// `${name?w}` / `${name:?w}`
    Error {
        colon: bool,
        word: Word,
    },
    /// `${name+w}` / `${name:+w}`
    Alternative {
        colon: bool,
        word: Word,
    },
    /// `${name#p}` / `${name##p}`
    TrimPrefix {
        longest: bool,
        pattern: Word,
    },
    /// `${name%p}` / `${name%%p}`
    TrimSuffix {
        longest: bool,
        pattern: Word,
    },
    /// `${name:offset}` / `${name:offset:length}` (arithmetic, as ash
    /// evaluates them).
    Substring {
        offset: Word,
        length: Option<Word>,
    },
    /// `${name/p/r}`, `${name//p/r}` (every match). Busybox 1.35 has no
    /// `/#` or `/%` anchors: `${v/#a/X}` looks for `#a`.
    Replace {
        all: bool,
        pattern: Word,
        repl: Option<Word>,
    },
}

impl Word {
    pub fn literal(s: &str) -> Self {
        Self {
            parts: vec![WordPart::Lit(s.to_owned())],
        }
    }

    /// The word's text if it is one unquoted literal (how reserved words and
    /// assignment names are recognised).
    pub fn as_plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [WordPart::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// Whether any part was quoted (a quoted here-doc delimiter turns off
    /// expansion in the body).
    pub fn has_quotes(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, WordPart::Quoted(_) | WordPart::Double(_)))
    }

    /// The text with quotes removed and expansions left as written-ish; used
    /// for here-doc delimiters, where no expansion happens.
    pub fn unquoted_text(&self) -> String {
        fn walk(parts: &[WordPart], out: &mut String) {
            for p in parts {
                match p {
                    WordPart::Lit(s) | WordPart::Quoted(s) => out.push_str(s),
                    WordPart::Double(inner) => walk(inner, out),
                    WordPart::Param(p) => {
                        out.push('$');
                        out.push_str(&p.name);
                    }
                    WordPart::CommandSub(_) | WordPart::Arith(_) => {}
                }
            }
        }
        let mut out = String::new();
        walk(&self.parts, &mut out);
        out
    }
}
