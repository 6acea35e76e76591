//! `--diff BASE`: the files HEAD changed since its merge base with BASE, for pull-request
//! checks. Whole files are read from HEAD (a Dockerfile's user is decided by the whole
//! file); only findings on added or changed lines count.

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
    let blob_of = |path: &str| head_tree.get_path(Path::new(path)).ok().map(|e| e.id());
    Ok(gitutil::read_changed(
        repo,
        lines,
        &blob_of,
        Origin::WorkingTree,
        max_size,
    ))
}
