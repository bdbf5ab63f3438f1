//! The conformance scenario model: `scenario.json` (a build context plus a sequence of builds
//! with edits between them) and `expected.json` (what a real engine reported), in the formats
//! of the shared conformance README, and the applier that turns a scenario into files on disk.
//!
//! Shared by the live test (replays scenarios on a real engine) and the offline differential
//! test (compares layerlab with the recordings), so both read the recordings the same way.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The two builders every scenario is recorded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `DOCKER_BUILDKIT=1`
    Buildkit,
    /// `DOCKER_BUILDKIT=0`, the legacy builder
    Classic,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Buildkit, Mode::Classic];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Buildkit => "buildkit",
            Mode::Classic => "classic",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// scenario.json
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    /// One line: the cache behaviour the scenario shows.
    pub teaches: String,
    /// The initial build context: path -> content (files 0644, directories 0755).
    pub files: BTreeMap<String, String>,
    pub builds: Vec<BuildSpec>,
    /// The first build may hit the cache (a hit inside one build is the point).
    #[serde(default)]
    pub first_build_may_hit_cache: bool,
    /// BuildKit names parallel stages unpredictably: compare its steps without stage labels.
    #[serde(default)]
    pub nondeterministic_stage_labels: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildSpec {
    /// Extra `docker build` flags (`-t`, `--network=none`, `--progress=plain` are added).
    #[serde(default)]
    pub args: Vec<String>,
    /// Edits applied to the context before this build.
    #[serde(default)]
    pub mutate: Vec<Mutation>,
    #[serde(default)]
    pub expect_failure: ExpectFailure,
}

/// `true`, or the list of builder modes in which the build is expected to fail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExpectFailure {
    All(bool),
    Modes(Vec<Mode>),
}

impl Default for ExpectFailure {
    fn default() -> Self {
        ExpectFailure::All(false)
    }
}

impl ExpectFailure {
    pub fn applies_to(&self, mode: Mode) -> bool {
        match self {
            ExpectFailure::All(b) => *b,
            ExpectFailure::Modes(ms) => ms.contains(&mode),
        }
    }
}

/// One edit of the build context; the JSON key naming the operation holds the path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Mutation {
    /// Create or overwrite a file (parent directories are created, 0755; the file is 0644).
    Write {
        write: String,
        #[serde(default)]
        content: String,
    },
    /// Remove a file, a symlink or a whole directory.
    Delete { delete: String },
    /// Set the permission bits, given in octal (`"755"`).
    Chmod { chmod: String, mode: OctalMode },
    /// Move the mtime one hour ahead; content and mode stay.
    Touch { touch: String },
    /// Rename `[from, to]`.
    Rename { rename: (String, String) },
    /// Owner `"uid:gid"` (or `"uid"`) of the path itself; a symlink is not followed.
    Chown { chown: String, owner: String },
    /// Create or replace the path with a symlink whose target is taken verbatim.
    Symlink { symlink: String, target: String },
}

/// A file mode in octal digits, written either as a string (`"755"`) or a bare number (`755`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OctalMode {
    Text(String),
    Digits(u32),
}

impl OctalMode {
    pub fn bits(&self) -> Result<u32, String> {
        let digits = match self {
            OctalMode::Text(s) => s.clone(),
            OctalMode::Digits(n) => n.to_string(),
        };
        u32::from_str_radix(&digits, 8).map_err(|e| format!("mode {digits:?} is not octal: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------
// expected.json
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expected {
    pub format: u32,
    pub scenario: String,
    #[serde(default)]
    pub recorded_with: Option<serde_json::Value>,
    #[serde(default)]
    pub recorded_at: Option<String>,
    pub modes: BTreeMap<Mode, ModeRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recording_problems: Vec<String>,
}

/// All builds of one scenario with one builder.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModeRecord {
    pub builds: Vec<BuildRecord>,
    /// The image of the last build, when it succeeded.
    #[serde(default)]
    pub final_image: Option<FinalImage>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildRecord {
    #[serde(default)]
    pub args: Vec<String>,
    pub exit_code: i32,
    #[serde(default)]
    pub wall_seconds: Option<f64>,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub image_id: Option<String>,
    #[serde(default)]
    pub same_image_as_previous_build: Option<bool>,
    #[serde(default)]
    pub layer_count: Option<u64>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_tail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parse_warning: Option<String>,
}

/// One build step as the builder printed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Stage label (`AS` name or `stage-N`); `None` for a single-stage Dockerfile.
    pub stage: Option<String>,
    /// The `i` of `i/N`.
    pub step: u32,
    /// The `N` of `i/N`.
    pub of: u32,
    /// Upper-cased instruction keyword.
    pub keyword: String,
    /// The step text exactly as printed.
    pub text: String,
    pub cached: bool,
    /// BuildKit reported `ERROR` for this step.
    #[serde(default, skip_serializing_if = "is_false")]
    pub error: bool,
    /// BuildKit reported `CANCELED` for this step (another step failed).
    #[serde(default, skip_serializing_if = "is_false")]
    pub canceled: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FinalImage {
    pub inspect: ImageSummary,
    pub history: Vec<HistoryRow>,
}

/// The parts of `docker image inspect` the recordings keep.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageSummary {
    #[serde(default)]
    pub id: Option<String>,
    /// RootFS diff_ids.
    #[serde(default)]
    pub layers: Vec<String>,
    #[serde(default)]
    pub layer_count: u64,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub env: Option<Vec<String>>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// Sorted keys of ExposedPorts (`"80/tcp"`); `None` when there are none.
    #[serde(default)]
    pub exposed_ports: Option<Vec<String>>,
    /// Sorted keys of Volumes; `None` when there are none.
    #[serde(default)]
    pub volumes: Option<Vec<String>>,
    #[serde(default)]
    pub shell: Option<Vec<String>>,
    #[serde(default)]
    pub stop_signal: Option<String>,
    #[serde(default)]
    pub healthcheck: Option<serde_json::Value>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One row of `docker history --no-trunc`, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryRow {
    #[serde(rename = "CreatedBy", default)]
    pub created_by: String,
    #[serde(rename = "Comment", default)]
    pub comment: String,
    /// Exact layer size in bytes (`Size` of `--human=false`).
    #[serde(rename = "SizeBytes", default)]
    pub size_bytes: Option<u64>,
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "CreatedAt", default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// loading
// ---------------------------------------------------------------------------------------------

/// A scenario directory with its parsed files.
#[derive(Debug, Clone)]
pub struct ScenarioDir {
    pub dir: PathBuf,
    pub scenario: Scenario,
    pub expected: Expected,
}

impl ScenarioDir {
    pub fn load(dir: &Path) -> Result<ScenarioDir, String> {
        Ok(ScenarioDir {
            dir: dir.to_path_buf(),
            scenario: read_json(&dir.join("scenario.json"))?,
            expected: read_json(&dir.join("expected.json"))?,
        })
    }

    /// The directory name, e.g. `07-copy-all-unrelated-file-changed`.
    pub fn label(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.scenario.name.clone())
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every directory under `root` (itself included) that holds a `scenario.json`, sorted.
pub fn find_scenarios(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        if dir.join("scenario.json").is_file() {
            found.push(dir.clone());
        }
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                todo.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The recorded scenarios of the shared conformance set, when this checkout has them: the
/// repository sits beside `shared/` (`/work/main`) or two levels below it (`/work/wt/NAME`);
/// `LAYERLAB_SHARED_CONFORMANCE` overrides both.
pub fn shared_conformance_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LAYERLAB_SHARED_CONFORMANCE") {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("../shared/conformance"),
        manifest.join("../../shared/conformance"),
    ]
    .into_iter()
    .find(|d| d.join("README.md").is_file())
}

/// Our own recorded scenarios.
pub fn own_conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

// ---------------------------------------------------------------------------------------------
// applying a scenario to a directory
// ---------------------------------------------------------------------------------------------

/// `root/rel`, refusing paths that leave the context (absolute, or with `..`).
pub fn context_path(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    let escapes = p
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes || rel.is_empty() {
        return Err(format!("path {rel:?} is not inside the build context"));
    }
    Ok(root.join(p))
}

/// Write the scenario's initial files into `root` (which should be empty).
pub fn materialize(root: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    set_mode(root, 0o755)?;
    for (rel, content) in files {
        write_file(root, rel, content)?;
    }
    Ok(())
}

fn write_file(root: &Path, rel: &str, content: &str) -> Result<(), String> {
    let path = context_path(root, rel)?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        // the context's directories are 0755 whatever the umask: modes are part of cache keys
        let mut dir = parent;
        while dir != root && dir.starts_with(root) {
            set_mode(dir, 0o755)?;
            dir = match dir.parent() {
                Some(d) => d,
                None => break,
            };
        }
    }
    fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))?;
    set_mode(&path, 0o644)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {:o} {}: {e}", mode, path.display()))
}

/// Apply one edit to the context at `root`.
pub fn apply_mutation(root: &Path, op: &Mutation) -> Result<(), String> {
    match op {
        Mutation::Write { write, content } => write_file(root, write, content),
        Mutation::Delete { delete } => {
            let p = context_path(root, delete)?;
            let meta = fs::symlink_metadata(&p).map_err(io(&p))?;
            if meta.is_dir() {
                fs::remove_dir_all(&p).map_err(io(&p))
            } else {
                fs::remove_file(&p).map_err(io(&p))
            }
        }
        Mutation::Chmod { chmod, mode } => set_mode(&context_path(root, chmod)?, mode.bits()?),
        Mutation::Touch { touch } => {
            let p = context_path(root, touch)?;
            let old = fs::metadata(&p)
                .and_then(|m| m.modified())
                .map_err(io(&p))?;
            let new: SystemTime = old + Duration::from_secs(3600);
            let file = fs::File::open(&p).map_err(io(&p))?;
            file.set_times(fs::FileTimes::new().set_accessed(new).set_modified(new))
                .map_err(io(&p))
        }
        Mutation::Rename { rename: (from, to) } => {
            let src = context_path(root, from)?;
            let dst = context_path(root, to)?;
            if let Some(parent) = dst.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            fs::rename(&src, &dst).map_err(io(&src))
        }
        Mutation::Chown { chown, owner } => {
            let p = context_path(root, chown)?;
            let (uid, gid) = parse_owner(owner)?;
            std::os::unix::fs::lchown(&p, Some(uid), Some(gid)).map_err(io(&p))
        }
        Mutation::Symlink { symlink, target } => {
            let p = context_path(root, symlink)?;
            if let Some(parent) = p.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            match fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => fs::remove_dir_all(&p).map_err(io(&p))?,
                Ok(_) => fs::remove_file(&p).map_err(io(&p))?,
                Err(_) => {}
            }
            std::os::unix::fs::symlink(target, &p).map_err(io(&p))
        }
    }
}

/// Turns an I/O error on `p` into a message naming the path.
fn io(p: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", p.display())
}

/// `"uid:gid"` or `"uid"` (then gid = uid).
fn parse_owner(owner: &str) -> Result<(u32, u32), String> {
    let num = |s: &str| {
        s.parse::<u32>()
            .map_err(|_| format!("owner {owner:?} is not numeric uid[:gid]"))
    };
    match owner.split_once(':') {
        Some((u, g)) if !g.is_empty() => Ok((num(u)?, num(g)?)),
        Some((u, _)) => Ok((num(u)?, num(u)?)),
        None => Ok((num(owner)?, num(owner)?)),
    }
}

/// The Dockerfile a build reads: `-f X` / `--file X` / `--file=X` of its args, else `Dockerfile`.
pub fn dockerfile_arg(args: &[String]) -> &str {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-f" || a == "--file" {
            if let Some(v) = it.next() {
                return v;
            }
        } else if let Some(v) = a.strip_prefix("--file=") {
            return v;
        }
    }
    "Dockerfile"
}

/// Stage labels in order, as BuildKit names them: the `AS` name, else `stage-N`.
/// Line-based like the shared recorder, so both label the same stages.
pub fn dockerfile_stages(dockerfile: &str) -> Vec<String> {
    let mut stages = Vec::new();
    for line in dockerfile.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some(w) if w.eq_ignore_ascii_case("FROM") => {}
            _ => continue,
        }
        let words: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
        let name = match words.as_slice() {
            [_, kw, name, ..] if kw.eq_ignore_ascii_case("as") => name.to_string(),
            _ => format!("stage-{}", stages.len()),
        };
        stages.push(name);
    }
    stages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_parse_from_the_readme_shapes() {
        let ops: Vec<Mutation> = serde_json::from_str(
            r#"[{"write":"a/b.txt","content":"x"},{"delete":"a"},{"chmod":"f","mode":"755"},
                {"touch":"f"},{"rename":["f","g"]},{"chown":"f","owner":"1000:1000"},
                {"symlink":"l","target":"/etc"}]"#,
        )
        .expect("valid ops");
        assert_eq!(ops.len(), 7);
        assert!(matches!(&ops[2], Mutation::Chmod { mode, .. } if mode.bits() == Ok(0o755)));
        assert!(matches!(&ops[4], Mutation::Rename { rename } if rename.1 == "g"));
        assert!(serde_json::from_str::<Mutation>(r#"{"frobnicate":"x"}"#).is_err());
    }

    #[test]
    fn context_paths_cannot_escape() {
        let root = Path::new("/ctx");
        assert!(context_path(root, "a/b").is_ok());
        assert!(context_path(root, "../x").is_err());
        assert!(context_path(root, "/etc/passwd").is_err());
        assert!(context_path(root, "a/../../x").is_err());
        assert!(context_path(root, "").is_err());
    }

    #[test]
    fn mutations_change_the_context() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        let files = BTreeMap::from([("d/a.txt".to_string(), "one".to_string())]);
        materialize(root, &files).expect("materialize");
        let a = root.join("d/a.txt");
        assert_eq!(
            fs::metadata(&a)
                .map(|m| m.permissions().mode() & 0o777)
                .ok(),
            Some(0o644)
        );
        let before = fs::metadata(&a).and_then(|m| m.modified()).expect("mtime");
        apply_mutation(
            root,
            &Mutation::Touch {
                touch: "d/a.txt".into(),
            },
        )
        .expect("touch");
        let after = fs::metadata(&a).and_then(|m| m.modified()).expect("mtime");
        assert_eq!(
            after.duration_since(before).ok(),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(fs::read_to_string(&a).ok().as_deref(), Some("one"));
        let chmod = Mutation::Chmod {
            chmod: "d/a.txt".into(),
            mode: OctalMode::Text("600".into()),
        };
        apply_mutation(root, &chmod).expect("chmod");
        assert_eq!(
            fs::metadata(&a)
                .map(|m| m.permissions().mode() & 0o777)
                .ok(),
            Some(0o600)
        );
        let ren = Mutation::Rename {
            rename: ("d/a.txt".into(), "e/b.txt".into()),
        };
        apply_mutation(root, &ren).expect("rename");
        assert!(root.join("e/b.txt").is_file() && !a.exists());
        let link = Mutation::Symlink {
            symlink: "e/b.txt".into(),
            target: "../d".into(),
        };
        apply_mutation(root, &link).expect("symlink");
        assert_eq!(
            fs::read_link(root.join("e/b.txt")).ok(),
            Some(PathBuf::from("../d"))
        );
        apply_mutation(root, &Mutation::Delete { delete: "e".into() }).expect("delete");
        assert!(!root.join("e").exists());
        assert!(apply_mutation(
            root,
            &Mutation::Delete {
                delete: "nope".into()
            }
        )
        .is_err());
    }

    #[test]
    fn stages_and_dockerfile_args() {
        let df = "FROM busybox AS builder\nRUN x\nfrom --platform=linux/amd64 busybox\nFROM scratch as out\n";
        assert_eq!(dockerfile_stages(df), ["builder", "stage-1", "out"]);
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(dockerfile_arg(&args(&["--no-cache", "-f", "D.b"])), "D.b");
        assert_eq!(dockerfile_arg(&args(&["--file=x/D"])), "x/D");
        assert_eq!(dockerfile_arg(&args(&["--target", "a"])), "Dockerfile");
    }

    #[test]
    fn expect_failure_forms() {
        let b: BuildSpec =
            serde_json::from_str(r#"{"expect_failure":["buildkit"]}"#).expect("spec");
        assert!(b.expect_failure.applies_to(Mode::Buildkit));
        assert!(!b.expect_failure.applies_to(Mode::Classic));
        let b: BuildSpec = serde_json::from_str(r#"{"expect_failure":true}"#).expect("spec");
        assert!(b.expect_failure.applies_to(Mode::Classic));
        assert!(!BuildSpec::default()
            .expect_failure
            .applies_to(Mode::Buildkit));
    }
}
