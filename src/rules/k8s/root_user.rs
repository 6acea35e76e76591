//! `k8s/root-user`: a container that may run as root.
//!
//! ## What it does
//! For each container (init containers too), with the container's `securityContext`
//! winning over the pod's: flags `runAsUser: 0` (on that line), `runAsNonRoot: false`
//! with no non-zero `runAsUser` (on that line), and neither being set (on the container).
//! A pod spec that is not a mapping (Kubernetes rejects it, but a template may still
//! produce it) is flagged too: nothing in it can be shown to make the pod non-root.
//!
//! ## Known problems
//! The image's own `USER` is not known: a container whose image sets a non-root user but
//! whose manifest says nothing is flagged. Pods in a user namespace (`hostUsers: false`)
//! are not treated specially.

use std::collections::HashSet;

use super::workloads::{containers, malformed_pod_specs, security};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::yaml::Node;
use crate::rules::{Checker, Findings};

const ID: &str = "k8s/root-user";

pub struct RootUser;

impl Checker for RootUser {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Kubernetes
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut seen = HashSet::new();
        for c in containers(doc, false) {
            let user = security(&c, "runAsUser");
            let uid = user
                .and_then(Node::as_str)
                .and_then(|u| u.parse::<u64>().ok());
            let non_root = security(&c, "runAsNonRoot").filter(|n| !n.is_null());
            let (node, message) = match (uid, non_root) {
                (Some(0), _) => (user, "runs as root (`runAsUser: 0`)"),
                (Some(_), _) => continue,
                (None, Some(n)) if n.as_str() == Some("true") => continue,
                (None, Some(n)) => (
                    Some(n),
                    "sets `runAsNonRoot: false` and no non-root `runAsUser`",
                ),
                (None, None) => (
                    None,
                    "sets neither `runAsNonRoot: true` nor a non-root `runAsUser`",
                ),
            };
            let at = node.unwrap_or(c.body);
            if !seen.insert(at.pos.offset) {
                continue;
            }
            let range = at.pos.offset..doc.line_range(at.pos.line).end.max(at.pos.offset);
            out.report(ID, range, format!("container `{}` {message}", c.name()));
        }
        // Fail closed: a pod spec that cannot be read sets no non-root user either.
        for pod in malformed_pod_specs(doc) {
            let range = pod.pos.offset..doc.line_range(pod.pos.line).end.max(pod.pos.offset);
            out.report(
                ID,
                range,
                "the pod spec is not a mapping, so nothing sets `runAsNonRoot: true`: its \
                 containers may run as root"
                    .to_string(),
            );
        }
    }
}
