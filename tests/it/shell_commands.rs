//! Commands that change the filesystem: the files, modes and owners they
//! leave, and the formats they print.

use crate::support::shell::*;

use layerlab::filesystem::users::{User, UserError};
use layerlab::shell::{self, ExecContext};

#[test]
fn redirect_creates_file_with_umask_mode_and_user() {
    let mut fs = busybox_base();
    let r = run(&mut fs, "echo \"version 1.0\" > /version.txt");
    assert_eq!(r.exit_code, 0);
    let n = fs.stat("/version.txt").unwrap();
    assert_eq!((n.size(), n.mode, n.uid, n.gid), (12, 0o644, 0, 0));
    assert_eq!(read(&fs, "/version.txt"), "version 1.0\n");
}

#[test]
fn mkdir_touch_chmod_cp_ln_rm() {
    let mut fs = busybox_base();
    let r = run(
        &mut fs,
        "mkdir -p /a/b/c && mkdir -m 700 /priv && touch /a/f && chmod u+x,go-r /a/f \
         && cp /a/f /a/g && cp -r /a /copy && ln -s /a/f /link && ln -sf /a/g /link \
         && rm -r /a/b && chmod 4755 /a/g",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(fs.stat("/a").unwrap().mode, 0o755);
    assert_eq!(fs.stat("/priv").unwrap().mode, 0o700);
    assert_eq!(fs.stat("/a/f").unwrap().mode, 0o700);
    assert_eq!(fs.stat("/a/g").unwrap().mode, 0o4755);
    assert!(fs.stat("/copy/b/c").unwrap().is_dir());
    assert_eq!(fs.read_link("/link").unwrap(), "/a/g");
    assert!(!fs.exists("/a/b"));
}

#[test]
fn chmod_symbolic_modes() {
    let mut fs = busybox_base();
    put(&mut fs, "/f", "x");
    for (spec, want) in [
        ("a=r", 0o444),
        ("u+w", 0o644),
        ("+x", 0o755),
        ("go-rx", 0o700),
        ("g=u", 0o770),
    ] {
        let r = run(&mut fs, &format!("chmod {spec} /f"));
        assert_eq!(r.exit_code, 0);
        assert_eq!(fs.stat("/f").unwrap().mode, want, "after {spec}");
    }
    let r = run(&mut fs, "chmod u+q /f");
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (1, "chmod: invalid mode 'u+q'\n")
    );
}

#[test]
fn busybox_error_messages() {
    let cases = [
        (
            "cp /nope /x",
            "cp: can't stat '/nope': No such file or directory\n",
            1,
        ),
        (
            "mkdir /bin",
            "mkdir: can't create directory '/bin': File exists\n",
            1,
        ),
        (
            "rm /nope",
            "rm: can't remove '/nope': No such file or directory\n",
            1,
        ),
        ("rm /bin", "rm: '/bin' is a directory\n", 1),
        (
            "cat /nope",
            "cat: can't open '/nope': No such file or directory\n",
            1,
        ),
        ("ls /nope", "ls: /nope: No such file or directory\n", 1),
        (
            "echo x > /nope/f",
            "/bin/sh: can't create /nope/f: nonexistent directory\n",
            1,
        ),
        (
            "cat < /nope",
            "/bin/sh: can't open /nope: no such file\n",
            1,
        ),
        (
            "echo x > /bin",
            "/bin/sh: can't create /bin: Is a directory\n",
            1,
        ),
        ("chown nobody /bin", "chown: unknown user nobody\n", 1),
    ];
    for (script, err, code) in cases {
        let mut fs = busybox_base();
        let r = run(&mut fs, script);
        assert_eq!(
            (r.stderr_text().as_str(), r.exit_code),
            (err, code),
            "{script}"
        );
    }
}

#[test]
fn ls_long_format_with_names_links_and_old_dates() {
    let mut fs = busybox_base();
    put(
        &mut fs,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:Linux User,,,:/home/app:/bin/sh\n",
    );
    put(&mut fs, "/etc/group", "root:x:0:\napp:x:1000:\n");
    put(&mut fs, "/srv/app.js", "console.log(1);\n");
    fs.chown("/srv/app.js", 1000, 1000).unwrap();
    fs.symlink("app.js", "/srv/main.js").unwrap();
    fs.set_mtime("/srv/app.js", NOW - 400 * 86_400).unwrap();
    let r = run(
        &mut fs,
        "ls -l /srv; ls -ln /srv/app.js; ls -ld /srv; ls -lh /bin/busybox",
    );
    assert_eq!(
        r.stdout_text(),
        "total 4\n\
         -rw-r--r--    1 app      app             16 Oct 24  2025 app.js\n\
         lrwxrwxrwx    1 root     root             6 Nov 28 06:32 main.js -> app.js\n\
         -rw-r--r--    1 1000     1000            16 Oct 24  2025 /srv/app.js\n\
         drwxr-xr-x    2 root     root          4096 Nov 28 06:32 /srv\n\
         -rwxr-xr-x    1 root     root        1.9M Nov 27 06:32 /bin/busybox\n"
    );
}

#[test]
fn ls_recursive_and_hidden() {
    let mut fs = busybox_base();
    put(&mut fs, "/app/src/index.js", "require('./lib/util');\n");
    put(&mut fs, "/app/src/lib/util.js", "module.exports = 2;\n");
    put(&mut fs, "/app/.env", "X=1\n");
    assert_eq!(
        run(&mut fs, "ls -R /app").stdout_text(),
        "/app:\nsrc\n\n/app/src:\nindex.js\nlib\n\n/app/src/lib:\nutil.js\n"
    );
    assert_eq!(run(&mut fs, "ls -A /app").stdout_text(), ".env\nsrc\n");
    assert_eq!(
        run(&mut fs, "ls -a /app").stdout_text(),
        ".\n..\n.env\nsrc\n"
    );
    assert_eq!(run(&mut fs, "cd /app && ls -d s*").stdout_text(), "src\n");
    assert_eq!(
        run(&mut fs, "echo /app/src/*.js /app/*/lib").stdout_text(),
        "/app/src/index.js /app/src/lib\n"
    );
    assert_eq!(
        run(&mut fs, "cd /app/src; echo *; echo '*'; echo no*match").stdout_text(),
        "index.js lib\n*\nno*match\n"
    );
}

#[test]
fn adduser_and_addgroup_write_alpine_lines() {
    let mut fs = busybox_base();
    put(&mut fs, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    put(&mut fs, "/etc/group", "root:x:0:root\n");
    put(&mut fs, "/etc/shadow", "root:*::0:::::\n");
    for a in ["adduser", "addgroup"] {
        fs.symlink("/bin/busybox", &format!("/bin/{a}")).unwrap();
    }
    let r = run(
        &mut fs,
        "addgroup -S grp && adduser -D -u 1000 app && addgroup app grp",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let days = NOW / 86_400;
    assert_eq!(
        read(&fs, "/etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:Linux User,,,:/home/app:/bin/sh\n"
    );
    assert_eq!(
        read(&fs, "/etc/group"),
        "root:x:0:root\ngrp:x:100:app\napp:x:1000:\n"
    );
    assert_eq!(
        read(&fs, "/etc/shadow"),
        format!("root:*::0:::::\napp:!:{days}:0:99999:7:::\n")
    );
    let home = fs.stat("/home/app").unwrap();
    assert_eq!((home.uid, home.gid, home.mode), (1000, 1000, 0o755));
    let r = run(
        &mut fs,
        "id app; chown app:grp /home/app && ls -ld /home/app",
    );
    assert_eq!(
        r.stdout_text(),
        "uid=1000(app) gid=1000(app) groups=1000(app),100(grp)\n\
         drwxr-xr-x    2 app      grp           4096 Nov 28 06:32 /home/app\n"
    );
}

#[test]
fn adduser_is_not_a_debian_busybox_applet() {
    let mut fs = busybox_base();
    let r = run(&mut fs, "adduser -D app");
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (127, "/bin/sh: adduser: not found\n")
    );
}

#[test]
fn useradd_and_groupadd_write_debian_lines() {
    let mut fs = busybox_base();
    put(&mut fs, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    put(&mut fs, "/etc/group", "root:x:0:\n");
    for a in ["useradd", "groupadd"] {
        put(&mut fs, &format!("/usr/sbin/{a}"), "\x7fELF");
        fs.chmod(&format!("/usr/sbin/{a}"), 0o755).unwrap();
    }
    let r = run(
        &mut fs,
        "groupadd -g 2000 web && useradd -m -u 1000 -G web node",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(
        read(&fs, "/etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/sh\n"
    );
    assert_eq!(
        read(&fs, "/etc/group"),
        "root:x:0:\nweb:x:2000:node\nnode:x:1000:\n"
    );
    assert_eq!(read(&fs, "/etc/gshadow"), "web:!::\nnode:!::\n");
    assert!(fs.stat("/home/node").unwrap().is_dir());
    let user = User::resolve("node", &fs).unwrap();
    assert_eq!(
        (user.uid, user.gid, user.home.as_str()),
        (1000, 1000, "/home/node")
    );
    let r = run_as(
        &mut fs,
        user,
        "touch /home/node/x && id && whoami && echo $HOME",
    );
    assert_eq!(
        r.stdout_text(),
        "uid=1000(node) gid=1000(node) groups=1000(node),2000(web)\nnode\n/home/node\n"
    );
    assert_eq!(fs.stat("/home/node/x").unwrap().uid, 1000);
}

#[test]
fn user_spec_resolution() {
    let mut fs = busybox_base();
    assert_eq!(User::resolve("1000:50", &fs).unwrap().gid, 50);
    assert_eq!(User::resolve("1000", &fs).unwrap().home, "/");
    assert_eq!(
        User::resolve("app", &fs).unwrap_err(),
        UserError::NoUser("app".into())
    );
    put(&mut fs, "/etc/passwd", "app:x:10:20::/srv:/bin/sh\n");
    assert_eq!(
        User::resolve("app:staff", &fs).unwrap_err().to_string(),
        "unable to find group staff: no matching entries in group file"
    );
}

#[test]
fn text_tools_and_pipes_write_files() {
    let mut fs = busybox_base();
    put(&mut fs, "/in.txt", "b 2\na 1\nc 3\na 1\n");
    let r = run(
        &mut fs,
        "sort /in.txt | uniq > /u.txt; grep -c a /in.txt > /n.txt; sed -i 's/a/A/g' /in.txt; \
         cut -d' ' -f2 /in.txt | tr '\\n' , > /c.txt; head -n 1 /in.txt | wc -c >> /n.txt",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(read(&fs, "/u.txt"), "a 1\nb 2\nc 3\n");
    assert_eq!(read(&fs, "/in.txt"), "b 2\nA 1\nc 3\nA 1\n");
    assert_eq!(read(&fs, "/c.txt"), "2,1,3,1,");
    assert_eq!(read(&fs, "/n.txt"), "2\n4\n");
}

#[test]
fn tar_round_trip() {
    let mut fs = busybox_base();
    put(&mut fs, "/src/a/one.txt", "1\n");
    put(&mut fs, "/src/two.txt", "22\n");
    fs.symlink("two.txt", "/src/link").unwrap();
    let r = run(
        &mut fs,
        "tar -cf /t.tar -C /src . && mkdir /dst && tar -xf /t.tar -C /dst && tar tf /t.tar | sort",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(read(&fs, "/dst/a/one.txt"), "1\n");
    assert_eq!(fs.read_link("/dst/link").unwrap(), "two.txt");
    assert_eq!(
        r.stdout_text(),
        "./\n./a/\n./a/one.txt\n./link\n./two.txt\n"
    );
    // busybox's tar writes gzip through a `gzip` in PATH, which the base
    // image lacks; with a link to busybox there, the archive reads back.
    let r = run(&mut fs, "tar czf /x.tgz -C /src .");
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (1, "tar: can't execute 'gzip': No such file or directory\n")
    );
    let r = run(
        &mut fs,
        "ln -s busybox /bin/gzip && tar czf /x.tgz -C /src . && tar tzf /x.tgz | sort",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(
        r.stdout_text(),
        "./\n./a/\n./a/one.txt\n./link\n./two.txt\n"
    );
}

#[test]
fn lookup_follows_path_and_reports_unsimulated_binaries() {
    let mut fs = busybox_base();
    put(&mut fs, "/usr/bin/node", "\x7fELF");
    fs.chmod("/usr/bin/node", 0o755).unwrap();
    put(&mut fs, "/usr/bin/notexec", "\x7fELF");
    let r = run(&mut fs, "node app.js");
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (127, "layerlab: node is not simulated\n")
    );
    // A file in PATH without its x bit is execve's EACCES, as ash says it
    // (scenario 97).
    let r = run(&mut fs, "notexec");
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (126, "/bin/sh: notexec: Permission denied\n")
    );
    // busybox's standalone shell runs applets that have no symlink.
    assert_eq!(run(&mut fs, "PATH=/nowhere; seq 2").stdout_text(), "1\n2\n");
    assert_eq!(
        run(&mut fs, "busybox echo hi; /bin/busybox seq 1").stdout_text(),
        "hi\n1\n"
    );
    assert_eq!(
        run(&mut fs, "which ls sh; which seq; echo $?").stdout_text(),
        "/bin/ls\n/bin/sh\n1\n"
    );
}

#[test]
fn without_busybox_only_path_binaries_run() {
    let mut fs = layerlab::filesystem::rootfs::RootFs::new();
    put(&mut fs, "/bin/dash", "\x7fELF");
    fs.chmod("/bin/dash", 0o755).unwrap();
    fs.symlink("dash", "/bin/sh").unwrap();
    let r = run(&mut fs, "echo builtin; ls");
    assert_eq!(r.stdout_text(), "builtin\n");
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (127, "/bin/sh: ls: not found\n")
    );
}

#[test]
fn exec_form_runs_without_a_shell() {
    let mut fs = busybox_base();
    let mut ctx = ExecContext::new(&mut fs);
    let r = shell::run_argv(&["echo".into(), "$HOME".into(), "a b".into()], &mut ctx);
    assert_eq!((r.exit_code, r.stdout_text().as_str()), (0, "$HOME a b\n"));
    let r = shell::run_argv(&["nope".into()], &mut ctx);
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (127, "exec: \"nope\": executable file not found in $PATH\n")
    );
    let r = shell::run_argv(
        &[
            "/bin/sh".into(),
            "-c".into(),
            "echo $0 $1; exit 3".into(),
            "me".into(),
            "arg".into(),
        ],
        &mut ctx,
    );
    assert_eq!((r.exit_code, r.stdout_text().as_str()), (3, "me arg\n"));
}

#[test]
fn nested_sh_xargs_env_and_stdin() {
    let mut fs = busybox_base();
    let mut ctx = ExecContext::new(&mut fs);
    ctx.stdin = b"line one\nline two\n".to_vec();
    let r = shell::run(
        "read first; echo \"got $first\"; cat; sh -c 'echo inner $X' ; X=1 env | grep X=; echo a b | xargs -n1 sh -c 'echo \"[$0]\"'",
        &mut ctx,
    );
    assert_eq!(
        r.stdout_text(),
        "got line one\nline two\ninner\nX=1\n[a]\n[b]\n"
    );
}

/// `mkdir -p` one level deeper per loop pass (500 levels took 12 s: each
/// call walked every prefix), and a path of PATH_MAX (4096) bytes or more
/// fails as Linux fails it.
#[test]
fn deep_paths_are_made_quickly_and_past_path_max_are_too_long() {
    let mut fs = busybox_base();
    let r = run(
        &mut fs,
        "p=/d; i=0; while [ $i -lt 500 ]; do p=$p/a; mkdir -p $p || exit 7; i=$((i+1)); done",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert!(fs
        .stat(&format!("/d{}", "/a".repeat(500)))
        .unwrap()
        .is_dir());
    let too_long = format!("/e{}", "/a".repeat(2047));
    let r = run(&mut fs, &format!("mkdir -p {too_long}"));
    assert_eq!(r.exit_code, 1);
    assert_eq!(
        r.stderr_text(),
        format!("mkdir: can't create directory '{too_long}': File name too long\n")
    );
    let name = "n".repeat(256);
    let r = run(&mut fs, &format!("touch /{name}"));
    assert_eq!(r.exit_code, 1);
    assert!(
        r.stderr_text().contains("File name too long"),
        "{}",
        r.stderr_text()
    );
}

/// Nested repeats, exponential for a backtracking matcher, and long lines
/// take grep and sed time in proportion to the line: they answer as busybox
/// does, with no budget to run out of.
#[test]
fn regex_matching_is_linear_in_the_line() {
    let mut fs = busybox_base();
    for n in [28, 10_000] {
        let line = "a".repeat(n);
        let r = run(&mut fs, &format!("echo {line}b | grep -E '(a+)+$'"));
        assert_eq!((r.exit_code, r.stderr_text()), (1, String::new()), "{n}");
        let r = run(&mut fs, &format!("echo {line}b | sed -E 's/(a*)*$/x/'"));
        assert_eq!(r.stdout_text(), format!("{line}bx\n"), "{n}");
        let r = run(&mut fs, &format!("echo {line} | grep -c 'a*b'"));
        assert_eq!(r.stdout_text(), "0\n", "{n}");
    }
    let r = run(
        &mut fs,
        "echo 'key=42' | sed -E 's/([a-z]+)=([0-9]+)/\\2=\\1/'",
    );
    assert_eq!(r.stdout_text(), "42=key\n");
}

/// A shell killed by a signal ends with 128 + the signal, as Docker
/// reports it; the RUN's own shell is PID 1 of its container, which Linux
/// does not let a process inside the container kill.
#[test]
fn signals_give_128_plus_the_signal() {
    let mut fs = busybox_base();
    let r = run(&mut fs, "sh -c 'kill -9 $$; echo not here'");
    assert_eq!((r.exit_code, r.stdout_text()), (137, String::new()));
    let r = run(&mut fs, "sh -c 'kill $$'; echo $?");
    assert_eq!((r.exit_code, r.stdout_text()), (0, "143\n".to_owned()));
    let r = run(&mut fs, "sh -c 'x=$(kill -s KILL $$); echo after'; echo $?");
    assert_eq!(r.stdout_text(), "137\n");
    let r = run(&mut fs, "sh -c 'kill -CHLD $$; echo alive'");
    assert_eq!((r.exit_code, r.stdout_text()), (0, "alive\n".to_owned()));
    let r = run(&mut fs, "echo $$; kill -9 $$; echo still");
    assert_eq!((r.exit_code, r.stdout_text()), (0, "1\nstill\n".to_owned()));
    // The waiting shell says which signal ended its child (not for INT
    // or PIPE), on the stderr that command was given; ash ignores QUIT.
    let r = run(&mut fs, "sh -c 'kill $$'; sh -c 'kill -9 $$' 2>/dev/null; sh -c 'kill -INT $$'; sh -c 'kill -USR1 $$'");
    assert_eq!(r.stderr_text(), "Terminated\nUser defined signal 1\n");
    let r = run(&mut fs, "x=$(sh -c 'kill -9 $$'); echo $?");
    assert_eq!(
        (r.stdout_text(), r.stderr_text()),
        ("137\n".into(), "Killed\n".into())
    );
    let r = run(&mut fs, "sh -c 'kill -QUIT $$; echo alive'; echo $?");
    assert_eq!(r.stdout_text(), "alive\n0\n");
    // In exec form (`docker run IMAGE sh -c …`, `RUN ["sh", "-c", …]`) no
    // shell runs first: the `sh` is PID 1 itself, so it survives.
    let argv: Vec<String> = ["sh", "-c", "echo $$; kill -9 $$; echo still $?"]
        .map(String::from)
        .to_vec();
    let r = layerlab::shell::run_argv(&argv, &mut layerlab::shell::ExecContext::new(&mut fs));
    assert_eq!(
        (r.exit_code, r.stdout_text()),
        (0, "1\nstill 0\n".to_owned())
    );
    let r = run(&mut fs, "kill -9 4242");
    assert_eq!(r.exit_code, 1);
    assert!(
        r.stderr_text()
            .contains("can't kill pid 4242: No such process"),
        "{}",
        r.stderr_text()
    );
}

/// What reached stdout and stderr is also one stream in the order it was
/// written, as `docker build` shows a step's output (the daemon prints a
/// child's "Killed" before the line its parent echoes next).
#[test]
fn stdout_and_stderr_interleave_in_the_order_written() {
    let mut fs = busybox_base();
    let r = run(
        &mut fs,
        "echo one; echo two >&2; sh -c 'kill -9 $$'; echo after $?; ls /nowhere",
    );
    assert_eq!(
        String::from_utf8_lossy(&r.output),
        "one\ntwo\nKilled\nafter 137\nls: /nowhere: No such file or directory\n"
    );
    assert_eq!(r.stdout_text(), "one\nafter 137\n");
    // Redirected output is not part of the stream.
    let r = run(&mut fs, "echo kept > /f; echo gone 2>/dev/null >&2; cat /f");
    assert_eq!(String::from_utf8_lossy(&r.output), "kept\n");
}

/// busybox `stat -c`: every sequence a Dockerfile checks a file with, and
/// the outputs the real busybox 1.35 gave for them in a container (device
/// and inode left out: they are the engine's).
#[test]
fn stat_formats_as_busybox_prints_them() {
    let mut fs = busybox_base();
    let r = run(
        &mut fs,
        "echo hello > /f && chmod 4755 /f && mkdir -p /d/e && ln -s f /l && touch /empty && \
         cd /bin && stat -c '%n|%s|%a|%A|%u|%U|%g|%G|%F|%f|%h|%b|%B|%o|%N|%t|%T' \
         /d /f /l /d/e busybox /empty && stat -L -c '%n %F %s %N' /l && \
         stat -c 'a\\tb [%5s|%-5s|%05a|%.2n|%#a|%#f|%+s] %%%q' /f && stat -c '' /f && \
         stat -c 'no newline%' /f",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(
        r.stdout_text(),
        "/d|4096|755|drwxr-xr-x|0|UNKNOWN|0|UNKNOWN|directory|41ed|3|8|512|4096|/d|0|0\n\
         /f|6|4755|-rwsr-xr-x|0|UNKNOWN|0|UNKNOWN|regular file|89ed|1|8|512|4096|/f|0|0\n\
         /l|1|777|lrwxrwxrwx|0|UNKNOWN|0|UNKNOWN|symbolic link|a1ff|1|0|512|4096|'/l' -> 'f'|0|0\n\
         /d/e|4096|755|drwxr-xr-x|0|UNKNOWN|0|UNKNOWN|directory|41ed|2|8|512|4096|/d/e|0|0\n\
         busybox|1982256|755|-rwxr-xr-x|0|UNKNOWN|0|UNKNOWN|regular file|81ed|1|3872|512|4096|busybox|0|0\n\
         /empty|0|644|-rw-r--r--|0|UNKNOWN|0|UNKNOWN|regular empty file|81a4|1|0|512|4096|/empty|0|0\n\
         /l regular file 6 /l\n\
         a\\tb [    6|6    |04755|/f|04755|0x89ed|6] %q\n\
         \n\
         no newline%"
    );

    put(&mut fs, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    put(&mut fs, "/etc/group", "root:x:0:\n");
    let r = run(&mut fs, "chown 5:7 /d && stat -c '%U:%G' /f /d");
    assert_eq!(r.stdout_text(), "root:root\nUNKNOWN:UNKNOWN\n");

    let r = run(&mut fs, "stat -c %n /nope /f; echo rc=$?; stat");
    assert_eq!(r.stdout_text(), "/f\nrc=1\n");
    let err = r.stderr_text();
    assert!(
        err.starts_with("stat: can't stat '/nope': No such file or directory\nBusyBox v1.35.0"),
        "{err}"
    );
    assert_eq!(r.exit_code, 1);
}

/// `stat FILE` and `stat -t FILE`: busybox's own layouts.
#[test]
fn stat_default_and_terse_layouts() {
    let mut fs = busybox_base();
    let r = run(&mut fs, "ln -s /e /l && stat /l && stat -t /l");
    let out = r.stdout_text();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "  File: '/l' -> '/e'");
    assert_eq!(
        lines[1],
        "  Size: 2         \tBlocks: 0          IO Block: 4096   symbolic link"
    );
    assert!(lines[2].starts_with("Device: 28h/40d\tInode: "), "{out}");
    assert!(lines[2].ends_with("    Links: 1"), "{out}");
    assert_eq!(
        lines[3],
        "Access: (0777/lrwxrwxrwx)  Uid: (    0/ UNKNOWN)   Gid: (    0/ UNKNOWN)"
    );
    let times: Vec<&str> = lines[4..7].iter().map(|l| &l[..8]).collect();
    assert_eq!(times, ["Access: ", "Modify: ", "Change: "]);
    let terse: Vec<&str> = lines[7].split(' ').collect();
    assert_eq!(terse.len(), 15, "{out}");
    assert_eq!(terse[..6], ["/l", "2", "0", "a1ff", "0", "0"]);
}

/// `od` as busybox 1.35 prints it (texts taken from the real applet), run
/// through its symlink-less name and as `busybox od` on an image that has
/// no `od` link (the catalog's busybox lists only some applets).
#[test]
fn od_dumps_as_busybox_does() {
    let mut fs = busybox_base();
    put(&mut fs, "/in", "hello\nworld\u{1}");
    let r = run(
        &mut fs,
        "od /in; od -c -tx1 /in; od -An -tu1 -N3 /in; busybox od -Ax -j2 -N2 -tx2 /in; printf aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab | od -c",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    assert_eq!(
        r.stdout_text(),
        "0000000 062550 066154 005157 067567 066162 000544\n0000014\n\
         0000000   h   e   l   l   o  \\n   w   o   r   l   d 001\n        68 65 6c 6c 6f 0a 77 6f 72 6c 64 01\n0000014\n\
         \u{20}104 101 108\n\
         000002 6c6c\n000004\n\
         0000000   a   a   a   a   a   a   a   a   a   a   a   a   a   a   a   a\n*\n0000040   a   a   a   a   a   a   a   a   a   b\n0000052\n"
    );
    let r = run(&mut fs, "od -tq /in; od /nope");
    assert_eq!(
        r.stderr_text(),
        "od: invalid character 'q' in type string 'q'\nod: /nope: No such file or directory\n"
    );
}

#[test]
fn scripts_run_by_their_interpreter_line_or_as_sh() {
    let mut fs = busybox_base();
    put(&mut fs, "/s/bang", "#!/bin/sh\necho bang $0 $*\n");
    put(&mut fs, "/s/plain", "echo plain $0 $*\n");
    put(&mut fs, "/s/two", "#!/s/bang  one arg \n");
    put(&mut fs, "/s/self", "#!/s/self\n");
    put(&mut fs, "/s/gone", "#!/nope\n");
    put(&mut fs, "/s/flags", "#!/bin/busybox sh -e\n");
    put(&mut fs, "/s/off", "#!/bin/sh\n");
    let r = run(
        &mut fs,
        "chmod 755 /s/bang /s/plain /s/two /s/self /s/gone /s/flags",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let r = run(
        &mut fs,
        "/s/bang a b; cd /s && ./plain c; PATH=/s:$PATH two d",
    );
    assert_eq!(
        (r.exit_code, r.stdout_text().as_str()),
        (
            0,
            "bang /s/bang a b\nplain ./plain c\nbang /s/bang one arg /s/two d\n"
        )
    );
    for (cmd, code, err) in [
        ("/s/self", 127, "/s/self: Too many levels of symbolic links"),
        ("/s/gone", 127, "/s/gone: not found"),
        ("/s/flags", 127, "sh -e: applet not found"),
        ("/s/off", 126, "/s/off: Permission denied"),
        ("PATH=/s off", 126, "off: Permission denied"),
    ] {
        let r = run(&mut fs, cmd);
        assert_eq!(r.exit_code, code, "{cmd}");
        assert!(r.stderr_text().contains(err), "{cmd}: {}", r.stderr_text());
    }
}

#[test]
fn a_user_meets_read_search_and_execute_bits() {
    let mut fs = busybox_base();
    let r = run(
        &mut fs,
        "mkdir -p /priv /shut && echo s > /priv/f && chmod 700 /priv && chmod 311 /shut \
         && printf '#!/bin/sh\\necho ran\\n' > /mine && chmod 744 /mine",
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr_text());
    let user = User::resolve("1000:1000", &fs).unwrap();
    for (cmd, code, err) in [
        (
            "cat /priv/f",
            1,
            "cat: can't open '/priv/f': Permission denied",
        ),
        ("ls /shut", 1, "ls: can't open '/shut': Permission denied"),
        ("cd /priv", 2, "can't cd to /priv: Permission denied"),
        ("/mine", 126, "/mine: Permission denied"),
    ] {
        let r = run_as(&mut fs, user.clone(), cmd);
        assert_eq!(r.exit_code, code, "{cmd}");
        assert!(r.stderr_text().contains(err), "{cmd}: {}", r.stderr_text());
    }
    let r = run_as(&mut fs, user, "sh /mine; test -e /priv/f || echo hidden");
    assert_eq!(r.stdout_text(), "ran\nhidden\n");
    // Root passes the read and search bits.
    assert_eq!(run(&mut fs, "cat /priv/f").stdout_text(), "s\n");
}

/// A reader that wants all of an endless writer's output (`yes | wc -l`)
/// never ends on a real engine; layerlab's writers stop at their bound, so
/// the step ends and what the reader counts is finite.
#[test]
fn endless_writers_into_a_reader_that_wants_everything_still_end() {
    for script in [
        "yes | wc -l",
        "seq 1 0 2 | wc -l",
        "yes | tr y n | wc -c",
        "while :; do echo x; done | wc -l",
    ] {
        let mut fs = busybox_base();
        let r = run(&mut fs, script);
        let counted: u64 = r.stdout_text().trim().parse().unwrap_or(0);
        assert!(
            r.exit_code != 0 || counted > 0,
            "{script}: {} {:?}",
            r.exit_code,
            r.stderr_text()
        );
        assert!(counted < 1 << 30, "{script}: counted {counted}");
    }
}
