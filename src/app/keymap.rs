//! Keys as plain data (no terminal types), and the key map that turns them
//! into actions per place: read from `assets/keymap.toml`.

use crate::app::action::Action;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A key without its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCode {
    Char(char),
    Up,
    Down,
    Left,
    Right,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Home,
    End,
    PageUp,
    PageDown,
    /// A function key, F1 to F12.
    F(u8),
}

/// A key press. Shift is folded into the character for printable keys
/// (`K`, `?`), so `shift` is only set for named keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
            shift: false,
        }
    }

    pub const fn alt(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: true,
            shift: false,
        }
    }
}

const NAMES: &[(&str, KeyCode)] = &[
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("space", KeyCode::Char(' ')),
];

impl FromStr for Key {
    type Err = String;
    fn from_str(s: &str) -> Result<Key, String> {
        let mut key = Key::plain(KeyCode::Esc);
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl+") {
                key.ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt+") {
                key.alt = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("shift+") {
                key.shift = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let function = rest
            .strip_prefix('f')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n));
        key.code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match function {
                Some(n) => KeyCode::F(n),
                None => NAMES
                    .iter()
                    .find(|(n, _)| *n == rest)
                    .map(|(_, k)| *k)
                    .ok_or_else(|| format!("unknown key {s:?}"))?,
            },
        };
        Ok(key)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl+")?;
        }
        if self.alt {
            f.write_str("alt+")?;
        }
        if self.shift {
            f.write_str("shift+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => {
                let name = NAMES
                    .iter()
                    .find(|(_, k)| *k == other)
                    .map_or("?", |(n, _)| n);
                f.write_str(name)
            }
        }
    }
}

/// Where a binding applies: everywhere, or in one pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Dockerfile,
    Layers,
    Context,
    /// The lesson menu.
    Menu,
    /// A scripted demo (`layerlab present LESSON`).
    Present,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Dockerfile,
        Scope::Layers,
        Scope::Context,
        Scope::Present,
        Scope::Global,
        Scope::Menu,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Dockerfile => "dockerfile",
            Scope::Layers => "layers",
            Scope::Context => "context",
            Scope::Menu => "menu",
            Scope::Present => "present",
        }
    }
}

/// The file's shape: one table of `key = "action"` per scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    global: BTreeMap<String, String>,
    dockerfile: BTreeMap<String, String>,
    layers: BTreeMap<String, String>,
    context: BTreeMap<String, String>,
    menu: BTreeMap<String, String>,
    #[serde(default)]
    present: BTreeMap<String, String>,
}

/// Key → action, per scope. Lookups try the pane's scope, then global.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Scope, Key, Action)>,
}

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

impl Keymap {
    pub fn parse(text: &str) -> Result<Keymap, String> {
        let file: KeymapFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut bindings = Vec::new();
        for (scope, table) in [
            (Scope::Global, &file.global),
            (Scope::Dockerfile, &file.dockerfile),
            (Scope::Layers, &file.layers),
            (Scope::Context, &file.context),
            (Scope::Menu, &file.menu),
            (Scope::Present, &file.present),
        ] {
            for (k, a) in table {
                let key: Key = k.parse()?;
                let action: Action = a.parse()?;
                bindings.push((scope, key, action));
            }
        }
        Ok(Keymap { bindings })
    }

    /// The built-in key map.
    pub fn default_map() -> Keymap {
        // The asset is checked by a test; an empty map would only disable keys.
        Keymap::parse(DEFAULT_KEYMAP).unwrap_or(Keymap {
            bindings: Vec::new(),
        })
    }

    pub fn lookup(&self, scope: Scope, key: Key) -> Option<Action> {
        let find = |s: Scope| {
            self.bindings
                .iter()
                .find(|(bs, bk, _)| *bs == s && *bk == key)
                .map(|(_, _, a)| *a)
        };
        find(scope).or_else(|| find(Scope::Global))
    }

    /// Keys bound to `action` in `scope`: named keys (arrows) first, then
    /// letters, then control keys, so `up`/`k` and `down`/`j` pair up.
    pub fn keys_for(&self, scope: Scope, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .iter()
            .filter(|(s, _, a)| *s == scope && *a == action)
            .map(|(_, k, _)| *k)
            .collect();
        keys.sort_by_key(|k| (k.ctrl, matches!(k.code, KeyCode::Char(_)), *k));
        keys
    }

    /// Every (scope, action, keys) for the help overlay.
    pub fn entries(&self) -> Vec<(Scope, Action, Vec<Key>)> {
        let mut out: Vec<(Scope, Action, Vec<Key>)> = Vec::new();
        for scope in Scope::ALL {
            for a in Action::ALL {
                let keys = self.keys_for(scope, *a);
                if !keys.is_empty() {
                    out.push((scope, *a, keys));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keymap_loads_and_keeps_the_contract_keys() {
        let map = Keymap::parse(DEFAULT_KEYMAP).unwrap();
        let df = Scope::Dockerfile;
        assert_eq!(
            map.lookup(df, Key::plain(KeyCode::Up)),
            Some(Action::SelectUp)
        );
        assert_eq!(map.lookup(df, Key::char('k')), Some(Action::SelectUp));
        assert_eq!(map.lookup(df, Key::char('j')), Some(Action::SelectDown));
        assert_eq!(map.lookup(df, Key::alt(KeyCode::Up)), Some(Action::MoveUp));
        assert_eq!(
            map.lookup(df, Key::alt(KeyCode::Down)),
            Some(Action::MoveDown)
        );
        assert_eq!(map.lookup(df, Key::char('K')), Some(Action::MoveUp));
        assert_eq!(map.lookup(df, Key::char('J')), Some(Action::MoveDown));
        assert_eq!(map.lookup(df, Key::char('?')), Some(Action::Help));
        assert_eq!(map.lookup(df, Key::char('q')), Some(Action::Quit));
        assert_eq!(map.lookup(df, Key::ctrl('c')), Some(Action::Quit));
        assert_eq!(map.lookup(df, Key::char(':')), Some(Action::CommandBar));
    }

    #[test]
    fn keys_round_trip() {
        for s in [
            "k",
            "K",
            "alt+up",
            "ctrl+r",
            "shift+tab",
            "space",
            "pagedown",
            "?",
            "f",
            "f5",
            "shift+f12",
        ] {
            assert_eq!(s.parse::<Key>().unwrap().to_string(), s);
        }
        assert_eq!("f5".parse::<Key>(), Ok(Key::plain(KeyCode::F(5))));
        assert!("ctrl+nothing".parse::<Key>().is_err());
        assert!("f13".parse::<Key>().is_err());
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(Keymap::parse(
            "[global]\nq = \"fly\"\n[dockerfile]\n[layers]\n[context]\n[menu]\n"
        )
        .is_err());
        assert!(Keymap::parse("[global]\n").is_err());
    }
}
