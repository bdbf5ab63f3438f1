//! A learner's progress through the lessons: which steps of which lesson are
//! done, and where they were. The types are plain serde data with a
//! [`FORMAT_VERSION`]; [`load`] and [`save`] are the file edge
//! (`progress.json` in the state directory, written atomically).
//!
//! A file that cannot be read as this version wrote it (corrupt, or written
//! by a newer layerlab) is never overwritten: it is renamed aside
//! (`progress.json.corrupt`, or `.corrupt.2`, … when that exists), and what
//! can still be read of it is kept, lesson by lesson, so one broken entry
//! costs no other lesson its progress.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The version of the progress file this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The progress file's name in the state directory.
pub const FILE: &str = "progress.json";

/// Everything the learner did, across lessons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub format_version: u32,
    /// The lesson the learner was in last, by id.
    #[serde(default)]
    pub current: Option<String>,
    /// By lesson id.
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

/// One lesson's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// The step the learner is on (from 0).
    #[serde(default)]
    pub step: usize,
    /// The steps whose goal held (from 0).
    #[serde(default)]
    pub done: BTreeSet<usize>,
}

/// Where a lesson stands, as the menu shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    NotStarted,
    /// On step `step` (from 0), `done` of the steps done.
    Current {
        step: usize,
        done: usize,
    },
    Done,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            format_version: FORMAT_VERSION,
            ..Progress::default()
        }
    }

    /// A lesson's progress (nothing done when it has none).
    pub fn lesson(&self, id: &str) -> LessonProgress {
        self.lessons.get(id).cloned().unwrap_or_default()
    }

    pub fn lesson_mut(&mut self, id: &str) -> &mut LessonProgress {
        self.lessons.entry(id.to_string()).or_default()
    }

    /// Whether every one of a lesson's `steps` is done.
    pub fn standing(&self, id: &str, steps: usize) -> Standing {
        match self.lessons.get(id) {
            None => Standing::NotStarted,
            Some(l) if steps > 0 && (0..steps).all(|i| l.done.contains(&i)) => Standing::Done,
            Some(l) if l.done.is_empty() && l.step == 0 && self.current.as_deref() != Some(id) => {
                Standing::NotStarted
            }
            Some(l) => Standing::Current {
                step: l.step.min(steps.saturating_sub(1)),
                done: l.done.iter().filter(|&&i| i < steps).count(),
            },
        }
    }

    /// Forget a lesson: it starts again from its first step.
    pub fn reset_lesson(&mut self, id: &str) {
        self.lessons.remove(id);
    }

    /// The current step of a lesson is to be done again.
    pub fn reset_step(&mut self, id: &str) {
        if let Some(l) = self.lessons.get_mut(id) {
            let step = l.step;
            l.done.remove(&step);
        }
    }
}

/// What loading found wrong with the file, for the learner's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// The file could not be read as progress; it was renamed to `kept`.
    Corrupt { kept: PathBuf },
    /// A newer layerlab wrote it (`version`); renamed to `kept`.
    Newer { version: u64, kept: PathBuf },
    /// It could not be renamed aside either: it stays where it is, and
    /// nothing is saved over it this session.
    Stuck { error: String },
}

/// The progress in `state_dir`: none when there is no file; what could be
/// read of a troubled one, with what went wrong.
pub fn load(state_dir: &Path) -> (Progress, Option<Trouble>) {
    let path = state_dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Progress::new(), None),
        Err(e) => {
            return (
                Progress::new(),
                Some(Trouble::Stuck {
                    error: e.to_string(),
                }),
            )
        }
    };
    let (progress, newer) = match read(&bytes) {
        Read::Whole(p) => return (p, None),
        Read::Partial(p) => (p, None),
        Read::Newer(v) => (Progress::new(), Some(v)),
    };
    // A file kept aside never replaces one kept before.
    let kept = crate::engine::state::free_name(state_dir, &format!("{FILE}.corrupt"));
    let trouble = match std::fs::rename(&path, &kept) {
        Ok(()) => match newer {
            Some(version) => Trouble::Newer { version, kept },
            None => Trouble::Corrupt { kept },
        },
        Err(e) => Trouble::Stuck {
            error: e.to_string(),
        },
    };
    (progress, Some(trouble))
}

enum Read {
    Whole(Progress),
    /// Some of it was unreadable: what could be read, lesson by lesson.
    Partial(Progress),
    Newer(u64),
}

fn read(bytes: &[u8]) -> Read {
    if let Ok(p) = serde_json::from_slice::<Progress>(bytes) {
        if p.format_version == FORMAT_VERSION {
            return Read::Whole(p);
        }
    }
    let Ok(serde_json::Value::Object(top)) = serde_json::from_slice(bytes) else {
        return Read::Partial(Progress::new());
    };
    match top
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v > u64::from(FORMAT_VERSION) => return Read::Newer(v),
        _ => {}
    }
    let mut progress = Progress::new();
    progress.current = top
        .get("current")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    if let Some(serde_json::Value::Object(lessons)) = top.get("lessons") {
        for (id, entry) in lessons {
            if let Ok(l) = serde_json::from_value::<LessonProgress>(entry.clone()) {
                progress.lessons.insert(id.clone(), l);
            }
        }
    }
    Read::Partial(progress)
}

/// Write `progress` to `state_dir/progress.json` atomically: a temporary
/// file beside it, then a rename, so a crash leaves the old file or the
/// new one, never half of one.
pub fn save(state_dir: &Path, progress: &Progress) -> Result<(), String> {
    std::fs::create_dir_all(state_dir).map_err(|e| format!("{}: {e}", state_dir.display()))?;
    let text = serde_json::to_vec_pretty(progress).map_err(|e| e.to_string())?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-progress")
        .tempfile_in(state_dir)
        .map_err(|e| format!("{}: {e}", state_dir.display()))?;
    std::io::Write::write_all(&mut tmp, &text).map_err(|e| e.to_string())?;
    tmp.as_file().sync_all().map_err(|e| e.to_string())?;
    let path = state_dir.join(FILE);
    tmp.persist(&path)
        .map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Progress::new();
        p.current = Some("02-build-cache".into());
        p.lesson_mut("02-build-cache").done.insert(0);
        p.lesson_mut("02-build-cache").step = 1;
        save(dir.path(), &p).unwrap();
        assert_eq!(load(dir.path()), (p, None));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[test]
    fn a_broken_lesson_entry_costs_only_that_lesson() {
        let dir = tempfile::tempdir().unwrap();
        let text = r#"{"format_version":1,"current":"a","lessons":{"a":{"step":1,"done":[0]},"b":{"step":"x"}}}"#;
        std::fs::write(dir.path().join(FILE), text).unwrap();
        let (p, trouble) = load(dir.path());
        assert_eq!(p.lesson("a").done, BTreeSet::from([0]));
        assert!(!p.lessons.contains_key("b"));
        let kept = dir.path().join("progress.json.corrupt");
        assert_eq!(trouble, Some(Trouble::Corrupt { kept: kept.clone() }));
        assert_eq!(std::fs::read_to_string(kept).unwrap(), text);
        assert!(!dir.path().join(FILE).exists());
    }

    #[test]
    fn a_newer_file_is_kept_aside_and_an_earlier_one_kept_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("progress.json.corrupt"), "old").unwrap();
        std::fs::write(dir.path().join(FILE), r#"{"format_version":9}"#).unwrap();
        let (p, trouble) = load(dir.path());
        assert_eq!(p, Progress::new());
        let kept = dir.path().join("progress.json.corrupt.2");
        assert_eq!(trouble, Some(Trouble::Newer { version: 9, kept }));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("progress.json.corrupt")).unwrap(),
            "old"
        );
    }

    #[test]
    fn standing_tells_done_current_and_not_started() {
        let mut p = Progress::new();
        assert_eq!(p.standing("a", 2), Standing::NotStarted);
        p.current = Some("a".into());
        p.lesson_mut("a");
        assert_eq!(p.standing("a", 2), Standing::Current { step: 0, done: 0 });
        p.lesson_mut("a").done.extend([0, 1]);
        assert_eq!(p.standing("a", 2), Standing::Done);
        p.reset_step("a");
        assert_eq!(p.standing("a", 2), Standing::Current { step: 0, done: 1 });
        p.reset_lesson("a");
        assert_eq!(p.lesson("a"), LessonProgress::default());
    }
}
