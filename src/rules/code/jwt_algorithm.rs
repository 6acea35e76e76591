//! `code/jwt-weak-algorithm` and `code/jwt-none-algorithm`: JSON Web Tokens signed or
//! verified with a shared-secret HMAC algorithm (`HS256`/`HS384`/`HS512`), where the
//! checklist asks for RS256, and `none` accepted as an algorithm (unsigned tokens pass).
//!
//! Two rules because the risks differ by far (a design choice against a forged-token
//! hole) and so do their severities; one checker because both read the same places:
//! - a string literal in an algorithm position: keyword `algorithm=`/`algorithms=` (PyJWT,
//!   python-jose), a dict or object key `alg`/`algorithm`/`algorithms`/`ALGORITHM`
//!   (SimpleJWT, jsonwebtoken, jose `setProtectedHeader`), a variable or constant whose
//!   name contains `ALG` (`ALGORITHM = "HS256"`, `JWT_ALGORITHM`), golang-jwt
//!   `WithValidMethods`/`GetSigningMethod`, directly or inside a list;
//! - a constant used in an algorithm position (`algorithm=JWT_METHOD`), reported where
//!   the constant is defined (same file only);
//! - golang-jwt `jwt.SigningMethodHS256`, `SigningMethodNone`,
//!   `UnsafeAllowNoneSignatureType`; jjwt `SignatureAlgorithm.HS256`, `Jwts.SIG.HS256`,
//!   `SignatureAlgorithm.NONE`; auth0 java-jwt `Algorithm.HMAC256(..)`, `Algorithm.none()`.
//!
//! SimpleJWT defaults to HS256 when `ALGORITHM` is absent, but settings are often split
//! over modules (`{**SIMPLE_JWT, ..}`), so an absent key is not reported. Test sources
//! are skipped (see [`syntax::is_test_source`]).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use tree_sitter::Node;

use super::syntax::{
    self, Words, assigned_name, assigned_value, call_parts, pair_parts, string_value,
};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{named_children, text, walk};
use crate::rules::{Checker, Findings};

const WEAK: &str = "code/jwt-weak-algorithm";
const NONE: &str = "code/jwt-none-algorithm";

pub struct JwtAlgorithm;

impl Checker for JwtAlgorithm {
    fn rule_ids(&self) -> Vec<String> {
        vec![WEAK.to_string(), NONE.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        syntax::is_parsed_source(kind)
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if syntax::is_test_source(doc.path) || !mentions_algorithm(doc.text) {
            return;
        }
        let Some(tree) = syntax::tree(doc) else {
            return;
        };
        let root = tree.root_node();
        let mut nodes = Vec::new();
        walk(root, |n| nodes.push(n));
        let constants = constants(doc, &nodes);
        let mut reported = HashSet::new();
        for node in nodes {
            for (at, alg) in algorithms_at(doc, node, &constants) {
                if reported.insert(at.byte_range()) {
                    report(out, at, &alg);
                }
            }
        }
    }
}

/// The cheap test that decides whether the file is parsed at all: an HMAC or `none`
/// algorithm name, and for a bare `"none"` string (common in any code) a JWT library too.
/// One scan per group of words.
fn mentions_algorithm(text: &str) -> bool {
    const NAMES: [&str; 9] = [
        "HS256",
        "HS384",
        "HS512",
        "HMAC256",
        "HMAC384",
        "HMAC512",
        "SigningMethodNone",
        "UnsafeAllowNone",
        "lgorithm.none",
    ];
    const NONE: [&str; 3] = ["\"none\"", "'none'", "SignatureAlgorithm.NONE"];
    const JWT: [&str; 4] = ["jwt", "JWT", "Jwt", "jose"];
    static NAME_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(&NAMES));
    static NONE_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(&NONE));
    static JWT_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(&JWT));
    NAME_WORDS.in_text(text) || (NONE_WORDS.in_text(text) && JWT_WORDS.in_text(text))
}

/// The algorithm a name or literal means, if it is one this rule reports.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Alg {
    Hmac(String),
    None,
}

fn classify(value: &str) -> Option<Alg> {
    match value {
        "HS256" | "HS384" | "HS512" => Some(Alg::Hmac(value.to_string())),
        v if v.eq_ignore_ascii_case("none") => Some(Alg::None),
        _ => None,
    }
}

fn report(out: &mut Findings, at: Node, alg: &Alg) {
    match alg {
        Alg::Hmac(name) => out.report(
            WEAK,
            at.byte_range(),
            format!("JWT signed or verified with `{name}`, a shared secret: use RS256 or another asymmetric algorithm"),
        ),
        Alg::None => out.report(
            NONE,
            at.byte_range(),
            "`none` accepted as a JWT algorithm: a token without a signature passes verification",
        ),
    }
}

/// Constants of the file with a string or list value: `NAME = "HS256"`,
/// `const ALGS = ["HS256"]`. Where a name is bound twice, the first binding.
fn constants<'t>(doc: &Document, nodes: &[Node<'t>]) -> HashMap<String, Node<'t>> {
    let mut out = HashMap::new();
    for node in nodes {
        if let (Some(name), Some(value)) = (assigned_name(doc, *node), assigned_value(*node)) {
            out.entry(name.to_string()).or_insert(value);
        }
    }
    out
}

/// What `node` reports, with the node to report at: empty unless `node` is an algorithm
/// position or one of the library names of an algorithm.
fn algorithms_at<'t>(
    doc: &Document,
    node: Node<'t>,
    constants: &HashMap<String, Node<'t>>,
) -> Vec<(Node<'t>, Alg)> {
    // golang-jwt `jwt.SigningMethodHS256`, jjwt `SignatureAlgorithm.HS256`.
    if let Some(alg) = library_constant(doc, node) {
        return vec![(node, alg)];
    }
    // java-jwt `Algorithm.HMAC256(secret)`, `Algorithm.none()`.
    if let Some((Some(receiver), name, _)) = call_parts(doc, node)
        && text(doc, receiver) == "Algorithm"
    {
        let alg = match name {
            "HMAC256" | "HMAC384" | "HMAC512" => Some(Alg::Hmac(name.replace("MAC", "S"))),
            "none" => Some(Alg::None),
            _ => None,
        };
        if let Some(alg) = alg {
            return vec![(node, alg)];
        }
    }
    let Some(value) = algorithm_position(doc, node) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    literal_algorithms(doc, value, constants, 0, &mut out);
    out
}

fn library_constant(doc: &Document, node: Node) -> Option<Alg> {
    let (object, field) = match node.kind() {
        "selector_expression" => (
            node.child_by_field_name("operand")?,
            node.child_by_field_name("field")?,
        ),
        "field_access" => (
            node.child_by_field_name("object")?,
            node.child_by_field_name("field")?,
        ),
        _ => return None,
    };
    let (object, field) = (text(doc, object), text(doc, field));
    match (node.kind(), field) {
        ("selector_expression", "SigningMethodNone" | "UnsafeAllowNoneSignatureType") => {
            Some(Alg::None)
        }
        ("selector_expression", f) => {
            classify(f.strip_prefix("SigningMethod")?).filter(|a| matches!(a, Alg::Hmac(_)))
        }
        ("field_access", f)
            if object.ends_with("SignatureAlgorithm")
                || object.ends_with("SIG")
                || object.ends_with("MacAlgorithm") =>
        {
            classify(f)
        }
        _ => None,
    }
}

/// The value in an algorithm position when `node` is one: a keyword argument, a pair,
/// an ALG-named binding, or the argument list of a golang-jwt algorithm option.
fn algorithm_position<'t>(doc: &Document, node: Node<'t>) -> Option<Node<'t>> {
    const KEYS: [&str; 3] = ["alg", "algorithm", "algorithms"];
    match node.kind() {
        "keyword_argument" => {
            let name = text(doc, node.child_by_field_name("name")?);
            KEYS.contains(&name)
                .then(|| node.child_by_field_name("value"))
                .flatten()
        }
        "pair" => {
            let (key, value) = pair_parts(doc, node)?;
            KEYS.contains(&key.to_ascii_lowercase().as_str())
                .then_some(value)
        }
        "assignment"
        | "variable_declarator"
        | "const_spec"
        | "var_spec"
        | "short_var_declaration"
        | "assignment_expression" => {
            let name = assigned_name(doc, node)?;
            let value = assigned_value(node)?;
            let named_alg = syntax::words(name)
                .iter()
                .any(|w| matches!(w.as_str(), "alg" | "algs" | "algorithm" | "algorithms"));
            named_alg.then_some(value)
        }
        "call_expression" => {
            let (_, name, args) = call_parts(doc, node)?;
            matches!(name, "WithValidMethods" | "GetSigningMethod").then_some(args)
        }
        _ => None,
    }
}

/// The algorithms named by `value`: a literal, a list of them, or a constant of the
/// file bound to one (reported at the constant's literal).
fn literal_algorithms<'t>(
    doc: &Document,
    value: Node<'t>,
    constants: &HashMap<String, Node<'t>>,
    depth: usize,
    out: &mut Vec<(Node<'t>, Alg)>,
) {
    if depth > 4 {
        return;
    }
    if let Some(alg) = string_value(doc, value).as_deref().and_then(classify) {
        out.push((value, alg));
        return;
    }
    match value.kind() {
        "list"
        | "tuple"
        | "set"
        | "array"
        | "argument_list"
        | "arguments"
        | "composite_literal"
        | "literal_value"
        | "literal_element"
        | "array_creation_expression"
        | "array_initializer"
        | "parenthesized_expression"
        | "expression_list" => {
            for child in named_children(value) {
                literal_algorithms(doc, child, constants, depth + 1, out);
            }
        }
        "identifier" => {
            if let Some(bound) = constants.get(text(doc, value)) {
                literal_algorithms(doc, *bound, constants, depth + 1, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_wants_an_hmac_name_or_none_beside_a_jwt_word() {
        assert!(mentions_algorithm("ALGORITHM = \"HS256\"\n"));
        assert!(mentions_algorithm(
            "jwt.decode(t, options={\"alg\": \"none\"})\n"
        ));
        assert!(mentions_algorithm(
            "Jwts.parser().setSigningKey(k) // 'none'\n"
        ));
        assert!(!mentions_algorithm("mode = \"none\"\n"));
        assert!(!mentions_algorithm("import jwt\nALGORITHM = \"RS256\"\n"));
        assert!(!mentions_algorithm("digest = \"HS25\"\n"));
    }

    fn found(path: &str, kind: FileKind, src: &str) -> Vec<(usize, String)> {
        let doc = Document::new(path, kind, src);
        let mut out = Findings::default();
        JwtAlgorithm.check(&doc, &mut out);
        out.raw
            .iter()
            .map(|f| (doc.line_of(f.bytes.start), f.rule_id.clone()))
            .collect()
    }

    #[test]
    fn a_rejecting_comparison_is_not_an_algorithm_position() {
        let src = "if header[\"alg\"] == \"HS256\":\n    raise ValueError\n";
        assert!(found("a.py", FileKind::Python, src).is_empty());
    }

    #[test]
    fn constants_are_reported_where_defined_once() {
        let src =
            "M = \"HS256\"\njwt.encode(c, k, algorithm=M)\njwt.decode(t, k, algorithms=[M])\n";
        assert_eq!(
            found("a.py", FileKind::Python, src),
            [(1, WEAK.to_string())]
        );
    }
}
