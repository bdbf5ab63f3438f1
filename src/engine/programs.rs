//! Programs as images declare them: what `node --version`, nginx or the
//! web-ping example's app do in a container, read from data in `assets/`
//! (the catalog's `[[program]]` tables and the examples' `layerlab.toml`
//! `[[script]]` tables), never from code that recognises a file.
//!
//! layerlab has no JavaScript or Python interpreter and no network: a
//! declared program prints what the data says, reads environment variables
//! with defaults, repeats lines every so many simulated milliseconds with a
//! counter, and exits with a code. The vocabulary is small on purpose.

use crate::engine::catalog;
use crate::engine::store::Repeat;
use crate::filesystem::digest::Digest;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The examples' declarations, embedded like the catalog.
const EXAMPLES: &[(&str, &str)] = &[(
    "web-ping/layerlab.toml",
    include_str!("../../assets/examples/web-ping/layerlab.toml"),
)];

/// A program file of an image and what it does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// Where the image has it (`/usr/local/bin/node`); several paths when
    /// the image links one program under several names.
    pub paths: Vec<String>,
    /// An entrypoint that runs its arguments (`exec "$@"`).
    pub runs_arguments: Option<RunsArguments>,
    /// Runs a script given as its first argument, by what the script
    /// declares (`node app.js`).
    #[serde(default)]
    pub scripts: bool,
    /// Exact argument lists and what the program does for them.
    #[serde(default, rename = "form")]
    pub forms: Vec<Form>,
}

/// An entrypoint script that ends in `exec "$@"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsArguments {
    /// Put in front when the arguments are empty, start with a flag or
    /// name no command (node's entrypoint: `set -- node "$@"`).
    pub prefix: Option<String>,
    /// What the script prints before it runs them.
    #[serde(flatten)]
    pub behaviour: Behaviour,
}

/// One argument list of a program.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub args: Vec<String>,
    #[serde(flatten)]
    pub behaviour: Behaviour,
}

/// A script a program runs, known by its content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The example's file it describes.
    pub file: String,
    /// `sha256:` of that file's content: an edited script is no longer the
    /// one declared, and runs as an unknown program.
    pub sha256: String,
    #[serde(flatten)]
    pub behaviour: Behaviour,
}

/// What a declared program does. Templates name environment variables as
/// `{NAME}`; `{count}` is the repetition's number and `{answer}` the
/// answer of that number (the `answers` list, cycled).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// Values of the variables it reads when the environment has none.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Lines printed on standard output at start.
    #[serde(default)]
    pub print: Vec<String>,
    /// Lines printed on standard error at start.
    #[serde(default)]
    pub eprint: Vec<String>,
    /// Milliseconds between repetitions (a template: `{INTERVAL}`); the
    /// first comes at start, and it runs until stopped.
    pub every_ms: Option<String>,
    #[serde(default)]
    pub repeat: Vec<String>,
    #[serde(default)]
    pub answers: Vec<String>,
    /// Runs until stopped without printing more (a server).
    #[serde(default)]
    pub forever: bool,
    #[serde(default)]
    pub exit: i32,
}

/// What a declared program did when it started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
    /// It does not end by itself.
    pub forever: bool,
    /// What it keeps printing (None: nothing more).
    pub repeat: Option<Repeat>,
}

#[derive(Deserialize)]
struct ProgramTables {
    #[serde(default, rename = "program")]
    programs: Vec<Program>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptTables {
    #[serde(default, rename = "script")]
    scripts: Vec<Script>,
}

struct Declared {
    programs: Vec<Program>,
    scripts: Vec<Script>,
}

fn declared() -> &'static Declared {
    static DECLARED: OnceLock<Declared> = OnceLock::new();
    DECLARED.get_or_init(|| load().unwrap_or_else(|e| panic!("{e}")))
}

/// Every declaration in the assets; an error names the asset (a bug in
/// `assets/`, caught by the tests).
pub fn load_all() -> Result<(usize, usize), String> {
    load().map(|d| (d.programs.len(), d.scripts.len()))
}

fn load() -> Result<Declared, String> {
    let mut programs = Vec::new();
    for (file, text) in catalog::ASSETS {
        let tables: ProgramTables =
            toml::from_str(text).map_err(|e| format!("catalog asset {file}: {e}"))?;
        programs.extend(tables.programs);
    }
    let mut scripts = Vec::new();
    for (file, text) in EXAMPLES {
        let tables: ScriptTables =
            toml::from_str(text).map_err(|e| format!("example {file}: {e}"))?;
        scripts.extend(tables.scripts);
    }
    Ok(Declared { programs, scripts })
}

/// The declared scripts, for the test that checks their digests.
pub fn scripts() -> impl Iterator<Item = &'static Script> {
    declared().scripts.iter()
}

/// The program an image has at `path`, if one is declared.
pub fn at(path: &str) -> Option<&'static Program> {
    declared()
        .programs
        .iter()
        .find(|p| p.paths.iter().any(|q| q == path))
}

/// The script whose content is `bytes`, if one is declared.
pub fn script(bytes: &[u8]) -> Option<&'static Script> {
    let digest = Digest::of(bytes).to_string();
    declared().scripts.iter().find(|s| s.sha256 == digest)
}

impl Program {
    /// The form for exactly these arguments.
    pub fn form(&self, args: &[String]) -> Option<&Behaviour> {
        self.forms
            .iter()
            .find(|f| f.args == args)
            .map(|f| &f.behaviour)
    }
}

impl Behaviour {
    /// Start the behaviour in `env`, at `now_ms` on the simulated clock.
    pub fn start(&self, env: &[(String, String)], now_ms: i64) -> Outcome {
        let vars = |name: &str| -> String {
            env.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .or_else(|| self.env.get(name).cloned())
                .unwrap_or_default()
        };
        let lines = |ls: &[String]| -> String {
            ls.iter()
                .map(|l| format!("{}\n", fill(l, &vars)))
                .collect::<String>()
        };
        let repeat = self.every_ms.as_ref().map(|every| Repeat {
            every_ms: fill(every, &vars)
                .trim()
                .parse::<u64>()
                .unwrap_or(1000)
                .max(1),
            lines: self.repeat.iter().map(|l| fill(l, &vars)).collect(),
            answers: self.answers.clone(),
            started_ms: now_ms,
            done: 0,
        });
        Outcome {
            stdout: lines(&self.print),
            stderr: lines(&self.eprint),
            code: self.exit,
            forever: self.forever || repeat.is_some(),
            repeat,
        }
    }
}

/// `template` with `{NAME}` replaced by the variable's value; `{count}`
/// and `{answer}` stay for [`Repeat::line`]. An unclosed `{` stays as is.
fn fill(template: &str, vars: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if name == "count" || name == "answer" {
                    out.push_str(&rest[open..open + close + 2]);
                } else {
                    out.push_str(&vars(name));
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_asset_declaration_parses() {
        let (programs, scripts) = load_all().expect("assets parse");
        assert!(programs >= 3, "{programs}");
        assert!(scripts >= 1, "{scripts}");
    }

    #[test]
    fn node_version_reads_the_image_env() {
        let node = at("/usr/local/bin/node").expect("node is declared");
        let out = node
            .form(&["--version".to_owned()])
            .expect("a --version form")
            .start(&env(&[("NODE_VERSION", "20.17.0")]), 0);
        assert_eq!((out.stdout.as_str(), out.code), ("v20.17.0\n", 0));
    }

    #[test]
    fn templates_read_the_env_then_the_defaults_and_keep_the_counter() {
        let b = Behaviour {
            env: [("METHOD".to_owned(), "HEAD".to_owned())].into(),
            print: vec!["{TARGET} {METHOD} {oops".to_owned()],
            every_ms: Some("{INTERVAL}".to_owned()),
            repeat: vec!["#{count} {TARGET}: {answer}".to_owned()],
            answers: vec!["200".to_owned()],
            ..Behaviour::default()
        };
        let out = b.start(&env(&[("TARGET", "a.b"), ("INTERVAL", "2500")]), 7);
        assert_eq!(out.stdout, "a.b HEAD {oops\n");
        let repeat = out.repeat.expect("repeats");
        assert_eq!(repeat.every_ms, 2500);
        assert_eq!(repeat.lines, vec!["#{count} a.b: {answer}".to_owned()]);
        assert!(out.forever);
    }

    #[test]
    fn a_repeat_logs_what_is_due_on_the_clock_and_counts_on() {
        let mut repeat = Repeat {
            every_ms: 1500,
            lines: vec!["#{count} {answer}".to_owned()],
            answers: vec!["a".to_owned(), "b".to_owned()],
            started_ms: 10_000,
            done: 0,
        };
        let texts = |lines: Vec<crate::engine::store::LogLine>| -> Vec<(i64, String)> {
            lines.into_iter().map(|l| (l.time, l.text)).collect()
        };
        // Due at 10.0 s, 11.5 s, 13.0 s: by 12 s the first two.
        assert_eq!(
            texts(repeat.catch_up(12)),
            vec![(10, "#1 a".to_owned()), (11, "#2 b".to_owned())]
        );
        assert_eq!(texts(repeat.catch_up(12)), vec![]);
        assert_eq!(texts(repeat.catch_up(13)), vec![(13, "#3 a".to_owned())]);
    }
}
