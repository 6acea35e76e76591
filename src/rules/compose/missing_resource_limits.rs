//! `compose/missing-resource-limits`: a compose service with no memory limit.
//!
//! ## What it does
//! Flags a service that has neither `deploy.resources.limits.memory` (Compose
//! specification) nor `mem_limit` (legacy form), whether or not the file has a
//! `version:` key. Anchors and `<<:` merges are resolved by the YAML parser, and
//! `extends:` within the same file is followed. Reported on the service's name.
//!
//! ## Known problems
//! TODO: `extends` with `file:` (another compose file) is not followed; such services are
//! not reported rather than guessed at.

use super::services::{Service, extended, range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::yaml::Node;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/missing-resource-limits";

pub struct MissingResourceLimits;

impl Checker for MissingResourceLimits {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let all = services(doc);
        for service in &all {
            if limited(&all, service, 0) != Some(false) {
                continue;
            }
            out.report(
                ID,
                range_of(doc, service.key),
                format!(
                    "service `{}` has no memory limit (`deploy.resources.limits.memory` or `mem_limit`)",
                    service.name
                ),
            );
        }
    }
}

/// Whether the service, or one it extends, sets a memory limit; `None` when that cannot
/// be known here (it extends a service in another file).
fn limited(all: &[Service], service: &Service, depth: usize) -> Option<bool> {
    if has_memory_limit(service.body) {
        return Some(true);
    }
    match extended(all, service) {
        (_, true) => None,
        (Some(base), false) if depth < 16 => limited(all, base, depth + 1),
        _ => Some(false),
    }
}

fn has_memory_limit(body: &Node) -> bool {
    let set = |n: Option<&Node>| n.is_some_and(|n| !n.is_null());
    set(body.get("mem_limit")) || set(body.path(&["deploy", "resources", "limits", "memory"]))
}
