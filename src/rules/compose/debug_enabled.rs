//! `compose/debug-enabled`: a service's `environment:` switches debug mode on.
//!
//! ## What it does
//! Flags `DEBUG`, `DJANGO_DEBUG`, `FLASK_DEBUG`, `APP_DEBUG` set to a truthy value and
//! `NODE_ENV` / `FLASK_ENV` set to `development`, in the mapping and the list forms of
//! `environment:` (`${VAR:-default}` defaults are used). Reported on the entry's line.
//!
//! ## Known problems
//! A compose file meant only for local development (`docker-compose.override.yml`,
//! `compose.dev.yml`) is flagged too; suppress it there or exclude the file.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::dockerfile::UNKNOWN;
use crate::parse::yaml::Node;
use crate::rules::docker::debug_setting::is_debug_setting;
use crate::rules::docker::image::interpolate;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/debug-enabled";

pub struct DebugEnabled;

impl Checker for DebugEnabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut seen = HashSet::new();
        for service in services(doc) {
            for (name, value, at) in environment(service.body) {
                let value = interpolate(&value);
                if value.contains(UNKNOWN) || !is_debug_setting(&name, &value) {
                    continue;
                }
                if !seen.insert(at.pos.offset) {
                    continue;
                }
                out.report(
                    ID,
                    range_of(doc, at),
                    format!(
                        "service `{}` sets `{name}={value}`: debug mode",
                        service.name
                    ),
                );
            }
        }
    }
}

/// The `environment:` entries of a service: name, value, and the node to point at.
fn environment(body: &Node) -> Vec<(String, String, &Node)> {
    let Some(env) = body.get("environment") else {
        return Vec::new();
    };
    if let Some(entries) = env.as_map() {
        return entries
            .iter()
            .filter_map(|e| {
                Some((
                    e.key.as_str()?.to_string(),
                    e.value.as_str()?.to_string(),
                    &e.key,
                ))
            })
            .collect();
    }
    env.as_seq()
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| {
            let (name, value) = item.as_str()?.split_once('=')?;
            Some((name.to_string(), value.to_string(), item))
        })
        .collect()
}
