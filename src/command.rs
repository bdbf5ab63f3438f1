//! The docker-like commands: one table of commands (name, aliases, doc,
//! signature, run) that the TUI's command bar, `layerlab docker`, docker's
//! help and the shell completions share.
//!
//! `spec` holds the vocabulary (flags, arity, invocation, the host trait,
//! output), `parse` reads a line, `help` writes docker's help, `output`
//! writes docker's other texts, `format` reads `--format` templates, and
//! the verbs sit in docker's groups (`image`, `container`, `system`,
//! `builder`), assembled by `table`.
//!
//! Pure: commands reach the engine only through the [`Host`] trait, so the
//! table parses, completes and runs without a terminal or a file system.

pub mod builder;
pub mod check;
pub mod container;
pub mod format;
pub mod help;
pub mod image;
pub mod output;
pub mod parse;
pub mod spec;
pub mod system;
pub mod table;

pub use parse::{complete, parse, ParseError};
pub use spec::{BuildRequest, Built, CommandSpec, FlagSpec, Host, Invocation, Output, Request};

/// Parse and run one command line (`docker …` or without `docker`).
pub fn run_line(line: &str, host: &mut dyn Host) -> Output {
    match parse::parse(line) {
        Ok(Request::Run(inv)) => (inv.spec.run)(&inv, host),
        Ok(Request::Help(h)) => help::render(&h),
        Err(e) => Output {
            status: e.status(),
            ..Output::error(e.to_string())
        },
    }
}
