//! `layerlab build` and `layerlab import` through the real binary: the JSON
//! contract, consecutive builds against one persisted state, and the errors
//! a learner meets.

use crate::support;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn layerlab(state: &Path, args: &[&str]) -> Output {
    support::binary::layerlab()
        .arg("--state")
        .arg(state)
        .args(args)
        .output()
        .expect("run layerlab")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A tiny rootfs: one shell script and a symlink, enough to import.
fn rootfs_tar(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("rootfs.tar");
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o755);
    h.set_size(10);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    b.append_data(&mut h, "bin/tool", &b"#!/bin/sh\n"[..])
        .expect("append");
    std::fs::write(&path, b.into_inner().expect("tar")).expect("write tar");
    path
}

struct Fixture {
    _tmp: tempfile::TempDir,
    state: std::path::PathBuf,
    ctx: std::path::PathBuf,
}

fn fixture(dockerfile: &str) -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("ctx");
    std::fs::write(ctx.join("Dockerfile"), dockerfile).expect("Dockerfile");
    std::fs::write(ctx.join("app.js"), "console.log('v1');\n").expect("app.js");
    let tar = rootfs_tar(tmp.path());
    let out = layerlab(
        &state,
        &["import", tar.to_str().expect("utf8"), "base:latest"],
    );
    assert!(out.status.success(), "import failed: {out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sha256:"));
    Fixture {
        _tmp: tmp,
        state,
        ctx,
    }
}

#[test]
fn json_contract_and_a_second_build_from_cache() {
    let f = fixture("FROM base\nENV A=1\nWORKDIR /app\nCOPY app.js .\nCMD [\"tool\"]\n");
    let ctx = f.ctx.to_str().expect("utf8");
    let first = json(&layerlab(
        &f.state,
        &["build", "--json", "-t", "demo:1", ctx],
    ));
    for key in [
        "image_id",
        "builder",
        "tags",
        "layer_count",
        "size",
        "steps",
        "history",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["builder"], "buildkit");
    assert_eq!(first["tags"][0], "demo:1");
    // BuildKit: FROM, WORKDIR, COPY are steps; ENV and CMD are not.
    let keywords: Vec<&str> = first["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["keyword"].as_str().expect("keyword"))
        .collect();
    assert_eq!(keywords, ["FROM", "WORKDIR", "COPY"]);
    let copy = &first["steps"][2];
    assert_eq!(copy["cached"], false);
    assert_eq!(copy["layer"]["size"], 19);
    assert!(copy["layer"]["diff_id"]
        .as_str()
        .expect("diff_id")
        .starts_with("sha256:"));
    // History newest first: CMD, COPY, WORKDIR, ENV, the base.
    assert_eq!(first["history"][0]["created_by"], "CMD [\"tool\"]");
    assert_eq!(
        first["history"][1]["created_by"],
        "COPY app.js . # buildkit"
    );
    assert_eq!(first["layer_count"], 3);

    let second = json(&layerlab(&f.state, &["build", "--json", ctx]));
    assert_eq!(
        second["image_id"], first["image_id"],
        "same inputs, same image"
    );
    let copy = &second["steps"][2];
    assert_eq!(copy["cached"], true);
    assert!(
        copy["reason"]
            .as_str()
            .expect("reason")
            .contains("build #1"),
        "a hit names the build it reused: {copy}"
    );

    std::fs::write(f.ctx.join("app.js"), "console.log('v2');\n").expect("edit");
    let third = json(&layerlab(&f.state, &["build", "--json", ctx]));
    let copy = &third["steps"][2];
    assert_eq!(copy["cached"], false);
    let reason = copy["reason"].as_str().expect("reason");
    assert!(reason.contains("app.js changed"), "{reason}");
    assert_ne!(third["image_id"], first["image_id"]);
}

#[test]
fn classic_progress_text() {
    let f = fixture("FROM base\nENV A=1\nCOPY app.js /app.js\n");
    let ctx = f.ctx.to_str().expect("utf8");
    let out = layerlab(&f.state, &["build", "--builder", "classic", ctx]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Step 2/3 : ENV A=1"), "{text}");
    assert!(text.contains("Successfully built"), "{text}");
    let again = layerlab(&f.state, &["build", "--builder", "classic", ctx]);
    let text = String::from_utf8_lossy(&again.stdout);
    assert_eq!(text.matches(" ---> Using cache").count(), 2, "{text}");
}

/// A step's output is stdout and stderr in the order written, under both
/// builders; the RUN's own shell is PID 1, so `kill -9 $$` leaves it
/// running. Docker 20.10 printed, for both builders, `1`, `alive 0`, then
/// `Killed` before `after 137` (checked on the live engine).
#[test]
fn a_steps_output_keeps_the_order_it_was_written_in() {
    let f = fixture("FROM busybox\nRUN echo $$; kill -9 $$; echo alive $?\nRUN sh -c 'kill -9 $$'; echo after $?\n");
    let ctx = f.ctx.to_str().expect("utf8");
    for builder in ["buildkit", "classic"] {
        let out = layerlab(
            &f.state,
            &["build", "--no-cache", "--builder", builder, ctx],
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{builder}: {text}");
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{builder}: no {needle:?} in {text}"))
        };
        assert!(at("alive 0") < at("Killed"), "{builder}: {text}");
        assert!(at("Killed") < at("after 137"), "{builder}: {text}");
    }
}

/// One ENV's pairs all see the environment from before it, under both
/// builders (as Docker 20.10 gives `def=hello` here, checked on the live
/// engine): a value set earlier on the same line is not yet visible.
#[test]
fn one_env_expands_every_pair_with_the_environment_before_it() {
    let f = fixture("FROM base\nENV abc=hello\nENV abc=bye def=$abc\n");
    let ctx = f.ctx.to_str().expect("utf8");
    for builder in ["buildkit", "classic"] {
        let tag = format!("env-{builder}");
        let out = layerlab(&f.state, &["build", "--builder", builder, "-t", &tag, ctx]);
        assert!(out.status.success(), "{out:?}");
        let env = layerlab(
            &f.state,
            &[
                "docker",
                "image",
                "inspect",
                "-f",
                "{{json .Config.Env}}",
                &tag,
            ],
        );
        let text = String::from_utf8_lossy(&env.stdout);
        assert!(text.contains("\"abc=bye\""), "{builder}: {text}");
        assert!(text.contains("\"def=hello\""), "{builder}: {text}");
    }
}

#[test]
fn unknown_base_image_fails_as_docker_does() {
    let f = fixture("FROM nosuchimage\nCOPY app.js /\n");
    let ctx = f.ctx.to_str().expect("utf8");
    let out = layerlab(&f.state, &["build", "--json", ctx]);
    assert_eq!(out.status.code(), Some(1));
    let err = json(&out);
    let msg = err["error"].as_str().expect("error");
    assert!(msg.contains("pull access denied"), "{msg}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("layerlab works offline"),
        "hint expected: {stderr}"
    );
}

#[test]
fn dockerfile_errors_point_at_line_and_column() {
    let f = fixture("FROM base\nCOPY app.js\n");
    let ctx = f.ctx.to_str().expect("utf8");
    let out = layerlab(&f.state, &["build", ctx]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Dockerfile:2:1"), "{stderr}");
    assert!(
        stderr.contains("requires at least two arguments"),
        "{stderr}"
    );
    assert!(stderr.contains('^'), "{stderr}");
}

/// A version-1 state whose engine document cannot be read: kept aside
/// under another name with a warning that says where, never reset or
/// misread; the build goes on over an empty engine.
#[test]
fn an_unreadable_old_state_is_kept_aside_and_named() {
    let f = fixture("FROM base\n");
    let engine = f.state.join("engine.json");
    std::fs::write(&engine, "{ not json").expect("corrupt");
    std::fs::remove_file(f.state.join("engine.db")).expect("as version 1 had it");
    std::fs::write(
        f.state.join("layerlab-state.json"),
        r#"{"format":"layerlab-state","version":1}"#,
    )
    .expect("v1 marker");
    let out = layerlab(&f.state, &["build", f.ctx.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("WARNING"), "{stderr}");
    assert!(stderr.contains("engine.json.unreadable"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(f.state.join("engine.json.unreadable")).expect("kept"),
        "{ not json",
        "the old document must be kept"
    );
    // Its images went with it: `base` is not there now.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

/// Runs `layerlab build` on a context holding only `dockerfile`.
fn build_text(dockerfile: &str) -> Output {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("ctx");
    std::fs::write(ctx.join("Dockerfile"), dockerfile).expect("Dockerfile");
    layerlab(&tmp.path().join("state"), &["build", ctx.to_str().unwrap()])
}

/// A limit passed ends the build with exit code 1 (never 134, an abort)
/// and an error naming the instruction, its line and the limit.
fn assert_limit_error(out: &Output, instruction_and_line: &str, limit: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        &stderr[..stderr.len().min(2000)]
    );
    let line = stderr
        .lines()
        .find(|l| l.starts_with("ERROR: "))
        .unwrap_or_else(|| panic!("no ERROR line in: {}", &stderr[..stderr.len().min(2000)]));
    assert!(line.contains(instruction_and_line), "{line}");
    assert!(
        line.contains(&format!("layerlab's limit of {limit}")),
        "{line}"
    );
    assert!(
        line.len() < 1000,
        "the error quotes too much: {} bytes",
        line.len()
    );
}

/// `${a:-${a:-…}}` 10,000 levels deep, split over continuation lines:
/// this overflowed the stack and aborted (exit 134) at 5,000 levels in a
/// debug build; `parse` does not expand and must still read it.
#[test]
fn nesting_past_the_expansion_depth_is_an_error_not_an_abort() {
    let n = 10_000;
    let text = format!(
        "FROM scratch\nENV X={}x{}\n",
        "${a:-\\\n".repeat(n),
        "}\\\n".repeat(n)
    );
    assert_limit_error(&build_text(&text), "ENV on line 2:", "128 levels");

    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("Dockerfile");
    std::fs::write(&file, &text).expect("Dockerfile");
    let out = layerlab(
        &tmp.path().join("state"),
        &["parse", file.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ARG A=$A$A` forty times would reach a terabyte.
#[test]
fn a_value_past_the_size_limit_is_an_error() {
    let text = format!("FROM scratch\nARG A=ab\n{}", "ARG A=$A$A\n".repeat(40));
    assert_limit_error(&build_text(&text), "ARG on line 22:", "1048576 bytes");
}

/// One ENV with 4,000 variables, each naming the one before, took 49 s
/// (the environment was rebuilt for every word): now it is built once.
#[test]
fn one_env_with_thousands_of_variables_builds() {
    let pairs: Vec<String> = (1..4000).map(|i| format!("V{i}=$V{}x", i - 1)).collect();
    let text = format!("FROM scratch\nENV V0=x {}\n", pairs.join(" "));
    let out = build_text(&text);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn korean_build_explains_every_step_in_korean_and_docker_stays_english() {
    let f = fixture("FROM base\nWORKDIR /app\nCOPY app.js .\n");
    let ctx = f.ctx.to_str().expect("utf8");
    let first = layerlab(&f.state, &["--lang", "ko", "build", ctx]);
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{text}");
    assert!(
        text.contains("#2 why: 이 단계를 처음 빌드함: 재사용할 캐시가 없음"),
        "{text}"
    );
    assert!(text.contains("#1 베이스 이미지 base: 레이어 1개"), "{text}");
    std::fs::write(f.ctx.join("app.js"), "console.log('v2');\n").expect("app.js");
    let again = layerlab(&f.state, &["build", "--lang", "ko", ctx]);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{text}");
    // Docker's own lines, exactly as docker prints them.
    assert!(
        text.contains("#2 [2/3] WORKDIR /app\n#2 CACHED\n"),
        "{text}"
    );
    assert!(text.contains("#3 DONE "), "{text}");
    assert!(text.contains("#4 exporting to image"), "{text}");
    // layerlab's words around them, in Korean: every step that can hit or
    // miss says why, and the summary closes the build.
    assert!(
        text.contains("#2 why: 빌드 #1, 2/3단계에서 재사용 (`WORKDIR /app`)"),
        "{text}"
    );
    assert!(
        text.contains("#3 why: 복사하는 파일이 바뀜: app.js 내용 바뀜"),
        "{text}"
    );
    assert_eq!(text.matches(" why: ").count(), 2, "{text}");
    assert!(!text.contains("rebuilt"), "{text}");
    assert!(text.contains("2단계 중 1단계 다시 빌드"), "{text}");

    let errors = fixture("FROM base\nCOPY app.js\n");
    let ctx = errors.ctx.to_str().expect("utf8");
    let out = layerlab(&errors.state, &["--lang", "ko", "build", ctx]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("오류: COPY에는 인자가 두 개 이상 필요한데 하나뿐임"),
        "{stderr}"
    );
    assert!(stderr.contains("Dockerfile:2:1"), "{stderr}");
}

/// Current BuildKit keys `RUN <<EOF` on its body (the script is a file
/// mounted into the step) and writes `COPY <<EOF /path` as a 0644 file with
/// the body; Docker 20.10's parser, which the classic builder follows, reads
/// the body as instructions and refuses the Dockerfile.
#[test]
fn heredoc_bodies_are_inputs_and_copy_heredoc_writes_the_file() {
    let dockerfile = |word: &str| {
        format!(
            "FROM base\nRUN <<EOF\necho {word} > /run.txt\nEOF\n\
             COPY <<NOTE /note.txt\n{word}\nNOTE\n"
        )
    };
    let f = fixture(&dockerfile("one"));
    let ctx = f.ctx.to_str().expect("utf8");
    let first = json(&layerlab(&f.state, &["build", "--json", "-t", "h:1", ctx]));
    let cached: Vec<bool> = first["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["cached"].as_bool().expect("cached"))
        .collect();
    assert_eq!(cached, [false, false, false], "{first}");
    assert_eq!(first["steps"][2]["layer"]["size"], 4, "`one\\n`: {first}");

    let again = json(&layerlab(&f.state, &["build", "--json", ctx]));
    assert_eq!(again["image_id"], first["image_id"]);

    std::fs::write(f.ctx.join("Dockerfile"), dockerfile("two")).expect("edit");
    let edited = json(&layerlab(&f.state, &["build", "--json", ctx]));
    let run = &edited["steps"][1];
    assert_eq!(run["text"], "RUN <<EOF", "{edited}");
    assert_eq!(run["cached"], false, "a new body is a new script: {edited}");
    let reason = run["reason"].as_str().expect("reason");
    assert!(reason.contains("heredoc <<EOF"), "{reason}");
    assert_eq!(edited["steps"][2]["cached"], false);

    let classic = layerlab(&f.state, &["build", "--builder", "classic", ctx]);
    assert!(!classic.status.success());
    let err = String::from_utf8_lossy(&classic.stderr);
    assert!(
        err.contains("dockerfile parse error line 3: unknown instruction: ECHO"),
        "{err}"
    );
}

#[test]
fn check_reports_buildkit_rules_instead_of_building() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("ctx");
    std::fs::write(ctx.join("Dockerfile"), "FROM base as Build\nCMD tool run\n").expect("write");
    let out = layerlab(&state, &["build", "--check", ctx.to_str().expect("utf8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with("Check complete, 3 warnings have been found!\n"),
        "{text}"
    );
    for rule in [
        "WARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/\n\
         'as' and 'FROM' keywords' casing do not match\n",
        "WARNING: StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/\n\
         Stage name 'Build' should be lowercase\n",
        "WARNING: JSONArgsRecommended - \
         https://docs.docker.com/go/dockerfile/rule/json-args-recommended/\n\
         JSON arguments recommended for CMD to prevent unintended behavior related to OS signals\n",
    ] {
        assert!(text.contains(rule), "{rule} missing in:\n{text}");
    }
    assert!(text.contains("Dockerfile:2\n"), "{text}");
    assert!(text.contains("   2 | >>> CMD tool run\n"), "{text}");
    // Nothing was built.
    assert!(!text.contains("writing image"), "{text}");

    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM base AS build\nCMD [\"tool\"]\n",
    )
    .expect("write");
    let out = layerlab(&state, &["build", "--check", ctx.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Check complete, no warnings found.\n"
    );
}

/// `layerlab docker build --check` (and so the command bar) prints the same
/// report as `layerlab build --check`, the context's `.dockerignore`
/// included, and builds nothing.
#[test]
fn docker_build_check_reports_the_same_rules() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("ctx");
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM base AS scratch\nCOPY notes.txt /\nexpose 80/TCP\n",
    )
    .expect("write");
    std::fs::write(ctx.join(".dockerignore"), "notes.txt\n").expect("write");
    let dir = ctx.to_str().expect("utf8");
    let docker = layerlab(&state, &["docker", "build", "--check", dir]);
    let text = String::from_utf8_lossy(&docker.stdout);
    assert_eq!(docker.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with("Check complete, 4 warnings have been found!\n"),
        "{text}"
    );
    for (line, rule, message) in [
        (
            1,
            "ReservedStageName",
            "Stage name should not use the same name as reserved stage \"scratch\"",
        ),
        (
            2,
            "CopyIgnoredFile",
            "Attempting to Copy file \"notes.txt\" that is excluded by .dockerignore",
        ),
        (
            3,
            "ConsistentInstructionCasing",
            "Command 'expose' should match the case of the command majority (uppercase)",
        ),
        (
            3,
            "ExposeProtoCasing",
            "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
        ),
    ] {
        let block = format!("WARNING: {rule} - https://docs.docker.com/go/dockerfile/rule/");
        let at = text
            .find(&block)
            .unwrap_or_else(|| panic!("{rule} missing in:\n{text}"));
        let after = &text[at..];
        assert!(
            after.contains(&format!("{message}\nDockerfile:{line}\n")),
            "{rule}: {after}"
        );
    }
    // The rules are printed by line.
    let reserved = text.find("ReservedStageName").expect("reserved");
    let ignored = text.find("CopyIgnoredFile").expect("ignored");
    assert!(reserved < ignored, "{text}");
    assert!(!text.contains("writing image"), "{text}");

    // The same rules and lines as `layerlab build --check`; the file is
    // named as the user gave it there.
    let cli = layerlab(&state, &["build", "--check", dir]);
    let cli_text = String::from_utf8_lossy(&cli.stdout);
    let shown = format!("{}:", ctx.join("Dockerfile").display());
    assert_eq!(cli_text.replace(&shown, "Dockerfile:"), text, "{cli_text}");

    // Korean: docker's lines stay English, the message is the learner's.
    let ko = support::binary::layerlab()
        .args(["--lang", "ko", "--state"])
        .arg(&state)
        .args(["docker", "build", "--check", dir])
        .output()
        .expect("run layerlab");
    let ko_text = String::from_utf8_lossy(&ko.stdout);
    assert!(
        ko_text.contains("WARNING: ExposeProtoCasing - ") && ko_text.contains("EXPOSE의 프로토콜"),
        "{ko_text}"
    );

    // No Dockerfile: docker's words, nothing printed on stdout.
    let missing = layerlab(&state, &["docker", "build", "--check", "-f", "nope", dir]);
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("failed to read dockerfile"), "{err}");
}
