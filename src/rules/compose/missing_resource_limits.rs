//! `compose/missing-resource-limits`: a compose service with no memory limit.
//!
//! ## What it does
//! Flags a service that has neither `deploy.resources.limits.memory` (Compose
//! specification) nor `mem_limit` (legacy form), whether or not the file has a
//! `version:` key. Anchors and `<<:` merges are resolved by the YAML parser, and
//! `extends:` is followed, within the file and into other compose files inside the scanned
//! folder. Reported on the service's name.
//!
//! ## Known problems
//! A service whose `extends` cannot be followed (a file outside the scanned folder, or a
//! single file scanned on its own) is not reported rather than guessed at; a warning says
//! so.

use super::extends::lineage;
use super::services::{limit_set, range_of, services};
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
        for service in services(doc) {
            let Some(lineage) = lineage(doc, &service) else {
                continue;
            };
            if lineage.into_iter().any(has_memory_limit) {
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

fn has_memory_limit(body: &Node) -> bool {
    limit_set(body.get("mem_limit"))
        || limit_set(body.path(&["deploy", "resources", "limits", "memory"]))
}
