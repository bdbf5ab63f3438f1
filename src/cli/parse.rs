//! `layerlab parse [--json] FILE`

use crate::dockerfile::corpus_json::corpus_json_string;
use crate::dockerfile::{parse, Dockerfile, Instruction};
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

pub fn run(args: &ParseArgs) -> i32 {
    let name = if args.file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        args.file.display().to_string()
    };
    let source = match read_source(&args.file) {
        Ok(s) => s,
        Err(message) => {
            if args.json {
                println!("{}", serde_json::json!({ "error": message }));
            }
            eprintln!("error: {name}: {message}");
            return 1;
        }
    };
    let result = parse(&source);
    let out = if args.json {
        corpus_json_string(&result)
    } else {
        match &result {
            Ok(df) => listing(df),
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
                eprint!("{}", d.render(&name, &source));
            }
            0
        }
        Err(d) => {
            eprint!("{}", d.render(&name, &source));
            1
        }
    }
}

/// The file's text; bytes that are not UTF-8 are reported, not guessed at.
fn read_source(path: &Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not valid UTF-8 text (line {line}, byte {at}); save the file as UTF-8")
    })
}

/// A readable listing: line range, keyword, flags, arguments, heredocs.
fn listing(df: &Dockerfile) -> String {
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
            let _ = writeln!(
                out,
                "         heredoc {}{} (fd {}, {} line{})",
                if h.chomp { "<<-" } else { "<<" },
                h.name,
                h.file_descriptor,
                h.content.lines().count(),
                if h.content.lines().count() == 1 {
                    ""
                } else {
                    "s"
                }
            );
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
