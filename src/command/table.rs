//! The table of every docker command layerlab knows, assembled from docker's
//! groups: what the parser, the help and the completions all read.

use crate::command::spec::{CommandSpec, Group};
use crate::command::{builder, container, image, system};

/// Docker's management commands that layerlab runs, each with its commands.
pub static GROUPS: &[Group] = &[
    image::GROUP,
    container::GROUP,
    system::GROUP,
    builder::GROUP,
];

/// Every command, group by group.
pub fn commands() -> impl Iterator<Item = &'static CommandSpec> {
    GROUPS.iter().flat_map(|g| g.commands)
}

/// The group named `name`.
pub fn group(name: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.name == name)
}
