//! `layerlab present [LESSON]`: the presentation layout. With a lesson,
//! its demo, played step by step by its solutions; without, the lecture's
//! example on the screen as always, in the presentation layout.

use crate::app::present::{Look, ThemeName};
use crate::lesson::{embedded, load_dir, Lesson};
use crate::limits::{PRESENT_SIZE_MAX, PRESENT_SIZE_MIN};
use crate::messages::Message;
use crate::runtime::Start;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct PresentArgs {
    /// The lesson to play: its folder's name (`02-build-cache`) or its
    /// number (`02`, `2`). `layerlab lesson list` lists them.
    pub lesson: Option<String>,
    /// The colours: dark (the terminal's own background) or light (for
    /// bright rooms). T switches on the screen.
    #[arg(long, value_name = "THEME", value_parser = ["dark", "light"], default_value = "dark")]
    pub theme: String,
    /// Write the demo's screens into DIR without a terminal, one SVG (and
    /// its text) per action played: LESSON-00.svg before the first.
    #[arg(long, value_name = "DIR", requires = "lesson")]
    pub export: Option<PathBuf>,
    /// The size of the exported screens, in terminal cells.
    #[arg(
        long,
        value_name = "COLSxROWS",
        default_value = "100x30",
        requires = "export"
    )]
    pub size: String,
}

/// `100x30` as (columns, rows), within the bounds of `limits`.
pub fn parse_size(s: &str) -> Option<(u16, u16)> {
    let (c, r) = s.split_once(['x', 'X'])?;
    let (c, r) = (c.parse::<u16>().ok()?, r.parse::<u16>().ok()?);
    let (min, max) = (PRESENT_SIZE_MIN, PRESENT_SIZE_MAX);
    ((min.0..=max.0).contains(&c) && (min.1..=max.1).contains(&r)).then_some((c, r))
}

pub fn run(
    args: &PresentArgs,
    state_dir: &Path,
    lessons: Option<&Path>,
    lang: Option<&str>,
) -> i32 {
    let theme = match ThemeName::parse(&args.theme) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ERROR: {e}");
            return 2;
        }
    };
    let Some(id) = &args.lesson else {
        let look = Look {
            present: true,
            theme,
        };
        let extras = super::open::Extras {
            look,
            ..super::open::Extras::default()
        };
        return super::open::run_with(Start::Example, state_dir, lang, extras);
    };
    let lang = match super::lang(lang) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let Some(lesson) = find(id, lessons) else {
        let m = Message::new("present.unknown_lesson").arg("lesson", id);
        eprintln!("ERROR: {}", m.render(lang));
        return 2;
    };
    if let Some(dir) = &args.export {
        let Some(size) = parse_size(&args.size) else {
            let m = Message::new("present.bad_size").arg("size", &args.size);
            eprintln!("ERROR: {}", m.render(lang));
            return 2;
        };
        return match crate::runtime::present::export_demo(lesson, lang, theme, size, dir) {
            Ok(files) => {
                for f in files
                    .iter()
                    .filter(|f| f.extension().is_some_and(|e| e == "svg"))
                {
                    outln!("{}", f.display());
                }
                0
            }
            Err(e) => {
                eprintln!("ERROR: {e}");
                1
            }
        };
    }
    match crate::runtime::present::run_demo(lesson, lang, theme) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ERROR: {e}");
            1
        }
    }
}

/// The lesson named `id` (or numbered so) among the embedded ones, or
/// those of `dir`.
pub fn find(id: &str, dir: Option<&Path>) -> Option<Lesson> {
    let lessons: Vec<Lesson> = match dir {
        None => embedded(),
        Some(d) => load_dir(d).lessons.into_iter().map(|(_, l)| l).collect(),
    };
    crate::lesson::named(&lessons, id).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_cols_by_rows_within_bounds() {
        assert_eq!(parse_size("100x30"), Some((100, 30)));
        assert_eq!(parse_size("80X24"), Some((80, 24)));
        for bad in [
            "100", "x30", "100x", "39x24", "80x11", "401x30", "80x201", "-1x5",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_lesson_is_found_by_name_or_number() {
        assert_eq!(
            find("02", None).map(|l| l.id),
            Some("02-build-cache".into())
        );
        assert_eq!(
            find("5", None).map(|l| l.id),
            Some("05-dependencies".into())
        );
        assert_eq!(
            find("03-layers", None).map(|l| l.id),
            Some("03-layers".into())
        );
        assert!(find("99", None).is_none() && find("nope", None).is_none());
    }
}
