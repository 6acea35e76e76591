//! `--staged`: what the next commit would add, as the pre-commit hook needs it.
//!
//! One diff of HEAD's tree against the index (no walk, no history), then the index's
//! content of each added or modified file; only its added lines count.

use std::path::Path;

use super::Origin;
use super::gitutil::{self, ChangedFiles, GitContext, GitError};

/// The staged content of added and modified files under `root` (the repository holding it,
/// or a folder inside its work tree); paths are from the work tree's top.
pub fn staged(root: &Path, max_size: u64) -> Result<ChangedFiles, GitError> {
    let opened = gitutil::open(root)?;
    let repo = &opened.repo;
    let index = repo.index().doing(|| "reading the index".into())?;
    // Before the first commit there is no HEAD: everything staged is added.
    let head_tree = repo.head().and_then(|h| h.peel_to_tree()).ok();
    let mut diff = repo
        .diff_tree_to_index(
            head_tree.as_ref(),
            Some(&index),
            Some(&mut gitutil::line_diff_options()),
        )
        .doing(|| "comparing the index with HEAD".into())?;
    let mut lines = gitutil::added_lines(&mut diff)?;
    // From a folder inside the work tree, only the files under it count.
    lines.retain(|path, _| opened.holds(path));
    let blob_of = |path: &str| index.get_path(Path::new(path), 0).map(|e| e.id);
    Ok(gitutil::read_changed(
        repo,
        lines,
        &blob_of,
        Origin::Index,
        max_size,
    ))
}
