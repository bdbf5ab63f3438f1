//! `layerlab build --check`: BuildKit's build checks instead of a build,
//! printed as `docker build --check` prints them (rule, page, message, the
//! place in the Dockerfile). The message speaks the learner's language; the
//! lines around it stay docker's English.

use crate::dockerfile::{compile, Diagnostic};
use crate::engine::checks::build_checks;
use crate::engine::dockerignore::DockerIgnore;
use crate::messages::Lang;

/// Run the checks on `text` (read from `file`) in a context with `ignore`
/// as its `.dockerignore`; returns the exit code: 1 when a check warns or
/// the file does not parse, as docker does.
pub fn run(file: &str, text: &str, ignore: Option<&DockerIgnore>, lang: Lang) -> i32 {
    let compiled = compile::compile(text);
    if let Some(error) = compiled.error().filter(|e| !e.kind.classic_only()) {
        eprint!("{}", error.render_in(lang, file, text));
        return 1;
    }
    let warnings = build_checks(&compiled, ignore);
    print!("{}", report(&warnings, file, text, lang));
    i32::from(!warnings.is_empty())
}

/// The whole report, as text.
pub fn report(warnings: &[Diagnostic], file: &str, text: &str, lang: Lang) -> String {
    let mut out = match warnings.len() {
        0 => return "Check complete, no warnings found.\n".to_string(),
        1 => "Check complete, 1 warning has been found!\n".to_string(),
        n => format!("Check complete, {n} warnings have been found!\n"),
    };
    for w in warnings {
        let Some((rule, page)) = w.kind.check_rule() else {
            continue;
        };
        out.push('\n');
        out.push_str(&format!(
            "WARNING: {rule} - https://docs.docker.com/go/dockerfile/rule/{page}/\n"
        ));
        out.push_str(&w.message_in(lang));
        out.push('\n');
        out.push_str(&format!("{file}:{}\n", w.span.line));
        out.push_str(&snippet(w, text));
    }
    out
}

/// The instruction's lines marked with `>>>`, between dashed rules.
fn snippet(w: &Diagnostic, text: &str) -> String {
    let rule = "--------------------\n";
    let body = text.get(w.span.start..w.span.end).unwrap_or("");
    let count = body.lines().count().max(1);
    let mut out = String::from(rule);
    for (i, line) in text.lines().enumerate().skip(w.span.line - 1).take(count) {
        out.push_str(&format!(" {:>3} | >>> {line}\n", i + 1));
    }
    out.push_str(rule);
    out
}
