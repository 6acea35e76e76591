//! What the git discoverers share: opening a repository with a clear error, commit
//! metadata, and the lines a diff adds.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use git2::{Commit, Diff, DiffOptions, Repository};

use super::CommitMeta;

/// A git operation that failed, with what we were doing. Exit code 2 in `main`.
///
/// libgit2's error is kept by its message only: its "class=…; code=…" tail means nothing
/// to a user, so it is not a `source` (which the error line would print).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not a git repository, nor a folder inside one (the git modes need one)")]
    NotARepository { path: String },
    #[error("{what}: {cause}")]
    Git { what: String, cause: String },
}

/// Adds what we were doing to a libgit2 error.
pub trait GitContext<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, GitError>;
}

impl<T> GitContext<T> for Result<T, git2::Error> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|err| GitError::Git {
            what: what(),
            cause: err.message().to_string(),
        })
    }
}

/// A repository found from a scan root, and where the root is inside it.
pub struct Opened {
    pub repo: Repository,
    /// The root's path from the work tree's top, `/`-separated and ending with `/`; empty
    /// when the root is the top (or the repository is bare). Only files under it count.
    pub within: String,
}

impl Opened {
    /// Whether the repository path `path` is under the scanned folder.
    pub fn holds(&self, path: &str) -> bool {
        path.starts_with(&self.within)
    }
}

/// Opens the repository holding `path` (a work tree or a folder inside one, its `.git`, or
/// a bare repository), searching upward as git does: never across a filesystem boundary
/// nor above a folder of `GIT_CEILING_DIRECTORIES`.
pub fn open(path: &Path) -> Result<Opened, GitError> {
    let not_a_repo = || GitError::NotARepository {
        path: path.display().to_string(),
    };
    let ceilings: Vec<std::path::PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|dirs| {
            std::env::split_paths(&dirs)
                .filter(|d| d.is_absolute())
                .collect()
        })
        .unwrap_or_default();
    let repo = Repository::open_ext(path, git2::RepositoryOpenFlags::empty(), &ceilings)
        .map_err(|_| not_a_repo())?;
    let within = match (repo.workdir(), path.canonicalize()) {
        (Some(top), Ok(root)) => {
            let top = top.canonicalize().map_err(|_| not_a_repo())?;
            match root.strip_prefix(&top) {
                // The root is the work tree or a folder in it (not its `.git`).
                Ok(rel) if !rel.starts_with(".git") => {
                    let rel = path_string(rel);
                    if rel.is_empty() {
                        rel
                    } else {
                        format!("{rel}/")
                    }
                }
                _ => String::new(),
            }
        }
        _ => String::new(),
    };
    Ok(Opened { repo, within })
}

/// The paths (from the top, `/`-separated) of the regular files in the index of the
/// repository whose work tree top is `top`: what is committed or staged, whatever a
/// `.gitignore` says. `None` when there is no index to read. Paths that are not UTF-8 are
/// left out.
pub fn indexed_files(top: &Path) -> Option<Vec<String>> {
    let repo = Repository::open(top).ok()?;
    let index = repo.index().ok()?;
    Some(
        index
            .iter()
            .filter(|entry| matches!(entry.mode, 0o100644 | 0o100755))
            .filter_map(|entry| String::from_utf8(entry.path).ok())
            .collect(),
    )
}

/// The metadata a history finding shows for `commit`.
pub fn commit_meta(commit: &Commit<'_>) -> Arc<CommitMeta> {
    let author = commit.author();
    let when = author.when();
    Arc::new(CommitMeta {
        id: commit.id().to_string(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        time: when.seconds(),
        offset_minutes: when.offset_minutes(),
    })
}

/// Options for diffs whose added lines we want: no context, renames found later.
pub fn line_diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).ignore_submodules(true);
    opts
}

/// For each added or modified text file of `diff` (new-side path), the 1-based numbers of
/// its added lines. Deleted files and binary files are left out.
pub fn added_lines(diff: &mut Diff<'_>) -> Result<BTreeMap<String, BTreeSet<usize>>, GitError> {
    // A renamed file's lines are added only where its content changed.
    diff.find_similar(None)
        .doing(|| "finding renames".to_string())?;
    // Both callbacks add to the map; libgit2 calls them one at a time.
    let out: RefCell<BTreeMap<String, BTreeSet<usize>>> = RefCell::default();
    diff.foreach(
        &mut |delta, _| {
            let changed = matches!(
                delta.status(),
                git2::Delta::Added
                    | git2::Delta::Modified
                    | git2::Delta::Renamed
                    | git2::Delta::Copied
            );
            if let (true, Some(path)) = (changed, delta.new_file().path()) {
                out.borrow_mut().entry(path_string(path)).or_default();
            }
            true
        },
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if let ('+', Some(path), Some(n)) =
                (line.origin(), delta.new_file().path(), line.new_lineno())
            {
                out.borrow_mut()
                    .entry(path_string(path))
                    .or_default()
                    .insert(n as usize);
            }
            true
        }),
    )
    .doing(|| "reading the diff".to_string())?;
    Ok(out.into_inner())
}

/// git numbers lines at `\n` only; the scan also ends a line at a lone `\r` (classic Mac).
/// Each added git line becomes every scan line it holds, so a finding on such a line is
/// still on an added line.
fn renumber_for_lone_cr(bytes: &[u8], added: BTreeSet<usize>) -> BTreeSet<usize> {
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return added;
    }
    let mut out = BTreeSet::new();
    let (mut git_line, mut scan_line) = (1, 1);
    let mut first_of_git_line = 1;
    for i in 0..=bytes.len() {
        let end = i == bytes.len() || bytes[i] == b'\n';
        if i < bytes.len() && lone(i) {
            scan_line += 1;
        }
        if end {
            if added.contains(&git_line) {
                out.extend(first_of_git_line..=scan_line);
            }
            git_line += 1;
            scan_line += 1;
            first_of_git_line = scan_line;
        }
    }
    out
}

/// A repository path as reports show it: `/`-separated, lossy for non-UTF-8 names.
pub fn path_string(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Files a diff changed, read from one side, with the lines that count.
#[derive(Debug, Default)]
pub struct ChangedFiles {
    pub sources: Vec<super::Source>,
    /// For each source path, the 1-based lines added or changed.
    pub lines: BTreeMap<String, BTreeSet<usize>>,
    pub skipped: Vec<(String, super::SkipReason)>,
}

/// Reads the new side of each file in `lines` through `blob_of` (path to blob id), skipping
/// files with no added line, binaries and files over `max_size`.
pub fn read_changed(
    repo: &Repository,
    lines: BTreeMap<String, BTreeSet<usize>>,
    blob_of: &dyn Fn(&str) -> Option<git2::Oid>,
    origin: super::Origin,
    max_size: u64,
) -> ChangedFiles {
    use super::SkipReason;
    let mut out = ChangedFiles::default();
    for (path, added) in lines {
        // A pure rename or a deletion inside a file adds nothing to check.
        if added.is_empty() {
            continue;
        }
        let Some(blob) = blob_of(&path).and_then(|id| repo.find_blob(id).ok()) else {
            tracing::warn!("{path}: cannot read its new content");
            out.skipped.push((path, SkipReason::Unreadable));
            continue;
        };
        let bytes = blob.content();
        if bytes.len() as u64 > max_size {
            out.skipped.push((path, SkipReason::TooLarge));
            continue;
        }
        let bytes = super::decode_bom(bytes).unwrap_or_else(|| bytes.to_vec());
        if super::looks_binary(&bytes) {
            out.skipped.push((path, SkipReason::Binary));
            continue;
        }
        let added = renumber_for_lone_cr(&bytes, added);
        out.sources.push(super::Source {
            path: path.clone(),
            bytes,
            origin: origin.clone(),
            old_version: false,
            raw_path: None,
        });
        out.lines.insert(path, added);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_split_git_lines() {
        let added: BTreeSet<usize> = [2].into();
        // git line 2 is `b\rc\rd\r\n`: scan lines 2, 3 and 4.
        let got = renumber_for_lone_cr(b"a\nb\rc\rd\r\ne\n", added.clone());
        assert_eq!(got, [2, 3, 4].into());
        assert_eq!(renumber_for_lone_cr(b"a\r\nb\n", added.clone()), added);
        let later: BTreeSet<usize> = [3].into();
        assert_eq!(renumber_for_lone_cr(b"a\rb\nc\n", later), [4].into());
    }
}
