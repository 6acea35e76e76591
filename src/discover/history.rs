//! The git history: every blob reachable from any ref, each distinct blob read once.
//!
//! Commits are walked oldest first (topological order, reversed), and each commit's tree is
//! walked skipping every tree and blob already met. So a blob is met first under a commit
//! none of whose ancestors hold it: the commit that introduced it, and the path it first
//! had. Nothing is diffed and nothing is checked out; `git log -p` is never run. Blobs go
//! through a bounded channel to worker threads, each with its own handle on the object
//! database, so reading (inflating) and checking run in parallel and only the blobs in
//! flight are in memory.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use git2::{ObjectType, Oid, Repository, Sort};

use super::gitutil::{self, GitContext, GitError};
use super::tree::Visit;
use super::{CommitMeta, Origin, SkipReason, Source, looks_binary};

/// How to walk a repository's history.
pub struct HistoryWalk {
    /// A work tree (or a folder inside one: only files under it are scanned), its `.git`
    /// folder or a bare repository.
    pub root: PathBuf,
    /// Only commits not reachable from this revision.
    pub since: Option<String>,
    /// Worker threads for reading and checking blobs; 0 means one per core.
    pub threads: usize,
    pub max_file_size: u64,
    /// The configured excludes, for paths relative to the repository's top.
    pub exclude: ignore::gitignore::Gitignore,
}

/// What the walk saw, for the summary and for the working-tree pass.
#[derive(Debug, Default)]
pub struct HistoryStats {
    pub commits: usize,
    /// Distinct blobs handed to the workers.
    pub blobs: usize,
    /// Distinct submodule paths met (never followed).
    pub submodules: usize,
    /// Commits at the edge of a shallow clone, whose parents are not in the repository.
    pub shallow_boundary: usize,
    /// Every blob met, so the working-tree pass can skip files history already covered.
    pub seen_blobs: HashSet<Oid>,
    /// The repository's work tree, if it has one (bare repositories have none).
    pub workdir: Option<PathBuf>,
    /// The scanned folder's path from the work tree's top (`src/`), empty for all of it.
    pub within: String,
}

/// Progress counters the caller may show: blobs queued by the walk and blobs done.
#[derive(Debug, Default)]
pub struct Progress {
    pub queued: AtomicUsize,
    pub done: AtomicUsize,
    pub commits: AtomicUsize,
    /// Set once every commit has been walked: from then on `queued` is the total.
    pub walked: AtomicBool,
}

struct Job {
    oid: Oid,
    path: String,
    /// The path's bytes when they are not UTF-8 (`path` is then lossy).
    raw_path: Option<Vec<u8>>,
    commit: Arc<CommitMeta>,
    old_version: bool,
}

#[derive(Default)]
struct Seen {
    trees: HashSet<Oid>,
    blobs: HashSet<Oid>,
    submodules: HashSet<String>,
}

impl HistoryWalk {
    /// Walks the history and calls `visit` from the worker threads for every distinct blob.
    pub fn run(
        &self,
        visit: &(dyn Fn(Visit) + Sync),
        progress: &Progress,
    ) -> Result<HistoryStats, GitError> {
        let gitutil::Opened { repo, within } = gitutil::open(&self.root)?;
        let mut stats = HistoryStats {
            workdir: repo.workdir().map(Path::to_path_buf),
            within,
            shallow_boundary: shallow_boundary(&repo),
            ..HistoryStats::default()
        };
        if stats.shallow_boundary > 0 {
            visit(Visit::Warning(format!(
                "{}: shallow clone: the history behind {} boundary commit(s) is not in this \
                 repository and was not scanned",
                self.root.display(),
                stats.shallow_boundary
            )));
        }
        // Each object's id is checked against its content when read; the scan only reads,
        // and the check costs a fifth of the time (SHA-1 with collision detection).
        git2::opts::strict_hash_verification(false);
        // Every tree and blob is read once (the walk skips what it has seen), so libgit2's
        // object cache only holds memory: on a 20,000-commit history it grew the peak by
        // more than the rest of the scan together.
        git2::opts::enable_caching(false);
        let tips = tip_blobs(&repo);
        let mut seen = Seen::default();
        let walk = self.revwalk(&repo, &mut seen)?;

        let threads = match self.threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let (tx, rx) = sync_channel::<Job>(threads * 32);
        let rx = Mutex::new(rx);
        let repo_path = repo.path().to_path_buf();
        let walked = std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| worker(&repo_path, &rx, visit, self.max_file_size, progress));
            }
            let walked = enumerate(
                &repo,
                walk,
                &mut seen,
                (&tips, &self.exclude, &stats.within),
                &tx,
                visit,
                progress,
            );
            progress.walked.store(true, Ordering::Relaxed);
            // Closing the channel lets the workers finish.
            drop(tx);
            walked
        });
        stats.commits = walked?;
        stats.blobs = seen.blobs.len();
        stats.submodules = seen.submodules.len();
        stats.seen_blobs = seen.blobs;
        Ok(stats)
    }

    /// A walk over every commit reachable from any ref (branches, tags, remotes, stash)
    /// and HEAD, oldest first, minus what `since` reaches.
    fn revwalk<'r>(
        &self,
        repo: &'r Repository,
        seen: &mut Seen,
    ) -> Result<git2::Revwalk<'r>, GitError> {
        let mut walk = repo
            .revwalk()
            .doing(|| "starting the history walk".into())?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .doing(|| "sorting the history walk".into())?;
        let refs = repo
            .references()
            .doing(|| "listing the references".into())?;
        for reference in refs.flatten() {
            // Refs to trees or blobs (rare tags) hold no commit to walk.
            match reference.peel_to_commit() {
                Ok(commit) => walk
                    .push(commit.id())
                    .doing(|| format!("walking from {}", commit.id()))?,
                Err(err) => tracing::debug!(
                    "{}: not a commit, not walked: {err}",
                    String::from_utf8_lossy(reference.name_bytes())
                ),
            }
        }
        // A detached HEAD may point where no ref does.
        if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
            walk.push(head.id())
                .doing(|| "walking from HEAD".to_string())?;
        }
        if let Some(rev) = &self.since {
            let base = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .doing(|| format!("--since {rev}: no such commit"))?;
            walk.hide(base.id())
                .doing(|| format!("--since {rev}: cannot hide it"))?;
            // What the base's tree already holds is old news even where a newer commit
            // holds it too (an unchanged file).
            let tree = base
                .tree()
                .doing(|| format!("--since {rev}: reading its tree"))?;
            walk_tree(repo, &tree, seen, "", &mut |_, _| true);
        }
        Ok(walk)
    }
}

/// Walks the commits and queues each blob not met before. Returns the number of commits.
fn enumerate(
    repo: &Repository,
    walk: git2::Revwalk<'_>,
    seen: &mut Seen,
    (tips, exclude, within): (&HashSet<Oid>, &ignore::gitignore::Gitignore, &str),
    tx: &SyncSender<Job>,
    visit: &(dyn Fn(Visit) + Sync),
    progress: &Progress,
) -> Result<usize, GitError> {
    let mut commits = 0;
    for oid in walk {
        let oid = oid.doing(|| "walking the history".into())?;
        let tree = match repo.find_commit(oid).and_then(|c| Ok((c.tree()?, c))) {
            Ok(found) => found,
            Err(err) => {
                visit(Visit::Warning(format!(
                    "commit {oid}: cannot read it: {err}"
                )));
                continue;
            }
        };
        let (tree, commit) = tree;
        commits += 1;
        progress.commits.fetch_add(1, Ordering::Relaxed);
        if seen.trees.contains(&tree.id()) {
            // The same tree as an earlier commit (a revert, a merge with no changes).
            continue;
        }
        let mut meta: Option<Arc<CommitMeta>> = None;
        let mut open = true;
        walk_tree(repo, &tree, seen, within, &mut |oid, raw| {
            let path = String::from_utf8_lossy(&raw).into_owned();
            let raw_path = std::str::from_utf8(&raw).is_err().then_some(raw);
            if super::tree::is_excluded(exclude, &path) {
                return true;
            }
            let commit = meta
                .get_or_insert_with(|| gitutil::commit_meta(&commit))
                .clone();
            progress.queued.fetch_add(1, Ordering::Relaxed);
            // A send fails only when every worker has gone; stop queueing then.
            let old_version = !tips.contains(&oid);
            open = tx
                .send(Job {
                    oid,
                    path,
                    raw_path,
                    commit,
                    old_version,
                })
                .is_ok();
            open
        });
        if !open {
            break;
        }
    }
    Ok(commits)
}

/// The blobs of every ref's and HEAD's tree: the files as they are at the tips, which all
/// rules judge. Other blobs are older versions, judged by the secret rules only.
fn tip_blobs(repo: &Repository) -> HashSet<Oid> {
    let mut tips = Seen::default();
    let mut commits = Vec::new();
    if let Ok(refs) = repo.references() {
        commits.extend(refs.flatten().filter_map(|r| r.peel_to_commit().ok()));
    }
    commits.extend(repo.head().and_then(|h| h.peel_to_commit()).ok());
    for commit in commits {
        if let Ok(tree) = commit.tree() {
            walk_tree(repo, &tree, &mut tips, "", &mut |_, _| true);
        }
    }
    tips.blobs
}

/// Walks `tree` depth first, skipping trees and blobs in `seen`, and calls `new_blob` with
/// each new blob and its path's bytes (names in git need not be UTF-8). Stops early when
/// `new_blob` returns false. Only paths under `within` (`src/`; empty for all) are walked;
/// the others are not marked seen, so the same blob is still met at a path under it.
fn walk_tree(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    seen: &mut Seen,
    within: &str,
    new_blob: &mut dyn FnMut(Oid, Vec<u8>) -> bool,
) {
    let mut pending: VecDeque<(Oid, Vec<u8>)> = VecDeque::new();
    if seen.trees.insert(tree.id()) {
        pending.push_back((tree.id(), Vec::new()));
    }
    while let Some((id, prefix)) = pending.pop_front() {
        let tree = match repo.find_tree(id) {
            Ok(tree) => tree,
            Err(err) => {
                let shown = String::from_utf8_lossy(&prefix);
                tracing::warn!("tree {id} at `{shown}`: cannot read it: {err}");
                continue;
            }
        };
        for entry in tree.iter() {
            let mut path = prefix.clone();
            path.extend_from_slice(entry.name_bytes());
            let inside = path.starts_with(within.as_bytes());
            match entry.kind() {
                Some(ObjectType::Tree) if !inside => {
                    // A folder on the way to `within` (`src` for `src/app/`) is walked.
                    path.push(b'/');
                    if within.as_bytes().starts_with(&path) {
                        pending.push_back((entry.id(), path));
                    }
                }
                _ if !inside => {}
                Some(ObjectType::Tree) if seen.trees.insert(entry.id()) => {
                    path.push(b'/');
                    pending.push_back((entry.id(), path));
                }
                Some(ObjectType::Blob) => {
                    // A symbolic link's blob is its target, not content.
                    if entry.filemode() == 0o120000 || !seen.blobs.insert(entry.id()) {
                        continue;
                    }
                    if !new_blob(entry.id(), path) {
                        return;
                    }
                }
                // A submodule: its commits live in another repository.
                Some(ObjectType::Commit) => {
                    let path = String::from_utf8_lossy(&path).into_owned();
                    if seen.submodules.insert(path.clone()) {
                        tracing::info!("{path}: submodule, not followed");
                    }
                }
                _ => {}
            }
        }
    }
}

/// Reads queued blobs and hands them to `visit` until the channel closes.
fn worker(
    repo_path: &Path,
    rx: &Mutex<Receiver<Job>>,
    visit: &(dyn Fn(Visit) + Sync),
    max_size: u64,
    progress: &Progress,
) {
    let repo = Repository::open(repo_path);
    if let Err(err) = &repo {
        visit(Visit::Warning(format!(
            "{}: a worker cannot open the repository: {err}",
            repo_path.display()
        )));
    }
    let odb = repo.as_ref().ok().and_then(|r| r.odb().ok());
    loop {
        let job = {
            let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        let Ok(job) = job else { break };
        // Without a database the jobs are still taken, so the walk never blocks.
        let visited = match &odb {
            Some(odb) => read_blob(odb, job, max_size),
            None => Visit::Skipped {
                path: job.path,
                reason: SkipReason::Unreadable,
            },
        };
        visit(visited);
        progress.done.fetch_add(1, Ordering::Relaxed);
    }
}

fn read_blob(odb: &git2::Odb<'_>, job: Job, max_size: u64) -> Visit {
    let too_large = |path| Visit::Skipped {
        path,
        reason: SkipReason::TooLarge,
    };
    // The header gives the size without inflating the blob.
    if let Ok((size, _)) = odb.read_header(job.oid)
        && size as u64 > max_size
    {
        tracing::debug!("{} ({}): skipped, {size} bytes", job.path, job.oid);
        return too_large(job.path);
    }
    let object = match odb.read(job.oid) {
        Ok(object) => object,
        Err(err) => {
            tracing::warn!("{} (blob {}): cannot read it: {err}", job.path, job.oid);
            return Visit::Skipped {
                path: job.path,
                reason: SkipReason::Unreadable,
            };
        }
    };
    let data = object.data();
    if data.len() as u64 > max_size {
        return too_large(job.path);
    }
    let bytes = super::decode_bom(data).unwrap_or_else(|| data.to_vec());
    if looks_binary(&bytes) {
        return Visit::Skipped {
            path: job.path,
            reason: SkipReason::Binary,
        };
    }
    Visit::File(Source {
        path: job.path,
        bytes,
        origin: Origin::Commit(job.commit),
        old_version: job.old_version,
        raw_path: job.raw_path,
    })
}

/// How many commits sit at the edge of a shallow clone (lines of `.git/shallow`).
fn shallow_boundary(repo: &Repository) -> usize {
    if !repo.is_shallow() {
        return 0;
    }
    std::fs::read_to_string(repo.path().join("shallow"))
        .map(|s| s.lines().filter(|l| !l.trim().is_empty()).count())
        .unwrap_or(1)
}

/// True when some commit the walk met holds a blob with exactly the content of the file at
/// `path`, hashed as git would (streamed: the file may be one skipped as too large).
pub fn holds_file(stats: &HistoryStats, path: &Path) -> bool {
    Oid::hash_file(ObjectType::Blob, path).is_ok_and(|oid| stats.seen_blobs.contains(&oid))
}

/// True when some commit the walk met holds a blob with exactly `bytes`.
pub fn holds(stats: &HistoryStats, bytes: &[u8]) -> bool {
    Oid::hash_object(ObjectType::Blob, bytes).is_ok_and(|oid| stats.seen_blobs.contains(&oid))
}
