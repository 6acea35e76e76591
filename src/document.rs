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

    /// The lines a span covers, at most 5, with `masks` (byte ranges) replaced by their
    /// redacted form.
    pub fn snippet(&self, span: &Span, masks: &[Range<usize>]) -> Snippet {
        let last = span.end_line.min(span.line + 4);
        let start = self.line_start(span.line);
        let end = self.line_range(last).end;
        let mut text = String::with_capacity(end - start);
        let mut pos = start;
        let mut sorted: Vec<_> = masks
            .iter()
            .filter(|m| m.start < end && m.end > start)
            .collect();
        sorted.sort_by_key(|m| m.start);
        for m in sorted {
            let (ms, me) = (
                self.floor_char(m.start.max(pos)),
                self.floor_char(m.end.min(end)),
            );
            if ms < pos || me <= ms {
                continue;
            }
            text.push_str(&self.text[pos..ms]);
            text.push_str(&crate::fingerprint::redact(&self.text[ms..me]));
            pos = me;
        }
        text.push_str(&self.text[pos..end]);
        cut_long_lines(text, span)
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }

    fn floor_char(&self, mut offset: usize) -> usize {
        offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Lines longer than this many characters are cut in snippets: a minified bundle's line
/// would otherwise fill the terminal (and show whatever else it holds).
const MAX_SNIPPET_LINE: usize = 240;
/// Characters kept on each side of a one-line finding in a cut line.
const SNIPPET_CONTEXT: usize = 60;

fn cut_long_lines(text: String, span: &Span) -> Snippet {
    let long = |l: &str| l.chars().count() > MAX_SNIPPET_LINE;
    if !text.lines().any(long) {
        return Snippet {
            first_line: span.line,
            first_column: 1,
            text,
        };
    }
    if span.line == span.end_line {
        let first = span.column.saturating_sub(SNIPPET_CONTEXT).max(1);
        let last = span.end_column.max(span.column) + SNIPPET_CONTEXT;
        let window = text
            .chars()
            .skip(first - 1)
            .take((last - first).min(MAX_SNIPPET_LINE + 2 * SNIPPET_CONTEXT))
            .collect();
        return Snippet {
            first_line: span.line,
            first_column: first,
            text: window,
        };
    }
    let cut: Vec<String> = text
        .split('\n')
        .map(|l| l.chars().take(MAX_SNIPPET_LINE).collect())
        .collect();
    Snippet {
        first_line: span.line,
        first_column: 1,
        text: cut.join("\n"),
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
    fn snippet_masks_secret() {
        // Assembled at run time so the source holds no key-shaped literal.
        let text = format!("key = \"AKIA{}\"\n", "ABCDEFGHIJKLMNOP");
        let d = doc(&text);
        let s = d.text.find("AKIA").unwrap();
        let span = d.span(&(s..s + 20));
        let snip = d.snippet(&span, std::slice::from_ref(&(s..s + 20)));
        assert_eq!(snip.text, "key = \"AKIA****************\"");
    }

    #[test]
    fn long_lines_are_cut_around_the_finding() {
        let line = format!("{}SECRET{}", "a".repeat(5000), "b".repeat(5000));
        let d = doc(&line);
        let s = d.text.find("SECRET").unwrap();
        let span = d.span(&(s..s + 6));
        let snip = d.snippet(&span, &[]);
        assert!(snip.text.len() < 300, "{}", snip.text.len());
        assert!(snip.text.contains("SECRET"));
        assert_eq!(snip.first_column, span.column - 60);
    }
}
