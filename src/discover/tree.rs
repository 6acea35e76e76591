//! The working tree: a parallel, `.gitignore`-aware walk (the `ignore` crate's walker, with
//! git's ignore files read by `ignore_files`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use super::ignore_files::IgnoreFiles;
use super::{SkipReason, Source, looks_binary};

/// What the walker found for one path.
pub enum Visit {
    File(Source),
    Skipped {
        path: String,
        reason: SkipReason,
    },
    /// A problem worth one warning line: a broken symlink, an unreadable folder.
    Warning(String),
}

/// How to walk.
pub struct TreeWalk {
    pub roots: Vec<PathBuf>,
    pub threads: usize,
    pub max_file_size: u64,
    /// Gitignore-syntax patterns, relative to each root.
    pub exclude: Vec<String>,
    /// The report this run writes (`--output`), never scanned: a second run would
    /// otherwise report the rule examples it quotes.
    pub output: Option<PathBuf>,
}

/// True for a SARIF report's file name: skipped when walking a folder, for the same reason
/// as the `--output` file.
fn is_sarif_report(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".sarif") || name.ends_with(".sarif.json")
}

impl TreeWalk {
    /// True when `path` is the `--output` file (compared by file name first, so that
    /// other files cost no lookup).
    fn is_output(&self, path: &Path) -> bool {
        let Some(output) = &self.output else {
            return false;
        };
        if output.file_name() != path.file_name() {
            return false;
        }
        match (std::fs::canonicalize(output), std::fs::canonicalize(path)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl TreeWalk {
    /// Walks every root in parallel and calls `visit` from the worker threads.
    pub fn run(&self, visit: &(dyn Fn(Visit) + Sync)) {
        // Files named one by one (as a pre-commit hook passes them) are relative to the
        // working directory, so the configured excludes apply from there.
        for root in &self.roots {
            self.run_root(root, visit);
        }
    }

    /// Walks one of the roots (a file or a folder).
    pub fn run_root(&self, root: &Path, visit: &(dyn Fn(Visit) + Sync)) {
        let file_excludes = build_excludes(Path::new("."), &self.exclude);
        {
            if root.is_file() {
                let shown = file_root_path(root);
                if root.is_relative()
                    && file_excludes
                        .matched_path_or_any_parents(display_path(root), false)
                        .is_ignore()
                {
                    tracing::debug!("{shown}: excluded by the configuration");
                    return;
                }
                if self.is_output(root) {
                    tracing::debug!("{shown}: this run's report, not scanned");
                    return;
                }
                visit(read_file(root, shown, None, self.max_file_size));
                return;
            }
            // A file a `.gitignore` matches is still in the repository when it was committed
            // before the pattern (or added with `git add -f`): the usual way a `.env` leaks.
            // The walk passes it by; the index names it.
            let seen = std::sync::Mutex::new(std::collections::HashSet::new());
            let recording = |v: Visit| {
                if let Visit::File(Source { path, .. }) | Visit::Skipped { path, .. } = &v {
                    lock_set(&seen).insert(path.clone());
                }
                visit(v);
            };
            self.walk_dir(root, &recording);
            let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
            self.visit_tracked_unseen(root, &seen, visit);
        }
    }

    /// Reads the files of the index under `root` that the walk did not meet, other than
    /// those the configuration excludes and those reached through a symbolic link.
    fn visit_tracked_unseen(
        &self,
        root: &Path,
        seen: &std::collections::HashSet<String>,
        visit: &(dyn Fn(Visit) + Sync),
    ) {
        let (base, prefix) = report_base(root);
        if !base.join(".git").exists() {
            return;
        }
        let Some(tracked) = super::gitutil::indexed_files(&base) else {
            return;
        };
        let excludes = build_excludes(root, &self.exclude);
        let prefix = prefix.trim_start_matches("./").trim_end_matches('/');
        let prefix = if prefix == "." { "" } else { prefix };
        for path in tracked {
            if seen.contains(&path) {
                continue;
            }
            let rel = if prefix.is_empty() {
                path.as_str()
            } else {
                match path.strip_prefix(prefix).and_then(|r| r.strip_prefix('/')) {
                    Some(rel) => rel,
                    None => continue,
                }
            };
            if excludes.matched_path_or_any_parents(rel, false).is_ignore() {
                continue;
            }
            // Every folder on the way, and the file: a link may lead out of the tree.
            let mut at = root.to_path_buf();
            let mut plain = true;
            for part in rel.split('/') {
                at.push(part);
                plain = std::fs::symlink_metadata(&at).is_ok_and(|m| !m.file_type().is_symlink());
                if !plain {
                    break;
                }
            }
            let name = at.file_name().map(|n| n.to_string_lossy().into_owned());
            if !plain
                || !at.is_file()
                || name.is_some_and(|n| is_sarif_report(&n))
                || self.is_output(&at)
            {
                continue;
            }
            tracing::debug!("{path}: matched by a .gitignore but tracked by git, scanned");
            visit(read_file(&at, path, None, self.max_file_size));
        }
    }

    fn walk_dir(&self, root: &Path, visit: &(dyn Fn(Visit) + Sync)) {
        let excludes = build_excludes(root, &self.exclude);
        let (base, mut prefix) = report_base(root);
        // Outside a repository, several roots are told apart by the path as given.
        let in_repo = base.join(".git").exists();
        if !in_repo && self.roots.len() > 1 {
            prefix = if root.is_relative() {
                display_path(root)
            } else {
                // `/srv/a /srv/b`: named from the folder they share (`a/..`, `b/..`).
                beneath_common_folder(&self.roots, root)
            };
        }
        let prefix = prefix.trim_start_matches("./").trim_end_matches('/');
        let prefix = if prefix == "." { "" } else { prefix };
        // Each loop of links is reported once, though every link in it is visited.
        let loops_seen: std::sync::Mutex<std::collections::BTreeSet<Vec<PathBuf>>> =
            Default::default();
        // Git's ignore files are read by `IgnoreFiles`, which never opens one through a
        // symbolic link; the crate's own reading (a plain `open`, which follows links) is
        // off. `.ignore` files are ripgrep's, not git's: a repository's scan must not be
        // silenced by a file that git itself does not honour.
        let warn = |message: String| visit(Visit::Warning(message));
        let ignores = Arc::new(IgnoreFiles::new(root, prefix, &warn));
        let filter = Arc::clone(&ignores);
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_ignore(false)
            .git_exclude(false)
            .git_global(false)
            .follow_links(false)
            .threads(self.threads)
            // Runs before an entry is queued: an ignored folder is never read.
            .filter_entry(move |entry| entry.file_name() != ".git" && !filter.is_ignored(entry));
        builder.build_parallel().run(|| {
            let excludes = &excludes;
            let loops_seen = &loops_seen;
            let ignores = &ignores;
            let warn = &warn;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        visit(Visit::Warning(err.to_string()));
                        return WalkState::Continue;
                    }
                };
                let path = entry.path();
                let rel = relative(root, path);
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !rel.is_empty()
                    && excludes
                        .matched_path_or_any_parents(&rel, is_dir)
                        .is_ignore()
                {
                    return if is_dir {
                        WalkState::Skip
                    } else {
                        WalkState::Continue
                    };
                }
                let Some(file_type) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if file_type.is_symlink() {
                    // A `.gitignore` link where git would read it was named when its folder
                    // was entered: one warning, not a second one about the link.
                    if entry.file_name() == ".gitignore" && ignores.in_repository(&entry) {
                        return WalkState::Continue;
                    }
                    // Never follow a link: it may point out of the tree. Only its own
                    // chain of links is read (`readlink`), to say why one is unusable.
                    if std::fs::metadata(path).is_ok() {
                        tracing::debug!("{rel}: symbolic link, not followed");
                        return WalkState::Continue;
                    }
                    let trouble = link_trouble(path);
                    if let LinkTrouble::Loop(cycle) = &trouble {
                        let first = cycle.iter().min().cloned();
                        let new = lock_set(loops_seen).insert(sorted(cycle));
                        let in_it = cycle.contains(&lexical(path));
                        if in_it && !new {
                            return WalkState::Continue;
                        }
                        // The loop is named from its least path, whichever link the
                        // parallel walk met first, so the line is the same every run.
                        let at = match (in_it, first) {
                            (true, Some(first)) => inside(root, &first).unwrap_or(rel.clone()),
                            _ => rel.clone(),
                        };
                        let message = trouble.describe(&|p| inside(root, p));
                        visit(Visit::Warning(format!("{at}: {message}, skipped")));
                        return WalkState::Continue;
                    }
                    let message = trouble.describe(&|p| inside(root, p));
                    visit(Visit::Warning(format!("{rel}: {message}, skipped")));
                    return WalkState::Continue;
                }
                if file_type.is_dir() {
                    // Before the walk filters its entries (they are queued after this).
                    ignores.enter(&entry, warn);
                    return WalkState::Continue;
                }
                if file_type.is_file() {
                    let name = entry.file_name().to_string_lossy();
                    if is_sarif_report(&name) || self.is_output(path) {
                        tracing::debug!("{rel}: a SARIF report or this run's output, skipped");
                        return WalkState::Continue;
                    }
                    let raw = raw_path(prefix, root, path);
                    visit(read_file(
                        path,
                        shown_path(prefix, rel),
                        raw,
                        self.max_file_size,
                    ));
                }
                WalkState::Continue
            })
        });
    }
}

/// Why a symbolic link cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkTrouble {
    /// Following it comes back to a link already followed: the links of the loop, from
    /// the one that closes it.
    Loop(Vec<PathBuf>),
    /// It leads into a loop of other links.
    IntoLoop(Vec<PathBuf>),
    /// Its target (or the target of a link it leads to) does not exist.
    Broken,
    /// Its target exists but cannot be read (permissions).
    Unreadable,
}

impl LinkTrouble {
    /// A few words for a warning or an error; the loop's links are listed when `shown`
    /// names every one of them (paths outside the scan are not echoed).
    pub fn describe(&self, shown: &dyn Fn(&Path) -> Option<String>) -> String {
        let chain = |cycle: &[PathBuf]| {
            let start = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| *p)
                .map_or(0, |(i, _)| i);
            let names: Option<Vec<String>> = cycle[start..]
                .iter()
                .chain(&cycle[..start])
                .chain(cycle.get(start))
                .map(|p| shown(p))
                .collect();
            names.map_or(String::new(), |n| format!(" ({})", n.join(" -> ")))
        };
        match self {
            LinkTrouble::Loop(cycle) => format!("symbolic link loop{}", chain(cycle)),
            LinkTrouble::IntoLoop(cycle) => {
                format!("symbolic link into a loop of links{}", chain(cycle))
            }
            LinkTrouble::Broken => "broken symbolic link (its target does not exist)".into(),
            LinkTrouble::Unreadable => "symbolic link whose target cannot be read".into(),
        }
    }
}

/// Why the symbolic link at `path` has no usable target (`metadata` failed on it). Reads
/// only links (`readlink`, `lstat`), never a target's content.
pub fn link_trouble(path: &Path) -> LinkTrouble {
    // The kernel gives up after 40 links; a chain that long is a loop for our purpose.
    const MAX_LINKS: usize = 40;
    let mut chain = vec![lexical(path)];
    for _ in 0..MAX_LINKS {
        let Some(current) = chain.last() else {
            break;
        };
        let Ok(target) = std::fs::read_link(current) else {
            return LinkTrouble::Broken;
        };
        let next = lexical(&current.parent().unwrap_or(Path::new("")).join(target));
        if let Some(at) = chain.iter().position(|p| *p == next) {
            let cycle = chain.split_off(at);
            return if at == 0 {
                LinkTrouble::Loop(cycle)
            } else {
                LinkTrouble::IntoLoop(cycle)
            };
        }
        match std::fs::symlink_metadata(&next) {
            Ok(m) if m.file_type().is_symlink() => chain.push(next),
            Ok(_) => return LinkTrouble::Unreadable,
            Err(_) => return LinkTrouble::Broken,
        }
    }
    LinkTrouble::Loop(chain)
}

/// `path` with `.` dropped and `..` applied to the part before it, without asking the
/// file system (a link's target is relative to the link's folder as written).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `p` relative to `root` when it is under it (as `/`-separated text), else `None`.
fn inside(root: &Path, p: &Path) -> Option<String> {
    p.strip_prefix(lexical(root)).ok().map(display_path)
}

fn sorted(cycle: &[PathBuf]) -> Vec<PathBuf> {
    let mut v = cycle.to_vec();
    v.sort();
    v
}

fn lock_set<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How a report names a file given as a root. Inside a git work tree, by its path from
/// the top, as a scan of its folder names it (`cd src && smartedu-lint app.py` reports
/// `src/app.py`, not `app.py`), so its findings keep their fingerprints and baseline
/// entries whichever way it was named. Elsewhere, by the path as given when that is
/// relative and stays below the working directory, else by its file name: never an
/// absolute path, never a `..`.
fn file_root_path(root: &Path) -> String {
    let name = root
        .file_name()
        .map(|n| display_path(Path::new(n)))
        .unwrap_or_default();
    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (base, prefix) = report_base(parent);
    if base.join(".git").exists() {
        return shown_path(&prefix, name);
    }
    let climbs = root
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    if root.is_relative() && !climbs {
        display_path(root)
    } else {
        name
    }
}

/// `root` relative to the deepest folder that holds every one of `roots`, so that
/// several absolute roots outside a repository are told apart in reports.
fn beneath_common_folder(roots: &[PathBuf], root: &Path) -> String {
    let absolute: Vec<PathBuf> = roots
        .iter()
        .map(|r| r.canonicalize().unwrap_or_else(|_| r.clone()))
        .collect();
    let Some(first) = absolute.first() else {
        return String::new();
    };
    let common = first
        .ancestors()
        .find(|dir| absolute.iter().all(|r| r.starts_with(dir)))
        .unwrap_or(Path::new("/"));
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    root.strip_prefix(common)
        .map(display_path)
        .unwrap_or_default()
}

/// The configured excludes as a matcher for paths relative to a repository's top, for the
/// git modes, which name files by their path in the repository.
pub fn repo_excludes(patterns: &[String]) -> Gitignore {
    build_excludes(Path::new("."), patterns)
}

/// True when `rel` (relative to the repository's top) or a folder above it is excluded.
pub fn is_excluded(excludes: &Gitignore, rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && excludes.matched_path_or_any_parents(rel, false).is_ignore()
}

fn build_excludes(root: &Path, patterns: &[String]) -> Gitignore {
    let mut builder = GitignoreBuilder::new(root);
    for pattern in patterns {
        // Patterns were validated when the configuration loaded.
        let _ = builder.add_line(None, pattern);
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// The bytes of the report path of `path` (under `root`, after `prefix`) when they are not
/// UTF-8; `None` when the display path is exact.
fn raw_path(prefix: &str, root: &Path, path: &Path) -> Option<Vec<u8>> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    if rel.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = prefix.as_bytes().to_vec();
        if !out.is_empty() {
            out.push(b'/');
        }
        out.extend_from_slice(rel.as_os_str().as_bytes());
        Some(out)
    }
    // Windows paths are UTF-16; a lone surrogate has no byte form to percent-encode.
    #[cfg(not(unix))]
    {
        let _ = prefix;
        None
    }
}

fn read_file(path: &Path, rel: String, raw_path: Option<Vec<u8>>, max_size: u64) -> Visit {
    let unreadable = |err: std::io::Error| {
        tracing::warn!("{rel}: cannot read: {err}");
        Visit::Skipped {
            path: rel.clone(),
            reason: SkipReason::Unreadable,
        }
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(err) => return unreadable(err),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max_size {
        tracing::debug!("{rel}: skipped, {len} bytes is over the {max_size}-byte cap");
        return Visit::Skipped {
            path: rel,
            reason: SkipReason::TooLarge,
        };
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // `take` guards against a file that grows while it is read.
    if let Err(err) = file.take(max_size + 1).read_to_end(&mut bytes) {
        return unreadable(err);
    }
    if bytes.len() as u64 > max_size {
        return Visit::Skipped {
            path: rel,
            reason: SkipReason::TooLarge,
        };
    }
    if let Some(text) = super::decode_bom(&bytes) {
        bytes = text;
    }
    if looks_binary(&bytes) {
        tracing::debug!("{rel}: skipped, binary");
        return Visit::Skipped {
            path: rel,
            reason: SkipReason::Binary,
        };
    }
    Visit::File(Source {
        path: rel,
        bytes,
        origin: super::Origin::WorkingTree,
        old_version: false,
        raw_path,
    })
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    display_path(rel)
}

/// The folder that report paths under `root` are relative to, and the prefix that leads
/// from it to `root`. Paths are repository-relative, as GitHub places SARIF results and
/// annotations by repository path: inside a git work tree the base is its top folder
/// (`smartedu-lint services/api` reports `services/api/Dockerfile`); elsewhere it is `root`.
pub fn report_base(root: &Path) -> (PathBuf, String) {
    let Ok(abs) = root.canonicalize() else {
        return (root.to_path_buf(), String::new());
    };
    // Only looks for a `.git` entry above the root; nothing up there is read.
    let top = abs.ancestors().find(|dir| dir.join(".git").exists());
    match top.and_then(|top| Some((top, abs.strip_prefix(top).ok()?))) {
        Some((top, within)) => (top.to_path_buf(), display_path(within)),
        None => (root.to_path_buf(), String::new()),
    }
}

fn shown_path(prefix: &str, rel: String) -> String {
    if prefix.is_empty() {
        rel
    } else {
        format!("{}/{rel}", prefix.trim_end_matches('/'))
    }
}

/// A path as reports show it: `/`-separated, without a leading `./`.
fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
