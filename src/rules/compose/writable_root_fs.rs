//! `compose/writable-root-fs` (off by default): a service whose root file system is
//! writable.
//!
//! ## What it does
//! Flags a service without `read_only: true` (following `<<:` merges and `extends:`; the
//! nearest `read_only` wins). Reported on `read_only: false` when it is written, else on
//! the service's name.
//!
//! ## Why is this bad?
//! An attacker who gets code execution can drop tools, web shells or modified binaries
//! into a writable root file system and keep them for the life of the container.
//!
//! ## Known problems
//! Many images need a few writable paths; they take `tmpfs:` or volume mounts, which this
//! rule does not check. Off by default for that reason.

use super::extends::lineage;
use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/writable-root-fs";

pub struct WritableRootFs;

impl Checker for WritableRootFs {
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
            let read_only = lineage.into_iter().find_map(|b| b.get("read_only"));
            if read_only
                .and_then(|n| n.as_str())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            {
                continue;
            }
            // Point at `read_only: false` when this service writes it (the service's own
            // body comes first in its lineage, so that is the value that counted).
            let at = service.body.get("read_only").unwrap_or(service.key);
            out.report(
                ID,
                range_of(doc, at),
                format!(
                    "service `{}` has a writable root file system (no `read_only: true`)",
                    service.name
                ),
            );
        }
    }
}
