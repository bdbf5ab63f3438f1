//! Docker's text output: progress lines, `docker images` and `docker history`
//! tables (tabwriter columns, go-units sizes), removal messages.

use crate::engine::builder::BuilderKind;
use crate::engine::gc::Pruned;
use crate::engine::report::{BuildReport, StepReport};
use crate::engine::store::{EngineState, ImageRecord, Listed, Removed};
use crate::filesystem::digest::Digest;
use crate::messages::Lang;

/// go-units `HumanSizeWithPrecision(size, 3)`: decimal units, `%.3g`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", go_g3(size), UNITS[unit])
}

/// go-units `HumanSize` (precision 4), as `docker system df` prints sizes.
pub fn human_size4(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    // `%.4g` of a size below 1000: four significant digits, trailing
    // zeros dropped.
    let exp = if size == 0.0 {
        0
    } else {
        size.log10().floor() as i32
    };
    let decimals = (3 - exp).max(0) as usize;
    let s = format!("{size:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{}", UNITS[unit])
}

/// go-units `HumanDuration`, for `seconds` ago.
pub fn human_duration(seconds: i64) -> String {
    let hours = (seconds as f64 / 3600.0).round() as i64;
    match seconds {
        s if s < 1 => "Less than a second".into(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        s if s / 60 == 1 => "About a minute".into(),
        s if s / 60 < 60 => format!("{} minutes", s / 60),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        s => format!("{} years", s / 3600 / 24 / 365),
    }
}

/// Go's `%.3g` for 0 ≤ x < 1000.
fn go_g3(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let exp = x.log10().floor() as i32;
    let decimals = (2 - exp).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.starts_with("1000") {
        return "1e+03".into();
    }
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Lay out rows like Go's tabwriter with docker's settings (min width 10,
/// padding 3); the last column is not padded.
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width() + 3).max(10);
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[i].saturating_sub(cell.width())));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// docker's `stringutils.Ellipsis`.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The line that opens step `n`'s progress, as each builder prints it.
pub fn step_header(n: usize, s: &StepReport, builder: BuilderKind) -> String {
    match builder {
        BuilderKind::Buildkit => {
            let stage = s
                .stage
                .as_deref()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            // The number is padded to the width of the count: `[ 2/10]`.
            let width = s.of.to_string().len();
            format!("#{n} [{stage}{:>width$}/{}] {}", s.step, s.of, s.text)
        }
        BuilderKind::Classic => format!("Step {}/{} : {}", s.step, s.of, s.text),
    }
}

/// One step of progress, as the builder prints it, with layerlab's reason
/// in `lang` (the builder's own lines stay docker's English).
pub fn step_lines(n: usize, s: &StepReport, builder: BuilderKind, lang: Lang) -> Vec<String> {
    let mut out = vec![step_header(n, s, builder)];
    match builder {
        BuilderKind::Buildkit => {
            if !s.verdict.missed() {
                out.push(format!("#{n} CACHED"));
            } else {
                out.push(format!("#{n} DONE {:.1}s", s.seconds));
            }
            out.push(format!("#{n} why: {}", s.verdict.reason_in(lang)));
        }
        BuilderKind::Classic => {
            if s.verdict.cached() {
                out.push(" ---> Using cache".into());
            } else if s.keyword != "FROM" {
                out.push(format!(" ---> why: {}", s.verdict.reason_in(lang)));
            }
            if let Some(l) = &s.layer {
                out.push(format!(" ---> {}", &l.diff_id.hex()[..12]));
            }
        }
    }
    out
}

pub fn steps_progress(steps: &[StepReport], builder: BuilderKind, lang: Lang) -> Vec<String> {
    steps
        .iter()
        .enumerate()
        .flat_map(|(i, s)| step_lines(i + 1, s, builder, lang))
        .collect()
}

/// The whole progress of a successful build.
pub fn build_progress(report: &BuildReport, lang: Lang) -> Vec<String> {
    let builder: BuilderKind = report.builder.parse().unwrap_or_default();
    let mut out = steps_progress(&report.steps, builder, lang);
    let n = report.steps.len() + 1;
    match builder {
        BuilderKind::Buildkit => {
            out.push(format!("#{n} exporting to image"));
            out.push(format!("#{n} writing image {} done", report.image_id));
            for t in &report.tags {
                out.push(format!("#{n} naming to docker.io/library/{t} done"));
            }
        }
        BuilderKind::Classic => {
            out.push(format!("Successfully built {}", report.image_id.short()));
            for t in &report.tags {
                out.push(format!("Successfully tagged {t}"));
            }
        }
    }
    out
}

/// How each builder reports a failed build.
pub fn build_failed(builder: BuilderKind, message: &str) -> String {
    match builder {
        BuilderKind::Buildkit => format!("ERROR: failed to solve: {message}"),
        BuilderKind::Classic => message.to_string(),
    }
}

/// An image's digest for `docker images --digests`, if it has one.
pub type DigestOf<'a> = &'a dyn Fn(&ImageRecord) -> Option<Digest>;

/// `docker images [REPOSITORY[:TAG]]`, with a DIGEST column when `digests`
/// is given.
pub fn images(
    engine: &EngineState,
    filter: Option<&str>,
    all: bool,
    quiet: bool,
    no_trunc: bool,
    digests: Option<DigestOf>,
) -> Vec<String> {
    let id = |d: &Digest| if no_trunc { d.to_string() } else { d.short() };
    let mut header = vec!["REPOSITORY".to_string(), "TAG".into()];
    if digests.is_some() {
        header.push("DIGEST".into());
    }
    header.extend(["IMAGE ID".into(), "CREATED".into(), "SIZE".into()]);
    let mut rows = vec![header];
    let mut quiet_ids: Vec<String> = Vec::new();
    for Listed { name, image } in engine.list_images(filter, all) {
        let (repo, tag) = name.unwrap_or(("<none>", "<none>"));
        quiet_ids.push(id(&image.id));
        let mut row = vec![repo.to_string(), tag.to_string()];
        if let Some(digest_of) = digests {
            let digest = image.record.and_then(digest_of);
            row.push(digest.map_or("<none>".into(), |d| d.to_string()));
        }
        row.extend([id(&image.id), "N/A".into(), human_size(image.size())]);
        rows.push(row);
    }
    if quiet {
        quiet_ids.dedup();
        return quiet_ids;
    }
    table(&rows)
}

/// `docker image history IMAGE`, newest first; `ids` names each row's
/// image (None: `<missing>`), as [`EngineState::history_ids`] finds them.
pub fn history(
    img: &ImageRecord,
    ids: &[Option<Digest>],
    quiet: bool,
    no_trunc: bool,
) -> Vec<String> {
    let id = |i: usize| match ids.get(i).copied().flatten() {
        Some(d) if no_trunc => d.to_string(),
        Some(d) => d.short(),
        None => "<missing>".into(),
    };
    if quiet {
        // One line a row, `<missing>` ones too (as the daemon's client).
        return (0..img.history.len().max(1)).map(id).collect();
    }
    let mut rows = vec![vec![
        "IMAGE".to_string(),
        "CREATED".into(),
        "CREATED BY".into(),
        "SIZE".into(),
        "COMMENT".into(),
    ]];
    for (i, h) in img.history.iter().rev().enumerate() {
        let by = if no_trunc {
            h.created_by.clone()
        } else {
            ellipsis(&h.created_by, 45)
        };
        rows.push(vec![
            id(i),
            "N/A".into(),
            by,
            human_size(h.size),
            h.comment.clone(),
        ]);
    }
    table(&rows)
}

/// What `docker rmi` prints for one reference it removed.
pub fn removed(removed: &Removed) -> Vec<String> {
    let untagged = removed.untagged.iter().map(|t| format!("Untagged: {t}"));
    let deleted = removed.deleted.iter().map(|d| format!("Deleted: {d}"));
    untagged.chain(deleted).collect()
}

/// How the docker CLI prints an error the daemon answered with.
pub fn daemon_error(error: impl std::fmt::Display) -> String {
    format!("Error response from daemon: {error}")
}

/// `docker builder prune -f`: the records that went, then the space.
pub fn prune(pruned: &Pruned) -> Vec<String> {
    let mut out = Vec::new();
    if !pruned.ids.is_empty() {
        out.push("Deleted build cache objects:".into());
        out.extend(pruned.ids.iter().cloned());
        out.push(String::new());
    }
    out.push(format!(
        "Total reclaimed space: {}",
        human_size4(pruned.reclaimed)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_docker() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(612), "612B");
        assert_eq!(human_size(1234), "1.23kB");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(75_400_000), "75.4MB");
        assert_eq!(human_size(5_290_000), "5.29MB");
        assert_eq!(human_size(999_999), "1e+03kB");
        assert_eq!(human_size4(1_982_322), "1.982MB");
        assert_eq!(human_size4(0), "0B");
        assert_eq!(human_size4(3), "3B");
        assert_eq!(human_size4(75_400_000), "75.4MB");
        assert_eq!(human_size4(1_234_567_890), "1.235GB");
    }

    #[test]
    fn durations_read_like_docker() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(1), "1 second");
        assert_eq!(human_duration(11), "11 seconds");
        assert_eq!(human_duration(90), "About a minute");
        assert_eq!(human_duration(47 * 60), "47 minutes");
        assert_eq!(human_duration(3 * 3600), "3 hours");
    }

    #[test]
    fn table_pads_like_tabwriter() {
        let t = table(&[
            vec!["REPOSITORY".into(), "TAG".into(), "SIZE".into()],
            vec!["web".into(), "v1".into(), "1kB".into()],
        ]);
        assert_eq!(t[0], "REPOSITORY   TAG       SIZE");
        assert_eq!(t[1], "web          v1        1kB");
    }

    #[test]
    fn the_why_line_speaks_the_learners_language_and_docker_stays_english() {
        use crate::engine::report::{MissReason, StepReport, Verdict};
        let step = StepReport {
            stage: None,
            step: 2,
            of: 3,
            keyword: "RUN".into(),
            text: "RUN make".into(),
            verdict: Verdict::Miss {
                why: MissReason::FirstBuild,
            },
            layer: None,
            instruction: 1,
            line: 2,
            seconds: 1.25,
            output: String::new(),
        };
        let ko = step_lines(3, &step, BuilderKind::Buildkit, Lang::Ko);
        assert_eq!(
            ko,
            [
                "#3 [2/3] RUN make",
                "#3 DONE 1.2s",
                "#3 why: 이 단계를 처음 빌드함: 재사용할 캐시가 없음",
            ]
        );
        let en = step_lines(3, &step, BuilderKind::Classic, Lang::En);
        assert_eq!(
            en,
            [
                "Step 2/3 : RUN make",
                " ---> why: first build of this step: nothing in the cache to reuse",
            ]
        );
    }
}
