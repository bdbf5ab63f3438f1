//! `apt-get` and `apt` (apt 2.6 on Debian bookworm, 2.7 on Ubuntu noble):
//! `update`, `install`, `clean`, `upgrade`, `remove`/`purge`/`autoremove`.
//!
//! Official images ship with empty `/var/lib/apt/lists`, so `install`
//! without an `update` in the same image cannot locate anything. `update`
//! writes the suite's indexes (tens of MB) there — the bytes a layer keeps
//! unless the same RUN removes them. Installed packages are recorded in
//! `/var/lib/dpkg/status` and `/var/lib/dpkg/info/NAME.list`. The images'
//! `docker-clean` apt configuration turns off `/var/cache/apt/*.bin` and
//! deletes downloaded `.deb`s; without it both stay in the layer.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{AptCatalog, AptPackage, AptSuite};
use super::{
    catalogs_or_report, dir_names, expand, os_release, read_text, remove_if_exists, wrap_list,
    write_all, write_text, Content, Planned,
};
use crate::calendar::civil;
use crate::shell::interp::registry::Io;
use crate::shell::interp::Shell;

const LISTS: &str = "/var/lib/apt/lists";
const STATUS: &str = "/var/lib/dpkg/status";
const INFO: &str = "/var/lib/dpkg/info";
const ARCHIVES: &str = "/var/cache/apt/archives";
const EXTENDED: &str = "/var/lib/apt/extended_states";
const DOCKER_CLEAN: &str = "/etc/apt/apt.conf.d/docker-clean";

/// `apt`: `apt-get` with a warning, since its output is for humans.
pub(crate) fn apt(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    io.eprint(
        "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n",
    );
    apt_get(sh, argv, io)
}

struct Options {
    yes: bool,
    quiet: u32,
    no_recommends: bool,
    auto_remove: bool,
}

/// `apt-get [OPTIONS] COMMAND [PACKAGES]`.
pub(crate) fn apt_get(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    let mut o = Options {
        yes: false,
        quiet: 0,
        no_recommends: false,
        auto_remove: false,
    };
    let mut words = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-y" | "--yes" | "--assume-yes" => o.yes = true,
            "--no-install-recommends" => o.no_recommends = true,
            "--auto-remove" | "--autoremove" => o.auto_remove = true,
            "-o" | "-c" | "-t" => i += 1,
            _ if a.starts_with("--") => {
                if a == "--quiet" {
                    o.quiet += 1;
                }
                if let Some(n) = a.strip_prefix("--quiet=") {
                    o.quiet = n.parse().unwrap_or(1);
                }
            }
            _ if a.len() > 1 && a.starts_with('-') => {
                for c in a[1..].chars() {
                    match c {
                        'y' => o.yes = true,
                        'q' => o.quiet += 1,
                        _ => {}
                    }
                }
            }
            _ => words.push(a.to_owned()),
        }
        i += 1;
    }
    let Some(cmd) = words.first().cloned() else {
        io.print("apt 2.6.1 (amd64)\nUsage: apt-get [options] command\n");
        return 1;
    };
    if sh.user().uid != 0 && cmd != "help" {
        let (file, what) = if cmd == "update" {
            ("/var/lib/apt/lists/lock", "directory /var/lib/apt/lists/")
        } else {
            (
                "/var/lib/dpkg/lock-frontend",
                "dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?",
            )
        };
        io.eprint(&format!(
            "E: Could not open lock file {file} - open (13: Permission denied)\nE: Unable to {}\n",
            if cmd == "update" {
                format!("lock {what}")
            } else {
                format!("acquire the {what}")
            }
        ));
        return 100;
    }
    let Some(cat) = catalogs_or_report(io, "apt-get") else {
        return 100;
    };
    let cat = &cat.apt;
    let suite = suite_of(sh, cat);
    let r = match cmd.as_str() {
        "update" => update(sh, io, cat, suite, &o),
        "install" => install(sh, io, cat, suite, &o, &words[1..]),
        "clean" | "autoclean" => clean(sh),
        "upgrade" | "dist-upgrade" | "full-upgrade" => {
            reading(io, &o);
            io.print("Calculating upgrade...\n");
            io.print("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
            Ok(0)
        }
        "remove" | "purge" | "autoremove" => remove(sh, io, cat, &o, &cmd, &words[1..]),
        other => {
            io.eprint(&format!("E: Invalid operation {other}\n"));
            Ok(100)
        }
    };
    r.unwrap_or_else(|e| {
        io.eprint(&format!("E: {e}\n"));
        100
    })
}

/// The suite this image's /etc/os-release names, if the catalog has it.
fn suite_of<'c>(sh: &Shell<'_, '_>, cat: &'c AptCatalog) -> Option<&'c AptSuite> {
    let os = os_release(sh);
    let codename = os.get("VERSION_CODENAME")?;
    cat.suites.iter().find(|s| &s.codename == codename)
}

fn reading(io: &mut Io, o: &Options) {
    if o.quiet < 2 {
        io.print("Reading package lists...\n");
    }
}

fn fs_err(e: &crate::filesystem::rootfs::FsError) -> String {
    format!("{}: {}", e.path(), e.strerror())
}

/// apt's size rendering (`SizeToStr`): `8856 B`, `151 kB`, `8792 kB`,
/// `12.3 MB`.
pub(crate) fn size_str(bytes: u64) -> String {
    let units = ["", "k", "M", "G", "T"];
    let mut v = bytes as f64;
    for (i, u) in units.iter().enumerate() {
        if v < 100.0 && i > 0 {
            return format!("{v:.1} {u}B");
        }
        if v < 10_000.0 {
            return format!("{v:.0} {u}B");
        }
        v /= 1000.0;
    }
    format!("{v:.0} PB")
}

/// `Fetched 9239 kB in 2s (4621 kB/s)`
fn fetched_line(bytes: u64, millis: u64) -> String {
    let secs = (millis / 1000).max(1);
    format!(
        "Fetched {} in {secs}s ({}/s)\n",
        size_str(bytes),
        size_str(bytes / secs)
    )
}

fn update(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &AptCatalog,
    suite: Option<&AptSuite>,
    o: &Options,
) -> Result<i32, String> {
    let Some(suite) = suite else {
        // No repository the catalog knows: nothing to fetch.
        reading(io, o);
        return Ok(0);
    };
    let mut fetched = 0;
    let mut files = Vec::new();
    for (i, ix) in suite.indexes.iter().enumerate() {
        let path = format!("{LISTS}/{}", ix.file);
        if sh.fs().exists(&path) {
            if o.quiet == 0 {
                io.print(&format!("Hit:{} {}\n", i + 1, ix.get));
            }
            continue;
        }
        if o.quiet == 0 {
            io.print(&format!(
                "Get:{} {} [{}]\n",
                i + 1,
                ix.get,
                size_str(ix.download)
            ));
        }
        fetched += ix.download;
        files.push(Planned {
            path,
            content: Content::Lazy {
                size: ix.size,
                seed: super::seed(&["apt-list", &suite.codename, &ix.file]),
            },
            mode: 0o644,
        });
    }
    let millis = cat.index_millis * suite.indexes.len() as u64
        + fetched * 1000 / cat.timing.bytes_per_second.max(1);
    sh.spend_millis(millis);
    if !sh.fs().exists(DOCKER_CLEAN) {
        for (name, size) in [
            ("pkgcache.bin", suite.pkgcache_size),
            ("srcpkgcache.bin", suite.srcpkgcache_size),
        ] {
            files.push(Planned {
                path: format!("/var/cache/apt/{name}"),
                content: Content::Lazy {
                    size,
                    seed: super::seed(&["apt-cache", &suite.codename, name]),
                },
                mode: 0o644,
            });
        }
    }
    write_all(sh, &files, 0, 0).map_err(|e| fs_err(&e))?;
    sh.fs_mut()
        .mkdir_all(&format!("{LISTS}/partial"), 0o700, 100, 0)
        .map_err(|e| fs_err(&e))?;
    if o.quiet == 0 {
        io.print(&fetched_line(fetched, millis));
    }
    reading(io, o);
    Ok(0)
}

/// Whether the suite's package indexes are on disk.
fn lists_present(sh: &Shell<'_, '_>, suite: Option<&AptSuite>) -> bool {
    let Some(suite) = suite else {
        return false;
    };
    let names = dir_names(sh, LISTS);
    suite
        .indexes
        .iter()
        .filter(|ix| ix.file.contains("_Packages"))
        .all(|ix| names.contains(&ix.file))
}

/// Installed packages by name, from /var/lib/dpkg/status.
fn dpkg_installed(sh: &Shell<'_, '_>) -> BTreeMap<String, String> {
    let text = read_text(sh, STATUS).unwrap_or_default();
    let mut out = BTreeMap::new();
    for rec in text.split("\n\n") {
        let mut name = None;
        let mut version = String::new();
        let mut installed = false;
        for line in rec.lines() {
            if let Some(v) = line.strip_prefix("Package: ") {
                name = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("Version: ") {
                version = v.trim().to_owned();
            } else if let Some(v) = line.strip_prefix("Status: ") {
                installed = v.trim().ends_with(" installed");
            }
        }
        if let (Some(n), true) = (name, installed) {
            out.insert(n, version);
        }
    }
    out
}

/// Whether `p` is installed: in dpkg's database, or — for images whose
/// catalog layers installed it without recording it — its first file is
/// on disk.
fn is_installed(sh: &Shell<'_, '_>, db: &BTreeMap<String, String>, p: &AptPackage) -> bool {
    db.contains_key(&p.name)
        || p.files
            .first()
            .is_some_and(|f| f.link.is_none() && sh.fs().exists(&f.path))
}

fn install(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &AptCatalog,
    suite: Option<&AptSuite>,
    o: &Options,
    names: &[String],
) -> Result<i32, String> {
    reading(io, o);
    if o.quiet < 2 {
        io.print("Building dependency tree...\nReading state information...\n");
    }
    let db = dpkg_installed(sh);
    // The packages this suite has.
    let codename = suite.map_or("", |s| s.codename.as_str());
    let by_name: BTreeMap<&str, &AptPackage> = cat
        .packages
        .iter()
        .filter(|p| p.versions.contains_key(codename))
        .map(|p| (p.name.as_str(), p))
        .collect();
    let lists = lists_present(sh, suite);
    // `curl=7.88.1-10` pins a version; `curl/bookworm` a release.
    let requested: Vec<String> = names
        .iter()
        .map(|n| {
            n.split(['=', '/'])
                .next()
                .unwrap_or_default()
                .trim_end_matches(":amd64")
                .to_owned()
        })
        .collect();
    let mut unknown = Vec::new();
    for n in &requested {
        let known = by_name.get(n.as_str());
        let installed = db.contains_key(n) || known.is_some_and(|p| is_installed(sh, &db, p));
        if !installed && (!lists || known.is_none()) {
            unknown.push(n.clone());
        }
    }
    if !unknown.is_empty() {
        for n in unknown {
            io.eprint(&format!("E: Unable to locate package {n}\n"));
        }
        return Ok(100);
    }
    // Installed or all-catalog from here. Dependencies first, once.
    let mut order: Vec<&AptPackage> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut skipped_recommends = Vec::new();
    fn visit<'a>(
        name: &str,
        ctx: &mut Visit<'a, '_>,
        sh: &Shell<'_, '_>,
        order: &mut Vec<&'a AptPackage>,
    ) {
        if !ctx.seen.insert(name.to_owned()) {
            return;
        }
        let Some(p) = ctx.by_name.get(name).copied() else {
            return;
        };
        if is_installed(sh, ctx.db, p) {
            return;
        }
        for d in &p.depends {
            visit(d, ctx, sh, order);
        }
        if ctx.no_recommends {
            ctx.skipped.extend(p.recommends.iter().cloned());
        } else {
            for d in &p.recommends {
                visit(d, ctx, sh, order);
            }
        }
        order.push(p);
    }
    struct Visit<'a, 'b> {
        by_name: &'b BTreeMap<&'a str, &'a AptPackage>,
        db: &'b BTreeMap<String, String>,
        seen: &'b mut BTreeSet<String>,
        skipped: &'b mut Vec<String>,
        no_recommends: bool,
    }
    {
        let mut ctx = Visit {
            by_name: &by_name,
            db: &db,
            seen: &mut seen,
            skipped: &mut skipped_recommends,
            no_recommends: o.no_recommends,
        };
        for n in &requested {
            visit(n, &mut ctx, sh, &mut order);
        }
    }
    let Some(suite) = suite else {
        // Everything asked for is installed already.
        for n in &requested {
            io.print(&format!("{n} is already the newest version.\n"));
        }
        io.print("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
        return Ok(0);
    };
    let version = |p: &AptPackage| p.versions.get(&suite.codename).cloned().unwrap_or_default();
    for n in &requested {
        let known = by_name.get(n.as_str());
        let v = match (db.get(n), known) {
            (Some(v), _) => Some(v.clone()),
            (None, Some(p)) if is_installed(sh, &db, p) => Some(version(p)),
            _ => None,
        };
        if let Some(v) = v {
            io.print(&format!("{n} is already the newest version ({v}).\n"));
        }
    }
    let new_names: Vec<String> = order.iter().map(|p| p.name.clone()).collect();
    let extra: Vec<String> = new_names
        .iter()
        .filter(|n| !requested.contains(n))
        .cloned()
        .collect();
    if !extra.is_empty() {
        io.print("The following additional packages will be installed:\n");
        io.print(&wrap_list(&extra));
    }
    let skipped: Vec<String> = skipped_recommends
        .into_iter()
        .filter(|n| {
            by_name
                .get(n.as_str())
                .is_some_and(|p| !is_installed(sh, &db, p))
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !skipped.is_empty() {
        io.print("Recommended packages:\n");
        io.print(&wrap_list(&skipped));
    }
    let planned: Vec<(&AptPackage, Vec<Planned>)> = order
        .iter()
        .map(|p| {
            let v = version(p);
            (*p, expand("", &p.files, &p.fillers, &["apt", &p.name, &v]))
        })
        .collect();
    let download: u64 = order.iter().map(|p| p.download).sum();
    let unpacked: u64 = planned
        .iter()
        .flat_map(|(_, f)| f.iter().map(Planned::size))
        .sum();
    if !order.is_empty() {
        let mut sorted = new_names;
        sorted.sort();
        io.print("The following NEW packages will be installed:\n");
        io.print(&wrap_list(&sorted));
    }
    io.print(&format!(
        "0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.\n",
        order.len()
    ));
    if order.is_empty() {
        return Ok(0);
    }
    io.print(&format!(
        "Need to get {} of archives.\nAfter this operation, {} of additional disk space will be used.\n",
        size_str(download),
        size_str(unpacked)
    ));
    if !extra.is_empty() && !o.yes {
        // stdin is not a terminal in a build: the prompt reads EOF.
        io.print("Do you want to continue? [Y/n] Abort.\n");
        return Ok(1);
    }
    let millis = cat.timing.millis(order.len(), download + unpacked);
    sh.spend_millis(millis);
    for (i, p) in order.iter().enumerate() {
        io.print(&format!(
            "Get:{} {} amd64 {} amd64 {} [{}]\n",
            i + 1,
            suite.pool,
            p.name,
            version(p),
            size_str(p.download)
        ));
    }
    let noninteractive = sh.var("DEBIAN_FRONTEND") == Some("noninteractive");
    if !noninteractive {
        io.eprint("debconf: delaying package configuration, since apt-utils is not installed\n");
    }
    io.print(&fetched_line(download, millis));
    let mut entries = dpkg_entries(sh);
    for (p, files) in &planned {
        let v = version(p);
        io.print(&format!(
            "Selecting previously unselected package {}.\n(Reading database ... {entries} files and directories currently installed.)\nPreparing to unpack .../{}_{}_amd64.deb ...\nUnpacking {} ({v}) ...\n",
            p.name,
            p.name,
            v.replace(':', "%3a"),
            p.name
        ));
        write_all(sh, files, 0, 0).map_err(|e| fs_err(&e))?;
        entries += files.len();
    }
    for (p, _) in &planned {
        io.print(&format!("Setting up {} ({}) ...\n", p.name, version(p)));
    }
    io.print(&format!(
        "Processing triggers for libc-bin ({}) ...\n",
        suite.libc_bin
    ));
    record_install(sh, suite, &planned, &requested)?;
    Ok(0)
}

/// Files and directories dpkg knows: what `(Reading database ...)` counts.
fn dpkg_entries(sh: &Shell<'_, '_>) -> usize {
    let mut n = 0;
    for name in dir_names(sh, INFO) {
        if name.ends_with(".list") {
            let path = format!("{INFO}/{name}");
            n += read_text(sh, &path).map_or(0, |t| t.lines().count());
        }
    }
    n.max(dir_names(sh, INFO).len() * 20)
}

/// dpkg's and apt's records of an install: the status database, the file
/// lists, the logs, apt's auto-installed marks and — without
/// `docker-clean` — the downloaded archives.
fn record_install(
    sh: &mut Shell<'_, '_>,
    suite: &AptSuite,
    planned: &[(&AptPackage, Vec<Planned>)],
    requested: &[String],
) -> Result<(), String> {
    let mut status = read_text(sh, STATUS).unwrap_or_default();
    let mut out = Vec::new();
    let mut extended = read_text(sh, EXTENDED).unwrap_or_default();
    let mut dpkg_log = read_text(sh, "/var/log/dpkg.log").unwrap_or_default();
    let stamp = timestamp(sh.now());
    let keep_debs = !sh.fs().exists(DOCKER_CLEAN);
    for (p, files) in planned {
        let v = p.versions.get(&suite.codename).cloned().unwrap_or_default();
        let size: u64 = files.iter().map(Planned::size).sum();
        if !status.is_empty() && !status.ends_with("\n\n") {
            status.push('\n');
        }
        status.push_str(&format!(
            "Package: {}\nStatus: install ok installed\nPriority: optional\nSection: {}\nInstalled-Size: {}\nMaintainer: Debian Maintainers <debian-devel@lists.debian.org>\nArchitecture: amd64\nVersion: {v}\n",
            p.name,
            if p.section.is_empty() { "misc" } else { &p.section },
            size.div_ceil(1024),
        ));
        if !p.depends.is_empty() {
            status.push_str(&format!("Depends: {}\n", p.depends.join(", ")));
        }
        status.push_str(&format!("Description: {}\n", p.name));
        let mut list = String::new();
        let mut sums = String::new();
        let mut dirs = BTreeSet::new();
        for f in files {
            let mut d = f.path.as_str();
            while let Some((parent, _)) = d.rsplit_once('/') {
                if parent.is_empty() {
                    break;
                }
                dirs.insert(parent.to_owned());
                d = parent;
            }
        }
        list.push_str("/.\n");
        for d in &dirs {
            list.push_str(d);
            list.push('\n');
        }
        for f in files {
            list.push_str(&f.path);
            list.push('\n');
            if !matches!(f.content, Content::Link(_)) {
                sums.push_str(&format!(
                    "{}  {}\n",
                    super::hex_name(&["md5", &f.path], 32),
                    f.path.trim_start_matches('/')
                ));
            }
        }
        out.push(Planned::text(format!("{INFO}/{}.list", p.name), list));
        out.push(Planned::text(format!("{INFO}/{}.md5sums", p.name), sums));
        if !requested.contains(&p.name) {
            extended.push_str(&format!(
                "Package: {}\nArchitecture: amd64\nAuto-Installed: 1\n\n",
                p.name
            ));
        }
        dpkg_log.push_str(&format!(
            "{stamp} install {} <none> {v}\n{stamp} status unpacked {} {v}\n{stamp} configure {} {v} <none>\n{stamp} status installed {} {v}\n",
            p.name, p.name, p.name, p.name
        ));
        if keep_debs {
            out.push(Planned {
                path: format!("{ARCHIVES}/{}_{}_amd64.deb", p.name, v.replace(':', "%3a")),
                content: Content::Lazy {
                    size: p.download,
                    seed: super::seed(&["deb", &p.name, &v]),
                },
                mode: 0o644,
            });
        }
    }
    let names: Vec<String> = planned.iter().map(|(p, _)| p.name.clone()).collect();
    let mut history = read_text(sh, "/var/log/apt/history.log").unwrap_or_default();
    history.push_str(&format!(
        "\nStart-Date: {stamp}\nCommandline: apt-get install {}\nInstall: {}\nEnd-Date: {stamp}\n",
        requested.join(" "),
        names.join(", ")
    ));
    let mut term = read_text(sh, "/var/log/apt/term.log").unwrap_or_default();
    term.push_str(&format!("\nLog started: {stamp}\n"));
    for n in &names {
        term.push_str(&format!("Selecting previously unselected package {n}.\n"));
    }
    term.push_str(&format!("Log ended: {stamp}\n"));
    out.push(Planned::text(STATUS.to_owned(), status));
    out.push(Planned::text(EXTENDED.to_owned(), extended));
    out.push(Planned::text("/var/log/dpkg.log".to_owned(), dpkg_log));
    out.push(Planned::text(
        "/var/log/apt/history.log".to_owned(),
        history,
    ));
    out.push(Planned::text("/var/log/apt/term.log".to_owned(), term));
    write_all(sh, &out, 0, 0).map_err(|e| fs_err(&e))
}

/// `2024-09-06 12:05:36`
fn timestamp(t: i64) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}

/// `apt-get clean`: the downloaded archives and the binary caches.
fn clean(sh: &mut Shell<'_, '_>) -> Result<i32, String> {
    for name in dir_names(sh, ARCHIVES) {
        if name.ends_with(".deb") {
            remove_if_exists(sh, &format!("{ARCHIVES}/{name}")).map_err(|e| fs_err(&e))?;
        }
    }
    for name in ["pkgcache.bin", "srcpkgcache.bin"] {
        remove_if_exists(sh, &format!("/var/cache/apt/{name}")).map_err(|e| fs_err(&e))?;
    }
    Ok(0)
}

/// `remove`/`purge NAMES`, and with `--auto-remove` (or `autoremove`) the
/// automatically installed packages nothing needs any more.
fn remove(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &AptCatalog,
    o: &Options,
    cmd: &str,
    names: &[String],
) -> Result<i32, String> {
    reading(io, o);
    io.print("Building dependency tree...\nReading state information...\n");
    let db = dpkg_installed(sh);
    let by_name: BTreeMap<&str, &AptPackage> =
        cat.packages.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut gone: BTreeSet<String> = BTreeSet::new();
    for n in names {
        if db.contains_key(n) {
            gone.insert(n.clone());
        } else if by_name.contains_key(n.as_str()) {
            io.print(&format!("Package '{n}' is not installed, so not removed\n"));
        } else {
            io.eprint(&format!("E: Unable to locate package {n}\n"));
            return Ok(100);
        }
    }
    let extended = read_text(sh, EXTENDED).unwrap_or_default();
    let auto: BTreeSet<String> = extended
        .split("\n\n")
        .filter(|r| r.contains("Auto-Installed: 1"))
        .filter_map(|r| {
            r.lines()
                .find_map(|l| l.strip_prefix("Package: "))
                .map(str::to_owned)
        })
        .collect();
    if o.auto_remove || cmd == "autoremove" {
        // What the remaining manual packages still need.
        let mut needed = BTreeSet::new();
        let mut stack: Vec<String> = db
            .keys()
            .filter(|n| !auto.contains(*n) && !gone.contains(*n))
            .cloned()
            .collect();
        while let Some(n) = stack.pop() {
            if needed.insert(n.clone()) {
                if let Some(p) = by_name.get(n.as_str()) {
                    stack.extend(p.depends.iter().cloned());
                    stack.extend(p.recommends.iter().cloned());
                }
            }
        }
        gone.extend(auto.iter().filter(|n| !needed.contains(*n)).cloned());
    }
    let gone: Vec<String> = gone.into_iter().filter(|n| db.contains_key(n)).collect();
    if !gone.is_empty() {
        io.print("The following packages will be REMOVED:\n");
        io.print(&wrap_list(&gone));
    }
    io.print(&format!(
        "0 upgraded, 0 newly installed, {} to remove and 0 not upgraded.\n",
        gone.len()
    ));
    for n in &gone {
        let list = read_text(sh, &format!("{INFO}/{n}.list")).unwrap_or_default();
        io.print(&format!(
            "Removing {n} ({}) ...\n",
            db.get(n).cloned().unwrap_or_default()
        ));
        for path in list.lines().rev() {
            if let Ok(node) = sh.fs().lstat(path) {
                if !node.is_dir() {
                    sh.fs_mut().remove(path).map_err(|e| fs_err(&e))?;
                }
            }
        }
        for ext in ["list", "md5sums"] {
            remove_if_exists(sh, &format!("{INFO}/{n}.{ext}")).map_err(|e| fs_err(&e))?;
        }
    }
    if !gone.is_empty() {
        let status = read_text(sh, STATUS).unwrap_or_default();
        let kept: Vec<&str> = status
            .split("\n\n")
            .filter(|r| {
                !r.lines()
                    .find_map(|l| l.strip_prefix("Package: "))
                    .is_some_and(|n| gone.iter().any(|g| g == n.trim()))
            })
            .collect();
        write_text(sh, STATUS, &kept.join("\n\n")).map_err(|e| fs_err(&e))?;
        sh.spend_millis(cat.timing.package_millis * gone.len() as u64);
    }
    Ok(0)
}
