//! `compose/missing-cpu-limit` (low): a compose service with no CPU limit.
//!
//! ## What it does
//! Flags a service that has none of `deploy.resources.limits.cpus`, `cpus` and
//! `cpu_quota`, following `<<:` merges and `extends:` like
//! `compose/missing-resource-limits`. Reported on the service's name.
//!
//! ## Why is this bad?
//! A service without a CPU limit can take every core of the host in a busy loop or under
//! load, slowing every other container down. Less severe than a missing memory limit:
//! CPU is shared, not exhausted.

use super::extends::lineage;
use super::services::{limit_set, range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::yaml::Node;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/missing-cpu-limit";

pub struct MissingCpuLimit;

impl Checker for MissingCpuLimit {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for service in services(doc) {
            let Some(lineage) = lineage(doc, &service) else {
                continue;
            };
            if lineage.into_iter().any(has_cpu_limit) {
                continue;
            }
            out.report(
                ID,
                range_of(doc, service.key),
                format!(
                    "service `{}` has no CPU limit (`deploy.resources.limits.cpus`, `cpus` or `cpu_quota`)",
                    service.name
                ),
            );
        }
    }
}

fn has_cpu_limit(body: &Node) -> bool {
    limit_set(body.get("cpus"))
        || limit_set(body.get("cpu_quota"))
        || limit_set(body.path(&["deploy", "resources", "limits", "cpus"]))
}
