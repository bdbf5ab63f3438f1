//! A layerlab in a real terminal, for the end-to-end tests: a tmux session
//! (killed when dropped), keys sent to it, its screen read until what a
//! test waits for shows, and how the program left the terminal.

use std::process::Command;
use std::time::{Duration, Instant};

pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tmux session by name.
pub struct Session(pub String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

impl Session {
    /// A detached session `name` of `cols`×`rows` running `cmd`.
    pub fn start(name: &str, (cols, rows): (u16, u16), cmd: &str) -> Session {
        let (cols, rows) = (cols.to_string(), rows.to_string());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &cols,
            "-y",
            &rows,
            cmd,
        ]);
        Session(name.to_string())
    }

    pub fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux(&["send-keys", "-t", &self.0, k]);
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    /// Types `text` as it is (no key names).
    pub fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.0, "-l", text]);
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Wait until `pred` holds for the screen; fail with the screen if not.
    pub fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_up_to(15, what, pred)
    }

    /// [`Session::wait`], for up to `secs` seconds (a debug build under the
    /// whole test suite's load is slow to preview a base image).
    pub fn wait_up_to(&self, secs: u64, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

pub fn pane(s: &Session, format: &str) -> String {
    tmux(&["display-message", "-p", "-t", &s.0, format])
        .trim()
        .to_string()
}

/// Wait up to `secs` for layerlab to exit; its exit status.
pub fn exited(s: &Session, secs: u64) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        let screen = s.screen();
        if let Some((_, rest)) = screen.split_once("EXIT=") {
            return rest.split_whitespace().next()?.parse().ok();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

pub fn assert_restored(s: &Session) {
    assert_eq!(pane(s, "#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(pane(s, "#{cursor_flag}"), "1", "cursor visible");
    assert_eq!(pane(s, "#{mouse_any_flag}"), "0", "mouse reporting off");
}
