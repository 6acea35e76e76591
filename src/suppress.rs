//! Inline suppressions: `smartedu-lint: ignore[rule-id]` in a comment on the finding's line
//! or the line above, and the peers' markers where they mean the same thing.

use crate::document::Document;
use crate::rules::RuleMeta;

/// True when a comment on `line` or the line above suppresses `meta`'s rule.
pub fn is_suppressed(doc: &Document, line: usize, meta: Option<&RuleMeta>, rule_id: &str) -> bool {
    let same = doc.line_text(line);
    if marker_suppresses(same, meta, rule_id) {
        return true;
    }
    line > 1 && {
        let above = doc.line_text(line - 1);
        // The line above counts only when it is a comment of its own.
        is_comment_line(above) && marker_suppresses(above, meta, rule_id)
    }
}

fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    ["#", "//", "/*", "*", "--", ";", "<!--"]
        .iter()
        .any(|p| t.starts_with(p))
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
/// comment character, and followed by the end or one of `follow`.
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

fn marker_suppresses(line: &str, meta: Option<&RuleMeta>, rule_id: &str) -> bool {
    let Some(comment) = comment_part(line) else {
        return false;
    };
    let names_rule = |id: &str| {
        id == rule_id
            || meta.is_some_and(|m| m.aliases.iter().any(|a| a.eq_ignore_ascii_case(id)))
            // A family prefix (`secrets/` or `secrets/*`) covers its rules.
            || id
                .strip_suffix('*')
                .unwrap_or(id)
                .strip_suffix('/')
                .is_some_and(|family| rule_id.split('/').next() == Some(family))
    };
    const SPACE: [char; 3] = [' ', '\t', '\r'];

    if let Some(rest) = find_word(comment, "smartedu-lint:", &[' ', '\t', 'i']) {
        let rest = rest.trim_start();
        if let Some(args) = rest.strip_prefix("ignore") {
            let args = args.trim_start();
            match args.strip_prefix('[') {
                Some(list) => {
                    let list = list.split(']').next().unwrap_or("");
                    if list.split(',').map(str::trim).any(names_rule) {
                        return true;
                    }
                }
                // A bare `ignore` covers every rule on the line; `ignored` is no marker.
                None if rest.len() == "ignore".len()
                    || rest["ignore".len()..].starts_with(SPACE) =>
                {
                    return true;
                }
                None => {}
            }
        }
    }
    if rule_id.starts_with("secrets/") && find_word(comment, "gitleaks:allow", &SPACE).is_some() {
        return true;
    }
    if let Some(list) =
        find_word(comment, "hadolint", &SPACE).and_then(|r| r.trim_start().strip_prefix("ignore="))
    {
        let list = list.split_whitespace().next().unwrap_or("");
        if list.split(',').map(str::trim).any(names_rule) {
            return true;
        }
    }
    if let Some(rest) = find_word(comment, "nosec", &[' ', '\t', '\r', ':']) {
        // `# nosec` alone covers the line; `# nosec B608` only the named checks.
        let ids: Vec<&str> = rest
            .split(|c: char| c.is_whitespace() || c == ',' || c == ':')
            .filter(|s| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .collect();
        if ids.is_empty() || ids.into_iter().any(names_rule) {
            return true;
        }
    }
    false
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
}
