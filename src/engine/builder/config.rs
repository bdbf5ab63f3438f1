//! The image config as a build edits it, and the strings each builder
//! writes for it (history `created_by`, the classic builder's config key).

use crate::dockerfile::analyzer::{Command, CommandKind, Healthcheck, ShellOrExec};
use crate::engine::builder::BuilderKind;
use crate::engine::cache_key::OpInputs;
use crate::engine::digest::Digest;
use crate::engine::report::{HistoryRow, LayerInfo};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Docker's default PATH, added by both builders when the base has none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The parts of an image config a Dockerfile can change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    pub env: Vec<(String, String)>,
    pub user: String,
    pub working_dir: String,
    pub labels: BTreeMap<String, String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub exposed_ports: BTreeSet<String>,
    pub volumes: BTreeSet<String>,
    pub stop_signal: Option<String>,
    pub healthcheck: Option<HealthConfig>,
    pub shell: Option<Vec<String>>,
    pub on_build: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthConfig {
    pub test: Vec<String>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub start_interval: Option<String>,
    pub retries: Option<String>,
}

impl RunConfig {
    pub fn ensure_path(&mut self) {
        if !self.env.iter().any(|(k, _)| k == "PATH") {
            self.env.push(("PATH".into(), DEFAULT_PATH.into()));
        }
    }

    pub fn env_pairs(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.env.iter().cloned()
    }

    /// `ENV k=v`: replace in place, or append.
    pub fn set_env(&mut self, key: &str, value: &str) {
        match self.env.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.env.push((key.to_string(), value.to_string())),
        }
    }

    /// `Env` as the config lists it.
    pub fn env_list(&self) -> Vec<String> {
        self.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    fn shell_prefix(&self) -> Vec<String> {
        self.shell
            .clone()
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
    }

    /// The argv a shell- or exec-form command runs.
    pub fn argv(&self, c: &ShellOrExec) -> Vec<String> {
        match c {
            ShellOrExec::Exec(v) => v.clone(),
            ShellOrExec::Shell(s) => {
                let mut v = self.shell_prefix();
                v.push(s.clone());
                v
            }
        }
    }

    /// Setting ENTRYPOINT drops a CMD inherited from the base image.
    pub fn cmd_reset_by_entrypoint(&mut self) {
        self.cmd = None;
    }

    /// `EXPOSE 80` → `80/tcp`.
    pub fn expose(&mut self, port: &str) {
        let p = if port.contains('/') {
            port.to_ascii_lowercase()
        } else {
            format!("{port}/tcp")
        };
        self.exposed_ports.insert(p);
    }

    pub fn set_healthcheck(&mut self, h: &Healthcheck) {
        let test = match &h.test {
            None => vec!["NONE".to_string()],
            Some(ShellOrExec::Shell(s)) => vec!["CMD-SHELL".into(), s.clone()],
            Some(ShellOrExec::Exec(v)) => {
                let mut t = vec!["CMD".to_string()];
                t.extend(v.iter().cloned());
                t
            }
        };
        self.healthcheck = Some(HealthConfig {
            test,
            interval: h.interval.clone(),
            timeout: h.timeout.clone(),
            start_period: h.start_period.clone(),
            start_interval: h.start_interval.clone(),
            retries: h.retries.clone(),
        });
    }

    /// The environment a RUN sees: the config's ENV plus declared build ARGs
    /// with a value that ENV does not override. Both builders key RUN on it.
    pub fn run_env(&self, args: &[(String, Option<String>)]) -> Vec<String> {
        let mut env = self.env_list();
        for (k, v) in args {
            if let Some(v) = v {
                if !self.env.iter().any(|(e, _)| e == k) {
                    env.push(format!("{k}={v}"));
                }
            }
        }
        env
    }

    /// A stable text of the whole config: what the classic builder compares
    /// when it looks for a cached image with the same parent.
    pub fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `WORKDIR rel` is relative to the current one.
pub fn join_workdir(current: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        let base = if current.is_empty() { "/" } else { current };
        format!("{}/{}", base.trim_end_matches('/'), path)
    };
    crate::engine::gopath::clean(&joined)
}

/// A COPY destination made absolute against WORKDIR, keeping a trailing `/`
/// (it means "into this directory").
pub fn copy_dest(workdir: &str, dest: &str) -> String {
    let slash = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
    let mut abs = join_workdir(workdir, dest);
    if slash && !abs.ends_with('/') {
        abs.push('/');
    }
    abs
}

/// A RUN's layer until RUN is simulated: it exists (both builders commit
/// one) but holds nothing.
pub fn empty_layer() -> LayerInfo {
    LayerInfo {
        diff_id: Digest::of(&[0u8; 1024]),
        size: 0,
    }
}

fn go_quoted_list(v: &[String]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    format!("[{}]", items.join(" "))
}

/// `|1 APP_VERSION=1.0 ` — the build args a RUN saw, as both builders
/// prefix them in history.
fn args_prefix(args: &[(String, Option<String>)], env: &[(String, String)]) -> String {
    let set: Vec<String> = args
        .iter()
        .filter(|(k, _)| !env.iter().any(|(e, _)| e == k))
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
    if set.is_empty() {
        String::new()
    } else {
        format!("|{} {} ", set.len(), set.join(" "))
    }
}

fn run_text(config: &RunConfig, c: &ShellOrExec) -> String {
    match c {
        ShellOrExec::Shell(_) => config.argv(c).join(" "),
        ShellOrExec::Exec(v) => go_quoted_list(v),
    }
}

pub fn classic_run_created_by(
    config: &RunConfig,
    args: &[(String, Option<String>)],
    c: &ShellOrExec,
) -> String {
    format!("{}{}", args_prefix(args, &config.env), run_text(config, c))
}

/// `#(nop)` history of a metadata instruction under the classic builder.
pub fn classic_nop(cmd: &Command) -> String {
    let rest = cmd
        .text
        .split_once(char::is_whitespace)
        .map(|(_, r)| r.trim())
        .unwrap_or("");
    format!("/bin/sh -c #(nop)  {} {}", cmd.keyword().upper(), rest)
}

/// The history row a step writes, per builder (size filled in later).
pub fn created_by(
    builder: BuilderKind,
    cmd: &Command,
    st_config: &super::StageState,
    inputs: &super::StepInputs,
) -> Option<HistoryRow> {
    let config = &st_config.config;
    let text = match (builder, &cmd.kind) {
        (BuilderKind::Classic, _) => match &inputs.op {
            OpInputs::Classic { created_by, .. } => created_by.clone(),
            _ => return None,
        },
        (BuilderKind::Buildkit, CommandKind::Run(run)) => format!(
            "RUN {}{} # buildkit",
            args_prefix(&st_config.args, &config.env),
            run_text(config, &run.command)
        ),
        (BuilderKind::Buildkit, CommandKind::Copy(c)) => format!(
            "{} {} {} # buildkit",
            if c.add { "ADD" } else { "COPY" },
            c.sources.join(" "),
            c.dest
        ),
        (_, CommandKind::Workdir(_)) => format!("WORKDIR {}", config.working_dir),
        (_, CommandKind::Cmd(c)) => format!("CMD {}", go_quoted_list(&config.argv(c))),
        (_, CommandKind::Entrypoint(c)) => {
            format!("ENTRYPOINT {}", go_quoted_list(&config.argv(c)))
        }
        (_, CommandKind::Maintainer(m)) => format!("MAINTAINER {m}"),
        _ => cmd.text.clone(),
    };
    Some(HistoryRow {
        created_by: text,
        size: 0,
        empty_layer: true,
        comment: match builder {
            BuilderKind::Buildkit => "buildkit.dockerfile.v0".into(),
            BuilderKind::Classic => String::new(),
        },
    })
}

/// The image id: sha256 over the config, the layers and the history.
pub fn image_id(config: &RunConfig, layers: &[LayerInfo], history: &[HistoryRow]) -> Digest {
    let doc = serde_json::json!({
        "config": config,
        "diff_ids": layers.iter().map(|l| l.diff_id.to_string()).collect::<Vec<_>>(),
        "history": history,
    });
    Digest::of(doc.to_string().as_bytes())
}
