//! `compose/docker-socket-mount`: a service that mounts the Docker socket.
//!
//! ## What it does
//! Flags a `volumes:` entry whose source is `/var/run/docker.sock` (or
//! `/run/docker.sock`), in the short (`src:dst[:mode]`) or the long (`source:`) syntax.
//! Reported on the entry's line. A read-only mount is flagged too: the API is reachable
//! through it all the same.
//!
//! ## Why is this bad?
//! Whoever can talk to the Docker daemon can start a privileged container that mounts the
//! host's root file system: the socket is root on the host.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::yaml::Node;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/docker-socket-mount";

pub struct DockerSocketMount;

impl Checker for DockerSocketMount {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut seen = HashSet::new();
        for service in services(doc) {
            let Some(volumes) = service.body.get("volumes").and_then(Node::as_seq) else {
                continue;
            };
            for volume in volumes {
                let source = match volume.as_str() {
                    Some(short) => short.split(':').next(),
                    None => volume.get("source").and_then(Node::as_str),
                };
                if !source.is_some_and(is_docker_socket) || !seen.insert(volume.pos.offset) {
                    continue;
                }
                out.report(
                    ID,
                    range_of(doc, volume),
                    format!("service `{}` mounts the Docker socket", service.name),
                );
            }
        }
    }
}

fn is_docker_socket(path: &str) -> bool {
    let path = path.trim().trim_end_matches('/');
    path.ends_with("/docker.sock") && (path.starts_with("/var/run/") || path.starts_with("/run/"))
}
