//! `code/long-lived-access-token`: an access token that stays valid for more than the
//! 15 minutes the hardening checklist allows.
//!
//! Where a lifetime is read:
//! - a binding, dict key or keyword argument whose name says it is the access token's (or
//!   the JWT's) lifetime: `ACCESS_TOKEN_EXPIRE_MINUTES = 60`, SimpleJWT
//!   `"ACCESS_TOKEN_LIFETIME": timedelta(hours=1)`, Flask-JWT-Extended
//!   `JWT_ACCESS_TOKEN_EXPIRES`, `const ACCESS_TOKEN_TTL = "1h"`. The unit comes from the
//!   name (`_MINUTES`, `Ms`, ...), else seconds (milliseconds in Java);
//! - jsonwebtoken's `expiresIn` option (a number is seconds, a string in `ms` format),
//!   jose `setExpirationTime("2h")`, `create_access_token(.., expires_delta=..)`;
//! - an `exp` claim built as now plus a fixed delta: `datetime.utcnow() +
//!   timedelta(hours=1)`, `Math.floor(Date.now() / 1000) + 3600`, golang-jwt
//!   `ExpiresAt`/`"exp"` with `time.Now().Add(24 * time.Hour)`, jjwt
//!   `setExpiration(new Date(now + 3600000))` or `Instant.now().plus(..)`.
//!
//! Only values the code fixes are judged: literals, arithmetic on them, constants of the
//! same file, and the literal default of an environment lookup. Refresh tokens and other
//! single-purpose tokens (password reset, e-mail verification, magic links) are not
//! access tokens: a binding named for them, or an `exp`/`expiresIn` in a statement or
//! function that names them, is skipped. Test sources are skipped.

use std::collections::HashMap;
use std::sync::LazyLock;

use tree_sitter::Node;

use super::syntax::{
    self, Words, assigned_name, assigned_value, binary_parts, call_parts, enclosing_function_name,
    enclosing_statement, number_value, pair_parts, string_value, words,
};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{named_children, text, walk};
use crate::rules::{Checker, Findings};

const ID: &str = "code/long-lived-access-token";

/// The checklist's limit, in seconds.
const LIMIT: f64 = 15.0 * 60.0;

pub struct LongLivedAccessToken;

impl Checker for LongLivedAccessToken {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        syntax::is_parsed_source(kind)
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if syntax::is_test_source(doc.path) || !mentions_lifetime(doc.text) {
            return;
        }
        let Some(tree) = syntax::tree(doc) else {
            return;
        };
        let mut nodes = Vec::new();
        walk(tree.root_node(), |n| nodes.push(n));
        let eval = Eval {
            doc,
            constants: constants(doc, &nodes),
        };
        for node in nodes {
            let Some((at, seconds)) = lifetime_at(&eval, node) else {
                continue;
            };
            if seconds > LIMIT {
                out.report(
                    ID,
                    at.byte_range(),
                    format!(
                        "access token valid for {}: the checklist allows 15 minutes",
                        human(seconds)
                    ),
                );
            }
        }
    }
}

/// The cheap test that decides whether the file is parsed at all: a JWT or access-token
/// word and a lifetime word, one scan for each.
fn mentions_lifetime(text: &str) -> bool {
    const TOKEN: [&str; 8] = [
        "jwt",
        "JWT",
        "Jwt",
        "jose",
        "ACCESS_TOKEN",
        "access_token",
        "accessToken",
        "AccessToken",
    ];
    const LIFETIME: [&str; 14] = [
        "expir", "Expir", "EXPIR", "lifetime", "Lifetime", "LIFETIME", "TTL", "Ttl", "ttl",
        "validity", "Validity", "VALIDITY", "\"exp\"", "'exp'",
    ];
    static TOKEN_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(&TOKEN));
    static LIFETIME_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(&LIFETIME));
    TOKEN_WORDS.in_text(text) && LIFETIME_WORDS.in_text(text)
}

/// Words that make a token something other than an access token.
const OTHER_TOKENS: [&str; 16] = [
    "refresh",
    "reset",
    "verify",
    "verification",
    "confirm",
    "confirmation",
    "invite",
    "invitation",
    "magic",
    "email",
    "csrf",
    "xsrf",
    "session",
    "cookie",
    "cache",
    "remember",
];

/// True when a name says it is the lifetime of an access token or a JWT:
/// `ACCESS_TOKEN_EXPIRE_MINUTES`, `JWT_EXPIRATION_DELTA`, `accessTokenTtl`.
fn is_lifetime_name(name: &str) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let lifetime = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "expire"
                | "expires"
                | "expiry"
                | "expiration"
                | "exp"
                | "lifetime"
                | "ttl"
                | "validity"
                | "duration"
        )
    });
    let token = has("access") || has("jwt") || has("token");
    lifetime
        && token
        && !words
            .iter()
            .any(|w| OTHER_TOKENS.contains(&w.as_str()) || w == "otp")
}

/// Seconds per unit named by a word of the name, if one is.
fn unit_of(name: &str, kind: FileKind) -> f64 {
    for word in words(name).iter().rev() {
        let unit = match word.as_str() {
            "ms" | "millis" | "milliseconds" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86400.0,
            "week" | "weeks" => 604_800.0,
            _ => continue,
        };
        return unit;
    }
    // Java's time APIs (`System.currentTimeMillis`, `new Date(long)`) count milliseconds.
    if kind == FileKind::Java { 0.001 } else { 1.0 }
}

/// True when `node` is in a statement or function about another kind of token.
fn other_token_context(doc: &Document, node: Node) -> bool {
    let statement = text(doc, enclosing_statement(node)).to_ascii_lowercase();
    let function = enclosing_function_name(doc, node)
        .map(words)
        .unwrap_or_default();
    OTHER_TOKENS[..9]
        .iter()
        .any(|w| statement.contains(w) || function.iter().any(|f| f == w))
}

/// The lifetime set at `node`, with where to report it, when `node` sets one.
fn lifetime_at<'t>(eval: &Eval, node: Node<'t>) -> Option<(Node<'t>, f64)> {
    let doc = eval.doc;
    // Ex) ACCESS_TOKEN_EXPIRE_MINUTES = 60, "ACCESS_TOKEN_LIFETIME": timedelta(hours=1)
    if let Some((name, value)) = named_value(doc, node) {
        if is_lifetime_name(&name) {
            let seconds = eval.value(value, 0)?.seconds(unit_of(&name, doc.kind))?;
            return Some((value, seconds));
        }
        // Ex) jwt.sign(p, key, { expiresIn: "1d" })
        if matches!(name.as_str(), "expiresIn" | "expires_in") && doc.kind != FileKind::Python {
            let seconds = match eval.value(value, 0)? {
                // A string without a unit is milliseconds to jsonwebtoken's `ms`.
                Quantity::Number(n) if eval.is_string(value) => n / 1000.0,
                q => q.seconds(1.0)?,
            };
            return (!other_token_context(doc, node)).then_some((value, seconds));
        }
        // Ex) "exp": datetime.utcnow() + timedelta(hours=1), ExpiresAt: ..Add(24 * time.Hour)
        if matches!(name.as_str(), "exp" | "ExpiresAt") {
            let seconds = exp_delta(eval, value)?;
            return (!other_token_context(doc, node)).then_some((value, seconds));
        }
        return None;
    }
    let (_, callee, args) = call_parts(doc, node)?;
    let first = named_children(args).into_iter().next()?;
    let seconds = match callee {
        // jose: a number here is an absolute time, only a string is a duration.
        "setExpirationTime" => eval.value(first, 0)?.seconds_if_duration()?,
        "setExpiration" | "expiration" | "withExpiresAt" => exp_delta(eval, first)?,
        _ => return None,
    };
    (!other_token_context(doc, node)).then_some((first, seconds))
}

/// A name and the value given to it: a binding, a dict or object entry, a keyword
/// argument (`expires_delta=` counts as named for the access token when the call is
/// `create_access_token`).
fn named_value<'t>(doc: &Document, node: Node<'t>) -> Option<(String, Node<'t>)> {
    if let (Some(name), Some(value)) = (assigned_name(doc, node), assigned_value(node)) {
        return Some((name.to_string(), value));
    }
    if let Some(pair) = pair_parts(doc, node) {
        return Some(pair);
    }
    if node.kind() == "keyword_argument" {
        let name = text(doc, node.child_by_field_name("name")?);
        let value = node.child_by_field_name("value")?;
        if name == "expires_delta" {
            let call = node.parent()?.parent()?;
            let (_, callee, _) = call_parts(doc, call)?;
            return callee
                .contains("access")
                .then(|| ("access_token_expires".to_string(), value));
        }
        return Some((name.to_string(), value));
    }
    None
}

/// The fixed delta in an expiry instant: the constant side of `now + delta`, the
/// argument of Go's `.Add(..)`, Java's `plus*(..)`.
fn exp_delta(eval: &Eval, value: Node) -> Option<f64> {
    let doc = eval.doc;
    // `"exp": expires` with `expires = now() + timedelta(..)` bound earlier (a few
    // names deep at most: `a = b; b = a` must end).
    let mut value = value;
    for _ in 0..4 {
        if !matches!(value.kind(), "identifier" | "simple_identifier") {
            break;
        }
        match eval.constants.get(text(doc, value)) {
            Some(bound) if *bound != value => value = *bound,
            _ => break,
        }
    }
    let mut found = None;
    walk(value, |n| {
        if found.is_some() {
            return;
        }
        if let Some((left, "+", right)) = binary_parts(doc, n) {
            let unit = if doc.kind == FileKind::Java {
                0.001
            } else {
                1.0
            };
            found = [right, left]
                .into_iter()
                .find_map(|side| eval.value(side, 0)?.seconds(unit));
            return;
        }
        let Some((_, callee, args)) = call_parts(doc, n) else {
            return;
        };
        let args = named_children(args);
        let first = args.first().and_then(|a| eval.value(*a, 0));
        found = match (callee, first) {
            // Go: a bare number is nanoseconds, never what anyone means here.
            ("Add" | "plus", Some(Quantity::Seconds(s))) => Some(s),
            ("plus", Some(Quantity::Number(n))) => args
                .get(1)
                .and_then(|u| chrono_unit(text(doc, *u)))
                .map(|unit| n * unit),
            ("plusMillis", Some(q)) => q.seconds(0.001),
            ("plusSeconds", Some(q)) => q.seconds(1.0),
            ("plusMinutes", Some(q)) => q.seconds(60.0),
            ("plusHours", Some(q)) => q.seconds(3600.0),
            ("plusDays", Some(q)) => q.seconds(86400.0),
            _ => None,
        };
    });
    found
}

fn chrono_unit(text: &str) -> Option<f64> {
    match text.rsplit('.').next()? {
        "MILLIS" => Some(0.001),
        "SECONDS" => Some(1.0),
        "MINUTES" => Some(60.0),
        "HOURS" => Some(3600.0),
        "DAYS" => Some(86400.0),
        _ => None,
    }
}

/// A value read from the code: a plain number (its unit given by where it is used) or
/// a duration in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    Number(f64),
    Seconds(f64),
}

impl Quantity {
    fn seconds(self, unit: f64) -> Option<f64> {
        match self {
            Quantity::Number(n) => Some(n * unit),
            Quantity::Seconds(s) => Some(s),
        }
    }

    fn seconds_if_duration(self) -> Option<f64> {
        match self {
            Quantity::Seconds(s) => Some(s),
            Quantity::Number(_) => None,
        }
    }
}

/// Constants of the file: the first binding of each name.
fn constants<'t>(doc: &Document, nodes: &[Node<'t>]) -> HashMap<String, Node<'t>> {
    let mut out = HashMap::new();
    for node in nodes {
        if let (Some(name), Some(value)) = (assigned_name(doc, *node), assigned_value(*node)) {
            out.entry(name.to_string()).or_insert(value);
        }
    }
    out
}

struct Eval<'d, 'a, 't> {
    doc: &'d Document<'a>,
    constants: HashMap<String, Node<'t>>,
}

impl Eval<'_, '_, '_> {
    /// True when `node` is a string literal, or a constant of the file bound to one.
    fn is_string(&self, node: Node) -> bool {
        let mut node = node;
        for _ in 0..8 {
            if string_value(self.doc, node).is_some() {
                return true;
            }
            match self.constants.get(text(self.doc, node)) {
                Some(bound) if node.kind() == "identifier" => node = *bound,
                _ => return false,
            }
        }
        false
    }

    /// What `node` evaluates to, when the code fixes it.
    fn value(&self, node: Node, depth: usize) -> Option<Quantity> {
        if depth > 8 {
            return None;
        }
        let doc = self.doc;
        if let Some(n) = number_value(doc, node) {
            return Some(Quantity::Number(n));
        }
        if let Some(s) = string_value(doc, node) {
            return parse_duration(&s);
        }
        if let Some((left, op, right)) = binary_parts(doc, node) {
            return self.binary(left, op, right, depth);
        }
        match node.kind() {
            "parenthesized_expression" => self.value(node.named_child(0)?, depth + 1),
            "identifier" => {
                let name = text(doc, node);
                // A lifetime constant is judged where it is bound, not again where used.
                if is_lifetime_name(name) {
                    return None;
                }
                self.value(*self.constants.get(name)?, depth + 1)
            }
            // Go `time.Hour`, Java `ChronoUnit.HOURS` is read by its caller.
            "selector_expression" => {
                let operand = text(doc, node.child_by_field_name("operand")?);
                let field = text(doc, node.child_by_field_name("field")?);
                let seconds = match (operand, field) {
                    ("time", "Millisecond") => 0.001,
                    ("time", "Second") => 1.0,
                    ("time", "Minute") => 60.0,
                    ("time", "Hour") => 3600.0,
                    _ => return None,
                };
                Some(Quantity::Seconds(seconds))
            }
            _ => self.call(node, depth),
        }
    }

    fn binary(&self, left: Node, op: &str, right: Node, depth: usize) -> Option<Quantity> {
        // Ex) os.environ.get("TTL") or 3600, process.env.TTL ?? "1h"
        if matches!(op, "or" | "||" | "??") {
            return self.value(right, depth + 1);
        }
        let (l, r) = (self.value(left, depth + 1)?, self.value(right, depth + 1)?);
        use Quantity::{Number as N, Seconds as S};
        match (op, l, r) {
            ("*", N(a), N(b)) => Some(N(a * b)),
            ("*", N(a), S(b)) | ("*", S(b), N(a)) => Some(S(a * b)),
            ("+", N(a), N(b)) => Some(N(a + b)),
            ("+", S(a), S(b)) => Some(S(a + b)),
            ("/", N(a), N(b)) if b != 0.0 => Some(N(a / b)),
            ("/", S(a), N(b)) if b != 0.0 => Some(S(a / b)),
            _ => None,
        }
    }

    fn call(&self, node: Node, depth: usize) -> Option<Quantity> {
        let doc = self.doc;
        let (receiver, callee, args) = call_parts(doc, node)?;
        let positional: Vec<Node> = named_children(args)
            .into_iter()
            .filter(|a| !matches!(a.kind(), "keyword_argument" | "comment"))
            .collect();
        let keywords: Vec<(&str, Node)> = named_children(args)
            .into_iter()
            .filter(|a| a.kind() == "keyword_argument")
            .filter_map(|a| {
                let name = text(doc, a.child_by_field_name("name")?);
                Some((name, a.child_by_field_name("value")?))
            })
            .collect();
        let keyword = |name: &str| keywords.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let first = || positional.first().and_then(|a| self.value(*a, depth + 1));
        match callee {
            "timedelta" => self.timedelta(&positional, &keywords, depth),
            // Ex) int(os.environ.get("TTL", "3600")), Number(..), time.Duration(15)
            "int" | "float" | "Number" | "parseInt" | "Duration" => first(),
            "ofMillis" | "ofSeconds" | "ofMinutes" | "ofHours" | "ofDays"
                if receiver.is_some_and(|r| text(doc, r) == "Duration") =>
            {
                let unit = match callee {
                    "ofMillis" => 0.001,
                    "ofSeconds" => 1.0,
                    "ofMinutes" => 60.0,
                    "ofHours" => 3600.0,
                    _ => 86400.0,
                };
                Some(Quantity::Seconds(first()?.seconds(unit)?))
            }
            // An environment lookup is judged by its literal default.
            "getenv" | "get" | "env" | "config" | "int_env" => {
                let default = keyword("default").or_else(|| positional.get(1).copied())?;
                self.value(default, depth + 1)
            }
            _ => None,
        }
    }

    fn timedelta(
        &self,
        positional: &[Node],
        keywords: &[(&str, Node)],
        depth: usize,
    ) -> Option<Quantity> {
        const POSITIONAL: [f64; 3] = [86400.0, 1.0, 0.000_001];
        const KEYWORDS: [(&str, f64); 7] = [
            ("weeks", 604_800.0),
            ("days", 86400.0),
            ("hours", 3600.0),
            ("minutes", 60.0),
            ("seconds", 1.0),
            ("milliseconds", 0.001),
            ("microseconds", 0.000_001),
        ];
        let mut total = 0.0;
        for (arg, unit) in positional.iter().zip(POSITIONAL) {
            total += self.value(*arg, depth + 1)?.seconds(unit)?;
        }
        for (name, unit) in KEYWORDS {
            if let Some((_, arg)) = keywords.iter().find(|(k, _)| *k == name) {
                total += self.value(*arg, depth + 1)?.seconds(unit)?;
            }
        }
        Some(Quantity::Seconds(total))
    }
}

/// A string as a number (`"3600"`) or as an `ms`-style duration (`"15m"`, `"1 day"`).
fn parse_duration(s: &str) -> Option<Quantity> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return Some(Quantity::Number(n));
    }
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = s.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "week" | "weeks" => 604_800.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
        _ => return None,
    };
    Some(Quantity::Seconds(number * unit))
}

/// `3600.0` → "1 hour", `5400.0` → "90 minutes".
fn human(seconds: f64) -> String {
    let plural = |n: f64, unit: &str| {
        let s = if n == 1.0 { "" } else { "s" };
        format!("{n} {unit}{s}")
    };
    if seconds >= 86400.0 && seconds % 86400.0 == 0.0 {
        plural(seconds / 86400.0, "day")
    } else if seconds >= 3600.0 && seconds % 3600.0 == 0.0 {
        plural(seconds / 3600.0, "hour")
    } else if seconds % 60.0 == 0.0 {
        plural(seconds / 60.0, "minute")
    } else {
        plural(seconds.round(), "second")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_wants_a_token_word_and_a_lifetime_word() {
        assert!(mentions_lifetime("ACCESS_TOKEN_EXPIRE_MINUTES = 60\n"));
        assert!(mentions_lifetime("jwt.encode({\"exp\": now})\n"));
        assert!(mentions_lifetime("jwttl = 5\n"));
        assert!(!mentions_lifetime("ACCESS_TOKEN = load()\n"));
        assert!(!mentions_lifetime(
            "cache_ttl = 60\nsession_expiry = 3600\n"
        ));
    }

    fn lines(path: &str, kind: FileKind, src: &str) -> Vec<usize> {
        let doc = Document::new(path, kind, src);
        let mut out = Findings::default();
        LongLivedAccessToken.check(&doc, &mut out);
        out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect()
    }

    #[test]
    fn reads_ms_style_durations() {
        assert_eq!(parse_duration("1d"), Some(Quantity::Seconds(86400.0)));
        assert_eq!(parse_duration("15m"), Some(Quantity::Seconds(900.0)));
        assert_eq!(parse_duration("2 hours"), Some(Quantity::Seconds(7200.0)));
        assert_eq!(parse_duration("3600"), Some(Quantity::Number(3600.0)));
        assert_eq!(parse_duration("soon"), None);
    }

    #[test]
    fn names_the_lifetime_of_access_tokens_only() {
        assert!(is_lifetime_name("ACCESS_TOKEN_EXPIRE_MINUTES"));
        assert!(is_lifetime_name("JWT_ACCESS_TOKEN_EXPIRES"));
        assert!(is_lifetime_name("accessTokenTtl"));
        assert!(!is_lifetime_name("REFRESH_TOKEN_LIFETIME"));
        assert!(!is_lifetime_name("PASSWORD_RESET_TOKEN_EXPIRE_HOURS"));
        assert!(!is_lifetime_name("SESSION_COOKIE_AGE"));
    }

    #[test]
    fn env_default_is_judged() {
        let src = "ACCESS_TOKEN_EXPIRE_MINUTES = int(os.getenv(\"X\", \"60\"))\nACCESS_TOKEN_EXPIRE_MINUTES_B = int(os.getenv(\"X\", \"10\"))\n";
        assert_eq!(lines("app/config.py", FileKind::Python, src), [1]);
    }

    #[test]
    fn says_the_lifetime_in_words() {
        assert_eq!(human(3600.0), "1 hour");
        assert_eq!(human(5400.0), "90 minutes");
        assert_eq!(human(172_800.0), "2 days");
    }
}
