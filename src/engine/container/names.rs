//! Container names: the `--name` rule, and the `adjective_surname` names
//! docker gives containers started without one, from layerlab's own word
//! lists (`assets/names.toml`), picked from the container's id so the same
//! id always gets the same name.

use crate::filesystem::digest::Digest;
use serde::Deserialize;
use std::sync::OnceLock;

const NAMES: &str = include_str!("../../../assets/names.toml");

#[derive(Deserialize)]
struct Words {
    adjectives: Vec<String>,
    surnames: Vec<String>,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    // The file ships inside the binary; a test loads it.
    WORDS.get_or_init(|| {
        toml::from_str(NAMES).unwrap_or(Words {
            adjectives: vec!["unnamed".into()],
            surnames: vec!["container".into()],
        })
    })
}

/// Whether docker accepts `name` for a container: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
/// (one leading `/` allowed).
pub fn valid_name(name: &str) -> bool {
    let name = name.strip_prefix('/').unwrap_or(name);
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The name for a container with this id that `taken` does not hold:
/// `adjective_surname` from the id's bytes; on a clash, docker's way of
/// retrying, a digit appended (and other words from later bytes).
pub fn generate_name(id: &Digest, taken: impl Fn(&str) -> bool) -> String {
    let w = words();
    let bytes = id.as_bytes();
    let pick = |list: &[String], at: usize| -> String {
        let n = usize::from(bytes[at % 32]) << 8 | usize::from(bytes[(at + 1) % 32]);
        list[n % list.len()].clone()
    };
    for retry in 0..64usize {
        let mut name = format!(
            "{}_{}",
            pick(&w.adjectives, retry * 4),
            pick(&w.surnames, retry * 4 + 2)
        );
        if retry > 0 {
            name.push_str(&(usize::from(bytes[retry % 32]) % 10).to_string());
        }
        if !taken(&name) {
            return name;
        }
    }
    // 64 clashes in a row: fall back on the id, which no name can hold.
    id.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_lists_load_and_make_valid_names() {
        let parsed: Words = toml::from_str(NAMES).expect("assets/names.toml parses");
        assert!(parsed.adjectives.len() >= 40 && parsed.surnames.len() >= 40);
        for word in parsed.adjectives.iter().chain(&parsed.surnames) {
            assert!(word.chars().all(|c| c.is_ascii_lowercase()), "{word}");
        }
        let name = generate_name(&Digest::of(b"one"), |_| false);
        assert!(valid_name(&name), "{name}");
        let (adjective, surname) = name.split_once('_').expect("adjective_surname");
        assert!(parsed.adjectives.iter().any(|a| a == adjective));
        assert!(parsed.surnames.iter().any(|s| s == surname));
    }

    #[test]
    fn names_are_deterministic_and_avoid_taken_ones() {
        let id = Digest::of(b"container 1");
        let first = generate_name(&id, |_| false);
        assert_eq!(first, generate_name(&id, |_| false));
        let second = generate_name(&id, |n| n == first);
        assert_ne!(second, first);
        assert!(valid_name(&second));
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..200u32 {
            let id = Digest::of(format!("c{i}").as_bytes());
            let name = generate_name(&id, |n| seen.contains(n));
            assert!(seen.insert(name));
        }
    }

    #[test]
    fn docker_rules_for_given_names() {
        for ok in ["practice", "web-ping.1", "/web_2", "a1"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "a", "-x", "_x", "has space", "한글", "a/b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
