//! Python source through tree-sitter: the cached syntax tree and the small helpers the
//! code rules share (node text, string literal contents, walking).
//!
//! tree-sitter never fails on bad input: syntax errors become `ERROR` nodes and the rest
//! of the tree is still built, so a file with an error simply has less to check.

use std::cell::RefCell;

use tree_sitter::{Node, Parser, Tree};

use crate::document::Document;

thread_local! {
    // A parser per walker thread, made once: creating one allocates, reusing is free.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// The syntax tree of a Python document, parsed on the first call and cached. `None`
/// when the grammar could not be loaded (a build problem, warned once per file).
pub fn tree<'d>(doc: &'d Document) -> Option<&'d Tree> {
    doc.cache
        .python
        .get_or_init(|| {
            if super::refuse_deep_nesting(doc, "Python") {
                return None;
            }
            let parsed = PARSER.with(|slot| {
                let mut slot = slot.borrow_mut();
                if slot.is_none() {
                    let mut parser = Parser::new();
                    parser
                        .set_language(&tree_sitter_python::LANGUAGE.into())
                        .ok()?;
                    *slot = Some(parser);
                }
                slot.as_mut()?.parse(doc.text, None)
            });
            if parsed.is_none() {
                doc.warn(0, "the Python parser could not run; code rules skipped");
            }
            parsed
        })
        .as_ref()
}

/// The source text under `node` ("" if the range is not on character boundaries,
/// which tree-sitter does not produce for valid UTF-8).
pub fn text<'a>(doc: &Document<'a>, node: Node) -> &'a str {
    doc.text.get(node.byte_range()).unwrap_or("")
}

/// Calls `visit` on every node of the subtree under `root`, depth first, in source
/// order. Iterative: deeply nested generated code cannot overflow the stack.
pub fn walk<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        visit(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The named children of `node`, in order.
pub fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Unwraps `( expr )`.
pub fn unparen(mut node: Node) -> Node {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// A piece of a string literal: text as written, or an f-string placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'t> {
    Text,
    /// The expression inside `{...}`.
    Hole(Node<'t>),
}

/// The pieces of a `string` node (one literal, maybe an f-string) with their text.
/// Escapes are kept as written; for the rules' purposes (does it read as SQL, where is
/// the placeholder) that is enough.
pub fn string_pieces<'t, 'a>(doc: &Document<'a>, string: Node<'t>) -> Vec<(Piece<'t>, &'a str)> {
    let mut out = Vec::new();
    let mut cursor = string.walk();
    for child in string.children(&mut cursor) {
        match child.kind() {
            "string_content" | "escape_sequence" => out.push((Piece::Text, text(doc, child))),
            "interpolation" => {
                if let Some(expr) = child.child_by_field_name("expression") {
                    out.push((Piece::Hole(expr), text(doc, child)));
                }
            }
            _ => {}
        }
    }
    out
}

/// The literal value of a plain string (no placeholders), as written between the quotes.
pub fn plain_string(doc: &Document, node: Node) -> Option<String> {
    let node = unparen(node);
    match node.kind() {
        "string" => {
            let mut out = String::new();
            for (piece, text) in string_pieces(doc, node) {
                match piece {
                    Piece::Text => out.push_str(text),
                    Piece::Hole(_) => return None,
                }
            }
            Some(out)
        }
        "concatenated_string" => named_children(node)
            .into_iter()
            .map(|part| plain_string(doc, part))
            .collect(),
        _ => None,
    }
}

/// The name a call calls: `execute` for `cur.execute(..)`, `text` for `text(..)`.
pub fn callee_name<'a>(doc: &Document<'a>, call: Node) -> Option<&'a str> {
    let function = call.child_by_field_name("function")?;
    match function.kind() {
        "identifier" => Some(text(doc, function)),
        "attribute" => Some(text(doc, function.child_by_field_name("attribute")?)),
        _ => None,
    }
}

/// The positional arguments and keyword arguments (`name`, value) of a call.
pub fn call_arguments<'t, 'a>(
    doc: &Document<'a>,
    call: Node<'t>,
) -> (Vec<Node<'t>>, Vec<(&'a str, Node<'t>)>) {
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    let Some(args) = call.child_by_field_name("arguments") else {
        return (positional, keywords);
    };
    for arg in named_children(args) {
        match arg.kind() {
            "keyword_argument" => {
                if let (Some(name), Some(value)) = (
                    arg.child_by_field_name("name"),
                    arg.child_by_field_name("value"),
                ) {
                    keywords.push((text(doc, name), value));
                }
            }
            "comment" | "list_splat" | "dictionary_splat" => {}
            _ => positional.push(arg),
        }
    }
    (positional, keywords)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;

    #[test]
    fn parses_once_and_survives_garbage() {
        let doc = Document::new("a.py", FileKind::Python, "def (:\n  x = = 1\n\0\u{1F600}");
        let first = tree(&doc).map(|t| t.root_node().id());
        assert!(first.is_some());
        assert_eq!(tree(&doc).map(|t| t.root_node().id()), first);
    }

    #[test]
    fn reads_fstring_pieces() {
        let doc = Document::new("a.py", FileKind::Python, "x = f\"SELECT {a} FROM t\"\n");
        let root = tree(&doc).unwrap().root_node();
        let mut strings = Vec::new();
        walk(root, |n| {
            if n.kind() == "string" {
                strings.push(n);
            }
        });
        let pieces = string_pieces(&doc, strings[0]);
        let texts: Vec<_> = pieces.iter().map(|(_, t)| *t).collect();
        assert_eq!(texts, ["SELECT ", "{a}", " FROM t"]);
        assert!(matches!(pieces[1].0, Piece::Hole(_)));
    }

    #[test]
    fn joins_implicit_concatenation() {
        let doc = Document::new("a.py", FileKind::Python, "x = ('a' \"b\")\n");
        let root = tree(&doc).unwrap().root_node();
        let mut found = None;
        walk(root, |n| {
            if n.kind() == "concatenated_string" {
                found = plain_string(&doc, n);
            }
        });
        assert_eq!(found.as_deref(), Some("ab"));
    }
}
