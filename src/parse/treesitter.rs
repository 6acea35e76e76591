//! JavaScript, TypeScript (and TSX), Go and Java source through tree-sitter: the cached
//! syntax tree of a document in one of those languages. Python has its own module
//! (`crate::parse::python`) whose helpers (`walk`, `text`) work on any tree.
//!
//! tree-sitter never fails on bad input: syntax errors become `ERROR` nodes and the rest
//! of the tree is still built, so a file with an error simply has less to check.

use std::cell::RefCell;

use tree_sitter::{Language, Parser, Tree};

use crate::document::Document;
use crate::kind::FileKind;

/// A grammar this module parses with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    JavaScript,
    TypeScript,
    /// TypeScript with JSX: a different grammar, since `<T>x` means a cast in `.ts` and an
    /// element in `.tsx`.
    Tsx,
    Go,
    Java,
}

impl Lang {
    /// The grammar for a document, from its kind and (for TSX) its extension.
    pub fn of(doc: &Document) -> Option<Lang> {
        match doc.kind {
            FileKind::JavaScript => Some(Lang::JavaScript),
            FileKind::TypeScript if doc.path.to_ascii_lowercase().ends_with(".tsx") => {
                Some(Lang::Tsx)
            }
            FileKind::TypeScript => Some(Lang::TypeScript),
            FileKind::Go => Some(Lang::Go),
            FileKind::Java => Some(Lang::Java),
            _ => None,
        }
    }

    fn language(self) -> Language {
        match self {
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// Bundled, minified or generated source that the code rules do not parse: `.min.js`,
/// TypeScript declarations (`.d.ts`, no statements), files over 1 MB, and files with a
/// line over 5,000 characters. Such files are not written by the project's developers,
/// and parsing them (megabytes each in `node_modules`-like trees) would dominate a scan.
pub fn is_generated(doc: &Document) -> bool {
    const MAX_BYTES: usize = 1_000_000;
    const MAX_LINE: usize = 5_000;
    let lower = doc.path.to_ascii_lowercase();
    if lower.ends_with(".min.js") || lower.ends_with(".d.ts") || doc.text.len() > MAX_BYTES {
        return true;
    }
    (1..=doc.line_count()).any(|line| doc.line_range(line).len() > MAX_LINE)
}

thread_local! {
    // A parser per grammar per walker thread, made once: creating one allocates,
    // reusing is free.
    static PARSERS: RefCell<[Option<Parser>; 5]> = const { RefCell::new([None, None, None, None, None]) };
}

/// The syntax tree of a JavaScript, TypeScript, Go or Java document, parsed on the first
/// call and cached. `None` for other kinds, or when the grammar could not be loaded (a
/// build problem, warned once per file).
pub fn tree<'d>(doc: &'d Document) -> Option<&'d Tree> {
    let lang = Lang::of(doc)?;
    doc.cache
        .tree
        .get_or_init(|| {
            if super::refuse_deep_nesting(doc, &format!("{lang:?}")) {
                return None;
            }
            let parsed = PARSERS.with(|parsers| {
                let mut parsers = parsers.borrow_mut();
                let slot = parsers.get_mut(lang.slot())?;
                if slot.is_none() {
                    let mut parser = Parser::new();
                    parser.set_language(&lang.language()).ok()?;
                    *slot = Some(parser);
                }
                slot.as_mut()?.parse(doc.text, None)
            });
            if parsed.is_none() {
                doc.warn(
                    0,
                    format!("the {lang:?} parser could not run; code rules skipped"),
                );
            }
            parsed
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::walk;

    fn kinds(path: &str, kind: FileKind, src: &str) -> Vec<String> {
        let doc = Document::new(path, kind, src);
        let mut out = Vec::new();
        walk(tree(&doc).unwrap().root_node(), |n| {
            out.push(n.kind().to_string())
        });
        out
    }

    #[test]
    fn each_grammar_loads() {
        let js = kinds("a.js", FileKind::JavaScript, "q(`a ${b}`)");
        assert!(js.contains(&"template_substitution".to_string()));
        let ts = kinds("a.ts", FileKind::TypeScript, "let x = <T>y;");
        assert!(ts.contains(&"type_assertion".to_string()));
        let tsx = kinds("a.tsx", FileKind::TypeScript, "let x = <div>{y}</div>;");
        assert!(tsx.contains(&"jsx_element".to_string()));
        let go = kinds("a.go", FileKind::Go, "package a\nfunc f() { q := 1 }");
        assert!(go.contains(&"short_var_declaration".to_string()));
        let java = kinds(
            "A.java",
            FileKind::Java,
            "class A { void f() { g(\"x\" + y); } }",
        );
        assert!(java.contains(&"method_invocation".to_string()));
    }

    #[test]
    fn minified_and_declaration_files_are_generated() {
        let long = format!("var a={};\n", "1+".repeat(3000));
        assert!(is_generated(&Document::new(
            "a.js",
            FileKind::JavaScript,
            &long
        )));
        assert!(is_generated(&Document::new(
            "x.min.js",
            FileKind::JavaScript,
            ""
        )));
        assert!(is_generated(&Document::new(
            "x.d.ts",
            FileKind::TypeScript,
            ""
        )));
        assert!(!is_generated(&Document::new(
            "a.js",
            FileKind::JavaScript,
            "q(1);\n"
        )));
    }

    #[test]
    fn other_kinds_have_no_tree() {
        let doc = Document::new("a.py", FileKind::Python, "x = 1");
        assert!(tree(&doc).is_none());
    }
}
