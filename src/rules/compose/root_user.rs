//! `compose/root-user`: a service whose `user:` is root.
//!
//! ## What it does
//! Flags `user: root`, `user: 0`, `user: "0:0"`, `user: root:staff` and the like, also
//! through `${VAR:-0}` defaults. Reported on the `user:` line.
//!
//! ## Known problems
//! A service without `user:` runs as the image's user, which is not known here.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::docker::image::{interpolate, is_root_user};
use crate::rules::{Checker, Findings};

const ID: &str = "compose/root-user";

pub struct RootUser;

impl Checker for RootUser {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        // A value shared through an anchor is reported once, where it is written.
        let mut seen = HashSet::new();
        for service in services(doc) {
            let Some(user) = service.body.get("user") else {
                continue;
            };
            let Some(value) = user.as_str() else {
                continue;
            };
            if !is_root_user(&interpolate(value)) || !seen.insert(user.pos.offset) {
                continue;
            }
            out.report(
                ID,
                range_of(doc, user),
                format!("service `{}` runs as root (`user: {value}`)", service.name),
            );
        }
    }
}
