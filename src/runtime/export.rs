//! The screen key's files: the screen as drawn, written as
//! `layerlab-screen-N.svg` and `layerlab-screen-N.txt` side by side, N the
//! first number neither file has yet (earlier pictures are never
//! overwritten).

use crate::limits::SCREEN_FILES;
use crate::messages::{Lang, Message};
use crate::ui::export;
use ratatui::buffer::Buffer;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The two files one press of the key wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub svg: PathBuf,
    pub text: PathBuf,
}

/// Where the pictures go: the folder layerlab was started in, as a learner
/// expects of a screenshot — unless that folder is inside the build
/// context, where a new file would change what `COPY .` copies and turn
/// the next build's steps into misses. Then they go just outside the
/// context, beside it.
pub fn folder(cwd: &Path, context: Option<&Path>) -> PathBuf {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let cwd = canonical(cwd);
    match context.map(canonical) {
        Some(ctx) if cwd.starts_with(&ctx) => ctx.parent().map_or(cwd, Path::to_path_buf),
        _ => cwd,
    }
}

/// Write `buffer` as SVG and as text into `dir`, under the first free
/// number; what went wrong, in the learner's words.
pub fn write(dir: &Path, buffer: &Buffer) -> Result<Written, Message> {
    let failed = |path: &Path, e: std::io::Error| {
        Message::new("screen.write_failed")
            .arg("path", path.display())
            .arg("error", e)
    };
    let svg = export::svg(buffer);
    let text = export::text(buffer);
    for n in 1..=SCREEN_FILES {
        let paths = Written {
            svg: dir.join(format!("layerlab-screen-{n}.svg")),
            text: dir.join(format!("layerlab-screen-{n}.txt")),
        };
        if paths.text.exists() {
            continue;
        }
        // Claimed by creating the SVG: a second layerlab in the same
        // folder takes the next number rather than this one.
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&paths.svg)
        {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(&paths.svg, e)),
        };
        file.write_all(svg.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| failed(&paths.svg, e))?;
        std::fs::write(&paths.text, &text).map_err(|e| failed(&paths.text, e))?;
        return Ok(paths);
    }
    Err(Message::new("screen.folder_full")
        .arg("limit", SCREEN_FILES)
        .arg("folder", dir.display()))
}

/// [`write`], as the screen says it: the folder and the files' name
/// without its extension, or why not in `lang`.
pub fn write_named(dir: &Path, buffer: &Buffer, lang: Lang) -> Result<(String, String), String> {
    let written = write(dir, buffer).map_err(|m| m.render(lang))?;
    let name = written
        .svg
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((dir.display().to_string(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_press_takes_the_next_free_number() {
        let dir = tempfile::tempdir().unwrap();
        let buffer = Buffer::with_lines(["FROM alpine", "캐시 HIT"]);
        let first = write(dir.path(), &buffer).unwrap();
        assert_eq!(first.svg, dir.path().join("layerlab-screen-1.svg"));
        assert_eq!(
            std::fs::read_to_string(&first.text).unwrap(),
            "FROM alpine\n캐시 HIT\n"
        );
        // A text file of the learner's own under number 2 is left alone.
        std::fs::write(dir.path().join("layerlab-screen-2.txt"), "mine").unwrap();
        let next = write(dir.path(), &buffer).unwrap();
        assert_eq!(next.svg, dir.path().join("layerlab-screen-3.svg"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("layerlab-screen-2.txt")).unwrap(),
            "mine"
        );
        assert!(std::fs::read_to_string(&next.svg).unwrap().contains("캐시"));
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        let error = write(&missing, &Buffer::with_lines(["x"])).unwrap_err();
        assert_eq!(error.key(), "screen.write_failed");
        assert!(error.render(crate::messages::Lang::En).contains("gone"));
    }

    #[test]
    fn pictures_stay_out_of_the_build_context() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let ctx = root.join("web-ping");
        std::fs::create_dir_all(ctx.join("src")).unwrap();
        let elsewhere = root.join("slides");
        std::fs::create_dir(&elsewhere).unwrap();
        assert_eq!(folder(&elsewhere, Some(&ctx)), elsewhere);
        assert_eq!(folder(&ctx, Some(&ctx)), root);
        assert_eq!(folder(&ctx.join("src"), Some(&ctx)), root);
        assert_eq!(folder(&elsewhere, None), elsewhere);
    }
}
