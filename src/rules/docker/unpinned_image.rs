//! `docker/unpinned-image`: a `FROM` (or `COPY --from=`) image with no tag or `latest`.
//!
//! ## What it does
//! Expands `ARG` defaults (global `ARG`s before the first `FROM`, `${X:-default}`) in each
//! `FROM`, then flags images without a tag or tagged `latest`. Stage names, `scratch` and
//! digests are fine; an image whose tag is only known at build time is left to
//! `docker/unverifiable-image`.
//!
//! ## Known problems
//! An `ARG` declared after the first `FROM` is not in scope for a later `FROM` in Docker;
//! its default is still used here, as the author evidently meant it.

use super::from::pulled_images;
use super::image::{Pin, pin_of};
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/unpinned-image";

pub struct UnpinnedImage;

impl Checker for UnpinnedImage {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for image in pulled_images(doc.dockerfile()) {
            let why = match pin_of(&image.resolved) {
                Pin::Untagged => "has no tag, so it pulls `latest`",
                Pin::Latest => "uses the moving `latest` tag",
                Pin::Pinned | Pin::Unresolved | Pin::NotAnImage => continue,
            };
            out.report(
                ID,
                image.range.clone(),
                format!("image {} {why}", image.shown()),
            );
        }
    }
}
