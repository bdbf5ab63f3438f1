//! `docker system`: df, with `-v`'s per-image, per-container and build
//! cache tables, from the store's disk usage (`store::usage`).

use crate::command::container::status_column;
use crate::command::output::{human_duration, human_size4, table};
use crate::command::spec::{Arity, CommandSpec, FlagSpec, Group, Host, Invocation, Output};
use crate::engine::store::{DiskUsage, EngineState, SIMULATED_EPOCH};

const DF_FLAGS: &[FlagSpec] = &[FlagSpec {
    long: "verbose",
    short: Some('v'),
    value: None,
    doc: "Show detailed information on space usage",
}];

/// Docker's `system` group also holds events, info and prune.
pub const GROUP: Group = Group {
    name: "system",
    doc: "Manage Docker",
    commands: &[CommandSpec {
        path: &["system", "df"],
        aliases: &[],
        doc: "Show docker disk usage",
        usage: "[OPTIONS]",
        flags: DF_FLAGS,
        arity: Arity::Exactly(0),
        interspersed: true,
        run: run_df,
    }],
};

fn run_df(inv: &Invocation, host: &mut dyn Host) -> Output {
    let engine = host.engine();
    let usage = engine.disk_usage();
    if inv.has("verbose") {
        Output::printed(verbose(engine, &usage))
    } else {
        Output::printed(summary(engine, &usage))
    }
}

/// `12MB (50%)`, or the size alone when there is nothing to take a share
/// of, as docker prints RECLAIMABLE.
fn share(part: u64, total: u64) -> String {
    match (part * 100).checked_div(total) {
        None => human_size4(part),
        Some(percent) => format!("{} ({percent}%)", human_size4(part)),
    }
}

/// The build cache as `system df` counts it: BuildKit's records (the
/// classic builder's cache is intermediate images, which docker does not
/// count here), and the bytes of those no image shares — all of them
/// reclaimable, as no build runs while the command does.
fn build_cache(engine: &EngineState) -> (usize, u64) {
    (engine.buildkit_cache.len(), engine.build_cache_size())
}

/// `docker system df`.
fn summary(engine: &EngineState, usage: &DiskUsage) -> Vec<String> {
    // What active images hold that no other image shares cannot be freed.
    let used: u64 = usage
        .images
        .iter()
        .filter(|u| u.containers > 0)
        .map(|u| u.unique)
        .sum();
    let containers = usage.containers.len();
    let running = usage.containers.iter().filter(|c| c.running).count();
    let stopped: u64 = usage
        .containers
        .iter()
        .filter(|c| !c.running)
        .map(|c| c.size)
        .sum();
    let (records, cache) = build_cache(engine);
    let rows = vec![
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
            .map(String::from)
            .to_vec(),
        vec![
            "Images".into(),
            usage.images.len().to_string(),
            usage.active_images().to_string(),
            human_size4(usage.total),
            share(usage.total - used.min(usage.total), usage.total),
        ],
        vec![
            "Containers".into(),
            containers.to_string(),
            running.to_string(),
            human_size4(usage.containers_size()),
            share(stopped, usage.containers_size()),
        ],
        ["Local Volumes", "0", "0", "0B", "0B"]
            .map(String::from)
            .to_vec(),
        vec![
            "Build Cache".into(),
            records.to_string(),
            "0".into(),
            human_size4(cache),
            human_size4(cache),
        ],
    ];
    table(&rows)
}

/// `docker system df -v`.
fn verbose(engine: &EngineState, usage: &DiskUsage) -> Vec<String> {
    let now = SIMULATED_EPOCH + engine.clock;
    let mut out = vec!["Images space usage:".to_string(), String::new()];
    let mut rows = vec![[
        "REPOSITORY",
        "TAG",
        "IMAGE ID",
        "CREATED",
        "SIZE",
        "SHARED SIZE",
        "UNIQUE SIZE",
        "CONTAINERS",
    ]
    .map(String::from)
    .to_vec()];
    for listed in engine.list_images(None, false) {
        let (repo, tag) = listed.name.unwrap_or(("<none>", "<none>"));
        let Some(u) = usage.image(&listed.image.id) else {
            continue;
        };
        rows.push(vec![
            repo.into(),
            tag.into(),
            listed.image.id.short(),
            "N/A".into(),
            human_size4(u.size),
            human_size4(u.shared),
            human_size4(u.unique),
            u.containers.to_string(),
        ]);
    }
    out.extend(table(&rows));
    out.extend([
        String::new(),
        "Containers space usage:".into(),
        String::new(),
    ]);
    let mut rows = vec![[
        "CONTAINER ID",
        "IMAGE",
        "COMMAND",
        "LOCAL VOLUMES",
        "SIZE",
        "CREATED",
        "STATUS",
        "NAMES",
    ]
    .map(String::from)
    .to_vec()];
    let mut containers: Vec<_> = engine.containers.values().collect();
    containers.sort_by_key(|c| std::cmp::Reverse(c.created));
    for c in containers {
        let size = usage
            .containers
            .iter()
            .find(|u| u.id == c.id)
            .map_or(0, |u| u.size);
        rows.push(vec![
            c.short_id(),
            c.image_ref.clone(),
            crate::command::container::command_column(c, false),
            "0".into(),
            human_size4(size),
            format!("{} ago", human_duration(now - c.created)),
            status_column(c, now),
            c.name.clone(),
        ]);
    }
    out.extend(table(&rows));
    out.extend([
        String::new(),
        "Local Volumes space usage:".into(),
        String::new(),
    ]);
    out.extend(table(&[["VOLUME NAME", "LINKS", "SIZE"]
        .map(String::from)
        .to_vec()]));
    let (_, cache) = build_cache(engine);
    out.extend([
        String::new(),
        format!("Build cache usage: {}", human_size4(cache)),
        String::new(),
    ]);
    let mut rows = vec![[
        "CACHE ID",
        "CACHE TYPE",
        "SIZE",
        "CREATED",
        "LAST USED",
        "USAGE",
        "SHARED",
    ]
    .map(String::from)
    .to_vec()];
    for entry in engine.cache_entries() {
        rows.push(vec![
            entry.id()[..12].to_string(),
            "regular".into(),
            human_size4(entry.size),
            "N/A".into(),
            "N/A".into(),
            entry.used.uses.to_string(),
            entry.shared.to_string(),
        ]);
    }
    out.extend(table(&rows));
    out
}
