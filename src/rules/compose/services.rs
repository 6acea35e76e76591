//! The services of a compose file, as the `compose/` rules see them.

use std::ops::Range;

use crate::document::Document;
use crate::parse::yaml::Node;

/// One service: its name, the key node (for positions) and its mapping.
pub struct Service<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    pub body: &'a Node,
}

/// The services of every document in `doc`. `x-*` extension entries are skipped, and so
/// is a `services:` map with no entry that defines a container (`image`, `build` or
/// `extends`): that is application configuration, not a compose file.
pub fn services<'d>(doc: &'d Document) -> Vec<Service<'d>> {
    let mut all = Vec::new();
    for root in &doc.yaml().documents {
        let Some(entries) = root.get("services").and_then(Node::as_map) else {
            continue;
        };
        let found: Vec<Service> = entries
            .iter()
            .filter_map(|e| {
                let name = e.key.as_str()?;
                e.value.as_map()?;
                (!name.starts_with("x-")).then_some(Service {
                    name,
                    key: &e.key,
                    body: &e.value,
                })
            })
            .collect();
        let is_compose = found.iter().any(|s| {
            ["image", "build", "extends"]
                .iter()
                .any(|k| s.body.get(k).is_some())
        });
        if is_compose {
            all.extend(found);
        }
    }
    all
}

/// Bytes from `node`'s start to the end of its line: what a finding points at.
/// True when a resource limit is set: present, not null, and not `0` in any unit, which is
/// Docker's way of saying "no limit" (`mem_limit: 0`, `cpus: 0`).
pub fn limit_set(node: Option<&Node>) -> bool {
    let zero = |n: &Node| {
        n.as_str().is_some_and(|v| {
            let digits = v.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic());
            digits.parse::<f64>().is_ok_and(|x| x == 0.0)
        })
    };
    node.is_some_and(|n| !n.is_null() && !zero(n))
}

pub fn range_of(doc: &Document, node: &Node) -> Range<usize> {
    let line_end = doc.line_range(node.pos.line).end;
    node.pos.offset..line_end.max(node.pos.offset)
}
