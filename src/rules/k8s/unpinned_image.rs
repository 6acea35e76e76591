//! `k8s/unpinned-image`: a container `image:` with no tag or with `latest`.
//!
//! ## What it does
//! The `docker/unpinned-image` judgement for containers and init containers; digests are
//! fine. Reported on the `image:` value.

use super::workloads::containers;
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::docker::image::{Pin, pin_of};
use crate::rules::{Checker, Findings};

const ID: &str = "k8s/unpinned-image";

pub struct UnpinnedImage;

impl Checker for UnpinnedImage {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Kubernetes
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for c in containers(doc, false) {
            let Some(node) = c.body.get("image") else {
                continue;
            };
            let Some(image) = node.as_str() else {
                continue;
            };
            let why = match pin_of(image) {
                Pin::Untagged => "has no tag, so it pulls `latest`",
                Pin::Latest => "uses the moving `latest` tag",
                Pin::Pinned | Pin::Unresolved | Pin::NotAnImage => continue,
            };
            let range = node.pos.offset..doc.line_range(node.pos.line).end.max(node.pos.offset);
            out.report(
                ID,
                range,
                format!("container `{}`: image `{image}` {why}", c.name()),
            );
        }
    }
}
