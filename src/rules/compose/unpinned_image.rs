//! `compose/unpinned-image`: a service `image:` with no tag or with `latest`.
//!
//! ## What it does
//! The `docker/unpinned-image` judgement for compose services: `${VAR:-default}` defaults
//! are used, images whose tag is only known at deploy time (`${TAG}`) are not judged, and
//! a service with only `build:` is fine. Reported on the `image:` value.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::docker::image::{Pin, interpolate, pin_of};
use crate::rules::{Checker, Findings};

const ID: &str = "compose/unpinned-image";

pub struct UnpinnedImage;

impl Checker for UnpinnedImage {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        // An image shared through an anchor is reported once, where it is written.
        let mut seen = HashSet::new();
        for service in services(doc) {
            let Some(node) = service.body.get("image") else {
                continue;
            };
            let Some(image) = node.as_str() else {
                continue;
            };
            let why = match pin_of(&interpolate(image)) {
                Pin::Untagged => "has no tag, so it pulls `latest`",
                Pin::Latest => "uses the moving `latest` tag",
                Pin::Pinned | Pin::Unresolved | Pin::NotAnImage => continue,
            };
            if !seen.insert(node.pos.offset) {
                continue;
            }
            out.report(
                ID,
                range_of(doc, node),
                format!("service `{}`: image `{image}` {why}", service.name),
            );
        }
    }
}
