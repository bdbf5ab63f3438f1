//! What a simulated program is to the interpreter: a [`Command`] gets the
//! running [`Shell`] (filesystem, variables, directory, user, clock), its
//! argv (argv\[0\] as typed) and an [`Io`] — stdin to read, stdout/stderr
//! to fill — and returns the exit status. The [`Registry`] holds them by
//! name; the applets in [`commands`](crate::shell::commands) and the package
//! managers fill it.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use super::Shell;

/// A simulated program.
pub trait Command: Send + Sync {
    fn run(&self, sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32;
}

impl<F> Command for F
where
    F: Fn(&mut Shell<'_, '_>, &[String], &mut Io) -> i32 + Send + Sync,
{
    fn run(&self, sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
        self(sh, argv, io)
    }
}

/// A command's standard streams.
#[derive(Default)]
pub struct Io {
    stdin: Option<Rc<[u8]>>,
    stdin_pos: usize,
    stdin_used: bool,
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

impl fmt::Debug for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Io")
            .field("out", &self.out.len())
            .field("err", &self.err.len())
            .finish()
    }
}

impl Io {
    pub(crate) fn new(stdin: Rc<[u8]>, pos: usize) -> Self {
        Self {
            stdin: Some(stdin),
            stdin_pos: pos,
            ..Self::default()
        }
    }

    /// Reads all of stdin (marking it consumed).
    pub fn stdin(&mut self) -> &[u8] {
        self.stdin_used = true;
        match &self.stdin {
            Some(d) => &d[self.stdin_pos.min(d.len())..],
            None => &[],
        }
    }

    pub(crate) fn stdin_used(&self) -> bool {
        self.stdin_used
    }

    pub(crate) fn stdin_end(&self) -> usize {
        self.stdin.as_ref().map_or(0, |d| d.len())
    }

    pub fn print(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    pub fn eprint(&mut self, s: &str) {
        self.err.extend_from_slice(s.as_bytes());
    }

    /// `APPLET: MSG\n` on stderr, busybox's error shape.
    pub fn error(&mut self, applet: &str, msg: &str) {
        self.eprint(&format!("{applet}: {msg}\n"));
    }
}

#[derive(Clone)]
struct Entry {
    cmd: Arc<dyn Command>,
    busybox_applet: bool,
}

/// Commands by name.
#[derive(Clone, Default)]
pub struct Registry {
    entries: BTreeMap<String, Entry>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.keys()).finish()
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces `name`. `busybox_applet` says whether busybox's
    /// standalone shell finds it without a binary in `PATH`.
    pub fn register(&mut self, name: &str, busybox_applet: bool, cmd: Arc<dyn Command>) {
        self.entries.insert(
            name.to_owned(),
            Entry {
                cmd,
                busybox_applet,
            },
        );
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Command>> {
        self.entries.get(name).map(|e| Arc::clone(&e.cmd))
    }

    pub fn is_busybox_applet(&self, name: &str) -> bool {
        self.entries.get(name).is_some_and(|e| e.busybox_applet)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}
