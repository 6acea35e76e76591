//! `compose/host-network`: a service on the host's network stack.
//!
//! ## What it does
//! Flags `network_mode: host`, reported on that line.
//!
//! ## Why is this bad?
//! The container shares the host's interfaces: every port it opens is open on the host,
//! services bound to the host's loopback are reachable from it, and network isolation
//! between containers is gone.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/host-network";

pub struct HostNetwork;

impl Checker for HostNetwork {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut seen = HashSet::new();
        for service in services(doc) {
            let Some(node) = service.body.get("network_mode") else {
                continue;
            };
            if node.as_str() != Some("host") || !seen.insert(node.pos.offset) {
                continue;
            }
            out.report(
                ID,
                range_of(doc, node),
                format!("service `{}` uses the host's network stack", service.name),
            );
        }
    }
}
