//! `secrets/generic-password` and `secrets/generic-api-key`: a literal assigned to a name
//! that says it is a credential.
//!
//! ## What it does
//! Finds `NAME = value` assignments whose name says password, passphrase or secret
//! (`generic-password`) or token, API key, access key, credentials
//! (`generic-api-key`), in code (`password = "…"`, `connect(password="…")`,
//! `{password: "…"}`), `.env`, YAML, JSON, TOML, INI, properties, XML, Dockerfile
//! `ENV`/`ARG` (both forms) and compose `environment:` (map and `- KEY=value` list forms).
//!
//! ## Why is this bad?
//! Short, human-chosen passwords are the credentials pattern scanners miss: no prefix, too
//! little entropy. The name is the evidence, so a named password is reported whatever its
//! strength; a token or key name needs a value that looks random as well.
//!
//! ## Not reported
//! References (`${VAR}`, `$VAR`, `%(VAR)s`, `{{ .Values.x }}`, `os.environ[…]`,
//! `process.env.X`, `env("X")`), variables and calls on the right side in code, type
//! annotations and comparisons, placeholders (`changeme`, `<password>`, `xxxx`,
//! `REDACTED`, `example`, empty, `null`, ...), vendor documentation keys, UUIDs, git SHAs
//! and digests, paths, prose, and every lockfile.
//!
//! ## Known problems
//! TODO: the reading is line-oriented (a regex per assignment form); a value on the line
//! after its key (YAML block scalars, multi-line strings) is missed, and a YAML/JSON
//! structure is not read as a tree. Issue 3 asks for structured reading.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use super::placeholder::{
    is_documented_or_placeholder, is_non_secret_shape, is_reference, is_uuid,
};
use super::provider_tokens::masked_prefix;
use super::rule::shannon_entropy;
use crate::document::Document;
use crate::finding::Severity;
use crate::kind::FileKind;
use crate::rules::{Findings, RuleMeta};

pub const PASSWORD_ID: &str = "secrets/generic-password";
pub const API_KEY_ID: &str = "secrets/generic-api-key";
pub const RULE_IDS: &[&str] = &[PASSWORD_ID, API_KEY_ID];

/// Files of hashes and integrity strings, never credentials.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "cargo.lock",
    "poetry.lock",
    "pipfile.lock",
    "go.sum",
    "composer.lock",
    "gemfile.lock",
    "packages.lock.json",
    "flake.lock",
    "uv.lock",
];

/// Lines longer than this are minified or generated; their names are not meaningful.
const MAX_LINE: usize = 1000;

/// Name fragments that make a line worth reading.
const NAME_KEYWORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "cred",
    "pat",
    "bearer",
];

static PREFILTER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(NAME_KEYWORDS)
        .ok()
});

/// `name <op> value`, the value quoted or bare. The operator is captured so comparisons
/// can be told from assignments.
static ASSIGNMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["'\]]{0,2}(?:\s*:\s*&?'?[A-Za-z_][A-Za-z0-9_<>\[\]'. ]{0,40}?)?\s*(?P<op>:=|=>|===|!==|==|!=|<-|\?\?=|\|\|=|=|:)[ \t]*(?P<val>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`|[^\s,;#'"`)\]}][^\s,;'"`)\]}]*)"#,
    )
});

/// A literal wrapped in a conversion: Go `[]byte("…")`, Rust `String::from("…")`, ...
static WRAPPED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"^(?:\[\]byte|str|bytes|String|String::from|Buffer\.from|Some|SecretString::new|Secret::new|new String|b)\(\s*(?:"((?:[^"\\\n]|\\.)+)"|'((?:[^'\\\n]|\\.)+)')"#,
    )
});

/// The literal fallback after an environment lookup: `process.env.X || "…"`,
/// `os.getenv("X", "…")`, `env::var("X").unwrap_or("…")`, `os.environ.get("X") or "…"`.
static FALLBACK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"^[^\n]*?(?:\|\||\?\?|\bor\b|unwrap_or\(|,)\s*(?:"((?:[^"\\\n]|\\.)+)"|'((?:[^'\\\n]|\\.)+)')"#,
    )
});

/// Dockerfile `ENV NAME value` / `ARG NAME value` without `=`.
static DOCKER_LEGACY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"(?i)^\s*(?:ENV|ARG)\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+(?P<val>[^\s=][^\s]*)\s*$"#,
    )
});

/// `<name> [key|token|...] value` at the end of a line, without `=`: how credentials are
/// noted in READMEs, notes and ad-hoc config (`sendgrid api key 9f2c…`). Only outside code,
/// only for the last thing on the line, and with the random-looking value gate.
static SPACED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"(?i)(?:^|[^A-Za-z0-9_\-])(?P<name>[A-Za-z0-9_\-]*(?:secret|private|access|token|key|pass|auth)[A-Za-z0-9_\-]*(?:[ \t]+(?:api[ _\-]?)?(?:key|token|secret|private|access))?)[ \t]*[:=]?[ \t]+(?P<val>[A-Za-z0-9][A-Za-z0-9_\-+/=.]{9,})[ \t]*$"#,
    )
});

/// XML `<password>value</password>`.
static XML_ELEMENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| build(r#"<(?P<name>[A-Za-z_][A-Za-z0-9_.:\-]*)>(?P<val>[^<\s]+)</"#));

fn build(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .map_err(|e| tracing::error!("generic secret pattern: {e}"))
        .ok()
}

/// How a name classifies a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameClass {
    /// Password, passphrase, secret: any real-looking value is reported.
    Password,
    /// Token, key, credentials: the value must also look random.
    ApiKey,
}

/// Words that, last in a name, make it describe something else than the secret:
/// `password_length`, `token_url`, `secret_name`.
const DESCRIPTIVE_SUFFIXES: &[&str] = &[
    "url",
    "uri",
    "urls",
    "endpoint",
    "path",
    "file",
    "filename",
    "dir",
    "name",
    "names",
    "type",
    "types",
    "length",
    "len",
    "field",
    "fields",
    "label",
    "header",
    "prefix",
    "suffix",
    "regex",
    "pattern",
    "hint",
    "policy",
    "placeholder",
    "count",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "timeout",
    "format",
    "id",
    "ids",
    "enabled",
    "required",
    "min",
    "max",
    "reset",
    "forgot",
    "validator",
    "validation",
    "strength",
    "rule",
    "rules",
    "mode",
    "method",
    "provider",
    "store",
    "manager",
    "service",
    "class",
    "module",
    "version",
    "size",
    "input",
    "form",
    "view",
    "button",
    "text",
    "message",
    "msg",
    "error",
    "errors",
    "title",
    "description",
    "help",
    "prompt",
    "env",
    "var",
    "variable",
    "ref",
    "generator",
    "fn",
    "func",
    "callback",
    "handler",
    "bits",
    "algorithm",
    "alg",
    "usage",
    "location",
    "source",
    "kind",
    "schema",
    "attribute",
    "hash",
    "hashed",
    "digest",
    "salt",
    "changed",
    "updated",
    "at",
    "length",
    "index",
    "idx",
    "position",
    "pos",
    "chars",
    "characters",
    "char",
    "lifetime",
    "age",
    "created",
    "used",
    "limit",
    "retries",
    "attempts",
    "key",
    "keys",
    "count",
    "set",
    "list",
    "map",
    "cache",
    "storage",
    "param",
    "parameter",
    "arg",
    "option",
    "options",
    "config",
    "settings",
    "selector",
    "mount",
    "volume",
];

/// Splits a name into lowercase words at `_`, `-`, `.`, and camelCase boundaries.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What the name says about its value, if it names a credential.
fn classify_name(name: &str) -> Option<NameClass> {
    let w = words(name);
    let last = w.last()?;
    let is_password = |s: &str| {
        matches!(
            s,
            "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passcode" | "passw"
        ) || s.ends_with("password")
            || s.ends_with("passwd")
    };
    let is_key_word = |s: &str| {
        matches!(
            s,
            "token"
                | "apikey"
                | "secretkey"
                | "accesskey"
                | "privatekey"
                | "authkey"
                | "credentials"
                | "credential"
                | "creds"
                | "pat"
                | "bearer"
                | "auth"
                | "clientsecret"
                | "apitoken"
                | "accesstoken"
                | "authtoken"
        ) || s.ends_with("token")
            || s.ends_with("apikey")
            || s.ends_with("secret")
    };
    // `secret` and `key` describe the value only as the last word: `secret_key` and
    // `api_key` are credentials, `secret_name` and `key_id` are not.
    if last != "key" && last != "secret" && DESCRIPTIVE_SUFFIXES.contains(&last.as_str()) {
        return None;
    }
    if w.iter().any(|s| is_password(s)) || last == "secret" {
        return Some(NameClass::Password);
    }
    if last == "key" {
        return is_secretive_key(&w).then_some(NameClass::ApiKey);
    }
    if w.iter()
        .any(|s| is_key_word(s) || s == "private" || s == "access")
    {
        return Some(NameClass::ApiKey);
    }
    None
}

/// `api_key`, `secret_key`, `access_key`, `private_key`, `<provider>_key`: a key name
/// that is a credential. `primary_key`, `foreign_key`, `sort_key`, `cache_key` are not.
fn is_secretive_key(w: &[String]) -> bool {
    const NOT_SECRET: &[&str] = &[
        "primary",
        "foreign",
        "sort",
        "partition",
        "cache",
        "public",
        "lookup",
        "map",
        "dict",
        "hash",
        "row",
        "object",
        "s3",
        "idempotency",
        "unique",
        "composite",
        "hot",
        "short",
        "shortcut",
        "keyboard",
        "i18n",
        "translation",
        "group",
        "routing",
        "sharding",
        "shard",
        "storage",
        "redis",
        "local",
        "session",
        "the",
        "react",
        "data",
        "env",
        "a",
        "no",
        "this",
        "with",
        "has",
        "get",
        "set",
        "by",
        "to",
        "from",
        "for",
        "of",
        "in",
        "on",
    ];
    w.len() >= 2
        && w.iter()
            .rev()
            .nth(1)
            .is_some_and(|prev| !NOT_SECRET.contains(&prev.as_str()))
}

fn is_code(doc: &Document) -> bool {
    if matches!(
        doc.kind,
        FileKind::Python
            | FileKind::JavaScript
            | FileKind::TypeScript
            | FileKind::Go
            | FileKind::Java
            | FileKind::Rust
    ) {
        return true;
    }
    let ext = doc
        .path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some(
            "rb" | "php"
                | "cs"
                | "kt"
                | "kts"
                | "scala"
                | "swift"
                | "c"
                | "cc"
                | "cpp"
                | "h"
                | "hpp"
                | "m"
                | "dart"
                | "groovy"
                | "gradle"
                | "pl"
                | "lua"
                | "ex"
                | "exs"
                | "r"
                | "jl"
                | "vue"
                | "svelte"
        )
    )
}

fn is_skipped_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    LOCKFILES.contains(&name.as_str()) || name.ends_with(".min.js") || name.ends_with(".map")
}

/// Checks `doc`, skipping values inside `taken` (already reported by a provider rule).
pub fn check(doc: &Document, taken: &[Range<usize>], out: &mut Findings) {
    let (Some(prefilter), Some(assignment)) = (&*PREFILTER, &*ASSIGNMENT) else {
        return;
    };
    if is_skipped_file(doc.path) {
        return;
    }
    let code = is_code(doc);
    let mut last_line = 0;
    for hit in prefilter.find_iter(doc.text) {
        let line = doc.line_of(hit.start());
        if line == last_line {
            continue;
        }
        last_line = line;
        let range = doc.line_range(line);
        if range.len() > MAX_LINE {
            continue;
        }
        check_line(doc, range, code, assignment, taken, out);
    }
}

fn check_line(
    doc: &Document,
    range: Range<usize>,
    code: bool,
    assignment: &Regex,
    taken: &[Range<usize>],
    out: &mut Findings,
) {
    let bytes = doc.text.as_bytes();
    let Some(line) = bytes.get(range.clone()) else {
        return;
    };
    let mut candidates: Vec<(Range<usize>, Range<usize>, bool)> = Vec::new();
    assignments(assignment, line, 0, true, &mut candidates);
    let legacy = [&*DOCKER_LEGACY, &*XML_ELEMENT, &*SPACED];
    for (i, re) in legacy.iter().enumerate() {
        if (i == 0 && doc.kind != FileKind::Dockerfile) || (i == 2 && code) {
            continue;
        }
        let Some(re) = re else { continue };
        for caps in re.captures_iter(line) {
            if let (Some(name), Some(val)) = (caps.name("name"), caps.name("val")) {
                candidates.push((name.range(), val.range(), i == 2));
            }
        }
    }
    // `weak`: no `=` between name and value, so the name is weaker evidence and the
    // value must look random whatever the name says.
    for (name, val, weak) in candidates {
        let name_text = String::from_utf8_lossy(&line[name.clone()]);
        let class = if weak {
            let named = words(&name_text).iter().any(|w| {
                [
                    "key", "token", "secret", "private", "access", "apikey", "auth", "password",
                ]
                .contains(&w.as_str())
            });
            (named || classify_name(&name_text).is_some()).then_some(NameClass::ApiKey)
        } else {
            classify_name(&name_text)
        };
        let Some(class) = class else {
            continue;
        };
        let bare_is_code = code && !weak && !inside_string(line, name.start);
        let Some(secret) = secret_range(line, val, bare_is_code) else {
            continue;
        };
        let abs = range.start + secret.start..range.start + secret.end;
        if taken.iter().any(|t| t.start < abs.end && abs.start < t.end) {
            continue;
        }
        let value = String::from_utf8_lossy(&bytes[abs.clone()]);
        if !is_secret_value(&value, &name_text, class) {
            continue;
        }
        let (id, what) = match class {
            NameClass::Password => (PASSWORD_ID, "password"),
            NameClass::ApiKey => (API_KEY_ID, "credential"),
        };
        let message = format!(
            "{what} `{}` hardcoded in `{name_text}`",
            masked_prefix(&value)
        );
        out.report_secret(id, abs.clone(), abs, message);
    }
}

/// Collects `name = value` pairs of `text` (at `offset` in the line). A quoted value
/// under a name that is not a credential is read once more inside: a connection string
/// such as `"Server=db;Password=…"` holds assignments of its own.
fn assignments(
    re: &Regex,
    text: &[u8],
    offset: usize,
    descend: bool,
    out: &mut Vec<(Range<usize>, Range<usize>, bool)>,
) {
    for caps in re.captures_iter(text) {
        let (Some(name), Some(op), Some(val)) =
            (caps.name("name"), caps.name("op"), caps.name("val"))
        else {
            continue;
        };
        if matches!(op.as_bytes(), b"==" | b"!=" | b"===" | b"!==") {
            continue;
        }
        let quoted = matches!(val.as_bytes().first(), Some(b'"' | b'\'' | b'`'));
        let named = classify_name(&String::from_utf8_lossy(name.as_bytes())).is_some();
        if descend && quoted && !named && val.len() > 2 {
            let inner = val.start() + 1..val.end() - 1;
            if let Some(inner_text) = text.get(inner.clone()) {
                assignments(re, inner_text, offset + inner.start, false, out);
            }
            continue;
        }
        let shift = |r: Range<usize>| offset + r.start..offset + r.end;
        out.push((shift(name.range()), shift(val.range()), false));
    }
}

/// True when `at` sits inside a string literal on the line (an odd number of `"` or `'`
/// before it): there a bare `password=x` is text of a connection string, not code.
fn inside_string(line: &[u8], at: usize) -> bool {
    let before = line.get(..at).unwrap_or_default();
    let count = |q: u8| before.iter().filter(|&&b| b == q).count();
    count(b'"') % 2 == 1 || count(b'\'') % 2 == 1
}

/// The value without its quotes. In code a bare value is a variable, a call or a type
/// annotation, not a literal: `None` then.
fn secret_range(line: &[u8], val: Range<usize>, code: bool) -> Option<Range<usize>> {
    let text = line.get(val.clone())?;
    let first = *text.first()?;
    if matches!(first, b'"' | b'\'' | b'`') {
        if text.len() < 2 {
            return None;
        }
        return Some(val.start + 1..val.end - 1);
    }
    if code {
        return code_literal(line, val.start);
    }
    // Bare YAML tags, anchors, aliases and block scalars.
    if matches!(first, b'!' | b'&' | b'*' | b'|' | b'>' | b'[' | b'{' | b'(') {
        return None;
    }
    Some(val)
}

/// In code, the literal behind a bare right-hand side that starts at `start`, when there is
/// one: a wrapped literal or an environment lookup's hardcoded fallback.
fn code_literal(line: &[u8], start: usize) -> Option<Range<usize>> {
    let rest = line.get(start..)?;
    let group = |caps: regex::bytes::Captures| {
        let m = caps.get(1).or_else(|| caps.get(2))?;
        Some(start + m.start()..start + m.end())
    };
    if let Some(caps) = WRAPPED.as_ref().and_then(|re| re.captures(rest)) {
        return group(caps);
    }
    let value_end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b',' | b';' | b')'))
        .unwrap_or(rest.len());
    let head = String::from_utf8_lossy(rest.get(..value_end).unwrap_or_default());
    if !is_reference(&head) {
        return None;
    }
    FALLBACK
        .as_ref()
        .and_then(|re| re.captures(rest))
        .and_then(group)
}

fn is_secret_value(value: &str, name: &str, class: NameClass) -> bool {
    let v = value.trim();
    if v.len() < 3
        || is_documented_or_placeholder(v.as_bytes())
        || is_reference(v)
        || (is_non_secret_shape(v) && !(class == NameClass::ApiKey && is_uuid(v)))
        || v.eq_ignore_ascii_case(name)
        || looks_like_name(v)
        || (v.contains('{') && v.contains('}'))
        || v.contains("%s")
        || v.ends_with('(')
        || v.contains("()")
    {
        return false;
    }
    match class {
        NameClass::Password => true,
        NameClass::ApiKey => {
            let classes = [
                v.bytes().any(|b| b.is_ascii_lowercase()),
                v.bytes().any(|b| b.is_ascii_uppercase()),
                v.bytes().any(|b| b.is_ascii_digit()),
            ];
            v.len() >= 10
                && shannon_entropy(v.as_bytes()) >= 3.0
                && classes.iter().filter(|&&c| c).count() >= 2
        }
    }
}

/// An identifier rather than a value: `DB_PASSWORD` (an environment variable's name),
/// `password_input`, `user.password`.
fn looks_like_name(v: &str) -> bool {
    let env_name = v.len() > 3
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && v.contains('_');
    let dotted = v.contains('.')
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    let snake_words = v.contains('_')
        && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && classify_name(v).is_some();
    env_name || dotted || snake_words
}

/// Metadata of the two rules.
pub fn meta() -> Vec<RuleMeta> {
    let mut password = super::coded_meta(
        PASSWORD_ID,
        "Hardcoded password",
        Severity::High,
        "A value is assigned to a name that says password, passphrase or secret.",
    );
    password.example = "DB_PASSWORD=Summer2024!".into();
    password.fixed_example = "DB_PASSWORD=${DB_PASSWORD}".into();
    password.known_problems = "The file is read line by line: a value on the line after its \
                               key is missed."
        .into();
    let mut api_key = super::coded_meta(
        API_KEY_ID,
        "Hardcoded token or API key",
        Severity::High,
        "A random-looking value is assigned to a name that says token, API key or credentials.",
    );
    api_key.example = "api_token = \"q8Zr4tLw0pX2vN7mK3sB\"".into();
    api_key.fixed_example = "api_token = os.environ[\"API_TOKEN\"]".into();
    vec![password, api_key]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, text: &str) -> Vec<(usize, String)> {
        let kind = FileKind::classify(path, text);
        let doc = Document::new(path, kind, text);
        let mut out = Findings::default();
        check(&doc, &[], &mut out);
        out.raw
            .iter()
            .map(|f| (doc.line_of(f.bytes.start), f.rule_id.clone()))
            .collect()
    }

    #[test]
    fn names_are_split_into_words() {
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("self.api-key"), ["self", "api", "key"]);
    }

    #[test]
    fn credential_names_are_classified() {
        assert_eq!(classify_name("DB_PASSWORD"), Some(NameClass::Password));
        assert_eq!(classify_name("client_secret"), Some(NameClass::Password));
        assert_eq!(classify_name("api_key"), Some(NameClass::ApiKey));
        assert_eq!(classify_name("githubToken"), Some(NameClass::ApiKey));
        for not in [
            "password_length",
            "token_url",
            "secret_name",
            "primary_key",
            "key_id",
        ] {
            assert_eq!(classify_name(not), None, "{not}");
        }
    }

    #[test]
    fn short_human_passwords_are_reported() {
        assert_eq!(found(".env", "DB_PASSWORD=hunter22\n").len(), 1);
        assert_eq!(found("app.py", "password = \"root\"\n").len(), 1);
    }

    #[test]
    fn code_variables_calls_and_comparisons_are_not() {
        let src = "password = get_password()\npassword = other\nif password == \"x1y2\":\n\
                   def f(password: str): pass\ntoken = os.environ[\"TOKEN\"]\n";
        assert_eq!(found("app.py", src), []);
    }

    #[test]
    fn literals_behind_casts_and_env_fallbacks_are_reported() {
        assert_eq!(
            found("a.go", "var apiKey = []byte(\"k-8Hq2Lp0Zx7Vb3Nm5\")\n").len(),
            1
        );
        let js = "const SESSION_SECRET = process.env.SESSION_SECRET || \"s3ss-Qw8e7R6t\";\n";
        assert_eq!(found("a.js", js).len(), 1);
        assert_eq!(found("a.py", "password = os.getenv(\"PW\")\n"), []);
    }

    #[test]
    fn typed_constants_are_read_past_the_type() {
        let rs = "pub const BILLING_TOKEN: &str = \"bl_9Xq2Lp0Zx7Vb3Nm5Kd\";\n";
        assert_eq!(found("a.rs", rs).len(), 1);
    }

    #[test]
    fn dockerfile_legacy_env_form() {
        assert_eq!(found("Dockerfile", "ENV DB_PASSWORD s3cretpw\n").len(), 1);
    }

    #[test]
    fn spaced_notes_need_a_random_value_at_the_end_of_the_line() {
        assert_eq!(
            found("notes.txt", "mailer api key q8Zr4tLw0pX2vN7mK3sB\n").len(),
            1
        );
        assert_eq!(
            found("notes.txt", "the secret key is stored in the vault\n"),
            []
        );
        assert_eq!(found("app.py", "# access token q8Zr4tLw0pX2vN7mK3sB\n"), []);
    }

    #[test]
    fn lockfiles_are_skipped() {
        assert_eq!(
            found("yarn.lock", "  integrity_token \"q8Zr4tLw0pX2vN7mK3sB\"\n"),
            []
        );
    }
}
