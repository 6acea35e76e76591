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

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::Node;

use super::syntax::{self, Words, call_parts, words};
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

/// Words that may name a secret: the naming rule's last words, in the spellings code uses.
const SECRET_WORDS: [&str; 29] = [
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

/// Words of a print or log call.
const LOG_WORDS: [&str; 16] = [
    "print",
    "Log.",
    "logrus.",
    "zap.",
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

static SECRETS: LazyLock<Words> = LazyLock::new(|| Words::new(&SECRET_WORDS));
static LOGS: LazyLock<Words> = LazyLock::new(|| Words::new(&LOG_WORDS));

/// The cheap test that decides whether the file is parsed at all: a logging word with a
/// secret-like word outside string literals on its line or the next two (a log call split
/// over lines). Most files that mention a token and a log never log the token, and
/// parsing them would dominate. One scan finds the log words' lines, one the secret
/// words; only a secret word near a log word has its line read for strings.
///
/// Where two words overlap only the first is seen, and that loses nothing: no word holds
/// a quote, a brace or a line break, so overlapping words are on one line and both inside
/// or both outside a string literal.
fn mentions_secret_and_log(text: &str) -> bool {
    // Secret words are the rarer: most files stop after this first scan.
    let Some(secrets) = SECRETS.ranges(text) else {
        return true;
    };
    let mut secrets = secrets.peekable();
    if secrets.peek().is_none() {
        return false;
    }
    let Some(near) = LogLines::new(text) else {
        return true;
    };
    let mut near = near;
    secrets.any(|range| near.logged_near(range.start) && outside_strings(text, range))
}

/// The lines of a text that hold a log or print word, to ask of increasing byte offsets
/// whether a log call may be open there: a log word on that line or at most two lines
/// above (a log call split over lines).
pub(super) struct LogLines<'t> {
    lines: Vec<usize>,
    counter: LineCounter<'t>,
}

impl<'t> LogLines<'t> {
    /// `None` when no searcher could be built (the caller then parses).
    pub(super) fn new(text: &'t str) -> Option<Self> {
        let mut counter = LineCounter::new(text);
        let lines = LOGS
            .ranges(text)?
            .map(|r| counter.line_of(r.start))
            .collect();
        Some(LogLines {
            lines,
            counter: LineCounter::new(text),
        })
    }

    /// Whether a log word is on the line of `at` or up to two lines above; `at` must not
    /// decrease from one call to the next.
    pub(super) fn logged_near(&mut self, at: usize) -> bool {
        let line = self.counter.line_of(at);
        let first = self.lines.partition_point(|l| l + 2 < line);
        self.lines.get(first).is_some_and(|l| *l <= line)
    }
}

/// Line numbers (from 0) of increasing byte offsets, counted as the offsets grow.
struct LineCounter<'t> {
    text: &'t [u8],
    line: usize,
    counted_to: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            line: 0,
            counted_to: 0,
        }
    }

    fn line_of(&mut self, at: usize) -> usize {
        if let Some(between) = self.text.get(self.counted_to..at) {
            self.line += memchr::memchr_iter(b'\n', between).count();
            self.counted_to = at;
        }
        self.line
    }
}

/// True when the bytes `range` of `text` lie outside the string literals of their line,
/// roughly: escapes are honoured, a literal left open runs to the end of the line, and
/// what sits in braces (f-string and template interpolations, `{password}`, `${token}`)
/// counts as outside. The rule never looks inside message strings, so neither does the
/// gate: "token expired" in a log message does not make a file worth parsing.
fn outside_strings(text: &str, range: Range<usize>) -> bool {
    let head = text.get(..range.start).unwrap_or("");
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let Some(line) = text.get(line_start..range.end) else {
        return true;
    };
    let at = range.start - line_start;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut braces = 0usize;
    for (i, c) in line.char_indices() {
        let kept = match quote {
            Some(_) if braces > 0 => {
                match c {
                    '{' => braces += 1,
                    '}' => braces -= 1,
                    _ => {}
                }
                true
            }
            Some(q) => {
                if escaped {
                    escaped = false;
                    false
                } else if c == '\\' {
                    escaped = true;
                    false
                } else if c == '{' {
                    braces = 1;
                    true
                } else if c == q {
                    quote = None;
                    true
                } else {
                    false
                }
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                true
            }
        };
        if i >= at && !kept {
            return false;
        }
    }
    true
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
    fn the_gate_pairs_log_and_secret_words_by_line() {
        // The secret on the log line or up to two lines below.
        assert!(mentions_secret_and_log(
            "logger.info(\n  \"login %s\",\n  password)\n"
        ));
        assert!(!mentions_secret_and_log(
            "logger.info(\n  \"a\",\n  \"b\",\n  password)\n"
        ));
        // Above the log line is not near.
        assert!(!mentions_secret_and_log("password = x\nlogger.info(x)\n"));
        // Each on its own, or the secret only in a string, escapes honoured.
        assert!(!mentions_secret_and_log("password = read()\n"));
        assert!(!mentions_secret_and_log("print(\"a \\\" password\")\n"));
        assert!(mentions_secret_and_log("print(\"a \\\" b\", password)\n"));
        // A quote left open runs to the end of the line; the next line starts afresh.
        assert!(!mentions_secret_and_log("print('a, token)\n"));
        assert!(mentions_secret_and_log("print('a,\n token)\n"));
        // Inside braces of a literal is code; CRLF line ends.
        assert!(mentions_secret_and_log(
            "log.info(`x ${cfg[\"a\"]} ${apiKey}`)\r\n"
        ));
        assert!(!mentions_secret_and_log(
            "log.info(`x {{ ok }} apiKey`)\r\n"
        ));
    }

    /// The gate before it scanned once (a substring search per word and per line), kept
    /// to show the one-pass gate answers alike.
    fn old_gate(text: &str) -> bool {
        fn any(t: &str, words: &[&str]) -> bool {
            words.iter().any(|w| t.contains(w))
        }
        fn strip(line: &str) -> String {
            let mut out = String::new();
            let mut quote: Option<char> = None;
            let (mut escaped, mut braces) = (false, 0usize);
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
        let lines: Vec<&str> = text.lines().collect();
        lines.iter().enumerate().any(|(i, line)| {
            any(line, &LOG_WORDS)
                && lines
                    .iter()
                    .skip(i)
                    .take(3)
                    .any(|l| any(&strip(l), &SECRET_WORDS))
        })
    }

    #[test]
    fn the_one_pass_gate_answers_as_the_old_one() {
        let pieces = [
            "print(",
            "logger.info(",
            "token",
            "\"",
            "'",
            "`",
            "\\",
            "{",
            "}",
            "${",
            "\n",
            "\r\n",
            " ",
            "x",
            "printoken",
            "api_key",
            "é",
            "pwd",
        ];
        // Every text of up to four pieces, each compared.
        let mut idx = [0usize; 4];
        let mut checked = 0;
        loop {
            for len in 1..=idx.len() {
                let text: String = idx.iter().take(len).map(|i| pieces[*i]).collect();
                assert_eq!(mentions_secret_and_log(&text), old_gate(&text), "{text:?}");
                checked += 1;
            }
            let mut k = 0;
            while k < idx.len() {
                idx[k] += 1;
                if idx[k] < pieces.len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
            if k == idx.len() {
                break;
            }
        }
        assert_eq!(checked, 4 * 18usize.pow(4));
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
