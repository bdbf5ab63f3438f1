//! The screen's texts: the message catalog (`crate::messages`) as the app
//! and its views use it.

pub use crate::messages::{tr, trf, Lang};

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
        use crate::engine::report::{FileChange, MissReason, Verdict};
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
            v.reason_in(Lang::Ko),
            "복사하는 파일이 바뀜: app.js 내용 바뀜 (sha256 3f2a… → 9bc1…)"
        );
        assert_eq!(
            v.reason(),
            "copied files changed: app.js changed (sha256 3f2a… → 9bc1…)"
        );
    }
}
