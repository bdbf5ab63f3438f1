//! The parse result in the shape of `parser-corpus/*/expected.json`: one
//! object per instruction as BuildKit's `parser.Node` reports it, or
//! `{"error": …}`.

use crate::dockerfile::ast::{Instruction, Keyword};
use crate::dockerfile::{Diagnostic, Dockerfile};
use serde::Serialize;

/// One instruction as the corpus records it (fields in the corpus' order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorpusInstruction {
    /// `None` (JSON null) when the keyword is empty, as the recorder's
    /// bindings report an empty Go string.
    pub cmd: Option<String>,
    pub sub_cmd: Option<String>,
    pub json: bool,
    /// `None` when empty, like `cmd`.
    pub original: Option<String>,
    pub value: Vec<String>,
    pub flags: Vec<String>,
    pub sub_flags: Option<Vec<String>>,
    pub start_line: usize,
    pub end_line: usize,
    pub heredocs: Vec<CorpusHeredoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorpusHeredoc {
    pub name: String,
    pub file_descriptor: u32,
    pub content: String,
}

/// `Node.Next` values: for ONBUILD, BuildKit's node holds the wrapped
/// instruction as a child of one empty-valued node.
fn node_values(inst: &Instruction) -> Vec<String> {
    match (inst.keyword, &inst.onbuild) {
        (Keyword::Onbuild, Some(_)) => vec![String::new()],
        (Keyword::Onbuild, None) => Vec::new(),
        _ => inst.values().map(str::to_string).collect(),
    }
}

fn flag_texts(inst: &Instruction) -> Vec<String> {
    inst.flags.iter().map(|f| f.text()).collect()
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Shape one instruction.
pub fn corpus_instruction(inst: &Instruction) -> CorpusInstruction {
    // ONBUILD: values, JSON-ness and heredocs come from the wrapped
    // instruction, as the corpus records them.
    let shown = inst.onbuild.as_deref().unwrap_or(inst);
    CorpusInstruction {
        cmd: non_empty(inst.keyword_text.to_lowercase()),
        sub_cmd: inst.onbuild.as_ref().map(|i| i.keyword_text.to_lowercase()),
        json: shown.json,
        original: non_empty(inst.original.clone()),
        value: node_values(shown),
        flags: flag_texts(inst),
        sub_flags: inst.onbuild.as_deref().map(flag_texts),
        start_line: inst.span.line,
        end_line: inst.end_line,
        heredocs: shown
            .heredocs
            .iter()
            .map(|h| CorpusHeredoc {
                name: h.name.clone(),
                file_descriptor: h.file_descriptor,
                content: h.content.clone(),
            })
            .collect(),
    }
}

/// All instructions in corpus shape.
pub fn to_corpus_json(df: &Dockerfile) -> Vec<CorpusInstruction> {
    df.instructions.iter().map(corpus_instruction).collect()
}

/// The corpus' JSON text for a parse result: the instruction list, or
/// `{"error": message}`. Pretty-printed with two-space indent and a final
/// newline, like the recorder writes it.
pub fn corpus_json_string(result: &Result<Dockerfile, Diagnostic>) -> String {
    let text = match result {
        Ok(df) => serde_json::to_string_pretty(&to_corpus_json(df)),
        Err(d) => serde_json::to_string_pretty(&serde_json::json!({ "error": d.message() })),
    };
    // Serializing plain strings, numbers and lists cannot fail.
    let mut text = text.unwrap_or_default();
    text.push('\n');
    text
}
