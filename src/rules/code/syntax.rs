//! Small language-neutral readers over the tree-sitter trees of Python, JavaScript,
//! TypeScript, Go and Java, shared by the JWT, token-lifetime and logging rules: literal
//! strings and numbers, the words of an identifier, the enclosing function's name.
//!
//! The grammars name their nodes differently (`string` / `interpreted_string_literal` /
//! `string_literal`), so each reader matches on every spelling it knows and returns
//! `None` on anything else: an unknown shape is never guessed at.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, packed};
use tree_sitter::{Node, Tree};

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{self, text};
use crate::parse::treesitter;
use crate::rules::code::debug_enabled::is_non_production_path;
use crate::rules::secrets::generic_password::is_test_path;

/// The syntax tree of a Python, JavaScript, TypeScript, Go or Java document (parsed once,
/// cached and shared with the other code rules).
pub fn tree<'d>(doc: &'d Document) -> Option<&'d Tree> {
    match doc.kind {
        FileKind::Python => python::tree(doc),
        _ if treesitter::is_generated(doc) => None,
        _ => treesitter::tree(doc),
    }
}

/// The five languages [`tree`] parses: the checklist rules' `applies_to`.
pub fn is_parsed_source(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Python
            | FileKind::JavaScript
            | FileKind::TypeScript
            | FileKind::Go
            | FileKind::Java
    )
}

/// Test code, test settings and local-only settings: the checklist rules judge what runs
/// in production, and tests sign throwaway tokens with whatever is convenient.
pub fn is_test_source(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    is_non_production_path(path)
        || is_test_path(path)
        || lower.ends_with("test.java")
        || lower.ends_with("tests.java")
        || lower.contains("/src/test/")
}

/// Words looked for in a text in one pass: the rules' cheap test before parsing. One
/// SIMD multi-word search (Teddy, from aho-corasick) instead of one substring search per
/// word and per line, which cost more than the parsing it saved on trees of mostly clean
/// files. A rule with several groups of words keeps one `Words` per group.
pub struct Words {
    /// Teddy where the CPU has the vector instructions it needs, else an automaton.
    /// Neither can fail for a few fixed words; if both did, every text would count as
    /// matching, so a rule parses rather than misses.
    packed: Option<packed::Searcher>,
    automaton: Option<AhoCorasick>,
}

impl Words {
    pub fn new(words: &[&str]) -> Self {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(words)
            .build();
        let automaton = match packed {
            Some(_) => None,
            None => AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(words)
                .ok(),
        };
        Words { packed, automaton }
    }

    /// True when one of the words is in `text`.
    pub fn in_text(&self, text: &str) -> bool {
        match (&self.packed, &self.automaton) {
            (Some(packed), _) => packed.find(text).is_some(),
            (None, Some(automaton)) => automaton.is_match(text),
            (None, None) => true,
        }
    }

    /// The byte ranges of the words in `text`, in order; where occurrences overlap, only
    /// the first is given. `None` when no searcher could be built (the caller then parses).
    pub fn ranges<'t>(
        &'t self,
        text: &'t str,
    ) -> Option<Box<dyn Iterator<Item = Range<usize>> + 't>> {
        match (&self.packed, &self.automaton) {
            (Some(packed), _) => Some(Box::new(packed.find_iter(text).map(|m| m.range()))),
            (None, Some(automaton)) => Some(Box::new(automaton.find_iter(text).map(|m| m.range()))),
            (None, None) => None,
        }
    }
}

/// The value of a string literal without placeholders, in any of the five grammars.
pub fn string_value(doc: &Document, node: Node) -> Option<String> {
    match node.kind() {
        "string" | "concatenated_string" if doc.kind == FileKind::Python => {
            python::plain_string(doc, node)
        }
        "string" | "interpreted_string_literal" | "raw_string_literal" | "string_literal" => {
            Some(strip_quotes(text(doc, node)))
        }
        "template_string" if !has_named_child(node, "template_substitution") => {
            Some(strip_quotes(text(doc, node)))
        }
        "parenthesized_expression" => string_value(doc, node.named_child(0)?),
        _ => None,
    }
}

fn strip_quotes(s: &str) -> String {
    s.trim_matches(['"', '\'', '`']).to_string()
}

fn has_named_child(node: Node, kind: &str) -> bool {
    python::named_children(node)
        .iter()
        .any(|c| c.kind() == kind)
}

/// The number a numeric literal stands for (`60`, `3_600`, `3600L`, `0.5`).
pub fn number_value(doc: &Document, node: Node) -> Option<f64> {
    match node.kind() {
        "integer"
        | "float"
        | "number"
        | "int_literal"
        | "float_literal"
        | "decimal_integer_literal"
        | "decimal_floating_point_literal" => {
            let cleaned: String = text(doc, node).chars().filter(|c| *c != '_').collect();
            cleaned
                .trim_end_matches(['l', 'L', 'f', 'F', 'd', 'D', 'n'])
                .parse()
                .ok()
        }
        _ => None,
    }
}

/// The left and right operands and the operator of a binary expression in any grammar.
pub fn binary_parts<'t, 'a>(
    doc: &Document<'a>,
    node: Node<'t>,
) -> Option<(Node<'t>, &'a str, Node<'t>)> {
    if !matches!(node.kind(), "binary_operator" | "binary_expression") {
        return None;
    }
    let left = node.child_by_field_name("left")?;
    let right = node.child_by_field_name("right")?;
    let op = node.child_by_field_name("operator")?;
    Some((left, text(doc, op), right))
}

/// The words of an identifier, lowercased: `ACCESS_TOKEN_EXPIRE_MINUTES` →
/// access, token, expire, minutes; `apiKey` → api, key; `JWTSecret` → jwt, secret.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The name of the function or method `node` is in, if any.
pub fn enclosing_function_name<'a>(doc: &Document<'a>, node: Node) -> Option<&'a str> {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind() {
            "function_definition"
            | "function_declaration"
            | "method_declaration"
            | "method_definition"
            | "generator_function_declaration" => {
                return n.child_by_field_name("name").map(|name| text(doc, name));
            }
            // `const issue = () => ...`, `issue: function () {}`
            "arrow_function" | "function_expression" | "function" => {
                if let Some(named) = n.parent().and_then(|p| {
                    p.child_by_field_name("name")
                        .or_else(|| p.child_by_field_name("key"))
                }) {
                    return Some(text(doc, named));
                }
            }
            _ => {}
        }
        current = n.parent();
    }
    None
}

/// The statement `node` belongs to: its nearest ancestor that is a statement or a
/// declaration.
pub fn enclosing_statement(node: Node) -> Node {
    let mut current = node;
    while let Some(parent) = current.parent() {
        let kind = parent.kind();
        if kind.ends_with("_statement")
            || kind.ends_with("_declaration")
            || kind == "short_var_declaration"
        {
            return parent;
        }
        current = parent;
    }
    current
}

/// The name bound by an assignment-like node: Python `NAME = ..`, JS/Java
/// `variable_declarator`, Go `const_spec`/`var_spec`, a Python class attribute. For
/// a Go or Python statement with several targets, the first.
pub fn assigned_name<'a>(doc: &Document<'a>, node: Node) -> Option<&'a str> {
    let target = match node.kind() {
        "assignment" => node.child_by_field_name("left")?,
        "variable_declarator" | "const_spec" | "var_spec" => node.child_by_field_name("name")?,
        "short_var_declaration" => node.child_by_field_name("left")?.named_child(0)?,
        "assignment_expression" => node.child_by_field_name("left")?,
        _ => return None,
    };
    match target.kind() {
        "identifier" => Some(text(doc, target)),
        // `settings.X = ..`, `this.x = ..`, `cfg.X = ..`
        "attribute" => target
            .child_by_field_name("attribute")
            .map(|a| text(doc, a)),
        "member_expression" => target.child_by_field_name("property").map(|a| text(doc, a)),
        // `app.config["JWT_ACCESS_TOKEN_EXPIRES"] = ..`: the key, without its quotes.
        "subscript" | "subscript_expression" => {
            let key = target
                .child_by_field_name("subscript")
                .or_else(|| target.child_by_field_name("index"))?;
            matches!(key.kind(), "string")
                .then(|| text(doc, key).trim_matches(['"', '\'']))
                .filter(|k| !k.is_empty() && !k.contains(['{', '\\']))
        }
        _ => None,
    }
}

/// The value of an assignment-like node (for Go, the first of the expression list).
pub fn assigned_value(node: Node) -> Option<Node> {
    let value = match node.kind() {
        "assignment" | "assignment_expression" => node.child_by_field_name("right")?,
        "variable_declarator" | "const_spec" | "var_spec" => node.child_by_field_name("value")?,
        "short_var_declaration" => node.child_by_field_name("right")?,
        _ => return None,
    };
    if value.kind() == "expression_list" {
        return value.named_child(0);
    }
    Some(value)
}

/// The key of a dictionary or object entry, as text without quotes (`"ALGORITHM"`,
/// `algorithm`, `'exp'`), and its value.
pub fn pair_parts<'t>(doc: &Document, node: Node<'t>) -> Option<(String, Node<'t>)> {
    match node.kind() {
        "pair" => {
            let key = node.child_by_field_name("key")?;
            let value = node.child_by_field_name("value")?;
            let key = string_value(doc, key).unwrap_or_else(|| text(doc, key).to_string());
            Some((key, value))
        }
        // Go `Key: value` in a composite literal.
        "keyed_element" => {
            let key = node.named_child(0)?;
            let value = node.named_child(1)?;
            let key = unwrap_element(key);
            let key = string_value(doc, key).unwrap_or_else(|| text(doc, key).to_string());
            Some((key, unwrap_element(value)))
        }
        _ => None,
    }
}

/// Go wraps composite-literal keys and values in `literal_element`.
fn unwrap_element(node: Node) -> Node {
    if node.kind() == "literal_element" {
        return node.named_child(0).unwrap_or(node);
    }
    node
}

/// The called name of a call in any grammar: `encode` for `jwt.encode(..)`, `sign` for
/// `jwt.sign(..)`, `SigningMethodHS256`-free. With the receiver text when there is one.
pub fn call_parts<'t, 'a>(
    doc: &Document<'a>,
    node: Node<'t>,
) -> Option<(Option<Node<'t>>, &'a str, Node<'t>)> {
    match node.kind() {
        "call" | "call_expression" => {
            let function = node.child_by_field_name("function")?;
            let args = node.child_by_field_name("arguments")?;
            let (receiver, name) = match function.kind() {
                "identifier" => (None, function),
                "attribute" => (
                    function.child_by_field_name("object"),
                    function.child_by_field_name("attribute")?,
                ),
                "member_expression" => (
                    function.child_by_field_name("object"),
                    function.child_by_field_name("property")?,
                ),
                "selector_expression" => (
                    function.child_by_field_name("operand"),
                    function.child_by_field_name("field")?,
                ),
                _ => return None,
            };
            Some((receiver, text(doc, name), args))
        }
        "method_invocation" => Some((
            node.child_by_field_name("object"),
            text(doc, node.child_by_field_name("name")?),
            node.child_by_field_name("arguments")?,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_identifiers_into_words() {
        assert_eq!(
            words("ACCESS_TOKEN_EXPIRE_MINUTES"),
            ["access", "token", "expire", "minutes"]
        );
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("JWTSecret"), ["jwt", "secret"]);
        assert_eq!(words("user.password"), ["user", "password"]);
    }

    #[test]
    fn words_are_found_in_one_pass() {
        let words = Words::new(&["jwt", "JWT", "jose"]);
        assert!(words.in_text("import jose\n"));
        assert!(words.in_text("x = JWT_SECRET"));
        assert!(!words.in_text("Jwt jos"));
        let found: Option<Vec<Range<usize>>> = words.ranges("a jwt, JWT").map(Iterator::collect);
        assert_eq!(found, Some(vec![2..5, 7..10]));
    }

    #[test]
    fn test_sources_in_every_language() {
        for path in [
            "tests/auth.py",
            "src/auth.test.ts",
            "internal/auth/token_test.go",
            "src/test/java/a/AuthTest.java",
            "a/settings/local.py",
        ] {
            assert!(is_test_source(path), "{path}");
        }
        assert!(!is_test_source("src/auth/latest.ts"));
    }
}
