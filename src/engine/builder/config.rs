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

    /// The config of the container a classic step commits: the daemon
    /// resets an ENTRYPOINT of one empty word to none when it creates a
    /// container (moby's mergeAndVerifyConfig), so the image records that,
    /// and the builder's cache probe, comparing the build's config with
    /// it, never matches a step built under `ENTRYPOINT [""]` (checked on
    /// dockerd 20.10: our 132).
    pub fn as_container_created(&self) -> RunConfig {
        let mut out = self.clone();
        if out.entrypoint.as_deref() == Some(&[String::new()][..]) {
            out.entrypoint = None;
        }
        out
    }

    /// Setting ENTRYPOINT drops a CMD inherited from the base image.
    pub fn cmd_reset_by_entrypoint(&mut self) {
        self.cmd = None;
    }

    /// `EXPOSE 80` → `80/tcp`.
    /// `EXPOSE 80`, or a range, `8000-8001/udp`: the config lists each
    /// port of it (recorded: our 86). The word is one `check_port` took.
    pub fn expose(&mut self, word: &str) {
        let full = port_proto(word);
        let (ports, proto) = full.split_once('/').unwrap_or((&full, "tcp"));
        match ports.split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi) = (
                    lo.parse::<u16>().unwrap_or(0),
                    hi.parse::<u16>().unwrap_or(0),
                );
                for port in lo..=hi {
                    self.exposed_ports.insert(format!("{port}/{proto}"));
                }
            }
            None => {
                self.exposed_ports.insert(full.clone());
            }
        }
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

/// An `EXPOSE` word as Docker's port parser takes it: a port or a range
/// of them (`8000-8010`), optionally `/tcp`, `/udp` or `/sctp`; otherwise
/// the error in Docker's words (checked on dockerd 20.10: `EXPOSE abc`).
pub fn check_port(word: &str) -> Result<(), String> {
    let (port, proto) = word.split_once('/').unwrap_or((word, "tcp"));
    if !["tcp", "udp", "sctp"].contains(&proto.to_ascii_lowercase().as_str()) {
        return Err(format!("Invalid proto: {proto}"));
    }
    let number = |p: &str| {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u16>().ok())
            .flatten()
    };
    let valid = match port.split_once('-') {
        Some((lo, hi)) => matches!((number(lo), number(hi)), (Some(l), Some(h)) if l <= h),
        None => number(port).is_some(),
    };
    if valid {
        Ok(())
    } else {
        Err(format!("Invalid containerPort: {port}"))
    }
}

/// Signal names Docker knows on Linux, without their `SIG`.
const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN",
    "RTMAX",
];

/// A `STOPSIGNAL` as Docker parses it: a number other than 0, or a
/// signal's name with or without `SIG`, in any case (`RTMIN+3` and
/// `RTMAX-2` too); otherwise the error in Docker's words (checked on
/// dockerd 20.10: `STOPSIGNAL NOPE`).
pub fn check_signal(signal: &str) -> Result<(), String> {
    let invalid = || Err(format!("Invalid signal: {signal}"));
    if let Ok(n) = signal.parse::<i64>() {
        return if n == 0 { invalid() } else { Ok(()) };
    }
    let upper = signal.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    // RTMIN+1 … RTMIN+15 and RTMAX-14 … RTMAX-1
    let realtime = |base: &str, sign: char, most: u8| {
        name.strip_prefix(base)
            .and_then(|r| r.strip_prefix(sign))
            .and_then(|n| n.parse::<u8>().ok())
            .is_some_and(|n| (1..=most).contains(&n))
    };
    if SIGNALS.contains(&name) || realtime("RTMIN", '+', 15) || realtime("RTMAX", '-', 14) {
        Ok(())
    } else {
        invalid()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_as_docker_parses_them() {
        for ok in ["80", "80/tcp", "53/UDP", "8000-8010", "9/sctp", "65535"] {
            assert_eq!(check_port(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_port("abc"), Err("Invalid containerPort: abc".into()));
        assert_eq!(
            check_port("70000"),
            Err("Invalid containerPort: 70000".into())
        );
        assert_eq!(
            check_port("90-80"),
            Err("Invalid containerPort: 90-80".into())
        );
        assert_eq!(check_port("80/http"), Err("Invalid proto: http".into()));
        let mut config = RunConfig::default();
        config.expose("8000-8002/UDP");
        config.expose("80");
        let ports: Vec<&str> = config.exposed_ports.iter().map(String::as_str).collect();
        assert_eq!(ports, ["80/tcp", "8000/udp", "8001/udp", "8002/udp"]);
    }

    #[test]
    fn a_container_is_created_without_an_empty_word_entrypoint() {
        let mut config = RunConfig {
            entrypoint: Some(vec![String::new()]),
            ..RunConfig::default()
        };
        let created = config.as_container_created();
        assert_eq!(created.entrypoint, None);
        assert_ne!(created.fingerprint(), config.fingerprint());
        for kept in [vec!["sh".to_string()], vec![String::new(), "x".into()]] {
            config.entrypoint = Some(kept);
            assert_eq!(config.as_container_created(), config);
        }
    }

    #[test]
    fn signals_as_docker_parses_them() {
        for ok in [
            "SIGTERM",
            "term",
            "KILL",
            "9",
            "SIGRTMIN+3",
            "RTMAX-14",
            "-1",
        ] {
            assert_eq!(check_signal(ok), Ok(()), "{ok}");
        }
        for bad in ["NOPE", "0", "SIGRTMAX-15", "RTMIN+16", "SIG"] {
            assert_eq!(check_signal(bad), Err(format!("Invalid signal: {bad}")));
        }
    }
}
