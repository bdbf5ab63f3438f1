use super::*;
use crate::engine::container::valid_name;
use crate::engine::store::RemoveError;
use crate::filesystem::blob::Blob;

const PROGRAMS: [&str; 9] = [
    "sh", "echo", "touch", "rm", "mkdir", "cat", "env", "sleep", "true",
];

/// A store holding `box:latest`: programs in /bin, an /etc with a file,
/// `PATH` and `TARGET` in its Env, `sh -c 'echo hello'` as CMD.
fn store() -> EngineState {
    let mut fs = RootFs::new();
    for dir in ["/bin", "/etc", "/root"] {
        fs.mkdir_all(dir, 0o755, 0, 0).expect("dir");
    }
    for p in PROGRAMS {
        fs.write_file(&format!("/bin/{p}"), Blob::from(""), 0o755, 0, 0)
            .expect("program");
    }
    fs.write_file("/etc/motd", Blob::from("hi\n"), 0o644, 0, 0)
        .expect("motd");
    fs.write_file(
        "/etc/passwd",
        Blob::from("root:x:0:0:root:/root:/bin/sh\n"),
        0o644,
        0,
        0,
    )
    .expect("passwd");
    let mut s = EngineState::default();
    let layer = s
        .layers
        .put(Arc::new(fs.diff(DiffMode::CopyUp)))
        .expect("layer");
    let config = crate::engine::store::RunConfig {
        env: vec![
            ("PATH".into(), "/bin".into()),
            ("TARGET".into(), "blog.sixeyed.com".into()),
        ],
        cmd: Some(vec!["/bin/sh".into(), "-c".into(), "echo hello".into()]),
        ..Default::default()
    };
    let history = vec![HistoryRow {
        created_by: "/bin/sh -c #(nop) ADD file:box in /".into(),
        size: layer.size,
        empty_layer: false,
        comment: String::new(),
        built_in: 0,
    }];
    let image = ImageRecord {
        classic_step: None,
        author: None,
        id: crate::engine::store::image_id(&config, std::slice::from_ref(&layer), &history),
        config,
        layers: vec![layer],
        history,
        comment: None,
    };
    s.tag_image(image, "box");
    s
}

fn words(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| w.to_string()).collect()
}

fn named(name: &str, command: &[&str]) -> CreateOptions {
    CreateOptions {
        name: Some(name.into()),
        command: words(command),
        ..CreateOptions::default()
    }
}

/// A running container `web`, whose main process sleeps an hour.
fn running(s: &mut EngineState) -> Digest {
    let started = s
        .run_container("box", &named("web", &["sleep", "3600"]), true)
        .expect("runs");
    assert_eq!(started.exit_code, None);
    started.id
}

#[test]
fn run_captures_output_into_logs_and_the_exit_code() {
    let mut s = store();
    let opts = CreateOptions {
        env: words(&["TARGET=www.daum.net"]),
        command: words(&["sh", "-c", "echo $TARGET; echo oops >&2; exit 3"]),
        ..CreateOptions::default()
    };
    let started = s.run_container("box", &opts, false).expect("runs");
    assert_eq!(started.exit_code, Some(3));
    let c = s.container(&started.id.hex()).expect("kept");
    assert_eq!(c.state, ContainerState::Exited { code: 3 });
    let logs: Vec<(Stream, &str)> = c.logs.iter().map(|l| (l.stream, l.text.as_str())).collect();
    assert_eq!(
        logs,
        vec![(Stream::Stdout, "www.daum.net"), (Stream::Stderr, "oops")]
    );
    assert!(c.created < c.started.expect("started"));
    assert_eq!(c.id.hex().len(), 64);
    assert!(valid_name(&c.name), "{}", c.name);
}

#[test]
fn the_image_cmd_runs_when_no_command_is_given() {
    let mut s = store();
    let started = s
        .run_container("box", &CreateOptions::default(), false)
        .expect("runs");
    assert_eq!(
        started.output.first().map(|l| l.text.as_str()),
        Some("hello")
    );
}

#[test]
fn the_process_sees_docker_s_environment() {
    let mut s = store();
    let opts = CreateOptions {
        host_env: vec![("FROM_HOST".into(), "yes".into())],
        env: words(&["FROM_HOST"]),
        command: words(&["env"]),
        ..CreateOptions::default()
    };
    let started = s.run_container("box", &opts, false).expect("runs");
    let hostname = format!("HOSTNAME={}", started.id.short());
    let lines: Vec<&str> = started.output.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        vec![
            "PATH=/bin",
            hostname.as_str(),
            "FROM_HOST=yes",
            "TARGET=blog.sixeyed.com",
            "HOME=/root",
            // The shell exports it; a real exec-form `env` would not.
            "PWD=/",
        ]
    );
}

#[test]
fn ids_and_names_are_deterministic_and_names_unique() {
    let make = || {
        let mut s = store();
        let a = s
            .create_container("box", &CreateOptions::default())
            .expect("a");
        let b = s
            .create_container("box", &CreateOptions::default())
            .expect("b");
        let name = |id: Digest| s.containers[&id].name.clone();
        (a, b, name(a), name(b))
    };
    let (a, b, name_a, name_b) = make();
    assert_eq!(make(), (a, b, name_a.clone(), name_b.clone()));
    assert_ne!(a, b);
    assert_ne!(name_a, name_b);
}

#[test]
fn a_name_in_use_or_invalid_is_refused_in_docker_s_words() {
    let mut s = store();
    let first = s
        .create_container("box", &named("practice", &[]))
        .expect("first");
    let err = s
        .create_container("box", &named("practice", &[]))
        .expect_err("taken");
    assert_eq!(
        err.to_string(),
        format!(
            "Conflict. The container name \"/practice\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
            first.hex()
        )
    );
    assert_eq!(
        s.create_container("box", &named("a b", &[]))
            .map_err(|e| e.to_string()),
        Err("Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed".into())
    );
    assert_eq!(
        s.create_container("nosuch", &CreateOptions::default())
            .map_err(|e| e.to_string()),
        Err("No such image: nosuch:latest".into())
    );
    assert_eq!(s.containers.len(), 1, "refusals change nothing");
}

#[test]
fn a_program_that_is_not_there_does_not_start() {
    let mut s = store();
    let id = s
        .create_container("box", &named("missing", &["nosuch"]))
        .expect("created");
    let err = s.start_container("missing", false).expect_err("no program");
    assert_eq!(
        err.to_string(),
        "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown"
    );
    assert_eq!(s.containers[&id].state, ContainerState::Created);
}

#[test]
fn exec_needs_a_running_container_and_writes_its_layer() {
    let mut s = store();
    let done = s.run_container("box", &named("done", &["true"]), false);
    assert!(done.is_ok());
    let stopped = s.container("done").expect("done").id;
    assert_eq!(
        s.exec_in_container("done", &words(&["echo"]), &[], None, None),
        Err(ContainerError::NotRunning(stopped))
    );
    running(&mut s);
    let exit = s
        .exec_in_container(
            "web",
            &words(&["sh", "-c", "echo $EXTRA > /etc/new; cat /etc/new"]),
            &words(&["EXTRA=x"]),
            None,
            None,
        )
        .expect("exec");
    assert_eq!((exit.code, exit.stdout.as_str()), (0, "x\n"));
    let diff: Vec<String> = s
        .container_diff("web")
        .expect("diff")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(diff, vec!["C /etc", "A /etc/new"]);
}

#[test]
fn diff_lists_added_changed_and_deleted_paths() {
    let mut s = store();
    let script = "mkdir /data; touch /data/f; echo bye > /etc/motd; rm /etc/passwd";
    s.run_container("box", &named("differ", &["sh", "-c", script]), false)
        .expect("runs");
    let diff: Vec<String> = s
        .container_diff("differ")
        .expect("diff")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        diff,
        vec![
            "A /data",
            "A /data/f",
            "C /etc",
            "C /etc/motd",
            "D /etc/passwd"
        ]
    );
}

#[test]
fn a_second_run_builds_on_the_writable_layer() {
    let mut s = store();
    s.create_container(
        "box",
        &named(
            "twice",
            &["sh", "-c", "echo x >> /etc/count; cat /etc/count"],
        ),
    )
    .expect("created");
    s.start_container("twice", false).expect("first");
    let again = s.start_container("twice", false).expect("second");
    let lines: Vec<&str> = again.output.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(lines, vec!["x", "x"]);
    assert_eq!(s.container("twice").expect("kept").logs.len(), 3);
}

#[test]
fn stop_kills_after_the_grace_period_and_rm_of_running_needs_force() {
    let mut s = store();
    let id = running(&mut s);
    assert_eq!(
        s.remove_container("web", false).map_err(|e| e.to_string()),
        Err(format!("You cannot remove a running container {}. Stop the container before attempting removal or force remove", id.hex()))
    );
    assert!(s.containers.contains_key(&id));
    s.stop_container("web").expect("stops");
    let c = s.container("web").expect("kept");
    assert_eq!(c.state, ContainerState::Exited { code: KILLED });
    assert_eq!(
        c.finished.expect("finished") - c.started.expect("started"),
        STOP_GRACE_SECONDS + 2,
        "the refused rm and the stop take a second each"
    );
    assert_eq!(
        s.remove_container(&id.hex()[..6], false).map(|c| c.id),
        Ok(id)
    );
    assert_eq!(
        s.remove_container("web", true).map_err(|e| e.to_string()),
        Err("No such container: web".into())
    );
    running(&mut s);
    assert!(
        s.remove_container("web", true).is_ok(),
        "force removes a running one"
    );
}

#[test]
fn a_detached_container_exits_when_its_time_comes() {
    let mut s = store();
    s.run_container("box", &named("short", &["sleep", "2"]), true)
        .expect("runs");
    assert!(s.container("short").expect("kept").is_running());
    for _ in 0..3 {
        s.tick();
    }
    assert_eq!(
        s.container("short").expect("kept").state,
        ContainerState::Exited { code: 0 }
    );
}

#[test]
fn auto_remove_goes_when_it_exits() {
    let mut s = store();
    let opts = CreateOptions {
        auto_remove: true,
        command: words(&["echo", "once"]),
        ..CreateOptions::default()
    };
    let started = s.run_container("box", &opts, false).expect("runs");
    assert_eq!(started.output.len(), 1);
    assert!(s.containers.is_empty());
}

#[test]
fn rmi_of_an_image_a_container_uses_fails_with_docker_s_message() {
    let mut s = store();
    let image = s.image("box").expect("box").id;
    let c = s
        .create_container("box", &named("user", &["true"]))
        .expect("created");
    let err = s.remove_image("box", false).expect_err("in use");
    assert_eq!(
        err.to_string(),
        format!(
            "conflict: unable to remove repository reference \"box\" (must force) - container {} is using its referenced image {}",
            c.short(),
            image.short()
        )
    );
    assert_eq!(
        s.remove_image(&image.hex()[..12], false).map_err(|e| e.to_string()),
        Err(format!(
            "conflict: unable to delete {} (must be forced) - image is being used by stopped container {}",
            image.short(),
            c.short()
        ))
    );
    assert!(s.image("box").is_some(), "a refusal changes nothing");
    let mut live = store();
    let web = running(&mut live);
    assert_eq!(
        live.remove_image(&image.hex(), true),
        Err(RemoveError::UsedByContainer {
            image,
            container: web,
            running: true
        })
    );
    let forced = live.remove_image("box", true).expect("untags");
    assert_eq!(
        (forced.untagged.len(), forced.deleted),
        (1, Vec::new()),
        "a running container keeps it"
    );
    let forced = s.remove_image("box", true).expect("force");
    assert_eq!(forced.deleted.first(), Some(&image));
    assert!(
        s.start_container("user", false).is_ok(),
        "the container keeps its layers"
    );
}

#[test]
fn commit_adds_the_writable_layer_and_applies_changes() {
    let mut s = store();
    s.run_container(
        "box",
        &named("edit", &["sh", "-c", "echo new > /etc/motd"]),
        false,
    )
    .expect("runs");
    let base = s.image("box").expect("box").clone();
    let id = s
        .commit_container(
            "edit",
            &CommitOptions {
                reference: Some("box:edited".into()),
                author: None,
                message: Some("edited motd".into()),
                changes: words(&["CMD [\"cat\", \"/etc/motd\"]", "ENV MODE=edited"]),
            },
        )
        .expect("commits");
    let img = s.image("box:edited").expect("tagged").clone();
    assert_eq!(img.id, id);
    assert_eq!(img.layers.len(), base.layers.len() + 1);
    assert_eq!(img.layers[..base.layers.len()], base.layers[..]);
    assert_eq!(img.config.cmd, Some(words(&["cat", "/etc/motd"])));
    assert!(img.config.env_list().contains(&"MODE=edited".to_string()));
    let row = img.history.last().expect("history row");
    assert_eq!(row.created_by, "sh -c echo new > /etc/motd");
    assert_eq!(
        (row.comment.as_str(), row.empty_layer),
        ("edited motd", false)
    );
    assert_eq!(img.history.len(), base.history.len() + 1);
    let out = s
        .run_container("box:edited", &CreateOptions::default(), false)
        .expect("runs the committed image");
    assert_eq!(out.output.first().map(|l| l.text.as_str()), Some("new"));
}

#[test]
fn commit_rejects_an_unknown_change_and_changes_nothing() {
    let mut s = store();
    s.create_container("box", &named("committed", &[]))
        .expect("created");
    let images = s.images.len();
    assert_eq!(
        s.commit_container(
            "committed",
            &CommitOptions {
                changes: words(&["RUN echo hi"]),
                ..CommitOptions::default()
            }
        )
        .map_err(|e| e.to_string()),
        Err("run is not a valid change command".into())
    );
    assert_eq!(s.images.len(), images);
    let untouched = s
        .commit_container("committed", &CommitOptions::default())
        .expect("commits");
    let img = &s.images[&untouched];
    assert_eq!(img.layers.len(), 1, "nothing written, no new layer");
    assert!(img.history.last().expect("row").empty_layer);
}

#[test]
fn disk_usage_counts_writable_layers_and_active_images() {
    let mut s = store();
    assert_eq!(s.disk_usage().active_images(), 0);
    s.run_container(
        "box",
        &named("writer", &["sh", "-c", "echo 12345 > /etc/five"]),
        false,
    )
    .expect("runs");
    let usage = s.disk_usage();
    assert_eq!(usage.active_images(), 1);
    assert_eq!(usage.containers.len(), 1);
    assert_eq!(usage.containers_size(), 6);
    let image_size = s.image("box").expect("box").size();
    assert_eq!(usage.containers[0].virtual_size, image_size + 6);
    assert_eq!(usage.images[0].containers, 1);
}

#[test]
fn an_attached_shell_keeps_its_state_and_its_files_show_at_once() {
    let mut s = store();
    let mut shell = s
        .run_attached("box", &named("tty", &["sh"]))
        .expect("a shell attaches");
    assert_eq!(shell.prompt(), "/ # ");
    let typed = s
        .type_line(&mut shell, "cd /etc && X=5 && echo hello > /root/note")
        .expect("line");
    assert_eq!((typed.stdout.as_str(), typed.ended), ("", None));
    assert_eq!(shell.prompt(), "/etc # ");
    let typed = s
        .type_line(&mut shell, "pwd; echo $X; false")
        .expect("line");
    assert_eq!(typed.stdout, "/etc\n5\n");
    assert_eq!(
        s.type_line(&mut shell, "echo $?").expect("line").stdout,
        "1\n"
    );
    s.type_line(&mut shell, "cd").expect("line");
    assert_eq!(shell.prompt(), "~ # ", "home is shown as ~");
    // While the shell is open, diff and commit see what it wrote.
    let diff: Vec<String> = s
        .container_diff("tty")
        .expect("diff")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(diff.contains(&"A /root/note".to_owned()), "{diff:?}");
    s.commit_container("tty", &CommitOptions::default())
        .expect("commit while the shell is open");
    // `kill -9 $$`: the shell is PID 1 and survives; `exit 3` ends it and
    // the container with it.
    let typed = s
        .type_line(&mut shell, "kill -9 $$; echo alive")
        .expect("line");
    assert_eq!(typed.stdout, "alive\n");
    assert_eq!(
        s.type_line(&mut shell, "exit 3").expect("line").ended,
        Some(3)
    );
    assert!(matches!(
        s.container("tty").expect("kept").state,
        ContainerState::Exited { code: 3 }
    ));
    assert!(matches!(
        s.type_line(&mut shell, "echo gone"),
        Err(ContainerError::NotRunning(_))
    ));
}

#[test]
fn an_exec_shell_leaves_the_container_running_and_only_shells_attach() {
    let mut s = store();
    running(&mut s);
    let mut shell = s
        .exec_attached("web", &words(&["sh"]), &[], None, None)
        .expect("exec -it");
    assert_eq!(
        s.type_line(&mut shell, "echo $TARGET")
            .expect("line")
            .stdout,
        "blog.sixeyed.com\n"
    );
    // Not PID 1: its own kill ends it, and the container runs on.
    assert_eq!(
        s.type_line(&mut shell, "kill -9 $$").expect("line").ended,
        Some(137)
    );
    assert!(s.container("web").expect("web").is_running());
    let mut again = s
        .exec_attached("web", &words(&["sh"]), &[], None, None)
        .expect("exec -it");
    assert_eq!(s.hang_up(&again), 0, "Ctrl-D ends it with its last status");
    assert!(
        s.type_line(&mut again, "true").is_ok(),
        "the container still runs"
    );
    assert!(s.container("web").expect("web").is_running());
    // Anything but a shell has no terminal here, and nothing is made.
    let before = s.containers.len();
    assert!(matches!(
        s.run_attached("box", &named("node", &["node"])),
        Err(ContainerError::NotAShell(p)) if p == "node"
    ));
    assert_eq!(s.containers.len(), before);
    assert!(matches!(
        s.exec_attached("web", &words(&["cat"]), &[], None, None),
        Err(ContainerError::NotAShell(_))
    ));
}
