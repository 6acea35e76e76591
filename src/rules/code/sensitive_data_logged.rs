//! `code/sensitive-data-logged`: a log or print call whose arguments include a
//! password, token, secret or key variable (`logger.info("login %s %s", user, password)`,
//! `console.log(token)`, `log.Printf("%s", apiKey)`, `System.out.println(password)`,
//! `print(f"token={token}")`).
//!
//! The naming rule: an identifier (or the last name of `a.b.c`) is sensitive when its
//! last word is `password`, `passwd`, `pwd`, `passphrase`, `secret`, `token`,
//! `credential(s)` or `apikey`, or it ends in `key` after `api`/`secret`/`private`/
//! `signing`/`access`/`encryption` — and no word marks it as something about the secret
//! rather than the secret (`hashed`, `masked`, `max`, `count`, ...) or as a token that is
//! not a credential (`csrf`, `page`, `cancellation`). So `password_reset_url`,
//! `token_type`, `password.length` and `hashed_password` are not sensitive. Words in a
//! message string are never looked at; arguments wrapped in a call that reduces them
//! (`len(password)`, `mask(token)`, `hash(..)`) are not either. Test sources are skipped.

use tree_sitter::Node;

use super::syntax::{self, call_parts, contains_any, words};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{named_children, text, walk};
use crate::rules::{Checker, Findings};

const ID: &str = "code/sensitive-data-logged";

pub struct SensitiveDataLogged;

impl Checker for SensitiveDataLogged {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        syntax::is_parsed_source(kind)
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if syntax::is_test_source(doc.path) || !mentions_secret_and_log(doc.text) {
            return;
        }
        let Some(tree) = syntax::tree(doc) else {
            return;
        };
        // In a lexer or tokenizer a `token` is a piece of text, not a credential.
        let lexical = ["tokenize", "lexer", "Lexer", "Tokenizer"]
            .iter()
            .any(|w| doc.text.contains(w));
        let mut calls = Vec::new();
        walk(tree.root_node(), |n| {
            if matches!(n.kind(), "call" | "call_expression" | "method_invocation") {
                calls.push(n);
            }
        });
        for call in calls {
            let Some((receiver, name, args)) = call_parts(doc, call) else {
                continue;
            };
            if !is_log_call(doc, receiver, name) {
                continue;
            }
            if let Some(secret) = sensitive_argument(doc, args, lexical) {
                let callee = match receiver {
                    Some(r) => format!("{}.{name}", text(doc, r)),
                    None => name.to_string(),
                };
                out.report(
                    ID,
                    secret.byte_range(),
                    format!(
                        "`{}` is passed to `{callee}`: the secret ends up in the logs",
                        text(doc, secret)
                    ),
                );
            }
        }
    }
}

/// The cheap test that decides whether the file is parsed at all: a logging word with a
/// secret-like word on its line or the next two (a log call split over lines). Plain
/// substring tests, line by line only once the whole text has both: most files that
/// mention a token and a log never log the token, and parsing them would dominate.
fn mentions_secret_and_log(text: &str) -> bool {
    const SECRET: [&str; 29] = [
        "password",
        "Password",
        "PASSWORD",
        "passwd",
        "pwd",
        "PWD",
        "secret",
        "Secret",
        "SECRET",
        "token",
        "Token",
        "TOKEN",
        "apiKey",
        "api_key",
        "ApiKey",
        "API_KEY",
        "credential",
        "Credential",
        "CREDENTIAL",
        "passphrase",
        "rivateKey",
        "rivate_key",
        "RIVATE_KEY",
        "igningKey",
        "igning_key",
        "IGNING_KEY",
        "ccessKey",
        "ccess_key",
        "CCESS_KEY",
    ];
    const LOG: [&str; 13] = [
        "print",
        "console.",
        "log.",
        "LOG.",
        "LOGGER.",
        "logger.",
        "Logger.",
        "logging.",
        "System.out",
        "System.err",
        "fmt.",
        "slog.",
        "sugar.",
    ];
    if !(contains_any(text, &SECRET) && contains_any(text, &LOG)) {
        return false;
    }
    let lines: Vec<&str> = text.lines().collect();
    // The rule never looks inside message strings, so neither does the gate: "token
    // expired" in a log message does not make a file worth parsing.
    lines.iter().enumerate().any(|(i, line)| {
        contains_any(line, &LOG)
            && lines
                .iter()
                .skip(i)
                .take(3)
                .any(|l| contains_any(&outside_strings(l), &SECRET))
    })
}

/// `line` without the contents of its string literals (quotes kept), roughly: escapes
/// are honoured, a literal left open runs to the end of the line, and what sits in braces
/// (f-string and template interpolations, `{password}`, `${token}`) is kept.
fn outside_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut braces = 0usize;
    for c in line.chars() {
        match quote {
            Some(_) if braces > 0 => {
                match c {
                    '{' => braces += 1,
                    '}' => braces -= 1,
                    _ => {}
                }
                out.push(c);
            }
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '{' {
                    braces = 1;
                    out.push(c);
                } else if c == q {
                    quote = None;
                    out.push(c);
                }
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// True for a print or logging call: `print`, `console.*`, `log.*`/`logger.*`/
/// `logging.*` at a level, Go `fmt.Print*`/`log.Print*`/`slog.Info`, Java
/// `System.out.println`, `LOG.info`.
pub(super) fn is_log_call(doc: &Document, receiver: Option<Node>, name: &str) -> bool {
    let Some(receiver) = receiver else {
        return matches!(name, "print" | "pprint");
    };
    let receiver = text(doc, receiver);
    let last = receiver.rsplit('.').next().unwrap_or(receiver);
    const LEVELS: [&str; 12] = [
        "trace",
        "debug",
        "info",
        "warn",
        "warning",
        "error",
        "exception",
        "critical",
        "fatal",
        "log",
        "msg",
        "notice",
    ];
    let lower = last.to_ascii_lowercase();
    let logger = matches!(
        lower.trim_start_matches('_'),
        "log" | "logger" | "logging" | "slog" | "console" | "logrus" | "zap" | "sugar"
    ) || lower.ends_with("logger");
    match doc.kind {
        FileKind::Go => {
            (matches!(receiver, "fmt" | "log")
                && (name.starts_with("Print") || name.starts_with("Fprint")))
                || (receiver == "log" && (name.starts_with("Fatal") || name.starts_with("Panic")))
                || (logger
                    && ["Trace", "Debug", "Info", "Warn", "Error", "Fatal"]
                        .iter()
                        .any(|l| name.starts_with(l)))
        }
        FileKind::Java if matches!(receiver, "System.out" | "System.err") => {
            name.starts_with("print")
        }
        _ => logger && LEVELS.contains(&name.to_ascii_lowercase().as_str()),
    }
}

/// The first argument expression that names a secret.
fn sensitive_argument<'t>(doc: &Document, args: Node<'t>, lexical: bool) -> Option<Node<'t>> {
    let mut found = None;
    for arg in named_children(args) {
        let arg = match arg.kind() {
            // Only the value: `extra=`, `exc_info=` are not logged names.
            "keyword_argument" => match arg.child_by_field_name("value") {
                Some(v) => v,
                None => continue,
            },
            _ => arg,
        };
        visit(doc, arg, lexical, &mut found);
        if found.is_some() {
            break;
        }
    }
    found
}

/// Looks for a sensitive name in `node`, skipping what does not reach the output as is.
fn visit<'t>(doc: &Document, node: Node<'t>, lexical: bool, found: &mut Option<Node<'t>>) {
    if found.is_some() {
        return;
    }
    match node.kind() {
        "identifier" | "shorthand_property_identifier" => {
            if is_sensitive(text(doc, node), lexical) {
                *found = Some(node);
            }
            return;
        }
        // `user.password`: the last name is what is logged; `token.user_id` is not a token.
        "attribute" | "member_expression" | "selector_expression" | "field_access" => {
            let last = ["attribute", "property", "field"]
                .iter()
                .find_map(|f| node.child_by_field_name(f));
            if last.is_some_and(|l| is_sensitive(text(doc, l), lexical)) {
                *found = Some(node);
            }
            return;
        }
        // `{ password: "x" }`: the key is not logged data, the value is looked at.
        "pair" => {
            if let Some(value) = node.child_by_field_name("value") {
                visit(doc, value, lexical, found);
            }
            return;
        }
        "unary_expression" if text(doc, node).starts_with("typeof") => return,
        // `password is None`, `token == other`, `!secret`, `not token`: a yes or no.
        "comparison_operator" | "not_operator" => return,
        "binary_expression" | "unary_expression" if is_yes_or_no(doc, node) => return,
        // `password[:2]`: a slice shows a piece, chosen to be too short to use.
        "subscript"
            if node
                .child_by_field_name("subscript")
                .is_some_and(|s| s.kind() == "slice") =>
        {
            return;
        }
        _ => {}
    }
    if let Some((_, name, args)) = call_parts(doc, node) {
        // `u.getPassword()`, `creds.get_token()`: a getter returns what it names.
        if named_children(args).is_empty()
            && let Some(property) = name.strip_prefix("get_").or_else(|| {
                name.strip_prefix("get")
                    .filter(|p| p.starts_with(char::is_uppercase))
            })
            && is_sensitive(property, lexical)
        {
            *found = Some(node);
            return;
        }
        // `len(password)`, `mask(token)`, `validate_token(t)`: the callee's name is not
        // data, and a reducing call hides its argument.
        if reduces(name) {
            return;
        }
        for arg in named_children(args) {
            visit(doc, arg, lexical, found);
        }
        return;
    }
    for child in named_children(node) {
        visit(doc, child, lexical, found);
    }
}

/// Calls whose result does not reveal their argument: `len(..)`, `mask_token(..)`,
/// `isValid(..)`, `hash(..)`.
/// A comparison or negation (`token === undefined`, `pw != null`, `!secret`), whose
/// value is a boolean whatever the operands.
fn is_yes_or_no(doc: &Document, node: Node) -> bool {
    let operator = node.child_by_field_name("operator").map(|o| text(doc, o));
    matches!(
        operator,
        Some("==" | "!=" | "===" | "!==" | "<" | ">" | "<=" | ">=" | "!" | "instanceof" | "in")
    )
}

fn reduces(name: &str) -> bool {
    let words = words(name);
    let Some(first) = words.first() else {
        return false;
    };
    matches!(
        first.as_str(),
        "len"
            | "length"
            | "bool"
            | "type"
            | "isinstance"
            | "count"
            | "size"
            | "id"
            | "is"
            | "has"
            | "check"
            | "verify"
            | "validate"
            | "valid"
    ) || words.iter().any(|w| {
        [
            "mask",
            "redact",
            "hash",
            "sha",
            "md5",
            "bcrypt",
            "hmac",
            "censor",
            "obfuscate",
            "slice",
            "substr",
        ]
        .iter()
        .any(|p| w.starts_with(p))
    })
}

/// The naming rule (see the module documentation).
fn is_sensitive(name: &str, lexical: bool) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if lexical && last == "token" {
        return false;
    }
    let before = words.len().checked_sub(2).and_then(|i| words.get(i));
    // `pwd` alone is as often the working directory as a password: only `db_pwd`-like.
    let secret = (last == "pwd" && words.len() > 1)
        || matches!(
            last.as_str(),
            "password"
                | "passwd"
                | "passphrase"
                | "secret"
                | "token"
                | "credential"
                | "credentials"
                | "apikey"
        )
        || (last == "key"
            && before.is_some_and(|b| {
                matches!(
                    b.as_str(),
                    "api" | "secret" | "private" | "signing" | "access" | "encryption"
                )
            }));
    const NOT_THE_SECRET: [&str; 18] = [
        "hashed",
        "masked",
        "redacted",
        "encrypted",
        "max",
        "min",
        "num",
        "total",
        "count",
        "has",
        "is",
        "csrf",
        "xsrf",
        "page",
        "next",
        "continuation",
        "cancellation",
        "cancel",
    ];
    secret && !words.iter().any(|w| NOT_THE_SECRET.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_reads_code_and_interpolations_not_message_text() {
        assert!(!mentions_secret_and_log(
            "logger.info(\"token expired, log in again\")\n"
        ));
        assert!(mentions_secret_and_log(
            "logger.info(\"login %s\", password)\n"
        ));
        assert!(mentions_secret_and_log("print(f\"login {password}\")\n"));
        assert!(mentions_secret_and_log("console.log(`t ${token}`);\n"));
    }

    #[test]
    fn naming_rule() {
        for name in [
            "password",
            "user.password",
            "apiKey",
            "SECRET_KEY",
            "access_token",
            "db_pwd",
        ] {
            assert!(is_sensitive(name, false), "{name}");
        }
        for name in [
            "password_reset_url",
            "token_type",
            "hashed_password",
            "max_tokens",
            "csrf_token",
            "next_page_token",
            "keyboard",
            "monkey",
            "pwd",
        ] {
            assert!(!is_sensitive(name, false), "{name}");
        }
        assert!(!is_sensitive("token", true));
    }
}
