//! The `smartedu-lint` binary: arguments in, exit code out.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use smartedu_lint::baseline::Baseline;
use smartedu_lint::cli::{Cli, Command, Format, RulesFormat};
use smartedu_lint::config::{self, Config};
use smartedu_lint::discover::history::{HistoryWalk, Progress};
use smartedu_lint::discover::tree::{TreeWalk, report_base};
use smartedu_lint::discover::{diff, staged};
use smartedu_lint::engine::{Engine, RuleSet, ScanResult, merge_duplicates, sort_findings};
use smartedu_lint::report::{self, Color};
use smartedu_lint::rules;
use smartedu_lint::suppress::UNUSED_IGNORE;

/// Exit codes: each means one thing.
const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            tracing::error!("{err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SMARTEDU_LINT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let color = std::io::stderr().is_terminal() && no_color_unset();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(report::progress::stderr_writer)
        .with_ansi(color)
        .event_format(LogLine)
        .init();
}

/// Formats log events as `warning: path:line: message`, like compilers do.
struct LogLine;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for LogLine
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let level = match *event.metadata().level() {
            tracing::Level::ERROR => "error",
            tracing::Level::WARN => "warning",
            tracing::Level::INFO => "info",
            tracing::Level::DEBUG => "debug",
            tracing::Level::TRACE => "trace",
        };
        write!(writer, "{level}: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

fn run(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Some(Command::Rules { format }) => {
            install_config_rules(cli)?;
            return print_rules(*format);
        }
        Some(Command::Explain { rule }) => {
            install_config_rules(cli)?;
            return explain(rule);
        }
        Some(Command::Summary { sarif, top }) => return summarize(sarif, *top),
        None => {}
    }

    let mut missing = false;
    for path in &cli.paths {
        if std::fs::symlink_metadata(path).is_err() {
            tracing::error!(
                "{}: no such file or folder{}",
                path.display(),
                command_hint(cli, path)
            );
            missing = true;
        } else if std::fs::metadata(path).is_err() {
            // A link the user named is followed, but this one leads nowhere: say why.
            let trouble = smartedu_lint::discover::tree::link_trouble(path);
            let shown = |p: &std::path::Path| Some(p.to_string_lossy().replace('\\', "/"));
            tracing::error!("{}: {}", path.display(), trouble.describe(&shown));
            missing = true;
        } else if let Some(why) = unscannable_root(path) {
            // What was asked cannot be scanned at all: an error, not a warning, so the
            // exit code does not claim a clean scan.
            tracing::error!("{}: {why}", path.display());
            missing = true;
        }
    }
    let roots = distinct_roots(
        cli.paths
            .iter()
            .filter(|p| p.exists() && unscannable_root(p).is_none())
            .cloned()
            .collect(),
    );
    if roots.is_empty() {
        return Ok(EXIT_ERROR);
    }

    let mut config = load_config(cli, &roots[0])?;
    rules::install_custom(config.custom_meta());
    if !cli.only.is_empty() {
        restrict_to(&mut config, &cli.only)?;
    }
    skip(&mut config, &cli.skip)?;
    if cli.report_unused_ignores {
        enable_unused_ignores(&mut config);
    }
    let engine = Engine::new(RuleSet::from_config(&config));
    let engine = if cli.show_secrets {
        engine.with_secrets_shown()
    } else {
        engine
    };
    // A marker in an old blob is no one's to fix; see `meta/unused-ignore`.
    let engine = if cli.history {
        engine.without_marker_check()
    } else {
        engine
    };
    let max_file_size = config
        .max_file_size
        .unwrap_or(config::DEFAULT_MAX_FILE_SIZE);
    let walk_base = report_base(&roots[0]).0;
    let walk = TreeWalk {
        roots,
        threads: cli.threads.unwrap_or(0),
        max_file_size,
        exclude: config.exclude.clone(),
        output: cli.output.clone(),
    };
    let mut result = if cli.git_mode() {
        scan_git(cli, &engine, walk)?
    } else {
        engine.scan_tree(&walk)
    };
    result.findings = merge_duplicates(std::mem::take(&mut result.findings));
    let wrote = apply_baselines(cli, &engine, &walk_base, &mut result)?;

    match (wrote, &cli.write_baseline) {
        // What was done, not "0 findings": the findings went to the baseline.
        (Some(n), Some(path)) if cli.format == Format::Human && cli.output.is_none() => {
            emit(&format!("{}\n", baseline_line(n, path, &result)))?;
        }
        (Some(n), Some(path)) => {
            write_report(cli, &result)?;
            if !cli.quiet {
                tracing::warn!("{}", baseline_line(n, path, &result));
            }
        }
        _ => write_report(cli, &result)?,
    }
    let failing = result.findings.iter().any(|f| f.severity >= cli.fail_on);
    Ok(if missing {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// `--history`, `--staged` or `--diff` on the one repository the command line names.
fn scan_git(cli: &Cli, engine: &Engine, walk: TreeWalk) -> Result<ScanResult> {
    let [root] = walk.roots.as_slice() else {
        anyhow::bail!("the git modes scan one repository: give one PATH");
    };
    let root = root.clone();
    let excludes = smartedu_lint::discover::tree::repo_excludes(&walk.exclude);
    let keep = |changed: &mut smartedu_lint::discover::gitutil::ChangedFiles| {
        let excluded = |p: &str| smartedu_lint::discover::tree::is_excluded(&excludes, p);
        changed.sources.retain(|s| !excluded(&s.path));
        changed.lines.retain(|p, _| !excluded(p));
        changed.skipped.retain(|(p, _)| !excluded(p));
    };
    if let Some(base) = &cli.diff {
        let mut changed = diff::changed_since(&root, base, walk.max_file_size)?;
        keep(&mut changed);
        return Ok(engine.scan_changed(&changed));
    }
    if cli.staged {
        let mut changed = staged::staged(&root, walk.max_file_size)?;
        keep(&mut changed);
        return Ok(engine.scan_changed(&changed));
    }
    let history = HistoryWalk {
        root,
        since: cli.since.clone(),
        threads: cli.threads.unwrap_or(0),
        max_file_size: walk.max_file_size,
        exclude: excludes.clone(),
    };
    let progress = Progress::default();
    let show = report::progress::wanted_here(cli.quiet);
    let (result, stats) = report::progress::with_history_bar(&progress, show, || {
        engine.scan_history(&history, Some(&walk), &progress)
    })?;
    tracing::info!(
        "history: {} commits, {} distinct blobs, {} submodule(s) not followed",
        stats.commits,
        stats.blobs,
        stats.submodules
    );
    Ok(result)
}

/// `wrote 3 findings to .baseline.json as a baseline (12 files scanned; 0.04s)`
fn baseline_line(n: usize, path: &std::path::Path, result: &ScanResult) -> String {
    let s = &result.summary;
    format!(
        "wrote {n} finding{} to {} as a baseline ({} file{} scanned; {:.2}s)",
        if n == 1 { "" } else { "s" },
        path.display(),
        s.files_scanned,
        if s.files_scanned == 1 { "" } else { "s" },
        s.elapsed.as_secs_f64()
    )
}

/// `--write-baseline` records every current finding (the count written is returned); `--baseline` hides the ones it lists
/// and, with `meta/unused-ignore` on, reports its entries that hid nothing. Those are
/// judged only when the scan saw everything an entry could match: not for `--staged`,
/// `--diff` or `--since`, and not for rules that did not run. `base` is the folder report
/// paths are relative to.
fn apply_baselines(
    cli: &Cli,
    engine: &Engine,
    base: &std::path::Path,
    result: &mut ScanResult,
) -> Result<Option<usize>> {
    let previous = cli.baseline.as_deref().map(Baseline::load).transpose()?;
    let mut hidden = 0;
    let mut wrote = None;
    if let Some(path) = &cli.write_baseline {
        let written = Baseline::of(&result.findings, previous.as_ref());
        written.write(path)?;
        wrote = Some(written.len());
        hidden = result.findings.len();
        result.findings.clear();
    } else if let Some(baseline) = &previous {
        let rules = engine.rules();
        let partial = cli.staged || cli.diff.is_some() || cli.since.is_some();
        let unused = match (&cli.baseline, rules.is_enabled(UNUSED_IGNORE) && !partial) {
            (Some(path), true) => baseline.unused_findings(
                &result.findings,
                &baseline_place(path, base),
                rules.severity(UNUSED_IGNORE),
                &|entry| rules.is_enabled(&entry.rule_id),
            ),
            _ => Vec::new(),
        };
        let before = result.findings.len();
        result.findings.retain(|f| !baseline.accepts(f));
        hidden = before - result.findings.len();
        if !unused.is_empty() {
            result.findings.extend(unused);
            sort_findings(&mut result.findings);
        }
    }
    if hidden > 0 {
        tracing::info!("{hidden} findings in the baseline not reported");
    }
    Ok(wrote)
}

/// `rules` and `explain` describe the configuration's own rules too: the configuration
/// of the current folder (or `--config`).
fn install_config_rules(cli: &Cli) -> Result<()> {
    let config = load_config(cli, std::path::Path::new("."))?;
    rules::install_custom(config.custom_meta());
    Ok(())
}

fn load_config(cli: &Cli, root: &std::path::Path) -> Result<Config> {
    let path = match &cli.config {
        Some(path) => Some(path.clone()),
        None => Config::discover(root)?,
    };
    match path {
        Some(path) => {
            tracing::info!("configuration: {}", path.display());
            Ok(Config::load(&path)?)
        }
        None => Ok(Config::default()),
    }
}

fn write_report(cli: &Cli, result: &ScanResult) -> Result<()> {
    let (mut out, color): (Box<dyn Write>, Color) = match &cli.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("{}: cannot write the report", path.display()))?;
            (Box::new(std::io::BufWriter::new(file)), Color::Never)
        }
        None => {
            let stdout = std::io::stdout();
            let color = if stdout.is_terminal() && no_color_unset() {
                Color::Always
            } else {
                Color::Never
            };
            (Box::new(std::io::BufWriter::new(stdout.lock())), color)
        }
    };
    let written = match cli.format {
        Format::Human => report::human::write(result, &mut out, color),
        Format::Json => report::json::write(result, &mut out),
        Format::Sarif => report::sarif::write(result, &mut out),
        Format::Github => report::github::write(result, &mut out),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write the report"),
    }?;
    if cli.format != Format::Human && !cli.quiet {
        tracing::info!("{}", report::human::summary_line(result));
    }
    Ok(())
}

/// `--report-unused-ignores` turns `meta/unused-ignore` on, whatever `--only` or the
/// configuration's `disable` said.
fn enable_unused_ignores(config: &mut Config) {
    let names = |p: &String| {
        p == UNUSED_IGNORE || (p.ends_with('/') && UNUSED_IGNORE.starts_with(p.as_str()))
    };
    config.rules.disable.retain(|p| !names(p));
    config.rules.enable.push(UNUSED_IGNORE.to_string());
}

/// How a report names the baseline file `path`, and the name its entries' findings are
/// fingerprinted by, for a scan whose report paths are relative to `base`. Inside `base`,
/// its relative path for both. Outside it (`--baseline /tmp/b.json repo/`), the path from
/// `base` (`../b.json`, never absolute) and its file name alone: a clone at another place
/// gets the same fingerprints.
fn baseline_place(path: &std::path::Path, base: &std::path::Path) -> (String, String) {
    let slashed = |p: &std::path::Path| p.to_string_lossy().replace('\\', "/");
    let name = path
        .file_name()
        .map_or_else(|| slashed(path), |n| slashed(std::path::Path::new(n)));
    let base = match base.canonicalize() {
        // A file named as the root: its folder is the base.
        Ok(b) if b.is_file() => b.parent().map(std::path::Path::to_path_buf),
        Ok(b) => Some(b),
        Err(_) => None,
    };
    let (Ok(file), Some(base)) = (path.canonicalize(), base) else {
        return (name.clone(), name);
    };
    if let Ok(inside) = file.strip_prefix(&base) {
        let rel = slashed(inside);
        return (rel.clone(), rel);
    }
    let common = file
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    // Nothing in common but the root (another drive): no relative path leads there.
    if common <= 1 {
        return (name.clone(), name);
    }
    let ups = base.components().count() - common;
    let mut shown = "../".repeat(ups);
    let rest: std::path::PathBuf = file.components().skip(common).collect();
    shown.push_str(&slashed(&rest));
    (shown, name)
}

/// `--skip`: these rules (ids, aliases, families) do not run, on top of the configuration.
fn skip(config: &mut Config, names: &[String]) -> Result<()> {
    let meta = config.all_meta();
    for name in names {
        let names = smartedu_lint::config::resolve_names(&meta, name)
            .map_err(|message| anyhow::anyhow!("--skip: {message}"))?;
        config.rules.disable.extend(names);
    }
    Ok(())
}

/// `--only`: every rule that no pattern names is disabled, and a rule named by its id
/// is turned on. Names resolve as in the
/// configuration (ids, aliases, families); an unknown one is a usage error, not a scan
/// that silently checks nothing.
fn restrict_to(config: &mut Config, only: &[String]) -> Result<()> {
    let meta = config.all_meta();
    let only = only
        .iter()
        .map(|name| {
            smartedu_lint::config::resolve_names(&meta, name)
                .map_err(|message| anyhow::anyhow!("--only: {message}"))
        })
        .collect::<Result<Vec<_>>>()?
        .concat();
    let named = |id: &str| {
        only.iter()
            .any(|p| p == id || (p.ends_with('/') && id.starts_with(p.as_str())))
    };
    // A rule asked for by its id (or alias) runs, even when it is off by default or the
    // configuration disables it: the command line is the newer word. A family keeps its
    // members' defaults (`--only docker/` runs what docker/ runs by default).
    let by_id: Vec<&String> = only.iter().filter(|p| !p.ends_with('/')).collect();
    config.rules.disable.retain(|p| {
        !by_id
            .iter()
            .any(|id| *id == p || (p.ends_with('/') && id.starts_with(p.as_str())))
    });
    config.rules.enable.extend(by_id.into_iter().cloned());
    for id in meta.keys() {
        if !named(id) {
            config.rules.disable.push(id.clone());
        }
    }
    Ok(())
}

/// `summary FILE`: the Markdown summary of a report; a file that is not one is a usage
/// error of one line naming it, what it is instead, and what is expected.
fn summarize(path: &std::path::Path, top: usize) -> Result<u8> {
    const EXPECTED: &str = "`summary` reads a SARIF report made by `smartedu-lint --format sarif` \
                            (or the report of `--format json`)";
    // A bound, so that a device or a runaway file (`/dev/zero`) ends in an error.
    const MAX_REPORT: u64 = 256 * 1024 * 1024;
    // Only a regular file: opening a FIFO would wait for a writer forever.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        tracing::error!("{}: not a regular file; {EXPECTED}", path.display());
        return Ok(EXIT_ERROR);
    }
    let read = std::fs::File::open(path).and_then(|file| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_REPORT + 1), &mut bytes)?;
        Ok(bytes)
    });
    let bytes = match read {
        Ok(bytes) if bytes.len() as u64 > MAX_REPORT => {
            tracing::error!(
                "{}: larger than {} MiB, not a report; {EXPECTED}",
                path.display(),
                MAX_REPORT >> 20
            );
            return Ok(EXIT_ERROR);
        }
        Ok(bytes) => bytes,
        Err(e) => {
            let why = if path.is_dir() {
                "a folder, not a file".to_string()
            } else if e.kind() == std::io::ErrorKind::NotFound {
                "no such file".to_string()
            } else {
                format!("cannot read it ({e})")
            };
            tracing::error!("{}: {why}; {EXPECTED}", path.display());
            return Ok(EXIT_ERROR);
        }
    };
    match report::summary::of_report(&bytes, top) {
        Ok(markdown) => {
            emit(&markdown)?;
            Ok(EXIT_CLEAN)
        }
        Err(why) => {
            tracing::error!("{}: {why}; {EXPECTED}", path.display());
            Ok(EXIT_ERROR)
        }
    }
}

/// Writes `text` to stdout; a reader that closed the pipe early (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

fn print_rules(format: RulesFormat) -> Result<u8> {
    let meta = rules::catalog();
    let text = match format {
        RulesFormat::Json => format!("{}\n", report::rules_doc::json(meta)?),
        RulesFormat::Markdown => report::rules_doc::markdown(meta),
        RulesFormat::Table => {
            let width = meta.keys().map(String::len).max().unwrap_or(0);
            let mut text = String::new();
            for m in meta.values() {
                let off = if m.enabled { "" } else { " (off by default)" };
                let (id, severity, title) = (&m.id, m.severity.as_str(), &m.title);
                text.push_str(&format!("{id:width$}  {severity:8}  {title}{off}\n"));
            }
            text
        }
    };
    emit(&text)?;
    Ok(EXIT_CLEAN)
}

/// `explain RULE`: one rule's documentation. A family names several rules, so it gets
/// their list; an unknown name gets the nearest ids (exit 2 either way).
fn explain(id: &str) -> Result<u8> {
    let meta = rules::catalog();
    match smartedu_lint::config::resolve_names(meta, id) {
        // A peer's id that several rules share: each of them.
        Ok(names) if names.len() > 1 => {
            let texts: Vec<String> = names
                .iter()
                .filter_map(|n| meta.get(n))
                .map(rules::explain_text)
                .collect();
            emit(&format!("{}\n", texts.join("\n\n")))?;
            Ok(EXIT_CLEAN)
        }
        Ok(names) => {
            let name = names.concat();
            explain_one(id, meta, &name)
        }
        Err(message) => {
            tracing::error!("explain: {message}");
            Ok(EXIT_ERROR)
        }
    }
}

/// `explain` of one resolved `name`: a rule's text, or the list of a family's rules.
fn explain_one(
    id: &str,
    meta: &std::collections::BTreeMap<String, rules::RuleMeta>,
    name: &str,
) -> Result<u8> {
    match meta.get(name) {
        Some(m) => {
            emit(&format!("{}\n", rules::explain_text(m)))?;
            Ok(EXIT_CLEAN)
        }
        None => {
            let ids: Vec<&str> = meta
                .keys()
                .filter(|k| k.starts_with(name))
                .map(String::as_str)
                .collect();
            let shown = match ids.get(..8) {
                Some(first) if ids.len() > 8 => format!(
                    "{}, ... (`smartedu-lint rules` lists them all)",
                    first.join(", ")
                ),
                _ => ids.join(", "),
            };
            tracing::error!(
                "`{id}` is a family of {} rules; explain one of them: {shown}",
                ids.len()
            );
            Ok(EXIT_ERROR)
        }
    }
}

/// `; did you mean the `explain` command?` when the first PATH, which does not exist, is
/// a near miss of a command name (`smartedu-lint explian x` reads `explian` as a path).
fn command_hint(cli: &Cli, path: &std::path::Path) -> String {
    use clap::CommandFactory;
    if cli.paths.first().map(PathBuf::as_path) != Some(path) {
        return String::new();
    }
    let typed = path.to_string_lossy().to_ascii_lowercase();
    let command = Cli::command();
    let near = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .chain(std::iter::once("help".to_string()))
        .find(|name| {
            let d = smartedu_lint::config::edit_distance(name, &typed);
            d > 0 && d <= 2 && typed.len() > 2
        });
    near.map_or(String::new(), |n| {
        format!("; did you mean the `{n}` command?")
    })
}

/// Why a path named on the command line (which exists) cannot be scanned: a folder that
/// cannot be listed, a file that cannot be opened, or something that is neither (a named
/// pipe would block the scan, a device such as `/dev/zero` never ends). `None` when it can.
/// Unreadable files and folders found *inside* a scanned folder stay warnings.
fn unscannable_root(path: &std::path::Path) -> Option<String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return Some(format!("cannot be read ({e})")),
    };
    if meta.is_dir() {
        return std::fs::read_dir(path)
            .err()
            .map(|e| format!("cannot list this folder ({e}); nothing was scanned"));
    }
    if meta.is_file() {
        return std::fs::File::open(path)
            .err()
            .map(|e| format!("cannot read this file ({e}); it was not scanned"));
    }
    let what = file_type_name(&meta.file_type());
    Some(format!(
        "{what}, not a regular file or folder; it was not scanned"
    ))
}

#[cfg(unix)]
fn file_type_name(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn file_type_name(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// `NO_COLOR` counts only when set to a non-empty value (no-color.org).
fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The roots without repeats: a root inside another root given too is scanned once, as part
/// of the outer one, so no file is scanned or reported twice.
fn distinct_roots(roots: Vec<PathBuf>) -> Vec<PathBuf> {
    let canonical: Vec<Option<PathBuf>> = roots.iter().map(|r| r.canonicalize().ok()).collect();
    roots
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let Some(me) = &canonical[*i] else {
                return true;
            };
            !canonical.iter().enumerate().any(|(j, other)| {
                other.as_ref().is_some_and(|o| {
                    let outer = o != me && me.starts_with(o) && o.is_dir();
                    outer || (o == me && j < *i)
                })
            })
        })
        .map(|(_, r)| r.clone())
        .collect()
}
