//! `--diff BASE`: the files HEAD changed since its merge base with BASE, for pull-request
//! checks. Whole files are read from HEAD (a Dockerfile's user is decided by the whole
//! file); only findings on added or changed lines count.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::Origin;
use super::gitutil::{self, ChangedFiles, GitContext, GitError};

/// HEAD's content of the files under `root` changed since `merge-base(base, HEAD)`;
/// paths are from the work tree's top, as in a tree scan.
pub fn changed_since(root: &Path, base: &str, max_size: u64) -> Result<ChangedFiles, GitError> {
    let opened = gitutil::open(root)?;
    let repo = &opened.repo;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .doing(|| "--diff: reading HEAD".into())?;
    let base_commit = repo
        .revparse_single(base)
        .and_then(|o| o.peel_to_commit())
        .doing(|| format!("--diff {base}: no such commit"))?;
    let merge_base = repo
        .merge_base(base_commit.id(), head.id())
        .doing(|| format!("--diff {base}: no common ancestor with HEAD"))?;
    let base_tree = repo
        .find_commit(merge_base)
        .and_then(|c| c.tree())
        .doing(|| format!("--diff {base}: reading the merge base {merge_base}"))?;
    let head_tree = head.tree().doing(|| "--diff: reading HEAD's tree".into())?;
    let mut diff = repo
        .diff_tree_to_tree(
            Some(&base_tree),
            Some(&head_tree),
            Some(&mut gitutil::line_diff_options()),
        )
        .doing(|| format!("--diff {base}: comparing trees"))?;
    let mut lines = gitutil::added_lines(&mut diff)?;
    // From a folder inside the work tree, only the files under it count.
    lines.retain(|path, _| opened.holds(path));
    narrow_moved_files(repo, &diff, &mut lines, head.id(), merge_base);
    let blob_of = |path: &str| head_tree.get_path(Path::new(path)).ok().map(|e| e.id());
    Ok(gitutil::read_changed(
        repo,
        lines,
        &blob_of,
        Origin::WorkingTree,
        max_size,
    ))
}

/// A file that the whole diff shows as added while another file was deleted may be a
/// rename that the diff cannot pair: on a branch that changed a small file and then moved
/// it, too few lines are alike for rename detection (git's own `diff -M` too). For such
/// files only the lines that blame puts after the merge base are added; blame follows each
/// commit's own renames. Files that were really new keep every line (no line is older
/// than the branch); where blame fails, every line counts, as before.
fn narrow_moved_files(
    repo: &git2::Repository,
    diff: &git2::Diff<'_>,
    lines: &mut std::collections::BTreeMap<String, std::collections::BTreeSet<usize>>,
    head: git2::Oid,
    merge_base: git2::Oid,
) {
    let deltas = || diff.deltas();
    // Blame costs a walk of the branch per file, so it runs only for an added file that
    // holds at least half of some deleted file's lines (trimmed, short ones such as `}`
    // left out): a shared licence header alone does not make a move. 500 added files over
    // 50 commits with one deleted file took 17 s instead of 0.9 s (debug build) without
    // this filter.
    let mut owners: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    let mut sizes = Vec::new();
    for delta in deltas().filter(|d| d.status() == git2::Delta::Deleted) {
        let Ok(blob) = repo.find_blob(delta.old_file().id()) else {
            continue;
        };
        let distinct: HashSet<&[u8]> = significant_lines(blob.content()).collect();
        for line in &distinct {
            owners.entry(line.to_vec()).or_default().push(sizes.len());
        }
        sizes.push(distinct.len());
    }
    if owners.is_empty() {
        return;
    }
    let shares_half = |id: git2::Oid| {
        let Ok(blob) = repo.find_blob(id) else {
            return false;
        };
        let distinct: HashSet<&[u8]> = significant_lines(blob.content()).collect();
        let mut shared = vec![0usize; sizes.len()];
        for line in distinct {
            for &d in owners.get(line).map_or(&[][..], Vec::as_slice) {
                shared[d] += 1;
            }
        }
        shared
            .iter()
            .zip(&sizes)
            .any(|(&n, &size)| n > 0 && 2 * n >= size)
    };
    let added: Vec<String> = deltas()
        .filter(|d| d.status() == git2::Delta::Added && shares_half(d.new_file().id()))
        .filter_map(|d| d.new_file().path().map(gitutil::path_string))
        .filter(|p| lines.contains_key(p))
        .collect();
    for path in added {
        let mut opts = git2::BlameOptions::new();
        opts.newest_commit(head).oldest_commit(merge_base);
        let blame = match repo.blame_file(Path::new(&path), Some(&mut opts)) {
            Ok(blame) => blame,
            Err(e) => {
                tracing::debug!("{path}: blame failed ({}); every line counts", e.message());
                continue;
            }
        };
        let mut new = std::collections::BTreeSet::new();
        for hunk in blame.iter() {
            if hunk.is_boundary() || hunk.final_commit_id() == merge_base {
                continue;
            }
            let start = hunk.final_start_line();
            new.extend(start..start + hunk.lines_in_hunk());
        }
        if let Some(old) = lines.get_mut(&path) {
            old.retain(|n| new.contains(n));
        }
    }
}

/// The lines of `bytes` worth comparing: trimmed, at least 4 bytes long.
fn significant_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .map(<[u8]>::trim_ascii)
        .filter(|l| l.len() >= 4)
}
