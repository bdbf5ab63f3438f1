//! The Dockerfile front end: text → AST with spans → typed, expanded plan.
//!
//! [`compile`] is the one entry point from text to plan. Only `parser`
//! sees pest; everything else works on the plain AST in `ast`.

pub mod analyzer;
pub mod ast;
pub mod compile;
pub mod corpus_json;
pub mod diagnostic;
pub mod expand;
pub mod mount;
pub mod parser;
pub mod sample;
pub mod span;

pub use analyzer::CheckInputs;
pub use ast::{Dockerfile, Instruction, Keyword};
pub use compile::{compile, Compiled};
pub use diagnostic::{Diagnostic, DiagnosticKind, Severity};
pub use parser::parse;
pub use span::Span;
