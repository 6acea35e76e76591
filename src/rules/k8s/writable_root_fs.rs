//! `k8s/writable-root-fs` (off by default): a container whose root file system is
//! writable.
//!
//! ## What it does
//! Flags containers and init containers without `securityContext.readOnlyRootFilesystem:
//! true` (a container-level field: the pod's `securityContext` has no such key). Reported
//! on `readOnlyRootFilesystem: false` when it is written, else on the container.
//!
//! ## Why is this bad?
//! An attacker who gets code execution can drop tools or modified binaries into a
//! writable root file system and keep them for the life of the container.
//!
//! ## Known problems
//! Writable paths the application needs take `emptyDir` volumes, which this rule does not
//! check. An admission policy that enforces the field is not seen. Off by default.

use std::collections::HashSet;

use super::workloads::containers;
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "k8s/writable-root-fs";

pub struct WritableRootFs;

impl Checker for WritableRootFs {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Kubernetes
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut seen = HashSet::new();
        for c in containers(doc, false) {
            let setting = c.body.path(&["securityContext", "readOnlyRootFilesystem"]);
            if setting
                .and_then(|n| n.as_str())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            {
                continue;
            }
            let at = setting.filter(|n| !n.is_null()).unwrap_or(c.body);
            if !seen.insert(at.pos.offset) {
                continue;
            }
            let range = at.pos.offset..doc.line_range(at.pos.line).end.max(at.pos.offset);
            out.report(
                ID,
                range,
                format!(
                    "container `{}` has a writable root file system (no `readOnlyRootFilesystem: true`)",
                    c.name()
                ),
            );
        }
    }
}
