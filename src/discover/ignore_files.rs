//! Git's ignore files for the working-tree walk: `.gitignore` at every depth (and in the
//! folders above the scan root, up to the repository's top), `info/exclude` and the global
//! excludes file, matched with git's precedence.
//!
//! They are read here, not by the `ignore` crate's walker: it opens them with a plain
//! `open`, so a `.gitignore` that is a symbolic link (`.gitignore -> ../../elsewhere`, or
//! `-> /dev/zero`) was read through the link, out of the tree. Git refuses such a file
//! (since 2.32); so does this: no ignore file of the tree is read through a link, and the
//! refusal is one warning line.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, Match};

/// Git skips a pattern file larger than this, with a warning (`PATTERN_MAX_FILE_SIZE`).
const MAX_PATTERN_FILE: u64 = 100 * 1024 * 1024;

/// A `.git` file or a `commondir` file holds one path; anything longer is not one.
const MAX_POINTER_FILE: u64 = 64 * 1024;

/// The rules of one folder that has a `.gitignore`, or is a repository's top.
struct Level {
    /// Its `.gitignore` (empty when it has none).
    gitignore: Gitignore,
    /// The repository's `info/exclude`, at its top only.
    exclude: Gitignore,
    /// A folder above the scan root: its matchers take absolute paths.
    above_root: bool,
    /// The next folder up that has rules; `None` at a repository's top, since git reads no
    /// ignore file above it.
    parent: Option<Arc<Level>>,
}

/// Tells walks apart in `ENTERED`.
static NEXT_WALK: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The folder this thread entered last, with its level. The walk queues a folder's
    /// entries (and filters them) on the thread that visited the folder, right after the
    /// visit: nearly every entry finds its folder here, without hashing its path.
    static ENTERED: RefCell<Option<Entered>> = const { RefCell::new(None) };
}

struct Entered {
    walk: u64,
    dir: Vec<u8>,
    level: Option<Arc<Level>>,
}

/// The ignore rules of one walk (one root), built folder by folder as the walk enters
/// them, from several threads.
pub struct IgnoreFiles {
    /// This walk's number (see `ENTERED`).
    walk: u64,
    /// The root as the walk names it: entries' paths start with it.
    root: PathBuf,
    /// The canonical root, for matching against the folders above it.
    abs_root: Option<PathBuf>,
    /// Shown before a path relative to the root in a warning (see `tree::report_base`).
    prefix: String,
    /// The folders above the root, up to its repository's top; `None` outside a repository.
    above: Option<Arc<Level>>,
    /// The user's global excludes file (git's `core.excludesFile`), as the crate read it.
    global: Gitignore,
    /// For each folder entered (by the bytes of its path as the walk names it), the
    /// innermost level that applies to its entries; `None` outside any repository, where
    /// git reads no ignore file. Bytes, not a `Path`: hashing a `Path` walks its
    /// components, and this lookup runs for every entry of the walk.
    folders: RwLock<HashMap<Vec<u8>, Option<Arc<Level>>>>,
    /// Some folder is inside a repository: until then no entry can be ignored, and none
    /// is looked up.
    any_rules: AtomicBool,
}

/// Why an ignore file was not read.
enum Refusal {
    Link,
    NotAFile,
    TooLarge,
    Unreadable(std::io::Error),
}

impl IgnoreFiles {
    /// Reads the ignore files of the folders above `root` (when it is inside a repository
    /// and not its top); `warn` gets a line for each one refused.
    pub fn new(root: &Path, prefix: &str, warn: &dyn Fn(String)) -> IgnoreFiles {
        let abs_root = root.canonicalize().ok();
        let above = match &abs_root {
            Some(abs) if !is_repo_top(root) => levels_above(abs, warn),
            _ => None,
        };
        // The crate matched global patterns relative to the working directory; kept so.
        let global = match std::env::current_dir() {
            Ok(cwd) => GitignoreBuilder::new(cwd).build_global().0,
            Err(_) => Gitignore::empty(),
        };
        IgnoreFiles {
            walk: NEXT_WALK.fetch_add(1, Ordering::Relaxed),
            root: root.to_path_buf(),
            abs_root,
            prefix: prefix.to_string(),
            any_rules: AtomicBool::new(above.is_some()),
            above,
            global,
            folders: RwLock::new(HashMap::new()),
        }
    }

    /// Reads the ignore files of `folder` (an entry of the walk, or its root), before the
    /// walk filters the folder's entries.
    pub fn enter(&self, folder: &DirEntry, warn: &dyn Fn(String)) {
        let dir = folder.path();
        let parent = match folder.depth() {
            0 => self.above.clone(),
            _ => self.level_of(self.parent_key(folder)).flatten(),
        };
        let top = is_repo_top(dir);
        let level = if top || parent.is_some() {
            // Only a warning names a file.
            let name = |file: &str| {
                let rel = dir.strip_prefix(&self.root).unwrap_or(dir);
                shown(&self.prefix, &rel.join(file))
            };
            let gitignore =
                read_patterns(dir, &dir.join(".gitignore"), &|| name(".gitignore"), warn);
            let exclude = if top {
                read_exclude(dir, &|| name(".git/info/exclude"), warn)
            } else {
                Gitignore::empty()
            };
            if top || !gitignore.is_empty() {
                Some(Arc::new(Level {
                    gitignore,
                    exclude,
                    above_root: false,
                    parent: if top { None } else { parent },
                }))
            } else {
                parent
            }
        } else {
            None
        };
        // Relaxed is enough: the thread that enters a folder is the one that filters its
        // entries, and it stores this whenever the folder has rules.
        if level.is_some() {
            self.any_rules.store(true, Ordering::Relaxed);
        }
        let key = dir.as_os_str().as_encoded_bytes().to_vec();
        ENTERED.with_borrow_mut(|entered| {
            *entered = Some(Entered {
                walk: self.walk,
                dir: key.clone(),
                level: level.clone(),
            })
        });
        write(&self.folders).insert(key, level);
    }

    /// True when git would ignore `entry` (not a root).
    pub fn is_ignored(&self, entry: &DirEntry) -> bool {
        // Outside a repository (the common case of a folder of sources), no lookup at all.
        if !self.any_rules.load(Ordering::Relaxed) {
            return false;
        }
        let key = self.parent_key(entry);
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        let ignored = |level: &Level| self.matched(level, entry.path(), is_dir).is_ignore();
        let cached = ENTERED.with_borrow(|entered| match entered {
            Some(e) if e.walk == self.walk && e.dir == key => {
                Some(e.level.as_deref().is_some_and(ignored))
            }
            _ => None,
        });
        if let Some(ignored) = cached {
            return ignored;
        }
        // A folder not entered (never expected) ignores nothing: the safe side for a scan.
        match read(&self.folders).get(key) {
            Some(Some(level)) => ignored(level),
            _ => false,
        }
    }

    /// True when the folder holding `entry` is inside a repository, where git would read
    /// a `.gitignore` found there.
    pub fn in_repository(&self, entry: &DirEntry) -> bool {
        matches!(self.level_of(self.parent_key(entry)), Some(Some(_)))
    }

    /// The key under which the folder holding `entry` was entered. The walk names an entry
    /// by joining its name to its folder's path, and a name holds no separator: the
    /// folder's key is what precedes the last one (found in the bytes: `Path::parent`
    /// parses components, and this runs for every entry).
    fn parent_key<'a>(&'a self, entry: &'a DirEntry) -> &'a [u8] {
        let path = entry.path().as_os_str().as_encoded_bytes();
        // The root's children are named from the root as given (`repo/` gives `repo/x`),
        // so they look it up by that name.
        if entry.depth() >= 2 {
            let last = path
                .iter()
                .rposition(|&b| std::path::is_separator(char::from(b)));
            if let Some(cut) = last {
                return &path[..cut];
            }
        }
        self.root.as_os_str().as_encoded_bytes()
    }

    fn level_of(&self, dir: &[u8]) -> Option<Option<Arc<Level>>> {
        read(&self.folders).get(dir).cloned()
    }

    /// Git's precedence: the deepest `.gitignore` with a matching pattern decides (its last
    /// matching line), then `info/exclude`, then the global excludes file.
    fn matched(&self, level: &Level, path: &Path, is_dir: bool) -> Match<()> {
        let mut absolute: Option<PathBuf> = None;
        let mut excluded = Match::None;
        let mut next = Some(level);
        while let Some(level) = next {
            let candidate = if level.above_root {
                absolute
                    .get_or_insert_with(|| self.absolute(path))
                    .as_path()
            } else {
                path
            };
            let found = level.gitignore.matched(candidate, is_dir);
            if !found.is_none() {
                return found.map(|_| ());
            }
            if excluded.is_none() {
                excluded = level.exclude.matched(candidate, is_dir).map(|_| ());
            }
            next = level.parent.as_deref();
        }
        excluded.or(self.global.matched(path, is_dir).map(|_| ()))
    }

    /// `path` (under the root as the walk names it) as an absolute path.
    fn absolute(&self, path: &Path) -> PathBuf {
        match (&self.abs_root, path.strip_prefix(&self.root)) {
            (Some(abs), Ok(rel)) => abs.join(rel),
            _ => path.to_path_buf(),
        }
    }
}

/// True for a repository's top folder: it holds `.git` (a folder, or a file naming one),
/// or `.jj` (a Jujutsu repository, which honours `.gitignore`; the crate counted it too).
fn is_repo_top(dir: &Path) -> bool {
    dir.join(".git").exists() || dir.join(".jj").is_dir()
}

/// The levels of the folders above `abs_root` up to the nearest repository top, outermost
/// first; `None` when no folder above it is a repository's top.
fn levels_above(abs_root: &Path, warn: &dyn Fn(String)) -> Option<Arc<Level>> {
    let above: Vec<&Path> = abs_root.ancestors().skip(1).collect();
    let top_at = above.iter().position(|dir| is_repo_top(dir))?;
    let top = above[top_at];
    let name = |dir: &Path, file: &str| {
        let rel = dir.strip_prefix(top).unwrap_or(Path::new(""));
        shown("", &rel.join(file))
    };
    let mut level: Option<Arc<Level>> = None;
    for (i, dir) in above[..=top_at].iter().enumerate().rev() {
        let gitignore = read_patterns(
            dir,
            &dir.join(".gitignore"),
            &|| name(dir, ".gitignore"),
            warn,
        );
        let exclude = if i == top_at {
            read_exclude(dir, &|| name(dir, ".git/info/exclude"), warn)
        } else {
            Gitignore::empty()
        };
        if i == top_at || !gitignore.is_empty() {
            level = Some(Arc::new(Level {
                gitignore,
                exclude,
                above_root: true,
                parent: level,
            }));
        }
    }
    level
}

/// The patterns of ignore file `file`, relative to folder `base`; empty when there is no
/// such file, or when it is refused (a symbolic link, not a regular file, too large, not
/// readable: one line to `warn`, naming it `name()`).
fn read_patterns(
    base: &Path,
    file: &Path,
    name: &dyn Fn() -> String,
    warn: &dyn Fn(String),
) -> Gitignore {
    let bytes = match read_no_follow(file, MAX_PATTERN_FILE) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Gitignore::empty(),
        Err(refusal) => {
            let name = name();
            let git_too = matches!(refusal, Refusal::Link) && name.ends_with(".gitignore");
            let git_too = if git_too { " (git refuses it too)" } else { "" };
            warn(format!("{name}: {}{git_too}", refusal.describe()));
            return Gitignore::empty();
        }
    };
    let name = name();
    let mut builder = GitignoreBuilder::new(base);
    // Lines as `BufRead::lines` splits them (the crate's reading): `\n`, or `\r\n`.
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // A line that is not UTF-8 is skipped, as the crate skipped it.
        let Ok(line) = std::str::from_utf8(line) else {
            tracing::debug!("{name}:{}: not UTF-8, skipped", i + 1);
            continue;
        };
        // Git drops a byte order mark at the start of the file.
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if let Err(err) = builder.add_line(Some(file.to_path_buf()), line) {
            tracing::debug!("{name}:{}: {err}", i + 1);
        }
    }
    builder.build().unwrap_or_else(|err| {
        tracing::debug!("{name}: {err}");
        Gitignore::empty()
    })
}

/// The patterns of `info/exclude` of the repository whose top is `dir`. Its git folder is
/// `dir/.git`, or the one a `.git` file names (a linked worktree's or a submodule's: git's
/// own pointer, followed as git does), then the common folder its `commondir` names.
/// Neither `.git`, `info` nor `info/exclude` is read through a symbolic link.
fn read_exclude(dir: &Path, name: &dyn Fn() -> String, warn: &dyn Fn(String)) -> Gitignore {
    let dot_git = dir.join(".git");
    let git_dir = match std::fs::symlink_metadata(&dot_git) {
        Ok(meta) if meta.is_dir() => dot_git,
        Ok(meta) if meta.is_file() => match pointed_folder(&dot_git, "gitdir: ", dir) {
            Some(git_dir) => git_dir,
            None => return Gitignore::empty(),
        },
        Ok(meta) if meta.file_type().is_symlink() => {
            let name = name();
            let name = name.trim_end_matches("/info/exclude");
            warn(format!("{name}: {}", Refusal::Link.describe()));
            return Gitignore::empty();
        }
        _ => return Gitignore::empty(),
    };
    let common = pointed_folder(&git_dir.join("commondir"), "", &git_dir).unwrap_or(git_dir);
    let info = common.join("info");
    match std::fs::symlink_metadata(&info) {
        Ok(meta) if meta.is_dir() => read_patterns(dir, &info.join("exclude"), name, warn),
        Ok(meta) if meta.file_type().is_symlink() => {
            let name = name();
            let name = name.trim_end_matches("/exclude");
            warn(format!("{name}: {}", Refusal::Link.describe()));
            Gitignore::empty()
        }
        _ => Gitignore::empty(),
    }
}

/// The folder that pointer file `file` names after `tag` on its first line (relative to
/// `from` unless absolute); `None` when it has none or cannot be read.
fn pointed_folder(file: &Path, tag: &str, from: &Path) -> Option<PathBuf> {
    let bytes = read_no_follow(file, MAX_POINTER_FILE).ok()??;
    let text = String::from_utf8(bytes).ok()?;
    let target = text.lines().next()?.strip_prefix(tag)?.trim_end();
    if target.is_empty() {
        return None;
    }
    Some(from.join(target))
}

impl Refusal {
    fn describe(&self) -> String {
        match self {
            Refusal::Link => "a symbolic link, not read for ignore patterns".into(),
            Refusal::NotAFile => "not a regular file, not read for ignore patterns".into(),
            Refusal::TooLarge => "larger than 100 MiB, not read for ignore patterns".into(),
            Refusal::Unreadable(err) => format!("cannot read ignore patterns: {err}"),
        }
    }
}

/// The bytes of regular file `path`, opened without following a symbolic link (the
/// check and the open are one step, `O_NOFOLLOW`); `None` when there is nothing there or
/// it is a folder (walked, not read).
fn read_no_follow(path: &Path, cap: u64) -> Result<Option<Vec<u8>>, Refusal> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking: opening a FIFO for reading would wait for a writer forever.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    // TODO: Windows has no O_NOFOLLOW here; the check before the open leaves a window
    // in which the file could be swapped for a link.
    #[cfg(not(unix))]
    {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Refusal::Link);
        }
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(err) if is_absent(&err) => return Ok(None),
        Err(err) => {
            // ELOOP (Linux, macOS) or EMLINK (FreeBSD) for a link: asked of the link
            // itself so that every system gets the same answer.
            return Err(
                if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                    Refusal::Link
                } else {
                    Refusal::Unreadable(err)
                },
            );
        }
    };
    let meta = file.metadata().map_err(Refusal::Unreadable)?;
    if meta.is_dir() {
        return Ok(None);
    }
    if !meta.is_file() {
        return Err(Refusal::NotAFile);
    }
    if meta.len() > cap {
        return Err(Refusal::TooLarge);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against a file that grows while it is read.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Unreadable)?;
    if bytes.len() as u64 > cap {
        return Err(Refusal::TooLarge);
    }
    Ok(Some(bytes))
}

/// Nothing to read: no such file, or a path through something that is not a folder.
fn is_absent(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// A path for a warning: after `prefix`, `/`-separated.
fn shown(prefix: &str, rel: &Path) -> String {
    let rel = rel.to_string_lossy().replace('\\', "/");
    let rel = rel.strip_prefix("./").unwrap_or(&rel);
    if prefix.is_empty() {
        rel.to_string()
    } else {
        format!("{}/{rel}", prefix.trim_end_matches('/'))
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A linked worktree: its `.git` is a file naming its git folder, whose `commondir`
    /// names the main repository's, which holds `info/exclude`.
    #[test]
    fn a_worktree_reads_the_exclude_file_of_its_common_git_folder() {
        let dir = tempfile::TempDir::new().unwrap();
        let main = dir.path().join("main");
        fs::create_dir_all(main.join(".git/info")).unwrap();
        fs::create_dir_all(main.join(".git/worktrees/wt")).unwrap();
        fs::write(main.join(".git/info/exclude"), "ex.txt\n").unwrap();
        fs::write(main.join(".git/worktrees/wt/commondir"), "../..\n").unwrap();
        let wt = dir.path().join("wt");
        fs::create_dir_all(&wt).unwrap();
        let warnings = RefCell::new(Vec::new());
        let warn = |w: String| warnings.borrow_mut().push(w);
        for gitdir in [
            main.join(".git/worktrees/wt").display().to_string(),
            "../main/.git/worktrees/wt".to_string(),
        ] {
            fs::write(wt.join(".git"), format!("gitdir: {gitdir}\n")).unwrap();
            let exclude = read_exclude(&wt, &|| ".git/info/exclude".into(), &warn);
            assert!(
                exclude.matched(wt.join("ex.txt"), false).is_ignore(),
                "{gitdir}"
            );
            assert!(exclude.matched(wt.join("other.txt"), false).is_none());
        }
        assert!(warnings.borrow().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn no_part_of_the_exclude_path_in_the_tree_is_read_through_a_link() {
        let dir = tempfile::TempDir::new().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("exclude"), "*\n").unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        std::os::unix::fs::symlink(&outside, repo.join(".git/info")).unwrap();
        let warnings = RefCell::new(Vec::new());
        let warn = |w: String| warnings.borrow_mut().push(w);
        let exclude = read_exclude(&repo, &|| ".git/info/exclude".into(), &warn);
        assert!(exclude.is_empty());
        fs::remove_file(repo.join(".git/info")).unwrap();
        fs::create_dir_all(repo.join(".git/info")).unwrap();
        std::os::unix::fs::symlink(outside.join("exclude"), repo.join(".git/info/exclude"))
            .unwrap();
        assert!(read_exclude(&repo, &|| ".git/info/exclude".into(), &warn).is_empty());
        assert_eq!(
            *warnings.borrow(),
            [
                ".git/info: a symbolic link, not read for ignore patterns",
                ".git/info/exclude: a symbolic link, not read for ignore patterns",
            ]
        );
    }

    /// Lines as git splits them: a byte order mark first, `\r\n`, a line that is not UTF-8
    /// (skipped, the others kept).
    #[test]
    fn pattern_lines_are_split_as_git_splits_them() {
        let dir = tempfile::TempDir::new().unwrap();
        let file = dir.path().join(".gitignore");
        fs::write(&file, b"\xef\xbb\xbfa.txt\r\nb\xff.txt\nc.txt").unwrap();
        let gi = read_patterns(dir.path(), &file, &|| ".gitignore".into(), &|_| {});
        for (name, ignored) in [("a.txt", true), ("c.txt", true), ("d.txt", false)] {
            let m = gi.matched(dir.path().join(name), false);
            assert_eq!(m.is_ignore(), ignored, "{name}");
        }
        assert_eq!(gi.len(), 2);
    }
}
