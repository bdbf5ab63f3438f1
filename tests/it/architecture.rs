//! The layers of the house, checked: no two modules import each other, neither among the
//! top-level modules (`src/X`) nor among the children of one module (`src/X/Y`). Test code
//! (`#[cfg(test)]` modules and `tests.rs` files) is left out, as it may reach anywhere.
//!
//! Imports are read from the source text: every `crate::…`, `super::…` and `self::…` path,
//! `use` trees with braces included. A name that a parent re-exports from a child
//! (`pub use builder::EngineState` in `engine.rs`) counts as an import of that child.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module as a path of names from the crate root: `["engine", "builder", "exec"]`.
type ModPath = Vec<String>;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file defines: `src/engine/builder.rs` → `engine::builder`.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: ModPath = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.as_slice(), [only] if only == "lib" || only == "main") {
        parts.clear();
    }
    parts
}

/// The text with comments, string and char literals blanked, so paths inside them don't count.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            // raw string r"…" or r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            while j < b.len() && !b[j..].starts_with(&close) {
                j += 1;
            }
            i = j + close.len();
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // a char literal ('x', '\n', '\u{..}') or a lifetime ('a)
            let rest = &text[i + 1..];
            let lit_len = if rest.starts_with('\\') {
                rest.find('\'').map(|n| n + 1)
            } else {
                let mut chars = rest.chars();
                let c = chars.next().map_or(0, char::len_utf8);
                (chars.next() == Some('\'')).then_some(c + 1)
            };
            match lit_len {
                Some(n) => {
                    i += 1 + n;
                    out.push_str("' '");
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The code with every `#[cfg(test)]` item removed (a `mod tests { … }` or `mod tests;`).
fn without_test_code(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // the item ends at its `;` or at the brace that closes its first `{`
        let semi = item.find(';');
        let brace = item.find('{');
        let end = match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (_, Some(b)) => {
                let mut depth = 0;
                let mut end = item.len();
                for (k, c) in item[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (Some(s), None) => s + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

fn tokens(code: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Tok::Ident(code[i..end].to_string()));
        } else if c == ':' && chars.peek().is_some_and(|&(_, d)| d == ':') {
            chars.next();
            out.push(Tok::PathSep);
        } else if c == '{' {
            out.push(Tok::Open);
        } else if c == '}' {
            out.push(Tok::Close);
        } else if c == ',' {
            out.push(Tok::Comma);
        } else if !c.is_whitespace() {
            out.push(Tok::Other);
        }
    }
    out
}

/// Every path that starts at `crate`, `super` or `self`, as written: `["super", "blob", "Blob"]`.
/// Brace groups are expanded: `crate::{a::b, c}` gives `crate::a::b` and `crate::c`.
fn rooted_paths(toks: &[Tok]) -> Vec<Vec<String>> {
    fn tree(
        toks: &[Tok],
        mut i: usize,
        prefix: &mut Vec<String>,
        out: &mut Vec<Vec<String>>,
    ) -> usize {
        loop {
            match toks.get(i) {
                Some(Tok::Ident(name)) => {
                    prefix.push(name.clone());
                    i += 1;
                    if toks.get(i) == Some(&Tok::PathSep) {
                        i += 1;
                        continue;
                    }
                    out.push(prefix.clone());
                    return i;
                }
                Some(Tok::Open) => {
                    i += 1;
                    loop {
                        let depth = prefix.len();
                        i = tree(toks, i, prefix, out);
                        prefix.truncate(depth);
                        // skip what follows a path inside the group (`as alias`, `*`)
                        while let Some(t) = toks.get(i) {
                            match t {
                                Tok::Comma => {
                                    i += 1;
                                    break;
                                }
                                Tok::Close => break,
                                _ => i += 1,
                            }
                        }
                        match toks.get(i) {
                            Some(Tok::Close) | None => return i + 1,
                            _ => {}
                        }
                    }
                }
                _ => {
                    out.push(prefix.clone());
                    return i;
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Tok::Ident(word) = t else { continue };
        if !matches!(word.as_str(), "crate" | "super" | "self") {
            continue;
        }
        // only the start of a path: not `foo::super` nor `pub(crate)`
        if i > 0 && toks[i - 1] == Tok::PathSep {
            continue;
        }
        if toks.get(i + 1) != Some(&Tok::PathSep) {
            continue;
        }
        let mut prefix = Vec::new();
        tree(toks, i, &mut prefix, &mut out);
    }
    out
}

/// The module a written path names, as far as modules go: `super::blob::Blob` in
/// `filesystem::rootfs` → `filesystem::blob`. Names re-exported by a parent from its child
/// resolve to that child.
fn target_of(
    from: &ModPath,
    path: &[String],
    modules: &BTreeSet<ModPath>,
    reexports: &BTreeMap<(ModPath, String), ModPath>,
) -> ModPath {
    let mut at: ModPath = from.clone();
    let mut rest = path;
    while let Some(first) = rest.first() {
        match first.as_str() {
            "crate" => at.clear(),
            "super" => {
                at.pop();
            }
            "self" => {}
            _ => break,
        }
        rest = &rest[1..];
    }
    for name in rest {
        let mut child = at.clone();
        child.push(name.clone());
        if modules.contains(&child) {
            at = child;
        } else if let Some(target) = reexports.get(&(at.clone(), name.clone())) {
            return target.clone();
        } else {
            break;
        }
    }
    at
}

/// The node a module counts as when modules are compared `depth` names deep; `None` when it
/// sits above that depth (`engine.rs` itself is not one of its children at depth 2).
fn node(module: &ModPath, depth: usize) -> Option<ModPath> {
    (module.len() >= depth).then(|| module[..depth].to_vec())
}

#[test]
fn no_two_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "tests.rs"))
        .collect();
    let modules: BTreeSet<ModPath> = files.iter().map(|f| module_of(&src, f)).collect();
    assert!(
        modules.len() > 20,
        "found only {} modules under {}",
        modules.len(),
        src.display()
    );

    let mut uses: Vec<(ModPath, Vec<Vec<String>>)> = Vec::new();
    let mut reexports = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let code = without_test_code(&code_only(&text));
        let module = module_of(&src, file);
        let toks = tokens(&code);
        // `pub use child::{A, B}` (or `self::child::A`) in a parent re-exports from a child
        for (i, t) in toks.iter().enumerate() {
            if *t != Tok::Ident("use".into()) || i == 0 || toks[i - 1] != Tok::Ident("pub".into()) {
                continue;
            }
            // the use tree runs to its `;` (the only `Other` token a use tree can hold)
            let end = toks[i..]
                .iter()
                .position(|t| *t == Tok::Other)
                .map_or(toks.len(), |n| i + n);
            let mut tree = toks[i + 1..end].to_vec();
            if !matches!(tree.first(), Some(Tok::Ident(w)) if matches!(w.as_str(), "crate" | "super" | "self"))
            {
                tree.splice(0..0, [Tok::Ident("self".into()), Tok::PathSep]);
            }
            for path in rooted_paths(&tree) {
                let Some(name) = path.last() else { continue };
                let target = target_of(&module, &path, &modules, &BTreeMap::new());
                if target != module && target.starts_with(&module) {
                    reexports.insert((module.clone(), name.clone()), target);
                }
            }
        }
        uses.push((module, rooted_paths(&toks)));
    }

    let mut edges: BTreeMap<(ModPath, ModPath), ModPath> = BTreeMap::new();
    for (module, paths) in &uses {
        for path in paths {
            let target = target_of(module, path, &modules, &reexports);
            for depth in [1, 2] {
                let (Some(a), Some(b)) = (node(module, depth), node(&target, depth)) else {
                    continue;
                };
                // compare siblings only: at depth 2, two children of the same parent
                if a != b && a[..depth - 1] == b[..depth - 1] {
                    edges.entry((a, b)).or_insert_with(|| module.clone());
                }
            }
        }
    }
    let cycles: Vec<String> = edges
        .iter()
        .filter(|((a, b), _)| a < b && edges.contains_key(&(b.clone(), a.clone())))
        .map(|((a, b), via)| {
            let back = &edges[&(b.clone(), a.clone())];
            format!(
                "{} <-> {} (from {} and from {})",
                a.join("/"),
                b.join("/"),
                via.join("::"),
                back.join("::")
            )
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that import each other:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn the_checker_sees_imports_in_all_their_shapes() {
    let code = without_test_code(&code_only(
        "use crate::{engine::{store, report::Report as R}, shell};\n\
         // use crate::commented::Out;\n\
         let s = \"crate::in_string\";\n\
         fn f() -> super::blob::Blob { self::inner::g() }\n\
         #[cfg(test)] mod tests { use crate::only_tests; }\n\
         pub(crate) fn h<'a>(c: char) -> bool { c == '{' }",
    ));
    let paths: Vec<String> = rooted_paths(&tokens(&code))
        .iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        paths,
        [
            "crate::engine::store",
            "crate::engine::report::Report",
            "crate::shell",
            "super::blob::Blob",
            "self::inner::g",
        ]
    );
    let modules: BTreeSet<ModPath> = [
        vec!["filesystem".into()],
        vec!["filesystem".into(), "blob".into()],
    ]
    .into_iter()
    .collect();
    let from: ModPath = vec!["filesystem".into(), "rootfs".into()];
    let path: Vec<String> = ["super", "blob", "Blob"].map(String::from).to_vec();
    assert_eq!(
        target_of(&from, &path, &modules, &BTreeMap::new()),
        ["filesystem", "blob"]
    );
}
