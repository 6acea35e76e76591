//! `compose/privileged`: a service with `privileged: true`.
//!
//! ## What it does
//! Flags `privileged: true` on a service, reported on that line.
//!
//! ## Why is this bad?
//! A privileged container has every capability and sees the host's devices: root in it is
//! root on the host, one `mount` away.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/privileged";

pub struct Privileged;

impl Checker for Privileged {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut seen = HashSet::new();
        for service in services(doc) {
            let Some(node) = service.body.get("privileged") else {
                continue;
            };
            let on = node.as_str().is_some_and(is_true);
            if !on || !seen.insert(node.pos.offset) {
                continue;
            }
            out.report(
                ID,
                range_of(doc, node),
                format!("service `{}` runs privileged", service.name),
            );
        }
    }
}

/// YAML 1.1 and 1.2 spellings of true that compose accepts.
pub fn is_true(value: &str) -> bool {
    matches!(
        value,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
    )
}
