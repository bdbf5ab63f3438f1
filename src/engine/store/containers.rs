//! The containers the store holds: each one's image, writable layer,
//! config, state with its simulated times, and logs. What can be done to
//! them is in `engine::container`.

use crate::engine::report::LayerInfo;
use crate::engine::store::RunConfig;
use crate::filesystem::digest::Digest;
use serde::{Deserialize, Serialize};

/// One container, as the daemon remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// 64 hex digits, derived from the store's counter and the inputs.
    pub id: Digest,
    /// Without docker's leading `/`.
    pub name: String,
    pub image: Digest,
    /// The image as the user named it (`docker ps` IMAGE).
    pub image_ref: String,
    /// The image's layers when the container was made: the container keeps
    /// its filesystem if the image is force-removed.
    pub image_layers: Vec<LayerInfo>,
    /// The image's config with the flags applied; ENTRYPOINT and CMD as
    /// docker merged them.
    pub config: RunConfig,
    pub state: ContainerState,
    /// Simulated times, in seconds since the Unix epoch.
    pub created: i64,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    /// The writable layer, as a layer in the store (None: nothing written).
    pub rw_layer: Option<LayerInfo>,
    pub logs: Vec<LogLine>,
    /// `--rm`: removed when it exits.
    pub auto_remove: bool,
    /// `-t`: the process has a terminal (`TERM=xterm`).
    pub tty: bool,
    /// Why the last start failed, as `docker inspect` shows `State.Error`.
    pub error: Option<String>,
    /// What its running process keeps printing on the simulated clock.
    #[serde(default)]
    pub repeat: Option<Repeat>,
}

/// Lines a declared program prints every `every_ms` simulated
/// milliseconds from `started_ms` on, until it is stopped: the store
/// writes them into the logs as the clock reaches them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeat {
    pub every_ms: u64,
    /// Templates with the environment filled in; `{count}` and `{answer}`
    /// left for each repetition.
    pub lines: Vec<String>,
    /// Answers cycled by the count (`{answer}`).
    pub answers: Vec<String>,
    /// Simulated milliseconds since the Unix epoch of the first repetition.
    pub started_ms: i64,
    /// Repetitions already logged.
    pub done: u64,
}

impl Repeat {
    /// The most lines one catch-up writes: a clock that jumped far does not
    /// fill the logs without end.
    const MOST: u64 = 10_000;

    /// The repetitions due by `now` (seconds), logged and counted.
    pub fn catch_up(&mut self, now: i64) -> Vec<LogLine> {
        let mut out = Vec::new();
        let every = i64::try_from(self.every_ms).unwrap_or(i64::MAX);
        for _ in 0..Self::MOST {
            let n = i64::try_from(self.done).unwrap_or(i64::MAX);
            let at_ms = self.started_ms.saturating_add(n.saturating_mul(every));
            let time = at_ms.div_euclid(1000);
            if time > now {
                break;
            }
            self.done += 1;
            for line in &self.lines {
                out.push(LogLine {
                    time,
                    stream: Stream::Stdout,
                    text: self.line(line, self.done),
                });
            }
        }
        out
    }

    fn line(&self, template: &str, count: u64) -> String {
        let answer = usize::try_from(count - 1)
            .ok()
            .filter(|_| !self.answers.is_empty())
            .map_or("", |i| self.answers[i % self.answers.len()].as_str());
        template
            .replace("{count}", &count.to_string())
            .replace("{answer}", answer)
    }
}

/// Where a container is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerState {
    Created,
    /// Its process runs until `until` on the simulated clock, then exits
    /// with `exit_code` (what it will return when nothing stops it).
    Running {
        until: i64,
        exit_code: i32,
    },
    Exited {
        code: i32,
    },
}

/// Which stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line a container's main process printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Simulated seconds since the Unix epoch.
    pub time: i64,
    pub stream: Stream,
    /// Without its line break.
    pub text: String,
}

impl Container {
    /// The process's argv: ENTRYPOINT then CMD (docker inspect's Path and
    /// Args).
    pub fn argv(&self) -> Vec<String> {
        let mut argv = self.config.entrypoint.clone().unwrap_or_default();
        argv.extend(self.config.cmd.clone().unwrap_or_default());
        argv
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, ContainerState::Running { .. })
    }

    /// The 12-digit id `docker ps` shows.
    pub fn short_id(&self) -> String {
        self.id.short()
    }

    /// The environment the process starts with, as the daemon and runc
    /// make it: `PATH`, `HOSTNAME`, `TERM` with a terminal, the config's
    /// Env over them, then `HOME` from the user when nothing set it;
    /// `extra` (exec's `-e`) last.
    pub fn process_env(&self, home: &str, extra: &[(String, String)]) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "PATH".to_owned(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
            ),
            ("HOSTNAME".to_owned(), self.short_id()),
        ];
        if self.tty {
            env.push(("TERM".to_owned(), "xterm".to_owned()));
        }
        for (k, v) in self.config.env.iter().chain(extra) {
            match env.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1.clone_from(v),
                None => env.push((k.clone(), v.clone())),
            }
        }
        if !env.iter().any(|(k, _)| k == "HOME") {
            env.push(("HOME".to_owned(), home.to_owned()));
        }
        env
    }
}
