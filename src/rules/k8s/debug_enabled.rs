//! `k8s/debug-enabled`: a container's `env:` switches debug mode on.
//!
//! ## What it does
//! Flags `env` entries `DEBUG`, `DJANGO_DEBUG`, `FLASK_DEBUG`, `APP_DEBUG` with a truthy
//! `value`, and `NODE_ENV` / `FLASK_ENV` set to `development`. Reported on the `value:`.
//!
//! ## Known problems
//! Values from ConfigMaps (`valueFrom`, `envFrom`) are not followed.

use super::workloads::containers;
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::yaml::Node;
use crate::rules::docker::debug_setting::is_debug_setting;
use crate::rules::{Checker, Findings};

const ID: &str = "k8s/debug-enabled";

pub struct DebugEnabled;

impl Checker for DebugEnabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Kubernetes
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for c in containers(doc, false) {
            for var in c.body.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
                let name = var.get("name").and_then(Node::as_str);
                let value = var.get("value");
                let (Some(name), Some(value)) = (name, value) else {
                    continue;
                };
                let Some(text) = value.as_str() else {
                    continue;
                };
                if !is_debug_setting(name, text) {
                    continue;
                }
                let range =
                    value.pos.offset..doc.line_range(value.pos.line).end.max(value.pos.offset);
                out.report(
                    ID,
                    range,
                    format!("container `{}` sets `{name}={text}`: debug mode", c.name()),
                );
            }
        }
    }
}
