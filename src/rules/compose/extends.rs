//! `extends:`: the services a compose service builds on, in the same file or in another
//! compose file, so that a rule can ask "does this service, or what it extends, set X".
//!
//! Another file is read only when it stays inside the scanned folder: the path is resolved
//! relative to the compose file's folder, may not climb out of the scan root, and no part of
//! it may be a symbolic link (the walk never follows links; neither does this). Chains are
//! followed to [`MAX_DEPTH`] and cycles are detected. What cannot be followed is a warning
//! naming the `extends` line, and the service is then not judged by the rules that ask
//! (they do not guess).
//!
//! The bases are resolved once per document, for every service, on first request, and kept
//! in the document's parse cache.

use std::collections::HashMap;
use std::path::Path;

use super::services::{Service, services};
use crate::config::DEFAULT_MAX_FILE_SIZE;
use crate::document::Document;
use crate::parse::yaml::{self, Node, YamlFile};

/// At most this many `extends` steps from one service.
const MAX_DEPTH: usize = 16;

/// Each service's bases, nearest first (bodies copied out of whichever file holds them),
/// by the byte offset of the service's key; `None` when the chain could not be followed.
pub type BaseMap = HashMap<usize, Option<Vec<Node>>>;

/// The service's own body followed by the bodies of the services it extends, nearest
/// first: the first one that sets a key is the one that counts. `None` when an `extends`
/// could not be followed (a warning says why).
pub fn lineage<'d>(doc: &'d Document, service: &Service<'d>) -> Option<Vec<&'d Node>> {
    let bases = doc
        .cache
        .compose_bases
        .get_or_init(|| resolve_all(doc))
        .get(&service.key.pos.offset);
    let mut all = vec![service.body];
    match bases {
        Some(Some(bases)) => all.extend(bases.iter()),
        Some(None) => return None,
        None => {}
    }
    Some(all)
}

/// Why an `extends` was not followed.
enum Unfollowed {
    Malformed,
    NoRoot,
    Outside(String),
    Symlink(String),
    Unreadable(String),
    NotFound(String, String),
    Cycle(String),
    TooDeep,
}

impl Unfollowed {
    /// The warning's text. File and service names are names, not secrets: shown whole
    /// (control characters escaped).
    fn message(&self) -> String {
        let cut = crate::fingerprint::shown_name;
        match self {
            Unfollowed::Malformed => "`extends` names no service".to_string(),
            Unfollowed::NoRoot => {
                "`extends` names another file, which is only read when a folder is scanned"
                    .to_string()
            }
            Unfollowed::Outside(f) => {
                format!(
                    "`extends` file `{}` is outside the scanned folder; not read",
                    cut(f)
                )
            }
            Unfollowed::Symlink(f) => format!(
                "`extends` file `{}` is reached through a symbolic link; not read",
                cut(f)
            ),
            Unfollowed::Unreadable(f) => format!("`extends` file `{}` cannot be read", cut(f)),
            Unfollowed::NotFound(f, s) => {
                format!("`extends`: no service `{}` in `{}`", cut(s), cut(f))
            }
            Unfollowed::Cycle(s) => format!("`extends` goes round in a cycle through `{}`", cut(s)),
            Unfollowed::TooDeep => format!("`extends` is nested deeper than {MAX_DEPTH}"),
        }
    }
}

fn resolve_all(doc: &Document) -> BaseMap {
    let mut resolver = Resolver {
        doc,
        files: HashMap::new(),
    };
    let mut map = BaseMap::new();
    for service in services(doc) {
        let Some(extends) = service.body.get("extends") else {
            continue;
        };
        let mut bases = Vec::new();
        let mut seen = vec![(doc.path.to_string(), service.name.to_string())];
        let result = resolver.follow(doc.path, service.body, &mut seen, &mut bases);
        let value = match result {
            Ok(()) => Some(bases),
            Err(why) => {
                doc.warn(
                    extends.pos.line,
                    format!(
                        "{}; service `{}` is not judged by the rules that follow it",
                        why.message(),
                        crate::fingerprint::shown_name(service.name)
                    ),
                );
                None
            }
        };
        map.insert(service.key.pos.offset, value);
    }
    map
}

struct Resolver<'d> {
    doc: &'d Document<'d>,
    /// Other compose files read so far, by path relative to the scan root.
    files: HashMap<String, YamlFile>,
}

impl Resolver<'_> {
    /// Appends the bases of `body` (which lives in `file`) to `out`, nearest first.
    fn follow(
        &mut self,
        file: &str,
        body: &Node,
        seen: &mut Vec<(String, String)>,
        out: &mut Vec<Node>,
    ) -> Result<(), Unfollowed> {
        let Some(extends) = body.get("extends") else {
            return Ok(());
        };
        // Ex) extends: web          Ex) extends: {file: common.yml, service: web}
        let (name, other) = match extends.as_str() {
            Some(name) => (Some(name), None),
            None => (
                extends.get("service").and_then(Node::as_str),
                extends.get("file").and_then(Node::as_str),
            ),
        };
        let name = name.ok_or(Unfollowed::Malformed)?;
        let target = match other {
            Some(other) => join_inside(file, other)?,
            None => file.to_string(),
        };
        let step = (target.clone(), name.to_string());
        if seen.contains(&step) {
            return Err(Unfollowed::Cycle(name.to_string()));
        }
        if seen.len() > MAX_DEPTH {
            return Err(Unfollowed::TooDeep);
        }
        seen.push(step);

        let base = self
            .service_in(&target, name)?
            .ok_or_else(|| Unfollowed::NotFound(target.clone(), name.to_string()))?;
        out.push(base.clone());
        self.follow(&target, &base, seen, out)
    }

    /// A copy of service `name`'s body in `file` (relative to the scan root).
    fn service_in(&mut self, file: &str, name: &str) -> Result<Option<Node>, Unfollowed> {
        if file == self.doc.path {
            return Ok(find_service(&self.doc.yaml().documents, name));
        }
        if !self.files.contains_key(file) {
            let text = self.read(file)?;
            self.files.insert(file.to_string(), yaml::parse(&text));
        }
        Ok(self
            .files
            .get(file)
            .and_then(|f| find_service(&f.documents, name)))
    }

    /// Reads `rel` (relative to the scan root, already checked not to climb out of it)
    /// without following a symbolic link anywhere on the way.
    fn read(&self, rel: &str) -> Result<String, Unfollowed> {
        let root = self.doc.root().ok_or(Unfollowed::NoRoot)?;
        let mut path = root.to_path_buf();
        for part in rel.split('/') {
            path.push(part);
            let meta = std::fs::symlink_metadata(&path)
                .map_err(|_| Unfollowed::Unreadable(rel.to_string()))?;
            if meta.file_type().is_symlink() {
                return Err(Unfollowed::Symlink(rel.to_string()));
            }
        }
        let meta = std::fs::metadata(&path).map_err(|_| Unfollowed::Unreadable(rel.to_string()))?;
        if !meta.is_file() || meta.len() > DEFAULT_MAX_FILE_SIZE {
            return Err(Unfollowed::Unreadable(rel.to_string()));
        }
        let bytes = std::fs::read(&path).map_err(|_| Unfollowed::Unreadable(rel.to_string()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn find_service(documents: &[Node], name: &str) -> Option<Node> {
    documents
        .iter()
        .find_map(|root| root.path(&["services", name]))
        .filter(|n| n.as_map().is_some())
        .cloned()
}

/// `other` (an `extends.file`) resolved against the folder of `file`, both relative to
/// the scan root; an error when it is absolute or climbs out of the root.
fn join_inside(file: &str, other: &str) -> Result<String, Unfollowed> {
    let outside = || Unfollowed::Outside(other.to_string());
    if other.starts_with('/') || other.starts_with('\\') || Path::new(other).is_absolute() {
        return Err(outside());
    }
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for part in other.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(outside)?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(outside());
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let ok = |f: &str, o: &str| join_inside(f, o).ok();
        assert_eq!(
            ok("a/compose.yml", "common.yml").as_deref(),
            Some("a/common.yml")
        );
        assert_eq!(
            ok("a/compose.yml", "./b/../c.yml").as_deref(),
            Some("a/c.yml")
        );
        assert_eq!(ok("a/compose.yml", "../c.yml").as_deref(), Some("c.yml"));
        assert_eq!(ok("compose.yml", "../c.yml"), None);
        assert_eq!(ok("a/compose.yml", "../../c.yml"), None);
        assert_eq!(ok("compose.yml", "/etc/c.yml"), None);
        assert_eq!(ok("compose.yml", ".."), None);
    }

    /// The bases found for each service of `compose.yml` in `root`, by name.
    fn bases_in(root: &Path) -> Vec<(String, Option<usize>)> {
        let text = std::fs::read_to_string(root.join("compose.yml")).unwrap();
        let doc = Document::new("compose.yml", crate::kind::FileKind::Compose, &text)
            .with_root(Some(root));
        services(&doc)
            .iter()
            .map(|s| (s.name.to_string(), lineage(&doc, s).map(|l| l.len() - 1)))
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("compose.yml"),
            "services:\n  a:\n    extends: {file: base.yml, service: b}\n  \
             l:\n    extends: {file: link.yml, service: b}\n  \
             d:\n    extends: {file: linked/base.yml, service: b}\n",
        )
        .unwrap();
        std::fs::write(root.join("base.yml"), "services:\n  b:\n    image: x:1\n").unwrap();
        std::os::unix::fs::symlink(root.join("base.yml"), root.join("link.yml")).unwrap();
        std::os::unix::fs::symlink(root, root.join("linked")).unwrap();
        assert_eq!(
            bases_in(root),
            [
                ("a".to_string(), Some(1)),
                ("l".to_string(), None),
                ("d".to_string(), None)
            ]
        );
    }

    #[test]
    fn a_single_file_scan_does_not_read_other_files() {
        let text = "services:\n  a:\n    extends: {file: base.yml, service: b}\n  \
                    c:\n    extends: d\n  d:\n    image: x:1\n";
        let doc = Document::new("compose.yml", crate::kind::FileKind::Compose, text);
        let found: Vec<_> = services(&doc)
            .iter()
            .map(|s| lineage(&doc, s).map(|l| l.len()))
            .collect();
        assert_eq!(found, [None, Some(2), Some(1)]);
        assert_eq!(doc.take_warnings().len(), 1);
    }
}
