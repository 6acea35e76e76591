//! YAML and JSON read as structure for the generic secret rules: the name/value pairs a
//! tree holds, each value with the byte range it has in the file.
//!
//! Three shapes name a value:
//! - a mapping entry, `password: hunter2` or `{"password": "hunter2"}`, at any depth,
//!   in block or flow style, through anchors and merge keys;
//! - a `KEY=value` item of a sequence (compose `environment:` list form);
//! - a mapping with `name` (or `key`) and `value` scalars, the Kubernetes `env:` form
//!   (`- name: DB_PASSWORD` then `value: hunter2`).
//!
//! Every other scalar is handed back as text to read line-wise, so that a connection
//! string under an innocent key (`dsn: "host=db password=…"`) is still looked into.

use std::collections::HashSet;
use std::ops::Range;

use crate::parse::yaml::{Node, Value, YamlFile};

/// A value that a name in the structure describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub name: String,
    pub value: String,
    /// Where the value is in the file: the secret's own bytes when the scalar is written
    /// as is, else the rest of the line it starts on (so masking still hides it).
    pub range: Range<usize>,
}

/// What a tree holds for the generic rules.
#[derive(Debug, Default)]
pub struct Reading {
    pub pairs: Vec<Pair>,
    /// Scalars under other names, to read as text: a single-line scalar's own bytes, or
    /// each line a multi-line one covers.
    pub loose: Vec<Range<usize>>,
}

/// Reads every document of `file` (parsed from `text`).
pub fn read(file: &YamlFile, text: &str) -> Reading {
    let mut walker = Walker {
        text,
        out: Reading::default(),
        seen: HashSet::new(),
        seen_loose: HashSet::new(),
    };
    for doc in &file.documents {
        walker.node(doc, 0);
    }
    walker.out
}

struct Walker<'a> {
    text: &'a str,
    out: Reading,
    /// Pairs already taken (value offset, name): an alias copies its anchor's node,
    /// positions and all.
    seen: HashSet<(usize, String)>,
    /// Loose scalars already taken, by offset.
    seen_loose: HashSet<usize>,
}

impl Walker<'_> {
    fn node(&mut self, node: &Node, depth: usize) {
        // The parser refuses deeper nesting already; this keeps the recursion honest.
        if depth > 256 {
            return;
        }
        match &node.value {
            Value::Scalar(_) => self.loose(node),
            Value::Seq(items) => {
                for item in items {
                    if !self.list_assignment(item) {
                        self.node(item, depth + 1);
                    }
                }
            }
            Value::Map(entries) => {
                if self.name_value(node) {
                    return;
                }
                for entry in entries {
                    match (entry.key.as_str(), &entry.value.value) {
                        (Some(name), Value::Scalar(s)) => {
                            self.pair(name.to_string(), s.text.clone(), &entry.value);
                            if s.text.contains('\n') {
                                self.loose(&entry.value);
                            }
                        }
                        _ => self.node(&entry.value, depth + 1),
                    }
                }
            }
        }
    }

    /// `- POSTGRES_PASSWORD=x`: true when the item was read as a pair.
    fn list_assignment(&mut self, item: &Node) -> bool {
        let Some(text) = item.as_str() else {
            return false;
        };
        let Some((name, value)) = text.split_once('=') else {
            return false;
        };
        let is_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !is_name {
            return false;
        }
        let Some(scalar) = self.locate(item, text) else {
            return false;
        };
        // The value starts after `name=` inside the scalar as written.
        let start = scalar.start + name.len() + 1;
        let range = if scalar.end - scalar.start == text.len() {
            start..scalar.end
        } else {
            scalar
        };
        self.push(name.to_string(), value.to_string(), range);
        true
    }

    /// `{name: DB_PASSWORD, value: x}` (Kubernetes `env:`, Helm values, CloudFormation
    /// `key`/`value` parameters): true when the mapping was read as a pair.
    fn name_value(&mut self, node: &Node) -> bool {
        let Some(value) = node.get("value") else {
            return false;
        };
        let Some(text) = value.as_str() else {
            return false;
        };
        // Both may be there (`{name: geo, key: GEO_TOKEN, value: …}`): each is a name.
        let names: Vec<&str> = ["name", "key"]
            .iter()
            .filter_map(|k| node.get(k).and_then(Node::as_str))
            .collect();
        for name in &names {
            self.pair(name.to_string(), text.to_string(), value);
        }
        !names.is_empty()
    }

    fn pair(&mut self, name: String, value: String, node: &Node) {
        match self.locate(node, &value) {
            Some(range) => self.push(name, value, range),
            None => {
                let start = node.pos.offset.min(self.text.len());
                let end = line_end(self.text, start);
                self.push(name, value, start..end);
            }
        }
    }

    fn push(&mut self, name: String, value: String, range: Range<usize>) {
        if self.seen.insert((range.start, name.clone())) {
            self.out.pairs.push(Pair { name, value, range });
        }
    }

    fn loose(&mut self, node: &Node) {
        let Some(text) = node.as_str() else { return };
        if !self.seen_loose.insert(node.pos.offset) {
            return;
        }
        if !text.contains('\n') {
            if let Some(range) = self.locate(node, text) {
                self.out.loose.push(range);
            }
            return;
        }
        // A block scalar holds a file of its own (a ConfigMap's `settings.yaml: |`): its
        // lines, from the one it starts on, are read as lines.
        let mut start = line_start(self.text, node.pos.offset);
        for _ in 0..=text.lines().count() {
            if start >= self.text.len() {
                break;
            }
            let end = line_end(self.text, start);
            self.out.loose.push(start..end);
            start = end + 1;
        }
    }

    /// The bytes of scalar `text` in the file: right at the node (plain), after its
    /// opening quote, or the first line of a block scalar (`|`, `>`). `None` when the
    /// scalar is not written as it reads (escapes).
    fn locate(&self, node: &Node, text: &str) -> Option<Range<usize>> {
        let at = node.pos.offset;
        let rest = self.text.get(at..)?;
        let whole = text.trim_end_matches(['\n', '\r']);
        if !whole.is_empty() && rest.starts_with(whole) {
            return Some(at..at + whole.len());
        }
        if let Some(inner) = rest.strip_prefix(['"', '\'']) {
            return inner.starts_with(text).then(|| at + 1..at + 1 + text.len());
        }
        // A block scalar, from its indicator or its first line: the first line stands for
        // it (the rest is indented, so not written as it reads).
        let first = text.lines().next()?.trim();
        if first.is_empty() {
            return None;
        }
        let found = if rest.starts_with(['|', '>']) {
            rest.find(first)?
        } else if rest.starts_with(first) {
            0
        } else {
            return None;
        };
        Some(at + found..at + found + first.len())
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

fn line_end(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse;

    fn pairs(text: &str) -> Vec<(String, String, String)> {
        let file = parse(text);
        read(&file, text)
            .pairs
            .into_iter()
            .map(|p| {
                let at = text.get(p.range.clone()).unwrap_or("?").to_string();
                (p.name, p.value, at)
            })
            .collect()
    }

    fn pair(name: &str, value: &str, at: &str) -> (String, String, String) {
        (name.into(), value.into(), at.into())
    }

    #[test]
    fn kubernetes_env_pairs_name_and_value() {
        let text = "env:\n  - name: DB_PASSWORD\n    value: \"hunter22\"\n";
        assert_eq!(pairs(text), [pair("DB_PASSWORD", "hunter22", "hunter22")]);
    }

    #[test]
    fn compose_list_items_are_split_at_the_equals_sign() {
        let text = "environment:\n  - POSTGRES_PASSWORD=tide-2\n  - \"A=b\"\n  - plain item\n";
        assert_eq!(
            pairs(text),
            [
                pair("POSTGRES_PASSWORD", "tide-2", "tide-2"),
                pair("A", "b", "b")
            ]
        );
    }

    #[test]
    fn block_and_flow_values_are_found_where_they_are_written() {
        let text = "db: {password: 'a b'}\nsmtp:\n  password: |\n    lantern-fox\n    two\n";
        assert_eq!(
            pairs(text),
            [
                pair("password", "a b", "a b"),
                pair("password", "lantern-fox\ntwo\n", "lantern-fox")
            ]
        );
    }

    #[test]
    fn an_alias_is_reported_once_at_its_anchor() {
        let text = "base: &b\n  password: x1\nprod:\n  <<: *b\n";
        assert_eq!(pairs(text).len(), 1);
    }

    #[test]
    fn json_is_read_as_a_tree() {
        let text = "{\n  \"db\": {\"user\": \"app\", \"password\": \"lantern\"}\n}\n";
        assert_eq!(
            pairs(text),
            [
                pair("user", "app", "app"),
                pair("password", "lantern", "lantern")
            ]
        );
    }

    #[test]
    fn escaped_values_fall_back_to_the_rest_of_the_line() {
        let text = "password: \"a\\tb\"\n";
        assert_eq!(pairs(text), [pair("password", "a\tb", "\"a\\tb\"")]);
    }
}
