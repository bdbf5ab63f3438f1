//! Command lines as docker reads them: shell-like words, an optional
//! `docker` (and `VAR=value` before it), the longest command path, then
//! pflag-style flags anywhere among the arguments. Errors are docker's own.

use crate::command::spec::{Arity, CommandSpec, FlagSpec, Help, Invocation, Request, Topic};
use crate::command::table;
use std::fmt;

/// Why a line did not parse, worded as the docker CLI words it. `command` is
/// the path docker names the command by, empty for docker itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    UnterminatedQuote,
    UnknownCommand(String),
    UnknownFlag {
        command: String,
        flag: String,
    },
    UnknownShorthand {
        command: String,
        flag: char,
        word: String,
    },
    NeedsArgument {
        command: String,
        flag: String,
    },
    /// A flag error on docker itself or a group: docker follows it with the
    /// help of what was typed.
    WithHelp {
        error: Box<ParseError>,
        help: Vec<String>,
    },
    Arity {
        command: String,
        want: Arity,
        /// The whole `Usage:  docker …` line.
        usage: String,
        doc: String,
    },
}

impl ParseError {
    /// The exit status docker gives it: its CLI answers a flag it cannot
    /// read with 125 (the status it keeps for its own errors, apart from a
    /// command's), a wrong number of arguments or an unknown command with 1.
    pub fn status(&self) -> i32 {
        match self {
            ParseError::UnknownFlag { .. }
            | ParseError::UnknownShorthand { .. }
            | ParseError::NeedsArgument { .. } => 125,
            ParseError::WithHelp { error, .. } => error.status(),
            ParseError::UnterminatedQuote
            | ParseError::UnknownCommand(_)
            | ParseError::Arity { .. } => 1,
        }
    }
}

/// `docker image ls` for `image ls`, `docker` for docker itself.
fn docker(command: &str) -> String {
    if command.is_empty() {
        "docker".into()
    } else {
        format!("docker {command}")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::UnterminatedQuote => write!(f, "unterminated quoted string"),
            ParseError::UnknownCommand(c) => write!(
                f,
                "docker: '{c}' is not a docker command.\nSee 'docker --help'"
            ),
            ParseError::UnknownFlag { command, flag } => {
                write!(f, "unknown flag: {flag}\nSee '{} --help'.", docker(command))
            }
            ParseError::UnknownShorthand {
                command,
                flag,
                word,
            } => write!(
                f,
                "unknown shorthand flag: '{flag}' in {word}\nSee '{} --help'.",
                docker(command)
            ),
            ParseError::NeedsArgument { command, flag } => write!(
                f,
                "flag needs an argument: {flag}\nSee '{} --help'.",
                docker(command)
            ),
            ParseError::WithHelp { error, help } => {
                write!(f, "{error}\n\n{}\n", help.join("\n"))
            }
            ParseError::Arity {
                command,
                want,
                usage,
                doc,
            } => {
                let (how, n) = match want {
                    Arity::Exactly(n) => ("exactly".to_string(), *n),
                    Arity::AtLeast(n) => ("at least".to_string(), *n),
                    Arity::AtMost(n) => ("at most".to_string(), *n),
                    Arity::Between(lo, hi) => (format!("at least {lo} and at most"), *hi),
                };
                let noun = if n == 1 { "argument" } else { "arguments" };
                if n == 0 {
                    write!(f, "\"docker {command}\" accepts no arguments.")?;
                } else {
                    write!(f, "\"docker {command}\" requires {how} {n} {noun}.")?;
                }
                write!(f, "\nSee 'docker {command} --help'.\n\n{usage}\n\n{doc}")
            }
        }
    }
}

/// Split a line into words: single and double quotes, backslash escapes.
pub fn words(line: &str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch) => cur.push(ch),
                            None => return Err(ParseError::UnterminatedQuote),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// `NAME=value` words, then an optional `docker`, then the command words.
fn strip_prefix(words: &[String]) -> (Vec<(String, String)>, &[String]) {
    let mut env = Vec::new();
    let mut i = 0;
    while let Some((k, v)) = words.get(i).and_then(|w| w.split_once('=')) {
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            break;
        }
        env.push((k.to_string(), v.to_string()));
        i += 1;
    }
    if words.get(i).map(String::as_str) == Some("docker") {
        i += 1;
    }
    (env, &words[i..])
}

/// The command whose path is the longest prefix of `words`, and that path.
fn find_command(words: &[String]) -> Option<(&'static CommandSpec, &'static [&'static str])> {
    let mut best: Option<(&'static CommandSpec, &'static [&'static str])> = None;
    for spec in table::commands() {
        for path in spec.paths() {
            let n = path.len();
            let matches = words.len() >= n && path.iter().zip(words).all(|(p, w)| p == w);
            if matches && best.is_none_or(|(_, m)| n > m.len()) {
                best = Some((spec, path));
            }
        }
    }
    best
}

/// The words after a command path: its flags, its arguments, and whether
/// help was asked.
#[derive(Default)]
struct Words {
    flags: Vec<(&'static str, String)>,
    args: Vec<String>,
    help: bool,
    /// Help was asked as `-h`.
    shorthand: bool,
}

/// Read pflag-style flags anywhere among the arguments. `--help` and `-h`
/// are every command's, as in docker, unless the command has its own.
/// Without `interspersed`, the first argument ends the flags: what follows
/// is the container's command line, flags and all.
fn read_words(
    words: &[String],
    specs: &'static [FlagSpec],
    command: &str,
    interspersed: bool,
) -> Result<Words, ParseError> {
    let mut out = Words::default();
    let mut iter = words.iter();
    let mut only_args = false;
    while let Some(w) = iter.next() {
        if only_args || w == "-" || !w.starts_with('-') {
            out.args.push(w.clone());
            only_args |= !interspersed;
        } else if w == "--" {
            only_args = true;
        } else if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (long, None),
            };
            let Some(flag) = specs.iter().find(|f| f.long == name) else {
                if name == "help" {
                    out.help |= inline.is_none_or(|v| v != "false");
                    continue;
                }
                return Err(ParseError::UnknownFlag {
                    command: command.into(),
                    flag: format!("--{name}"),
                });
            };
            let value = match (flag.value, inline) {
                (None, v) => v.unwrap_or_else(|| "true".into()),
                (Some(_), Some(v)) => v,
                (Some(_), None) => match iter.next() {
                    Some(v) => v.clone(),
                    None => {
                        return Err(ParseError::NeedsArgument {
                            command: command.into(),
                            flag: format!("--{name}"),
                        })
                    }
                },
            };
            out.flags.push((flag.long, value));
        } else {
            // `-qa`, `-tname`, `-t name`.
            let shorts = &w[1..];
            for (i, c) in shorts.char_indices() {
                let Some(flag) = specs.iter().find(|f| f.short == Some(c)) else {
                    if c == 'h' {
                        out.help = true;
                        out.shorthand = true;
                        continue;
                    }
                    return Err(ParseError::UnknownShorthand {
                        command: command.into(),
                        flag: c,
                        word: w.clone(),
                    });
                };
                if flag.value.is_none() {
                    out.flags.push((flag.long, "true".into()));
                    continue;
                }
                let tail = &shorts[i + c.len_utf8()..];
                let tail = tail.strip_prefix('=').unwrap_or(tail);
                let value = if !tail.is_empty() {
                    tail.to_string()
                } else {
                    match iter.next() {
                        Some(v) => v.clone(),
                        None => {
                            return Err(ParseError::NeedsArgument {
                                command: command.into(),
                                flag: format!("'{c}' in -{c}"),
                            })
                        }
                    }
                };
                out.flags.push((flag.long, value));
                break;
            }
        }
    }
    Ok(out)
}

/// Parse a full command line.
pub fn parse(line: &str) -> Result<Request, ParseError> {
    let all = words(line)?;
    let (env, rest) = strip_prefix(&all);
    let Some((spec, path)) = find_command(rest) else {
        return parse_no_command(rest);
    };
    let n = path.len();
    let command = spec.shown_path(path).join(" ");
    let read = read_words(&rest[n..], spec.flags, &command, spec.interspersed)?;
    if read.help {
        return Ok(Request::Help(Help {
            topic: Topic::Command(spec, path),
            shorthand: read.shorthand,
            unasked: false,
        }));
    }
    let k = read.args.len();
    let ok = match spec.arity {
        Arity::Exactly(want) => k == want,
        Arity::AtLeast(want) => k >= want,
        Arity::AtMost(want) => k <= want,
        Arity::Between(lo, hi) => (lo..=hi).contains(&k),
    };
    if !ok {
        return Err(ParseError::Arity {
            command,
            want: spec.arity,
            usage: spec.usage_line(path),
            doc: spec.doc.to_string(),
        });
    }
    Ok(Request::Run(Invocation {
        spec,
        typed: rest[..n].join(" "),
        flags: read.flags,
        args: read.args,
        env,
    }))
}

/// A line that reaches no command: docker itself or one of its groups, with
/// `--help`, alone, or followed by what is not a command. As in docker, a
/// bad flag is named first, then help is given, then the word is refused.
fn parse_no_command(rest: &[String]) -> Result<Request, ParseError> {
    let group = rest.first().and_then(|w| table::group(w));
    let (topic, command, after) = match group {
        Some(g) => (Topic::Group(g), g.name, &rest[1..]),
        None => (Topic::Docker, "", rest),
    };
    // Docker's own options (--config, --debug, …) are not layerlab's.
    let read = read_words(after, &[], command, true).map_err(|error| ParseError::WithHelp {
        error: Box::new(error),
        help: match topic {
            Topic::Group(g) => crate::command::help::group_help(g),
            _ => crate::command::help::docker_help(),
        },
    })?;
    if !read.help && !read.args.is_empty() {
        let shown: Vec<&str> = rest
            .iter()
            .take_while(|w| !w.starts_with('-'))
            .take(2)
            .map(String::as_str)
            .collect();
        return Err(ParseError::UnknownCommand(shown.join(" ")));
    }
    Ok(Request::Help(Help {
        topic,
        shorthand: read.shorthand,
        unasked: !read.help,
    }))
}

/// Completions of `line` as whole lines: the next word of a command path,
/// or a flag of the command typed so far. Sorted, without duplicates.
pub fn complete(line: &str) -> Vec<String> {
    let Ok(all) = words(line) else {
        return Vec::new();
    };
    let ends_in_space = line.ends_with(' ') || line.is_empty();
    let (done, partial): (&[String], &str) = if ends_in_space {
        (&all, "")
    } else {
        match all.split_last() {
            Some((last, init)) => (init, last.as_str()),
            None => (&all, ""),
        }
    };
    // Everything before the word being completed, kept as typed.
    let head = &line[..line.len() - partial.len()];
    let (_, cmd_words) = strip_prefix(done);
    let mut out: Vec<String> = Vec::new();
    if done.is_empty()
        && !partial.is_empty()
        && "docker".starts_with(partial)
        && partial != "docker"
    {
        out.push(format!("{head}docker "));
    }
    if let Some((spec, path)) = find_command(cmd_words) {
        if cmd_words.len() >= path.len() && partial.starts_with('-') {
            for f in spec.flags {
                let long = format!("--{}", f.long);
                if long.starts_with(partial) {
                    out.push(format!("{head}{long} "));
                }
            }
        }
    }
    // Next word of any path that extends what is typed.
    for spec in table::commands() {
        for path in spec.paths() {
            if path.len() > cmd_words.len()
                && path.iter().zip(cmd_words).all(|(p, w)| p == w)
                && path[cmd_words.len()].starts_with(partial)
            {
                out.push(format!("{head}{} ", path[cmd_words.len()]));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Invocation {
        match parse(line).unwrap() {
            Request::Run(inv) => inv,
            Request::Help(h) => panic!("{line}: help for {:?}", h.topic),
        }
    }

    #[test]
    fn docker_build_with_flags_anywhere() {
        let inv = run("docker build -t web:v1 . --no-cache --build-arg A=1 -f=Dockerfile");
        assert_eq!(inv.spec.name(), "image build");
        assert_eq!(inv.typed, "build");
        assert_eq!(inv.args, vec!["."]);
        assert_eq!(inv.value("tag"), Some("web:v1"));
        assert!(inv.has("no-cache"));
        assert_eq!(inv.value("file"), Some("Dockerfile"));
        assert_eq!(inv.values("build-arg").collect::<Vec<_>>(), vec!["A=1"]);
    }

    #[test]
    fn docker_is_optional_and_env_prefix_is_read() {
        let inv = run("DOCKER_BUILDKIT=0 docker image build .");
        assert_eq!(inv.env("DOCKER_BUILDKIT"), Some("0"));
        let inv = run("images -q");
        assert_eq!(inv.spec.name(), "image ls");
        assert!(inv.has("quiet"));
    }

    #[test]
    fn errors_are_dockers() {
        let e = parse("docker build --nmae x .").unwrap_err().to_string();
        assert_eq!(e, "unknown flag: --nmae\nSee 'docker build --help'.");
        let e = parse("docker images -x").unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown shorthand flag: 'x' in -x\nSee 'docker images --help'."
        );
        let e = parse("docker image build").unwrap_err().to_string();
        assert!(e.starts_with("\"docker image build\" requires exactly 1 argument.\n"));
        assert!(e.contains("Usage:  docker image build [OPTIONS] PATH | URL | -"));
        let e = parse("docker frobnicate").unwrap_err().to_string();
        assert!(e.starts_with("docker: 'frobnicate' is not a docker command."));
        let e = parse("docker build -t").unwrap_err().to_string();
        assert!(e.starts_with("flag needs an argument: 't' in -t"));
        assert_eq!(
            parse("docker builder prune x")
                .unwrap_err()
                .to_string()
                .lines()
                .next(),
            Some("\"docker builder prune\" accepts no arguments.")
        );
    }

    #[test]
    fn quotes_group_words() {
        assert_eq!(
            words(r#"build --build-arg "A=b c" 'x y' z\ w"#).unwrap(),
            vec!["build", "--build-arg", "A=b c", "x y", "z w"]
        );
        assert_eq!(words("\"open").unwrap_err(), ParseError::UnterminatedQuote);
    }

    #[test]
    fn completion_offers_paths_and_flags() {
        assert_eq!(complete("dock"), vec!["docker "]);
        assert!(complete("docker im").contains(&"docker image ".to_string()));
        assert!(complete("docker im").contains(&"docker images ".to_string()));
        assert_eq!(complete("docker image hi"), vec!["docker image history "]);
        assert_eq!(
            complete("docker build --no"),
            vec!["docker build --no-cache "]
        );
        assert!(complete("docker builder ").contains(&"docker builder prune ".to_string()));
    }
}
