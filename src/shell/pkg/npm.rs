//! `npm` (npm 10 as node 18–22 images bundle it): `install`/`i`, `ci`,
//! `run`/`start`/`test`, `cache clean`, `--version`.
//!
//! Packages install flat into `node_modules` (npm ≥ 7 hoists everything
//! it can; the catalog holds one version per name), with
//! `node_modules/.bin` links, `node_modules/.package-lock.json` and the
//! project's `package-lock.json`. Downloaded tarballs stay in
//! `~/.npm/_cacache` and every run leaves a debug log in `~/.npm/_logs` —
//! the bytes `npm cache clean --force` exists for.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::catalog::{FillerSpec, NpmCatalog, NpmPackage};
use super::{
    catalogs_or_report, filler_files, hex_name, long_opt, read_text, remove_if_exists, write_all,
    Content, Planned,
};
use crate::calendar::civil;
use crate::shell::interp::registry::Io;
use crate::shell::interp::Shell;
use crate::shell::parser;

struct Options {
    omit_dev: bool,
    save_dev: bool,
    no_save: bool,
    global: bool,
    silent: bool,
    no_audit: bool,
    no_fund: bool,
}

/// `npm COMMAND [ARGS]`.
pub(crate) fn npm(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    let Some(cat) = catalogs_or_report(io, "npm") else {
        return 1;
    };
    let cat = &cat.npm;
    let mut o = Options {
        omit_dev: sh.var("NODE_ENV") == Some("production"),
        save_dev: false,
        no_save: false,
        global: false,
        silent: false,
        no_audit: false,
        no_fund: false,
    };
    let mut words = Vec::new();
    for a in &argv[1..] {
        match long_opt(a) {
            Some(("production", _)) => o.omit_dev = true,
            Some(("omit", Some("dev"))) | Some(("only", Some("prod" | "production"))) => {
                o.omit_dev = true;
            }
            Some(("save-dev", _)) => o.save_dev = true,
            Some(("no-save", _)) => o.no_save = true,
            Some(("global", _)) => o.global = true,
            Some(("silent" | "quiet", _)) | Some(("loglevel", Some("silent" | "error"))) => {
                o.silent = true;
            }
            Some(("no-audit", _)) | Some(("audit", Some("false"))) => o.no_audit = true,
            Some(("no-fund", _)) | Some(("fund", Some("false"))) => o.no_fund = true,
            Some(("version", _)) if words.is_empty() => {
                io.print(&format!("{}\n", npm_version(sh, cat)));
                return 0;
            }
            Some(_) => {}
            None => match a.as_str() {
                "-D" => o.save_dev = true,
                "-g" => o.global = true,
                "-s" | "-q" => o.silent = true,
                "-v" if words.is_empty() => {
                    io.print(&format!("{}\n", npm_version(sh, cat)));
                    return 0;
                }
                _ if a.starts_with('-') => {}
                _ => words.push(a.clone()),
            },
        }
    }
    let Some(cmd) = words.first().cloned() else {
        io.print("npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project\n");
        return 1;
    };
    let r = match cmd.as_str() {
        "install" | "i" | "add" | "isntall" => install(sh, io, cat, &o, &words[1..], false),
        "ci" | "clean-install" => install(sh, io, cat, &o, &[], true),
        "run" | "run-script" => match words.get(1) {
            Some(s) => run_script(sh, io, cat, s, &words[2..]),
            None => Ok(0),
        },
        "start" | "test" | "t" => {
            let name = if cmd == "start" { "start" } else { "test" };
            run_script(sh, io, cat, name, &words[1..])
        }
        "cache" => {
            if matches!(
                words.get(1).map(String::as_str),
                Some("clean" | "clear" | "rm")
            ) {
                if argv.iter().any(|a| a == "--force" || a == "-f") {
                    let cache = format!("{}/.npm/_cacache", home(sh));
                    remove_if_exists(sh, &cache)
                        .map(|()| 0)
                        .map_err(|e| Failure::fs(&e))
                } else {
                    Err(Failure::Lines(vec![
                        "As of npm@5, the npm cache self-heals from corruption issues".to_owned(),
                        "by treating integrity mismatches as cache misses.  As a result,"
                            .to_owned(),
                        "data extracted from the cache is guaranteed to be valid.  If you"
                            .to_owned(),
                        "want to make sure everything is consistent, use `npm cache verify`"
                            .to_owned(),
                        "instead.  Deleting the cache can only make npm go slower, and is"
                            .to_owned(),
                        "not likely to correct any problems you may be facing.".to_owned(),
                        String::new(),
                        "On the other hand, if you're debugging an issue with the installer,"
                            .to_owned(),
                        "or race conditions that depend on the timing of writing to an empty"
                            .to_owned(),
                        "cache, you can use `npm install --cache /tmp/empty-cache` to use a"
                            .to_owned(),
                        "temporary cache instead of nuking the actual one.".to_owned(),
                        String::new(),
                        "If you're sure you want to delete the entire cache, rerun this command"
                            .to_owned(),
                        "with --force.".to_owned(),
                    ]))
                }
            } else {
                Ok(0)
            }
        }
        other => Err(Failure::Usage(format!("Unknown command: \"{other}\""))),
    };
    match r {
        Ok(code) => code,
        Err(f) => {
            let p = prefix(sh, cat);
            let lines = f.lines();
            for l in &lines {
                if l.is_empty() {
                    io.eprint(&format!("{p}\n"));
                } else {
                    io.eprint(&format!("{p} {l}\n"));
                }
            }
            let log = write_log(sh, &cmd);
            io.eprint(&format!(
                "{p} A complete log of this run can be found in: {log}\n"
            ));
            1
        }
    }
}

/// An npm failure; rendered with npm's `npm error` prefix on each line.
enum Failure {
    NotFound(String),
    Usage(String),
    Lines(Vec<String>),
}

impl Failure {
    fn fs(e: &crate::filesystem::rootfs::FsError) -> Failure {
        Failure::Lines(vec![
            format!(
                "code {}",
                if matches!(e, crate::filesystem::rootfs::FsError::NotFound(_)) {
                    "ENOENT"
                } else {
                    "EACCES"
                }
            ),
            format!("path {}", e.path()),
            format!("{}", e.strerror()),
        ])
    }

    /// What npm prints when a command needs a package.json that is not there.
    fn no_package_json(pj_path: &str) -> Failure {
        Failure::Lines(vec![
            "code ENOENT".to_owned(),
            "syscall open".to_owned(),
            format!("path {pj_path}"),
            "errno -2".to_owned(),
            format!("enoent Could not read package.json: Error: ENOENT: no such file or directory, open '{pj_path}'"),
        ])
    }

    fn lines(&self) -> Vec<String> {
        match self {
            Failure::NotFound(name) => vec![
                "code E404".to_owned(),
                format!("404 Not Found - GET https://registry.npmjs.org/{name} - Not found"),
                "404".to_owned(),
                format!("404  '{name}@*' is not in this registry."),
                "404".to_owned(),
                "404 Note that you can also install from a".to_owned(),
                "404 tarball, folder, http url, or git remote protocol.".to_owned(),
            ],
            Failure::Usage(msg) => {
                let mut v = vec!["code EUSAGE".to_owned(), String::new()];
                v.extend(msg.lines().map(str::to_owned));
                v
            }
            Failure::Lines(v) => v.clone(),
        }
    }
}

/// The npm that the image's node bundles (`NODE_VERSION`).
fn npm_version(sh: &Shell<'_, '_>, cat: &NpmCatalog) -> String {
    sh.var("NODE_VERSION")
        .and_then(|v| cat.bundled.get(v))
        .cloned()
        .unwrap_or_else(|| cat.default_npm.clone())
}

/// npm 10.4 and later prefix errors with `npm error`; before, `npm ERR!`.
fn prefix(sh: &Shell<'_, '_>, cat: &NpmCatalog) -> &'static str {
    let v = npm_version(sh, cat);
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) >= (10, 4) {
        "npm error"
    } else {
        "npm ERR!"
    }
}

fn home(sh: &Shell<'_, '_>) -> String {
    sh.var("HOME")
        .filter(|h| !h.is_empty())
        .unwrap_or("/root")
        .trim_end_matches('/')
        .to_owned()
}

/// Writes the run's debug log (as npm does on every run) and returns its path.
fn write_log(sh: &mut Shell<'_, '_>, cmd: &str) -> String {
    let c = civil(sh.now());
    let path = format!(
        "{}/.npm/_logs/{:04}-{:02}-{:02}T{:02}_{:02}_{:02}_000Z-debug-0.log",
        home(sh),
        c.year,
        c.month,
        c.day,
        c.hour,
        c.min,
        c.sec
    );
    let text = format!(
        "0 verbose cli /usr/local/bin/node /usr/local/bin/npm\n1 info using npm\n2 silly logfile start cleaning logs, removing 0 files\n3 timing command:{cmd} Completed\n4 verbose exit 0\n5 info ok\n"
    );
    let (uid, gid) = (sh.user().uid, sh.user().gid);
    // A log that cannot be written is not worth failing the command for.
    let _ = write_all(sh, &[Planned::text(path.clone(), text)], uid, gid);
    path
}

fn read_json(sh: &Shell<'_, '_>, path: &str) -> Result<Option<Value>, Failure> {
    let Some(text) = read_text(sh, path) else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Failure::Lines(vec![
            "code EJSONPARSE".to_owned(),
            format!("JSON.parse Invalid package.json: JSONParseError: {e}"),
            "JSON.parse Failed to parse JSON data.".to_owned(),
            "JSON.parse Note: package.json must be actual JSON, not just JavaScript.".to_owned(),
        ])
    })
}

fn names_of(v: &Value, key: &str) -> Vec<(String, String)> {
    v.get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("*").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The packages a lock file lists: name → (version, dev).
fn lock_packages(lock: &Value) -> BTreeMap<String, (String, bool)> {
    let mut out = BTreeMap::new();
    if let Some(pkgs) = lock.get("packages").and_then(Value::as_object) {
        for (k, v) in pkgs {
            // Only top-level entries: nested copies share the name.
            let Some(name) = k.strip_prefix("node_modules/") else {
                continue;
            };
            if name.contains("/node_modules/") {
                continue;
            }
            let version = v.get("version").and_then(Value::as_str).unwrap_or("");
            let dev = v.get("dev").and_then(Value::as_bool).unwrap_or(false);
            out.insert(name.to_owned(), (version.to_owned(), dev));
        }
    } else if let Some(deps) = lock.get("dependencies").and_then(Value::as_object) {
        // lockfileVersion 1.
        for (k, v) in deps {
            let version = v.get("version").and_then(Value::as_str).unwrap_or("");
            let dev = v.get("dev").and_then(Value::as_bool).unwrap_or(false);
            out.insert(k.clone(), (version.to_owned(), dev));
        }
    }
    out
}

fn install(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &NpmCatalog,
    o: &Options,
    args: &[String],
    ci: bool,
) -> Result<i32, Failure> {
    let by_name: BTreeMap<&str, &NpmPackage> =
        cat.packages.iter().map(|p| (p.name.as_str(), p)).collect();
    let (uid, gid) = (sh.user().uid, sh.user().gid);
    let root = if o.global {
        "/usr/local/lib".to_owned()
    } else {
        sh.cwd().trim_end_matches('/').to_owned()
    };
    // A non-root user needs to own the project directory.
    if uid != 0 {
        let owner = sh
            .fs()
            .stat(if root.is_empty() { "/" } else { &root })
            .map(|n| n.uid);
        if owner.is_ok_and(|u| u != uid) {
            return Err(Failure::Lines(vec![
                "code EACCES".to_owned(),
                "syscall mkdir".to_owned(),
                format!("path {root}/node_modules"),
                "errno -13".to_owned(),
                format!("Error: EACCES: permission denied, mkdir '{root}/node_modules'"),
            ]));
        }
    }
    let pj_path = format!("{root}/package.json");
    let mut pj = if o.global {
        None
    } else {
        read_json(sh, &pj_path)?
    };
    let lock_path = [
        format!("{root}/npm-shrinkwrap.json"),
        format!("{root}/package-lock.json"),
    ]
    .into_iter()
    .find(|p| sh.fs().exists(p));
    let lock = match (&lock_path, o.global) {
        (Some(p), false) => read_json(sh, p)?,
        _ => None,
    };
    // name → dev?
    let mut wanted: BTreeMap<String, bool> = BTreeMap::new();
    if ci {
        let Some(pj) = &pj else {
            return Err(Failure::no_package_json(&pj_path));
        };
        let Some(lock) = &lock else {
            return Err(Failure::Usage(
                "The `npm ci` command can only install with an existing package-lock.json or\nnpm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or\nlater to generate a package-lock.json file, then try again.".to_owned(),
            ));
        };
        let locked = lock_packages(lock);
        let mut missing = Vec::new();
        for key in ["dependencies", "devDependencies"] {
            for (n, range) in names_of(pj, key) {
                if !locked.contains_key(&n) {
                    missing.push(format!("Missing: {n}@{range} from lock file"));
                }
            }
        }
        if !missing.is_empty() {
            return Err(Failure::Usage(format!(
                "`npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.\n\n{}",
                missing.join("\n")
            )));
        }
        for (n, (_, dev)) in locked {
            if !(dev && o.omit_dev) {
                wanted.insert(n, dev);
            }
        }
        // npm ci starts from an empty node_modules.
        remove_if_exists(sh, &format!("{root}/node_modules")).map_err(|e| Failure::fs(&e))?;
    } else {
        let mut roots: Vec<(String, bool)> = Vec::new();
        if let Some(pj) = &pj {
            roots.extend(
                names_of(pj, "dependencies")
                    .into_iter()
                    .map(|(n, _)| (n, false)),
            );
            if !o.omit_dev {
                roots.extend(
                    names_of(pj, "devDependencies")
                        .into_iter()
                        .map(|(n, _)| (n, true)),
                );
            }
        }
        let mut added = Vec::new();
        for a in args {
            // `name@1.2.3`, `@scope/name@^2`
            let name = match a.rfind('@') {
                Some(i) if i > 0 => &a[..i],
                _ => a.as_str(),
            };
            added.push(name.to_owned());
            roots.push((name.to_owned(), o.save_dev));
        }
        for (n, _) in &roots {
            if !by_name.contains_key(n.as_str()) {
                return Err(Failure::NotFound(n.clone()));
            }
        }
        // Closure: dependencies of a production package are production.
        let mut stack: Vec<(String, bool)> = roots;
        while let Some((n, dev)) = stack.pop() {
            let prev = wanted.get(&n).copied();
            if prev.is_some_and(|d| !d || dev) {
                continue;
            }
            wanted.insert(n.clone(), dev);
            if let Some(p) = by_name.get(n.as_str()) {
                stack.extend(p.deps.iter().map(|d| (d.clone(), dev)));
            }
        }
        if !added.is_empty() && !o.no_save && !o.global {
            let mut doc = pj.take().unwrap_or_else(|| json!({}));
            let key = if o.save_dev {
                "devDependencies"
            } else {
                "dependencies"
            };
            if let Some(obj) = doc.as_object_mut() {
                let entry = obj
                    .entry(key.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(deps) = entry.as_object_mut() {
                    for n in &added {
                        if let Some(p) = by_name.get(n.as_str()) {
                            deps.insert(n.clone(), Value::String(format!("^{}", p.version)));
                        }
                    }
                }
            }
            let text = pretty(&doc);
            write_all(sh, &[Planned::text(pj_path, text)], uid, gid)
                .map_err(|e| Failure::fs(&e))?;
            pj = Some(doc);
        }
    }
    for n in wanted.keys() {
        if !by_name.contains_key(n.as_str()) {
            return Err(Failure::NotFound(n.clone()));
        }
    }
    let modules = format!("{root}/node_modules");
    let cache = format!("{}/.npm/_cacache", home(sh));
    let mut files = Vec::new();
    let mut installed = 0usize;
    let mut download = 0u64;
    let mut unpacked = 0u64;
    let mut funding = 0usize;
    for n in wanted.keys() {
        let Some(p) = by_name.get(n.as_str()) else {
            continue;
        };
        funding += usize::from(p.funding);
        let dir = format!("{modules}/{n}");
        let present = read_json(sh, &format!("{dir}/package.json"))
            .ok()
            .flatten()
            .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_owned));
        if present.as_deref() == Some(p.version.as_str()) {
            continue;
        }
        installed += 1;
        let pkg_files = package_files(&dir, p);
        unpacked += pkg_files.iter().map(Planned::size).sum::<u64>();
        files.extend(pkg_files);
        for (cmd, target) in &p.bin {
            let bin_dir = if o.global {
                "/usr/local/bin".to_owned()
            } else {
                format!("{modules}/.bin")
            };
            let target = if o.global {
                format!(
                    "../lib/node_modules/{n}/{}",
                    target.trim_start_matches("./")
                )
            } else {
                format!("../{n}/{}", target.trim_start_matches("./"))
            };
            files.push(Planned {
                path: format!("{bin_dir}/{cmd}"),
                content: Content::Link(target),
                mode: 0o777,
            });
        }
        let integrity = hex_name(&["npm-integrity", n, &p.version], 128);
        let content = format!(
            "{cache}/content-v2/sha512/{}/{}/{}",
            &integrity[..2],
            &integrity[2..4],
            &integrity[4..]
        );
        if !sh.fs().exists(&content) {
            download += p.tarball;
            files.push(Planned {
                path: content,
                content: Content::Lazy {
                    size: p.tarball,
                    seed: super::seed(&["npm-tgz", n, &p.version]),
                },
                mode: 0o644,
            });
            let key = hex_name(&["npm-index", n, &p.version], 64);
            files.push(Planned::text(
                format!("{cache}/index-v5/{}/{}/{}", &key[..2], &key[2..4], &key[4..]),
                format!(
                    "{}\t{{\"key\":\"make-fetch-happen:request-cache:{}/{n}/-/{}-{}.tgz\",\"integrity\":\"sha512-{}\",\"time\":{},\"size\":{}}}\n",
                    hex_name(&["npm-index-sum", n], 40),
                    cat.registry,
                    n.rsplit('/').next().unwrap_or(n),
                    p.version,
                    &integrity[..86],
                    sh.now() * 1000,
                    p.tarball
                ),
            ));
        }
    }
    let lock_doc = lock_json(&pj, &wanted, &by_name, cat);
    if !o.global {
        files.push(Planned::text(
            format!("{modules}/.package-lock.json"),
            pretty(&hidden_lock(&lock_doc)),
        ));
        if !ci && !o.no_save {
            files.push(Planned::text(
                format!("{root}/package-lock.json"),
                pretty(&lock_doc),
            ));
        }
    }
    let millis = cat.timing.millis(installed, download + unpacked);
    sh.spend_millis(millis);
    write_all(sh, &files, uid, gid).map_err(|e| Failure::fs(&e))?;
    write_log(sh, if ci { "ci" } else { "install" });
    if o.silent {
        return Ok(0);
    }
    let took = if millis < 1000 {
        format!("{millis}ms")
    } else {
        format!("{}s", millis / 1000)
    };
    let audit = if o.no_audit {
        String::new()
    } else {
        format!(", and audited {} packages", wanted.len() + 1)
    };
    if installed == 0 {
        if o.no_audit {
            io.print(&format!("\nup to date in {took}\n"));
        } else {
            io.print(&format!(
                "\nup to date, audited {} packages in {took}\n",
                wanted.len() + 1
            ));
        }
    } else {
        io.print(&format!(
            "\nadded {installed} package{}{audit} in {took}\n",
            if installed == 1 { "" } else { "s" }
        ));
    }
    if funding > 0 && !o.no_fund {
        io.print(&format!(
            "\n{funding} package{} looking for funding\n  run `npm fund` for details\n",
            if funding == 1 { " is" } else { "s are" }
        ));
    }
    if !o.no_audit {
        io.print("\nfound 0 vulnerabilities\n");
    }
    Ok(0)
}

/// A package's files: its package.json and the rest of its bytes spread
/// over its other files.
fn package_files(dir: &str, p: &NpmPackage) -> Vec<Planned> {
    let manifest = pretty(&json!({
        "name": p.name,
        "version": p.version,
        "license": p.license,
        "main": "index.js",
        "dependencies": p.deps.iter().map(|d| (d.clone(), Value::String("*".to_owned()))).collect::<Map<String, Value>>(),
    }));
    let rest = p.size.saturating_sub(manifest.len() as u64);
    let count = u32::try_from(p.files.saturating_sub(1).max(1)).unwrap_or(u32::MAX);
    let mut out = vec![Planned::text(format!("{dir}/package.json"), manifest)];
    if rest > 0 {
        let spec = FillerSpec {
            dir: "lib".to_owned(),
            count: count.min(u32::try_from(rest).unwrap_or(u32::MAX)),
            bytes: rest,
            name: "module-{}.js".to_owned(),
        };
        out.extend(filler_files(
            &format!("{dir}/lib"),
            &spec,
            &["npm", &p.name, &p.version],
        ));
    }
    out
}

fn lock_json(
    pj: &Option<Value>,
    wanted: &BTreeMap<String, bool>,
    by_name: &BTreeMap<&str, &NpmPackage>,
    cat: &NpmCatalog,
) -> Value {
    let name = pj
        .as_ref()
        .and_then(|v| v.get("name"))
        .cloned()
        .unwrap_or(Value::String("app".to_owned()));
    let version = pj
        .as_ref()
        .and_then(|v| v.get("version"))
        .cloned()
        .unwrap_or(Value::String("1.0.0".to_owned()));
    let mut root = Map::new();
    root.insert("name".to_owned(), name.clone());
    root.insert("version".to_owned(), version);
    for key in ["dependencies", "devDependencies"] {
        if let Some(d) = pj.as_ref().and_then(|v| v.get(key)) {
            root.insert(key.to_owned(), d.clone());
        }
    }
    let mut packages = Map::new();
    packages.insert(String::new(), Value::Object(root));
    for (n, dev) in wanted {
        let Some(p) = by_name.get(n.as_str()) else {
            continue;
        };
        let mut e = Map::new();
        e.insert("version".to_owned(), Value::String(p.version.clone()));
        e.insert(
            "resolved".to_owned(),
            Value::String(format!(
                "{}/{n}/-/{}-{}.tgz",
                cat.registry,
                n.rsplit('/').next().unwrap_or(n),
                p.version
            )),
        );
        e.insert(
            "integrity".to_owned(),
            Value::String(format!(
                "sha512-{}==",
                &hex_name(&["npm-integrity", n, &p.version], 86)
            )),
        );
        if *dev {
            e.insert("dev".to_owned(), Value::Bool(true));
        }
        if !p.license.is_empty() {
            e.insert("license".to_owned(), Value::String(p.license.clone()));
        }
        if !p.deps.is_empty() {
            e.insert(
                "dependencies".to_owned(),
                Value::Object(
                    p.deps
                        .iter()
                        .filter_map(|d| {
                            by_name
                                .get(d.as_str())
                                .map(|q| (d.clone(), Value::String(format!("^{}", q.version))))
                        })
                        .collect(),
                ),
            );
        }
        packages.insert(format!("node_modules/{n}"), Value::Object(e));
    }
    json!({
        "name": name,
        "version": pj.as_ref().and_then(|v| v.get("version")).cloned().unwrap_or(Value::String("1.0.0".to_owned())),
        "lockfileVersion": 3,
        "requires": true,
        "packages": Value::Object(packages),
    })
}

/// node_modules/.package-lock.json: the lock without the root entry.
fn hidden_lock(lock: &Value) -> Value {
    let mut l = lock.clone();
    if let Some(p) = l.get_mut("packages").and_then(Value::as_object_mut) {
        p.remove("");
    }
    l
}

/// JSON as npm writes it: two-space indent, trailing newline.
fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// `npm run NAME`: the script from package.json, run by `sh -c` with
/// `node_modules/.bin` first in `PATH`.
fn run_script(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &NpmCatalog,
    name: &str,
    extra: &[String],
) -> Result<i32, Failure> {
    let root = sh.cwd().trim_end_matches('/').to_owned();
    let pj_path = format!("{root}/package.json");
    let Some(pj) = read_json(sh, &pj_path)? else {
        return Err(Failure::no_package_json(&pj_path));
    };
    let script = pj
        .get("scripts")
        .and_then(|s| s.get(name))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let script = match (script, name) {
        (Some(s), _) => s,
        // npm's default start script.
        (None, "start") => "node server.js".to_owned(),
        (None, _) => {
            return Err(Failure::Lines(vec![
                format!("Missing script: \"{name}\""),
                String::new(),
                "To see a list of scripts, run:".to_owned(),
                "  npm run".to_owned(),
            ]))
        }
    };
    let mut full = script;
    for a in extra {
        full.push(' ');
        full.push_str(a);
    }
    let pkg_name = pj.get("name").and_then(Value::as_str).unwrap_or("");
    let pkg_version = pj.get("version").and_then(Value::as_str).unwrap_or("");
    io.print(&format!(
        "\n> {pkg_name}@{pkg_version} {name}\n> {full}\n\n"
    ));
    sh.spend_millis(cat.timing.startup_millis);
    let program = match parser::parse(&full) {
        Ok(p) => p,
        Err(e) => {
            io.eprint(&format!("sh: {e}\n"));
            return Ok(2);
        }
    };
    let path = format!(
        "{root}/node_modules/.bin:{}",
        sh.var("PATH").unwrap_or_default()
    );
    match sh.run_script_captured(&program, None, |s| {
        // A read-only PATH or name keeps the caller's value.
        let _ = s.set_var("PATH", &path);
        let _ = s.set_var("npm_lifecycle_event", name);
    }) {
        Ok((status, out)) => {
            io.out.extend_from_slice(&out);
            Ok(status)
        }
        Err(_) => Ok(1),
    }
}
