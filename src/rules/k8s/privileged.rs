//! `k8s/privileged`: a container with `securityContext.privileged: true`.
//!
//! ## What it does
//! Flags privileged containers, init containers included, on the `privileged:` line.
//!
//! ## Why is this bad?
//! A privileged container has every capability and the host's devices: root in it is
//! root on the node.

use super::workloads::containers;
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "k8s/privileged";

pub struct Privileged;

impl Checker for Privileged {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Kubernetes
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for c in containers(doc, false) {
            let Some(node) = c.body.path(&["securityContext", "privileged"]) else {
                continue;
            };
            if node.as_str() != Some("true") {
                continue;
            }
            let range = node.pos.offset..doc.line_range(node.pos.line).end.max(node.pos.offset);
            out.report(
                ID,
                range,
                format!("container `{}` runs privileged", c.name()),
            );
        }
    }
}
