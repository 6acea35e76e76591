//! `docker/unpinned-image-digest` (off by default): an image pulled by tag, not by digest.
//!
//! ## What it does
//! For supply-chain-strict teams: flags every `FROM` (and `COPY --from=<image>`) whose
//! image, after `ARG` expansion, carries no `@sha256:` digest. Stage names and `scratch`
//! are fine; an image only known at build time is left to `docker/unverifiable-image`.
//!
//! ## Why is this bad?
//! A tag is a movable pointer: the registry (or whoever controls it) can serve different
//! content under `python:3.12.7-slim` tomorrow. Only a digest names exact bytes.

use super::from::pulled_images;
use super::image::{Pin, pin_of};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::dockerfile::UNKNOWN;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/unpinned-image-digest";

pub struct UnpinnedImageDigest;

impl Checker for UnpinnedImageDigest {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for image in pulled_images(doc.dockerfile()) {
            let resolved = &image.resolved;
            if matches!(pin_of(resolved), Pin::NotAnImage | Pin::Unresolved)
                || resolved.contains(UNKNOWN)
                || resolved.contains("@sha256:")
            {
                continue;
            }
            out.report(
                ID,
                image.range.clone(),
                format!(
                    "image {} is not pinned by digest (`@sha256:`)",
                    image.shown()
                ),
            );
        }
    }
}
