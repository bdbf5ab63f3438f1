//! `layerlab parse` through the real binary: the listing, the JSON
//! contract's error form and exit code, and the learner's warnings.

use crate::support;
use std::io::Write;
use std::process::{Output, Stdio};

fn parse(args: &[&str], stdin: &str) -> Output {
    let mut child = support::binary::layerlab()
        .arg("parse")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn layerlab");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

#[test]
fn listing_and_learner_warnings() {
    let out = parse(&[], "FROM alpine\nCMD [node, app.js]\nRUNN echo\n");
    assert_eq!(out.status.code(), Some(0), "the parser accepts the file");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FROM [\"alpine\"]"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("<stdin>:3:1"), "{stderr}");
    assert!(stderr.contains("did you mean RUN?"), "{stderr}");
    assert!(stderr.contains("not valid JSON"), "{stderr}");
}

#[test]
fn json_error_form_and_exit_code() {
    let out = parse(&["--json"], "FROM alpine\nRUN <<EOF\necho\n");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["error"], "unterminated heredoc");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("<stdin>:2:5"), "{stderr}");
}

#[test]
fn json_instructions_have_the_corpus_fields() {
    let out = parse(&["--json"], "FROM alpine AS b\nENV A=1 B=\"x y\"\n");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let env = &v[1];
    for key in [
        "cmd",
        "sub_cmd",
        "json",
        "original",
        "value",
        "flags",
        "sub_flags",
        "start_line",
        "end_line",
        "heredocs",
    ] {
        assert!(env.get(key).is_some(), "missing {key}: {env}");
    }
    assert_eq!(env["value"], serde_json::json!(["A", "1", "B", "\"x y\""]));
}

#[test]
fn korean_diagnostics_name_the_spot_and_the_suggestion() {
    let out = parse(
        &["--lang", "ko"],
        "FROM alpine\nCMD [node, app.js]\nRUNN echo\n",
    );
    assert_eq!(out.status.code(), Some(0), "the parser accepts the file");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("오류: 알 수 없는 인스트럭션: RUNN\n  --> <stdin>:3:1\n"),
        "{stderr}"
    );
    assert!(stderr.contains("^ 혹시 RUN인가요?"), "{stderr}");
    assert!(
        stderr.contains("경고: CMD의 인자가 JSON 배열처럼 보이지만"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");

    let broken = parse(&["--lang", "ko"], "FROM alpine\nRUN <<EOF\necho\n");
    assert_eq!(broken.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.starts_with("오류: heredoc이 끝나지 않음\n  --> <stdin>:2:5\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`EOF`만 있는 줄로 heredoc을 끝내세요"),
        "{stderr}"
    );

    let unknown = support::binary::layerlab()
        .args(["--lang", "fr", "parse", "Dockerfile"])
        .output()
        .expect("run layerlab");
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "a language layerlab does not speak"
    );
}
