//! Docker image reference normalisation, the way `docker pull` reads a name:
//! `node` → `docker.io/library/node:latest`, `diamol/node` →
//! `docker.io/diamol/node:latest`, `index.docker.io/library/node:20` →
//! `docker.io/library/node:20`.
//!
//! Digests (`@sha256:…`) are recognised but not supported by the offline
//! catalog, so they are reported as their own error rather than as "invalid".

use super::CatalogError;

/// The registry Docker assumes when a reference names none.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The namespace Docker Hub gives official images (`node` = `library/node`).
pub const OFFICIAL_NAMESPACE: &str = "library";
/// The tag Docker assumes when a reference names none.
pub const DEFAULT_TAG: &str = "latest";

/// A reference split into its parts, already normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `docker.io`, or the registry host the reference named.
    pub domain: String,
    /// `library/node`, `diamol/node`.
    pub path: String,
    /// `latest` when the reference named no tag.
    pub tag: String,
}

impl Reference {
    /// Parses and normalises `text`. Only syntax is checked here; whether the
    /// image exists is the catalog's business.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(invalid(text, "empty reference"));
        }
        if trimmed.contains('@') {
            return Err(CatalogError::DigestUnsupported {
                reference: trimmed.to_string(),
            });
        }
        let (name, tag) = split_tag(trimmed);
        let tag = match tag {
            Some(t) => {
                check_tag(trimmed, t)?;
                t.to_string()
            }
            None => DEFAULT_TAG.to_string(),
        };
        let (domain, path) = split_domain(name);
        if path.is_empty() {
            return Err(invalid(text, "missing repository name"));
        }
        for component in path.split('/') {
            check_component(trimmed, component)?;
        }
        let path = if domain == DEFAULT_DOMAIN && !path.contains('/') {
            format!("{OFFICIAL_NAMESPACE}/{path}")
        } else {
            path.to_string()
        };
        Ok(Reference { domain, path, tag })
    }

    /// `docker.io/library/node:20`: the form BuildKit prints.
    pub fn full(&self) -> String {
        format!("{}/{}:{}", self.domain, self.path, self.tag)
    }

    /// `node` or `diamol/node`: the repository as the classic builder and
    /// `docker images` print it (Docker's "familiar name", without tag).
    pub fn familiar_repository(&self) -> String {
        if self.domain != DEFAULT_DOMAIN {
            return format!("{}/{}", self.domain, self.path);
        }
        match self.path.strip_prefix("library/") {
            Some(short) => short.to_string(),
            None => self.path.clone(),
        }
    }

    /// `node:20`, `diamol/node:latest`.
    pub fn familiar(&self) -> String {
        format!("{}:{}", self.familiar_repository(), self.tag)
    }
}

fn invalid(reference: &str, reason: &str) -> CatalogError {
    CatalogError::InvalidReference {
        reference: reference.to_string(),
        reason: reason.to_string(),
    }
}

/// The tag is after the last `:` that comes after the last `/`, so a
/// registry port (`localhost:5000/app`) is not mistaken for a tag.
fn split_tag(text: &str) -> (&str, Option<&str>) {
    let last_slash = text.rfind('/').map_or(0, |i| i + 1);
    match text[last_slash..].rfind(':') {
        Some(i) => {
            let at = last_slash + i;
            (&text[..at], Some(&text[at + 1..]))
        }
        None => (text, None),
    }
}

/// Docker treats the first component as a registry only when it looks like a
/// host: it has a `.` or a `:` or is `localhost`.
fn split_domain(name: &str) -> (String, &str) {
    if let Some((first, rest)) = name.split_once('/') {
        if first.contains('.') || first.contains(':') || first == "localhost" {
            let domain = if first == "index.docker.io" || first == "registry-1.docker.io" {
                DEFAULT_DOMAIN.to_string()
            } else {
                first.to_string()
            };
            return (domain, rest);
        }
    }
    (DEFAULT_DOMAIN.to_string(), name)
}

fn check_tag(reference: &str, tag: &str) -> Result<(), CatalogError> {
    let valid_first = tag
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let valid_rest = tag
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if tag.is_empty() || tag.len() > 128 || !valid_first || !valid_rest {
        return Err(invalid(reference, "invalid tag"));
    }
    Ok(())
}

/// A path component: lowercase alphanumerics separated by `.`, `_`, `__` or
/// runs of `-`, as Docker's grammar says.
fn check_component(reference: &str, component: &str) -> Result<(), CatalogError> {
    if component.is_empty() {
        return Err(invalid(reference, "empty path component"));
    }
    if component.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(invalid(reference, "repository name must be lowercase"));
    }
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Err(invalid(reference, "invalid repository name"));
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__`, or one or more `-`.
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return Err(invalid(reference, "invalid repository name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(text: &str) -> String {
        match Reference::parse(text) {
            Ok(r) => r.full(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(full("node"), "docker.io/library/node:latest");
        assert_eq!(full("node:20"), "docker.io/library/node:20");
        assert_eq!(full("library/node:20"), "docker.io/library/node:20");
        assert_eq!(
            full("docker.io/library/node:20"),
            "docker.io/library/node:20"
        );
        assert_eq!(
            full("index.docker.io/library/node"),
            "docker.io/library/node:latest"
        );
        assert_eq!(full("docker.io/node"), "docker.io/library/node:latest");
        assert_eq!(full("diamol/node"), "docker.io/diamol/node:latest");
        assert_eq!(full("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(full("ghcr.io/a/b:1.0"), "ghcr.io/a/b:1.0");
    }

    #[test]
    fn familiar_names() {
        let r = Reference::parse("docker.io/library/node:20").unwrap();
        assert_eq!(r.familiar_repository(), "node");
        assert_eq!(r.familiar(), "node:20");
        let r = Reference::parse("diamol/node").unwrap();
        assert_eq!(r.familiar_repository(), "diamol/node");
    }

    #[test]
    fn rejects_bad_references() {
        assert!(matches!(
            Reference::parse("Node"),
            Err(CatalogError::InvalidReference { .. })
        ));
        assert!(matches!(
            Reference::parse(""),
            Err(CatalogError::InvalidReference { .. })
        ));
        assert!(matches!(
            Reference::parse("node:"),
            Err(CatalogError::InvalidReference { .. })
        ));
        assert!(matches!(
            Reference::parse("node:-x"),
            Err(CatalogError::InvalidReference { .. })
        ));
        assert!(matches!(
            Reference::parse("a..b"),
            Err(CatalogError::InvalidReference { .. })
        ));
        assert!(matches!(
            Reference::parse("node@sha256:abc"),
            Err(CatalogError::DigestUnsupported { .. })
        ));
    }
}
