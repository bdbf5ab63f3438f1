//! `docker builder`: prune. (`builder build` is `image build` under another
//! path, listed with the image commands.)

use crate::command::output;
use crate::command::spec::{
    commit_changes, Arity, CommandSpec, FlagSpec, Group, Host, Invocation, Output,
};

const PRUNE_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "all",
        short: Some('a'),
        value: None,
        doc: "Remove all unused build cache, not just dangling ones",
    },
    FlagSpec {
        long: "force",
        short: Some('f'),
        value: None,
        doc: "Do not prompt for confirmation",
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
    if !inv.has("force") {
        // Docker asks on stdin; the command bar has none, so say how to confirm.
        return Output::printed(vec![
            "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N]".into(),
            "(no input here: run `docker builder prune -f` to confirm)".into(),
        ]);
    }
    let removed = host.engine_mut().prune_build_cache();
    let mut out = Output::printed(output::prune(removed));
    commit_changes(host, &mut out);
    out
}
