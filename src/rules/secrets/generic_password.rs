//! `secrets/generic-password` and `secrets/generic-api-key`: a literal assigned to a name
//! that says it is a credential.
//!
//! ## What it does
//! Finds `NAME = value` assignments whose name says password, passphrase or secret
//! (`generic-password`) or token, API key, access key, credentials
//! (`generic-api-key`), in code (`password = "…"`, `connect(password="…")`,
//! `{password: "…"}`), `.env`, YAML, JSON, TOML, INI, properties, XML, Dockerfile
//! `ENV`/`ARG` (both forms) and compose `environment:` (map and `- KEY=value` list forms).
//! Every pair of a line counts, also one inside the value of an earlier assignment
//! (`conn = connect(password="…")`, `cfg := Config{Password: "…"}`), and so do a name
//! and its literal given to a setter or lookup call (`os.environ.setdefault("SECRET_KEY",
//! "…")`, `os.Setenv(…)`, `System.setProperty(…)`, `os.getenv("X", "…")`). A number
//! ending a name counts copies (`PASSWORD1`, `db_password2`, `API_KEY_2`).
//!
//! Outside code, notes that join a service to the kind of credential
//! (`search-secret-<value>`, `ticketing PRIVATE <value>`) are read too. A number of 16
//! digits or more is a token under a key, token or `*_secret` name; a UUID is one under a
//! key, token or `*_secret` name, never under a password name.
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
//! `REDACTED`, `example`, empty, `null`, ...), vendor documentation keys, UUIDs (except
//! under a key or service-token name), git SHAs and digests, stored password hashes, paths,
//! ARNs, prose (a value with a space in it; unquoted, `password = Enter your password`
//! in INI, properties, YAML and `.env`, whose values run to the end of the line, and a
//! sentence of ordinary words elsewhere), identifiers on the right side (`MaxResults`, `auth.CustomUser`, C
//! symbols, calls and subscripts), lookup keys (`limit_key`, `sort_key`: a `*_key` needs a
//! credential word or a provider name before `key`), and every lockfile.
//!
//! Two kinds of file are judged differently, on purpose:
//! - documentation (`.md`, `.rst`, `.adoc`, `.html`, `*.examples.json`, text files under
//!   `docs/`): these rules are silent there, since a page's passwords are made up for it;
//!   the provider rules still run, since a real key pasted into a README is a leak;
//! - tests (`tests/`, `test_*.py`, `*_test.go`, `*.spec.ts`, ...): `generic-password` is
//!   silent (test passwords log fake users in, and were most of what this rule found in a
//!   real tree), `generic-api-key` and the provider rules still report.
//!
//! YAML and JSON are read as trees ([`super::structured`]): a key and its value at any
//! depth, flow maps, block scalars, anchors, the Kubernetes `env:` pair (`- name: X` then
//! `value: …`) and compose `- KEY=value` items, each reported at the value's line. A file
//! that does not parse (a Helm template) is read line by line, as every other kind is.
//!
//! ## Known problems
//! TODO: TOML, INI and properties files are still read line by line: a multi-line TOML
//! string under a password key is missed. In code, a value on the line after its name
//! (a wrapped call argument) is missed.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use super::placeholder::{
    is_documented_or_placeholder, is_hex_digest, is_non_secret_shape, is_reference, is_uuid,
};
use super::provider_tokens::masked_prefix;
use super::rule::shannon_entropy;
use super::structured;
use crate::document::Document;
use crate::finding::Severity;
use crate::kind::{ConfigFormat, FileKind};
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

/// YAML and JSON files larger than this are read line by line: they are generated data
/// (API dumps, translations), and a tree of them costs more than it tells.
const MAX_STRUCTURED: usize = 2 * 1024 * 1024;

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
    // `pandadoc PRIVATE …`, `toggl ACCESS …`: notes that name the key by its kind.
    "private",
    "access",
];

static PREFILTER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::DFA))
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

/// A name and its literal written as a call: `os.environ.setdefault("SECRET_KEY", "…")`,
/// `os.Setenv("API_TOKEN", "…")`, `System.setProperty("db.password", "…")`,
/// `env::set_var(…)`, `localStorage.setItem(…)`, `map.put(…)`, and the hardcoded default
/// of a lookup (`os.getenv("DB_PASSWORD", "…")`, `os.environ.get(…)`).
static SETTER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"(?:^|[^A-Za-z0-9_])(?:setdefault|putenv|setenv|Setenv|set_var|setProperty|setItem|put|set|getenv|environ\.get|getProperty)\(\s*["'](?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["']\s*,\s*(?P<val>"(?:[^"\
]|\.)*"|'(?:[^'\
]|\.)*')\s*\)"#,
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

/// `<service>-secret-<value>`, `<service>PRIVATE=<value>`, `<service>_access_token:<value>`:
/// a service name joined to the kind of credential, then the value, as credentials are
/// pasted into notes and ad-hoc config. Outside code only, with the random-looking value
/// gate and at least 16 characters of value.
static JOINED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"(?i)(?:^|[^A-Za-z0-9_.])(?P<name>[A-Za-z0-9]+[\-_.]?(?:secret|private|access|token)(?:[\-_.]?(?:key|token))?)[\-_.=: ]+(?P<val>[A-Za-z0-9][A-Za-z0-9_\-+/=.]{15,})"#,
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
    /// `<word>_key` where the word is neither a credential qualifier nor a known kind of
    /// lookup key (`alchemy_key`, `geocode_key`: often a provider we have no rule for).
    /// The value must look random and hold a digit: field names such as `MaxResults`
    /// under `limit_key` have none.
    OtherKey,
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
    // `slack_token_uuid`, `keyGuid`: the identifier of a token, not the token.
    "uuid",
    "guid",
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
    "template",
    "lock",
    "locked",
    "through",
    "expired",
    "match",
    "info",
    "arn",
    "role",
    "status",
    "state",
    "flag",
    "flags",
    "cb",
    // Django ORM lookups: `password__startswith="md5$"` filters on a stored hash.
    "startswith",
    "endswith",
    "istartswith",
    "iendswith",
    "contains",
    "icontains",
    "exact",
    "iexact",
    "isnull",
    // `AUTH_USER_MODEL`, `auth_backend`, `token_scope`, `auth_host`: settings about
    // authentication, not credentials.
    "model",
    "models",
    "backend",
    "backends",
    "user",
    "users",
    "username",
    "level",
    "scheme",
    "scope",
    "scopes",
    "realm",
    "domain",
    "host",
    "hostname",
    "port",
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
    let w = name_words(name);
    let last = w.last()?;
    if is_file_name(name) {
        return None;
    }
    // `secret` and `key` describe the value only as the last word: `secret_key` and
    // `api_key` are credentials, `secret_name` and `key_id` are not.
    if last != "key" && last != "secret" && DESCRIPTIVE_SUFFIXES.contains(&last.as_str()) {
        return None;
    }
    if w.iter().any(|s| is_password_word(s)) || last == "secret" || last == "pass" {
        return Some(NameClass::Password);
    }
    if last == "key" {
        return key_class(&w);
    }
    if w.iter()
        .any(|s| is_key_word(s) || s == "private" || s == "access")
    {
        return Some(NameClass::ApiKey);
    }
    None
}

/// The words of a name as [`classify_name`] reads them: a number that only counts
/// copies is left out, standing alone (`API_KEY_2`) or on a credential word or a
/// describing one (`PASSWORD1`, `db_password2`, `token3`, `password_length2`). Digits that belong to a word stay: `s3_key`,
/// `ed25519_key`, `oauth2`.
fn name_words(name: &str) -> Vec<String> {
    let mut w = words(name);
    while w.len() > 1
        && w.last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        w.pop();
    }
    for word in &mut w {
        let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
        if stem.len() >= 3
            && stem.len() < word.len()
            && (is_password_word(stem)
                || is_key_word(stem)
                || matches!(stem, "key" | "secret" | "pass" | "private" | "access")
                || DESCRIPTIVE_SUFFIXES.contains(&stem))
        {
            *word = stem.to_string();
        }
    }
    w
}

/// A word that says password. `pass` is one only as the last word (`db_pass`,
/// `become_pass`); first or in the middle it is the verb or a class (`pass_through`,
/// `PassNode.COLOR`), so it is not here.
fn is_password_word(s: &str) -> bool {
    (matches!(
        s,
        "password" | "passwd" | "pwd" | "passphrase" | "passcode" | "passw"
    ) || s.ends_with("password")
        || s.ends_with("passwd"))
        && !s.starts_with("nopass")
}

/// A word that says token, API key or credentials.
fn is_key_word(s: &str) -> bool {
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
}

/// `api_key`, `secret_key`, `access_key`, `private_key`, `<provider>_key`: a key name
/// that is a credential ([`NameClass::ApiKey`]). `primary_key`, `limit_key`, `result_key`,
/// `sort_key`, `cache_key` are lookup keys (`None`). Any other `<word>_key` is
/// [`NameClass::OtherKey`].
fn key_class(w: &[String]) -> Option<NameClass> {
    const LOOKUP: &[&str] = &[
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
        "redis",
        "local",
        "session",
        "the",
        "react",
        "data",
        "env",
        "limit",
        "result",
        "results",
        "input",
        "output",
        "next",
        "more",
        "marker",
        "page",
        "pagination",
        "filter",
        "config",
        "setting",
        "settings",
        "option",
        "field",
        "index",
        "nested",
        "top",
        "level",
        "parent",
        "child",
        "item",
        "entry",
        "node",
        "snake",
        "camel",
        "header",
        "query",
        "param",
        "state",
        "success",
        "delete",
        "name",
        "guid",
        "registry",
        "reg",
        "dedup",
        "dedupe",
        "condition",
        "tag",
        "label",
        "metric",
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
    let prev = w.iter().rev().nth(1)?;
    if is_secretive_key(prev) {
        Some(NameClass::ApiKey)
    } else if LOOKUP.contains(&prev.as_str()) || prev.bytes().all(|b| b.is_ascii_digit()) {
        None
    } else {
        Some(NameClass::OtherKey)
    }
}

/// The word before `key` says credential: `api`, `secret`, `signing`, a provider name.
fn is_secretive_key(prev: &str) -> bool {
    const SECRETIVE: &[&str] = &[
        "api",
        "secret",
        "access",
        "private",
        "priv",
        "auth",
        "signing",
        "sign",
        "signature",
        "encryption",
        "encrypt",
        "decryption",
        "decrypt",
        "crypt",
        "crypto",
        "cipher",
        "client",
        "master",
        "app",
        "application",
        "service",
        "account",
        "license",
        "licence",
        "subscription",
        "consumer",
        "shared",
        "hmac",
        "jwt",
        "webhook",
        "admin",
        "root",
        "deploy",
        "ssh",
        "gpg",
        "pgp",
        "rsa",
        "ecdsa",
        "ed25519",
        "aes",
        "instrumentation",
        "ingest",
        "ingestion",
        "write",
        "server",
        "partner",
        "merchant",
        "developer",
        "dev",
        "personal",
        "project",
        "org",
        "organization",
        "sdk",
        "rest",
        "live",
        "prod",
        "production",
        "sandbox",
        "storage",
        "sas",
        "tls",
        "ssl",
        "cert",
        "bot",
        "token",
        "preshared",
        "psk",
    ];
    SECRETIVE.contains(&prev) || PROVIDER_WORDS.contains(prev)
}

/// Lowercase provider names of the built-in rules (`stripe`, `sendgrid`, `newrelic`), so
/// that `STRIPE_KEY` and `sendgridKey` are read as credentials.
static PROVIDER_WORDS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    const TOO_COMMON: &[&str] = &["the", "new", "face", "hub", "cloud", "teams"];
    let mut out = std::collections::HashSet::new();
    for rule in &super::provider_tokens::BUILTIN.rules {
        let Some(provider) = rule.raw.provider.as_deref() else {
            continue;
        };
        let lower = provider.to_ascii_lowercase();
        if lower.starts_with("the ") {
            continue;
        }
        let joined: String = lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let first: String = lower
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        for word in [joined, first] {
            if word.len() >= 4 && !TOO_COMMON.contains(&word.as_str()) {
                out.insert(word);
            }
        }
    }
    out
});

/// A file name rather than a variable: `EVP_PKEY_print_private.3`, `openssl-passwd.html`
/// (build scripts and man-page lists name files after the functions they document).
fn is_file_name(name: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "html", "htm", "pod", "md", "rst", "txt", "in", "c", "h", "o", "py", "js", "ts", "rs",
        "go", "java", "pem", "json", "yml", "yaml",
    ];
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
                || (!ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit())))
    })
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
    // Scripts without an extension (`bin/ansible`) say what they are on their first line.
    let first_line = doc.text.lines().next().unwrap_or_default();
    if first_line.starts_with("#!")
        && ["python", "node", "ruby", "perl", "php"]
            .iter()
            .any(|i| first_line.contains(i))
    {
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
                | "pyi"
                | "ps1"
                | "psm1"
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
/// Passwords inside a Rust source's `#[cfg(test)]` modules are test code, silent as in
/// files under `tests/`.
pub fn check(doc: &Document, taken: &[Range<usize>], out: &mut Findings) {
    let before = out.raw.len();
    check_file(doc, taken, out);
    let reported = |f: &crate::rules::RawFinding| f.rule_id == PASSWORD_ID;
    if !out.raw[before..].iter().any(reported) {
        return;
    }
    let tests = crate::parse::rust::test_modules(doc);
    if tests.is_empty() {
        return;
    }
    let mut i = before;
    while i < out.raw.len() {
        let f = &out.raw[i];
        if reported(f)
            && tests
                .iter()
                .any(|t| t.start <= f.bytes.start && f.bytes.end <= t.end)
        {
            out.raw.remove(i);
        } else {
            i += 1;
        }
    }
}

fn check_file(doc: &Document, taken: &[Range<usize>], out: &mut Findings) {
    let (Some(prefilter), Some(assignment)) = (&*PREFILTER, &*ASSIGNMENT) else {
        return;
    };
    if is_skipped_file(doc.path) || is_documentation(doc.path) {
        return;
    }
    if !prefilter.is_match(doc.text) {
        return;
    }
    // Passwords in tests log a fake user in; they are the bulk of what a generic password
    // rule finds in a real tree. Tokens and keys there are still reported: a random-looking
    // value is real more often, and provider rules run everywhere.
    let passwords = !is_test_path(doc.path);
    let ctx = Context {
        doc,
        passwords,
        assignment,
        taken,
    };
    if let Some(reading) = structure(doc) {
        check_structure(&ctx, prefilter, &reading, out);
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
        check_line(&ctx, range, code, out);
    }
}

/// What every check of one file shares.
struct Context<'a, 'd> {
    doc: &'a Document<'d>,
    passwords: bool,
    assignment: &'a Regex,
    taken: &'a [Range<usize>],
}

/// The YAML or JSON tree of `doc`, read for name/value pairs; `None` for other kinds, for
/// files too large to parse cheaply and for files that do not parse (Helm templates, JSON
/// with comments), which are read line by line instead.
fn structure(doc: &Document) -> Option<structured::Reading> {
    if doc.text.len() > MAX_STRUCTURED {
        return None;
    }
    match doc.kind {
        // The container rules parse these too: the tree is shared through the cache.
        FileKind::Compose | FileKind::Kubernetes => {
            let file = doc.yaml();
            file.error
                .is_none()
                .then(|| structured::read(file, doc.text))
        }
        // Nobody else parses these; a file that is not YAML after all (a template) is
        // read as lines without a warning.
        FileKind::Config(ConfigFormat::Yaml | ConfigFormat::Json) => {
            let file = crate::parse::yaml::parse(doc.text);
            file.error
                .is_none()
                .then(|| structured::read(&file, doc.text))
        }
        _ => None,
    }
}

/// Judges the pairs of a tree by their names; values under other names are read as
/// text, for connection strings and notes.
fn check_structure(
    ctx: &Context,
    prefilter: &AhoCorasick,
    reading: &structured::Reading,
    out: &mut Findings,
) {
    for pair in &reading.pairs {
        let Some(class) = classify_name(&pair.name) else {
            if !pair.value.contains('\n') && prefilter.is_match(&pair.value) {
                check_line(ctx, pair.range.clone(), false, out);
            }
            continue;
        };
        if class == NameClass::Password && !ctx.passwords {
            continue;
        }
        report_if_secret(ctx, class, &pair.name, &pair.value, pair.range.clone(), out);
    }
    for range in &reading.loose {
        let text = ctx.doc.text.get(range.clone()).unwrap_or_default();
        if range.len() <= MAX_LINE && prefilter.is_match(text) {
            check_line(ctx, range.clone(), false, out);
        }
    }
}

/// Reports `value` (at `abs` in the file) under `name` unless a provider rule has it or
/// it is not a secret.
fn report_if_secret(
    ctx: &Context,
    class: NameClass,
    name: &str,
    value: &str,
    abs: Range<usize>,
    out: &mut Findings,
) {
    if ctx
        .taken
        .iter()
        .any(|t| t.start < abs.end && abs.start < t.end)
    {
        return;
    }
    if !is_secret_value(value, name, class) {
        return;
    }
    let (id, what) = match class {
        NameClass::Password => (PASSWORD_ID, "password"),
        NameClass::ApiKey | NameClass::OtherKey => (API_KEY_ID, "credential"),
    };
    let message = format!(
        "{what} `{}` hardcoded in `{name}`",
        masked_prefix(value.trim())
    );
    out.report_secret(id, abs.clone(), abs, message);
}

fn check_line(ctx: &Context, range: Range<usize>, code: bool, out: &mut Findings) {
    let (doc, passwords, assignment) = (ctx.doc, ctx.passwords, ctx.assignment);
    let bytes = doc.text.as_bytes();
    let Some(line) = bytes.get(range.clone()) else {
        return;
    };
    let mut candidates: Vec<(Range<usize>, Range<usize>, bool)> = Vec::new();
    assignments(assignment, line, 0, true, &mut candidates);
    if let Some(setter) = &*SETTER {
        for caps in setter.captures_iter(line) {
            if let (Some(name), Some(val)) = (caps.name("name"), caps.name("val")) {
                let v = val.range();
                if !candidates
                    .iter()
                    .any(|(_, c, _)| c.start < v.end && v.start < c.end)
                {
                    candidates.push((name.range(), v, false));
                }
            }
        }
    }
    let legacy = [&*DOCKER_LEGACY, &*XML_ELEMENT, &*SPACED, &*JOINED];
    for (i, re) in legacy.iter().enumerate() {
        if (i == 0 && doc.kind != FileKind::Dockerfile) || (i >= 2 && code) {
            continue;
        }
        let Some(re) = re else { continue };
        for caps in re.captures_iter(line) {
            if let (Some(name), Some(val)) = (caps.name("name"), caps.name("val")) {
                // With `:` or `=` between them, the pair is an assignment, and the
                // assignment reading has already judged its name.
                let between = line.get(name.end()..val.start()).unwrap_or_default();
                // `key: build-deps-1` starting a line is a YAML key the assignment
                // reading has judged; `taxjar key: a1b2…` names the service first.
                let starts_line = line
                    .get(..name.start())
                    .unwrap_or_default()
                    .iter()
                    .all(|b| b.is_ascii_whitespace() || *b == b'-');
                if i == 2 && starts_line && between.iter().any(|b| matches!(b, b':' | b'=')) {
                    continue;
                }
                // A value another reading has already named is judged once:
                // `AWS_SECRET_ACCESS_KEY=…` is an assignment, not a joined name.
                let (v, seen) = (val.range(), &candidates);
                if i == 3
                    && seen
                        .iter()
                        .any(|(_, c, _)| c.start < v.end && v.start < c.end)
                {
                    continue;
                }
                candidates.push((name.range(), val.range(), i >= 2));
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
        if class == NameClass::Password && !passwords {
            continue;
        }
        let bare_is_code = code && !weak && !inside_string(line, name.start, name.end);
        let quoted = matches!(line.get(val.start), Some(b'"' | b'\'' | b'`'));
        let Some(secret) = secret_range(line, val, bare_is_code) else {
            continue;
        };
        // A bare value ends at the first space for the pattern; in most formats the text
        // after it belongs to the value, and words there make it a label or a message.
        if !weak && !quoted && !bare_is_code && continues_as_prose(doc.kind, line, &name, &secret) {
            continue;
        }
        let abs = range.start + secret.start..range.start + secret.end;
        let value = String::from_utf8_lossy(bytes.get(abs.clone()).unwrap_or_default());
        report_if_secret(ctx, class, &name_text, &value, abs, out);
    }
}

/// True when the bare value at `value` (in `line`, assigned to `name`) is only the first
/// word of a longer text: `password = Enter your password` in INI, properties, YAML and
/// `.env` files, whose unquoted values run to the end of the line (a value of several words
/// is not a secret there, as a quoted one is not), or a sentence of ordinary words in other
/// files (`password: Passwords do not match` in notes). A shell assignment
/// (`PGPASSWORD=s3cret psql mydb`) ends at the space, so it is judged by its first word.
fn continues_as_prose(
    kind: FileKind,
    line: &[u8],
    name: &Range<usize>,
    value: &Range<usize>,
) -> bool {
    let rest = line.get(value.start..).unwrap_or_default();
    // The value stops at a quote (the end of the string it was read from) and at a
    // comment: ` #` everywhere, ` ;` in INI.
    let mut end = rest
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b'`' | b'\n' | b'\r'))
        .unwrap_or(rest.len());
    let ini = kind == FileKind::Config(ConfigFormat::Ini);
    if let Some(at) = rest[..end]
        .windows(2)
        .position(|w| w[0].is_ascii_whitespace() && (w[1] == b'#' || (ini && w[1] == b';')))
    {
        end = at;
    }
    let rest = String::from_utf8_lossy(&rest[..end]);
    let rest = rest.trim();
    if !rest.contains(char::is_whitespace) {
        return false;
    }
    let line_valued = matches!(
        kind,
        FileKind::Env
            | FileKind::Compose
            | FileKind::Kubernetes
            | FileKind::Config(
                ConfigFormat::Yaml
                    | ConfigFormat::Ini
                    | ConfigFormat::Properties
                    | ConfigFormat::Toml
            )
    );
    if line_valued {
        return true;
    }
    let between = line.get(name.end..value.start).unwrap_or_default();
    let name_text = line.get(name.clone()).unwrap_or_default();
    let shell = between == b"="
        && name_text
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    !shell && is_sentence(rest)
}

/// Several words of ordinary text: `Enter your password`, `Too short, use at least 8
/// characters.` Every space-separated piece is a word (letters, with `'` or `-` inside,
/// in lower case, capitalised or all capitals) or a number, give or take punctuation
/// around it; two words at least. A password with a space in it mixes cases, digits and
/// symbols inside its pieces (`hunter2 Blue!9`), which no word does.
fn is_sentence(text: &str) -> bool {
    let mut words = 0;
    for token in text.split_whitespace() {
        // A dash, a slash or an ellipsis standing alone: `Password - required`.
        if token.chars().all(|c| {
            matches!(
                c,
                '-' | '\u{2013}' | '\u{2014}' | '.' | '/' | '&' | '\u{2026}'
            )
        }) {
            continue;
        }
        let core = token
            .trim_start_matches(['(', '"', '\'', '\u{bf}', '\u{a1}'])
            .trim_end_matches(['.', ',', '!', '?', ':', ';', ')', '"', '\'', '\u{2026}']);
        if core.is_empty() {
            return false;
        }
        if core.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !is_word(core) {
            return false;
        }
        words += 1;
    }
    words >= 2
}

/// `password`, `Enter`, `PIN`, `don't`, `re-enter`: letters in one of the cases words are
/// written in.
fn is_word(w: &str) -> bool {
    let letters = w.chars().filter(|&c| c != '\'' && c != '-');
    if w.starts_with(['\'', '-'])
        || w.ends_with(['\'', '-'])
        || !letters.clone().all(char::is_alphabetic)
    {
        return false;
    }
    let mut rest = letters.clone().skip(1);
    let lower = letters.clone().all(char::is_lowercase);
    let upper = letters.clone().all(char::is_uppercase);
    let capitalised =
        letters.clone().next().is_some_and(char::is_uppercase) && rest.all(char::is_lowercase);
    lower || upper || capitalised
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
    let mut at = 0;
    while let Some(caps) = re.captures_at(text, at) {
        let (Some(whole), Some(name), Some(op), Some(val)) = (
            caps.get(0),
            caps.name("name"),
            caps.name("op"),
            caps.name("val"),
        ) else {
            break;
        };
        at = whole.end();
        // `a::b` is a path (Rust, C++, Perl), not `a` given the value `:b`.
        if matches!(op.as_bytes(), b"==" | b"!=" | b"===" | b"!==")
            || (op.as_bytes() == b":" && val.as_bytes().first() == Some(&b':'))
        {
            continue;
        }
        let quoted = matches!(val.as_bytes().first(), Some(b'"' | b'\'' | b'`'));
        let named = classify_name(&String::from_utf8_lossy(name.as_bytes())).is_some();
        // A bare value under another name may open a call or a literal that holds the
        // pair itself: the value of `conn = connect(password="…")` is read as
        // `connect(password=`, of `cfg := Config{Password: "…"}` as `Config{Password:`.
        // Reading on after the opening bracket (not after the value) considers every
        // pair of the line; it is after the name, so the reading still moves forward.
        // Without a bracket the value is a value (`arn:aws:…:secret:x`, `?pwd=…` in a
        // URL, `type=password`), and what it holds is not read as pairs.
        if !quoted
            && !named
            && let Some(open) = val
                .as_bytes()
                .iter()
                .position(|b| matches!(b, b'(' | b'{' | b'['))
        {
            at = val.start() + open + 1;
        }
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

/// True when the name at `at..name_end` sits inside a string literal on the line (an odd
/// number of `"` or `'` before it): there a bare `password=x` is text of a connection
/// string, not code.
fn inside_string(line: &[u8], at: usize, name_end: usize) -> bool {
    // A quoted key (`"password": x`, `env["PGPASSWORD"] = x`) opens and closes its own
    // string: what follows it is code.
    let quote_before = at.checked_sub(1).and_then(|i| line.get(i)).copied();
    if matches!(quote_before, Some(b'"' | b'\'')) && line.get(name_end).copied() == quote_before {
        return false;
    }
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
        || (is_non_secret_shape(v)
            && !(is_uuid(v) && uuid_name(name) && (class != NameClass::Password || names_secret(name)))
            && !(is_long_number(v) && (class != NameClass::Password || names_secret(name)))
            // 40 and 64 hex digits are git ids and checksums elsewhere; under a name
            // that says token or secret they are the token (Sentry, CircleCI, Meraki).
            && !is_hex_digest(v))
        || is_code_expression(v)
        || v.eq_ignore_ascii_case(name)
        || looks_like_name(v)
        || (v.contains('{') && v.contains('}'))
        || v.contains("%s")
        || v.ends_with('(')
        || v.contains("()")
    {
        return false;
    }
    // Letters outside ASCII make prose: a translated label ("Senha", "请提供您的密码"),
    // never a password a keyboard layout-independent login accepts in practice.
    if v.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
        return false;
    }
    match class {
        NameClass::Password => true,
        NameClass::ApiKey | NameClass::OtherKey if is_long_number(v) => true,
        NameClass::ApiKey | NameClass::OtherKey => {
            let classes = [
                v.bytes().any(|b| b.is_ascii_lowercase()),
                v.bytes().any(|b| b.is_ascii_uppercase()),
                v.bytes().any(|b| b.is_ascii_digit()),
            ];
            v.len() >= 10
                && shannon_entropy(v.as_bytes()) >= 3.0
                && classes.iter().filter(|&&c| c).count() >= 2
                && !is_word_shaped(v)
                && !is_snake_identifier(v)
                && !is_header_or_option(v)
                && !is_identifier_path(v)
                && (class == NameClass::ApiKey
                    || v.len() >= 20
                    || v.bytes().any(|b| b.is_ascii_digit()))
        }
    }
}

/// Sixteen digits or more: a numeric token (Asana, Discord client secrets) under a key or
/// token name. Shorter numbers there are ports, counts and account ids.
fn is_long_number(v: &str) -> bool {
    v.len() >= 16 && v.bytes().all(|b| b.is_ascii_digit())
}

/// `client_secret`, `moosendSECRET`: the last word is `secret` itself, and such secrets
/// are often issued as UUIDs. A `*_password` holding a UUID is an identifier more often.
fn names_secret(name: &str) -> bool {
    name_words(name).last().is_some_and(|w| w == "secret")
}

/// A UUID is a credential under a key or token name (Heroku, HubSpot and npm tokens are
/// UUIDs), except under the names of request and paging tokens: `ChangeToken`,
/// `ClientRequestToken`, `LifecycleActionToken`, `NextToken` are identifiers.
fn uuid_name(name: &str) -> bool {
    const REQUEST_TOKENS: &[&str] = &[
        "change",
        "request",
        "client",
        "lifecycle",
        "action",
        "next",
        "continuation",
        "pagination",
        "page",
        "idempotency",
        "sync",
        "cancel",
        "cancellation",
        "resume",
        "state",
        "nonce",
        "correlation",
        "trace",
        "confirmation",
        "upload",
        "batch",
        "marker",
        "term",
        "task",
    ];
    let w = name_words(name);
    let Some(last) = w.last() else {
        return false;
    };
    if last == "token" || last == "id" {
        return w
            .iter()
            .rev()
            .nth(1)
            .is_some_and(|prev| !REQUEST_TOKENS.contains(&prev.as_str()));
    }
    true
}

/// Code on the right side of an assignment, read as text (in docs, `.txt`, templates):
/// a call `hasher.encode(…`, a subscript `request.POST[…`, a dotted name
/// `auth.CustomUser`.
fn is_code_expression(v: &str) -> bool {
    let head_end = v
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$')))
        .unwrap_or(v.len());
    let (head, rest) = v.split_at(head_end);
    let starts_ident = head
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    if !starts_ident {
        return false;
    }
    if rest.starts_with('(') || rest.starts_with('[') {
        return true;
    }
    rest.is_empty()
        && head.contains('.')
        && !head.bytes().any(|b| b.is_ascii_digit())
        && head.split('.').all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        })
}

/// Words without digits: `MaxResults`, `NextToken`, `CloudFrontOriginAccessIdentityList.NextMarker`,
/// `aws:ResourceTag/backup`. A field or type name, not a key: random keys mix case without
/// forming words, and almost always hold digits.
fn is_word_shaped(v: &str) -> bool {
    if v.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut pieces: Vec<String> = Vec::new();
    for part in v.split(['.', '_', '-', ':', '/', ' ']) {
        if part.is_empty() {
            continue;
        }
        if !part.bytes().all(|b| b.is_ascii_alphabetic()) {
            return false;
        }
        // Split `NextMarker` into `Next`, `Marker`, keeping acronyms (`SSECustomer`) whole.
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in part.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                pieces.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase();
            cur.push(c);
        }
        pieces.push(cur);
    }
    let total: usize = pieces.iter().map(String::len).sum();
    let short = pieces.iter().filter(|p| p.len() < 3).count();
    !pieces.is_empty()
        && total >= 3 * pieces.len()
        && short <= 1
        && pieces.iter().all(|p| p.len() <= 20)
}

/// An HTTP header name (`x-amz-server-side-encryption-customer-key-MD5`) or an option
/// setting (`StrictHostKeyChecking=no`): names, not keys.
fn is_header_or_option(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let header = lower.starts_with("x-")
        && lower.split('-').count() >= 3
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let option = v.split_once('=').is_some_and(|(k, val)| {
        is_word_shaped(k) && !val.is_empty() && val.bytes().all(|b| b.is_ascii_alphabetic())
    });
    header || option
}

/// Names joined by `/` or `.`: `checkout-flow/v2`, `billing-service/keys/v1`,
/// `eu-west-1/orders_v3`, `app.auth.refreshToken.v2`, `smartedu-lint/v1` (a feature flag,
/// a key's resource name, a route, a storage key). Keys in base64 have `/` too, but mix
/// case inside their runs of letters (`K7MDENG`, `bPxRfiCY`) and put digits among them.
fn is_identifier_path(v: &str) -> bool {
    let separated = v.contains(['/', '.']);
    let charset = v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b':'));
    let pieces: Vec<&str> = v
        .split(['/', '-', '_', '.', ':'])
        .filter(|p| !p.is_empty())
        .collect();
    if !separated || !charset || pieces.len() < 2 {
        return false;
    }
    let mut words = 0;
    let mut letters = 0;
    for p in pieces {
        let Some(n) = name_piece_words(p) else {
            return false;
        };
        words += n;
        letters += p.bytes().filter(u8::is_ascii_alphabetic).count();
    }
    // Words are three letters long or more on average; runs of random letters split at
    // their capitals give pieces of one or two (`Qm`, `Tk`).
    letters >= 3 * words
}

/// One piece of an identifier path: a number, a version (`v2`), or words as names are
/// written: `auth`, `refreshToken`, `OrderItems`, `API`, `JWTConfig`. How many words it
/// holds, or `None` for anything else.
fn name_piece_words(p: &str) -> Option<usize> {
    if p.bytes().all(|b| b.is_ascii_digit())
        || (p.len() <= 4 && p.starts_with('v') && p.bytes().skip(1).all(|b| b.is_ascii_digit()))
    {
        return Some(0);
    }
    // A version or a count closing a word: `keysV1`, `orders2`.
    let stem = p.trim_end_matches(|c: char| c.is_ascii_digit());
    let p = match stem.strip_suffix(['v', 'V']) {
        Some(word) if stem.len() < p.len() && p.len() - stem.len() <= 3 && word.len() >= 2 => word,
        _ if p.len() - stem.len() <= 3 => stem,
        _ => return None,
    };
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    // Split at each capital that starts a word: after a lowercase letter, or before one
    // that follows capitals (`JWTConfig`: `JWT`, `Config`).
    let chars: Vec<char> = p.chars().collect();
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j));
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        let starts = c.is_ascii_uppercase()
            && prev
                .is_some_and(|q| q.is_ascii_lowercase() || (q.is_ascii_uppercase() && next_lower));
        if starts && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    parts.push(cur);
    let words = parts.iter().all(|w| {
        let mut rest = w.chars().skip(1);
        let lower = w.bytes().all(|b| b.is_ascii_lowercase());
        let capitalised = w.len() >= 2 && rest.all(|c| c.is_ascii_lowercase());
        let acronym = w.len() <= 5 && w.bytes().all(|b| b.is_ascii_uppercase());
        // One lowercase letter is a word only alone (`a`), not as a run's first part.
        (lower && (w.len() >= 2 || parts.len() == 1)) || capitalised || acronym
    });
    words.then_some(parts.len())
}

/// A C or assembler symbol: `ring_core_0_17_14__aes_hw_set_encrypt_key`,
/// `X509v3_KU_KEY_ENCIPHERMENT`. Three or more `_`-separated pieces, each of one case.
fn is_snake_identifier(v: &str) -> bool {
    let pieces: Vec<&str> = v.split('_').filter(|p| !p.is_empty()).collect();
    pieces.len() >= 3
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && pieces.iter().all(|p| {
            // Random tokens joined by `_` have long pieces mixing letters and digits.
            let one_case = p
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                || p.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            let word_or_number = p.len() <= 8
                || p.bytes().all(|b| b.is_ascii_digit())
                || !p.bytes().any(|b| b.is_ascii_digit());
            (one_case || p.len() <= 6) && word_or_number
        })
}

/// Documentation: prose and examples that show how to call an API, whose passwords and
/// tokens are made up for the page. Provider rules still run there (a real key pasted in
/// a README is a leak); the generic name-based rules, which have no format to go by, do not.
fn is_documentation(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_docs_dir = lower
        .split('/')
        .rev()
        .skip(1)
        .any(|d| matches!(d, "doc" | "docs" | "documentation" | "man"));
    // Translation catalogs: their "password" keys hold labels and messages.
    let in_locales = lower.split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "locale" | "locales" | "i18n" | "l10n" | "translations" | "lang" | "langs"
        )
    });
    if in_locales
        && (name.ends_with(".json")
            || name.ends_with(".po")
            || name.ends_with(".yml")
            || name.ends_with(".yaml")
            || name.ends_with(".properties")
            || name.ends_with(".js")
            || name.ends_with(".ts"))
    {
        return true;
    }
    const DOC_EXTENSIONS: &[&str] = &[".md", ".markdown", ".rst", ".adoc", ".html", ".htm"];
    DOC_EXTENSIONS.iter().any(|e| name.ends_with(e))
        || name.ends_with(".examples.json")
        || (in_docs_dir && (name.ends_with(".txt") || !name.contains('.')))
}

/// Test code and its fixtures: a `test`/`tests`/`spec`/`__tests__`/`testdata`/`fixtures`
/// directory, or a file named as a test (`test_x.py`, `x_test.go`, `x.test.ts`,
/// `x.spec.js`, `tests.py`, `conftest.py`).
pub(crate) fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts = lower.rsplit('/');
    let name = parts.next().unwrap_or(&lower);
    let in_test_dir = parts.any(|d| {
        matches!(
            d,
            "test" | "tests" | "spec" | "specs" | "__tests__" | "testdata" | "fixtures" | "testing"
        )
    });
    let stem = name.split('.').next().unwrap_or(name);
    in_test_dir
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || matches!(stem, "tests" | "conftest")
        || name.contains(".test.")
        || name.contains(".spec.")
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
    // bandit's hardcoded password string, function argument and default (B105, B106,
    // B107), and ruff's ports of them (S105-S107). B105 also reads `token` and `secret`
    // names, but its id says password: it stays one rule, so that `--skip B105` and
    // `# nosec B105` mean the same rules.
    password.aliases = ["B105", "B106", "B107", "S105", "S106", "S107"]
        .map(String::from)
        .to_vec();
    password.example = "DB_PASSWORD=Summer2024!".into();
    password.fixed_example = "DB_PASSWORD=${DB_PASSWORD}".into();
    password.known_problems = "YAML and JSON are read as trees; other files line by line, so \
                               there a value on the line after its name is missed. Silent in documentation (.md, .rst, .adoc, \
                               .html, *.examples.json, text under docs/) and in tests \
                               (tests/, test_*.py, *_test.go, *.spec.ts, and a Rust source's \
                               `#[cfg(test)]` modules): a real password written only there \
                               is missed. A value with a space in it \
                               is not reported (a label or message such as `Enter your \
                               password`, also unquoted in INI, properties, YAML and .env \
                               files, whose values run to the end of the line): a \
                               passphrase of several words is missed."
        .into();
    let mut api_key = super::coded_meta(
        API_KEY_ID,
        "Hardcoded token or API key",
        Severity::High,
        "A random-looking value is assigned to a name that says token, API key or credentials.",
    );
    api_key.example = "api_token = \"q8Zr4tLw0pX2vN7mK3sB\"".into();
    api_key.fixed_example = "api_token = os.environ[\"API_TOKEN\"]".into();
    api_key.known_problems = "Silent in documentation (.md, .rst, .adoc, .html, \
                              *.examples.json, text under docs/). A value made only of \
                              words (`MaxResults`) is taken for a field name, and a \
                              `<word>_key` whose word is not a credential word or a \
                              provider name needs a digit or 20 characters."
        .into();
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
    fn a_number_ending_a_name_counts_copies() {
        assert_eq!(classify_name("PASSWORD1"), Some(NameClass::Password));
        assert_eq!(classify_name("db_password2"), Some(NameClass::Password));
        assert_eq!(classify_name("API_KEY_2"), Some(NameClass::ApiKey));
        assert_eq!(classify_name("githubToken3"), Some(NameClass::ApiKey));
        assert_eq!(name_words("ed25519_key"), ["ed25519", "key"]);
        assert_eq!(name_words("s3_key"), ["s3", "key"]);
        assert_eq!(classify_name("sort_key2"), None);
        assert_eq!(classify_name("password_length2"), None);
    }

    #[test]
    fn every_pair_of_a_line_is_read() {
        for (path, line) in [
            (
                "a.py",
                "conn = psycopg2.connect(password=\"Kq7vB2mN9pL4\")\n",
            ),
            ("a.js", "const db = {password: \"Kq7vB2mN9pL4\"};\n"),
            ("a.go", "cfg := Config{Password: \"Kq7vB2mN9pL4\"}\n"),
            ("a.toml", "conn = {password = \"Kq7vB2mN9pL4\"}\n"),
            ("a.py", "x = 1; y = f(a=g(password=\"Kq7vB2mN9pL4\"))\n"),
        ] {
            assert_eq!(found(path, line), [(1, PASSWORD_ID.to_string())], "{line}");
        }
        // A value without a bracket is not read as pairs: an ARN, a CSS selector, a
        // URL's query; nor is a `::` path.
        for (path, line) in [
            (
                "a.d.ts",
                " * \"URI\": \"arn:aws:secretsmanager:us-east-1:01234567890:secret:MyBrokerSecretName\".\n",
            ),
            (
                "base.css",
                "input[type=text]:focus, input[type=password]:focus,\n",
            ),
            (
                "auth.rs",
                "overrides: HashMap<&'static str, Vec<client::auth::AuthSchemeOption>>,\n",
            ),
            ("T.pm", "{ $Important::Secret::Security::Enable = 0;\n"),
            (
                "notes.txt",
                "Where: https://zoom.us/my/room?pwd=c0JZTHlNdS9Sek9vdzR3\n",
            ),
        ] {
            assert_eq!(found(path, line), [], "{line}");
        }
        // Read once: a value under a credential name is not read again inside.
        assert_eq!(found("a.env", "PASSWORD=a=b:password=c9Xq\n").len(), 1);
    }

    #[test]
    fn short_human_passwords_are_reported() {
        assert_eq!(found(".env", "DB_PASSWORD=hunter22\n").len(), 1);
        assert_eq!(found("app.py", "password = \"root\"\n").len(), 1);
    }

    #[test]
    fn bare_values_that_go_on_as_text_are_labels() {
        for (path, text) in [
            ("m.properties", "password.confirm=Confirm your password\n"),
            ("a.ini", "password = Enter your password\n"),
            (
                "a.cfg",
                "passwordTooShort = Too short, use 8 characters ; note\n",
            ),
            ("notes.txt", "password: Passwords do not match.\n"),
            ("notes.txt", "PASSWORD_HELP = Use a strong password\n"),
            ("a.py", "msg = \"password: Enter your password\"\n"),
        ] {
            assert_eq!(found(path, text), [], "{path}: {text}");
        }
        // One piece, then a comment or words that are not all words: a value.
        assert_eq!(found("a.ini", "password = Kestrel-9 ; old\n").len(), 1);
        assert_eq!(
            found("a.yaml", "{{ if x }}\npassword: Kestrel-9 # old\n").len(),
            1
        );
        assert_eq!(
            found("n.txt", "password: Kestrel-9 for the admin\n").len(),
            1
        );
        // A shell assignment ends at the space: the words after it are the command.
        assert_eq!(found("run.sh", "PGPASSWORD=postgres psql mydb\n").len(), 1);
    }

    #[test]
    fn sentences_are_words_and_numbers() {
        assert!(is_sentence("Too short, use at least 8 characters."));
        assert!(is_sentence("Passwords don't match - try again"));
        assert!(is_sentence("PIN required"));
        assert!(!is_sentence("hunter2 Blue!9"));
        assert!(!is_sentence("Kestrel-9 for the admin"));
        assert!(!is_sentence("pAsSwOrD here"));
        assert!(!is_sentence("password"));
        assert!(!is_sentence("abc OTHER=def"));
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
    fn passwords_in_tests_are_not_reported_but_tokens_are() {
        let src = "client.login(username=\"joe\", password=\"qwerty\")\n\
                   api_token = \"q8Zr4tLw0pX2vN7mK3sB\"\n";
        let lines = |path| found(path, src).iter().map(|f| f.0).collect::<Vec<_>>();
        assert_eq!(lines("app/login.py"), [1, 2]);
        for test in [
            "tests/auth.py",
            "pkg/test/x.py",
            "test_login.py",
            "login_test.go",
            "login.spec.ts",
        ] {
            assert_eq!(lines(test), [2], "{test}");
        }
        assert!(!is_test_path("easypost-test-api-token.py"));
        assert!(!is_test_path("src/contest.py"));
    }

    #[test]
    fn documentation_is_left_to_the_provider_rules() {
        let src = "PASSWORD = \"s3krit\"\napi_token = \"q8Zr4tLw0pX2vN7mK3sB\"\n";
        for doc in [
            "README.md",
            "docs/howto.rst",
            "docs/topics/db.txt",
            "apis/waf-2015-08-24.examples.json",
        ] {
            assert_eq!(found(doc, src), [], "{doc}");
        }
        assert_eq!(found("notes.txt", src).len(), 2);
    }

    #[test]
    fn dictionary_keys_are_not_credentials() {
        for (name, value) in [
            ("limit_key", "MaxResults"),
            ("result_key", "Reservations"),
            ("output_token", "DistributionList.NextMarker"),
            ("sort_key", "Rk8sLq2ZpW9xVb3N"),
        ] {
            let line = format!("\"{name}\": \"{value}\"\n");
            assert_eq!(found("p.json", &line), [], "{name}");
        }
        // A key named after a provider, known or not, still counts.
        assert_eq!(found("a.env", "STRIPE_KEY=Rk8sLq2ZpW9xVb3N\n").len(), 1);
        assert_eq!(
            found("a.env", "alchemy_key=v9sswdzc2it8axf4jxwqt7h\n").len(),
            1
        );
        assert_eq!(
            found("a.env", "beamer_key=b_ByDfulghxvvmHbArJSFfQhxemJPQ\n").len(),
            1
        );
    }

    #[test]
    fn uuids_are_credentials_only_under_credential_names() {
        let uuid = "3f1c9a2e-7b4d-4e8a-9c21-5d6e7f809a1b";
        for name in [
            "ChangeToken",
            "ClientRequestToken",
            "NextToken",
            "session_id",
        ] {
            assert_eq!(found("a.env", &format!("{name}={uuid}\n")), [], "{name}");
        }
        for name in ["HEROKU_API_KEY", "hubspot_token", "NPM_TOKEN"] {
            assert_eq!(
                found("a.env", &format!("{name}={uuid}\n")).len(),
                1,
                "{name}"
            );
        }
    }

    #[test]
    fn hex_tokens_under_credential_names_are_reported() {
        let hex = "d37a8b9e09642cb73cfcf4e1284815fc3d6a55a7";
        assert_eq!(found("a.env", &format!("SENTRY_TOKEN={hex}\n")).len(), 1);
        assert_eq!(found("a.env", &format!("COMMIT_SHA={hex}\n")), []);
    }

    #[test]
    fn identifier_values_are_not_keys() {
        for v in [
            "MaxResults",
            "CloudFrontOriginAccessIdentityList.NextMarker",
            "aws:ResourceTag/backup",
        ] {
            assert!(is_word_shaped(v), "{v}");
        }
        for v in [
            "q8Zr4tLw0pX2vN7mK3sB",
            "b_ByDfulghxvvmHbArJSFfQ",
            "abcdefghijklmnopqrstuvwxyzABCD",
        ] {
            assert!(!is_word_shaped(v), "{v}");
        }
        assert!(is_header_or_option(
            "x-amz-server-side-encryption-customer-key-MD5"
        ));
        assert!(is_header_or_option("StrictHostKeyChecking=no"));
        assert!(!is_header_or_option("xk-9fQ2-Lp8v"));
        assert!(is_snake_identifier(
            "ring_core_0_17_14__aes_hw_set_encrypt_key"
        ));
        assert!(is_snake_identifier("X509v3_KU_KEY_AGREEMENT"));
        assert!(!is_snake_identifier(
            "duffel_test_w3ntncezstax2x8m6nlgr79xoletu9t516v_quuz4d8"
        ));
        for v in ["hasher.encode(md5_hash", "request.POST[", "auth.CustomUser"] {
            assert!(is_code_expression(v), "{v}");
        }
        assert!(!is_code_expression("s3cr3t.Pa55"));
    }

    #[test]
    fn quoted_keys_are_code_in_code_files() {
        assert_eq!(
            found(
                "a.py",
                "kwargs[\"password\"] = settings_dict[\"PASSWORD\"]\n"
            ),
            []
        );
        assert_eq!(found("a.py", "d = {'conn_pass': sshpass}\n"), []);
        assert_eq!(
            found(
                "bin/tool",
                "#!/usr/bin/env python\nd = {'conn_pass': sshpass}\n"
            ),
            []
        );
        assert_eq!(found("a.py", "d = {'db_pass': 'Tr0ub4dor'}\n").len(), 1);
        // In a string, a bare `password=` is still a connection string's part.
        assert_eq!(
            found("a.py", "dsn = \"host=db password=Tr0ub4dor\"\n").len(),
            1
        );
    }

    #[test]
    fn slash_names_and_numbers_are_judged_by_shape() {
        for v in [
            "checkout-flow/v2",
            "billing-service/keys/v1",
            "eu-west-1/orders_v3",
            "app.auth.refreshToken.v2",
            "smartedu-lint/v1",
            "com.example.JWTConfig/signing",
            "billingService/keysV1",
        ] {
            assert!(is_identifier_path(v), "{v}");
        }
        for v in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9",
            "ab3kd9/q8zr4t",
            "bPxRfiCY/zwQmTkLp",
            "Xq7vB2mN.9pL4kJ8hG3fD6",
            "refreshToken",
        ] {
            assert!(!is_identifier_path(v), "{v}");
        }
        assert!(is_long_number("1204587733291845"));
        assert!(!is_long_number("123456789012"));
        assert_eq!(found("a.env", "max_tokens=4096000000000000000\n"), []);
    }

    #[test]
    fn minified_lines_are_not_read() {
        let line = format!(
            "var a={{}},apiKey=\"q8Zr4tLw0pX2vN7mK3sB\";{}\n",
            "x=1;".repeat(300)
        );
        assert_eq!(found("app.js", &line), []);
        assert_eq!(
            found("vendor.min.js", "var apiKey=\"q8Zr4tLw0pX2vN7mK3sB\";\n"),
            []
        );
    }

    #[test]
    fn lockfiles_are_skipped() {
        assert_eq!(
            found("yarn.lock", "  integrity_token \"q8Zr4tLw0pX2vN7mK3sB\"\n"),
            []
        );
    }
}
