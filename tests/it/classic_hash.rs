//! Recomputes every classic-builder COPY source hash (`file:`/`dir:`/`multi:`)
//! recorded in the shared conformance scenarios from the scenario's files,
//! and checks the whole history line the classic builder wrote.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use layerlab::engine::classic_hash::{ClassicSource, SourceEntry, SourceOrigin};
use layerlab::engine::history_text::classic_copy;
use serde_json::Value;

use crate::support::scenario::shared_conformance_dir;

/// The context after every build's mutations: path → (bytes, mode, symlink target).
#[derive(Clone)]
struct ContextFile {
    bytes: Vec<u8>,
    mode: u32,
    link: Option<String>,
}

fn final_context(scenario: &Value) -> BTreeMap<String, ContextFile> {
    let mut files = BTreeMap::new();
    for (path, content) in scenario["files"].as_object().expect("files object") {
        let bytes = content.as_str().expect("file content").as_bytes().to_vec();
        files.insert(
            path.clone(),
            ContextFile {
                bytes,
                mode: 0o644,
                link: None,
            },
        );
    }
    for build in scenario["builds"].as_array().expect("builds array") {
        let Some(mutations) = build["mutate"].as_array() else {
            continue;
        };
        for m in mutations {
            if let Some(path) = m["write"].as_str() {
                let bytes = m["content"].as_str().expect("content").as_bytes().to_vec();
                let mode = files.get(path).map_or(0o644, |f: &ContextFile| f.mode);
                files.insert(
                    path.to_owned(),
                    ContextFile {
                        bytes,
                        mode,
                        link: None,
                    },
                );
            } else if let Some(path) = m["delete"].as_str() {
                files.remove(path);
            } else if let Some(path) = m["chmod"].as_str() {
                let mode =
                    u32::from_str_radix(m["mode"].as_str().expect("mode"), 8).expect("octal");
                files.get_mut(path).expect("chmod target").mode = mode;
            } else if let Some(pair) = m["rename"].as_array() {
                let from = pair[0].as_str().expect("rename from");
                let to = pair[1].as_str().expect("rename to");
                let file = files.remove(from).expect("rename source");
                files.insert(to.to_owned(), file);
            } else if let Some(path) = m["symlink"].as_str() {
                let target = m["target"].as_str().expect("target").to_owned();
                files.insert(
                    path.to_owned(),
                    ContextFile {
                        bytes: Vec::new(),
                        mode: 0o777,
                        link: Some(target),
                    },
                );
            } else if m["touch"].is_string() || m["chown"].is_string() {
                // mtime and owner never reach the classic context hash.
            } else {
                panic!("unknown mutation {m}");
            }
        }
    }
    files
}

/// `.dockerignore` as the scenarios use it: `*`/`?` globs, a pattern also
/// excludes everything below a matched directory.
fn ignored(patterns: &[String], path: &str) -> bool {
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                glob(&p[1..], s) || (!s.is_empty() && s[0] != b'/' && glob(p, &s[1..]))
            }
            (Some(b'?'), Some(c)) if *c != b'/' => glob(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let mut prefix = String::new();
    for part in path.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if patterns
            .iter()
            .any(|p| glob(p.trim_end_matches('/').as_bytes(), prefix.as_bytes()))
        {
            return true;
        }
    }
    false
}

fn context_entries(
    files: &BTreeMap<String, ContextFile>,
) -> (Vec<SourceEntry>, BTreeMap<String, Vec<u8>>) {
    let patterns: Vec<String> = files
        .get(".dockerignore")
        .map(|f| {
            String::from_utf8_lossy(&f.bytes)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut entries = Vec::new();
    let mut contents = BTreeMap::new();
    let mut dirs = std::collections::BTreeSet::new();
    for (path, file) in files {
        if ignored(&patterns, path) {
            continue;
        }
        let mut parent = path.as_str();
        while let Some((dir, _)) = parent.rsplit_once('/') {
            dirs.insert(dir.to_owned());
            parent = dir;
        }
        match &file.link {
            Some(target) => entries.push(SourceEntry::symlink(path.clone(), target.clone())),
            None => {
                entries.push(SourceEntry::file(
                    path.clone(),
                    file.mode,
                    file.bytes.len() as u64,
                ));
                contents.insert(path.clone(), file.bytes.clone());
            }
        }
    }
    entries.extend(dirs.into_iter().map(|d| SourceEntry::dir(d, 0o755)));
    (entries, contents)
}

/// `COPY [--flags] src... dest` lines of a Dockerfile, in order.
fn copy_instructions(dockerfile: &str) -> Vec<(Vec<String>, Vec<String>, String)> {
    dockerfile
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let (&keyword, rest) = words.split_first()?;
            if !keyword.eq_ignore_ascii_case("COPY") && !keyword.eq_ignore_ascii_case("ADD") {
                return None;
            }
            let flags: Vec<String> = rest
                .iter()
                .take_while(|w| w.starts_with("--"))
                .map(|w| (*w).to_owned())
                .collect();
            let args = &rest[flags.len()..];
            let (dest, sources) = args.split_last()?;
            Some((
                flags,
                sources.iter().map(|s| (*s).to_owned()).collect(),
                (*dest).to_owned(),
            ))
        })
        .collect()
}

/// The one `COPY --from` stage filesystem of the recordings:
/// 16-multistage-copy-from's builder runs `cat app.js > /bundle.js` as root
/// (umask 022), so /bundle.js is a 0644 root-owned copy of app.js.
fn stage_filesystem(
    scenario: &str,
    files: &BTreeMap<String, ContextFile>,
) -> (Vec<SourceEntry>, BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        scenario, "16-multistage-copy-from",
        "no stage filesystem fixture for {scenario}"
    );
    let bundle = files["app.js"].bytes.clone();
    let entries = vec![
        SourceEntry::file("bundle.js", 0o644, bundle.len() as u64),
        SourceEntry::dir("bin", 0o755),
    ];
    (entries, BTreeMap::from([("bundle.js".to_owned(), bundle)]))
}

#[test]
fn every_recorded_classic_copy_hash_is_reproduced() {
    let Some(root) = shared_conformance_dir() else {
        eprintln!("!!! shared/conformance not found: classic COPY hashes NOT checked !!!");
        assert!(
            std::env::var_os("CI").is_none(),
            "shared/conformance is required in CI"
        );
        return;
    };
    let mut checked = 0;
    let mut scenarios: Vec<PathBuf> = fs::read_dir(&root)
        .expect("read conformance dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    scenarios.sort();
    for dir in scenarios {
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let scenario: Value = serde_json::from_str(
            &fs::read_to_string(dir.join("scenario.json")).expect("scenario.json"),
        )
        .expect("scenario json");
        let expected: Value = serde_json::from_str(
            &fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
        )
        .expect("expected json");
        let files = final_context(&scenario);
        let dockerfile =
            String::from_utf8(files["Dockerfile"].bytes.clone()).expect("utf8 Dockerfile");
        let recorded: Vec<String> = expected["modes"]["classic"]["final_image"]["history"]
            .as_array()
            .expect("history")
            .iter()
            .rev()
            .map(|h| h["CreatedBy"].as_str().unwrap_or_default().to_owned())
            .filter(|c| c.contains("#(nop) COPY ") || c.contains("#(nop) ADD "))
            .collect();
        // Stages other than the last leave no history in the final image.
        let last_stage = dockerfile
            .rfind("\nFROM ")
            .map_or(dockerfile.as_str(), |i| &dockerfile[i..]);
        let copies = copy_instructions(last_stage);
        assert_eq!(copies.len(), recorded.len(), "{name}: COPY count");
        let (ctx_entries, ctx_contents) = context_entries(&files);
        let context = ClassicSource::new(SourceOrigin::BuildContext, ctx_entries, &ctx_contents)
            .expect("context tree");
        for ((flags, sources, dest), line) in copies.iter().zip(&recorded) {
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            let hashed = if flags.iter().any(|f| f.starts_with("--from=")) {
                let (entries, contents) = stage_filesystem(&name, &files);
                let stage = ClassicSource::new(SourceOrigin::Filesystem, entries, &contents)
                    .expect("stage tree");
                stage.copy_sources(&sources)
            } else {
                context.copy_sources(&sources)
            }
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let chown = flags.iter().find_map(|f| f.strip_prefix("--chown="));
            let rendered = classic_copy("COPY", chown, &hashed.hash, dest, &[]);
            assert_eq!(&rendered, line, "{name}: {sources:?}");
            checked += 1;
        }
    }
    assert!(checked >= 27, "only {checked} recorded COPY hashes found");
}
