//! `docker builder`: prune. (`builder build` is `image build` under another
//! path, listed with the image commands.)

use crate::command::output;
use crate::command::spec::{
    commit_changes, Arity, CommandSpec, FlagSpec, Group, Host, Invocation, Output,
};
use crate::engine::gc::{Field, Prune};
use crate::{gofmt, units};

const PRUNE_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "all",
        short: Some('a'),
        value: None,
        doc: "Remove all unused build cache, not just dangling ones",
    },
    FlagSpec {
        long: "filter",
        short: None,
        value: Some("filter"),
        doc: "Provide filter values (e.g. 'until=24h')",
    },
    FlagSpec {
        long: "force",
        short: Some('f'),
        value: None,
        doc: "Do not prompt for confirmation",
    },
    FlagSpec {
        long: "keep-storage",
        short: None,
        value: Some("bytes"),
        doc: "Amount of disk space to keep for cache",
    },
];

pub const GROUP: Group = Group {
    name: "builder",
    doc: "Manage builds",
    commands: &[CommandSpec {
        path: &["builder", "prune"],
        aliases: &[],
        doc: "Remove build cache",
        // Docker's usage line names no [OPTIONS] here.
        usage: "",
        flags: PRUNE_FLAGS,
        arity: Arity::Exactly(0),
        interspersed: true,
        run: run_prune,
    }],
};

fn run_prune(inv: &Invocation, host: &mut dyn Host) -> Output {
    let prune = match prune_options(inv) {
        Ok(p) => p,
        Err(out) => return *out,
    };
    if !inv.has("force") {
        // Docker asks on stdin; the command bar has none, so say how to confirm.
        let warning = if prune.all {
            "WARNING! This will remove all build cache. Are you sure you want to continue? [y/N]"
        } else {
            "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N]"
        };
        return Output::printed(vec![
            warning.into(),
            "(no input here: run `docker builder prune -f` to confirm)".into(),
        ]);
    }
    let pruned = host.engine_mut().prune_build_cache(&prune);
    let mut out = Output::printed(output::prune(&pruned));
    commit_changes(host, &mut out);
    out
}

/// The flags as the daemon takes them, or docker's error: the client
/// checks the flags' formats (status 125), the daemon the filters (1).
fn prune_options(inv: &Invocation) -> Result<Prune, Box<Output>> {
    let flag_error = |value: &str, flag: &str, why: String| {
        let mut out = Output::error(format!(
            "invalid argument \"{value}\" for \"--{flag}\" flag: {why}\nSee 'docker builder prune --help'."
        ));
        out.status = 125;
        Box::new(out)
    };
    let daemon_error = |why: String| {
        Box::new(Output::error(output::daemon_error(format!(
            "failed to prune build cache: {why}"
        ))))
    };
    let mut prune = Prune {
        all: inv.has("all"),
        ..Prune::default()
    };
    if let Some(v) = inv.value("keep-storage") {
        prune.keep_storage = units::ram_in_bytes(v)
            .ok_or_else(|| flag_error(v, "keep-storage", format!("invalid size: '{v}'")))?;
    }
    let mut seen: Vec<&str> = Vec::new();
    for filter in inv.values("filter") {
        let Some((key, value)) = filter.split_once('=') else {
            return Err(flag_error(
                filter,
                "filter",
                "bad format of filter (expected name=value)".into(),
            ));
        };
        let key = key.trim();
        if seen.contains(&key) {
            return Err(daemon_error("filters expect only one value".into()));
        }
        seen.push(key);
        if key == "until" || key == "unused-for" {
            let nanos = gofmt::parse_duration(value).ok_or_else(|| {
                daemon_error(format!(
                    "\"{key}\" filter expects a duration (e.g., '24h'): time: invalid duration {}",
                    gofmt::quote(value)
                ))
            })?;
            prune.keep_for = Some(u64::try_from(nanos / 1_000_000_000).unwrap_or(0));
        } else if let Some(field) = Field::named(key) {
            prune.filters.push((field, value.to_owned()));
        } else {
            return Err(daemon_error(format!("Invalid filter '{key}'")));
        }
    }
    Ok(prune)
}
