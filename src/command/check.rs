//! `docker build --check`: BuildKit's build checks instead of a build,
//! printed as docker prints them (rule, page, message, the place in the
//! Dockerfile). Shared by the command bar, `layerlab docker build --check`
//! and `layerlab build --check`. The message speaks the learner's language;
//! the lines around it stay docker's English.

use crate::dockerfile::{Compiled, Diagnostic};
use crate::engine::checks::build_checks;
use crate::engine::dockerignore::DockerIgnore;
use crate::messages::Lang;

/// The report of checking `compiled` (read from `file`) in a context whose
/// `.dockerignore` is `ignore`, and the exit code: 1 when a check warns or
/// the file does not build, as docker does. `Err`: the text does not
/// parse, or has an error BuildKit makes, rendered at its line.
pub fn run(
    file: &str,
    compiled: &Compiled,
    ignore: Option<&DockerIgnore>,
    lang: Lang,
) -> Result<(String, i32), String> {
    if let Some(error) = compiled.error().filter(|e| !e.kind.classic_only()) {
        return Err(error.render_in(lang, file, compiled.source()));
    }
    let warnings = build_checks(compiled, ignore);
    let code = i32::from(!warnings.is_empty());
    Ok((report(&warnings, file, compiled.source(), lang), code))
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
