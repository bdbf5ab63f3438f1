//! `layerlab lesson list|check|new|start`: `start` opens a lesson's screen
//! (the screen's front door is `cli.rs`, which knows the state directory);
//! the others are for instructors and lesson authors.
//! `check` proves a folder of lessons usable as `rustlings dev check` does:
//! every file parses (errors at file:line:col) and every step's solution,
//! applied on a fresh engine, reaches its goal.

use crate::lesson::play::Playground;
use crate::lesson::{embedded, load_dir};
use crate::messages::Lang;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct LessonArgs {
    #[command(subcommand)]
    pub command: LessonCommand,
}

#[derive(Debug, Subcommand)]
pub enum LessonCommand {
    /// List the lessons (the embedded ones, or those of --lessons DIR).
    List,
    /// Validate a lesson folder (or a folder of them) and prove every step
    /// solvable by playing its solution.
    Check {
        /// A lesson's folder, or a folder of lesson folders (`lessons/`).
        dir: PathBuf,
    },
    /// Write a new lesson's folder with a lesson.toml to start from.
    New {
        /// The folder to create, `NN-topic` (`lessons/04-arg`).
        name: PathBuf,
    },
    /// Open the lesson screen on a lesson, where the learner left it.
    Start {
        /// The lesson, as `lesson list` prints it (`01-first-image`) or by its
        /// number (`1`).
        name: String,
    },
}

pub fn run(args: &LessonArgs, lessons: Option<&Path>, lang: Lang) -> i32 {
    match &args.command {
        LessonCommand::List => list(lessons, lang),
        LessonCommand::Check { dir } => check(dir),
        LessonCommand::New { name } => new(name),
        // Opened by `cli::main`, which resolves the state directory first.
        LessonCommand::Start { .. } => 2,
    }
}

fn list(dir: Option<&Path>, lang: Lang) -> i32 {
    let (lessons, errors) = match dir {
        None => (embedded(), Vec::new()),
        Some(d) => {
            let loaded = load_dir(d);
            let lessons = loaded.lessons.into_iter().map(|(_, l)| l).collect();
            (lessons, loaded.errors)
        }
    };
    for l in &lessons {
        let steps = match lang {
            Lang::Ko => format!("{}단계", l.steps.len()),
            Lang::En => steps_en(l.steps.len()),
        };
        outln!("{}  {}  ({steps})", l.id, l.title.get(lang));
    }
    for e in &errors {
        eprintln!("{e}");
    }
    i32::from(!errors.is_empty())
}

fn steps_en(n: usize) -> String {
    if n == 1 {
        "1 step".into()
    } else {
        format!("{n} steps")
    }
}

fn check(dir: &Path) -> i32 {
    let loaded = load_dir(dir);
    for e in &loaded.errors {
        eprintln!("{e}");
    }
    let mut failed = loaded.errors.len();
    for (file, lesson) in &loaded.lessons {
        let work = match tempfile::tempdir() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("ERROR: a working folder: {e}");
                return 1;
            }
        };
        let mut play = Playground::new(work.path().join("work"));
        match play.prove(lesson) {
            Ok(()) => outln!("ok  {}  ({})", lesson.id, steps_en(lesson.steps.len())),
            Err((step, line, why)) => {
                failed += 1;
                eprintln!("{}:{line}: step {step}: {why}", file.display());
            }
        }
    }
    let total = loaded.lessons.len() + loaded.errors.len();
    if failed == 0 {
        outln!("{total} lessons checked, every step solvable");
        0
    } else {
        eprintln!("{failed} of {total} lessons failed");
        1
    }
}

/// A lesson that `check` passes as written, for the author to change.
const SCAFFOLD: &str = r#"format_version = 1
title = { ko = "새 레슨", en = "A new lesson" }
summary = { ko = "이 레슨에서 배울 것을 한 문장으로 적습니다.", en = "What this lesson teaches, in one sentence." }

[[steps]]
title = { ko = "첫 단계", en = "The first step" }
text.ko = """
학습자가 할 일 하나를 짧게 설명합니다."""
text.en = """
Say, briefly, the one thing the learner does."""
hints = [
  { ko = "처음 힌트는 방향만 알려 줍니다.", en = "The first hint only points the way." },
  { ko = "다음 명령을 입력하세요: `docker image build -t hello .`", en = "Type: `docker image build -t hello .`" },
]
solution = [{ run = "docker image build -t hello ." }]
goal = { image_exists = "hello" }

[steps.start]
dockerfile = """
FROM alpine
COPY hello.txt /
"""
files."hello.txt" = """
hello
"""
"#;

fn new(name: &Path) -> i32 {
    if name.exists() {
        eprintln!("ERROR: {} already exists", name.display());
        return 1;
    }
    let written = std::fs::create_dir_all(name)
        .and_then(|()| std::fs::write(name.join("lesson.toml"), SCAFFOLD));
    match written {
        Ok(()) => {
            outln!(
                "wrote {}; see lessons/README.md, then run `layerlab lesson check {}`",
                name.join("lesson.toml").display(),
                name.display()
            );
            0
        }
        Err(e) => {
            eprintln!("ERROR: {}: {e}", name.display());
            1
        }
    }
}
