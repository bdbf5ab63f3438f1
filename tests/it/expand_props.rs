//! Properties of variable expansion that must hold for any input.

use layerlab::dockerfile::expand::{
    expand_for_display, expand_heredoc, expand_word, expand_words, Env,
};
use proptest::prelude::*;

/// Words built mostly from the characters that mean something to the
/// lexer, so the generator reaches the interesting paths quickly.
fn tricky_word() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("$".to_owned()),
        Just("${".to_owned()),
        Just("}".to_owned()),
        Just(":".to_owned()),
        Just("-".to_owned()),
        Just("+".to_owned()),
        Just("?".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("`".to_owned()),
        Just(" ".to_owned()),
        Just("A".to_owned()),
        Just("E".to_owned()),
        Just("X".to_owned()),
        Just("1".to_owned()),
        Just("@".to_owned()),
        Just("한".to_owned()),
        Just("\u{feff}".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(atom, 0..24).prop_map(|atoms| atoms.concat())
}

fn env() -> Env {
    Env::from_docker_list(["A=a value", "E=", "1=one", "한=kor"])
}

fn escape() -> impl Strategy<Value = char> {
    prop_oneof![Just('\\'), Just('`')]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_and_errors_point_into_the_word(
        word in prop_oneof![tricky_word(), any::<String>()],
        escape in escape(),
    ) {
        let env = env();
        match expand_word(&word, escape, &env) {
            Ok(e) => {
                for name in &e.unmatched {
                    prop_assert!(e.used.contains(name));
                }
                let mut sorted = e.used.clone();
                sorted.sort();
                sorted.dedup();
                prop_assert_eq!(sorted.len(), e.used.len());
            }
            Err(err) => {
                prop_assert!(err.offset <= word.len());
                prop_assert!(word.is_char_boundary(err.offset));
                prop_assert!(!err.message().is_empty());
                prop_assert!(err.buildkit_message(&word).starts_with("failed to process \""));
            }
        }
        // ProcessWord and ProcessWords fail on exactly the same words.
        let words = expand_words(&word, escape, &env);
        prop_assert_eq!(words.is_ok(), expand_word(&word, escape, &env).is_ok());
        if let Ok(words) = words {
            prop_assert!(words.iter().all(|w| !w.is_empty()));
        }
        let _ = expand_heredoc(&word, &env);
        let _ = expand_for_display(&word, escape, &env);
    }

    #[test]
    fn text_without_special_characters_is_unchanged(
        word in "[^$'\"\\\\`\u{feff}]*",
        escape in escape(),
    ) {
        let env = env();
        let e = expand_word(&word, escape, &env).unwrap();
        prop_assert_eq!(&e.value, &word);
        prop_assert!(e.used.is_empty());
        let words = expand_words(&word, escape, &env).unwrap();
        let expected: Vec<&str> = word.split_whitespace().collect();
        prop_assert_eq!(words, expected);
        prop_assert_eq!(expand_for_display(&word, escape, &env), word);
    }

    #[test]
    fn single_quotes_keep_anything_but_a_single_quote(
        inner in "[^']*",
        escape in escape(),
    ) {
        let word = format!("'{inner}'");
        let e = expand_word(&word, escape, &Env::new()).unwrap();
        prop_assert_eq!(e.value, inner);
        prop_assert_eq!(expand_for_display(&word, escape, &Env::new()), word);
    }

    #[test]
    fn a_reference_yields_the_value_verbatim(
        value in any::<String>().prop_filter("`:-` treats empty as unset", |v| !v.is_empty()),
        escape in escape(),
    ) {
        let mut env = Env::new();
        env.set("V", value.clone());
        for word in ["$V", "${V}", "\"$V\"", "${V:-x}", "${V-x}", "${V?x}"] {
            let e = expand_word(word, escape, &env).unwrap();
            prop_assert_eq!(&e.value, &value);
            prop_assert_eq!(&e.used, &["V".to_owned()]);
        }
        // A value is never re-expanded: `$` or quotes in it stay as they are.
        let e = expand_word("${U:-$V}", escape, &env).unwrap();
        prop_assert_eq!(e.value, value);
    }

    #[test]
    fn escaping_makes_any_character_literal(c in any::<char>(), escape in escape()) {
        let word = format!("{escape}{c}");
        let e = expand_word(&word, escape, &Env::new()).unwrap();
        prop_assert_eq!(e.value, c.to_string());
    }
}

/// One level of nesting: a modifier, and text before it.
fn level() -> impl Strategy<Value = (&'static str, &'static str)> {
    (
        prop::sample::select(vec![":-", "-", ":+", "+", ":?", "?"]),
        prop::sample::select(vec!["", "x", "\"", "'q'", "\\\n", " "]),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// `${A:-${U-${…}}}` at any depth: the expander either answers or —
    /// past the depth limit — says so; it never overflows the stack (the
    /// test thread has 2 MiB, a quarter of a main thread's).
    #[test]
    fn nested_expansions_answer_or_name_the_depth_limit(
        levels in prop::collection::vec(level(), 0..400),
        escape in escape(),
    ) {
        let mut word = String::new();
        let mut open_quotes = 0;
        for (modifier, before) in &levels {
            word.push_str(before);
            if *before == "\"" {
                open_quotes += 1;
            }
            word.push_str("${U");
            word.push_str(modifier);
        }
        word.push_str("end");
        for _ in &levels {
            word.push('}');
        }
        for _ in 0..open_quotes {
            word.push('"');
        }
        let result = expand_word(&word, escape, &env());
        if levels.len() > layerlab::limits::EXPANSION_DEPTH {
            let e = result.expect_err("past the depth limit");
            prop_assert!(e.exceeded(), "{}", e.message());
            prop_assert!(e.message().contains("limit of 128 levels"), "{}", e.message());
        } else if let Err(e) = result {
            prop_assert!(!e.exceeded(), "{}", e.message());
        }
        let _ = expand_for_display(&word, escape, &env());
    }
}
