//! `k8s/missing-resource-limits`: a container with no memory limit.
//!
//! ## What it does
//! Flags containers and init containers without `resources.limits.memory` (requests,
//! `cpu` and `ephemeral-storage` limits do not count), reported on the container.
//! Helm templates are skipped with a warning (this rule is the one that says so).
//!
//! ## Known problems
//! A namespace `LimitRange` that sets a default limit is not seen.

use super::workloads::containers;
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "k8s/missing-resource-limits";

pub struct MissingResourceLimits;

impl Checker for MissingResourceLimits {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Kubernetes
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for c in containers(doc, true) {
            let limited = c
                .body
                .path(&["resources", "limits", "memory"])
                .is_some_and(|n| !n.is_null());
            if limited {
                continue;
            }
            let at = c.body.pos;
            let range = at.offset..doc.line_range(at.line).end.max(at.offset);
            let what = if c.init {
                "init container"
            } else {
                "container"
            };
            out.report(
                ID,
                range,
                format!(
                    "{what} `{}` has no memory limit (`resources.limits.memory`)",
                    c.name()
                ),
            );
        }
    }
}
