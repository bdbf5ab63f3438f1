//! End to end in a real terminal (tmux): open a fixture, build it, move the
//! COPY of the source above a slow RUN with the documented keys (previews),
//! "change" the source from the context pane, save the Dockerfile from
//! outside in two writes, read the verdicts off the captured screen, and
//! check that the engine holds only the builds asked for.

use crate::support::tmux::{assert_restored, exited, pane, tmux, tmux_available, Session};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The verdict word on the layer-pane row of `text`, if the row is on screen.
fn verdict(screen: &str, text: &str) -> Option<&'static str> {
    for line in screen.lines() {
        for (i, _) in line.match_indices(text) {
            let before: String = line[..i]
                .chars()
                .rev()
                .take(8)
                .collect::<String>()
                .chars()
                .rev()
                .collect();
            let word = before.trim_end().trim_end_matches(['◆', '┆']).trim_end();
            if word.ends_with("MISS") {
                return Some("MISS");
            }
            if word.ends_with("HIT") {
                return Some("HIT");
            }
        }
    }
    None
}

fn write_fixture(dir: &Path) {
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM alpine\nRUN sleep 5 && echo slow\nCOPY app.js /app/\nCMD [\"node\", \"/app/app.js\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("app.js"), "console.log('hi')\n").unwrap();
}

#[test]
fn reorder_and_change_the_source_in_a_real_terminal() {
    if !tmux_available() {
        eprintln!("\n!!!!!!!!!! tmux is not installed: the end-to-end TUI test cannot run (apt-get install -y tmux) !!!!!!!!!!\n");
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required under CI"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("project");
    std::fs::create_dir(&ctx).unwrap();
    write_fixture(&ctx);
    let state = dir.path().join("state");
    let name = format!("layerlab-e2e-{}", std::process::id());
    let cmd = format!(
        "env LANG=C.UTF-8 TERM=xterm-256color {} --state '{}' --lang en open '{}'",
        env!("CARGO_BIN_EXE_layerlab"),
        state.display(),
        ctx.display()
    );
    let s = Session::start(&name, (120, 35), &cmd);
    s.wait("the first preview", |sc| {
        verdict(sc, "RUN sleep 5").is_some()
            && (sc.contains("preview (nothing built yet)") || sc.contains("· preview ·"))
    });
    // Build (F5), then preview against that build (builder there and back):
    // the RUN is in the cache.
    s.keys(&["F5"]);
    s.wait("build #1", |sc| sc.contains("build #1 ·"));
    s.keys(&["b", "b"]);
    s.wait("a cached RUN", |sc| {
        verdict(sc, "RUN sleep 5") == Some("HIT")
            && (sc.contains("preview against build #1") || sc.contains("preview vs #1"))
    });

    // The CMD up three places and back: previews only.
    s.keys(&["j", "j", "j", "K", "K", "K", "J", "J", "J"]);
    s.wait("the CMD back in place", |sc| {
        sc.lines().any(|l| l.contains("4 CMD")) && verdict(sc, "RUN sleep 5") == Some("HIT")
    });
    // Read by another process's daemon (this test's) while the screen has
    // the state open.
    let engine = || -> serde_json::Value {
        let daemon = layerlab::engine::daemon::Daemon::open(&state).expect("open the state");
        serde_json::to_value(&daemon.engine).expect("json")
    };

    // Select the COPY (third instruction) and move it above the RUN, and
    // build that order (B).
    s.keys(&["k", "K"]);
    s.wait("the COPY moved up", |sc| {
        let df = sc.lines().position(|l| l.contains("2 COPY app.js"));
        df.is_some() && verdict(sc, "COPY app.js") == Some("MISS")
    });
    s.keys(&["B"]);
    s.wait("build #2", |sc| sc.contains("build #2 ·"));

    // "Change" app.js from the context pane: Dockerfile, then app.js.
    s.keys(&["c", "j", "e"]);
    let sc = s.wait("the RUN rebuilt", |sc| {
        verdict(sc, "RUN sleep 5") == Some("MISS")
    });
    assert!(
        sc.contains("app.js changed") || sc.contains("copied files changed"),
        "{sc}"
    );

    // Move it back below the RUN: the RUN is cached again.
    s.keys(&["Escape", "J"]);
    s.wait("the RUN cached again", |sc| {
        verdict(sc, "RUN sleep 5") == Some("HIT")
    });

    // Saved from outside in two writes (a part, then all): the screen reads
    // the whole file, and the changed RUN misses.
    s.keys(&["K"]);
    s.wait("the COPY up again", |sc| {
        sc.lines().any(|l| l.contains("2 COPY app.js"))
    });
    let moved = "FROM alpine\nCOPY app.js /app/\nRUN sleep 5 && echo slow\nCMD [\"node\", \"/app/app.js\"]\n";
    std::fs::write(ctx.join("Dockerfile"), moved).unwrap();
    s.wait("the save of the same text", |sc| !sc.contains("●"));
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM alpine\nRUN sleep 4 && npm ins",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(40));
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM alpine\nRUN sleep 4 && npm install\nCOPY app.js /app/\n",
    )
    .unwrap();
    let sc = s.wait("the whole file read", |sc| {
        verdict(sc, "RUN sleep 4 && npm install") == Some("MISS")
    });
    assert!(!sc.contains("unsaved edits are kept"), "{sc}");

    // Two builds asked for, two builds made; no image or record from a
    // preview (a build is written as it ends).
    let e = engine();
    assert_eq!(e["builds"], 2, "{e}");
    let images = e["images"].as_object().map_or(0, |m| m.len());
    let tags: Vec<&String> = e["tags"].as_object().unwrap().keys().collect();
    assert!(tags.contains(&&"project:latest".to_string()), "{tags:?}");
    // alpine, and the two builds' images.
    assert_eq!(images, 3, "{e}");

    // With an unsaved move, quitting asks; the file on disk is untouched.
    s.keys(&["j", "K", "q"]);
    s.wait("the quit question", |sc| sc.contains("Unsaved edits"));
    s.keys(&["y"]);
    let on_disk = std::fs::read_to_string(ctx.join("Dockerfile")).unwrap();
    assert!(
        on_disk.starts_with("FROM alpine\nRUN sleep 4 && npm install\n"),
        "{on_disk}"
    );
    // The change of app.js was simulated: the learner's file is as it was.
    assert_eq!(
        std::fs::read_to_string(ctx.join("app.js")).unwrap(),
        "console.log('hi')\n"
    );
}

/// layerlab in a tmux pane, under a shell that prints its exit status and
/// stays (a dead pane reports no cursor state), the shell's pid in `pid`.
fn start_pane(name: &str, dir: &Path, ctx: &Path, shell: bool) -> Session {
    let state = dir.join("state");
    let layerlab = format!(
        "env LANG=C.UTF-8 TERM=xterm-256color {} --state '{}' --lang en open '{}'",
        env!("CARGO_BIN_EXE_layerlab"),
        state.display(),
        ctx.display()
    );
    let pid = dir.join("pid");
    let cmd = if shell {
        "bash --norc --noprofile -i".to_string()
    } else {
        format!(
            "bash -c \"echo \\$\\$ > '{}'; {}; echo EXIT=\\$?; sleep 60\"",
            pid.display(),
            layerlab.replace('"', "\\\"")
        )
    };
    let s = Session::start(name, (120, 35), &cmd);
    if shell {
        tmux(&["send-keys", "-t", name, &layerlab, "Enter"]);
    }
    s
}

#[test]
fn q_quits_during_a_slow_run_and_sigterm_keeps_unsaved_edits() {
    if !tmux_available() {
        eprintln!("tmux is not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("project");
    std::fs::create_dir(&ctx).unwrap();
    // An exponential regex the shell cannot interrupt from inside.
    let slow = "FROM alpine\nRUN echo aaaaaaaaaaaaaaaaaaaaaaaaaaab | grep -E \"(a+)+$\"\n";
    std::fs::write(ctx.join("Dockerfile"), slow).unwrap();

    let name = format!("layerlab-quit-{}", std::process::id());
    let s = start_pane(&name, dir.path(), &ctx, false);
    // Each start waits up to a minute: under the whole suite's load a debug
    // build once took more than the default 15 s to draw its first frame.
    s.wait_up_to(60, "the preview running", |sc| sc.contains("Previewing"));
    s.keys(&["q"]);
    assert_eq!(exited(&s, 5), Some(0), "q quits at once");
    assert_restored(&s);
    drop(s);

    // Unsaved edits, then SIGTERM: 143, the file as it was, the edits kept.
    let name = format!("layerlab-term-{}", std::process::id());
    let s = start_pane(&name, dir.path(), &ctx, false);
    s.wait_up_to(60, "the screen", |sc| {
        sc.contains("Previewing") || sc.contains("preview")
    });
    s.keys(&["j", "x"]);
    s.wait("an unsaved edit", |sc| !sc.contains("grep -E"));
    // The shell's one child is layerlab.
    let shell = std::fs::read_to_string(dir.path().join("pid")).unwrap();
    let out = Command::new("pgrep")
        .args(["-P", shell.trim()])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "layerlab runs under the shell");
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert_eq!(exited(&s, 5), Some(143));
    assert_restored(&s);
    drop(s);
    assert_eq!(
        std::fs::read_to_string(ctx.join("Dockerfile")).unwrap(),
        slow
    );

    let name = format!("layerlab-again-{}", std::process::id());
    let s = start_pane(&name, dir.path(), &ctx, false);
    s.wait_up_to(60, "the kept edits offered", |sc| {
        sc.contains("Unsaved edits of this file were kept")
    });
    s.keys(&["R"]);
    s.wait("the kept edits taken", |sc| !sc.contains("grep -E"));
    assert_eq!(
        std::fs::read_to_string(ctx.join("Dockerfile")).unwrap(),
        slow
    );
}

#[test]
fn ctrl_z_gives_the_shell_back_and_fg_redraws() {
    if !tmux_available() {
        eprintln!("tmux is not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("project");
    std::fs::create_dir(&ctx).unwrap();
    write_fixture(&ctx);
    let name = format!("layerlab-tstp-{}", std::process::id());
    let s = start_pane(&name, dir.path(), &ctx, true);
    s.wait("the screen", |sc| sc.contains("RUN sleep 5"));
    s.keys(&["C-z"]);
    s.wait("the shell, job stopped", |sc| sc.contains("Stopped"));
    assert_restored(&s);
    s.keys(&["clear", "Enter", "fg", "Enter"]);
    s.wait("the screen redrawn", |sc| sc.contains("RUN sleep 5"));
    assert_eq!(
        pane(&s, "#{alternate_on}"),
        "1",
        "back on the alternate screen"
    );
    s.keys(&["q"]);
    s.wait("the shell again", |sc| !sc.contains("RUN sleep 5"));
    assert_restored(&s);
}

/// `layerlab docker run -it … sh` on a terminal: a prompt, the shell's
/// state kept across lines, `exit` ends it with its code, and what it
/// wrote is in the container for `diff` the moment the line has run.
#[test]
fn run_it_opens_a_shell_on_the_terminal() {
    if !tmux_available() {
        eprintln!("\n!!!!!!!!!! tmux is not installed: `run -it` on a terminal NOT tested (apt-get install -y tmux) !!!!!!!!!!\n");
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required under CI"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let layerlab = env!("CARGO_BIN_EXE_layerlab");
    let cmd = format!(
        "bash -c \"env LANG=C.UTF-8 {layerlab} --state '{}' docker run -it --name box busybox sh; echo EXIT=\\$?; sleep 60\"",
        state.display()
    );
    let name = format!("layerlab-it-{}", std::process::id());
    let s = Session::start(&name, (100, 30), &cmd);
    s.wait("the prompt", |sc| sc.lines().any(|l| l.trim_end() == "/ #"));
    s.keys(&["cd /tmp && echo made > f.txt && X=5", "Enter"]);
    s.wait("the new directory in the prompt", |sc| {
        sc.contains("/tmp #")
    });
    s.keys(&["cat f.txt; echo x$X", "Enter"]);
    s.wait("the file and the variable", |sc| sc.contains("made\nx5\n"));
    s.keys(&["exit 3", "Enter"]);
    assert_eq!(exited(&s, 15), Some(3), "{}", s.screen());
    let ps = crate::support::binary::layerlab()
        .arg("--state")
        .arg(&state)
        .args(["docker", "ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .output()
        .expect("ps");
    assert!(String::from_utf8_lossy(&ps.stdout).starts_with("box Exited (3)"));
}
