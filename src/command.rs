//! The docker-like command table: one list of commands (name, aliases, doc,
//! signature, run) that the TUI's command bar and `layerlab docker` share.
//!
//! Pure: commands reach the engine only through the [`Host`] trait, so the
//! table parses, completes and runs without a terminal or a file system.

pub mod output;
pub mod parse;
pub mod table;

pub use parse::{complete, parse, Invocation, ParseError};
pub use table::{run_line, BuildRequest, Built, CommandSpec, FlagSpec, Host, Output, COMMANDS};
