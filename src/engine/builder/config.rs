//! The image config as a build edits it, and the strings each builder
//! writes for it (history `created_by`, the classic builder's config key).

use crate::dockerfile::analyzer::{Healthcheck, ShellOrExec};
use crate::engine::builder::BuilderKind;
use crate::engine::history_text::Healthcheck as HistoryHealth;
use crate::engine::image;
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::engine::store::RunConfig;

/// Docker's default PATH, added by both builders when the base has none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The store defines the config; what a Dockerfile does to it belongs to the
// builder, so these methods live here.
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
        self.exposed_ports.insert(port_proto(port));
    }

    /// `HEALTHCHECK`: stores the check and returns it in the form history
    /// texts print; a bad duration or retry count is an error in Docker's
    /// words.
    pub fn set_healthcheck(&mut self, h: &Healthcheck) -> Result<HistoryHealth, String> {
        let test = match &h.test {
            None => vec!["NONE".to_string()],
            Some(ShellOrExec::Shell(s)) => vec!["CMD-SHELL".into(), s.clone()],
            Some(ShellOrExec::Exec(v)) => {
                let mut t = vec!["CMD".to_string()];
                t.extend(v.iter().cloned());
                t
            }
        };
        let ns = |flag: &str, v: &Option<String>| -> Result<i64, String> {
            match v {
                None => Ok(0),
                Some(v) => crate::gofmt::parse_duration(v)
                    .ok_or_else(|| format!("time: invalid duration \"{v}\" for --{flag}")),
            }
        };
        let retries = match &h.retries {
            None => 0,
            Some(r) => r
                .parse::<i64>()
                .map_err(|_| format!("strconv.ParseInt: parsing \"{r}\": invalid syntax"))?,
        };
        let out = HistoryHealth {
            test: test.clone(),
            interval_ns: ns("interval", &h.interval)?,
            timeout_ns: ns("timeout", &h.timeout)?,
            start_period_ns: ns("start-period", &h.start_period)?,
            start_interval_ns: ns("start-interval", &h.start_interval)?,
            retries,
        };
        self.healthcheck = Some(image::Healthcheck {
            test,
            interval: out.interval_ns,
            timeout: out.timeout_ns,
            start_period: out.start_period_ns,
            start_interval: out.start_interval_ns,
            retries: out.retries,
        });
        Ok(out)
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

/// `80` → `80/tcp`, `53/UDP` → `53/udp`.
pub fn port_proto(port: &str) -> String {
    if port.contains('/') {
        port.to_ascii_lowercase()
    } else {
        format!("{port}/tcp")
    }
}

/// `WORKDIR rel` is relative to the current one, joined and cleaned; an
/// absolute path is kept as written: both builders store `/app/` as the
/// image's WorkingDir, so a RUN after `WORKDIR /app/` misses after one after
/// `WORKDIR /app` (recorded: our 78).
pub fn join_workdir(current: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    join_clean(current, path)
}

/// `path` made absolute against `current`, cleaned.
fn join_clean(current: &str, path: &str) -> String {
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
    let mut abs = join_clean(workdir, dest);
    if slash && !abs.ends_with('/') {
        abs.push('/');
    }
    abs
}

/// A history row (size and empty_layer from the step's layer).
pub fn history_row(
    builder: BuilderKind,
    created_by: String,
    layer: Option<&LayerInfo>,
    built_in: u64,
) -> HistoryRow {
    HistoryRow {
        created_by,
        size: layer.map_or(0, |l| l.size),
        empty_layer: layer.is_none(),
        comment: match builder {
            BuilderKind::Buildkit => "buildkit.dockerfile.v0".into(),
            BuilderKind::Classic => String::new(),
        },
        built_in,
    }
}
