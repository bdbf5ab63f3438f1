//! `RUN --mount=…`: the comma-separated options BuildKit's Dockerfile
//! frontend reads (`frontend/dockerfile/instructions/commands_runmount.go`),
//! checked here with its error messages, so a typo is reported at its line
//! and column before anything runs.

use crate::messages::Message;

/// What a mount puts at its target while the command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    /// Files of the build context, a stage or an image (read-only unless
    /// `rw`; writes are thrown away either way).
    Bind,
    /// A directory BuildKit keeps between builds, shared by `id`.
    Cache,
    /// An empty in-memory directory.
    Tmpfs,
    /// A file given with `docker build --secret`.
    Secret,
    /// An SSH agent socket given with `docker build --ssh`.
    Ssh,
}

impl MountType {
    pub fn name(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }

    fn parse(s: &str) -> Option<MountType> {
        Some(match s.to_ascii_lowercase().as_str() {
            "bind" => MountType::Bind,
            "cache" => MountType::Cache,
            "tmpfs" => MountType::Tmpfs,
            "secret" => MountType::Secret,
            "ssh" => MountType::Ssh,
            _ => return None,
        })
    }
}

/// How builds running at the same time share a cache mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    Shared,
    Private,
    Locked,
}

/// One `--mount` as BuildKit reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountType,
    /// `from=`: a stage name or index, or an image.
    pub from: Option<String>,
    /// `from` resolved to an earlier stage's index, when it names one.
    pub from_stage: Option<usize>,
    pub source: Option<String>,
    pub target: Option<String>,
    /// Bind, secret and ssh mounts are read-only unless `rw`; cache and
    /// tmpfs mounts writable unless `ro`.
    pub readonly: bool,
    /// Secret and ssh: fail when the build was not given it.
    pub required: bool,
    pub id: Option<String>,
    pub sharing: Sharing,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// tmpfs `size=`, in bytes.
    pub size: Option<u64>,
    /// The option string as written: BuildKit's key holds the mount's
    /// definition.
    pub text: String,
}

impl Mount {
    /// The path the command sees the mount at, before it is resolved
    /// against the working directory: secrets default to
    /// `/run/secrets/<id>`, the SSH socket to `/run/buildkit/ssh_agent.0`.
    pub fn target_path(&self) -> String {
        match (&self.target, self.kind) {
            (Some(t), _) => t.clone(),
            (None, MountType::Secret) => format!("/run/secrets/{}", self.secret_id()),
            (None, MountType::Ssh) => "/run/buildkit/ssh_agent.0".to_string(),
            (None, _) => String::new(),
        }
    }

    /// A secret's id: `id=`, else `source=`, else the target's file name.
    pub fn secret_id(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.source.clone())
            .or_else(|| {
                self.target
                    .as_deref()
                    .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
            })
            .unwrap_or_default()
    }

    /// A cache mount's id: `id=`, else its target.
    pub fn cache_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| self.target_path())
    }
}

/// What is wrong with a `--mount` value, in BuildKit's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountProblem {
    Csv {
        reason: String,
    },
    NotKeyValue {
        field: String,
    },
    UnexpectedKey {
        key: String,
        field: String,
    },
    KeyForType {
        key: String,
        kind: String,
    },
    UnsupportedType {
        value: String,
    },
    InvalidValue {
        key: String,
        value: String,
    },
    InvalidNumber {
        key: String,
        value: String,
    },
    UnsupportedSharing {
        value: String,
    },
    FileInfoNotAllowed {
        key: String,
        kind: String,
    },
    SecretFrom,
    SecretSharing,
    SecretNoTarget,
    SecretSourceAndId,
    SharingNotCache {
        kind: String,
    },
    /// No target (or `/`) for a bind, cache or tmpfs mount.
    InvalidTarget {
        target: String,
    },
}

impl MountProblem {
    pub fn text(&self) -> Message {
        use MountProblem as P;
        match self {
            P::Csv { reason } => Message::new("diag.mount.csv").arg("reason", reason),
            P::NotKeyValue { field } => {
                Message::new("diag.mount.not_key_value").arg("field", field)
            }
            P::UnexpectedKey { key, field } => Message::new("diag.mount.unexpected_key")
                .arg("key", key)
                .arg("field", field),
            P::KeyForType { key, kind } => Message::new("diag.mount.key_for_type")
                .arg("key", key)
                .arg("type", kind),
            P::UnsupportedType { value } => {
                Message::new("diag.mount.unsupported_type").arg("value", format!("{value:?}"))
            }
            P::InvalidValue { key, value } => Message::new("diag.mount.invalid_value")
                .arg("key", key)
                .arg("value", value),
            P::InvalidNumber { key, value } => Message::new("diag.mount.invalid_number")
                .arg("key", key)
                .arg("value", value),
            P::UnsupportedSharing { value } => {
                Message::new("diag.mount.unsupported_sharing").arg("value", format!("{value:?}"))
            }
            P::FileInfoNotAllowed { key, kind } => Message::new("diag.mount.file_info_not_allowed")
                .arg("key", key)
                .arg("type", format!("{kind:?}")),
            P::SecretFrom => Message::new("diag.mount.secret_from"),
            P::SecretSharing => Message::new("diag.mount.secret_sharing"),
            P::SecretNoTarget => Message::new("diag.mount.secret_no_target"),
            P::SecretSourceAndId => Message::new("diag.mount.secret_source_and_id"),
            P::SharingNotCache { kind } => {
                Message::new("diag.mount.sharing_not_cache").arg("type", kind)
            }
            P::InvalidTarget { target } => {
                Message::new("diag.mount.invalid_target").arg("target", format!("{target:?}"))
            }
        }
    }
}

/// A problem and where in the option string it is (a character offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountError {
    pub problem: MountProblem,
    pub offset: usize,
}

/// One field of the option string and its character offset.
struct Field {
    text: String,
    offset: usize,
}

/// Go's `encoding/csv` on one line, as BuildKit reads the option string:
/// commas separate fields, a field may be quoted (`""` inside is a quote).
fn csv_fields(value: &str) -> Result<Vec<Field>, MountError> {
    let chars: Vec<char> = value.chars().collect();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let offset = i;
        let mut text = String::new();
        if chars.get(i) == Some(&'"') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(MountError {
                            problem: MountProblem::Csv {
                                reason: format!(
                                    "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                                    chars.len() + 1
                                ),
                            },
                            offset,
                        })
                    }
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        text.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            if !matches!(chars.get(i), None | Some(',')) {
                return Err(MountError {
                    problem: MountProblem::Csv {
                        reason: format!(
                            "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                            i + 1
                        ),
                    },
                    offset: i,
                });
            }
        } else {
            while let Some(&c) = chars.get(i) {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return Err(MountError {
                        problem: MountProblem::Csv {
                            reason: format!(
                                "parse error on line 1, column {}: bare \" in non-quoted-field",
                                i + 1
                            ),
                        },
                        offset: i,
                    });
                }
                text.push(c);
                i += 1;
            }
        }
        fields.push(Field { text, offset });
        if chars.get(i) == Some(&',') {
            i += 1;
        } else {
            return Ok(fields);
        }
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// docker's `units.RAMInBytes`: a number with an optional binary unit
/// (`64m`, `1GiB`).
fn parse_ram(s: &str) -> Option<u64> {
    let lower = s.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: u64 = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        "p" => 1 << 50,
        _ => return None,
    };
    let bytes = n * mult as f64;
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// Parse one `--mount` value as BuildKit's frontend does, in the same
/// order, so the first problem it would report is the one reported here.
pub fn parse_mount(value: &str) -> Result<Mount, MountError> {
    let fields = csv_fields(value)?;
    let mut m = Mount {
        kind: MountType::Bind,
        from: None,
        from_stage: None,
        source: None,
        target: None,
        readonly: true,
        required: false,
        id: None,
        sharing: Sharing::Shared,
        mode: None,
        uid: None,
        gid: None,
        size: None,
        text: value.to_string(),
    };
    let mut ro_auto = true;
    let mut sharing_set = false;
    let mut at = 0;
    for f in &fields {
        at = f.offset;
        let fail = |problem| {
            Err(MountError {
                problem,
                offset: f.offset,
            })
        };
        let (key, val) = match f.text.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), v.to_string()),
            None => {
                let key = f.text.to_ascii_lowercase();
                match key.as_str() {
                    "readonly" | "ro" => {
                        m.readonly = true;
                        ro_auto = false;
                    }
                    "readwrite" | "rw" => {
                        m.readonly = false;
                        ro_auto = false;
                    }
                    "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => {
                        m.required = true;
                    }
                    "required" => {
                        return fail(MountProblem::KeyForType {
                            key,
                            kind: m.kind.name().into(),
                        })
                    }
                    _ => {
                        return fail(MountProblem::NotKeyValue {
                            field: f.text.clone(),
                        })
                    }
                }
                continue;
            }
        };
        let bad_value = || MountProblem::InvalidValue {
            key: key.clone(),
            value: val.clone(),
        };
        let bad_number = |name: &str| MountProblem::InvalidNumber {
            key: name.into(),
            value: val.clone(),
        };
        match key.as_str() {
            "type" => match MountType::parse(&val) {
                Some(t) => m.kind = t,
                None => return fail(MountProblem::UnsupportedType { value: val }),
            },
            "from" => m.from = Some(val),
            "source" | "src" => m.source = Some(val),
            "target" | "dst" | "destination" => m.target = Some(val),
            "readonly" | "ro" => match parse_bool(&val) {
                Some(b) => {
                    m.readonly = b;
                    ro_auto = false;
                }
                None => return fail(bad_value()),
            },
            "readwrite" | "rw" => match parse_bool(&val) {
                Some(b) => {
                    m.readonly = !b;
                    ro_auto = false;
                }
                None => return fail(bad_value()),
            },
            "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => {
                match parse_bool(&val) {
                    Some(b) => m.required = b,
                    None => return fail(bad_value()),
                }
            }
            "size" if m.kind == MountType::Tmpfs => match parse_ram(&val) {
                Some(n) => m.size = Some(n),
                None => return fail(bad_value()),
            },
            "required" | "size" => {
                return fail(MountProblem::KeyForType {
                    key,
                    kind: m.kind.name().into(),
                })
            }
            "id" => m.id = Some(val),
            "sharing" => {
                m.sharing = match val.to_ascii_lowercase().as_str() {
                    "shared" => Sharing::Shared,
                    "private" => Sharing::Private,
                    "locked" => Sharing::Locked,
                    _ => return fail(MountProblem::UnsupportedSharing { value: val }),
                };
                sharing_set = true;
            }
            "mode" => match u32::from_str_radix(&val, 8) {
                Ok(n) => m.mode = Some(n),
                Err(_) => return fail(bad_number("mode")),
            },
            "uid" => match val.parse::<u32>() {
                Ok(n) => m.uid = Some(n),
                Err(_) => return fail(bad_number("uid")),
            },
            "gid" => match val.parse::<u32>() {
                Ok(n) => m.gid = Some(n),
                Err(_) => return fail(bad_number("gid")),
            },
            _ => {
                return fail(MountProblem::UnexpectedKey {
                    key,
                    field: f.text.clone(),
                })
            }
        }
    }
    // What BuildKit checks once every field is read; it reports these for
    // the whole value, so they point at its last field.
    let fail = |problem| {
        Err(MountError {
            problem,
            offset: at,
        })
    };
    let kind = m.kind.name().to_string();
    if !matches!(
        m.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    ) {
        for (key, set) in [
            ("mode", m.mode.is_some()),
            ("uid", m.uid.is_some()),
            ("gid", m.gid.is_some()),
        ] {
            if set {
                return fail(MountProblem::FileInfoNotAllowed {
                    key: key.into(),
                    kind,
                });
            }
        }
    }
    if ro_auto {
        m.readonly = !matches!(m.kind, MountType::Cache | MountType::Tmpfs);
    }
    if m.kind == MountType::Secret {
        if m.from.is_some() {
            return fail(MountProblem::SecretFrom);
        }
        if sharing_set {
            return fail(MountProblem::SecretSharing);
        }
        if m.source.is_none() && m.target.is_none() && m.id.is_none() {
            return fail(MountProblem::SecretNoTarget);
        }
        if m.source.is_some() && m.id.is_some() {
            return fail(MountProblem::SecretSourceAndId);
        }
    }
    if sharing_set && m.kind != MountType::Cache {
        return fail(MountProblem::SharingNotCache { kind });
    }
    // The LLB conversion's check: a mount over `/` would hide the root.
    if matches!(
        m.kind,
        MountType::Bind | MountType::Cache | MountType::Tmpfs
    ) {
        let target = m.target.clone().unwrap_or_default();
        if target.trim_matches('/').is_empty() {
            return fail(MountProblem::InvalidTarget {
                target: if target.is_empty() {
                    "/".into()
                } else {
                    target
                },
            });
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(value: &str) -> MountProblem {
        parse_mount(value).expect_err(value).problem
    }

    #[test]
    fn bind_is_the_default_type_and_read_only() {
        let m = parse_mount("source=data.txt,target=/mnt/data.txt").unwrap();
        assert_eq!(m.kind, MountType::Bind);
        assert!(m.readonly);
        assert_eq!(m.source.as_deref(), Some("data.txt"));
        assert_eq!(m.target_path(), "/mnt/data.txt");
        let rw = parse_mount("type=bind,from=tools,src=/out,dst=/t,rw").unwrap();
        assert!(!rw.readonly);
        assert_eq!(rw.from.as_deref(), Some("tools"));
    }

    #[test]
    fn cache_defaults_its_id_to_the_target_and_is_writable() {
        let m = parse_mount("type=cache,target=/root/.cache").unwrap();
        assert_eq!(m.kind, MountType::Cache);
        assert!(!m.readonly);
        assert_eq!(m.cache_id(), "/root/.cache");
        assert_eq!(m.sharing, Sharing::Shared);
        let m =
            parse_mount("type=cache,id=pip,target=/c,sharing=locked,mode=0700,uid=1000").unwrap();
        assert_eq!(m.cache_id(), "pip");
        assert_eq!(m.sharing, Sharing::Locked);
        assert_eq!((m.mode, m.uid, m.gid), (Some(0o700), Some(1000), None));
    }

    #[test]
    fn secret_and_ssh_default_their_targets() {
        let m = parse_mount("type=secret,id=token").unwrap();
        assert_eq!(m.target_path(), "/run/secrets/token");
        assert!(!m.required);
        let m = parse_mount("type=secret,target=/etc/key.txt,required").unwrap();
        assert_eq!(m.secret_id(), "key.txt");
        assert!(m.required);
        let m = parse_mount("type=ssh").unwrap();
        assert_eq!(m.target_path(), "/run/buildkit/ssh_agent.0");
        let m = parse_mount("type=tmpfs,target=/t,size=64m").unwrap();
        assert_eq!(m.size, Some(64 << 20));
    }

    #[test]
    fn quoted_fields_are_read_as_csv() {
        let m = parse_mount("type=bind,\"source=a,b.txt\",target=/x").unwrap();
        assert_eq!(m.source.as_deref(), Some("a,b.txt"));
        assert!(matches!(problem("source=a\"b"), MountProblem::Csv { .. }));
        assert!(matches!(problem("\"source=ab"), MountProblem::Csv { .. }));
    }

    #[test]
    fn problems_use_buildkits_words() {
        let cases = [
            ("type=bind,foo=bar", "unexpected key 'foo' in 'foo=bar'"),
            ("type=cachex,target=/x", "unsupported mount type \"cachex\""),
            (
                "type=cache,target=/c,sharing=all",
                "unsupported sharing value \"all\"",
            ),
            (
                "type=bind,target=/b,mode=0755",
                "mode not allowed for \"bind\" type mounts",
            ),
            ("target=/b,ro=maybe", "invalid value for ro: maybe"),
            (
                "type=tmpfs,target=/t,required",
                "unexpected key 'required' for mount type 'tmpfs'",
            ),
            (
                "type=secret",
                "invalid secret mount. one of source, target required",
            ),
            ("type=cache", "invalid mount target \"/\""),
            ("type=cache,target=/c,uid=me", "invalid value me for uid"),
            (
                "type=bind,target",
                "invalid field 'target' must be a key=value pair",
            ),
            (
                "type=tmpfs,target=/t,sharing=private",
                "invalid cache sharing set for tmpfs mount",
            ),
            (
                "type=secret,id=a,source=b",
                "both source and id can't be set",
            ),
        ];
        for (value, want) in cases {
            let got = problem(value).text().render(crate::messages::Lang::En);
            assert_eq!(got, want, "{value}");
        }
    }

    #[test]
    fn a_problem_points_at_its_field() {
        let e = parse_mount("type=cache,target=/c,sharing=all").unwrap_err();
        assert_eq!(e.offset, "type=cache,target=/c,".len());
    }
}
