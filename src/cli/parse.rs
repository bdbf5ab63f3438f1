//! `layerlab parse [--json] FILE`: the listing, then the diagnostics in the
//! learner's language (the JSON contract stays English).

use crate::dockerfile::corpus_json::corpus_json_string;
use crate::dockerfile::{parse, Dockerfile, Instruction};
use crate::messages::{Lang, Message};
use clap::Args;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Print one JSON array, one object per instruction.
    #[arg(long)]
    pub json: bool,
    /// The Dockerfile to read (`-` reads standard input).
    pub file: PathBuf,
}

pub fn run(args: &ParseArgs, lang: Lang) -> i32 {
    let name = if args.file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        args.file.display().to_string()
    };
    let source = match read_source(&args.file) {
        Ok(s) => s,
        Err(message) => {
            if args.json {
                outln!("{}", serde_json::json!({ "error": message.to_string() }));
            }
            let error = Message::new("diag.error").render(lang);
            eprintln!("{error}: {name}: {}", message.render(lang));
            return 1;
        }
    };
    let result = parse(&source);
    let out = if args.json {
        corpus_json_string(&result)
    } else {
        match &result {
            Ok(df) => listing(df, lang),
            Err(_) => String::new(),
        }
    };
    // A closed pipe (e.g. `| head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    match result {
        Ok(df) => {
            // The parser accepts these; the analyzer's findings (an unknown
            // instruction a build would reject, a CMD that only looks like
            // exec form, …) are what a learner wants to see next.
            for d in &crate::dockerfile::analyzer::analyze(&df).diagnostics {
                eprint!("{}", d.render_in(lang, &name, &source));
            }
            0
        }
        Err(d) => {
            eprint!("{}", d.render_in(lang, &name, &source));
            1
        }
    }
}

/// The file's text; bytes that are not UTF-8 are reported, not guessed at.
fn read_source(path: &Path) -> Result<String, Message> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|e| Message::new("parse.cannot_read").arg("error", e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Message::new("parse.not_utf8")
            .arg("line", line)
            .arg("byte", at)
    })
}

/// A readable listing: line range, keyword, flags, arguments, heredocs.
fn listing(df: &Dockerfile, lang: Lang) -> String {
    let mut out = String::new();
    for d in &df.directives {
        let _ = writeln!(out, "# {}={}", d.name, d.value);
    }
    for inst in &df.instructions {
        let lines = if inst.span.line == inst.end_line {
            format!("{}", inst.span.line)
        } else {
            format!("{}-{}", inst.span.line, inst.end_line)
        };
        let _ = writeln!(out, "{lines:>7}  {}", describe(inst));
        let shown = inst.onbuild.as_deref().unwrap_or(inst);
        for h in &shown.heredocs {
            let lines = h.content.lines().count();
            let heredoc = Message::new(if lines == 1 {
                "parse.heredoc_one_line"
            } else {
                "parse.heredoc"
            })
            .arg(
                "marker",
                format!("{}{}", if h.chomp { "<<-" } else { "<<" }, h.name),
            )
            .arg("fd", h.file_descriptor)
            .arg("lines", lines);
            let _ = writeln!(out, "         {}", heredoc.render(lang));
        }
    }
    out
}

fn describe(inst: &Instruction) -> String {
    let mut s = inst.keyword_text.to_uppercase();
    for f in &inst.flags {
        s.push(' ');
        s.push_str(&f.text());
    }
    if let Some(inner) = &inst.onbuild {
        s.push(' ');
        s.push_str(&describe(inner));
        return s;
    }
    let args: Vec<String> = inst.values().map(|v| format!("{v:?}")).collect();
    let _ = write!(
        s,
        " {}[{}]",
        if inst.json { "json " } else { "" },
        args.join(", ")
    );
    s
}
