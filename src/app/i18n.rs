//! The screen's texts, from the message catalog (`crate::messages`), and the
//! Korean wording of the engine's reasons (English comes from the engine's
//! own `Display`, the single source of those sentences).

use crate::engine::report::{FileChange, MissReason, StepRef, Verdict};
pub use crate::messages::{tr, trf, Lang};

/// A verdict's reason in the learner's language.
pub fn reason(lang: Lang, verdict: &Verdict) -> String {
    match lang {
        Lang::En => verdict.reason(),
        Lang::Ko => match verdict {
            Verdict::Hit { from } => trf(
                lang,
                "reason.hit",
                &[("from", &step_ref(lang, from)), ("text", &from.text)],
            ),
            Verdict::Miss { why } => miss_ko(why),
            Verdict::Base {
                image,
                layers,
                size,
            } => trf(
                lang,
                "reason.base",
                &[
                    ("image", image),
                    ("layers", &layers.to_string()),
                    ("size", &size.to_string()),
                ],
            ),
        },
    }
}

fn step_ref(lang: Lang, r: &StepRef) -> String {
    let (b, s, o) = (r.build.to_string(), r.step.to_string(), r.of.to_string());
    match &r.stage {
        Some(stage) => trf(
            lang,
            "reason.step_ref_stage",
            &[("build", &b), ("step", &s), ("of", &o), ("stage", stage)],
        ),
        None => trf(
            lang,
            "reason.step_ref",
            &[("build", &b), ("step", &s), ("of", &o)],
        ),
    }
}

fn short(d: &str) -> String {
    let hex = d.strip_prefix("sha256:").unwrap_or(d);
    hex.chars().take(4).collect()
}

fn file_change_ko(c: &FileChange) -> String {
    let l = Lang::Ko;
    match c {
        FileChange::Added { path } => trf(l, "reason.file_added", &[("path", path)]),
        FileChange::Removed { path } => trf(l, "reason.file_removed", &[("path", path)]),
        FileChange::Content { path, old, new } => trf(
            l,
            "reason.file_content",
            &[("path", path), ("old", &short(old)), ("new", &short(new))],
        ),
        FileChange::Mode { path, old, new } => trf(
            l,
            "reason.file_mode",
            &[
                ("path", path),
                ("old", &format!("{old:o}")),
                ("new", &format!("{new:o}")),
            ],
        ),
        FileChange::Owner { path, old, new } => trf(
            l,
            "reason.file_owner",
            &[("path", path), ("old", old), ("new", new)],
        ),
    }
}

fn miss_ko(why: &MissReason) -> String {
    let l = Lang::Ko;
    let unset = tr(l, "reason.unset");
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| unset.clone());
    match why {
        MissReason::FirstBuild => tr(l, "reason.first_build"),
        MissReason::NoCache => tr(l, "reason.no_cache"),
        MissReason::ParentRebuilt { parent } => {
            trf(l, "reason.parent_rebuilt", &[("parent", parent)])
        }
        MissReason::InstructionChanged { old, new } => trf(
            l,
            "reason.instruction_changed",
            &[("old", old), ("new", new)],
        ),
        MissReason::FilesChanged { changes } => {
            let mut shown: Vec<String> = changes.iter().take(5).map(file_change_ko).collect();
            if changes.len() > 5 {
                let n = (changes.len() - 5).to_string();
                shown.push(trf(l, "reason.more", &[("n", &n)]));
            }
            trf(l, "reason.files_changed", &[("changes", &shown.join("; "))])
        }
        MissReason::BuildArgChanged { name, old, new } => trf(
            l,
            "reason.build_arg_changed",
            &[("name", name), ("old", &opt(old)), ("new", &opt(new))],
        ),
        MissReason::BuildArgsChanged { old, new } => trf(
            l,
            "reason.build_args_changed",
            &[("old", old), ("new", new)],
        ),
        MissReason::EnvChanged { name, old, new } => trf(
            l,
            "reason.env_changed",
            &[("name", name), ("old", &opt(old)), ("new", &opt(new))],
        ),
        MissReason::SettingChanged { setting, old, new } => trf(
            l,
            "reason.setting_changed",
            &[("setting", setting), ("old", old), ("new", new)],
        ),
        MissReason::ConfigChanged => tr(l, "reason.config_changed"),
        MissReason::SourceStageChanged => tr(l, "reason.source_stage_changed"),
        MissReason::BaseImageChanged => tr(l, "reason.base_image_changed"),
        MissReason::FlagsChanged => tr(l, "reason.flags_changed"),
        MissReason::GlobalArg => tr(l, "reason.global_arg"),
        MissReason::Failed { error } => trf(l, "reason.failed", &[("error", error)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_description_in_both_languages() {
        for a in crate::app::action::Action::ALL {
            let key = format!("action.{a}");
            assert_ne!(tr(Lang::En, &key), key);
            assert_ne!(tr(Lang::Ko, &key), key);
        }
    }

    #[test]
    fn korean_reasons_cover_file_changes() {
        let v = Verdict::Miss {
            why: MissReason::FilesChanged {
                changes: vec![FileChange::Content {
                    path: "app.js".into(),
                    old: "sha256:3f2a07".into(),
                    new: "sha256:9bc1d2".into(),
                }],
            },
        };
        assert_eq!(
            reason(Lang::Ko, &v),
            "복사하는 파일이 바뀜: app.js 내용 바뀜 (sha256 3f2a… → 9bc1…)"
        );
        assert_eq!(reason(Lang::En, &v), v.reason());
    }
}
