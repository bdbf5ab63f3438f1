//! `pip`/`pip3` (pip 24 in the python images) and `python -m pip`:
//! `install` with packages or `-r requirements.txt`, `--version`.
//!
//! Packages go to `/usr/local/lib/python3.X/site-packages` (the version
//! found on disk) as an import package plus its `.dist-info`, console
//! scripts to `/usr/local/bin`. Downloaded wheels stay in
//! `~/.cache/pip` unless `--no-cache-dir` or `PIP_NO_CACHE_DIR` — the
//! bytes that flag exists for.

use std::collections::BTreeMap;

use super::catalog::{normalize_pip, FillerSpec, PipCatalog, PipPackage};
use super::{
    catalogs_or_report, dir_names, filler_files, hex_name, read_text, write_all, Content, Planned,
};
use crate::shell::interp::registry::Io;
use crate::shell::interp::Shell;

/// `python`/`python3`: only `-m pip` and `--version` are simulated.
pub(crate) fn python(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    match argv.get(1).map(String::as_str) {
        Some("-m") if matches!(argv.get(2).map(String::as_str), Some("pip" | "pip3")) => {
            pip(sh, &argv[2..], io)
        }
        Some("--version" | "-V") => {
            let v = sh
                .var("PYTHON_VERSION")
                .map(str::to_owned)
                .or_else(|| python_dir(sh).map(|d| d.trim_start_matches("python").to_owned()))
                .unwrap_or_default();
            io.print(&format!("Python {v}\n"));
            0
        }
        _ => {
            io.eprint("layerlab: python is not simulated (only `python -m pip` is)\n");
            127
        }
    }
}

/// `python3.12`: the newest `/usr/local/lib/python3.X` with a
/// site-packages.
fn python_dir(sh: &Shell<'_, '_>) -> Option<String> {
    dir_names(sh, "/usr/local/lib")
        .into_iter()
        .filter(|n| n.starts_with("python3."))
        .filter(|n| sh.fs().exists(&format!("/usr/local/lib/{n}/site-packages")))
        .max_by_key(|n| n.trim_start_matches("python3.").parse::<u32>().unwrap_or(0))
}

/// pip's `format_size`.
fn size_str(bytes: u64) -> String {
    if bytes > 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else if bytes > 10_000 {
        format!("{} kB", bytes / 1000)
    } else if bytes > 1000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

struct Options {
    no_cache: bool,
    quiet: bool,
    no_deps: bool,
    upgrade: bool,
    user: bool,
    root_warning: bool,
    target: Option<String>,
}

/// One requirement as written (`flask==3.0.3`, `requests[socks]>=2`).
struct Requirement {
    text: String,
    name: String,
    pin: Option<String>,
}

fn parse_requirement(text: &str) -> Requirement {
    let end = text
        .find(|c: char| "[<>=!~;@ ".contains(c))
        .unwrap_or(text.len());
    let name = text[..end].to_owned();
    let pin = text.split_once("==").map(|(_, v)| {
        v.split([',', ';', ' '])
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    });
    Requirement {
        text: text.to_owned(),
        name,
        pin,
    }
}

/// `pip COMMAND [OPTIONS] [ARGS]`.
pub(crate) fn pip(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    let Some(cat) = catalogs_or_report(io, "pip") else {
        return 1;
    };
    let cat = &cat.pip;
    let env_no_cache = sh.var("PIP_NO_CACHE_DIR").is_some_and(|v| !v.is_empty());
    let mut o = Options {
        no_cache: env_no_cache,
        quiet: false,
        no_deps: false,
        upgrade: false,
        user: false,
        root_warning: sh.var("PIP_ROOT_USER_ACTION") != Some("ignore"),
        target: None,
    };
    let mut words = Vec::new();
    let mut req_files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let value = |i: &mut usize| {
            *i += 1;
            argv.get(*i).cloned().unwrap_or_default()
        };
        match a {
            "--version" | "-V" if words.is_empty() => {
                let py = python_dir(sh).unwrap_or_else(|| "python3".to_owned());
                io.print(&format!(
                    "pip {} from /usr/local/lib/{py}/site-packages/pip ({})\n",
                    cat.pip_version,
                    py.replace("python", "python ")
                ));
                return 0;
            }
            "--no-cache-dir" => o.no_cache = true,
            "-q" | "--quiet" => o.quiet = true,
            "--no-deps" => o.no_deps = true,
            "-U" | "--upgrade" => o.upgrade = true,
            "--user" => o.user = true,
            "-r" | "--requirement" => req_files.push(value(&mut i)),
            "-t" | "--target" => o.target = Some(value(&mut i)),
            "-i" | "--index-url" | "--extra-index-url" | "-c" | "--constraint" | "--prefix"
            | "-f" | "--find-links" | "--trusted-host" | "-e" | "--editable" => {
                value(&mut i);
            }
            _ if a.starts_with("--root-user-action=") => {
                o.root_warning = !a.ends_with("=ignore");
            }
            _ if a.starts_with("--requirement=") => {
                req_files.push(a["--requirement=".len()..].to_owned());
            }
            _ if a.starts_with("-r") && a.len() > 2 => req_files.push(a[2..].to_owned()),
            _ if a.starts_with("--target=") => o.target = Some(a["--target=".len()..].to_owned()),
            _ if a.starts_with('-') => {}
            _ => words.push(a.to_owned()),
        }
        i += 1;
    }
    match words.first().map(String::as_str) {
        Some("install") => {}
        Some("freeze" | "list") => return list(sh, io, &o),
        Some(other) => {
            io.eprint(&format!("ERROR: unknown command \"{other}\"\n"));
            return 1;
        }
        None => {
            io.print("\nUsage:   \n  pip <command> [options]\n");
            return 0;
        }
    }
    let mut reqs: Vec<Requirement> = words[1..].iter().map(|w| parse_requirement(w)).collect();
    for f in &req_files {
        match read_requirements(sh, f, 0) {
            Ok(r) => reqs.extend(r),
            Err(msg) => {
                io.eprint(&msg);
                return 1;
            }
        }
    }
    if reqs.is_empty() {
        io.eprint(
            "ERROR: You must give at least one requirement to install (see \"pip help install\")\n",
        );
        return 1;
    }
    install(sh, io, cat, &o, &reqs)
}

/// The requirements of a file, `-r` includes followed (relative to it).
fn read_requirements(
    sh: &Shell<'_, '_>,
    path: &str,
    depth: usize,
) -> Result<Vec<Requirement>, String> {
    let abs = sh.abs(path);
    let Some(text) = read_text(sh, &abs) else {
        return Err(format!(
            "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{path}'\n"
        ));
    };
    let mut out = Vec::new();
    for raw in text.lines() {
        let line = match raw.find(" #") {
            Some(i) => &raw[..i],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        }
        .trim();
        if line.is_empty() {
            continue;
        }
        if let Some(inc) = line
            .strip_prefix("-r ")
            .or_else(|| line.strip_prefix("--requirement "))
        {
            if depth < 8 {
                let dir = abs.rsplit_once('/').map_or("", |(d, _)| d);
                out.extend(read_requirements(
                    sh,
                    &format!("{dir}/{}", inc.trim()),
                    depth + 1,
                )?);
            }
            continue;
        }
        if line.starts_with('-') {
            continue;
        }
        out.push(parse_requirement(line));
    }
    Ok(out)
}

/// Where packages go: site-packages (or `--target`), the scripts directory.
fn destination(sh: &Shell<'_, '_>, o: &Options, io: &mut Io) -> (String, String, String) {
    let py = python_dir(sh).unwrap_or_else(|| "python3".to_owned());
    if let Some(t) = &o.target {
        return (sh.abs(t), format!("{}/bin", sh.abs(t)), py);
    }
    let site = format!("/usr/local/lib/{py}/site-packages");
    let writable = sh.user().uid == 0 || sh.fs().stat(&site).is_ok_and(|n| n.uid == sh.user().uid);
    if o.user || !writable {
        if !o.user {
            io.print(
                "Defaulting to user installation because normal site-packages is not writeable\n",
            );
        }
        let home = sh
            .var("HOME")
            .unwrap_or("/")
            .trim_end_matches('/')
            .to_owned();
        return (
            format!("{home}/.local/lib/{py}/site-packages"),
            format!("{home}/.local/bin"),
            py,
        );
    }
    (site, "/usr/local/bin".to_owned(), py)
}

/// `flask-3.0.3.dist-info`: named as the wheel spells the project.
fn dist_info(p: &PipPackage, version: &str) -> String {
    format!("{}-{version}.dist-info", wheel_project(p))
}

/// The project part of the wheel's file name (`flask`, `MarkupSafe`).
fn wheel_project(p: &PipPackage) -> &str {
    p.wheel.split('-').next().unwrap_or(&p.name)
}

/// The installed version of `p` in `site`, if any.
fn installed_version(sh: &Shell<'_, '_>, site: &str, p: &PipPackage) -> Option<String> {
    let prefix = format!("{}-", wheel_project(p).to_lowercase());
    dir_names(sh, site).into_iter().find_map(|n| {
        let lower = n.to_lowercase();
        let rest = lower.strip_prefix(&prefix)?.strip_suffix(".dist-info")?;
        Some(n[prefix.len()..prefix.len() + rest.len()].to_owned())
    })
}

fn install(
    sh: &mut Shell<'_, '_>,
    io: &mut Io,
    cat: &PipCatalog,
    o: &Options,
    reqs: &[Requirement],
) -> i32 {
    let by_name: BTreeMap<String, &PipPackage> = cat
        .packages
        .iter()
        .map(|p| (normalize_pip(&p.name), p))
        .collect();
    let (site, bin, py) = destination(sh, o, io);
    // Breadth-first from the requirements, as pip's resolver reports them.
    let mut queue: Vec<(&PipPackage, Option<String>, Option<&str>)> = Vec::new();
    for r in reqs {
        match by_name.get(&normalize_pip(&r.name)) {
            Some(p) => queue.push((p, r.pin.clone(), None)),
            None => {
                io.eprint(&format!(
                    "ERROR: Could not find a version that satisfies the requirement {} (from versions: none)\nERROR: No matching distribution found for {}\n",
                    r.text, r.text
                ));
                return 1;
            }
        }
    }
    let home = sh
        .var("HOME")
        .unwrap_or("/")
        .trim_end_matches('/')
        .to_owned();
    let cache = format!("{home}/.cache/pip/http-v2");
    let mut seen = std::collections::BTreeSet::new();
    let mut to_install: Vec<(&PipPackage, String)> = Vec::new();
    let mut files = Vec::new();
    let mut download = 0u64;
    let mut i = 0;
    while i < queue.len() {
        let (p, pin, from) = queue[i].clone();
        i += 1;
        if !seen.insert(normalize_pip(&p.name)) {
            continue;
        }
        let version = pin.unwrap_or_else(|| p.version.clone());
        let from_txt = from.map(|f| format!(" (from {f})")).unwrap_or_default();
        if let Some(v) = installed_version(sh, &site, p) {
            if !o.upgrade || v == version {
                if !o.quiet {
                    io.print(&format!(
                        "Requirement already satisfied: {} in {site}{from_txt} ({v})\n",
                        p.name.to_lowercase()
                    ));
                }
                continue;
            }
        }
        let wheel = p.wheel.replace(&p.version, &version);
        let key = hex_name(&["pip-cache", &wheel], 56);
        let cache_dir = format!(
            "{cache}/{}/{}/{}/{}/{}",
            &key[..1],
            &key[1..2],
            &key[2..3],
            &key[3..4],
            &key[4..5]
        );
        let body = format!("{cache_dir}/{}.body", &key[5..]);
        let cached = sh.fs().exists(&body);
        if !o.quiet {
            io.print(&format!("Collecting {}{from_txt}\n", p.name.to_lowercase()));
            if cached {
                io.print(&format!(
                    "  Using cached {wheel} ({})\n",
                    size_str(p.wheel_size)
                ));
            } else {
                io.print(&format!(
                    "  Downloading {wheel} ({})\n",
                    size_str(p.wheel_size)
                ));
            }
        }
        if !cached {
            download += p.wheel_size;
            if !o.no_cache {
                files.push(Planned {
                    path: body,
                    content: Content::Lazy {
                        size: p.wheel_size,
                        seed: super::seed(&["wheel", &wheel]),
                    },
                    mode: 0o600,
                });
                files.push(Planned::text(
                    format!("{cache_dir}/{}", &key[5..]),
                    format!(
                        "cc=4,sha256={},origin=https://files.pythonhosted.org/packages/{}/{wheel}\n",
                        hex_name(&["wheel-sha", &wheel], 64),
                        &hex_name(&["wheel-path", &wheel], 64)
                    ),
                ));
            }
        }
        if !o.no_deps {
            for d in &p.deps {
                if let Some(q) = by_name.get(&normalize_pip(d)) {
                    queue.push((q, None, Some(p.name.as_str())));
                }
            }
        }
        to_install.push((p, version));
    }
    // pip installs dependencies before the packages needing them.
    to_install.reverse();
    let mut installed_bytes = 0u64;
    for (p, version) in &to_install {
        let pkg = package_files(&site, &bin, &py, p, version);
        installed_bytes += pkg.iter().map(Planned::size).sum::<u64>();
        files.extend(pkg);
    }
    sh.spend_millis(
        cat.timing
            .millis(to_install.len(), download + installed_bytes),
    );
    let (uid, gid) = (sh.user().uid, sh.user().gid);
    if let Err(e) = write_all(sh, &files, uid, gid) {
        io.eprint(&format!(
            "ERROR: Could not install packages due to an OSError: [Errno 13] {}: '{}'\n",
            e.strerror(),
            e.path()
        ));
        return 1;
    }
    if !to_install.is_empty() && !o.quiet {
        let names: Vec<&str> = to_install.iter().map(|(p, _)| p.name.as_str()).collect();
        io.print(&format!(
            "Installing collected packages: {}\n",
            names.join(", ")
        ));
        let mut done: Vec<String> = to_install
            .iter()
            .map(|(p, v)| format!("{}-{v}", p.name))
            .collect();
        done.sort();
        io.print(&format!("Successfully installed {}\n", done.join(" ")));
    }
    if sh.user().uid == 0 && o.root_warning && o.target.is_none() {
        io.eprint("WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager, possibly rendering the system unusable.It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you know what you are doing and want to suppress this warning.\n");
    }
    0
}

/// A package's files: its import packages, its `.dist-info` with a
/// RECORD listing everything, and its console scripts.
fn package_files(site: &str, bin: &str, py: &str, p: &PipPackage, version: &str) -> Vec<Planned> {
    let info = format!("{site}/{}", dist_info(p, version));
    let metadata = format!(
        "Metadata-Version: 2.1\nName: {}\nVersion: {version}\nSummary: {}\nRequires-Python: >=3.8\n{}",
        p.name,
        p.name,
        p.deps
            .iter()
            .map(|d| format!("Requires-Dist: {d}\n"))
            .collect::<String>()
    );
    let mut out = vec![
        Planned::text(format!("{info}/INSTALLER"), "pip\n".to_owned()),
        Planned::text(format!("{info}/METADATA"), metadata),
        Planned::text(
            format!("{info}/WHEEL"),
            "Wheel-Version: 1.0\nGenerator: setuptools\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .to_owned(),
        ),
        Planned::text(
            format!("{info}/top_level.txt"),
            p.top_level.iter().map(|t| format!("{t}\n")).collect(),
        ),
    ];
    let fixed: u64 = out.iter().map(Planned::size).sum();
    let bulk = p.size.saturating_sub(fixed);
    let modules = p.top_level.len().max(1) as u64;
    let per_files = (p.files.saturating_sub(5) / modules).max(1);
    for (i, top) in p.top_level.iter().enumerate() {
        let bytes = bulk / modules + u64::from(i == 0) * (bulk % modules);
        if bytes == 0 {
            continue;
        }
        let spec = FillerSpec {
            dir: top.clone(),
            count: u32::try_from(per_files.min(bytes)).unwrap_or(u32::MAX),
            bytes,
            name: "module_{}.py".to_owned(),
        };
        out.extend(filler_files(
            &format!("{site}/{top}"),
            &spec,
            &["pip", &p.name, version],
        ));
    }
    for s in &p.scripts {
        out.push(Planned {
            path: format!("{bin}/{s}"),
            content: Content::Text(format!(
                "#!/usr/local/bin/{py}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {m} import main\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit(main())\n",
                m = p.top_level.first().map_or("main", String::as_str)
            )),
            mode: 0o755,
        });
    }
    let mut record = String::new();
    for f in &out {
        let rel = f.path.strip_prefix(site).map_or_else(
            || {
                format!(
                    "../../../bin/{}",
                    f.path.rsplit('/').next().unwrap_or_default()
                )
            },
            |r| r.trim_start_matches('/').to_owned(),
        );
        record.push_str(&format!(
            "{rel},sha256={},{}\n",
            &hex_name(&["record", &f.path], 43),
            f.size()
        ));
    }
    record.push_str(&format!("{}/RECORD,,\n", dist_info(p, version)));
    out.push(Planned::text(format!("{info}/RECORD"), record));
    out
}

/// `pip freeze` / `pip list`: what site-packages holds.
fn list(sh: &mut Shell<'_, '_>, io: &mut Io, o: &Options) -> i32 {
    let (site, _, _) = destination(sh, o, io);
    for n in dir_names(sh, &site) {
        if let Some(stem) = n.strip_suffix(".dist-info") {
            if let Some((name, version)) = stem.rsplit_once('-') {
                io.print(&format!("{name}=={version}\n"));
            }
        }
    }
    0
}
