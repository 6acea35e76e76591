//! End-to-end check of `primaryLocationLineHash` against GitHub's own before/after SARIF
//! files (tests/data/github-fingerprinting/, from github/codeql-action's test data): for
//! every result we must add exactly the fingerprint GitHub adds, and none where it adds none.

use std::path::Path;

use serde_json::{Map, Value};
use smartedu_lint::report::line_hash::line_hashes;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/github-fingerprinting"
);

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(DATA).join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The result's file, as GitHub resolves it: the location's own `uri`, or the `uri` of the
/// run's artifact at the location's `index`.
fn result_uri<'a>(run: &'a Value, result: &'a Value) -> Option<&'a str> {
    let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    if let Some(uri) = artifact["uri"].as_str() {
        return Some(uri);
    }
    let index = artifact["index"].as_u64()? as usize;
    run["artifacts"][index]["location"]["uri"].as_str()
}

/// What we would add to `result`: GitHub's line hash of its first line, when the result
/// has a line and its file is there.
fn our_fingerprints(run: &Value, result: &Value) -> Map<String, Value> {
    let mut prints = result["partialFingerprints"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let line = result["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64();
    let file = result_uri(run, result).map(|uri| Path::new(DATA).join(uri));
    if let (Some(line), Some(file)) = (line, file)
        && let Ok(text) = std::fs::read_to_string(file)
    {
        let hash = line_hashes(&text)[line as usize - 1].clone();
        prints.insert("primaryLocationLineHash".into(), Value::String(hash));
    }
    prints
}

#[test]
fn line_hashes_match_githubs_fingerprinted_sarif() {
    let mut hashed = 0;
    for (input, expected) in [
        (
            "fingerprinting.input.sarif",
            "fingerprinting.expected.sarif",
        ),
        (
            "fingerprinting2.input.sarif",
            "fingerprinting2.expected.sarif",
        ),
    ] {
        let input = load(input);
        let expected = load(expected);
        let run = &input["runs"][0];
        let results = run["results"].as_array().unwrap();
        let want_results = expected["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), want_results.len());
        for (result, want) in results.iter().zip(want_results) {
            let ours = our_fingerprints(run, result);
            let want = want["partialFingerprints"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            assert_eq!(ours, want, "result {result}");
            hashed += usize::from(ours.contains_key("primaryLocationLineHash"));
        }
    }
    assert_eq!(
        hashed, 2,
        "both of GitHub's fingerprinted results were checked"
    );
}
