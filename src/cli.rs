//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::Severity;

/// Finds what would fail a production-hardening review: hardcoded secrets, root and
/// unpinned containers, missing resource limits, debug mode and SQL built from strings.
#[derive(Debug, Parser)]
#[command(
    name = "smartedu-lint",
    version,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or folders to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write results to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when any finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: Severity,

    /// Run only these rules: ids, or families ending in `/` (`--only secrets/`). Applies
    /// on top of the configuration, which may still disable some of them.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Do not run these rules: ids, aliases, or families ending in `/` (`--skip code/`).
    /// Applies on top of the configuration and of --only.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Configuration file (default: `.smartedu-lint.toml` in the scan root or above).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Number of threads, 1 to 256 (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Only print errors on stderr.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More logging on stderr (-v: info, -vv: debug, -vvv: trace).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Scan every blob reachable from any ref of the git repository at PATH (a work tree,
    /// its .git or a bare repository), and the working-tree files no commit holds.
    #[arg(long, conflicts_with_all = ["staged", "diff"])]
    pub history: bool,

    /// With --history: only commits not reachable from REV.
    #[arg(long, value_name = "REV", requires = "history")]
    pub since: Option<String>,

    /// Scan what is staged in the git index; only findings on added lines (pre-commit).
    #[arg(long, conflicts_with = "diff")]
    pub staged: bool,

    /// Only findings on lines added or changed in HEAD since its merge base with BASE.
    #[arg(long, value_name = "BASE")]
    pub diff: Option<String>,

    /// Do not report (or fail on) findings whose fingerprints FILE lists.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings to FILE as a baseline, say how many (report none of them).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report `smartedu-lint: ignore` markers and --baseline entries that suppressed
    /// nothing, as findings of rule meta/unused-ignore (severity low: they fail the run).
    #[arg(long)]
    pub report_unused_ignores: bool,

    /// Print secrets in full (snippets and messages). Off by default: reports travel to CI
    /// logs and code-scanning uploads, where a secret must not be repeated.
    #[arg(long)]
    pub show_secrets: bool,
}

impl Cli {
    /// True when a git mode (`--history`, `--staged`, `--diff`) is on.
    pub fn git_mode(&self) -> bool {
        self.history || self.staged || self.diff.is_some()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, severity, title.
    Rules {
        /// `table`; `json` (every rule's metadata); `markdown` (the text of docs/rules.md).
        #[arg(short, long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Show a rule's documentation: why it matters and how to fix it.
    Explain {
        /// Rule id, e.g. docker/root-user (or an alias such as DL3002).
        rule: String,
    },
    /// Write a Markdown summary of a SARIF report made by `--format sarif` (or of the
    /// `--format json` report): counts by severity and the most severe findings (the
    /// GitHub Action's job summary).
    Summary {
        /// The report: SARIF, or smartedu-lint's JSON report.
        #[arg(value_name = "REPORT")]
        sarif: PathBuf,
        /// How many findings to list.
        #[arg(long, value_name = "N", default_value_t = 10)]
        top: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n @ 1..=256) => Ok(n),
        _ => Err(format!("`{s}` is not a thread count from 1 to 256")),
    }
}
