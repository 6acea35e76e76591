//! `docker/unverifiable-image`: an image whose tag is only known at build time.
//!
//! ## What it does
//! Notes a `FROM` (or `COPY --from=`) whose tag comes from an `ARG` without a default
//! (`ARG TAG` then `FROM node:${TAG}`): whether it is pinned depends on the
//! `--build-arg` given, so `docker/unpinned-image` cannot judge it. Low severity.
//!
//! ## Why is this bad?
//! A build without the argument fails or, with `${TAG:-}` style fallbacks, silently
//! pulls `latest`; nothing in the repository says which version ships.

use super::from::pulled_images;
use super::image::{Pin, pin_of};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/unverifiable-image";

pub struct UnverifiableImage;

impl Checker for UnverifiableImage {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for image in pulled_images(doc.dockerfile()) {
            if pin_of(&image.resolved) != Pin::Unresolved {
                continue;
            }
            out.report(
                ID,
                image.range.clone(),
                format!(
                    "image {} depends on a build argument without a default; its version cannot be checked",
                    image.shown()
                ),
            );
        }
    }
}
