//! The package catalogs in `assets/packages/*.toml`: what `apk`, `apt-get`,
//! `npm` and `pip` can install without a network, with the files each
//! package puts on disk and the time a real install takes.
//!
//! The serde types are ours (pattern 12). Sizes are realistic (taken from
//! the real packages where known, rounded), but approximate: a package's
//! bulk is described by fillers, as the base-image catalog does it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

/// Every catalog, embedded.
const APK: &str = include_str!("../../../assets/packages/apk.toml");
const APT: &str = include_str!("../../../assets/packages/apt.toml");
const NPM: &str = include_str!("../../../assets/packages/npm.toml");
const PIP: &str = include_str!("../../../assets/packages/pip.toml");

/// The four package catalogs.
#[derive(Debug)]
pub struct Catalogs {
    pub apk: ApkCatalog,
    pub apt: AptCatalog,
    pub npm: NpmCatalog,
    pub pip: PipCatalog,
}

/// The embedded catalogs, parsed and checked once. An error is a bug in
/// `assets/packages`, caught by the tests.
pub fn catalogs() -> Result<&'static Catalogs, String> {
    static CELL: OnceLock<Result<Catalogs, String>> = OnceLock::new();
    CELL.get_or_init(|| Catalogs::parse(APK, APT, NPM, PIP))
        .as_ref()
        .map_err(Clone::clone)
}

impl Catalogs {
    /// Parses and checks the four catalog texts.
    pub fn parse(apk: &str, apt: &str, npm: &str, pip: &str) -> Result<Catalogs, String> {
        let apk: ApkCatalog = toml::from_str(apk).map_err(|e| format!("apk.toml: {e}"))?;
        let apt: AptCatalog = toml::from_str(apt).map_err(|e| format!("apt.toml: {e}"))?;
        let npm: NpmCatalog = toml::from_str(npm).map_err(|e| format!("npm.toml: {e}"))?;
        let pip: PipCatalog = toml::from_str(pip).map_err(|e| format!("pip.toml: {e}"))?;
        let c = Catalogs { apk, apt, npm, pip };
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<(), String> {
        check_graph(
            "apk.toml",
            self.apk
                .packages
                .iter()
                .map(|p| (p.name.as_str(), &p.depends)),
        )?;
        for p in &self.apk.packages {
            check_files("apk.toml", &p.name, &p.files, &p.fillers, true)?;
        }
        check_graph(
            "apt.toml",
            self.apt
                .packages
                .iter()
                .map(|p| (p.name.as_str(), &p.depends)),
        )?;
        check_graph(
            "apt.toml",
            self.apt
                .packages
                .iter()
                .map(|p| (p.name.as_str(), &p.recommends)),
        )?;
        for p in &self.apt.packages {
            check_files("apt.toml", &p.name, &p.files, &p.fillers, true)?;
            if p.versions.is_empty() {
                return Err(format!("apt.toml: {} has no version", p.name));
            }
            for codename in p.versions.keys() {
                if !self.apt.suites.iter().any(|s| &s.codename == codename) {
                    return Err(format!(
                        "apt.toml: {} has a version for unknown suite {codename}",
                        p.name
                    ));
                }
            }
        }
        check_graph(
            "npm.toml",
            self.npm.packages.iter().map(|p| (p.name.as_str(), &p.deps)),
        )?;
        for p in &self.npm.packages {
            if p.size < p.files {
                return Err(format!("npm.toml: {}: size below its file count", p.name));
            }
        }
        let pip_names: Vec<(String, &Vec<String>)> = self
            .pip
            .packages
            .iter()
            .map(|p| (normalize_pip(&p.name), &p.deps))
            .collect();
        let normalized: Vec<(String, Vec<String>)> = pip_names
            .iter()
            .map(|(n, d)| (n.clone(), d.iter().map(|x| normalize_pip(x)).collect()))
            .collect();
        check_graph("pip.toml", normalized.iter().map(|(n, d)| (n.as_str(), d)))?;
        for p in &self.pip.packages {
            if p.size < p.files {
                return Err(format!("pip.toml: {}: size below its file count", p.name));
            }
        }
        Ok(())
    }
}

/// Names are unique and every dependency names a package of the catalog.
fn check_graph<'a>(
    file: &str,
    packages: impl Iterator<Item = (&'a str, &'a Vec<String>)> + Clone,
) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for (name, _) in packages.clone() {
        if !names.insert(name) {
            return Err(format!("{file}: package {name} listed twice"));
        }
    }
    for (name, deps) in packages {
        for d in deps {
            if !names.contains(d.as_str()) {
                return Err(format!("{file}: {name} depends on {d}, not in the catalog"));
            }
        }
    }
    Ok(())
}

fn check_files(
    file: &str,
    package: &str,
    files: &[FileSpec],
    fillers: &[FillerSpec],
    absolute: bool,
) -> Result<(), String> {
    for f in files {
        if absolute != f.path.starts_with('/') {
            return Err(format!("{file}: {package}: bad path {}", f.path));
        }
        let kinds = usize::from(f.link.is_some()) + usize::from(f.text.is_some());
        if kinds > 1 || (kinds == 1 && f.size != 0) {
            return Err(format!(
                "{file}: {package}: {} has more than one of size, text, link",
                f.path
            ));
        }
    }
    for f in fillers {
        if f.count == 0 || f.bytes < u64::from(f.count) || !f.name.contains("{}") {
            return Err(format!(
                "{file}: {package}: filler in {} needs count > 0, bytes >= count and a {{}} in name",
                f.dir
            ));
        }
    }
    Ok(())
}

/// pip's name normalisation (PEP 503): case-insensitive, runs of `-_.`
/// are one `-`.
pub fn normalize_pip(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// How long work takes: a fixed start-up, a cost per package (or per
/// index), and a throughput for the bytes downloaded and unpacked.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    pub startup_millis: u64,
    pub package_millis: u64,
    pub bytes_per_second: u64,
}

impl Timing {
    /// Milliseconds for `packages` packages totalling `bytes`.
    pub fn millis(&self, packages: usize, bytes: u64) -> u64 {
        let per = self
            .package_millis
            .saturating_mul(u64::try_from(packages).unwrap_or(u64::MAX));
        let transfer = bytes.saturating_mul(1000) / self.bytes_per_second.max(1);
        self.startup_millis
            .saturating_add(per)
            .saturating_add(transfer)
    }
}

/// One explicit file of a package: `size` lazy bytes, or `text`, or a
/// symlink to `link`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    pub path: String,
    #[serde(default)]
    pub size: u64,
    pub mode: Option<u32>,
    pub link: Option<String>,
    pub text: Option<String>,
}

/// `count` files in `dir` totalling `bytes`, named from `name` (`{}` is the
/// index): a package's bulk without listing every real file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillerSpec {
    pub dir: String,
    pub count: u32,
    pub bytes: u64,
    pub name: String,
}

// ---- apk ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApkCatalog {
    /// `https://dl-cdn.alpinelinux.org/alpine`
    pub mirror: String,
    /// Release branch by `VERSION_ID` prefix of /etc/os-release (`3.20`
    /// → `v3.20`); releases not listed use `default_release`.
    pub default_release: String,
    /// `apk update`'s `OK: N distinct packages available`.
    pub available: u64,
    pub timing: Timing,
    /// Milliseconds to fetch one APKINDEX.
    pub index_millis: u64,
    #[serde(rename = "index")]
    pub indexes: Vec<ApkIndex>,
    #[serde(rename = "package")]
    pub packages: Vec<ApkPackage>,
}

/// One repository index, as `apk` caches it in `/var/cache/apk`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApkIndex {
    /// `main`, `community`.
    pub repo: String,
    /// The cached file's name, `APKINDEX.<hash>.tar.gz`.
    pub cache_name: String,
    pub size: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApkPackage {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub depends: Vec<String>,
    /// Its install runs a trigger script (`Executing NAME-VERSION.trigger`).
    #[serde(default)]
    pub trigger: bool,
    #[serde(default)]
    pub files: Vec<FileSpec>,
    #[serde(default)]
    pub fillers: Vec<FillerSpec>,
}

// ---- apt ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AptCatalog {
    pub timing: Timing,
    /// Milliseconds per index file fetched by `apt-get update`, on top of
    /// its bytes at `timing.bytes_per_second`.
    pub index_millis: u64,
    #[serde(rename = "suite")]
    pub suites: Vec<AptSuite>,
    #[serde(rename = "package")]
    pub packages: Vec<AptPackage>,
}

/// A distribution release: what `apt-get update` fetches for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AptSuite {
    /// `VERSION_CODENAME` in /etc/os-release.
    pub codename: String,
    /// Where packages come from in `Get:` lines
    /// (`http://deb.debian.org/debian bookworm/main`).
    pub pool: String,
    /// The dpkg version of libc-bin, whose trigger every install runs.
    pub libc_bin: String,
    #[serde(rename = "index")]
    pub indexes: Vec<AptIndex>,
    /// `/var/cache/apt/pkgcache.bin` and `srcpkgcache.bin` sizes, written
    /// unless `docker-clean` turns the caches off.
    pub pkgcache_size: u64,
    pub srcpkgcache_size: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AptIndex {
    /// What the `Get:` line names (`http://deb.debian.org/debian bookworm InRelease`).
    pub get: String,
    /// Bytes transferred.
    pub download: u64,
    /// The file under /var/lib/apt/lists.
    pub file: String,
    /// Bytes on disk.
    pub size: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AptPackage {
    pub name: String,
    /// Version per suite codename; a suite without one does not have the
    /// package.
    pub versions: BTreeMap<String, String>,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub depends: Vec<String>,
    #[serde(default)]
    pub recommends: Vec<String>,
    /// The .deb's size.
    pub download: u64,
    #[serde(default)]
    pub files: Vec<FileSpec>,
    #[serde(default)]
    pub fillers: Vec<FillerSpec>,
}

// ---- npm ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NpmCatalog {
    pub registry: String,
    /// The npm each node release bundles (`NODE_VERSION` → npm version).
    pub bundled: BTreeMap<String, String>,
    /// The npm assumed when `NODE_VERSION` is not in `bundled`.
    pub default_npm: String,
    pub timing: Timing,
    #[serde(rename = "package")]
    pub packages: Vec<NpmPackage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NpmPackage {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub deps: Vec<String>,
    /// Unpacked bytes in node_modules/NAME.
    pub size: u64,
    /// Files in the unpacked package (package.json included).
    pub files: u64,
    /// The .tgz size (what the npm cache keeps).
    pub tarball: u64,
    /// `bin` entries: command name → path inside the package.
    #[serde(default)]
    pub bin: BTreeMap<String, String>,
    #[serde(default)]
    pub funding: bool,
    #[serde(default)]
    pub license: String,
}

// ---- pip ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipCatalog {
    pub timing: Timing,
    /// `pip --version`.
    pub pip_version: String,
    #[serde(rename = "package")]
    pub packages: Vec<PipPackage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipPackage {
    /// As the project spells it (`Flask`, `Werkzeug`).
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub deps: Vec<String>,
    /// The wheel file name.
    pub wheel: String,
    /// The wheel's size (what the pip cache keeps).
    pub wheel_size: u64,
    /// Installed bytes under site-packages.
    pub size: u64,
    pub files: u64,
    /// Import packages (`top_level.txt`): the directories in site-packages.
    pub top_level: Vec<String>,
    /// Console scripts in /usr/local/bin.
    #[serde(default)]
    pub scripts: Vec<String>,
}
