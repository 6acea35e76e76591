//! `compose/exposed-database-port`: a database port published on every interface.
//!
//! ## What it does
//! Flags a `ports:` entry whose container port is a well-known database port (PostgreSQL
//! 5432, MySQL 3306, MongoDB 27017, Redis 6379, Elasticsearch 9200), alone or inside a
//! range, published without a host address or on `0.0.0.0` / `::`. Short syntax
//! (`"5432:5432"`, `"15432:5432/tcp"`, `"5430-5435:5430-5435"`, `"5432"`) and long syntax
//! (`target:` / `published:` / `host_ip:`) are read, `${VAR:-default}` interpolated.
//! Binding to a given address (`127.0.0.1:5432:5432`, `[::1]:5432:5432`, a private
//! interface's address) is fine, and so is `expose:` (reachable from other containers
//! only). Reported on the entry's line.
//!
//! ## Why is this bad?
//! Docker's published ports bypass host firewalls such as `ufw`: the database answers the
//! whole network, and the internet on a public host. Databases in development setups
//! often have default or no passwords.
//!
//! ## Known problems
//! A database listening on another port (`command: -p 5433`) is not recognised; the rule
//! goes by the container port.

use std::collections::HashSet;

use super::services::{range_of, services};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::yaml::Node;
use crate::rules::docker::image::interpolate;
use crate::rules::{Checker, Findings};

const ID: &str = "compose/exposed-database-port";

/// Container ports of common databases, and their names for the message.
const DATABASE_PORTS: [(u32, &str); 5] = [
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
];

pub struct ExposedDatabasePort;

impl Checker for ExposedDatabasePort {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Compose
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        // An entry shared through an anchor is reported once, where it is written.
        let mut seen = HashSet::new();
        for service in services(doc) {
            let Some(ports) = service.body.get("ports").and_then(Node::as_seq) else {
                continue;
            };
            for entry in ports {
                let Some(binding) = binding_of(entry) else {
                    continue;
                };
                if !binding.on_all_interfaces() || !seen.insert(entry.pos.offset) {
                    continue;
                }
                let Some((port, name)) = DATABASE_PORTS
                    .iter()
                    .find(|(p, _)| binding.first <= *p && *p <= binding.last)
                else {
                    continue;
                };
                out.report(
                    ID,
                    range_of(doc, entry),
                    format!(
                        "service `{}` publishes {name} port {port} on every interface",
                        service.name
                    ),
                );
            }
        }
    }
}

/// A published port: host address (empty when not given) and container port range.
#[derive(Debug, PartialEq)]
struct Binding {
    host_ip: String,
    first: u32,
    last: u32,
}

impl Binding {
    fn on_all_interfaces(&self) -> bool {
        matches!(
            self.host_ip.trim_matches(['[', ']']),
            "" | "0.0.0.0" | "::" | "*"
        )
    }
}

/// Reads one `ports:` entry, short or long syntax; `None` when it is not understood.
fn binding_of(entry: &Node) -> Option<Binding> {
    if let Some(short) = entry.as_str() {
        return parse_short(&interpolate(short));
    }
    // Ex) - target: 5432
    //       published: "5432"
    //       host_ip: 127.0.0.1
    let target = interpolate(entry.get("target")?.as_str()?);
    let (first, last) = parse_range(&target)?;
    let host_ip = entry
        .get("host_ip")
        .and_then(Node::as_str)
        .map(interpolate)
        .unwrap_or_default();
    Some(Binding {
        host_ip,
        first,
        last,
    })
}

/// `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`; an IPv6 host address is bracketed.
fn parse_short(text: &str) -> Option<Binding> {
    let text = text.trim();
    let text = text.split('/').next().unwrap_or(text);
    let (host_ip, ports) = match text.strip_prefix('[') {
        // Ex) [::1]:5432:5432
        Some(rest) => {
            let (ip, rest) = rest.split_once(']')?;
            (ip.to_string(), rest.trim_start_matches(':'))
        }
        None => {
            let parts: Vec<&str> = text.split(':').collect();
            match parts.as_slice() {
                [ip, _, _] => (ip.to_string(), text),
                _ => (String::new(), text),
            }
        }
    };
    let container = ports.rsplit(':').next()?;
    let (first, last) = parse_range(container)?;
    Some(Binding {
        host_ip,
        first,
        last,
    })
}

/// `5432` or `5430-5435`.
fn parse_range(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    match text.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let port = text.parse().ok()?;
            Some((port, port))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(text: &str) -> Option<(String, u32, u32)> {
        parse_short(text).map(|b| (b.host_ip, b.first, b.last))
    }

    #[test]
    fn short_syntax() {
        let all = |a, b| Some((String::new(), a, b));
        assert_eq!(short("5432"), all(5432, 5432));
        assert_eq!(short("15432:5432/tcp"), all(5432, 5432));
        assert_eq!(short("5430-5435:5430-5435"), all(5430, 5435));
        assert_eq!(
            short("127.0.0.1:5432:5432"),
            Some(("127.0.0.1".into(), 5432, 5432))
        );
        assert_eq!(short("[::1]:5432:5432"), Some(("::1".into(), 5432, 5432)));
        assert_eq!(
            short("0.0.0.0:3306:3306"),
            Some(("0.0.0.0".into(), 3306, 3306))
        );
        assert_eq!(short("not a port"), None);
    }
}
