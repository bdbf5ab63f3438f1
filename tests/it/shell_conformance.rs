//! The RUN steps of the recorded conformance scenarios, replayed over the
//! scenarios' base (busybox-static + nine symlinks) with the final build
//! context copied in as COPY puts it (0644, root). The file each RUN writes
//! must have the exact size of the RUN layer in the recording
//! (`final_image.history[].SizeBytes`); where the shared recordings are
//! present, the table below is checked against them too.

use crate::support::scenario::shared_conformance_dir;
use crate::support::shell::*;

/// (scenario, context files as (path, content), WORKDIR, env, RUN script,
/// file written, recorded RUN layer size)
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
    u64,
);

const PKG: &str =
    "{\"name\": \"demo\", \"version\": \"1.0.0\", \"dependencies\": {\"left-pad\": \"1.0.0\"}}\n";

const CASES: &[Case] = &[
    (
        "01-unchanged-rebuild",
        &[
            ("/app/package.json", PKG),
            ("/app/app.js", "console.log('hello v1');\n"),
        ],
        "/app",
        &[],
        "echo \"installing deps\" && cp package.json /deps.lock",
        "/deps.lock",
        76,
    ),
    (
        "07-copy-all-unrelated-file-changed",
        &[
            (
                "/app/Dockerfile",
                "FROM busybox\nWORKDIR /app\nCOPY . .\nRUN ls -la > /listing.txt\n",
            ),
            ("/app/app.js", "console.log('hello v1');\n"),
            (
                "/app/README.md",
                "# demo\n\nA tiny demo app, now with more words in the readme.\n",
            ),
        ],
        "/app",
        &[],
        "ls -la > /listing.txt",
        "/listing.txt",
        327,
    ),
    (
        "08-dockerignored-file-changed",
        &[
            (
                "/app/Dockerfile",
                "FROM busybox\nWORKDIR /app\nCOPY . .\nRUN ls -la > /listing.txt\n",
            ),
            ("/app/.dockerignore", "*.log\nnotes/\n"),
            ("/app/app.js", "console.log('hello v1');\n"),
        ],
        "/app",
        &[],
        "ls -la > /listing.txt",
        "/listing.txt",
        331,
    ),
    (
        "09-env-change-then-run",
        &[],
        "/",
        &[("GREETING", "bonjour")],
        "echo \"$GREETING\" > /greeting.txt",
        "/greeting.txt",
        8,
    ),
    (
        "12-build-arg-used-by-run",
        &[],
        "/",
        &[("APP_VERSION", "1.0")],
        "echo \"version $APP_VERSION\" > /version.txt",
        "/version.txt",
        12,
    ),
    (
        "13-copy-dir-nested-file-changed",
        &[
            ("/app/src/index.js", "require('./lib/util');\n"),
            ("/app/src/lib/util.js", "module.exports = 2;\n"),
        ],
        "/",
        &[],
        "ls -R /app > /tree.txt",
        "/tree.txt",
        57,
    ),
    (
        "14-run-same-text-different-effect",
        &[],
        "/",
        &[],
        "date > /built-at.txt",
        "/built-at.txt",
        29,
    ),
    (
        "17-workdir-change",
        &[("/srv/app.js", "console.log('hello v1');\n")],
        "/srv",
        &[],
        "pwd > /where.txt",
        "/where.txt",
        5,
    ),
    (
        "20-new-file-in-copied-dir",
        &[("/app/src/index.js", "console.log('index');\n")],
        "/",
        &[],
        "ls /app/src > /files.txt",
        "/files.txt",
        9,
    ),
    (
        "21-copy-wildcard",
        &[
            ("/app/app.js", "console.log('hello v1');\n"),
            ("/app/extra.js", "console.log('extra');\n"),
        ],
        "/",
        &[],
        "ls /app > /files.txt",
        "/files.txt",
        16,
    ),
    (
        "25-rename-file",
        &[
            ("/app/src/index.js", "console.log('index');\n"),
            ("/app/src/helpers.js", "module.exports = 1;\n"),
        ],
        "/",
        &[],
        "ls /app/src > /files.txt",
        "/files.txt",
        20,
    ),
    (
        "26-env-change-and-revert",
        &[],
        "/",
        &[("LEVEL", "info")],
        "echo \"$LEVEL\" > /level.txt",
        "/level.txt",
        5,
    ),
    (
        "27-copy-destination-change",
        &[("/app/main.js", "console.log('hello v1');\n")],
        "/",
        &[],
        "ls /app > /files.txt",
        "/files.txt",
        8,
    ),
    (
        "10-comment-only-change",
        &[],
        "/",
        &[],
        "echo built > /built.txt",
        "/built.txt",
        6,
    ),
    (
        "18-remove-middle-run",
        &[],
        "/",
        &[],
        "echo three > /three.txt",
        "/three.txt",
        6,
    ),
    (
        "02-order-source-before-slow-run",
        &[("/app/package.json", PKG)],
        "/app",
        &[],
        "sleep 2 && cp package.json /deps.lock",
        "/deps.lock",
        76,
    ),
];

#[test]
fn run_layers_have_the_recorded_sizes() {
    for (name, files, workdir, env, script, written, size) in CASES {
        let mut fs = busybox_base();
        for (path, content) in *files {
            put(&mut fs, path, content);
        }
        fs.mkdir_all(workdir, 0o755, 0, 0).unwrap();
        let mut ctx = layerlab::shell::ExecContext::new(&mut fs);
        ctx.cwd = workdir.to_string();
        for (k, v) in *env {
            ctx.env.push((k.to_string(), v.to_string()));
        }
        let r = layerlab::shell::run(script, &mut ctx);
        assert_eq!(r.exit_code, 0, "{name}: {}", r.stderr_text());
        let got = fs.read_file(written).unwrap().len();
        assert_eq!(
            got,
            *size,
            "{name}: {written} is {got} bytes:\n{}",
            read(&fs, written)
        );
    }
}

#[test]
fn listing_matches_busybox_bytes() {
    // Scenario 07's /listing.txt as busybox wrote it (only the times differ
    // between runs; here the files were copied a day before the RUN).
    let mut fs = busybox_base();
    for (path, content) in CASES[1].1 {
        put(&mut fs, path, content);
    }
    let r = run_in(&mut fs, "/app", "ls -la > /listing.txt");
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        read(&fs, "/listing.txt"),
        "total 20\n\
         drwxr-xr-x    2 0        0             4096 Nov 28 06:32 .\n\
         drwxr-xr-x    4 0        0             4096 Nov 28 06:32 ..\n\
         -rw-r--r--    1 0        0               61 Nov 28 06:32 Dockerfile\n\
         -rw-r--r--    1 0        0               60 Nov 28 06:32 README.md\n\
         -rw-r--r--    1 0        0               25 Nov 28 06:32 app.js\n"
    );
    assert!(!fs.exists("/tree.txt"), "unrelated file must not exist");
}

#[test]
fn sleep_moves_the_simulated_clock() {
    let mut fs = busybox_base();
    put(&mut fs, "/app/package.json", PKG);
    let r = run_in(
        &mut fs,
        "/app",
        "sleep 2 && cp package.json /deps.lock && date",
    );
    assert_eq!(r.slept_seconds, 2);
    assert_eq!(r.stdout_text(), "Sat Nov 28 06:32:31 UTC 2026\n");
    assert_eq!(fs.stat("/deps.lock").unwrap().mtime, NOW + 2);
}

#[test]
fn table_sizes_are_the_recorded_ones() {
    let Some(dir) = shared_conformance_dir() else {
        eprintln!("shared conformance recordings absent: table not cross-checked");
        return;
    };
    for (name, _, _, _, script, _, size) in CASES {
        let text = std::fs::read_to_string(dir.join(name).join("expected.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for mode in ["buildkit", "classic"] {
            let history = json["modes"][mode]["final_image"]["history"]
                .as_array()
                .unwrap();
            let row = history
                .iter()
                .find(|r| r["CreatedBy"].as_str().is_some_and(|c| c.contains(script)))
                .unwrap_or_else(|| panic!("{name}/{mode}: no history row for {script}"));
            assert_eq!(row["SizeBytes"].as_u64(), Some(*size), "{name}/{mode}");
        }
    }
}
