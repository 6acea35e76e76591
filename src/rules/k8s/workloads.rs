//! The pod specs and containers of Kubernetes manifests, as the `k8s/` rules see them.

use crate::document::Document;
use crate::parse::yaml::Node;

/// A container and the pod spec it runs in.
pub struct Container<'a> {
    pub pod: &'a Node,
    pub body: &'a Node,
    /// `initContainers` rather than `containers`.
    pub init: bool,
}

impl Container<'_> {
    pub fn name(&self) -> &str {
        self.body.get("name").and_then(Node::as_str).unwrap_or("?")
    }
}

/// Every container of every workload in `doc` (all documents of a multi-document file).
/// Helm templates are not YAML until rendered: they give nothing, and `warn` says so.
pub fn containers<'d>(doc: &'d Document, warn: bool) -> Vec<Container<'d>> {
    if doc.text.contains("{{") {
        if warn {
            doc.warn(
                0,
                "looks like a Helm template (`{{ }}`); not checked until rendered",
            );
        }
        return Vec::new();
    }
    let mut all = Vec::new();
    for root in doc.yaml().documents.iter().flat_map(objects) {
        let Some(pod) = pod_spec(root) else {
            continue;
        };
        if pod.as_map().is_none() {
            if warn {
                doc.warn(
                    pod.pos.line,
                    "the pod spec is not a mapping; its containers are not checked",
                );
            }
            continue;
        }
        for (key, init) in [("containers", false), ("initContainers", true)] {
            for body in pod.get(key).and_then(Node::as_seq).unwrap_or(&[]) {
                if body.as_map().is_some() {
                    all.push(Container { pod, body, init });
                }
            }
        }
    }
    all
}

/// The pod specs in `doc` that are not mappings (a list where the map belongs): nothing in
/// them can be read, so no setting in them makes the pod safe.
pub fn malformed_pod_specs<'d>(doc: &'d Document) -> Vec<&'d Node> {
    if doc.text.contains("{{") {
        return Vec::new();
    }
    doc.yaml()
        .documents
        .iter()
        .flat_map(objects)
        .filter_map(pod_spec)
        .filter(|pod| pod.as_map().is_none() && !pod.is_null())
        .collect()
}

/// The objects of one YAML document: the document itself, or the `items` of a `kind: List`
/// (what `kubectl get -o yaml` prints and `kubectl apply` accepts), each of them checked
/// like a document of its own; a List among the items is opened too, as kubectl flattens
/// nested lists.
fn objects(root: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    collect_objects(root, 0, &mut out);
    out
}

/// Lists nested deeper than this are not opened (a hand-made file, not kubectl's).
const MAX_LIST_DEPTH: usize = 16;

fn collect_objects<'a>(node: &'a Node, depth: usize, out: &mut Vec<&'a Node>) {
    let is_list = node
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k == "List" || k.ends_with("List"));
    if !is_list {
        out.push(node);
        return;
    }
    if depth >= MAX_LIST_DEPTH {
        return;
    }
    for item in node.get("items").and_then(Node::as_seq).unwrap_or(&[]) {
        if item.as_map().is_some() {
            collect_objects(item, depth + 1, out);
        }
    }
}

/// The pod spec of a workload document, by its `kind` (not necessarily a mapping).
fn pod_spec(root: &Node) -> Option<&Node> {
    let path: &[&str] = match root.get("kind")?.as_str()? {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => &["spec", "template", "spec"],
        _ => return None,
    };
    root.path(path)
}

/// The value of `securityContext.<key>`, the container's winning over the pod's.
pub fn security<'a>(c: &Container<'a>, key: &str) -> Option<&'a Node> {
    c.body
        .path(&["securityContext", key])
        .or_else(|| c.pod.path(&["securityContext", key]))
}
