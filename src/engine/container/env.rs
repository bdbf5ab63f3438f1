//! A container's environment: the image's `Env` overlaid by `--env-file`
//! lines and `-e` flags, as the docker CLI reads them and the daemon merges
//! them.

/// A bad `-e` value or env-file line, in the CLI's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error("invalid environment variable: {0}")]
    Invalid(String),
    #[error("poorly formatted environment: variable '{0}' contains whitespaces")]
    Whitespace(String),
    #[error("poorly formatted environment: no variable name on line '{0}'")]
    NoName(String),
}

/// The entries one env file gives (docker's `ParseEnvFile`): blank lines
/// and `#` comments skipped, leading whitespace trimmed, `K=V` kept as
/// written, a bare `K` taken from `host` (and dropped when `host` has none).
pub fn env_file(text: &str, host: &[(String, String)]) -> Result<Vec<String>, EnvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = match line.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (line, None),
        };
        let name = name.trim_start();
        if name.contains(char::is_whitespace) {
            return Err(EnvError::Whitespace(name.to_owned()));
        }
        if name.is_empty() {
            return Err(EnvError::NoName(line.to_owned()));
        }
        match value {
            Some(v) => out.push(format!("{name}={v}")),
            None => {
                if let Some((_, v)) = host.iter().find(|(k, _)| k == name) {
                    out.push(format!("{name}={v}"));
                }
            }
        }
    }
    Ok(out)
}

/// The container's Env: env files first, then `-e` flags (a bare `-e K`
/// takes `K` from `host`), each later entry replacing an earlier one of the
/// same name; then the image's entries the user did not set, in the
/// image's order (moby's `merge`).
///
/// A bare `-e K` that `host` lacks unsets the image's `K` (docker keeps the
/// bare `K` in the config, which no process sees as a variable).
pub fn overlay_env(
    image: &[(String, String)],
    env_files: &[String],
    flags: &[String],
    host: &[(String, String)],
) -> Result<Vec<(String, String)>, EnvError> {
    let mut given: Vec<(String, Option<String>)> = Vec::new();
    let mut set =
        |name: &str, value: Option<String>| match given.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => given.push((name.to_owned(), value)),
        };
    for text in env_files {
        for entry in env_file(text, host)? {
            let (k, v) = entry.split_once('=').unwrap_or((&entry, ""));
            set(k, Some(v.to_owned()));
        }
    }
    for flag in flags {
        match flag.split_once('=') {
            Some(("", _)) => return Err(EnvError::Invalid(flag.clone())),
            Some((k, v)) => set(k, Some(v.to_owned())),
            None if flag.is_empty() => return Err(EnvError::Invalid(flag.clone())),
            None => {
                let host_value = host.iter().find(|(k, _)| k == flag).map(|(_, v)| v.clone());
                set(flag, host_value);
            }
        }
    }
    let mut env: Vec<(String, String)> = Vec::new();
    for (k, v) in &given {
        if let Some(v) = v {
            env.push((k.clone(), v.clone()));
        }
    }
    for (k, v) in image {
        if !given.iter().any(|(name, _)| name == k) {
            env.push((k.clone(), v.clone()));
        }
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn flags_override_the_image_and_come_first() {
        let image = pairs(&[
            ("PATH", "/bin"),
            ("TARGET", "blog.sixeyed.com"),
            ("METHOD", "HEAD"),
        ]);
        let host = pairs(&[("INTERVAL", "5000")]);
        let env = overlay_env(
            &image,
            &[],
            &strings(&["TARGET=www.daum.net", "INTERVAL", "NOPE", "METHOD"]),
            &host,
        )
        .expect("valid");
        assert_eq!(
            env,
            pairs(&[
                ("TARGET", "www.daum.net"),
                ("INTERVAL", "5000"),
                ("PATH", "/bin"),
            ]),
            "a bare name the host lacks unsets the image's"
        );
    }

    #[test]
    fn env_files_come_before_flags() {
        let file = "\u{feff}# comment\n\n  A=1\nB= spaced \nHOSTVAR\nMISSING\n";
        let host = pairs(&[("HOSTVAR", "h")]);
        assert_eq!(
            env_file(file, &host).expect("parses"),
            strings(&["A=1", "B= spaced ", "HOSTVAR=h"])
        );
        let env = overlay_env(&[], &[file.to_string()], &strings(&["A=2"]), &host).expect("ok");
        assert_eq!(
            env,
            pairs(&[("A", "2"), ("B", " spaced "), ("HOSTVAR", "h")])
        );
    }

    #[test]
    fn bad_entries_fail_in_the_clis_words() {
        assert_eq!(
            overlay_env(&[], &[], &strings(&["=x"]), &[]).map_err(|e| e.to_string()),
            Err("invalid environment variable: =x".to_string())
        );
        assert_eq!(
            env_file("MY VAR=1\n", &[]).map_err(|e| e.to_string()),
            Err("poorly formatted environment: variable 'MY VAR' contains whitespaces".to_string())
        );
    }
}
