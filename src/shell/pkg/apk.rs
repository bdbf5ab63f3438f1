//! `apk` (apk-tools 2.14, Alpine 3.20): `add`, `del`, `update`.
//!
//! State lives where apk keeps it: the installed database
//! `/lib/apk/db/installed` (one record per package: `P:` name, `V:`
//! version, `I:` installed size, `D:` dependencies, `F:`/`R:` files),
//! `/etc/apk/world` (what was asked for), and — unless `--no-cache` — the
//! repository indexes in `/var/cache/apk`, which is what `--no-cache` is
//! for.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{ApkCatalog, ApkPackage};
use super::{
    catalogs_or_report, dir_names, expand, os_release, read_text, remove_if_exists, write_all,
    write_text, Planned,
};
use crate::calendar::civil;
use crate::shell::interp::registry::Io;
use crate::shell::interp::Shell;

const INSTALLED: &str = "/lib/apk/db/installed";
const WORLD: &str = "/etc/apk/world";
const CACHE: &str = "/var/cache/apk";

/// One record of the installed database.
#[derive(Debug, Clone)]
struct Installed {
    name: String,
    version: String,
    size: u64,
    depends: Vec<String>,
    /// `i:` — installed automatically once all of these are.
    install_if: Vec<String>,
    /// Files, absolute.
    files: Vec<String>,
    /// The record's text, kept verbatim when the database is rewritten.
    text: String,
}

fn parse_installed(text: &str) -> Vec<Installed> {
    let mut out = Vec::new();
    for rec in text.split("\n\n") {
        let mut p = Installed {
            name: String::new(),
            version: String::new(),
            size: 0,
            depends: Vec::new(),
            install_if: Vec::new(),
            files: Vec::new(),
            text: rec.trim_matches('\n').to_owned(),
        };
        let mut dir = String::new();
        for line in rec.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            match k {
                "P" => p.name = v.to_owned(),
                "V" => p.version = v.to_owned(),
                "I" => p.size = v.parse().unwrap_or(0),
                // Shared-object and command dependencies are satisfied by
                // the packages providing them; only names are followed.
                "D" => p.depends = v.split_whitespace().map(dep_name).collect(),
                "i" => p.install_if = v.split_whitespace().map(dep_name).collect(),
                "F" => dir = v.to_owned(),
                "R" => p.files.push(format!("/{dir}/{v}")),
                _ => {}
            }
        }
        if !p.name.is_empty() {
            out.push(p);
        }
    }
    out
}

/// `curl>=8`, `so:libc.musl-x86_64.so.1`, `!foo` → the package name part.
fn dep_name(d: &str) -> String {
    let d = d.trim_start_matches('!');
    let end = d.find(['=', '<', '>', '~']).unwrap_or(d.len());
    d[..end].to_owned()
}

/// The database text of a newly installed package.
fn record(p: &ApkPackage, version: &str, files: &[Planned], size: u64, now: i64) -> String {
    let mut r = String::new();
    r.push_str(&format!(
        "C:Q1{}=\nP:{}\nV:{version}\nA:x86_64\nS:{}\nI:{size}\nT:{}\nU:https://pkgs.alpinelinux.org/package/{}\nL:MIT\no:{}\nm:Alpine Linux <alpine-devel@lists.alpinelinux.org>\nt:{now}\nc:{}\n",
        super::hex_name(&["apk-c", &p.name], 27),
        p.name,
        size * 2 / 5,
        p.description,
        p.name,
        p.name,
        super::hex_name(&["apk-commit", &p.name], 40),
    ));
    if !p.depends.is_empty() {
        r.push_str(&format!("D:{}\n", p.depends.join(" ")));
    }
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in files {
        let path = f.path.trim_start_matches('/');
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        by_dir.entry(dir).or_default().push(name);
    }
    for (dir, names) in by_dir {
        r.push_str(&format!("F:{dir}\n"));
        for n in names {
            r.push_str(&format!(
                "R:{n}\nZ:Q1{}=\n",
                super::hex_name(&["apk-z", dir, n], 27)
            ));
        }
    }
    r.trim_end().to_owned()
}

#[derive(Clone)]
struct Options {
    no_cache: bool,
    update: bool,
    quiet: bool,
    virtual_name: Option<String>,
}

/// `apk [OPTIONS] COMMAND [ARGS]`.
pub(crate) fn apk(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    let mut opts = Options {
        no_cache: false,
        update: false,
        quiet: false,
        virtual_name: None,
    };
    let mut words = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "--no-cache" => opts.no_cache = true,
            "-U" | "--update-cache" | "--update" => opts.update = true,
            "-q" | "--quiet" => opts.quiet = true,
            "-t" | "--virtual" => {
                i += 1;
                opts.virtual_name = argv.get(i).cloned();
            }
            // Options taking a value whose value does not matter here.
            "-X" | "--repository" | "-p" | "--root" | "--arch" | "--cache-dir" => i += 1,
            _ if a.starts_with("--virtual=") => {
                opts.virtual_name = a.strip_prefix("--virtual=").map(str::to_owned);
            }
            _ if a.starts_with('-') => {}
            _ => words.push(a.to_owned()),
        }
        i += 1;
    }
    let Some(cmd) = words.first().cloned() else {
        io.print("apk-tools 2.14.4, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]\n");
        return 1;
    };
    if sh.user().uid != 0 && matches!(cmd.as_str(), "add" | "del" | "update" | "upgrade") {
        io.eprint("ERROR: Unable to lock database: Permission denied\nERROR: Failed to open apk database: Permission denied\n");
        return 99;
    }
    let Some(cat) = catalogs_or_report(io, "apk") else {
        return 1;
    };
    let cat = &cat.apk;
    let result = match cmd.as_str() {
        "add" => add(sh, io, cat, &opts, &words[1..]),
        "del" => del(sh, io, &words[1..]),
        "update" => {
            let always = Options {
                update: true,
                ..opts.clone()
            };
            fetch_indexes(sh, io, cat, &always);
            let rel = release(sh, cat);
            let version = os_release(sh)
                .get("VERSION_ID")
                .cloned()
                .unwrap_or_default();
            for ix in &cat.indexes {
                io.print(&format!(
                    "v{version}-0-g{} [{}/{rel}/{}]\n",
                    super::hex_name(&["apk-rev", &ix.repo], 11),
                    cat.mirror,
                    ix.repo
                ));
            }
            io.print(&format!(
                "OK: {} distinct packages available\n",
                cat.available
            ));
            Ok(0)
        }
        "upgrade" => {
            fetch_indexes(sh, io, cat, &opts);
            let db = parse_installed(&read_text(sh, INSTALLED).unwrap_or_default());
            io.print(&ok_line(&db));
            Ok(0)
        }
        "info" => {
            let db = parse_installed(&read_text(sh, INSTALLED).unwrap_or_default());
            for p in &db {
                io.print(&format!("{}\n", p.name));
            }
            Ok(0)
        }
        other => {
            io.eprint(&format!("apk: {other}: applet not simulated by layerlab\n"));
            Ok(1)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            io.eprint(&format!("ERROR: {e}\n"));
            1
        }
    }
}

/// `v3.20` from /etc/os-release's `VERSION_ID=3.20.3`.
fn release(sh: &Shell<'_, '_>, cat: &ApkCatalog) -> String {
    let os = os_release(sh);
    match os.get("VERSION_ID") {
        Some(v) if v.split('.').count() >= 2 => {
            let mut parts = v.split('.');
            format!(
                "v{}.{}",
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default()
            )
        }
        _ => cat.default_release.clone(),
    }
}

/// Fetches the indexes when needed: always with `--no-cache` or `-U`
/// (kept only in memory with `--no-cache`), else when none is cached.
fn fetch_indexes(sh: &mut Shell<'_, '_>, io: &mut Io, cat: &ApkCatalog, opts: &Options) {
    let cached = dir_names(sh, CACHE);
    let have_all = cat.indexes.iter().all(|ix| cached.contains(&ix.cache_name));
    if have_all && !opts.update && !opts.no_cache {
        return;
    }
    let rel = release(sh, cat);
    let mut bytes = 0;
    for ix in &cat.indexes {
        if !opts.quiet {
            io.print(&format!(
                "fetch {}/{rel}/{}/x86_64/APKINDEX.tar.gz\n",
                cat.mirror, ix.repo
            ));
        }
        bytes += ix.size;
    }
    sh.spend_millis(
        cat.index_millis * cat.indexes.len() as u64
            + bytes * 1000 / cat.timing.bytes_per_second.max(1),
    );
    if opts.no_cache {
        return;
    }
    let files: Vec<Planned> = cat
        .indexes
        .iter()
        .map(|ix| Planned {
            path: format!("{CACHE}/{}", ix.cache_name),
            content: super::Content::Lazy {
                size: ix.size,
                seed: super::seed(&["apkindex", &rel, &ix.repo]),
            },
            mode: 0o644,
        })
        .collect();
    // An image without /var/cache/apk simply gets it, as apk creates it.
    if let Err(e) = write_all(sh, &files, 0, 0) {
        io.eprint(&format!("WARNING: {CACHE}: {}\n", e.strerror()));
    }
}

/// `OK: 13 MiB in 24 packages`
fn ok_line(db: &[Installed]) -> String {
    let bytes: u64 = db.iter().map(|p| p.size).sum();
    format!("OK: {} MiB in {} packages\n", bytes >> 20, db.len())
}

fn add(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &ApkCatalog,
    opts: &Options,
    names: &[String],
) -> Result<i32, String> {
    let by_name: BTreeMap<&str, &ApkPackage> =
        cat.packages.iter().map(|p| (p.name.as_str(), p)).collect();
    // Stamped when the command starts.
    let stamp = virtual_version(sh);
    fetch_indexes(sh, io, cat, opts);
    let mut db = parse_installed(&read_text(sh, INSTALLED).unwrap_or_default());
    let installed: BTreeSet<String> = db.iter().map(|p| p.name.clone()).collect();
    let requested: Vec<String> = names.iter().map(|n| dep_name(n)).collect();
    let unknown: Vec<&String> = requested
        .iter()
        .filter(|n| !by_name.contains_key(n.as_str()) && !installed.contains(*n))
        .collect();
    if !unknown.is_empty() {
        let world = opts.virtual_name.as_deref();
        let mut msg = String::from("ERROR: unable to select packages:\n");
        for n in &unknown {
            let by = match world {
                Some(v) => format!("{v}-{stamp}[{n}]"),
                None => format!("world[{n}]"),
            };
            msg.push_str(&format!(
                "  {n} (no such package):\n    required by: {by}\n"
            ));
        }
        io.eprint(&msg);
        return Ok(1);
    }
    // Dependencies first, each once, skipping what is installed.
    let mut order: Vec<&ApkPackage> = Vec::new();
    let mut seen: BTreeSet<String> = installed.clone();
    fn visit<'a>(
        name: &str,
        by_name: &BTreeMap<&str, &'a ApkPackage>,
        seen: &mut BTreeSet<String>,
        order: &mut Vec<&'a ApkPackage>,
    ) {
        if !seen.insert(name.to_owned()) {
            return;
        }
        if let Some(p) = by_name.get(name) {
            for d in &p.depends {
                visit(d, by_name, seen, order);
            }
            order.push(p);
        }
    }
    for n in &requested {
        visit(n, &by_name, &mut seen, &mut order);
    }
    let virtual_pkg = opts.virtual_name.as_ref().map(|v| ApkPackage {
        name: v.clone(),
        version: stamp.clone(),
        description: "virtual meta package".to_owned(),
        depends: requested.clone(),
        trigger: false,
        files: Vec::new(),
        fillers: Vec::new(),
    });
    let total = order.len() + usize::from(virtual_pkg.is_some());
    let mut bytes = 0;
    let now = sh.now();
    let mut triggers = Vec::new();
    for (i, p) in order.iter().copied().chain(virtual_pkg.iter()).enumerate() {
        if !opts.quiet {
            io.print(&format!(
                "({}/{total}) Installing {} ({})\n",
                i + 1,
                p.name,
                p.version
            ));
        }
        let files = expand("", &p.files, &p.fillers, &["apk", &p.name, &p.version]);
        let size: u64 = files.iter().map(Planned::size).sum();
        write_all(sh, &files, 0, 0).map_err(|e| format!("{}: {}", e.path(), e.strerror()))?;
        bytes += size;
        let text = record(p, &p.version, &files, size, now);
        db.push(Installed {
            name: p.name.clone(),
            version: p.version.clone(),
            size,
            depends: p.depends.clone(),
            install_if: Vec::new(),
            files: files.iter().map(|f| f.path.clone()).collect(),
            text,
        });
        if p.trigger {
            triggers.push(format!("{}-{}", p.name, p.version));
        }
    }
    if !opts.quiet {
        for t in &triggers {
            io.print(&format!("Executing {t}.trigger\n"));
        }
    }
    sh.spend_millis(cat.timing.millis(order.len(), bytes));
    let mut world = read_world(sh);
    match &opts.virtual_name {
        Some(v) => {
            world.insert(v.clone());
        }
        None => world.extend(requested),
    }
    save(sh, &db, &world)?;
    if !opts.quiet {
        io.print(&ok_line(&db));
    }
    Ok(0)
}

/// A virtual package's version: the date, as apk stamps it.
fn virtual_version(sh: &Shell<'_, '_>) -> String {
    let c = civil(sh.now());
    format!(
        "{:04}{:02}{:02}.{:02}{:02}{:02}",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}

fn read_world(sh: &Shell<'_, '_>) -> BTreeSet<String> {
    read_text(sh, WORLD)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn save(sh: &mut Shell<'_, '_>, db: &[Installed], world: &BTreeSet<String>) -> Result<(), String> {
    let mut text = String::new();
    for p in db {
        text.push_str(&p.text);
        text.push_str("\n\n");
    }
    let mut w = String::new();
    for n in world {
        w.push_str(n);
        w.push('\n');
    }
    write_text(sh, INSTALLED, &text)
        .and_then(|()| write_text(sh, WORLD, &w))
        .map_err(|e| format!("{}: {}", e.path(), e.strerror()))
}

/// `apk del NAMES`: drops them from the world, then purges every installed
/// package nothing in the world still needs.
fn del(sh: &mut Shell<'_, '_>, io: &mut Io, names: &[String]) -> Result<i32, String> {
    let db = parse_installed(&read_text(sh, INSTALLED).unwrap_or_default());
    let mut world = read_world(sh);
    for n in names {
        world.remove(&dep_name(n));
    }
    let by_name: BTreeMap<&str, &Installed> = db.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut needed = BTreeSet::new();
    let mut stack: Vec<String> = world.iter().cloned().collect();
    loop {
        while let Some(n) = stack.pop() {
            if needed.insert(n.clone()) {
                if let Some(p) = by_name.get(n.as_str()) {
                    stack.extend(p.depends.iter().cloned());
                }
            }
        }
        // Packages installed because others are (`ssl_client` with
        // busybox and libssl3) stay as long as those do.
        stack.extend(
            db.iter()
                .filter(|p| !needed.contains(&p.name))
                .filter(|p| !p.install_if.is_empty())
                .filter(|p| p.install_if.iter().all(|d| needed.contains(d)))
                .map(|p| p.name.clone()),
        );
        if stack.is_empty() {
            break;
        }
    }
    let (keep, purge): (Vec<Installed>, Vec<Installed>) =
        db.into_iter().partition(|p| needed.contains(&p.name));
    // apk purges dependents before what they depend on: the reverse of
    // install order.
    let total = purge.len();
    for (i, p) in purge.iter().rev().enumerate() {
        io.print(&format!(
            "({}/{total}) Purging {} ({})\n",
            i + 1,
            p.name,
            p.version
        ));
        for f in &p.files {
            remove_if_exists(sh, f).map_err(|e| format!("{}: {}", e.path(), e.strerror()))?;
        }
    }
    save(sh, &keep, &world)?;
    io.print(&ok_line(&keep));
    Ok(0)
}
