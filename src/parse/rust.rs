//! Rust source through `syn`: the cached syntax tree of a Rust document.
//!
//! syn's spans come from proc-macro2, which (with its `span-locations` feature) keeps the
//! text of every file parsed on a thread in a thread-local source map so that a span can
//! tell its byte range. That map only grows, so each new parse first drops the spans of
//! the files parsed before on this thread: the engine checks one document at a time per
//! thread, and a document's tree is never used after the next one is parsed.

use std::ops::Range;

use proc_macro2::Span;

use crate::document::Document;
use crate::kind::FileKind;

/// The syntax tree of a Rust document, parsed on the first call and cached. `None` for
/// other kinds and when the file does not parse (warned with the line of the error: syn
/// has no error recovery, so such a file is not checked by the code rules).
pub fn file<'d>(doc: &'d Document) -> Option<&'d syn::File> {
    if doc.kind != FileKind::Rust {
        return None;
    }
    doc.cache
        .rust
        .get_or_init(|| {
            if super::refuse_deep_nesting(doc, "Rust") {
                return None;
            }
            proc_macro2::extra::invalidate_current_thread_spans();
            match syn::parse_file(doc.text) {
                Ok(file) => Some(file),
                Err(error) => {
                    let line = error.span().start().line;
                    doc.warn(line, format!("Rust: {error}; code rules skipped"));
                    None
                }
            }
        })
        .as_ref()
}

/// The byte range of `span` in its document's text (empty at 0 for spans syn made up).
pub fn bytes(span: Span) -> Range<usize> {
    span.byte_range()
}

/// The byte ranges of the test modules of a Rust document (`#[cfg(test)] mod tests {..}`,
/// at any depth): test code inside a source file, as files under `tests/` are. Empty for
/// other kinds, files that do not parse, and files that never write `cfg(test)` (not
/// parsed for this). TODO: `#[cfg(all(test, ..))]` counts, `#[cfg(any(test, ..))]` and
/// `#[test]` functions outside such a module do not.
pub fn test_modules(doc: &Document) -> Vec<Range<usize>> {
    if doc.kind != FileKind::Rust || !doc.text.contains("cfg(") || !doc.text.contains("test") {
        return Vec::new();
    }
    let Some(parsed) = file(doc) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_test_modules(&parsed.items, &mut out);
    out
}

fn collect_test_modules(items: &[syn::Item], out: &mut Vec<Range<usize>>) {
    for item in items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.attrs.iter().any(is_cfg_test) {
            out.push(bytes(syn::spanned::Spanned::span(module)));
        } else if let Some((_, inner)) = &module.content {
            collect_test_modules(inner, out);
        }
    }
}

/// `#[cfg(test)]` or `#[cfg(all(test, ...))]`.
fn is_cfg_test(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("cfg") {
        return false;
    }
    let Ok(list) = attr.meta.require_list() else {
        return false;
    };
    let tokens: String = list.tokens.to_string().split_whitespace().collect();
    tokens == "test"
        || tokens
            .strip_prefix("all(")
            .is_some_and(|rest| rest.trim_end_matches(')').split(',').any(|t| t == "test"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cfg_test_modules_at_any_depth() {
        let src = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n\
                   mod outer {\n    #[cfg(all(test, unix))]\n    mod inner {}\n    \
                   #[cfg(not(test))]\n    mod real {}\n}\n";
        let doc = Document::new("src/a.rs", FileKind::Rust, src);
        let found: Vec<&str> = test_modules(&doc).into_iter().map(|r| &src[r]).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("#[cfg(test)]") && found[0].ends_with('}'));
        assert!(found[1].contains("mod inner {}"));
    }

    #[test]
    fn parses_once_with_byte_ranges() {
        let src = "fn f() {\n    let q = format!(\"SELECT {}\", x);\n}\n";
        let doc = Document::new("a.rs", FileKind::Rust, src);
        let file = file(&doc).unwrap();
        let syn::Item::Fn(f) = &file.items[0] else {
            panic!("not a function")
        };
        let range = bytes(syn::spanned::Spanned::span(&f.block.stmts[0]));
        assert_eq!(&src[range], "let q = format!(\"SELECT {}\", x);");
        assert!(std::ptr::eq(file, super::file(&doc).unwrap()));
    }

    #[test]
    fn a_second_file_on_the_thread_has_its_own_offsets() {
        let a = Document::new("a.rs", FileKind::Rust, "fn a() {}\n");
        assert!(file(&a).is_some());
        let b = Document::new("b.rs", FileKind::Rust, "fn bb() {}\n");
        let f = file(&b).unwrap();
        let syn::Item::Fn(item) = &f.items[0] else {
            panic!("not a function")
        };
        assert_eq!(bytes(item.sig.ident.span()), 3..5);
    }

    #[test]
    fn a_syntax_error_is_a_warning() {
        let doc = Document::new("a.rs", FileKind::Rust, "fn (\n");
        assert!(file(&doc).is_none());
        assert_eq!(doc.take_warnings().len(), 1);
    }
}
