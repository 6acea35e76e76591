//! Inline suppressions: `smartedu-lint: ignore[rule-id]` in a comment on the finding's line
//! or the line above, and the peers' markers where they mean the same thing.
//!
//! With `--report-unused-ignores` (rule `meta/unused-ignore`), our own markers that
//! suppressed nothing are findings themselves, as ruff's RUF100 does for `noqa`. The peers'
//! markers (`nosec`, `gitleaks:allow`, `hadolint ignore=`) are never judged: the peer tools
//! read them too, and one may need a marker that we have no use for.

use std::collections::HashSet;
use std::ops::Range;

use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::RuleMeta;

/// The rule under which unused markers and baseline entries are reported.
pub const UNUSED_IGNORE: &str = "meta/unused-ignore";

/// One use of a marker: the line it sits on, and the entry of its `ignore[...]` list that
/// named the rule (`None` for a bare `ignore` or a peer's marker).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Use {
    pub line: usize,
    pub entry: Option<String>,
}

/// True when a comment on `line` or the line above suppresses `meta`'s rule.
pub fn is_suppressed(doc: &Document, line: usize, meta: Option<&RuleMeta>, rule_id: &str) -> bool {
    suppressed_by(doc, line, meta, rule_id).is_some()
}

/// The marker that suppresses `meta`'s rule on `line`: on that line, else on the line
/// above.
pub fn suppressed_by(
    doc: &Document,
    line: usize,
    meta: Option<&RuleMeta>,
    rule_id: &str,
) -> Option<Use> {
    if let Some(found) = suppressed_on(doc, line, meta, rule_id) {
        return Some(found);
    }
    if line <= 1 {
        return None;
    }
    let above = doc.line_text(line - 1);
    // The line above counts only when it is a comment of its own.
    if !is_comment_line(above) {
        return None;
    }
    suppressed_on(doc, line - 1, meta, rule_id)
}

/// The marker on `line` itself that suppresses `meta`'s rule.
pub fn suppressed_on(
    doc: &Document,
    line: usize,
    meta: Option<&RuleMeta>,
    rule_id: &str,
) -> Option<Use> {
    let text = doc.line_text(line);
    let entry = marker_suppresses(text, meta, rule_id)?;
    // A "comment" on a line inside a string that spans lines is the string's text.
    let comment = comment_part(text).map_or(0, |c| text.len() - c.len());
    if in_long_string(doc, doc.line_start(line) + comment) {
        return None;
    }
    Some(Use { line, entry })
}

/// True when byte `at` of `doc` lies inside a string literal of its source code (a
/// Python triple-quoted string, a JavaScript template, a Go raw string, a Java text
/// block, a Rust string). Only code is lexed; other kinds answer false.
/// TODO: YAML block scalars and TOML multi-line strings are not lexed; JavaScript
/// `${...}` inside a template is read as template text.
fn in_long_string(doc: &Document, at: usize) -> bool {
    string_ranges(doc)
        .iter()
        .any(|r| r.start < at && at < r.end)
}

/// The string literals of a code document (cached), from the opening to the closing quote.
fn string_ranges<'d>(doc: &'d Document) -> &'d [Range<usize>] {
    doc.cache
        .strings
        .get_or_init(|| lex_strings(doc.text, doc.kind))
}

/// A small lexer: comments are skipped (quotes in them open nothing), strings recorded.
fn lex_strings(text: &str, kind: FileKind) -> Vec<Range<usize>> {
    let (hash_comments, slash_comments, apostrophe, backtick, triple) = match kind {
        FileKind::Python => (true, false, true, false, true),
        FileKind::JavaScript | FileKind::TypeScript => (false, true, true, true, false),
        FileKind::Go => (false, true, true, true, false),
        FileKind::Java => (false, true, true, false, true),
        // `'` also opens lifetimes in Rust, which no quote closes.
        FileKind::Rust => (false, true, false, false, false),
        _ => return Vec::new(),
    };
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let find = |from: usize, what: &[u8]| {
        b.get(from..)
            .and_then(|rest| rest.windows(what.len()).position(|w| w == what))
            .map_or(b.len(), |p| from + p + what.len())
    };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if (hash_comments && c == b'#') || (slash_comments && c == b'/' && next == Some(b'/')) {
            i = find(i, b"\n");
            continue;
        }
        if slash_comments && c == b'/' && next == Some(b'*') {
            i = find(i + 2, b"*/");
            continue;
        }
        if kind == FileKind::Rust && c == b'r' && matches!(next, Some(b'"' | b'#')) {
            let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
            let hashes = b[i + 1..].iter().take_while(|&&h| h == b'#').count();
            if !ident_before && b.get(i + 1 + hashes) == Some(&b'"') {
                let mut close = vec![b'"'];
                close.extend(std::iter::repeat_n(b'#', hashes));
                let end = find(i + 2 + hashes, &close);
                out.push(i..end);
                i = end;
                continue;
            }
        }
        let is_quote = c == b'"' || (apostrophe && c == b'\'') || (backtick && c == b'`');
        if !is_quote {
            i += 1;
            continue;
        }
        let start = i;
        if triple && b.get(i..i + 3).is_some_and(|t| t == [c, c, c]) {
            i += 3;
            while i < b.len() && !b[i..].starts_with(&[c, c, c]) {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 3).min(b.len());
            out.push(start..i);
            continue;
        }
        // A Go raw string has no escapes; other strings end at their line's end too,
        // except templates and Rust strings, which may span lines.
        let raw = kind == FileKind::Go && c == b'`';
        let spans_lines = c == b'`' || kind == FileKind::Rust;
        i += 1;
        while i < b.len() && b[i] != c {
            if b[i] == b'\n' && !spans_lines {
                break;
            }
            i += if b[i] == b'\\' && !raw { 2 } else { 1 };
        }
        i = (i + 1).min(b.len());
        out.push(start..i);
    }
    out
}

fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    // A block comment closed on the line with code after it (`/* marker */ call();`)
    // covers that code only, not the next line.
    for (open, close) in [("/*", "*/"), ("<!--", "-->")] {
        if let Some(body) = t.strip_prefix(open) {
            return body
                .find(close)
                .is_none_or(|end| body[end + close.len()..].trim().is_empty());
        }
    }
    ["#", "//", "*", "--", ";"].iter().any(|p| t.starts_with(p))
}

/// The comment part of a line: from the first comment opener that starts the line or
/// follows whitespace. Markers count only there, so a secret value that happens to contain
/// `nosec` suppresses nothing.
fn comment_part(line: &str) -> Option<&str> {
    const OPENERS: [&str; 6] = ["#", "//", "/*", "--", ";", "<!--"];
    line.char_indices().find_map(|(i, _)| {
        let after_space = line[..i]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let rest = &line[i..];
        (after_space && OPENERS.iter().any(|o| rest.starts_with(o))).then_some(rest)
    })
}

/// Where `word` stands in `text` as a whole word: preceded by the start, whitespace or a
/// comment character, and followed by the end or one of `follow`. Returns what follows it.
fn find_word<'t>(text: &'t str, word: &str, follow: &[char]) -> Option<&'t str> {
    text.match_indices(word).find_map(|(i, _)| {
        let before_ok = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "#/*-;!<".contains(c));
        let rest = &text[i + word.len()..];
        let after_ok = rest.chars().next().is_none_or(|c| follow.contains(&c));
        (before_ok && after_ok).then_some(rest)
    })
}

const SPACE: [char; 3] = [' ', '\t', '\r'];
const OWN: &str = "smartedu-lint:";

/// Our own marker in `comment`: `Some(None)` for a bare `ignore`, `Some(Some(list))` for
/// `ignore[list]`; with what follows the marker.
fn own_marker(comment: &str) -> Option<(Option<&str>, &str)> {
    let rest = find_word(comment, OWN, &[' ', '\t', 'i'])?.trim_start();
    let args = rest.strip_prefix("ignore")?;
    match args.trim_start().strip_prefix('[') {
        Some(list) => {
            let end = list.find(']').unwrap_or(list.len());
            let after = list.get(end + 1..).unwrap_or("");
            Some((Some(&list[..end]), after))
        }
        // A bare `ignore` covers every rule on the line; `ignored` is no marker.
        None if args.is_empty() || args.starts_with(SPACE) => Some((None, args)),
        None => None,
    }
}

/// Which marker in `line` suppresses the rule: `Some(Some(entry))` for the entry of our
/// `ignore[...]` list that names it, `Some(None)` for a bare `ignore` or a peer's marker.
fn marker_suppresses(line: &str, meta: Option<&RuleMeta>, rule_id: &str) -> Option<Option<String>> {
    let comment = comment_part(line)?;
    let names_rule = |id: &str| names(id, meta, rule_id);

    match own_marker(comment) {
        Some((Some(list), _)) => {
            if let Some(entry) = list.split(',').map(str::trim).find(|e| names_rule(e)) {
                return Some(Some(entry.to_string()));
            }
        }
        Some((None, _)) => return Some(None),
        None => {}
    }
    if rule_id.starts_with("secrets/") && find_word(comment, "gitleaks:allow", &SPACE).is_some() {
        return Some(None);
    }
    if let Some(list) =
        find_word(comment, "hadolint", &SPACE).and_then(|r| r.trim_start().strip_prefix("ignore="))
    {
        let list = list.split_whitespace().next().unwrap_or("");
        if list.split(',').map(str::trim).any(names_rule) {
            return Some(None);
        }
    }
    if let Some(rest) = find_word(comment, "nosec", &[' ', '\t', '\r', ':']) {
        // `# nosec` alone covers the line; `# nosec B608` only the named checks.
        let ids: Vec<&str> = rest
            .split(|c: char| c.is_whitespace() || c == ',' || c == ':')
            .filter(|s| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .collect();
        if ids.is_empty() || ids.into_iter().any(names_rule) {
            return Some(None);
        }
    }
    None
}

/// True when the marker entry `id` names `rule_id`: the id itself, one of its aliases, or
/// its family (`secrets/` or `secrets/*`).
fn names(id: &str, meta: Option<&RuleMeta>, rule_id: &str) -> bool {
    id == rule_id
        || meta.is_some_and(|m| m.aliases.iter().any(|a| a.eq_ignore_ascii_case(id)))
        || id
            .strip_suffix('*')
            .unwrap_or(id)
            .strip_suffix('/')
            .is_some_and(|family| rule_id.split('/').next() == Some(family))
}

/// True when the code before a comment opener leaves a string open, so that the "comment"
/// is string content: a linter's own tests quote markers. Conservative: an apostrophe in
/// a string (`"it's"`) also counts, and such a marker is then not judged.
fn in_string(code: &str, kind: FileKind) -> bool {
    let odd = |quote: char| code.matches(quote).count() % 2 == 1;
    // In Rust `'` also opens lifetimes (`&'a str`), which no string closes.
    odd('"') || (kind != FileKind::Rust && odd('\''))
}

/// Prose and examples (`.md`, `.rst`, `.adoc`, `.html`): markers there show how to write one.
pub(crate) fn is_documentation(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".adoc", ".html", ".htm"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// An unused marker or marker entry, ready to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused {
    /// The marker's text in the document, from `smartedu-lint:` to its closing `]`.
    pub bytes: Range<usize>,
    pub message: String,
}

/// Our markers in `doc` that suppressed nothing (`used` lists what did). Entries naming
/// only rules that are off (`enabled` says which are on) cannot be judged and are left
/// alone; entries naming no rule at all are reported. A bare `ignore` covers every rule, so
/// it is judged only when `judge_bare` (every rule that runs by default ran). A marker whose
/// list names `meta/unused-ignore` itself is kept as it is.
pub fn unused_markers(
    doc: &Document,
    used: &HashSet<Use>,
    enabled: &dyn Fn(&str) -> bool,
    judge_bare: bool,
) -> Vec<Unused> {
    // Most files hold no marker: one substring search decides. In documentation a marker
    // is an example of how to write one, not a suppression.
    if !doc.text.contains(OWN) || is_documentation(doc.path) {
        return Vec::new();
    }
    let metas = crate::rules::builtin_meta();
    let mut out = Vec::new();
    for line in 1..=doc.line_count() {
        let text = doc.line_text(line);
        let Some(comment) = comment_part(text) else {
            continue;
        };
        let Some((list, after)) = own_marker(comment) else {
            continue;
        };
        if in_string(&text[..text.len() - comment.len()], doc.kind) {
            continue;
        }
        let start = doc.line_start(line) + (text.len() - comment.len());
        if in_long_string(doc, start) {
            continue;
        }
        let start = start + comment.find(OWN).unwrap_or(0);
        let end = doc.line_start(line) + (text.len() - after.len());
        let bytes = start..end.max(start);
        let Some(list) = list else {
            if judge_bare && !used.contains(&Use { line, entry: None }) {
                out.push(Unused {
                    bytes,
                    message: "unused suppression: `smartedu-lint: ignore` suppresses nothing"
                        .into(),
                });
            }
            continue;
        };
        let entries: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.contains(&UNUSED_IGNORE) {
            continue;
        }
        let mut unused = Vec::new();
        let mut unknown = Vec::new();
        for entry in entries {
            let covered: Vec<&str> = metas
                .values()
                .filter(|m| names(entry, Some(m), &m.id))
                .map(|m| m.id.as_str())
                .collect();
            if covered.is_empty() {
                unknown.push(format!("`{entry}`"));
            } else if covered.iter().any(|id| enabled(id))
                && !used.contains(&Use {
                    line,
                    entry: Some(entry.to_string()),
                })
            {
                unused.push(format!("`{entry}`"));
            }
        }
        let mut parts = Vec::new();
        if !unused.is_empty() {
            parts.push(format!("unused suppression for {}", unused.join(", ")));
        }
        if !unknown.is_empty() {
            parts.push(format!("{} names no rule", unknown.join(", ")));
        }
        if !parts.is_empty() {
            out.push(Unused {
                bytes,
                message: parts.join("; "),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;

    fn suppressed(text: &str, line: usize, rule: &str) -> bool {
        let doc = Document::new("f", FileKind::Text, text);
        let meta = crate::rules::builtin_meta().get(rule);
        is_suppressed(&doc, line, meta, rule)
    }

    #[test]
    fn a_block_comment_before_code_covers_its_own_line_only() {
        let text = "/* smartedu-lint: ignore */ app.use(cors());\nconst k = 1;\n";
        assert!(suppressed(text, 1, "code/cors-wildcard"));
        assert!(!suppressed(text, 2, "secrets/aws-access-key"));
        let html = "<!-- smartedu-lint: ignore --> <b>x</b>\ny\n";
        assert!(!suppressed(html, 2, "secrets/aws-access-key"));
        // Alone on its line, a block comment covers the next line.
        let alone = "/* smartedu-lint: ignore */\nconst k = 1;\n";
        assert!(suppressed(alone, 2, "secrets/aws-access-key"));
    }

    #[test]
    fn named_rule_on_the_same_line() {
        assert!(suppressed(
            "USER root # smartedu-lint: ignore[docker/root-user]",
            1,
            "docker/root-user"
        ));
        assert!(!suppressed(
            "USER root # smartedu-lint: ignore[docker/unpinned-image]",
            1,
            "docker/root-user"
        ));
    }

    #[test]
    fn comment_on_the_line_above() {
        let text = "# smartedu-lint: ignore[docker/root-user, docker/unpinned-image]\nUSER root\n";
        assert!(suppressed(text, 2, "docker/root-user"));
        assert!(!suppressed(
            "x = 1 # smartedu-lint: ignore\nUSER root\n",
            2,
            "docker/root-user"
        ));
    }

    #[test]
    fn bare_ignore_and_family_prefix() {
        assert!(suppressed(
            "x # smartedu-lint: ignore",
            1,
            "code/debug-enabled"
        ));
        assert!(suppressed(
            "x # smartedu-lint: ignore[code/]",
            1,
            "code/debug-enabled"
        ));
        assert!(!suppressed(
            "x # smartedu-lint: ignore[docker/]",
            1,
            "code/debug-enabled"
        ));
    }

    #[test]
    fn markers_count_only_as_whole_words_in_comments() {
        let rule = "secrets/generic-password";
        assert!(!suppressed("db_password = \"nosecurity-Hx93kq\"", 1, rule));
        assert!(!suppressed(
            "t = \"ghp_x\"  # see docs/nosec-policy.md",
            1,
            rule
        ));
        assert!(!suppressed(
            "DEBUG = True  # TODO nosecurity",
            1,
            "code/debug-enabled"
        ));
        assert!(!suppressed(
            "x  # smartedu-lint: ignored? no",
            1,
            "code/debug-enabled"
        ));
        assert!(!suppressed("url = \"a#smartedu-lint: ignore\"", 1, rule));
        assert!(suppressed("x = 1  # nosec", 1, rule));
        assert!(suppressed("x = 1  #nosec", 1, rule));
        assert!(suppressed("x = 1  // smartedu-lint: ignore", 1, rule));
    }

    #[test]
    fn peers_markers() {
        assert!(suppressed(
            "k = 'v' # gitleaks:allow",
            1,
            "secrets/generic-password"
        ));
        assert!(!suppressed(
            "k = 'v' # gitleaks:allow",
            1,
            "code/debug-enabled"
        ));
        assert!(suppressed(
            "# hadolint ignore=DL3002\nUSER root",
            2,
            "docker/root-user"
        ));
        assert!(suppressed(
            "q = f'select {x}'  # nosec B608",
            1,
            "code/sql-string-building"
        ));
        assert!(!suppressed(
            "q = f'select {x}'  # nosec B201",
            1,
            "code/sql-string-building"
        ));
    }

    fn unused(text: &str, path: &str, kind: FileKind) -> Vec<usize> {
        let doc = Document::new(path, kind, text);
        unused_markers(&doc, &HashSet::new(), &|_| true, true)
            .iter()
            .map(|u| doc.line_of(u.bytes.start))
            .collect()
    }

    #[test]
    fn markers_inside_strings_that_span_lines_do_not_count() {
        let py = "s = \"\"\"\n# smartedu-lint: ignore\nDEBUG = True  # nosec\n\"\"\"\n\
                  x = 1  # smartedu-lint: ignore\n";
        assert_eq!(unused(py, "a.py", FileKind::Python), [5]);
        let doc = Document::new("a.py", FileKind::Python, py);
        let meta = crate::rules::builtin_meta().get("code/debug-enabled");
        assert!(!is_suppressed(&doc, 3, meta, "code/debug-enabled"));
        let js = "const t = `\n// smartedu-lint: ignore\n`; // a ` quote\nf(); // smartedu-lint: ignore\n";
        assert_eq!(unused(js, "a.js", FileKind::JavaScript), [4]);
        let go = "var q = `\n// smartedu-lint: ignore\n`\n";
        assert!(unused(go, "a.go", FileKind::Go).is_empty());
        let java = "String s = \"\"\"\n  // smartedu-lint: ignore\n  \"\"\";\n";
        assert!(unused(java, "A.java", FileKind::Java).is_empty());
        let rust = "let s = r#\"\n// smartedu-lint: ignore\n\"#;\nlet t = \"a\n// smartedu-lint: ignore\n\";\n";
        assert!(unused(rust, "a.rs", FileKind::Rust).is_empty());
    }

    #[test]
    fn quoted_markers_and_documentation_are_not_judged() {
        let text = "x = 1  # smartedu-lint: ignore\n\
                    t = \"y # smartedu-lint: ignore\"\n\
                    u = 'y # smartedu-lint: ignore'\n";
        assert_eq!(unused(text, "a.py", FileKind::Python), [1]);
        assert!(unused(text, "docs/a.md", FileKind::Text).is_empty());
        // A Rust lifetime is no open string.
        let rust = "fn f(x: &'static str) {} // smartedu-lint: ignore\n";
        assert_eq!(unused(rust, "a.rs", FileKind::Rust), [1]);
    }
}
