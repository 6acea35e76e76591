//! YAML with positions: a small tree of mappings, sequences and scalars in which every
//! node knows its line, column and byte offset.
//!
//! Built from the event parser of `yaml-rust2` (maintained, reports a marker for every
//! event; `serde_yaml` is deprecated and has no spans). Anchors and aliases are resolved
//! by copying the anchored node, `<<:` merge keys are applied (own keys win), and the
//! copying is bounded so an alias bomb ("billion laughs") is an error, not a hang.
//! Multi-document files give one root per document.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// At most this many nodes are created by alias expansion in one file.
const ALIAS_BUDGET: usize = 100_000;
/// Deeper nesting than this is refused (it is never legitimate configuration, and it
/// would make the recursive helpers below deep).
const MAX_DEPTH: usize = 200;

/// Where a node starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset into the text.
    pub offset: usize,
}

/// A YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A scalar's text and whether it was quoted (`"0"` is a string, `0` a number; both read
/// the same to most checks, but some care).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub quoted: bool,
}

/// A key and its value, each with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// A parsed file: one root per document, and the first error if parsing stopped early.
#[derive(Debug, Default)]
pub struct YamlFile {
    pub documents: Vec<Node>,
    /// (1-based line, message). The documents before the error are kept.
    pub error: Option<(usize, String)>,
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The entry under scalar key `key` of a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.as_str() == Some(key))
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The value at a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// True for a scalar that YAML reads as null (`~`, `null`, empty, unquoted).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if !s.quoted && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    fn size(&self) -> usize {
        match &self.value {
            Value::Scalar(_) => 1,
            Value::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|e| e.key.size() + e.value.size())
                    .sum::<usize>()
            }
        }
    }
}

/// Parses `text`. Never fails: a syntax error is kept in [`YamlFile::error`] (the first
/// one, with its line). In a file of several documents (`---`), a broken document costs
/// only itself: the others are read on their own and kept.
pub fn parse(text: &str) -> YamlFile {
    let whole = parse_part(text);
    if whole.error.is_none() {
        return whole;
    }
    let starts = document_starts(text);
    if starts.is_empty() {
        return whole;
    }
    let mut file = YamlFile::default();
    let mut bounds = vec![0];
    bounds.extend(starts);
    bounds.push(text.len());
    for pair in bounds.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let lines_before = memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count();
        let mut part = parse_part(&text[start..end]);
        for node in &mut part.documents {
            shift(node, start, lines_before);
        }
        file.documents.append(&mut part.documents);
        if let (None, Some((line, message))) = (&file.error, part.error) {
            file.error = Some((line + lines_before, message));
        }
    }
    file
}

/// Byte offsets of the lines that start a new document (`---` at the line start, alone
/// or followed by a space), after the first line. A `---` at column 0 always starts a
/// document: a block scalar's lines are indented.
fn document_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let rest = line.strip_prefix("---");
        let marker = rest.is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r', '\n']));
        if marker && at > 0 {
            out.push(at);
        }
        at += line.len();
    }
    out
}

/// Moves a node parsed from a part of the text to its place in the whole text.
fn shift(node: &mut Node, bytes: usize, lines: usize) {
    node.pos.offset += bytes;
    node.pos.line += lines;
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, bytes, lines)),
        Value::Map(entries) => {
            for e in entries {
                shift(&mut e.key, bytes, lines);
                shift(&mut e.value, bytes, lines);
            }
        }
    }
}

fn parse_part(text: &str) -> YamlFile {
    let mut builder = Builder::new(text);
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => {
                if let Err(message) = builder.event(event, mark) {
                    builder.file.error = Some((mark.line(), message));
                    break;
                }
            }
            Err(e) => {
                builder.file.error = Some((e.marker().line(), e.info().to_string()));
                break;
            }
        }
    }
    builder.file
}

/// A container being filled.
enum Open {
    Seq(Pos, usize, Vec<Node>),
    /// Entries, and a key waiting for its value.
    Map(Pos, usize, Vec<Entry>, Option<Node>),
}

struct Builder<'a> {
    text: &'a str,
    /// The last position converted, as (character index, byte offset): markers arrive in
    /// order, so each conversion walks only the characters since the previous one.
    cursor: (usize, usize),
    /// All ASCII: a character index is a byte offset.
    ascii: bool,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    budget: usize,
    file: YamlFile,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            cursor: (0, 0),
            ascii: text.is_ascii(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            budget: ALIAS_BUDGET,
            file: YamlFile::default(),
        }
    }

    /// Converts the parser's marker (1-based line, 0-based column and stream index in
    /// characters) into a position with a byte offset. Counting from the line start was
    /// quadratic on one-line (minified) JSON; the cursor makes the whole parse linear.
    fn pos(&mut self, mark: Marker) -> Pos {
        let line = mark.line().max(1);
        let target = mark.index();
        let (mut chars, mut bytes) = self.cursor;
        if target < chars {
            (chars, bytes) = (0, 0);
        }
        if self.ascii {
            bytes = target.min(self.text.len());
        } else {
            let rest = self.text.get(bytes..).unwrap_or("");
            bytes += rest
                .char_indices()
                .nth(target - chars)
                .map_or(rest.len(), |(i, _)| i);
        }
        self.cursor = (target, bytes);
        Pos {
            line,
            column: mark.col() + 1,
            offset: bytes,
        }
    }

    fn event(&mut self, event: Event, mark: Marker) -> Result<(), String> {
        let pos = self.pos(mark);
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let quoted = !matches!(style, TScalarStyle::Plain);
                let node = Node {
                    pos,
                    value: Value::Scalar(Scalar { text, quoted }),
                };
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, _) => self.open(Open::Seq(pos, anchor, Vec::new())),
            Event::MappingStart(anchor, _) => self.open(Open::Map(pos, anchor, Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq(pos, anchor, items)) => (
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Open::Map(pos, anchor, entries, _)) => (
                        Node {
                            pos,
                            value: Value::Map(merge_keys(entries)),
                        },
                        anchor,
                    ),
                    None => return Err("unbalanced collection end".to_string()),
                };
                self.finish(node, anchor)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err("alias to an unknown anchor".to_string());
                };
                let size = target.size();
                if size > self.budget {
                    return Err(format!(
                        "aliases expand to more than {ALIAS_BUDGET} nodes; the rest of the file is not checked"
                    ));
                }
                self.budget -= size;
                let node = target.clone();
                self.finish(node, 0)
            }
            Event::DocumentStart => {
                self.anchors.clear();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, open: Open) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        self.stack.push(open);
        Ok(())
    }

    /// Places a complete node into its parent (or as a document root) and records its
    /// anchor (0: none).
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), String> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.file.documents.push(node),
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
        Ok(())
    }
}

/// Applies `<<:` merge keys: the merged mappings' entries are added where the mapping
/// does not have the key itself; with a list of mappings, earlier ones win.
fn merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    if !entries.iter().any(is_merge) {
        return entries;
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
    for merge in merges {
        let sources = match merge.value.value {
            Value::Map(m) => vec![m],
            Value::Seq(items) => items
                .into_iter()
                .filter_map(|n| match n.value {
                    Value::Map(m) => Some(m),
                    _ => None,
                })
                .collect(),
            Value::Scalar(_) => Vec::new(),
        };
        for source in sources {
            for entry in source {
                let present = own
                    .iter()
                    .any(|e| e.key.as_str().is_some() && e.key.as_str() == entry.key.as_str());
                if !present {
                    own.push(entry);
                }
            }
        }
    }
    own
}

fn is_merge(e: &Entry) -> bool {
    matches!(&e.key.value, Value::Scalar(s) if !s.quoted && s.text == "<<")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_document_hides_none_of_the_others() {
        let text = "a: 1\n---\nmetadata: {name: broken\nspec: [\n---\nkind: Pod\nb: [x, y]\n";
        let f = parse(text);
        let (line, _) = f.error.clone().unwrap();
        assert!((3..=5).contains(&line), "error at line {line}");
        assert_eq!(f.documents.len(), 2);
        let last = &f.documents[1];
        assert_eq!(last.get("kind").and_then(Node::as_str), Some("Pod"));
        let b = last.entry("b").unwrap();
        assert_eq!((b.key.pos.line, b.key.pos.column), (7, 1));
        assert_eq!(&text[b.key.pos.offset..b.key.pos.offset + 1], "b");
    }

    #[test]
    fn keys_and_values_have_positions() {
        let text = "services:\n  web:\n    image: \"nginx:1.27\"\n";
        let f = parse(text);
        assert!(f.error.is_none());
        let web = f.documents[0]
            .entry("services")
            .unwrap()
            .value
            .entry("web")
            .unwrap();
        assert_eq!((web.key.pos.line, web.key.pos.column), (2, 3));
        let image = web.value.entry("image").unwrap();
        assert_eq!(image.value.pos.line, 3);
        assert_eq!(
            &text[image.value.pos.offset..image.value.pos.offset + 1],
            "\""
        );
        assert_eq!(image.value.as_str(), Some("nginx:1.27"));
    }

    #[test]
    fn offsets_count_bytes_after_unicode() {
        let text = "a: é\nb: x\n";
        let f = parse(text);
        let b = f.documents[0].entry("b").unwrap();
        assert_eq!(&text[b.value.pos.offset..], "x\n");
    }

    #[test]
    fn offsets_stay_right_along_a_long_unicode_line() {
        // One-line JSON with multi-byte characters before and between the values.
        let text = "{\"é\": \"ü\", \"k\": [\"ß\", \"v\", {\"n\": \"ok\"}]}\n";
        let f = parse(text);
        let list = f.documents[0].get("k").and_then(Node::as_seq).unwrap();
        let at = |n: &Node| &text[n.pos.offset..];
        assert!(at(&list[1]).starts_with("\"v\""));
        assert!(at(list[2].get("n").unwrap()).starts_with("\"ok\""));
    }

    #[test]
    fn anchors_aliases_and_merge_keys_resolve() {
        let text = "x-base: &base\n  mem_limit: 1g\n  user: app\nservices:\n  a:\n    <<: *base\n    user: root\n  b:\n    <<: [*base]\n";
        let f = parse(text);
        let services = f.documents[0].get("services").unwrap();
        let a = services.get("a").unwrap();
        assert_eq!(a.get("user").unwrap().as_str(), Some("root"));
        assert_eq!(a.get("mem_limit").unwrap().as_str(), Some("1g"));
        assert!(a.get("<<").is_none());
        assert_eq!(services.path(&["b", "user"]).unwrap().as_str(), Some("app"));
    }

    #[test]
    fn multi_document_files() {
        let f = parse("a: 1\n---\nb: 2\n");
        assert_eq!(f.documents.len(), 2);
        assert_eq!(f.documents[1].get("b").unwrap().pos.line, 3);
    }

    #[test]
    fn crlf_lines() {
        let f = parse("a:\r\n  b: 1\r\nc: 2\r\n");
        assert_eq!(f.documents[0].entry("c").unwrap().key.pos.line, 3);
    }

    #[test]
    fn alias_bomb_is_an_error_not_a_hang() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let f = parse(&text);
        let (line, message) = f.error.unwrap();
        assert!(message.contains("aliases expand"), "{message}");
        assert!(line > 1);
    }

    #[test]
    fn syntax_errors_keep_earlier_documents() {
        let f = parse("a: 1\n---\nb: [1, 2\nc: 3\n");
        assert_eq!(f.documents.len(), 1);
        assert!(f.error.is_some());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(1000);
        let f = parse(&text);
        assert!(f.error.is_some());
    }

    #[test]
    fn quoted_and_null_scalars() {
        let f = parse("a: \"0\"\nb: 0\nc:\nd: ~\n");
        let d = &f.documents[0];
        assert!(matches!(&d.get("a").unwrap().value, Value::Scalar(s) if s.quoted));
        assert!(matches!(&d.get("b").unwrap().value, Value::Scalar(s) if !s.quoted));
        assert!(d.get("c").unwrap().is_null());
        assert!(d.get("d").unwrap().is_null());
    }
}
