//! Every case of the shared parse-conformance corpus
//! (`../shared/parser-corpus/{buildkit,extra}/*/`, or `$LAYERLAB_SHARED/
//! parser-corpus`) must give exactly BuildKit's output, `expected.json`.

use layerlab::dockerfile::corpus_json::corpus_json_string;
use layerlab::dockerfile::parse;
use std::path::PathBuf;

fn corpus_root() -> PathBuf {
    let shared = std::env::var_os("LAYERLAB_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    shared.join("parser-corpus")
}

#[test]
fn corpus_matches_buildkit() {
    let root = corpus_root();
    if !root.is_dir() {
        let why = format!(
            "parser corpus not found at {} (set LAYERLAB_SHARED to the shared folder)",
            root.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("\n==================== PARSER CORPUS NOT RUN ====================");
        eprintln!("{why}");
        eprintln!("===============================================================\n");
        return;
    }
    let mut cases = Vec::new();
    for group in ["buildkit", "extra"] {
        let Ok(entries) = std::fs::read_dir(root.join(group)) else {
            panic!("cannot list {}", root.join(group).display());
        };
        for e in entries.flatten() {
            if e.path().join("Dockerfile").is_file() {
                cases.push(e.path());
            }
        }
    }
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no corpus cases under {}",
        root.display()
    );

    let mut failures = Vec::new();
    for case in &cases {
        let bytes = std::fs::read(case.join("Dockerfile")).expect("read Dockerfile");
        let expected: serde_json::Value = serde_json::from_slice(
            &std::fs::read(case.join("expected.json")).expect("read expected.json"),
        )
        .expect("expected.json is JSON");
        let source = String::from_utf8(bytes).expect("corpus files are UTF-8");
        let got: serde_json::Value =
            serde_json::from_str(&corpus_json_string(&parse(&source))).expect("our JSON parses");
        if got != expected {
            failures.push(format!(
                "{}\n  expected: {}\n  got:      {}",
                case.display(),
                expected,
                got
            ));
        }
    }
    eprintln!(
        "parser corpus: {} of {} cases match BuildKit",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
