//! A small Dockerfile parser that keeps byte positions.
//!
//! Our own rather than the `dockerfile-parser` crate: that crate (0.9, pest-based) rejects
//! heredocs (`RUN <<EOF`) and the `# escape=` directive, and a parse error there loses the
//! whole file. Here every instruction is parsed on its own, so one bad line is a warning
//! and the rest of the file is still checked.
//!
//! What it understands: parser directives (`# syntax=`, `# escape=`), line continuations
//! (with comment and blank lines inside them), heredocs on `RUN`/`COPY`/`ADD`, lower-case
//! keywords, CRLF line endings, and flags such as `--platform=`. Arguments are kept as
//! text; the rules read what they need (`FROM`, `USER`, `ARG`, `ENV`).

use std::collections::HashMap;
use std::ops::Range;

/// Every instruction keyword BuildKit accepts.
const KEYWORDS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Stands for the value of a variable that is only known at build time, in the result of
/// [`expand`].
pub const UNKNOWN: &str = "\u{0}";

/// A parsed Dockerfile.
#[derive(Debug, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    /// Problems found while parsing: (1-based line, message).
    pub errors: Vec<(usize, String)>,
}

/// One instruction, with its continuation lines joined.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// Upper-cased keyword (`FROM`, `USER`, ...).
    pub keyword: String,
    /// 1-based line of the keyword.
    pub line: usize,
    /// Bytes of the whole instruction, continuation lines included, heredoc bodies not.
    pub range: Range<usize>,
    /// The arguments after the keyword: continuations joined with a space, comment lines
    /// inside the continuation dropped, surrounding whitespace trimmed.
    pub args: String,
    /// Bytes of each heredoc body (`RUN <<EOF` .. `EOF`, the closing word excluded), in
    /// order.
    pub heredocs: Vec<Range<usize>>,
}

impl Instruction {
    /// Leading `--name=value` / `--name` flags, and the arguments after them.
    pub fn split_flags(&self) -> (Vec<&str>, &str) {
        let mut rest = self.args.as_str();
        let mut flags = Vec::new();
        while rest.starts_with("--") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            flags.push(&rest[..end]);
            rest = rest[end..].trim_start();
        }
        (flags, rest)
    }
}

/// A build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug)]
pub struct Stage<'a> {
    pub from: &'a Instruction,
    /// The image reference as written (variables not expanded).
    pub image: &'a str,
    /// The `AS name`, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    pub body: &'a [Instruction],
}

impl Dockerfile {
    /// The `ARG`s declared before the first `FROM`, usable in every `FROM`: name to
    /// default (`None`: declared without one).
    pub fn global_args(&self) -> HashMap<String, Option<String>> {
        let mut vars = HashMap::new();
        for inst in self.preamble().iter().filter(|i| i.keyword == "ARG") {
            for (name, value) in assignments(inst) {
                let value = value.map(|v| expand(&v, &vars, UNKNOWN));
                vars.insert(name, value);
            }
        }
        vars
    }

    /// Instructions before the first `FROM` (global `ARG`s).
    pub fn preamble(&self) -> &[Instruction] {
        let first = self
            .instructions
            .iter()
            .position(|i| i.keyword == "FROM")
            .unwrap_or(self.instructions.len());
        self.instructions.get(..first).unwrap_or(&[])
    }

    /// The build stages in order.
    pub fn stages(&self) -> Vec<Stage<'_>> {
        let mut starts: Vec<usize> = self
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "FROM")
            .map(|(n, _)| n)
            .collect();
        starts.push(self.instructions.len());
        starts
            .windows(2)
            .filter_map(|w| {
                let from = self.instructions.get(w[0])?;
                let body = self.instructions.get(w[0] + 1..w[1])?;
                let (_, rest) = from.split_flags();
                let mut words = rest.split_whitespace();
                let image = words.next().unwrap_or("");
                let name = match (words.next(), words.next()) {
                    (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                Some(Stage {
                    from,
                    image,
                    name,
                    body,
                })
            })
            .collect()
    }
}

/// `NAME=value` pairs (or a bare `NAME`, value `None`) of an `ARG` or `ENV` instruction.
/// The legacy `ENV NAME value` form is one pair. Quotes around values are removed.
pub fn assignments(inst: &Instruction) -> Vec<(String, Option<String>)> {
    let args = inst.args.trim();
    if inst.keyword == "ENV" && !args.split_whitespace().next().unwrap_or("").contains('=') {
        // Ex) ENV PATH /usr/local/bin
        return match args.split_once(char::is_whitespace) {
            Some((name, value)) => vec![(name.to_string(), Some(unquote(value.trim())))],
            None => vec![(args.to_string(), None)],
        };
    }
    split_words(args)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(unquote(value))),
            None => (w, None),
        })
        .collect()
}

/// Splits on whitespace outside quotes, keeping the quotes.
fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in s.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (Some(q), _) if c == q => {
                quote = None;
                cur.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    s.to_string()
}

/// Expands `$X`, `${X}`, `${X:-default}`, `${X-default}`, `${X:+alt}` and `${X+alt}` with
/// `vars`. A variable mapped to `None` is declared without a value (set only at build time)
/// and makes the result unknown there: its expansion is replaced by `unknown`. Undeclared
/// variables expand to the empty string, as in Docker.
pub fn expand(text: &str, vars: &HashMap<String, Option<String>>, unknown: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let Some(close) = body.find('}') else {
                out.push_str(&rest[at..]);
                return out;
            };
            out.push_str(&expand_braced(&body[..close], vars, unknown));
            rest = &body[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(&lookup(&after[..len], vars, unknown));
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

fn expand_braced(body: &str, vars: &HashMap<String, Option<String>>, unknown: &str) -> String {
    // The operator follows the name directly: `${NAME:-word}`, never inside the word.
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (name, rest) = body.split_at(name_len);
    let op = [":-", ":+", ":?", "-", "+", "?"]
        .into_iter()
        .find(|op| rest.starts_with(op));
    let Some(op) = op else {
        return lookup(name, vars, unknown);
    };
    let word = &rest[op.len()..];
    let value = vars.get(name);
    let set = matches!(value, Some(Some(v)) if !(op.starts_with(':') && v.is_empty()));
    let known = !matches!(value, Some(None));
    match (op, known, set) {
        // `${X:?message}` fails the build when X is unset: the value, when there is one.
        (":?" | "?", _, _) => lookup(name, vars, unknown),
        // Declared without a value: the default is what a build without `--build-arg`
        // gets, so it is what we judge.
        (":-" | "-", false, _) => word.to_string(),
        (":-" | "-", true, true) => lookup(name, vars, unknown),
        (":-" | "-", true, false) => word.to_string(),
        // Only known at build time: whether the alternative applies is unknown too.
        (_, false, _) => unknown.to_string(),
        (_, true, true) => word.to_string(),
        (_, true, false) => String::new(),
    }
}

fn lookup(name: &str, vars: &HashMap<String, Option<String>>, unknown: &str) -> String {
    match vars.get(name) {
        Some(Some(v)) => v.clone(),
        Some(None) => unknown.to_string(),
        None => String::new(),
    }
}

/// Parses `text`. Never fails: problems go to [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    Parser::new(text).run()
}

/// A physical line: its bytes without the line ending.
struct Line<'a> {
    start: usize,
    text: &'a str,
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    next: usize,
    escape: char,
    out: Dockerfile,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let body = raw.trim_end_matches('\n').trim_end_matches('\r');
            lines.push(Line { start, text: body });
            start += raw.len();
        }
        if let Some(first) = lines.first_mut()
            && let Some(rest) = first.text.strip_prefix('\u{feff}')
        {
            first.start += '\u{feff}'.len_utf8();
            first.text = rest;
        }
        Parser {
            lines,
            next: 0,
            escape: '\\',
            out: Dockerfile::default(),
        }
    }

    fn run(mut self) -> Dockerfile {
        self.directives();
        while let Some(line) = self.lines.get(self.next) {
            let trimmed = line.text.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                self.next += 1;
                continue;
            }
            self.instruction();
        }
        self.out
    }

    /// Parser directives: `# name=value` lines at the very top, before any comment,
    /// blank line or instruction.
    fn directives(&mut self) {
        while let Some(line) = self.lines.get(self.next) {
            let Some(body) = line.text.trim().strip_prefix('#') else {
                return;
            };
            let Some((name, value)) = body.split_once('=') else {
                return;
            };
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return;
            }
            if name == "escape" {
                match value.trim() {
                    "`" => self.escape = '`',
                    "\\" => self.escape = '\\',
                    other => self.error(
                        self.next + 1,
                        format!(
                            "invalid escape directive `{}`",
                            crate::fingerprint::excerpt(other)
                        ),
                    ),
                }
            }
            self.next += 1;
        }
    }

    /// One instruction starting at `self.next`, with its continuation lines and heredocs.
    fn instruction(&mut self) {
        let first = self.next;
        let Some(line) = self.lines.get(first) else {
            return;
        };
        let start = line.start + (line.text.len() - line.text.trim_start().len());
        let mut end = line.start + line.text.len();
        let mut joined = String::new();
        let mut current = line.text.trim_start();
        self.next += 1;
        loop {
            let body = current.trim_end();
            match body.strip_suffix(self.escape) {
                Some(head) => joined.push_str(head),
                None => {
                    joined.push_str(body);
                    break;
                }
            }
            joined.push(' ');
            // Comment lines and blank lines inside a continuation are skipped.
            let mut continued = false;
            while let Some(next) = self.lines.get(self.next) {
                self.next += 1;
                let t = next.text.trim_start();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                current = next.text;
                end = next.start + next.text.len();
                continued = true;
                break;
            }
            if !continued {
                self.error(first + 1, "line continuation at the end of the file");
                break;
            }
        }

        let (word, args) = match joined.trim().split_once(char::is_whitespace) {
            Some((w, a)) => (w.to_string(), a.trim().to_string()),
            None => (joined.trim().to_string(), String::new()),
        };
        let keyword = word.to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            // The word is not echoed in full: a stray line may be a credential.
            let shown = crate::fingerprint::excerpt(&word);
            self.error(first + 1, format!("unknown instruction `{shown}`"));
            return;
        }
        let heredocs = if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            self.skip_heredocs(first + 1, &args)
        } else {
            Vec::new()
        };
        self.out.instructions.push(Instruction {
            keyword,
            line: first + 1,
            range: start..end,
            args,
            heredocs,
        });
    }

    /// Skips the bodies of the heredocs (`<<EOF`, `<<-"EOF"`) that `args` opens; returns
    /// their byte ranges.
    fn skip_heredocs(&mut self, line: usize, args: &str) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        for (strip_tabs, word) in heredoc_words(args) {
            let mut closed = false;
            let mut range: Option<Range<usize>> = None;
            while let Some(body) = self.lines.get(self.next) {
                self.next += 1;
                let t = if strip_tabs {
                    body.text.trim_start_matches('\t')
                } else {
                    body.text
                };
                if t == word {
                    closed = true;
                    break;
                }
                let end = body.start + body.text.len();
                range = Some(range.map_or(body.start..end, |r| r.start..end));
            }
            ranges.extend(range);
            if !closed {
                let shown = crate::fingerprint::excerpt(&word);
                self.error(line, format!("heredoc `{shown}` is never closed"));
                return ranges;
            }
        }
        ranges
    }

    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.out.errors.push((line, message.into()));
    }
}

/// The heredoc delimiters an instruction's arguments open, in order: (`<<-`, word).
fn heredoc_words(args: &str) -> Vec<(bool, String)> {
    let mut words = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        let mut after = &rest[at + 2..];
        // `<<<` is a shell here-string, not a heredoc.
        if after.starts_with('<') {
            rest = after.trim_start_matches('<');
            continue;
        }
        let strip_tabs = after.starts_with('-');
        after = after.trim_start_matches('-');
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        if let Some(q) = quote {
            after = &after[1..];
            let len = after.find(q).unwrap_or(0);
            if len > 0 {
                words.push((strip_tabs, after[..len].to_string()));
            }
            rest = &after[len..];
            continue;
        }
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let starts_word = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if len > 0 && starts_word {
            words.push((strip_tabs, after[..len].to_string()));
        }
        rest = &after[len..];
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(d: &Dockerfile) -> Vec<(&str, usize)> {
        d.instructions
            .iter()
            .map(|i| (i.keyword.as_str(), i.line))
            .collect()
    }

    #[test]
    fn continuation_lines_join_and_keep_the_first_line() {
        let d = parse("FROM alpine:3.19\nRUN apk add \\\n  # a comment\n\n  curl\nUSER app\n");
        assert_eq!(keywords(&d), [("FROM", 1), ("RUN", 2), ("USER", 6)]);
        assert_eq!(d.instructions[1].args, "apk add    curl");
        assert!(d.errors.is_empty());
    }

    #[test]
    fn heredoc_bodies_are_not_instructions() {
        let text = "# syntax=docker/dockerfile:1\nFROM alpine:3.19\nRUN <<EOF\nUSER root\nEOF\n\
                    COPY <<-'CONF' /etc/x\n\tFROM nothing\n\tCONF\nUSER app\n";
        let d = parse(text);
        assert_eq!(
            keywords(&d),
            [("FROM", 2), ("RUN", 3), ("COPY", 6), ("USER", 9)]
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
    }

    #[test]
    fn two_heredocs_on_one_line() {
        let text = "FROM a:1\nCOPY <<A <<\"B\" /dst/\none\nA\ntwo\nthree\nB\nUSER app\n";
        let d = parse(text);
        assert_eq!(keywords(&d), [("FROM", 1), ("COPY", 2), ("USER", 8)]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let bodies: Vec<&str> = d.instructions[1]
            .heredocs
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(bodies, ["one", "two\nthree"]);
    }

    #[test]
    fn here_string_is_not_a_heredoc() {
        let d = parse("FROM a:1\nRUN cat <<< \"x\"\nUSER app\n");
        assert_eq!(keywords(&d), [("FROM", 1), ("RUN", 2), ("USER", 3)]);
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let d = parse(
            "# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir c:\\ `\n  /s\nUSER app\n",
        );
        assert_eq!(keywords(&d), [("FROM", 2), ("RUN", 3), ("USER", 5)]);
        assert_eq!(d.instructions[1].args, "dir c:\\    /s");
    }

    #[test]
    fn crlf_lower_case_and_platform_flags() {
        let d = parse(
            "from --platform=$BUILDPLATFORM golang:1.22 as Build\r\nrun go \\\r\n build\r\nuser 10001\r\n",
        );
        assert_eq!(keywords(&d), [("FROM", 1), ("RUN", 2), ("USER", 4)]);
        let stages = d.stages();
        assert_eq!(stages[0].image, "golang:1.22");
        assert_eq!(stages[0].name.as_deref(), Some("build"));
        assert_eq!(d.instructions[2].args, "10001");
        assert!(!d.instructions[1].args.contains('\r'));
    }

    #[test]
    fn json_form_is_kept_as_text() {
        let d = parse("FROM a:1\nCMD [\"python\", \"app.py\"]\n");
        assert_eq!(d.instructions[1].args, "[\"python\", \"app.py\"]");
    }

    #[test]
    fn malformed_lines_are_errors_and_parsing_goes_on() {
        let d = parse("FROM a:1\nthis is not an instruction\nRUN <<EOF\necho\n");
        assert_eq!(keywords(&d), [("FROM", 1), ("RUN", 3)]);
        assert_eq!(d.errors.len(), 2);
        assert_eq!(d.errors[0].0, 2);
        let d = parse("FROM a:1\nRUN echo \\");
        assert_eq!(d.errors.len(), 1);
    }

    #[test]
    fn errors_quote_at_most_four_characters_of_the_line() {
        // Assembled at run time so the source holds no token-shaped literal.
        let token = format!("ghp_{}", "x1Y2".repeat(9));
        let d = parse(&format!(
            "# escape={token}\nFROM a:1\n{token} run\nRUN <<{token}\n"
        ));
        assert_eq!(d.errors.len(), 3, "{:?}", d.errors);
        for (_, message) in &d.errors {
            assert!(!message.contains("ghp_x"), "{message}");
            assert!(message.contains("`ghp_…`"), "{message}");
        }
    }

    #[test]
    fn positions_are_byte_ranges() {
        let text = "FROM a:1\n  USER app\n";
        let d = parse(text);
        assert_eq!(&text[d.instructions[1].range.clone()], "USER app");
    }

    #[test]
    fn variables_expand_with_defaults() {
        let vars: HashMap<String, Option<String>> = [
            ("TAG".to_string(), Some("3.12".to_string())),
            ("EMPTY".to_string(), Some(String::new())),
            ("LATER".to_string(), None),
        ]
        .into_iter()
        .collect();
        let ex = |s: &str| expand(s, &vars, "\u{0}");
        assert_eq!(ex("python:${TAG}-slim"), "python:3.12-slim");
        assert_eq!(ex("python:$TAG"), "python:3.12");
        assert_eq!(ex("a:${NOPE:-1.0}"), "a:1.0");
        assert_eq!(ex("a:${EMPTY:-1.0}"), "a:1.0");
        assert_eq!(ex("a:${EMPTY-1.0}"), "a:");
        assert_eq!(ex("a${NOPE}"), "a");
        assert_eq!(ex("${LATER}/a"), "\u{0}/a");
        assert_eq!(ex("${LATER:-0}"), "0");
        assert_eq!(ex("${LATER:+x}"), "\u{0}");
        assert_eq!(ex("a:${TAG:+x}"), "a:x");
        assert_eq!(ex("a:${TAG:?tag-required}"), "a:3.12");
        assert_eq!(ex("a:${NOPE:-1-rc}"), "a:1-rc");
    }

    #[test]
    fn arg_and_env_assignments() {
        let d = parse("ARG A=1 B=\"two words\" C\nENV PATH /usr/bin:/bin\n");
        assert_eq!(
            assignments(&d.instructions[0]),
            [
                ("A".to_string(), Some("1".to_string())),
                ("B".to_string(), Some("two words".to_string())),
                ("C".to_string(), None)
            ]
        );
        assert_eq!(
            assignments(&d.instructions[1]),
            [("PATH".to_string(), Some("/usr/bin:/bin".to_string()))]
        );
    }
}
