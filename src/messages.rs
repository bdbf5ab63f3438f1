//! The message catalog: every text layerlab writes for a person, in Korean
//! and English, from `assets/i18n/{en,ko}.toml` (the same keys in both).
//!
//! A [`Message`] is a key and its named arguments — data that any layer can
//! build and keep — and becomes text only when rendered in a [`Lang`]. It sits
//! below everything else so the Dockerfile front end, the engine, the command
//! table and the screen all speak through it; it imports none of them.
//! What docker itself prints (its tables, its errors) is not in here: that
//! stays docker's own English, written where it is produced.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// Korean when the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, first set)
    /// starts with `ko`, else English.
    pub fn from_locale(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.to_ascii_lowercase().starts_with("ko") => Lang::Ko,
            _ => Lang::En,
        }
    }

    pub fn parse(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "ko" => Ok(Lang::Ko),
            other => Err(format!("unknown language {other:?}: expected en or ko")),
        }
    }

    /// The catalog's text for this language, as shipped.
    pub fn source(self) -> &'static str {
        match self {
            Lang::En => EN,
            Lang::Ko => KO,
        }
    }
}

pub const EN: &str = include_str!("../assets/i18n/en.toml");
pub const KO: &str = include_str!("../assets/i18n/ko.toml");

/// Parse one catalog file: a flat table of key = template.
pub fn load(text: &str) -> Result<HashMap<String, String>, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

struct Tables {
    en: HashMap<String, String>,
    ko: HashMap<String, String>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    // The assets are checked by tests; a broken one degrades to key names.
    TABLES.get_or_init(|| Tables {
        en: load(EN).unwrap_or_default(),
        ko: load(KO).unwrap_or_default(),
    })
}

/// The template for `key` in `lang`, if the catalog has it.
pub fn template(lang: Lang, key: &str) -> Option<&'static str> {
    let t = tables();
    let table = match lang {
        Lang::En => &t.en,
        Lang::Ko => &t.ko,
    };
    table.get(key).map(String::as_str)
}

/// One value filling a `{name}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is, in every language (a path, a digest, a command).
    Text(String),
    /// Another message, rendered in the same language.
    Message(Message),
    /// Messages rendered in the same language and joined with `; `.
    List(Vec<Message>),
}

/// A text for a person: a catalog key and its named arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// Why a message could not be rendered from the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the {lang:?} catalog has no key {key:?}")]
    MissingKey { lang: Lang, key: String },
    #[error("{key:?} in the {lang:?} catalog has {{{name}}} but no argument fills it")]
    MissingArg {
        lang: Lang,
        key: String,
        name: String,
    },
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message {
            key,
            args: Vec::new(),
        }
    }

    /// Fill `{name}` with text shown as it is.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Message {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// Fill `{name}` with another message.
    pub fn nested(mut self, name: &'static str, value: Message) -> Message {
        self.args.push((name, Arg::Message(value)));
        self
    }

    /// Fill `{name}` with a list of messages.
    pub fn list(mut self, name: &'static str, values: Vec<Message>) -> Message {
        self.args.push((name, Arg::List(values)));
        self
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The text in `lang`: a key the language lacks falls back to English,
    /// then to the key itself, so a gap shows up instead of an empty line.
    pub fn render(&self, lang: Lang) -> String {
        fill(lookup(lang, self.key), |name| {
            self.value(name)
                .map(|arg| Ok::<_, RenderError>(self.render_arg(arg, lang)))
        })
        .unwrap_or_default()
    }

    /// The text in `lang`, or what is missing: the key (here or in a nested
    /// message) or an argument a placeholder names.
    pub fn try_render(&self, lang: Lang) -> Result<String, RenderError> {
        let template = template(lang, self.key).ok_or_else(|| RenderError::MissingKey {
            lang,
            key: self.key.to_string(),
        })?;
        fill(template, |name| {
            let arg = self.value(name).ok_or_else(|| RenderError::MissingArg {
                lang,
                key: self.key.to_string(),
                name: name.to_string(),
            });
            Some(arg.and_then(|arg| self.try_render_arg(arg, lang)))
        })
    }

    fn value(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }

    fn render_arg(&self, arg: &Arg, lang: Lang) -> String {
        match arg {
            Arg::Text(t) => t.clone(),
            Arg::Message(m) => m.render(lang),
            Arg::List(ms) => ms
                .iter()
                .map(|m| m.render(lang))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    fn try_render_arg(&self, arg: &Arg, lang: Lang) -> Result<String, RenderError> {
        Ok(match arg {
            Arg::Text(t) => t.clone(),
            Arg::Message(m) => m.try_render(lang)?,
            Arg::List(ms) => ms
                .iter()
                .map(|m| m.try_render(lang))
                .collect::<Result<Vec<_>, _>>()?
                .join("; "),
        })
    }
}

/// English, the language of logs and of docker's own messages.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Fill the `{name}` placeholders of `template` in one pass (a value is
/// never read as a template). `value` answers None to leave a placeholder
/// as written, or the text (or error) for it. `{name|one|other}` is the
/// word that agrees with the count `name` holds: `one` for 1, else `other`
/// ("1 layer", "2 layers"; Korean needs none). A brace that does not open
/// a placeholder is kept: BuildKit's messages quote `}` and `${}`.
fn fill<E>(
    template: &str,
    mut value: impl FnMut(&str) -> Option<Result<String, E>>,
) -> Result<String, E> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let tail = &after[name_len..];
        let forms = tail
            .strip_prefix('|')
            .and_then(|t| t.split_once('}'))
            .and_then(|(forms, _)| forms.split_once('|'))
            .filter(|(_, other)| !other.contains(['|', '{']));
        let written_len = match forms {
            Some((one, other)) => name_len + one.len() + other.len() + 3,
            None if tail.starts_with('}') => name_len + 1,
            None => 0,
        };
        if name_len == 0 || written_len == 0 {
            out.push('{');
            rest = after;
            continue;
        }
        match value(name) {
            Some(v) => {
                let v = v?;
                out.push_str(match forms {
                    Some((one, _)) if v.trim() == "1" => one,
                    Some((_, other)) => other,
                    None => &v,
                });
            }
            None => {
                out.push('{');
                out.push_str(&after[..written_len]);
            }
        }
        rest = &after[written_len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `{name}` placeholders a template names, each once, in order.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let _ = fill::<()>(template, |name| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        None
    });
    names
}

/// The template for `key`: the language's, else English, else the key.
fn lookup(lang: Lang, key: &str) -> &str {
    template(lang, key)
        .or_else(|| template(Lang::En, key))
        .unwrap_or(key)
}

/// A screen text without arguments (its key may be computed, e.g.
/// `action.{name}`).
pub fn tr(lang: Lang, key: &str) -> String {
    lookup(lang, key).to_string()
}

/// A screen text with `{name}` placeholders filled.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill::<()>(lookup(lang, key), |name| {
        args.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Ok(v.to_string()))
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_korean() {
        assert_eq!(Lang::from_locale(Some("ko_KR.UTF-8")), Lang::Ko);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    /// Every key is in both languages, with the same placeholders: a text
    /// added in one language only, or an argument one side forgets, fails.
    #[test]
    fn both_languages_have_the_same_keys_and_placeholders() {
        let en = load(EN).expect("en.toml parses");
        let ko = load(KO).expect("ko.toml parses");
        fn only(a: &HashMap<String, String>, b: &HashMap<String, String>) -> Vec<String> {
            let mut keys: Vec<String> = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
            keys.sort();
            keys
        }
        assert_eq!(only(&en, &ko), Vec::<String>::new(), "keys only in en.toml");
        assert_eq!(only(&ko, &en), Vec::<String>::new(), "keys only in ko.toml");
        for (key, en_text) in &en {
            let mut a = placeholders(en_text);
            let mut b = placeholders(&ko[key]);
            a.sort();
            b.sort();
            assert_eq!(a, b, "placeholders of {key} differ between en and ko");
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_stray_braces_kept() {
        let filled = fill::<()>("{a} and {b} of '}' ${x", |n| {
            Some(Ok(match n {
                "a" => "{b}".to_string(),
                _ => "B".to_string(),
            }))
        });
        assert_eq!(filled, Ok("{b} and B of '}' ${x".to_string()));
        assert_eq!(
            placeholders("x {one} {Two} {two_2} {three} {one|a|b}"),
            ["one", "three"]
        );
    }

    #[test]
    fn a_word_agrees_with_its_count() {
        let with = |n: &str| {
            fill::<()>("{n} {n|layer|layers}, {n|x}, {m|a|b}", |name| {
                (name == "n").then(|| Ok(n.to_string()))
            })
        };
        assert_eq!(with("1"), Ok("1 layer, {n|x}, {m|a|b}".to_string()));
        assert_eq!(with("0"), Ok("0 layers, {n|x}, {m|a|b}".to_string()));
        assert_eq!(with("12"), Ok("12 layers, {n|x}, {m|a|b}".to_string()));
    }

    #[test]
    fn a_missing_key_or_argument_is_reported() {
        assert_eq!(
            Message::new("no.such.key").try_render(Lang::Ko),
            Err(RenderError::MissingKey {
                lang: Lang::Ko,
                key: "no.such.key".into()
            })
        );
        assert_eq!(Message::new("no.such.key").render(Lang::Ko), "no.such.key");
        assert!(matches!(
            Message::new("status.saved").try_render(Lang::En),
            Err(RenderError::MissingArg { .. })
        ));
        assert_eq!(
            Message::new("status.saved")
                .arg("path", "Dockerfile")
                .try_render(Lang::En),
            Ok("Saved Dockerfile".to_string())
        );
    }
}
