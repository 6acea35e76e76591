//! `secrets/jwt-signing-key`: a string literal used as the key that signs or verifies JSON
//! Web Tokens.
//!
//! ## What it does
//! Parses Python, JavaScript/TypeScript, Go and Java and looks at the key argument of the
//! JWT libraries' sign and verify calls:
//! - PyJWT / python-jose `jwt.encode(payload, KEY, ..)`, `jwt.decode(token, KEY, ..)`
//!   (or `key=KEY`);
//! - jsonwebtoken `jwt.sign(payload, KEY)`, `jwt.verify(token, KEY)`; jose
//!   `new SignJWT(..)...sign(KEY)`, `jwtVerify(token, KEY)`;
//! - golang-jwt `token.SignedString(KEY)`;
//! - jjwt `signWith(.., KEY)`, `setSigningKey(KEY)`, `verifyWith(KEY)`; java-jwt
//!   `Algorithm.HMAC256(KEY)`.
//!
//! `KEY` is reported when it is a string literal, also wrapped in the usual conversions
//! (`"k".encode()`, `b"k"`, `Buffer.from("k")`, `new TextEncoder().encode("k")`,
//! `[]byte("k")`, `"k".getBytes(..)`, `Keys.hmacShaKeyFor(..)`, `new SecretKeySpec(..)`),
//! or a name bound to such a literal in the same file (`JWT_SECRET = "k"`), reported
//! where the literal is. Placeholders (`"secret"`, `"changeme"`, `"${JWT_SECRET}"`) and
//! test sources are left out, as for the other secret rules.
//!
//! ## Known problems
//! A key built at run time from literals (`"a" + "b"`), read from a constant in another
//! file, or passed through a helper function is not followed. Rust (`jsonwebtoken`'s
//! `EncodingKey::from_secret(b"..")`) is not checked yet.

use std::collections::HashMap;

use tree_sitter::Node;

use super::generic_password::is_test_path;
use super::placeholder::{is_documented_or_placeholder, is_reference};
use super::provider_tokens::masked_prefix;
use crate::document::Document;
use crate::finding::Severity;
use crate::kind::FileKind;
use crate::parse::python::{self, named_children, text, walk};
use crate::parse::treesitter;
use crate::rules::code::syntax::call_parts;
use crate::rules::{Findings, RuleMeta};

pub const ID: &str = "secrets/jwt-signing-key";

/// Checks `doc`; returns the secret ranges it reported, so the generic assignment rules
/// do not report them again.
pub fn check(doc: &Document, out: &mut Findings) -> Vec<std::ops::Range<usize>> {
    let mut taken = Vec::new();
    if !applies_to(doc.kind) || is_test_path(doc.path) || !mentions_jwt(doc.text) {
        return taken;
    }
    let tree = match doc.kind {
        FileKind::Python => python::tree(doc),
        _ if treesitter::is_generated(doc) => None,
        _ => treesitter::tree(doc),
    };
    let Some(tree) = tree else {
        return taken;
    };
    let mut nodes = Vec::new();
    walk(tree.root_node(), |n| nodes.push(n));
    let bindings = bindings(doc, &nodes);
    for node in &nodes {
        let Some((call, key)) = key_argument(doc, *node) else {
            continue;
        };
        let Some(literal) = literal_in(doc, key, &bindings, 0) else {
            continue;
        };
        let Some(secret) = contents(doc, literal) else {
            continue;
        };
        let value = doc.text.get(secret.clone()).unwrap_or("");
        if value.len() < 4
            || is_documented_or_placeholder(value.as_bytes())
            || is_reference(value)
            || taken.contains(&secret)
        {
            continue;
        }
        out.report_secret(
            ID,
            secret.clone(),
            secret.clone(),
            format!(
                "JWT signing key `{}` hardcoded (passed to `{call}`)",
                masked_prefix(value)
            ),
        );
        taken.push(secret);
    }
    taken
}

fn applies_to(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Python
            | FileKind::JavaScript
            | FileKind::TypeScript
            | FileKind::Go
            | FileKind::Java
    )
}

/// The cheap test before parsing: a JWT library's name or one of its signing calls.
fn mentions_jwt(text: &str) -> bool {
    [
        "jwt",
        "JWT",
        "Jwt",
        "jose",
        "SignedString",
        "signWith",
        "HMAC",
    ]
    .iter()
    .any(|n| text.contains(n))
}

/// When `node` is a sign or verify call of a JWT library: the call's name as shown in the
/// message and the argument that holds the key.
fn key_argument<'t>(doc: &Document, node: Node<'t>) -> Option<(String, Node<'t>)> {
    let (receiver, name, args) = call_parts(doc, node)?;
    let receiver_text = receiver.map(|r| text(doc, r)).unwrap_or("");
    let on_jwt = receiver_text.to_ascii_lowercase().contains("jwt")
        || receiver_text == "jsonwebtoken"
        || receiver_text.ends_with("jose");
    let positional: Vec<Node> = named_children(args)
        .into_iter()
        .filter(|a| !matches!(a.kind(), "comment" | "keyword_argument"))
        .collect();
    let keyword = |want: &str| {
        named_children(args).into_iter().find_map(|a| {
            let key_name = a.child_by_field_name("name")?;
            (a.kind() == "keyword_argument" && text(doc, key_name) == want)
                .then(|| a.child_by_field_name("value"))?
        })
    };
    let shown = |name: &str| match receiver {
        Some(r) if text(doc, r).len() <= 24 => format!("{}.{name}", text(doc, r)),
        _ => name.to_string(),
    };
    let key = match (doc.kind, name) {
        (FileKind::Python, "encode" | "decode") if on_jwt => {
            keyword("key").or_else(|| positional.get(1).copied())
        }
        (FileKind::JavaScript | FileKind::TypeScript, "sign")
            if receiver_text.contains("SignJWT") =>
        {
            positional.first().copied()
        }
        (FileKind::JavaScript | FileKind::TypeScript, "sign" | "verify") if on_jwt => {
            positional.get(1).copied()
        }
        (FileKind::JavaScript | FileKind::TypeScript, "jwtVerify") => positional.get(1).copied(),
        (FileKind::Go, "SignedString") => positional.first().copied(),
        // jjwt: `signWith(key)`, `signWith(alg, key)` (0.9) or `signWith(key, alg)`.
        (FileKind::Java, "signWith") => positional
            .iter()
            .copied()
            .find(|a| literal_in(doc, *a, &HashMap::new(), 0).is_some())
            .or_else(|| positional.last().copied()),
        (FileKind::Java, "setSigningKey" | "verifyWith") => positional.first().copied(),
        (FileKind::Java, "HMAC256" | "HMAC384" | "HMAC512") if receiver_text == "Algorithm" => {
            positional.first().copied()
        }
        _ => None,
    }?;
    Some((shown(name), key))
}

/// Conversions that turn a string into key bytes or a key object without changing what
/// the secret is.
const WRAPPERS: [&str; 9] = [
    "encode",
    "getBytes",
    "from",
    "hmacShaKeyFor",
    "bytes",
    "bytearray",
    "SecretKeySpec",
    "TextEncoder",
    "decode",
];

/// Binding depth beyond which a name is not followed (`a = b`, `b = a` loops).
const MAX_HOPS: usize = 4;

/// The string literal that `node` is, wraps or names (see the module doc).
fn literal_in<'t>(
    doc: &Document,
    node: Node<'t>,
    bindings: &HashMap<&str, Node<'t>>,
    hops: usize,
) -> Option<Node<'t>> {
    if hops > MAX_HOPS {
        return None;
    }
    let node = python::unparen(node);
    match node.kind() {
        "string" | "interpreted_string_literal" | "raw_string_literal" | "string_literal" => {
            is_plain_literal(doc, node).then_some(node)
        }
        "template_string" => {
            (node.named_child_count() == 0 || no_substitution(node)).then_some(node)
        }
        "identifier" => {
            let bound = bindings.get(text(doc, node))?;
            literal_in(doc, *bound, bindings, hops + 1)
        }
        // Go `[]byte("k")`.
        "type_conversion_expression" => {
            literal_in(doc, node.child_by_field_name("operand")?, bindings, hops)
        }
        // Java `new SecretKeySpec("k".getBytes(), "HmacSHA256")`, JS `new TextEncoder()`.
        "object_creation_expression" | "new_expression" => {
            let ty = node
                .child_by_field_name("type")
                .or_else(|| node.child_by_field_name("constructor"))?;
            if !WRAPPERS.contains(&text(doc, ty)) {
                return None;
            }
            let args = node.child_by_field_name("arguments")?;
            literal_in(
                doc,
                named_children(args).into_iter().next()?,
                bindings,
                hops,
            )
        }
        _ => {
            let (receiver, name, args) = call_parts(doc, node).or_else(|| go_conversion(node))?;
            if !WRAPPERS.contains(&name) && name != "[]byte" {
                return None;
            }
            let first = named_children(args).into_iter().next();
            receiver
                .and_then(|r| literal_in(doc, r, bindings, hops))
                .or_else(|| literal_in(doc, first?, bindings, hops))
        }
    }
}

/// Go `[]byte("k")` as tree-sitter-go parses it: a call whose function is a slice type.
fn go_conversion(node: Node) -> Option<(Option<Node>, &'static str, Node)> {
    let function = node.child_by_field_name("function")?;
    (node.kind() == "call_expression" && function.kind() == "slice_type")
        .then(|| node.child_by_field_name("arguments"))?
        .map(|args| (None, "[]byte", args))
}

/// A string literal without interpolation (`f"{x}"`, `` `${x}` ``).
fn is_plain_literal(doc: &Document, node: Node) -> bool {
    match doc.kind {
        FileKind::Python => python::plain_string(doc, node).is_some(),
        _ => no_substitution(node),
    }
}

fn no_substitution(node: Node) -> bool {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .all(|c| !matches!(c.kind(), "template_substitution" | "interpolation"))
}

/// The bytes between a literal's quotes (after a Python prefix such as `b` or `r`).
fn contents(doc: &Document, literal: Node) -> Option<std::ops::Range<usize>> {
    let written = text(doc, literal);
    let open = written.find(['"', '\'', '`'])?;
    let quote = written.get(open..)?;
    let width = if quote.starts_with("\"\"\"") || quote.starts_with("'''") {
        3
    } else {
        1
    };
    let start = literal.start_byte() + open + width;
    let end = literal.end_byte().checked_sub(width)?;
    (start < end).then_some(start..end)
}

/// Names bound to a value in the file: `NAME = value` (Python), `const name = value`
/// (JS/TS), `var`/`const` specs (Go), field and local declarations (Java). The first
/// binding of a name wins.
fn bindings<'t, 'a>(doc: &Document<'a>, nodes: &[Node<'t>]) -> HashMap<&'a str, Node<'t>> {
    let mut out = HashMap::new();
    for node in nodes {
        let (name, value) = match node.kind() {
            "assignment" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ),
            "variable_declarator" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ),
            "const_spec" | "var_spec" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value")
                    .and_then(|v| named_children(v).into_iter().next()),
            ),
            _ => continue,
        };
        if let (Some(name), Some(value)) = (name, value)
            && name.kind() == "identifier"
        {
            out.entry(text(doc, name)).or_insert(value);
        }
    }
    out
}

pub fn meta() -> RuleMeta {
    let mut meta = super::coded_meta(
        ID,
        "Hardcoded JWT signing key",
        Severity::High,
        "A string literal is the key that signs or verifies JSON Web Tokens: whoever reads \
         it can mint tokens for any user or role the service accepts.",
    );
    meta.cwe = vec!["CWE-798".into(), "CWE-321".into()];
    meta.example = "token = jwt.encode(claims, \"s3cr3t-signing-k3y\", algorithm=\"HS256\")".into();
    meta.fixed_example =
        "token = jwt.encode(claims, os.environ[\"JWT_SIGNING_KEY\"], algorithm=\"HS256\")".into();
    meta.known_problems = "A key assembled at run time, a constant from another file or a \
                           key passed through a helper function is not followed; Rust is not \
                           checked. Silent in tests (tests/, test_*.py, *_test.go, \
                           *.spec.ts)."
        .into();
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, src: &str) -> Vec<String> {
        let kind = FileKind::classify(path, src);
        let doc = Document::new(path, kind, src);
        let mut out = Findings::default();
        check(&doc, &mut out);
        out.raw
            .iter()
            .filter_map(|f| f.secret.clone())
            .map(|s| src.get(s).unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn literal_keys_in_each_language() {
        let py = "import jwt\nt = jwt.encode(p, \"my-literal-key-123\", algorithm=\"HS256\")\n";
        assert_eq!(found("auth.py", py), ["my-literal-key-123"]);
        let js = "const t = jwt.sign(payload, 'literal-signing-k3y');\n";
        assert_eq!(found("auth.js", js), ["literal-signing-k3y"]);
        let go = "package a\nfunc f() { s, _ := t.SignedString([]byte(\"go-literal-k3y\")) }\n";
        assert_eq!(found("auth.go", go), ["go-literal-k3y"]);
        let java = "class A { String f() { return Jwts.builder().signWith(SignatureAlgorithm.HS256, \"java-literal-k3y\").compact(); } }\n";
        assert_eq!(found("A.java", java), ["java-literal-k3y"]);
    }

    #[test]
    fn wrapped_and_named_literals() {
        let py = "KEY = b\"bytes-k3y-value\"\njwt.decode(tok, key=KEY, algorithms=[\"HS256\"])\n";
        assert_eq!(found("auth.py", py), ["bytes-k3y-value"]);
        let ts = "const secret = new TextEncoder().encode(\"jose-k3y-value\");\nawait new SignJWT(c).setProtectedHeader(h).sign(secret);\n";
        assert_eq!(found("auth.ts", ts), ["jose-k3y-value"]);
        let java = "class A { Key k = Keys.hmacShaKeyFor(\"kf-k3y-value-0123456789\".getBytes(StandardCharsets.UTF_8)); void f() { Jwts.builder().signWith(k); } }\n";
        assert_eq!(found("A.java", java), ["kf-k3y-value-0123456789"]);
    }

    #[test]
    fn placeholders_environment_and_tests_are_left_out() {
        for py in [
            "jwt.encode(p, \"secret\")\n",
            "jwt.encode(p, \"changeme\")\n",
            "jwt.encode(p, \"${JWT_SECRET}\")\n",
            "jwt.encode(p, os.environ[\"JWT_SECRET\"])\n",
            "jwt.encode(p, f\"{prefix}-key\")\n",
            "jwt.encode(p, settings.SECRET_KEY)\n",
            "json.encode(p, \"not-a-jwt-k3y\")\n",
        ] {
            assert!(found("auth.py", py).is_empty(), "{py}");
        }
        let test = "jwt.encode(p, \"my-literal-key-123\")\n";
        assert!(found("tests/test_auth.py", test).is_empty());
    }
}
