//! `--format`: the part of Go's text/template that learners use with docker
//! — `{{.Field}}`, `{{.A.B}}`, `{{json .Field}}`, `{{json .}}` and a
//! leading `table` — over a JSON value per row. Anything else (functions,
//! `range`, `if`, pipes) is refused with a message that says what layerlab
//! knows, rather than printing something docker would not.
//!
//! Values print as Go prints the interface values docker decodes: strings
//! bare, lists as `[a b]`, objects as `map[k:v]`, null as `[]` (docker's
//! typed configs print an unset list so).
//!
//! [`formatted`] runs rows through a template (as `ps` and `images` do),
//! [`inspect_output`] prints `inspect`'s documents, whole or through `-f`.

use crate::command::output::table;
use crate::command::spec::Output;
use serde_json::Value;

/// What the rows are, which decides docker's wording when a field is
/// missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// `docker images`, `docker image ls`.
    Images,
    /// `docker ps`.
    Containers,
    /// `docker inspect`: a JSON document, whose missing keys docker reports
    /// as a map's.
    Inspect,
}

impl Context {
    /// The error's opening words and the Go type docker names.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Context::Images => ("template parsing error", "*formatter.imageContext"),
            Context::Containers => ("failed to execute template", "*formatter.ContainerContext"),
            Context::Inspect => ("template parsing error", ""),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// `.A.B` (empty path: `.`), at the byte offset of its first dot.
    Field {
        path: Vec<String>,
        json: bool,
        offset: usize,
    },
}

/// A parsed `--format` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    /// `table …`: a header row, and the cells laid out in columns.
    pub table: bool,
    context: Context,
}

impl Template {
    /// Parse `text`; `Err` is the message docker (or, for what layerlab
    /// does not know, layerlab) prints.
    pub fn parse(text: &str, context: Context) -> Result<Template, String> {
        let (table, body) = match text.strip_prefix("table") {
            Some(rest) => (true, rest.trim_start().replace(r"\t", "\t")),
            None => (false, text.to_owned()),
        };
        let mut pieces = Vec::new();
        let mut rest = body.as_str();
        let mut at = text.len() - body.len().min(text.len());
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let inner_start = open + 2;
            let Some(close) = rest[inner_start..].find("}}") else {
                return Err("template parsing error: template: :1: unclosed action".into());
            };
            let inner = &rest[inner_start..inner_start + close];
            let offset = at + inner_start + (inner.len() - inner.trim_start().len());
            pieces.push(action(inner.trim(), offset, context)?);
            let consumed = inner_start + close + 2;
            at += consumed;
            rest = &rest[consumed..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Ok(Template {
            pieces,
            table,
            context,
        })
    }

    /// The text for one row.
    pub fn render(&self, row: &Value) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { path, json, offset } => {
                    let value = lookup(row, path).map_err(|missing| {
                        let (opening, type_name) = self.context.words();
                        let shown = format!(".{}", path.join("."));
                        let offset =
                            offset + path[..missing].iter().map(|p| p.len() + 1).sum::<usize>();
                        let why = if self.context == Context::Inspect {
                            format!("map has no entry for key \"{}\"", path[missing])
                        } else {
                            format!("can't evaluate field {} in type {type_name}", path[missing])
                        };
                        format!(
                            "{opening}: template: :1:{offset}: executing \"\" at <{shown}>: {why}"
                        )
                    })?;
                    if *json {
                        out.push_str(&go_json(value));
                    } else {
                        out.push_str(&go_print(value));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The header row of a `table` template: each field's header as
    /// `header` names it.
    pub fn header(&self, header: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { path, .. } => out.push_str(&header(&path.join("."))),
            }
        }
        out
    }
}

/// One `{{…}}`: `.Field`, `.`, or `json` of one of those.
fn action(inner: &str, offset: usize, context: Context) -> Result<Piece, String> {
    let (json, arg, offset) = match inner.strip_prefix("json") {
        Some(rest) if rest.starts_with(char::is_whitespace) => {
            let arg = rest.trim_start();
            (true, arg, offset + inner.len() - arg.len())
        }
        _ => (false, inner, offset),
    };
    let refused = || {
        let (opening, _) = context.words();
        format!(
            "{opening}: layerlab's --format knows {{{{.Field}}}}, {{{{.A.B}}}} and {{{{json .Field}}}}, not {{{{{inner}}}}}"
        )
    };
    if arg == "." {
        return Ok(Piece::Field {
            path: Vec::new(),
            json,
            offset,
        });
    }
    let Some(fields) = arg.strip_prefix('.') else {
        return Err(refused());
    };
    let path: Vec<String> = fields.split('.').map(str::to_owned).collect();
    let plain = |p: &String| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !path.iter().all(plain) {
        return Err(refused());
    }
    Ok(Piece::Field { path, json, offset })
}

/// The value at `path`, or the index of the first segment not found.
fn lookup<'a>(row: &'a Value, path: &[String]) -> Result<&'a Value, usize> {
    let mut value = row;
    for (i, key) in path.iter().enumerate() {
        value = value.get(key).ok_or(i)?;
    }
    Ok(value)
}

/// Go's `fmt.Print` of a decoded JSON value.
pub fn go_print(value: &Value) -> String {
    match value {
        Value::Null => "[]".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_print).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_print(v)))
                .collect();
            format!("map[{}]", items.join(" "))
        }
    }
}

/// Go's `json.Marshal`, which escapes `<`, `>` and `&` in strings.
pub fn go_json(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Rows through a `--format` template: each row's text, or a table of them
/// with its header.
pub fn formatted(
    format: &str,
    context: Context,
    rows: &[Value],
    header: impl Fn(&str) -> String,
) -> Result<Vec<String>, String> {
    let template = Template::parse(format, context)?;
    let mut lines = Vec::new();
    for row in rows {
        lines.push(template.render(row)?);
    }
    if !template.table {
        return Ok(lines);
    }
    let mut cells: Vec<Vec<String>> = vec![template
        .header(header)
        .split('\t')
        .map(str::to_owned)
        .collect()];
    cells.extend(
        lines
            .iter()
            .map(|l| l.split('\t').map(str::to_owned).collect()),
    );
    Ok(table(&cells))
}

/// A JSON array as docker prints `inspect`'s: indented by four spaces.
pub fn pretty(docs: &[Value]) -> Vec<String> {
    use serde::Serialize;
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    if Value::Array(docs.to_vec()).serialize(&mut ser).is_err() {
        return vec!["[]".into()];
    }
    String::from_utf8_lossy(&bytes)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Print inspect documents, or each through `-f`; the misses are errors
/// after what was found, as docker prints them.
pub fn inspect_output(docs: &[Value], missing: &[String], format: Option<&str>) -> Output {
    let mut out = Output::default();
    match format {
        None => out.stdout = pretty(docs),
        Some(f) => {
            let template = match Template::parse(f, Context::Inspect) {
                Ok(t) => t,
                Err(e) => return Output::error(e),
            };
            for doc in docs {
                match template.render(doc) {
                    Ok(line) => out.stdout.push(line),
                    Err(e) => {
                        out.stdout.push(String::new());
                        out.stderr.push(e);
                        out.status = 1;
                        return out;
                    }
                }
            }
        }
    }
    for m in missing {
        out.stderr.push(format!("Error: {m}"));
        out.status = 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &str, context: Context, row: &Value) -> Result<String, String> {
        Template::parse(t, context)?.render(row)
    }

    #[test]
    fn fields_and_json_render_as_go_prints_them() {
        let row =
            json!({"ID": "abc", "Names": "web", "Config": {"Env": ["A=1", "B=<2>"], "Cmd": null}});
        assert_eq!(
            render("{{.ID}} {{ .Names }}!", Context::Containers, &row),
            Ok("abc web!".into())
        );
        assert_eq!(
            render("{{json .Config.Env}}", Context::Inspect, &row),
            Ok(r#"["A=1","B=\u003c2\u003e"]"#.into())
        );
        assert_eq!(
            render("{{.Config.Env}} {{.Config.Cmd}}", Context::Inspect, &row),
            Ok("[A=1 B=<2>] []".into())
        );
    }

    #[test]
    fn errors_are_dockers_words() {
        let row = json!({"Config": {}});
        assert_eq!(
            render("{{.Nope}}", Context::Images, &row),
            Err(r#"template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.imageContext"#.into())
        );
        assert_eq!(
            render("{{.Nope}}", Context::Containers, &row),
            Err(r#"failed to execute template: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext"#.into())
        );
        assert_eq!(
            render("{{.Config.Nope}}", Context::Inspect, &row),
            Err(r#"template parsing error: template: :1:9: executing "" at <.Config.Nope>: map has no entry for key "Nope""#.into())
        );
        assert_eq!(
            render("{{.Repository", Context::Images, &row),
            Err("template parsing error: template: :1: unclosed action".into())
        );
        let refused = render("{{upper .Names}}", Context::Containers, &row).unwrap_err();
        assert!(refused.contains("layerlab's --format knows"), "{refused}");
    }

    #[test]
    fn a_table_template_has_a_header() {
        let t = Template::parse(r"table {{.Names}}\t{{.Status}}", Context::Containers).unwrap();
        assert!(t.table);
        assert_eq!(t.header(|f| f.to_uppercase()), "NAMES\tSTATUS");
        assert_eq!(
            t.render(&json!({"Names": "web", "Status": "Created"})),
            Ok("web\tCreated".into())
        );
    }
}
