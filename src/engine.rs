//! Runs the enabled checkers over sources and turns what they report into findings:
//! severity, position, snippet, fingerprint, suppressions.

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::discover::tree::{TreeWalk, Visit, report_base};
use crate::discover::{SkipReason, Source};
use crate::document::Document;
use crate::finding::{Finding, Severity};
use crate::fingerprint;
use crate::kind::FileKind;
use crate::report::line_hash;
use crate::rules::{self, Checker, Findings, RawFinding, RuleMeta, Settings};
use crate::suppress;

/// Which rules run, and at what severity.
pub struct RuleSet {
    enabled: HashSet<String>,
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
        let enabled = rules::builtin_meta()
            .values()
            .filter(|m| {
                let on = m.enabled || config.rules.enable.iter().any(|p| matches(p, &m.id));
                on && !config.rules.disable.iter().any(|p| matches(p, &m.id))
            })
            .map(|m| m.id.clone())
            .collect();
        let severity = rules::builtin_meta()
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
            severity,
            settings: Settings::from_config(config),
        }
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.enabled.contains(id)
    }

    fn severity(&self, id: &str) -> Severity {
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
    rules: RuleSet,
}

impl Engine {
    pub fn new(rules: RuleSet) -> Engine {
        let checkers = rules::builtin_checkers_with(&rules.settings)
            .into_iter()
            .filter(|c| c.rule_ids().iter().any(|id| rules.is_enabled(id)))
            .collect();
        Engine { checkers, rules }
    }

    /// Scans a working tree.
    pub fn scan_tree(&self, walk: &TreeWalk) -> ScanResult {
        let started = Instant::now();
        let findings = Mutex::new(Vec::new());
        let skipped = Mutex::new(BTreeMap::<SkipReason, usize>::new());
        let scanned = AtomicUsize::new(0);
        let warnings = AtomicUsize::new(0);

        // One root at a time (as the walk does anyway), so that each document knows the
        // folder it belongs to: rules that read a neighbouring file stay inside it.
        for root in &walk.roots {
            // Paths are relative to the report base (the repository's top folder when the
            // root is inside one), so that is where neighbouring files are looked up.
            let base = root.is_dir().then(|| report_base(root).0);
            let bound = base.as_deref();
            let one = TreeWalk {
                roots: vec![root.clone()],
                threads: walk.threads,
                max_file_size: walk.max_file_size,
                exclude: walk.exclude.clone(),
            };
            one.run(&|visit| match visit {
                Visit::File(source) => {
                    scanned.fetch_add(1, Ordering::Relaxed);
                    let (found, warned) = self.check_source_in(&source, bound);
                    warnings.fetch_add(warned, Ordering::Relaxed);
                    if !found.is_empty() {
                        lock(&findings).extend(found);
                    }
                }
                Visit::Skipped { reason, .. } => {
                    *lock(&skipped).entry(reason).or_default() += 1;
                }
                Visit::Warning(message) => {
                    tracing::warn!("{message}");
                    warnings.fetch_add(1, Ordering::Relaxed);
                }
            });
        }

        let mut findings = findings.into_inner().unwrap_or_else(|e| e.into_inner());
        sort_findings(&mut findings);
        let skipped = skipped.into_inner().unwrap_or_else(|e| e.into_inner());
        let warnings = warnings.into_inner() + skipped.get(&SkipReason::Unreadable).unwrap_or(&0);
        ScanResult {
            findings,
            summary: Summary {
                files_scanned: scanned.into_inner(),
                skipped,
                warnings,
                elapsed: started.elapsed(),
            },
        }
    }

    /// Checks one source; returns its findings and how many warnings it logged.
    pub fn check_source(&self, source: &Source) -> (Vec<Finding>, usize) {
        self.check_source_in(source, None)
    }

    /// Checks one source whose path is relative to the scanned folder `root` (`None`:
    /// not known, or not on disk); returns its findings and how many warnings it logged.
    pub fn check_source_in(&self, source: &Source, root: Option<&Path>) -> (Vec<Finding>, usize) {
        let text = String::from_utf8_lossy(&source.bytes);
        let kind = FileKind::classify(&source.path, &text);
        let doc = Document::new(&source.path, kind, &text).with_root(root);

        let mut raw = Findings::default();
        for checker in self.checkers.iter().filter(|c| c.applies_to(kind)) {
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

        let mut findings: Vec<Finding> = raw
            .raw
            .into_iter()
            .filter(|r| self.rules.is_enabled(&r.rule_id))
            .filter_map(|r| self.finish(&doc, r))
            .collect();
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
        (findings, warnings.len())
    }

    /// Positions, suppresses and fingerprints one raw finding.
    fn finish(&self, doc: &Document, raw: RawFinding) -> Option<Finding> {
        let span = doc.span(&raw.bytes);
        let meta: Option<&RuleMeta> = rules::builtin_meta().get(&raw.rule_id);
        if suppress::is_suppressed(doc, span.line, meta, &raw.rule_id) {
            tracing::debug!(
                "{}:{}: {} suppressed inline",
                doc.path,
                span.line,
                raw.rule_id
            );
            return None;
        }
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
        let masks: Vec<_> = raw.secret.iter().cloned().collect();
        Some(Finding {
            severity: self.rules.severity(&raw.rule_id),
            snippet: doc.snippet(&span, &masks),
            path: doc.path.to_string(),
            span,
            bytes: raw.bytes,
            message: raw.message,
            fingerprint,
            line_hash: String::new(),
            rule_id: raw.rule_id,
        })
    }
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
