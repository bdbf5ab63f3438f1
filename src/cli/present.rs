//! `layerlab present [LESSON]`: the presentation layout. With a lesson,
//! its demo, played step by step by its solutions; without, the lecture's
//! example on the screen as always, in the presentation layout.

use crate::app::present::{Look, ThemeName};
use crate::lesson::{embedded, load_dir, Lesson};
use crate::messages::Message;
use crate::runtime::Start;
use clap::Args;
use std::path::Path;

#[derive(Debug, Args)]
pub struct PresentArgs {
    /// The lesson to play: its folder's name (`02-build-cache`) or its
    /// number (`02`, `2`). `layerlab lesson list` lists them.
    pub lesson: Option<String>,
    /// The colours: dark (the terminal's own background) or light (for
    /// bright rooms). T switches on the screen.
    #[arg(long, value_name = "THEME", default_value = "dark")]
    pub theme: String,
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
        return super::open::run_with(Start::Example, state_dir, lang, look, None);
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
    let number = id.parse::<u32>().ok().map(|n| format!("{n:02}-"));
    lessons
        .into_iter()
        .find(|l| l.id == id || number.as_deref().is_some_and(|p| l.id.starts_with(p)))
}
