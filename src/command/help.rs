//! Docker's help, generated from the table in docker 20.10's layout (the
//! usage template of docker/cli's `cli/cobra.go`, flags laid out as pflag's
//! `FlagUsagesWrapped` lays them out): the `Usage:` line, the description,
//! `Aliases:`, `Options:`, `Management Commands:` and `Commands:`.
//!
//! Deliberately, help lists only what layerlab runs: docker's other
//! commands, their flags and docker's global options are left out, so the
//! flag columns are as wide as layerlab's flags need, not docker's.

use crate::command::spec::{CommandSpec, FlagSpec, Group, Help, Output, Topic};
use crate::command::table;

/// Docker wraps flag texts to the terminal's width less one, and takes 80
/// columns when there is no terminal; layerlab always lays out for 80.
const COLUMNS: usize = 80;

/// Cobra pads command names to the longest sibling's, and to at least 11.
const MIN_NAME_PADDING: usize = 11;

/// What a help request prints, as docker prints it.
pub fn render(help: &Help) -> Output {
    let mut lines = match help.topic {
        Topic::Docker => docker_help(),
        Topic::Group(group) => group_help(group),
        Topic::Command(spec, typed) => command_help(spec, typed),
    };
    // Docker's help template opens with an empty line.
    lines.insert(0, String::new());
    if help.shorthand {
        lines.insert(
            0,
            "Flag shorthand -h has been deprecated, please use --help".into(),
        );
    }
    if help.unasked {
        // `docker` or `docker image` alone: the help goes to stderr, and
        // docker still exits 0.
        Output {
            stderr: lines,
            ..Output::default()
        }
    } else {
        Output::printed(lines)
    }
}

/// `docker image build --help`, for the command as `typed`.
pub fn command_help(spec: &CommandSpec, typed: &'static [&'static str]) -> Vec<String> {
    let mut out = vec![spec.usage_line(typed), String::new(), spec.doc.to_string()];
    let aliases = spec.alias_names(typed);
    if !aliases.is_empty() {
        out.push(String::new());
        out.push("Aliases:".into());
        out.push(format!("  {}", aliases.join(", ")));
    }
    let listed: Vec<FlagSpec> = (spec.flags.iter())
        .filter(|f| !NEWER_THAN_HELP.contains(&f.long))
        .copied()
        .collect();
    if !listed.is_empty() {
        out.push(String::new());
        out.push("Options:".into());
        out.extend(flag_lines(&listed, COLUMNS - 1));
    }
    out
}

/// Flags docker 20.10 does not have, taken from a newer docker (`build
/// --check`: BuildKit's build checks, Dockerfile frontend 1.8): accepted
/// and completed, but left out of the help, which is 20.10's word for word.
pub const NEWER_THAN_HELP: &[&str] = &["check"];

/// `docker image --help`.
pub fn group_help(group: &Group) -> Vec<String> {
    let mut out = vec![
        format!("Usage:  docker {} COMMAND", group.name),
        String::new(),
        group.doc.to_string(),
        String::new(),
        "Commands:".into(),
    ];
    out.extend(command_list(&commands_in(&[group.name])));
    out.push(String::new());
    out.push(format!(
        "Run 'docker {} COMMAND --help' for more information on a command.",
        group.name
    ));
    out
}

/// `docker --help`.
pub fn docker_help() -> Vec<String> {
    let mut groups: Vec<(&str, &str)> = table::GROUPS.iter().map(|g| (g.name, g.doc)).collect();
    groups.sort_unstable();
    let commands = commands_in(&[]);
    // Groups and commands are siblings: one padding for both lists.
    let pad = padding(groups.iter().chain(&commands));
    // Docker's usage line, though its global options are not layerlab's.
    let mut out = vec![
        "Usage:  docker [OPTIONS] COMMAND".to_string(),
        String::new(),
        "A self-sufficient runtime for containers".into(),
        String::new(),
        "Management Commands:".into(),
    ];
    out.extend(
        groups
            .iter()
            .map(|(name, doc)| format!("  {name:<pad$} {doc}")),
    );
    out.push(String::new());
    out.push("Commands:".into());
    out.extend(
        commands
            .iter()
            .map(|(name, doc)| format!("  {name:<pad$} {doc}")),
    );
    out.push(String::new());
    out.push("Run 'docker COMMAND --help' for more information on a command.".into());
    out.push(String::new());
    out.push(
        "To get more help with docker, check out our guides at https://docs.docker.com/go/guides/"
            .into(),
    );
    out
}

/// The commands docker has in `group` (`[]`: docker's top level), by name,
/// with their docs, sorted as cobra sorts them. A command's first path in
/// the group names it there; its other paths there are its aliases.
fn commands_in(group: &[&str]) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = table::commands()
        .filter_map(|spec| {
            spec.paths()
                .find(|p| p.len() == group.len() + 1 && p.starts_with(group))
                .map(|p| (p[group.len()], spec.doc))
        })
        .collect();
    out.sort_unstable();
    out
}

fn padding<'a>(entries: impl Iterator<Item = &'a (&'a str, &'a str)>) -> usize {
    entries
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0)
        .max(MIN_NAME_PADDING)
}

fn command_list(entries: &[(&str, &str)]) -> Vec<String> {
    let pad = padding(entries.iter());
    entries
        .iter()
        .map(|(name, doc)| format!("  {name:<pad$} {doc}"))
        .collect()
}

/// pflag's `FlagUsagesWrapped(cols)`: flags sorted by name, `  -f, --file
/// string` or `      --no-cache`, texts in one column three spaces past
/// the longest, wrapped to `cols`.
fn flag_lines(flags: &[FlagSpec], cols: usize) -> Vec<String> {
    let mut flags = flags.to_vec();
    flags.sort_by_key(|f| f.long);
    let heads: Vec<String> = flags
        .iter()
        .map(|f| {
            let mut head = match f.short {
                Some(c) => format!("  -{c}, --{}", f.long),
                None => format!("      --{}", f.long),
            };
            if let Some(kind) = f.value {
                head.push(' ');
                head.push_str(kind);
            }
            head
        })
        .collect();
    // pflag's maxlen counts the marker it ends each head with.
    let maxlen = heads.iter().map(|h| h.len() + 1).max().unwrap_or(0);
    let mut out = Vec::new();
    for (head, flag) in heads.iter().zip(&flags) {
        let spacing = " ".repeat(maxlen - head.len());
        let text = wrap(maxlen + 2, cols, flag.doc);
        out.extend(
            format!("{head} {spacing} {text}")
                .lines()
                .map(|l| l.trim_end().to_string()),
        );
    }
    out
}

/// pflag's `wrap`: `s` wrapped to `w` columns, continuation lines indented
/// by `i`, allowing a few columns of slop to avoid a short last word.
fn wrap(i: usize, w: usize, s: &str) -> String {
    let (mut i, mut room) = (i, w.saturating_sub(i));
    let mut r = String::new();
    // Not enough room beside the flags: the text starts on the next line.
    if room < 24 {
        i = 16;
        room = w.saturating_sub(i);
        r.push('\n');
        r.push_str(&" ".repeat(i));
    }
    let indent = format!("\n{}", " ".repeat(i));
    if room < 24 {
        return s.replace('\n', &r);
    }
    const SLOP: usize = 5;
    let room = room - SLOP;
    let (first, mut rest) = wrap_n(room, SLOP, s);
    r.push_str(&first.replace('\n', &indent));
    while !rest.is_empty() {
        let (line, more) = wrap_n(room, SLOP, rest);
        r.push_str(&indent);
        r.push_str(&line.replace('\n', &indent));
        rest = more;
    }
    r
}

/// pflag's `wrapN`: the first line of `s` (at most `i` bytes, or all of it
/// within `slop`) and the rest.
fn wrap_n(i: usize, slop: usize, s: &str) -> (&str, &str) {
    if i + slop > s.len() {
        return (s, "");
    }
    let head = &s.as_bytes()[..i];
    // Break positions are ASCII whitespace, so always char boundaries.
    let Some(w) = head.iter().rposition(|b| matches!(b, b' ' | b'\t' | b'\n')) else {
        return (s, "");
    };
    if w == 0 {
        return (s, "");
    }
    match head.iter().rposition(|b| *b == b'\n') {
        Some(nl) if nl > 0 && nl < w => (&s[..nl], &s[nl + 1..]),
        _ => (&s[..w], &s[w + 1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::spec::flag;

    #[test]
    fn flags_align_and_wrap_as_pflag_does() {
        // docker 20.10's `builder prune --help`, word for word.
        let lines = flag_lines(
            &[
                flag(
                    "keep-storage",
                    None,
                    Some("bytes"),
                    "Amount of disk space to keep for cache",
                ),
                flag(
                    "all",
                    Some('a'),
                    None,
                    "Remove all unused build cache, not just dangling ones",
                ),
                flag(
                    "filter",
                    None,
                    Some("filter"),
                    "Provide filter values (e.g. 'until=24h')",
                ),
                flag("force", Some('f'), None, "Do not prompt for confirmation"),
            ],
            COLUMNS - 1,
        );
        assert_eq!(
            lines,
            vec![
                "  -a, --all                  Remove all unused build cache, not just",
                "                             dangling ones",
                "      --filter filter        Provide filter values (e.g. 'until=24h')",
                "  -f, --force                Do not prompt for confirmation",
                "      --keep-storage bytes   Amount of disk space to keep for cache",
            ]
        );
    }

    #[test]
    fn a_long_text_wraps_with_slop() {
        // docker 20.10's `build --help`: `--network` and `--memory-swap`.
        let lines = flag_lines(
            &[
                flag("disable-content-trust", None, None, "Skip image verification (default true)"),
                flag(
                    "network",
                    None,
                    Some("string"),
                    "Set the networking mode for the RUN instructions during build (default \"default\")",
                ),
                flag(
                    "memory-swap",
                    None,
                    Some("bytes"),
                    "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
                ),
            ],
            COLUMNS - 1,
        );
        assert_eq!(
            lines[1..],
            [
                "      --memory-swap bytes       Swap limit equal to memory plus swap:",
                "                                '-1' to enable unlimited swap",
                "      --network string          Set the networking mode for the RUN",
                "                                instructions during build (default \"default\")",
            ]
        );
    }
}
