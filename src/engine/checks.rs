//! BuildKit's build checks (`docker build --check`) of a Dockerfile in its
//! build context: the analyzer's checks, given what they need from outside
//! the file — the context's `.dockerignore` and what makes an image
//! reference valid — which only the engine knows.

use crate::dockerfile::analyzer::IgnoredSource;
use crate::dockerfile::{CheckInputs, Compiled, Diagnostic};
use crate::engine::catalog::{CatalogError, Reference};
use crate::engine::dockerignore::DockerIgnore;

/// The checks of `compiled`, with the context's `.dockerignore` if it has
/// one, ordered by line.
pub fn build_checks(compiled: &Compiled, ignore: Option<&DockerIgnore>) -> Vec<Diagnostic> {
    let ignored = |source: &str| ignore.and_then(|i| i.copy_source_ignored(source));
    let valid_reference = |text: &str| {
        // A digest is a valid reference; the catalog only cannot serve it.
        matches!(
            Reference::parse(text),
            Ok(_) | Err(CatalogError::DigestUnsupported { .. })
        )
    };
    compiled.build_checks(CheckInputs {
        ignored: ignore.map(|_| &ignored as IgnoredSource<'_>),
        valid_reference: Some(&valid_reference),
    })
}
