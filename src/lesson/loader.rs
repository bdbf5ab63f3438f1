//! Reading lessons: the ones embedded in the binary and those of a folder
//! (`--lessons DIR`, `layerlab lesson check DIR`). Errors carry the file
//! and the line and column, from toml's spans.

use crate::lesson::model::{Lesson, Step, Text, FORMAT_VERSION};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The shipped lessons, folder name → `lesson.toml`, in the suggested order.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "01-first-image",
        include_str!("../../lessons/01-first-image/lesson.toml"),
    ),
    (
        "02-build-cache",
        include_str!("../../lessons/02-build-cache/lesson.toml"),
    ),
    (
        "03-layers",
        include_str!("../../lessons/03-layers/lesson.toml"),
    ),
    (
        "04-smaller-images",
        include_str!("../../lessons/04-smaller-images/lesson.toml"),
    ),
    (
        "05-dependencies",
        include_str!("../../lessons/05-dependencies/lesson.toml"),
    ),
];

/// A lesson file that cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// 1-based; 0 when the error is about the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// The file as written: steps keep their spans for messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: Spanned<u32>,
    title: Text,
    summary: Text,
    steps: Vec<Spanned<Step>>,
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parse one `lesson.toml`; `id` is its folder's name, `file` the name
/// messages give it.
pub fn parse_lesson(id: &str, file: &str, text: &str) -> Result<Lesson, LoadError> {
    let at = |offset: Option<usize>, message: String| {
        let (line, column) = offset.map_or((0, 0), |o| line_col(text, o));
        LoadError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: File = toml::from_str(text)
        .map_err(|e| at(e.span().map(|s| s.start), e.message().trim().to_string()))?;
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        return Err(at(
            Some(raw.format_version.span().start),
            format!(
                "format_version {} is not one this layerlab reads ({FORMAT_VERSION})",
                raw.format_version.get_ref()
            ),
        ));
    }
    if raw.steps.is_empty() {
        return Err(at(None, "a lesson needs at least one step".into()));
    }
    let mut steps = Vec::new();
    for (i, spanned) in raw.steps.into_iter().enumerate() {
        let start = spanned.span().start;
        let mut step = spanned.into_inner();
        step.line = line_col(text, start).0;
        let problem = if i == 0 && step.start.is_none() {
            Some("the first step needs a [steps.start]: there is nothing to continue from")
        } else if step.goal.is_empty() {
            Some("this step's goal checks nothing")
        } else if step.hints.is_empty() {
            Some("this step has no hints")
        } else if step.solution.is_empty() {
            Some("this step has no solution")
        } else if !step.captions.is_empty() && step.captions.len() != step.solution.len() {
            Some("captions, when given, are one per action of the solution")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(at(Some(start), format!("step {}: {p}", i + 1)));
        }
        steps.push(step);
    }
    Ok(Lesson {
        id: id.to_string(),
        title: raw.title,
        summary: raw.summary,
        steps,
    })
}

/// The lesson `id` names among `lessons`: its whole id (`02-build-cache`)
/// or its number (`02`, `2`), as `lesson list` prints them.
pub fn named<'a>(lessons: &'a [Lesson], id: &str) -> Option<&'a Lesson> {
    let number = id.parse::<u32>().ok().map(|n| format!("{n:02}-"));
    lessons
        .iter()
        .find(|l| l.id == id || number.as_deref().is_some_and(|p| l.id.starts_with(p)))
}

/// The lessons shipped in the binary.
pub fn embedded() -> Vec<Lesson> {
    EMBEDDED
        .iter()
        .map(|(id, text)| {
            parse_lesson(id, &format!("lessons/{id}/lesson.toml"), text)
                .unwrap_or_else(|e| panic!("shipped lesson is broken: {e}"))
        })
        .collect()
}

/// What a folder of lessons holds: the lessons that load (each with its
/// file) and the errors of those that do not.
#[derive(Debug, Default)]
pub struct Loaded {
    pub lessons: Vec<(PathBuf, Lesson)>,
    pub errors: Vec<LoadError>,
}

/// The lessons of `dir`: every sub-folder with a `lesson.toml`, in name
/// order, or `dir` itself when it is one lesson's folder. Every broken file
/// is reported, not only the first, and does not hide the others.
pub fn load_dir(dir: &Path) -> Loaded {
    let io = |path: &Path, e: std::io::Error| LoadError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        message: e.to_string(),
    };
    let mut loaded = Loaded::default();
    let folders: Vec<PathBuf> = if dir.join("lesson.toml").is_file() {
        vec![dir.to_path_buf()]
    } else {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut found: Vec<_> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.join("lesson.toml").is_file())
                    .collect();
                found.sort();
                found
            }
            Err(e) => {
                loaded.errors.push(io(dir, e));
                return loaded;
            }
        }
    };
    if folders.is_empty() {
        loaded.errors.push(LoadError {
            file: dir.display().to_string(),
            line: 0,
            column: 0,
            message: "no lesson folder (a folder with a lesson.toml) here".into(),
        });
    }
    for folder in folders {
        let path = folder.join("lesson.toml");
        let id = folder
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| io(&path, e))
            .and_then(|text| parse_lesson(&id, &path.display().to_string(), &text));
        match parsed {
            Ok(l) => loaded.lessons.push((path, l)),
            Err(e) => loaded.errors.push(e),
        }
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("한글\nx", 7), (2, 1));
    }

    #[test]
    fn a_missing_language_is_an_error_at_its_table() {
        let text =
            "format_version = 1\ntitle = { ko = \"가\", en = \"a\" }\nsummary = { ko = \"가\" }\n";
        let e = parse_lesson("x", "x.toml", text).unwrap_err();
        assert_eq!((e.line, e.message.contains("en")), (3, true), "{e}");
    }
}
