//! Where something is in a Dockerfile's text: what every AST node and every
//! diagnostic carries (its own module, so the AST and the diagnostics both
//! stand on it without importing each other).

use serde::Serialize;

/// A place in the source. Lines and columns are 1-based; `column` counts
/// characters (not bytes) so a caret lines up under Korean text; `start..end`
/// is the byte range in the Dockerfile's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
}
