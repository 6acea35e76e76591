//! Runs the enabled checkers over sources and turns what they report into findings:
//! severity, position, snippet, fingerprint, suppressions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::discover::gitutil::{ChangedFiles, GitError};
use crate::discover::history::{self, HistoryStats, HistoryWalk};
use crate::discover::tree::{TreeWalk, Visit, report_base};
use crate::discover::{Origin, SkipReason, Source};
use crate::document::{Document, Masks};
use crate::finding::{Finding, Place, Severity};
use crate::fingerprint;
use crate::kind::FileKind;
use crate::report::line_hash;
use crate::rules::{self, Checker, Findings, RawFinding, RuleMeta, Settings};
use crate::suppress;

/// Which rules run, and at what severity.
pub struct RuleSet {
    enabled: HashSet<String>,
    /// No rule that runs by default was turned off (`--only`, `disable`): only then can a
    /// bare `ignore` marker, which covers every rule, be judged unused.
    all_default_rules_run: bool,
    severity: BTreeMap<String, Severity>,
    /// What the configuration says about how rules check (`[docker] target`, ...).
    settings: Settings,
}

impl RuleSet {
    /// Applies the configuration's enable, disable and severity keys to the built-in
    /// defaults. Entries ending in `/` name a whole family.
    pub fn from_config(config: &Config) -> RuleSet {
        let matches = |pattern: &str, id: &str| {
            pattern == id || (pattern.ends_with('/') && id.starts_with(pattern))
        };
        let all = config.all_meta();
        let enabled = all
            .values()
            .filter(|m| {
                let on = m.enabled || config.rules.enable.iter().any(|p| matches(p, &m.id));
                on && !config.rules.disable.iter().any(|p| matches(p, &m.id))
            })
            .map(|m| m.id.clone())
            .collect::<HashSet<String>>();
        let all_default_rules_run = all.values().all(|m| !m.enabled || enabled.contains(&m.id));
        let severity = all
            .values()
            .map(|m| {
                let s = config
                    .rules
                    .severity
                    .get(&m.id)
                    .copied()
                    .unwrap_or(m.severity);
                (m.id.clone(), s)
            })
            .collect();
        RuleSet {
            enabled,
            all_default_rules_run,
            severity,
            settings: Settings::from_config(config),
        }
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.enabled.contains(id)
    }

    /// Whether every rule that runs by default runs (a bare marker can be judged).
    pub fn all_default_rules_run(&self) -> bool {
        self.all_default_rules_run
    }

    pub fn severity(&self, id: &str) -> Severity {
        self.severity.get(id).copied().unwrap_or(Severity::Medium)
    }
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub files_scanned: usize,
    pub skipped: BTreeMap<SkipReason, usize>,
    pub warnings: usize,
    pub elapsed: Duration,
}

/// The outcome of a scan.
pub struct ScanResult {
    /// Sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// The checkers and the rule selection, ready to check sources.
pub struct Engine {
    checkers: Vec<Box<dyn Checker>>,
    /// For each checker: true when all its rules are `secrets/` rules, the only ones that
    /// judge an old version of a file (see [`Source::old_version`]).
    secret_checker: Vec<bool>,
    /// The secret checkers of the rules that are off: run only to mask what they would
    /// find in the other findings' snippets and messages.
    mask_only: Vec<Box<dyn Checker>>,
    rules: RuleSet,
    /// Report our suppression markers that suppressed nothing (`meta/unused-ignore`).
    judge_markers: bool,
    /// `--show-secrets`: snippets and messages carry secrets in full.
    show_secrets: bool,
}

impl Engine {
    pub fn new(rules: RuleSet) -> Engine {
        let (checkers, off): (Vec<_>, Vec<_>) = rules::builtin_checkers_with(&rules.settings)
            .into_iter()
            .partition(|c| c.rule_ids().iter().any(|id| rules.is_enabled(id)));
        let mask_only = off
            .into_iter()
            .filter(|c| c.rule_ids().iter().all(|id| id.starts_with("secrets/")))
            .collect();
        let secret_checker = checkers
            .iter()
            .map(|c| c.rule_ids().iter().all(|id| id.starts_with("secrets/")))
            .collect();
        let judge_markers = rules.is_enabled(suppress::UNUSED_IGNORE);
        Engine {
            checkers,
            secret_checker,
            mask_only,
            rules,
            judge_markers,
            show_secrets: false,
        }
    }

    /// Prints secrets in full (`--show-secrets`).
    pub fn with_secrets_shown(mut self) -> Engine {
        self.show_secrets = true;
        self
    }

    /// The rule selection this engine runs.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Leaves unused suppression markers unreported even when `meta/unused-ignore` is on:
    /// for history scans, where a marker in an old blob is no longer anyone's to fix.
    pub fn without_marker_check(mut self) -> Engine {
        self.judge_markers = false;
        self
    }

    /// Scans a working tree.
    pub fn scan_tree(&self, walk: &TreeWalk) -> ScanResult {
        let started = Instant::now();
        let collector = Collector::default();
        // One root at a time, so that each document knows the folder its path is relative
        // to (the repository's top when the root is inside one): rules that read a
        // neighbouring file look it up there and stay inside it.
        for root in &walk.roots {
            let base = root.is_dir().then(|| report_base(root).0);
            walk.run_root(root, &|visit| {
                collector.visit_in(self, visit, base.as_deref())
            });
        }
        collector.finish(started)
    }

    /// Scans every blob of a repository's history, then the working-tree files whose
    /// content no commit holds (uncommitted changes, untracked files), if `tree` is given
    /// and the repository has a work tree. `tree` gives the walk's settings; its root is
    /// the repository's work tree, so paths are the same as in history.
    pub fn scan_history(
        &self,
        walk: &HistoryWalk,
        tree: Option<&TreeWalk>,
        progress: &history::Progress,
    ) -> Result<(ScanResult, HistoryStats), GitError> {
        let started = Instant::now();
        let collector = Collector::default();
        let stats = walk.run(&|visit| collector.visit(self, visit), progress)?;
        if let (Some(tree), Some(workdir)) = (tree, &stats.workdir) {
            // The folder scanned (a tree scan's paths are from the work tree's top too).
            let tree = TreeWalk {
                roots: vec![workdir.join(&stats.within)],
                threads: tree.threads,
                max_file_size: tree.max_file_size,
                exclude: tree.exclude.clone(),
                output: tree.output.clone(),
            };
            // A file whose content some commit holds was scanned, or skipped and counted,
            // with the history: a binary or too large file is not counted twice.
            tree.run(&|visit| match visit {
                Visit::File(source) if history::holds(&stats, &source.bytes) => {}
                Visit::Skipped {
                    ref path,
                    reason: SkipReason::Binary | SkipReason::TooLarge,
                } if history::holds_file(&stats, &workdir.join(path)) => {}
                other => collector.visit(self, other),
            });
        }
        Ok((collector.finish(started), stats))
    }

    /// Checks changed files (`--staged`, `--diff`) and keeps the findings that touch an
    /// added or changed line. Whole files are checked, so rules see their full context.
    pub fn scan_changed(&self, changed: &ChangedFiles) -> ScanResult {
        let started = Instant::now();
        let collector = Collector::default();
        for (path, reason) in &changed.skipped {
            collector.visit(
                self,
                Visit::Skipped {
                    path: path.clone(),
                    reason: *reason,
                },
            );
        }
        for source in &changed.sources {
            let Some(lines) = changed.lines.get(&source.path) else {
                continue;
            };
            collector.scanned.fetch_add(1, Ordering::Relaxed);
            let checked = self.check(source, None);
            collector
                .warnings
                .fetch_add(checked.warnings, Ordering::Relaxed);
            lock(&collector.secrets).extend(checked.secrets);
            let kept = checked
                .findings
                .into_iter()
                .filter(|f| lines.range(f.span.line..=f.span.end_line).next().is_some());
            lock(&collector.findings).extend(kept);
        }
        collector.finish(started)
    }

    /// Checks one source; returns its findings and how many warnings it logged.
    pub fn check_source(&self, source: &Source) -> (Vec<Finding>, usize) {
        self.check_source_in(source, None)
    }

    /// Checks one source whose path is relative to the scanned folder `root` (`None`:
    /// not known, or not on disk); returns its findings and how many warnings it logged.
    pub fn check_source_in(&self, source: &Source, root: Option<&Path>) -> (Vec<Finding>, usize) {
        let checked = self.check(source, root);
        (checked.findings, checked.warnings)
    }

    /// Checks one source (see `check_source_in`); also returns the secrets found in it,
    /// for masking them in other files' output (none with `--show-secrets`).
    fn check(&self, source: &Source, root: Option<&Path>) -> Checked {
        // syn's trees, its visitors and their drops recurse once per link of an operator or
        // method chain: a generated Rust file of 20,000 `+` links overflows a worker's
        // stack and aborts the run. Only a large file can hold such a chain (a link is a few
        // bytes), so large Rust files are checked on a thread whose stack is sized for the
        // worst the file could nest; its memory is reserved, used only as deep as needed.
        const DEEP_ENOUGH: usize = 32 * 1024;
        if source.bytes.len() > DEEP_ENOUGH
            && FileKind::classify(&source.path, "") == FileKind::Rust
        {
            let stack = (source.bytes.len() * 256).clamp(8 << 20, 2 << 30);
            let spawned = std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .name("rust-file".into())
                    .stack_size(stack)
                    .spawn_scoped(scope, || self.check_here(source, root))
                    .map(|handle| handle.join())
            });
            match spawned {
                Ok(Ok(checked)) => return checked,
                // A panic is caught per checker inside; one here is a bug of the engine.
                Ok(Err(_)) => {
                    tracing::warn!(
                        "{}: internal error while checking this file; please report it",
                        source.path
                    );
                    return Checked {
                        findings: Vec::new(),
                        warnings: 1,
                        secrets: Vec::new(),
                    };
                }
                // No thread to be had: checked here, as every other file is.
                Err(_) => {}
            }
        }
        self.check_here(source, root)
    }

    fn check_here(&self, source: &Source, root: Option<&Path>) -> Checked {
        // `from_utf8` has an ASCII fast path the lossy decoder lacks; most files are valid.
        let text = match std::str::from_utf8(&source.bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(&source.bytes),
        };
        let text = lone_cr_as_newline(text);
        let kind = FileKind::classify(&source.path, &text);
        let doc = Document::new(&source.path, kind, &text).with_root(root);

        let mut raw = Findings::default();
        let checkers = self
            .checkers
            .iter()
            .zip(&self.secret_checker)
            .filter(|(_, secret)| !source.old_version || **secret)
            .map(|(c, _)| c);
        for checker in checkers.filter(|c| c.applies_to(kind)) {
            // A bug in one checker costs that checker's findings in this file, not the run.
            let outcome =
                std::panic::catch_unwind(AssertUnwindSafe(|| checker.check(&doc, &mut raw)));
            if outcome.is_err() {
                doc.warn(
                    0,
                    "internal error while checking this file; please report it",
                );
            }
        }

        // Secrets are masked in every output even where no secret rule reports them (the
        // family skipped, one rule disabled): a debug or TLS finding's line may hold the
        // database password.
        if !self.show_secrets && !raw.raw.is_empty() && !self.mask_only.is_empty() {
            let mut shadow = Findings::default();
            for checker in self.mask_only.iter().filter(|c| c.applies_to(kind)) {
                let _ =
                    std::panic::catch_unwind(AssertUnwindSafe(|| checker.check(&doc, &mut shadow)));
            }
            raw.masked.extend(
                shadow
                    .raw
                    .into_iter()
                    .filter_map(|r| r.secret)
                    .chain(shadow.masked),
            );
        }

        // Every secret found in the file is masked in every finding's snippet, not only in
        // its own: another finding's source line may show it.
        let masks = Masks::new(
            raw.raw
                .iter()
                .filter_map(|r| r.secret.clone())
                .chain(raw.masked.iter().cloned())
                .collect(),
        );
        let secrets: Vec<String> = if self.show_secrets {
            Vec::new()
        } else {
            let found: HashSet<&str> = masks
                .ranges()
                .iter()
                .filter_map(|m| doc.text.get(m.clone()))
                .collect();
            found.into_iter().map(str::to_string).collect()
        };
        let quoted = SecretMasker::new(secrets.iter().map(String::as_str));
        let mut used = HashSet::new();
        // Whether a line's marker suppresses a rule, asked once per line and rule: many
        // findings on one long line would otherwise each scan the line.
        let mut markers = HashMap::new();
        let mut repeats = HashMap::new();
        let mut findings: Vec<Finding> = raw
            .raw
            .into_iter()
            .filter(|r| self.rules.is_enabled(&r.rule_id))
            .filter_map(|r| {
                let secret = r.secret.is_some();
                let mut finding =
                    self.finish(&doc, r, (&masks, &quoted), &mut used, &mut markers)?;
                if !secret {
                    tell_apart(&mut finding, &mut repeats);
                }
                Some(finding)
            })
            .collect();
        if self.judge_markers {
            let enabled = |id: &str| self.rules.is_enabled(id);
            let judge_bare = self.rules.all_default_rules_run();
            for unused in suppress::unused_markers(&doc, &used, &enabled, judge_bare) {
                // The same marker on two lines may be unused in different ways (one entry
                // hid a finding on one line only): the fingerprint holds what each says,
                // and copies are numbered, so they are never merged across lines.
                let marker = doc.text.get(unused.bytes.clone()).unwrap_or("");
                let raw = RawFinding {
                    rule_id: suppress::UNUSED_IGNORE.to_string(),
                    fingerprint_text: Some(format!("{marker}\n{}", unused.message)),
                    bytes: unused.bytes,
                    message: unused.message,
                    secret: None,
                    related: Vec::new(),
                };
                let mut finding = self.build(&doc, raw, (&masks, &quoted));
                tell_apart(&mut finding, &mut repeats);
                findings.push(finding);
            }
        }
        for f in &mut findings {
            f.origin = source.origin.clone();
            f.raw_path = source.raw_path.clone();
        }
        if !findings.is_empty() {
            let hashes = line_hash::line_hashes(doc.text);
            for f in &mut findings {
                f.line_hash = hashes
                    .get(f.span.line.saturating_sub(1))
                    .cloned()
                    .unwrap_or_default();
            }
        }
        let warnings = doc.take_warnings();
        for w in &warnings {
            tracing::warn!("{w}");
        }
        Checked {
            findings,
            warnings: warnings.len(),
            secrets,
        }
    }

    /// Suppresses (noting the marker used in `used`), or positions and fingerprints, one
    /// raw finding.
    fn finish(
        &self,
        doc: &Document,
        raw: RawFinding,
        masks: (&Masks, &SecretMasker),
        used: &mut HashSet<suppress::Use>,
        markers: &mut HashMap<(usize, bool, String), Option<suppress::Use>>,
    ) -> Option<Finding> {
        let meta: Option<&RuleMeta> = rules::catalog().get(&raw.rule_id);
        // A marker covers the finding from any line of its span or of a related place
        // (where its SQL was built), or from a comment line just above one of them.
        let mut lines = Vec::new();
        for range in std::iter::once(&raw.bytes).chain(&raw.related) {
            let first = doc.line_of(range.start);
            let last = doc.line_of(range.end.saturating_sub(1).max(range.start));
            lines.push((first, true));
            lines.extend((first + 1..=last).map(|l| (l, false)));
        }
        for (line, above) in lines {
            let marker = markers
                .entry((line, above, raw.rule_id.clone()))
                .or_insert_with(|| {
                    if above {
                        suppress::suppressed_by(doc, line, meta, &raw.rule_id)
                    } else {
                        suppress::suppressed_on(doc, line, meta, &raw.rule_id)
                    }
                });
            if let Some(marker) = marker.clone() {
                tracing::debug!("{}:{line}: {} suppressed inline", doc.path, raw.rule_id);
                used.insert(marker);
                return None;
            }
        }
        Some(self.build(doc, raw, masks))
    }

    /// Positions and fingerprints one raw finding.
    fn build(&self, doc: &Document, raw: RawFinding, masks: (&Masks, &SecretMasker)) -> Finding {
        let (masks, quoted) = masks;
        let span = doc.span(&raw.bytes);
        let fingerprint = match (&raw.secret, &raw.fingerprint_text) {
            (_, Some(text)) => fingerprint::of_match(&raw.rule_id, doc.path, text),
            (Some(secret), None) => {
                fingerprint::of_secret(&raw.rule_id, doc.text.get(secret.clone()).unwrap_or(""))
            }
            (None, None) => fingerprint::of_match(
                &raw.rule_id,
                doc.path,
                doc.text.get(raw.bytes.clone()).unwrap_or(""),
            ),
        };
        let no_masks = Masks::default();
        let (masks, message) = if self.show_secrets {
            let shown = raw
                .secret
                .as_ref()
                .and_then(|s| doc.text.get(s.clone()))
                .map_or(raw.message.clone(), |s| {
                    format!("{} (secret: `{s}`)", raw.message)
                });
            (&no_masks, shown)
        } else {
            (masks, quoted.mask(raw.message))
        };
        Finding {
            severity: self.rules.severity(&raw.rule_id),
            snippet: doc.snippet(&span, masks),
            path: doc.path.to_string(),
            span,
            bytes: raw.bytes,
            message,
            fingerprint,
            line_hash: String::new(),
            origin: Default::default(),
            also_at: Vec::new(),
            raw_path: None,
            rule_id: raw.rule_id,
        }
    }
}

/// Gives the second and later structural findings of one file that match the same text
/// under the same rule (two `server {` blocks both without HSTS) fingerprints of their
/// own, numbered by occurrence, so that they stay separate findings at their own lines
/// instead of being merged as copies of one (`merge_duplicates`). The first keeps the
/// plain fingerprint, so baselines written before stay valid. Secrets are not numbered:
/// one secret written twice is one secret to rotate.
fn tell_apart(finding: &mut Finding, repeats: &mut HashMap<String, usize>) {
    let seen = repeats.entry(finding.fingerprint.clone()).or_insert(0);
    if *seen > 0 {
        finding.fingerprint = fingerprint::of_occurrence(&finding.fingerprint, *seen);
    }
    *seen += 1;
}

/// What checking one source gives.
struct Checked {
    findings: Vec<Finding>,
    warnings: usize,
    /// The secrets found, in clear, for masking them elsewhere; empty with
    /// `--show-secrets`.
    secrets: Vec<String>,
}

/// Masks known secrets wherever they are quoted in text: rules quote source expressions
/// (`Github("ghp_…").token` is passed to `logging.debug`), and another file's line may
/// hold a secret found here. One pass over the text for all secrets at once, so the cost
/// does not grow with secrets times findings.
enum SecretMasker {
    None,
    Automaton(aho_corasick::AhoCorasick),
    /// The automaton could not be built (too large): one secret at a time.
    Each(Vec<String>),
}

impl SecretMasker {
    /// Secrets shorter than 4 characters are left alone: they would mask common words.
    fn new<'s>(secrets: impl IntoIterator<Item = &'s str>) -> SecretMasker {
        let mut secrets: Vec<&str> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        secrets.sort_unstable();
        secrets.dedup();
        if secrets.is_empty() {
            return SecretMasker::None;
        }
        // Not a DFA: filling a DFA's transitions walks failure links, which is quadratic
        // for secrets that are runs of one character (a base64 run of zero bytes found at
        // many lengths: 20,000 `A`s took 3 s, 100,000 did not end). The NFA's search is
        // linear all the same.
        let built = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(&secrets);
        match built {
            Ok(ac) => SecretMasker::Automaton(ac),
            Err(_) => SecretMasker::Each(secrets.into_iter().map(str::to_string).collect()),
        }
    }

    fn mask(&self, text: String) -> String {
        match self {
            SecretMasker::None => text,
            SecretMasker::Automaton(ac) => {
                if !ac.is_match(&text) {
                    return text;
                }
                let mut out = String::with_capacity(text.len());
                let mut pos = 0;
                for m in ac.find_iter(&text) {
                    out.push_str(&text[pos..m.start()]);
                    out.push_str(&crate::fingerprint::redact(&text[m.range()]));
                    pos = m.end();
                }
                out.push_str(&text[pos..]);
                out
            }
            SecretMasker::Each(secrets) => secrets.iter().fold(text, |text, secret| {
                if text.contains(secret.as_str()) {
                    text.replace(secret.as_str(), &crate::fingerprint::redact(secret))
                } else {
                    text
                }
            }),
        }
    }
}

/// Gathers what the discoverers' threads report.
#[derive(Default)]
struct Collector {
    findings: Mutex<Vec<Finding>>,
    /// Every secret found, to mask it in the output of the other files too.
    secrets: Mutex<HashSet<String>>,
    skipped: Mutex<BTreeMap<SkipReason, usize>>,
    scanned: AtomicUsize,
    warnings: AtomicUsize,
    /// Warning lines already printed: several roots in one repository meet the same ignore
    /// file above them, and each line is said once.
    warned: Mutex<HashSet<String>>,
}

impl Collector {
    fn visit(&self, engine: &Engine, visit: Visit) {
        self.visit_in(engine, visit, None);
    }

    /// Like `visit`, for sources whose paths are relative to the folder `root`.
    fn visit_in(&self, engine: &Engine, visit: Visit, root: Option<&Path>) {
        match visit {
            Visit::File(source) => {
                self.scanned.fetch_add(1, Ordering::Relaxed);
                let checked = engine.check(&source, root);
                self.warnings.fetch_add(checked.warnings, Ordering::Relaxed);
                if !checked.secrets.is_empty() {
                    lock(&self.secrets).extend(checked.secrets);
                }
                if !checked.findings.is_empty() {
                    lock(&self.findings).extend(checked.findings);
                }
            }
            Visit::Skipped { reason, .. } => {
                *lock(&self.skipped).entry(reason).or_default() += 1;
            }
            Visit::Warning(message) => {
                if lock(&self.warned).insert(message.clone()) {
                    tracing::warn!("{message}");
                    self.warnings.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn finish(self, started: Instant) -> ScanResult {
        let mut findings = self
            .findings
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        // A secret found in one file may stand in another file's line or in a message
        // quoting it (a comment recalling an old password): masked there too.
        let secrets = self.secrets.into_inner().unwrap_or_else(|e| e.into_inner());
        let masker = SecretMasker::new(secrets.iter().map(String::as_str));
        for f in &mut findings {
            f.message = masker.mask(std::mem::take(&mut f.message));
            f.snippet.text = masker.mask(std::mem::take(&mut f.snippet.text));
        }
        sort_findings(&mut findings);
        let skipped = self.skipped.into_inner().unwrap_or_else(|e| e.into_inner());
        let warnings =
            self.warnings.into_inner() + skipped.get(&SkipReason::Unreadable).unwrap_or(&0);
        ScanResult {
            findings,
            summary: Summary {
                files_scanned: self.scanned.into_inner(),
                skipped,
                warnings,
                elapsed: started.elapsed(),
            },
        }
    }
}

/// Merges findings with the same fingerprint (the same secret in several files, blobs or
/// commits; the same structural finding in several versions of one file) into one, which
/// lists the other places in `also_at`. The finding kept is the one in the working tree or
/// index if any, else the one from the oldest commit; then by path and line.
pub fn merge_duplicates(findings: Vec<Finding>) -> Vec<Finding> {
    let mut groups: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for f in findings {
        groups.entry(f.fingerprint.clone()).or_default().push(f);
    }
    let mut merged: Vec<Finding> = groups
        .into_values()
        .filter_map(|mut group| {
            group.sort_by(|a, b| place_order(a).cmp(&place_order(b)));
            let mut group = group.into_iter();
            let mut first = group.next()?;
            for other in group {
                first.also_at.push(Place {
                    path: other.path,
                    span: other.span,
                    origin: other.origin,
                    raw_path: other.raw_path,
                });
                first.also_at.extend(other.also_at);
            }
            Some(first)
        })
        .collect();
    sort_findings(&mut merged);
    merged
}

fn place_order(f: &Finding) -> (u8, i64, &str, usize, usize, &str) {
    let (rank, time, id) = match &f.origin {
        Origin::WorkingTree | Origin::Index => (0, 0, ""),
        Origin::Commit(c) => (1, c.time, c.id.as_str()),
    };
    (rank, time, f.path.as_str(), f.span.line, f.span.column, id)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sorts by path, line, column, rule id, message: the same order on every run.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.span.line, a.span.column, &a.rule_id, &a.message).cmp(&(
            &b.path,
            b.span.line,
            b.span.column,
            &b.rule_id,
            &b.message,
        ))
    });
}

/// Text whose lines end with a lone `\r` (classic Mac) with each such `\r` read as `\n`:
/// every parser and line count here splits at `\n`, and would put the whole file on line
/// 1. One byte for one byte, so offsets and columns stay those of the file; `\r\n` stays.
fn lone_cr_as_newline(text: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone: Vec<usize> = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .collect();
    if lone.is_empty() {
        return text;
    }
    let mut out = text.into_owned().into_bytes();
    for i in lone {
        out[i] = b'\n';
    }
    // An ASCII byte replaced by another keeps the text valid UTF-8.
    match String::from_utf8(out) {
        Ok(s) => std::borrow::Cow::Owned(s),
        Err(e) => std::borrow::Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}
