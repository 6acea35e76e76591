//! A source file as the rules see it: text, kind, line index, and parse results computed
//! at most once, on first use.

use std::cell::{OnceCell, RefCell};
use std::ops::Range;
use std::path::Path;

use crate::finding::{Snippet, Span};
use crate::kind::FileKind;

/// One file to check.
pub struct Document<'a> {
    /// Relative to the scan root, `/`-separated.
    pub path: &'a str,
    pub kind: FileKind,
    pub text: &'a str,
    line_starts: Vec<usize>,
    /// True when the text is all ASCII: a column is then a byte distance.
    ascii: bool,
    /// For text that is not all ASCII: how many characters start before each block of
    /// [`CHAR_BLOCK`] bytes, built on first use, so that a column costs a block's scan and
    /// not a scan from the line start (many findings on one long line were quadratic).
    char_index: OnceCell<Vec<usize>>,
    warnings: RefCell<Vec<String>>,
    /// The scanned folder `path` is relative to, when the file is in a working tree that
    /// is scanned as a folder: rules that read a neighbouring file (compose `extends:`)
    /// stay inside it. `None` for a single file given on the command line.
    root: Option<&'a Path>,
    pub(crate) cache: ParseCache,
}

/// Parse products, each filled on first request by the parser that owns it.
#[derive(Default)]
pub(crate) struct ParseCache {
    pub(crate) dockerfile: OnceCell<crate::parse::dockerfile::Dockerfile>,
    pub(crate) yaml: OnceCell<crate::parse::yaml::YamlFile>,
    pub(crate) nginx: OnceCell<crate::parse::nginx::NginxConf>,
    /// Python syntax tree (`crate::parse::python::tree`); `None` inside when the parser
    /// could not run.
    pub(crate) python: OnceCell<Option<tree_sitter::Tree>>,
    /// The bases of each compose service (`extends:`), see `rules::compose::extends`.
    pub(crate) compose_bases: OnceCell<crate::rules::compose::extends::BaseMap>,
    /// JavaScript/TypeScript/Go/Java syntax tree (`crate::parse::treesitter::tree`).
    pub(crate) tree: OnceCell<Option<tree_sitter::Tree>>,
    /// Rust syntax tree (`crate::parse::rust::file`).
    pub(crate) rust: OnceCell<Option<syn::File>>,
    /// String literals of code, where a marker is text (`crate::suppress`).
    pub(crate) strings: OnceCell<Vec<Range<usize>>>,
}

impl<'a> Document<'a> {
    pub fn new(path: &'a str, kind: FileKind, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Document {
            path,
            kind,
            text,
            line_starts,
            ascii: text.is_ascii(),
            char_index: OnceCell::new(),
            warnings: RefCell::new(Vec::new()),
            root: None,
            cache: ParseCache::default(),
        }
    }

    /// The same document, known to live under the scanned folder `root`.
    pub fn with_root(mut self, root: Option<&'a Path>) -> Self {
        self.root = root;
        self
    }

    /// The scanned folder `path` is relative to, if any (see the field).
    pub fn root(&self) -> Option<&'a Path> {
        self.root
    }

    /// 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Byte offset where 1-based `line` starts (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        let i = line.saturating_sub(1).min(self.line_starts.len() - 1);
        self.line_starts[i]
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based span of a byte range. Offsets inside a UTF-8 sequence are moved back to
    /// its start.
    pub fn span(&self, bytes: &Range<usize>) -> Span {
        let start = self.floor_char(bytes.start);
        let end = self.floor_char(bytes.end.max(bytes.start));
        let (line, column) = self.position(start);
        let (end_line, end_column) = self.position(end);
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// Byte range of a whole 1-based line, without its line ending.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_start(line);
        start..start + self.line_text(line).len()
    }

    /// Records a problem with the file itself (parse error and the like), logged once
    /// per file by the engine. `line` is 1-based; 0 when unknown.
    pub fn warn(&self, line: usize, message: impl Into<String>) {
        let place = if line > 0 {
            format!("{}:{line}", self.path)
        } else {
            self.path.to_string()
        };
        self.warnings
            .borrow_mut()
            .push(format!("{place}: {}", message.into()));
    }

    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.warnings.borrow_mut())
    }

    /// The lines a span covers, at most 5, with `masks` replaced by their redacted form.
    /// A line longer than [`MAX_SNIPPET_LINE`] characters is cut; only the part shown is
    /// built, so the cost does not grow with the line.
    pub fn snippet(&self, span: &Span, masks: &Masks) -> Snippet {
        let last = span.end_line.min(span.line + 4);
        let lines: Vec<Range<usize>> = (span.line..=last).map(|l| self.line_range(l)).collect();
        let long = |r: &Range<usize>| {
            r.len() > MAX_SNIPPET_LINE && self.chars_between(r.start, r.end) > MAX_SNIPPET_LINE
        };
        if !lines.iter().any(long) {
            let start = self.line_start(span.line);
            let end = lines.last().map_or(start, |r| r.end);
            return Snippet {
                first_line: span.line,
                first_column: 1,
                text: self.masked(start..end, masks),
            };
        }
        if span.line == span.end_line {
            let line = self.line_range(span.line);
            let first = span.column.saturating_sub(SNIPPET_CONTEXT).max(1);
            let last = span.end_column.max(span.column) + SNIPPET_CONTEXT;
            let take = (last - first).min(MAX_SNIPPET_LINE + 2 * SNIPPET_CONTEXT);
            let from = self.advance(line.start, first - 1).min(line.end);
            let to = self.advance(from, take).min(line.end);
            return Snippet {
                first_line: span.line,
                first_column: first,
                text: self.masked(from..to, masks),
            };
        }
        let cut: Vec<String> = lines
            .iter()
            .map(|r| {
                let to = self.advance(r.start, MAX_SNIPPET_LINE).min(r.end);
                self.masked(r.start..to, masks)
            })
            .collect();
        Snippet {
            first_line: span.line,
            first_column: 1,
            text: cut.join("\n"),
        }
    }

    /// The text of `range` with the parts that `masks` cover redacted: each character
    /// shown as the full redaction of its secret would show it, so a window that starts
    /// inside a secret shows only `*` for it.
    fn masked(&self, range: Range<usize>, masks: &Masks) -> String {
        let (start, end) = (self.floor_char(range.start), self.floor_char(range.end));
        let mut text = String::with_capacity(end.saturating_sub(start));
        let mut pos = start;
        for m in masks.overlapping(start..end) {
            let (ms, me) = (
                self.floor_char(m.start.max(pos)),
                self.floor_char(m.end.min(end)),
            );
            if ms < pos || me <= ms {
                continue;
            }
            text.push_str(&self.text[pos..ms]);
            let whole = self.floor_char(m.start);
            let len = self.chars_between(whole, m.end);
            let keep = crate::fingerprint::redact_keep(len);
            let before = self.chars_between(whole, ms);
            if len > LONG_SECRET {
                // A private key or certificate in one string (a JSON key file) would
                // fill the window with `*`: its start and an ellipsis say enough.
                // TODO: when the window starts before such a secret, a caret under a
                // finding after it on the same line is drawn too far right.
                let shown = self.text[whole..m.end]
                    .chars()
                    .take(keep)
                    .chain(std::iter::repeat_n('*', LONG_SECRET_STARS))
                    .chain(std::iter::once('\u{2026}'));
                if before == 0 {
                    text.extend(shown.take(self.chars_between(ms, me)));
                } else {
                    // A window that starts inside the secret shows `*` a character, as
                    // for any secret, so the finding after it keeps its columns.
                    text.extend(self.text[ms..me].chars().map(|_| '*'));
                }
            } else {
                for (i, c) in self.text[ms..me].chars().enumerate() {
                    text.push(if before + i < keep { c } else { '*' });
                }
            }
            pos = me;
        }
        text.push_str(&self.text[pos..end]);
        text
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = self.chars_between(start, offset) + 1;
        (line, column)
    }

    /// Characters in `text[from..to]` (both char boundaries).
    fn chars_between(&self, from: usize, to: usize) -> usize {
        self.chars_before(to)
            .saturating_sub(self.chars_before(from))
    }

    /// Characters that start before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if self.ascii {
            return offset;
        }
        let index = self.char_index();
        let block = offset / CHAR_BLOCK;
        let counted = index.get(block).copied().unwrap_or(0);
        counted + char_starts(&self.text.as_bytes()[block * CHAR_BLOCK..offset])
    }

    /// The byte offset `n` characters after byte `from` (the text's end if there are fewer).
    fn advance(&self, from: usize, n: usize) -> usize {
        if self.ascii {
            return from.saturating_add(n).min(self.text.len());
        }
        let target = self.chars_before(from) + n;
        let index = self.char_index();
        // The last block that starts with at most `target` characters before it.
        let block = index.partition_point(|&c| c <= target).saturating_sub(1);
        let mut count = index.get(block).copied().unwrap_or(0);
        let bytes = self.text.as_bytes();
        for (i, b) in bytes.iter().enumerate().skip(block * CHAR_BLOCK) {
            if !is_continuation(*b) {
                if count == target {
                    return i.max(from);
                }
                count += 1;
            }
        }
        self.text.len()
    }

    fn char_index(&self) -> &[usize] {
        self.char_index.get_or_init(|| {
            let mut counted = 0;
            let mut index = Vec::with_capacity(self.text.len() / CHAR_BLOCK + 1);
            for block in self.text.as_bytes().chunks(CHAR_BLOCK) {
                index.push(counted);
                counted += char_starts(block);
            }
            index.push(counted);
            index
        })
    }

    fn floor_char(&self, mut offset: usize) -> usize {
        offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Secrets longer than this many characters are shown in snippets as their first
/// characters, [`LONG_SECRET_STARS`] `*` and `…`, not one `*` a character.
const LONG_SECRET: usize = 64;
const LONG_SECRET_STARS: usize = 8;

/// Lines longer than this many characters are cut in snippets: a minified bundle's line
/// would otherwise fill the terminal (and show whatever else it holds).
const MAX_SNIPPET_LINE: usize = 240;
/// Characters kept on each side of a one-line finding in a cut line.
const SNIPPET_CONTEXT: usize = 60;

/// Bytes per block of `Document::char_index`.
const CHAR_BLOCK: usize = 256;

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Characters that start in `bytes`.
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| !is_continuation(**b)).count()
}

/// Byte ranges of a file's secrets, to be redacted wherever its text is shown: sorted and
/// merged where they overlap, so a snippet finds its few by binary search.
#[derive(Debug, Default, Clone)]
pub struct Masks(Vec<Range<usize>>);

impl Masks {
    pub fn new(mut ranges: Vec<Range<usize>>) -> Masks {
        ranges.retain(|r| r.start < r.end);
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        Masks(merged)
    }

    /// The masks that overlap `range`, in order.
    fn overlapping(&self, range: Range<usize>) -> &[Range<usize>] {
        let from = self.0.partition_point(|m| m.end <= range.start);
        let to = self.0.partition_point(|m| m.start < range.end);
        self.0.get(from..to.max(from)).unwrap_or(&[])
    }

    pub fn ranges(&self) -> &[Range<usize>] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document<'_> {
        Document::new("f", FileKind::Text, text)
    }

    #[test]
    fn spans_are_one_based_and_count_characters() {
        let d = doc("ab\néé x\n");
        let at = d.text.find('x').unwrap();
        let s = d.span(&(at..at + 1));
        assert_eq!((s.line, s.column, s.end_line, s.end_column), (2, 4, 2, 5));
    }

    #[test]
    fn line_text_strips_crlf() {
        let d = doc("one\r\ntwo");
        assert_eq!(d.line_text(1), "one");
        assert_eq!(d.line_text(2), "two");
        assert_eq!(d.line_count(), 2);
    }

    #[test]
    fn a_long_secret_is_shown_as_its_start_and_an_ellipsis() {
        let key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Vt2Lq9Zx".repeat(30);
        let text = format!("{{\"private_key\": \"{key}\", \"id\": 1}}\n");
        let d = doc(&text);
        let s = text.find(&key).unwrap();
        let span = d.span(&(s..s + key.len()));
        let snip = d.snippet(
            &span,
            &Masks::new(std::iter::once(s..s + key.len()).collect()),
        );
        assert!(snip.text.contains("MIIE********\u{2026}"), "{}", snip.text);
        assert!(!snip.text.contains("*********"), "{}", snip.text);
        assert!(snip.text.chars().count() < 140, "{}", snip.text);
        // A window that starts inside the secret shows only `*` for it.
        let after = key.clone() + &"x".repeat(300);
        let d = doc(&after);
        let span = d.span(&(key.len() + 10..key.len() + 20));
        let snip = d.snippet(&span, &Masks::new(std::iter::once(0..key.len()).collect()));
        assert!(snip.text.starts_with(&"*".repeat(50)), "{}", snip.text);
        assert!(!snip.text.contains("MIIE"), "{}", snip.text);
    }

    #[test]
    fn snippet_masks_secret() {
        // Assembled at run time so the source holds no key-shaped literal.
        let text = format!("key = \"AKIA{}\"\n", "ABCDEFGHIJKLMNOP");
        let d = doc(&text);
        let s = d.text.find("AKIA").unwrap();
        let span = d.span(&(s..s + 20));
        let snip = d.snippet(&span, &Masks::new(std::iter::once(s..s + 20).collect()));
        assert_eq!(snip.text, "key = \"AKIA****************\"");
    }

    #[test]
    fn columns_and_windows_count_characters_on_long_non_ascii_lines() {
        let line = format!("{}SECRET{}", "é".repeat(3000), "b".repeat(300));
        let d = doc(&line);
        let s = d.text.find("SECRET").unwrap();
        let span = d.span(&(s..s + 6));
        assert_eq!(span.column, 3001);
        // A mask that starts before the window shows only `*` inside it.
        let masks = Masks::new(std::iter::once(s - 200..s).collect());
        let snip = d.snippet(&span, &masks);
        assert_eq!(snip.first_column, 2941);
        assert!(snip.text.starts_with(&"*".repeat(60)), "{}", snip.text);
        assert!(snip.text[60..].starts_with("SECRET"), "{}", snip.text);
    }

    #[test]
    fn long_lines_are_cut_around_the_finding() {
        let line = format!("{}SECRET{}", "a".repeat(5000), "b".repeat(5000));
        let d = doc(&line);
        let s = d.text.find("SECRET").unwrap();
        let span = d.span(&(s..s + 6));
        let snip = d.snippet(&span, &Masks::default());
        assert!(snip.text.len() < 300, "{}", snip.text.len());
        assert!(snip.text.contains("SECRET"));
        assert_eq!(snip.first_column, span.column - 60);
    }
}
