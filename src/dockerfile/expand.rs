//! Variable expansion as Docker applies it to instruction arguments.
//!
//! This follows the shell-word lexer of BuildKit v0.12.5 (the Dockerfile
//! frontend's `shell` package) rule for rule, because a learner must see the
//! value a real builder would compute:
//!
//! * `$NAME` and `${NAME}`; a name is a letter or `_` followed by letters,
//!   digits and `_` (Unicode letters and decimal digits count), or a run of
//!   digits (`$12`), or one special parameter (`$@ $* $# $? $- $$ $!`).
//!   Unset variables expand to nothing. A `$` not followed by a name is kept.
//! * `${NAME-word}` `${NAME:-word}` (default), `${NAME+word}` `${NAME:+word}`
//!   (alternative), `${NAME?msg}` `${NAME:?msg}` (error when unset/empty). The
//!   colon forms treat an empty value like an unset one. Nothing else (`#`,
//!   `%`, `/`, `:=`) exists in v0.12.5: those are "unsupported modifier" errors.
//! * `word` is itself expanded, may nest `${...}` and quotes, and is always
//!   evaluated — an error inside it fails the whole word even when the
//!   variable is set.
//! * Single quotes keep everything literal; double quotes expand `$` and let
//!   the escape character escape only `"`, `$` and itself. Outside quotes the
//!   escape character (`\`, or `` ` `` after `# escape=`) makes the next
//!   character literal; a trailing lone escape character is dropped.
//!
//! Docker applies this to ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL,
//! USER, VOLUME, WORKDIR and ARG, never to the shell form of RUN/CMD/ENTRYPOINT
//! (the shell expands those at run time). Choosing *which* strings to expand
//! is the analyzer's job; this module only knows how.

use crate::limits;
use crate::messages::{Lang, Message};
use finl_unicode::categories::CharacterCategories;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Where variable values come from.
pub trait Vars {
    /// The value of `name`, or `None` when it is unset (which is different from
    /// set to the empty string: `${X-d}` gives `d` only when `X` is unset).
    fn get(&self, name: &str) -> Option<&str>;
}

/// An ordered environment, as in an image config's `Env` list.
///
/// Setting a name that already exists replaces its value in place, so each
/// name appears once and keeps the position of its first definition — the
/// way Docker rewrites `Env` on `ENV`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    entries: Vec<(String, String)>,
    /// Where each name sits in `entries`, so that setting and looking up
    /// stay constant-time in an environment of thousands of variables;
    /// empty while the environment is small enough that a scan is cheaper
    /// than hashing (a Dockerfile's usual handful of variables).
    index: HashMap<String, usize>,
}

/// Variables past which an [`Env`] keeps its index.
const INDEXED_FROM: usize = 32;

impl Env {
    pub fn new() -> Self {
        Env::default()
    }

    /// Defines `key` (the last definition wins).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        let value = value.into();
        match self.position(&key) {
            Some(i) => self.entries[i].1 = value,
            None if self.index.is_empty() && self.entries.len() < INDEXED_FROM => {
                self.entries.push((key, value));
            }
            None => {
                if self.index.is_empty() {
                    self.index = (self.entries.iter().enumerate())
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect();
                }
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).map(|i| self.entries[i].1.as_str())
    }

    fn position(&self, key: &str) -> Option<usize> {
        if self.index.is_empty() {
            self.entries.iter().position(|(k, _)| k == key)
        } else {
            self.index.get(key).copied()
        }
    }

    /// `(name, value)` pairs in definition order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads Docker's `KEY=VALUE` strings. The value runs from the first `=`;
    /// an entry without `=` defines the name with an empty value (as BuildKit
    /// does when it turns such a list into a lookup table).
    pub fn from_docker_list<I, S>(list: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut env = Env::new();
        for item in list {
            let item = item.as_ref();
            match item.split_once('=') {
                Some((k, v)) => env.set(k, v),
                None => env.set(item, ""),
            }
        }
        env
    }

    /// Docker's `KEY=VALUE` strings, in definition order.
    pub fn to_docker_list(&self) -> Vec<String> {
        self.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Env {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut env = Env::new();
        for (k, v) in iter {
            env.set(k, v);
        }
        env
    }
}

impl Vars for Env {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self, name)
    }
}

impl Vars for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

impl Vars for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

/// The result of expanding one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    /// The expanded text with quotes removed.
    pub value: String,
    /// Every variable name the word referred to, in order of appearance,
    /// each once — including names inside defaults that were not needed,
    /// since BuildKit looks those up too.
    pub used: Vec<String>,
    /// The names from `used` that were unset.
    pub unmatched: Vec<String>,
}

/// Why a word could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct ExpandError {
    /// Byte offset into the word: the opening quote of an unterminated
    /// quote, or the `$` of the substitution at fault.
    pub offset: usize,
    pub kind: ExpandErrorKind,
}

/// What was wrong with the word, with what the message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandErrorKind {
    UnterminatedSingleQuote,
    UnterminatedDoubleQuote,
    /// The word ended while looking for `stop`.
    UnexpectedEnd {
        stop: char,
    },
    MissingBrace,
    BadSubstitution,
    /// `modifier` as BuildKit shows it (`:` and the character, or U+FFFD at
    /// the end of the word).
    UnsupportedModifier {
        modifier: String,
    },
    /// `${NAME?}` or `${NAME:?}` on an unset variable.
    Unset {
        name: String,
    },
    /// `${NAME:?}` on an empty variable.
    Empty {
        name: String,
    },
    /// `${NAME?message}`: the Dockerfile's own message.
    Required {
        name: String,
        message: String,
    },
    /// `${…}` nested in `${…}` deeper than [`limits::EXPANSION_DEPTH`]
    /// (layerlab's bound; BuildKit has none).
    TooDeep {
        limit: usize,
    },
    /// An expanded value longer than [`limits::VALUE_BYTES`] (layerlab's
    /// bound; BuildKit has none).
    TooLong {
        limit: usize,
    },
}

impl ExpandErrorKind {
    /// The message, for the catalog to render (English: BuildKit's words).
    pub fn text(&self) -> Message {
        use ExpandErrorKind as K;
        match self {
            K::UnterminatedSingleQuote => Message::new("expand.unterminated_single_quote"),
            K::UnterminatedDoubleQuote => Message::new("expand.unterminated_double_quote"),
            K::UnexpectedEnd { stop } => Message::new("expand.unexpected_end").arg("stop", stop),
            K::MissingBrace => Message::new("expand.missing_brace"),
            K::BadSubstitution => Message::new("expand.bad_substitution"),
            K::UnsupportedModifier { modifier } => {
                Message::new("expand.unsupported_modifier").arg("modifier", modifier)
            }
            K::Unset { name } => Message::new("expand.unset").arg("name", name),
            K::Empty { name } => Message::new("expand.empty").arg("name", name),
            K::Required { name, message } => Message::new("expand.required")
                .arg("name", name)
                .arg("message", message),
            K::TooDeep { limit } => Message::new("expand.too_deep").arg("limit", limit),
            K::TooLong { limit } => Message::new("expand.too_long").arg("limit", limit),
        }
    }
}

impl ExpandError {
    fn new(offset: usize, kind: ExpandErrorKind) -> Self {
        ExpandError { offset, kind }
    }

    /// True when a bound of [`crate::limits`] stopped the expansion rather
    /// than the word's syntax.
    pub fn exceeded(&self) -> bool {
        matches!(
            self.kind,
            ExpandErrorKind::TooDeep { .. } | ExpandErrorKind::TooLong { .. }
        )
    }

    /// BuildKit's own wording, e.g. `syntax error: bad substitution`.
    pub fn message(&self) -> String {
        self.kind.text().render(Lang::En)
    }

    /// The full text BuildKit prints, which names the word:
    /// `failed to process "${}": syntax error: bad substitution`.
    /// A word longer than [`limits::QUOTE_CHARS`] is cut with `…`.
    pub fn buildkit_message(&self, word: &str) -> String {
        format!(
            "failed to process {}: {}",
            crate::gofmt::quote(&limits::quote_cut(word)),
            self.message()
        )
    }
}

/// `ProcessWord`: expands `word` into one string, removing quotes and
/// escapes. `escape` is the Dockerfile's escape character (`\` or `` ` ``).
pub fn expand_word<V: Vars + ?Sized>(
    word: &str,
    escape: char,
    vars: &V,
) -> Result<Expansion, ExpandError> {
    let mut lexer = Lexer::new(word, escape, Mode::WORD, vars);
    let value = lexer.text(None, None)?;
    Ok(lexer.finish(value))
}

/// `ProcessWords` (used by EXPOSE): expands `word` and splits the result on
/// whitespace. Quoted or escaped whitespace does not split; whitespace that
/// came from a variable's value does (`ENV P="80 443"` then `EXPOSE $P` gives
/// two ports). Empty fields are dropped, even a quoted `""`.
pub fn expand_words<V: Vars + ?Sized>(
    word: &str,
    escape: char,
    vars: &V,
) -> Result<Vec<String>, ExpandError> {
    let mut lexer = Lexer::new(word, escape, Mode::WORD, vars);
    let mut fields = Fields::default();
    lexer.text(None, Some(&mut fields))?;
    Ok(fields.finish())
}

/// Expands the body of a heredoc whose delimiter was not quoted
/// (`COPY <<EOF`): quotes are ordinary characters there, and the escape
/// character is always `\`, whatever `# escape=` says.
pub fn expand_heredoc<V: Vars + ?Sized>(body: &str, vars: &V) -> Result<Expansion, ExpandError> {
    let mut lexer = Lexer::new(body, '\\', Mode::HEREDOC, vars);
    let value = lexer.text(None, None)?;
    Ok(lexer.finish(value))
}

/// The instruction text BuildKit shows as a RUN step's name in its progress
/// output (`[2/3] RUN echo "version 1.0"`): quotes stay as written, unset
/// variables stay as written, set ones are replaced. A text that cannot be
/// expanded is shown unchanged, as BuildKit does.
pub fn expand_for_display<V: Vars + ?Sized>(text: &str, escape: char, vars: &V) -> String {
    let mut lexer = Lexer::new(text, escape, Mode::DISPLAY, vars);
    match lexer.text(None, None) {
        Ok(value) => value,
        Err(_) => text.to_owned(),
    }
}

/// The lexer's switches (BuildKit's `SkipProcessQuotes`, `RawQuotes`,
/// `SkipUnsetEnv`), as the three combinations Docker actually uses.
#[derive(Clone, Copy)]
struct Mode {
    /// Treat `'` and `"` as quotes (false: ordinary characters).
    quotes: bool,
    /// Keep the quote characters in the output.
    keep_quotes: bool,
    /// Leave references to unset variables as written.
    keep_unset: bool,
}

impl Mode {
    const WORD: Mode = Mode {
        quotes: true,
        keep_quotes: false,
        keep_unset: false,
    };
    const HEREDOC: Mode = Mode {
        quotes: false,
        keep_quotes: false,
        keep_unset: false,
    };
    const DISPLAY: Mode = Mode {
        quotes: true,
        keep_quotes: true,
        keep_unset: true,
    };
}

/// Go's scanner yields U+FFFD for "no character"; BuildKit prints it in
/// `unsupported modifier (…)` when a `${NAME` runs into the end of the word.
const END_OF_WORD: char = '\u{FFFD}';

struct Lexer<'a, 'v, V: ?Sized> {
    src: &'a str,
    pos: usize,
    escape: char,
    mode: Mode,
    vars: &'v V,
    used: Vec<String>,
    unmatched: Vec<String>,
    /// The names in `used`, for a lookup that stays constant-time in a word
    /// naming thousands of variables.
    seen: HashSet<&'a str>,
    /// `${…}` levels open around the cursor: each is one recursion of
    /// [`Lexer::text`], so the depth is bounded before the stack is.
    depth: usize,
}

impl<'a, 'v, V: Vars + ?Sized> Lexer<'a, 'v, V> {
    fn new(src: &'a str, escape: char, mode: Mode, vars: &'v V) -> Self {
        // Go's text scanner silently skips a byte-order mark at the very
        // start of its input; BuildKit inherits that.
        let pos = if src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Lexer {
            src,
            pos,
            escape,
            mode,
            vars,
            used: Vec::new(),
            unmatched: Vec::new(),
            seen: HashSet::new(),
            depth: 0,
        }
    }

    /// Appends `value` to `out`, unless that passes the bound on a value's
    /// size ([`limits::VALUE_BYTES`]); `at` is where the piece started.
    fn append(&self, out: &mut String, value: &str, at: usize) -> Result<(), ExpandError> {
        if out.len() + value.len() > limits::VALUE_BYTES {
            let limit = limits::VALUE_BYTES;
            return Err(ExpandError::new(at, ExpandErrorKind::TooLong { limit }));
        }
        out.push_str(value);
        Ok(())
    }

    fn finish(self, value: String) -> Expansion {
        Expansion {
            value,
            used: self.used,
            unmatched: self.unmatched,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// Expands up to the end of input, or up to and including `stop`
    /// (the `}` closing a `${NAME:-word}`). `fields` collects the word
    /// splitting, which only the top level needs.
    fn text(
        &mut self,
        stop: Option<char>,
        mut fields: Option<&mut Fields>,
    ) -> Result<String, ExpandError> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.bump();
                return Ok(out);
            }
            match c {
                '$' => {
                    let at = self.pos;
                    let value = self.dollar()?;
                    if let Some(f) = fields.as_deref_mut() {
                        f.push_splitting(&value);
                    }
                    self.append(&mut out, &value, at)?;
                }
                '\'' | '"' if self.mode.quotes => {
                    let value = if c == '\'' {
                        self.single_quoted()?
                    } else {
                        self.double_quoted()?
                    };
                    if let Some(f) = fields.as_deref_mut() {
                        f.push_verbatim(&value);
                    }
                    out.push_str(&value);
                }
                _ => {
                    self.bump();
                    if c == self.escape {
                        let Some(escaped) = self.bump() else {
                            break;
                        };
                        if let Some(f) = fields.as_deref_mut() {
                            f.push_verbatim_char(escaped);
                        }
                        out.push(escaped);
                    } else {
                        if let Some(f) = fields.as_deref_mut() {
                            f.push_splitting_char(c);
                        }
                        out.push(c);
                    }
                }
            }
        }
        match stop {
            // Never seen by users: `dollar` reports a missing `}` instead.
            Some(stop) => Err(ExpandError::new(
                self.pos,
                ExpandErrorKind::UnexpectedEnd { stop },
            )),
            None => Ok(out),
        }
    }

    fn single_quoted(&mut self) -> Result<String, ExpandError> {
        let open = self.pos;
        self.bump();
        let rest = &self.src[self.pos..];
        let Some(len) = rest.find('\'') else {
            // Like BuildKit's scanner, the search consumed the rest of the
            // word; an enclosing `${` then reports its missing `}` instead.
            self.pos = self.src.len();
            return Err(ExpandError::new(
                open,
                ExpandErrorKind::UnterminatedSingleQuote,
            ));
        };
        let inner = &rest[..len];
        self.pos += len + 1;
        Ok(if self.mode.keep_quotes {
            format!("'{inner}'")
        } else {
            inner.to_owned()
        })
    }

    fn double_quoted(&mut self) -> Result<String, ExpandError> {
        let open = self.pos;
        self.bump();
        let mut out = String::new();
        if self.mode.keep_quotes {
            out.push('"');
        }
        loop {
            match self.peek() {
                None => {
                    return Err(ExpandError::new(
                        open,
                        ExpandErrorKind::UnterminatedDoubleQuote,
                    ))
                }
                Some('"') => {
                    self.bump();
                    if self.mode.keep_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let at = self.pos;
                    let value = self.dollar()?;
                    self.append(&mut out, &value, at)?;
                }
                Some(c) => {
                    self.bump();
                    if c != self.escape {
                        out.push(c);
                        continue;
                    }
                    // Inside double quotes the escape character escapes only
                    // `"`, `$` and itself; before anything else it is literal.
                    match self.peek() {
                        None => {}
                        Some(next) if next == '"' || next == '$' || next == self.escape => {
                            self.bump();
                            out.push(next);
                        }
                        Some(_) => out.push(c),
                    }
                }
            }
        }
    }

    /// One `$` reference; the cursor is on the `$`.
    fn dollar(&mut self) -> Result<String, ExpandError> {
        let start = self.pos;
        self.bump();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match self.lookup(name) {
                Some(value) => value.to_owned(),
                None if self.mode.keep_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.bump();
        match self.peek() {
            None => return Err(ExpandError::new(start, ExpandErrorKind::MissingBrace)),
            Some('{' | '}' | ':') => {
                return Err(ExpandError::new(start, ExpandErrorKind::BadSubstitution))
            }
            Some(_) => {}
        }
        let name = self.name();
        let value = self.lookup(name);
        let (null_is_unset, modifier) = match self.bump() {
            Some('}') => {
                return Ok(match value {
                    Some(value) => value.to_owned(),
                    None if self.mode.keep_unset => format!("${{{name}}}"),
                    None => String::new(),
                })
            }
            Some(':') => (true, self.bump()),
            Some(c @ ('+' | '-' | '?')) => (false, Some(c)),
            other => {
                let shown = other.unwrap_or(END_OF_WORD);
                return Err(ExpandError::new(
                    start,
                    ExpandErrorKind::UnsupportedModifier {
                        modifier: shown.to_string(),
                    },
                ));
            }
        };
        let modifier_text = format!(
            "{}{}",
            if null_is_unset { ":" } else { "" },
            modifier.unwrap_or(END_OF_WORD)
        );
        if self.depth >= limits::EXPANSION_DEPTH {
            let limit = limits::EXPANSION_DEPTH;
            return Err(ExpandError::new(start, ExpandErrorKind::TooDeep { limit }));
        }
        // The word is expanded before the modifier is checked, so errors in
        // it win; and any failure that reaches the end of input means the
        // closing brace is missing (a limit passed is reported as itself).
        self.depth += 1;
        let word = self.text(Some('}'), None);
        self.depth -= 1;
        let word = match word {
            Ok(word) => word,
            Err(err) if err.exceeded() => return Err(err),
            Err(_) if self.at_end() => {
                return Err(ExpandError::new(start, ExpandErrorKind::MissingBrace))
            }
            Err(err) => return Err(err),
        };
        if value.is_none() && self.mode.keep_unset {
            return Ok(format!("${{{name}{modifier_text}{word}}}"));
        }
        let empty = match value {
            None => true,
            Some(v) => null_is_unset && v.is_empty(),
        };
        match modifier {
            Some('-') => Ok(if empty {
                word
            } else {
                value.unwrap_or_default().to_owned()
            }),
            Some('+') => Ok(if empty { String::new() } else { word }),
            Some('?') if empty => {
                let name = name.to_owned();
                let kind = if !word.is_empty() {
                    ExpandErrorKind::Required {
                        name,
                        message: word,
                    }
                } else if value.is_none() {
                    ExpandErrorKind::Unset { name }
                } else {
                    ExpandErrorKind::Empty { name }
                };
                Err(ExpandError::new(start, kind))
            }
            Some('?') => Ok(value.unwrap_or_default().to_owned()),
            _ => Err(ExpandError::new(
                start,
                ExpandErrorKind::UnsupportedModifier {
                    modifier: modifier_text,
                },
            )),
        }
    }

    /// Reads a variable name (possibly empty) at the cursor.
    fn name(&mut self) -> &'a str {
        let src = self.src;
        let start = self.pos;
        match self.peek() {
            Some(c) if is_go_digit(c) => {
                while self.peek().is_some_and(is_go_digit) {
                    self.bump();
                }
                return &src[start..self.pos];
            }
            Some('@' | '*' | '#' | '?' | '-' | '$' | '!') => {
                self.bump();
                return &src[start..self.pos];
            }
            _ => {}
        }
        while self
            .peek()
            .is_some_and(|c| c.is_letter() || is_go_digit(c) || c == '_')
        {
            self.bump();
        }
        &src[start..self.pos]
    }

    fn lookup(&mut self, name: &'a str) -> Option<&'v str> {
        let value = self.vars.get(name);
        if self.seen.insert(name) {
            self.used.push(name.to_owned());
            if value.is_none() {
                self.unmatched.push(name.to_owned());
            }
        }
        value
    }
}

/// Go's `unicode.IsDigit`: decimal digits (Nd) of any script.
fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_number_decimal())
}

/// Word splitting for [`expand_words`]. Whitespace splits only where it is
/// literal or came from a variable; quoted or escaped text never splits.
#[derive(Default)]
struct Fields {
    done: Vec<String>,
    current: String,
}

impl Fields {
    fn push_splitting_char(&mut self, c: char) {
        if c.is_whitespace() {
            if !self.current.is_empty() {
                self.done.push(std::mem::take(&mut self.current));
            }
        } else {
            self.current.push(c);
        }
    }

    fn push_splitting(&mut self, s: &str) {
        for c in s.chars() {
            self.push_splitting_char(c);
        }
    }

    fn push_verbatim_char(&mut self, c: char) {
        self.current.push(c);
    }

    fn push_verbatim(&mut self, s: &str) {
        self.current.push_str(s);
    }

    fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::Env;

    /// Small and large environments answer alike: the index taken past a
    /// few dozen names keeps each name's first position and last value.
    #[test]
    fn an_env_keeps_order_and_last_values_across_its_index() {
        let mut env = Env::new();
        for i in 0..100 {
            env.set(format!("V{i}"), "first");
            env.set(format!("V{}", i / 2), format!("again {i}"));
        }
        assert_eq!(env.len(), 100);
        let names: Vec<&str> = env.iter().map(|(k, _)| k).collect();
        assert_eq!(names[..3], ["V0", "V1", "V2"]);
        assert_eq!(env.get("V10"), Some("again 21"));
        assert_eq!(env.get("V99"), Some("first"));
        assert_eq!(env.get("V100"), None);
        let rebuilt: Env = env.iter().collect();
        assert_eq!(rebuilt, env);
    }
}
