//! The history scan's progress bar: on stderr, and only where a person is watching.
//!
//! A bar redraws itself many times a second; a CI log or a file keeps every redraw, so
//! the bar is drawn only when stderr is a terminal, never with `-q`, and never when the
//! `CI` variable says a CI system runs us (some of them give jobs a pseudo-terminal).

use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::discover::history::Progress;

/// How often the bar is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// The bar on screen, if any: log lines written meanwhile go through it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Standard error for log lines: while a bar is drawn, each write hides the bar, prints
/// on a line of its own and draws the bar again below it (`ProgressBar::suspend`),
/// instead of being appended to the bar's line. `init` gives it to the log subscriber.
pub fn stderr_writer() -> LogWriter {
    LogWriter
}

/// See [`stderr_writer`].
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match bar {
            Some(bar) => bar
                .suspend(|| std::io::stderr().write_all(buf))
                .map(|()| buf.len()),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn set_active(bar: Option<ProgressBar>) {
    *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = bar;
}

/// True when a progress bar may be drawn: not `quiet`, stderr is a terminal, and `ci` (the
/// `CI` variable) is unset, empty, `false` or `0`.
pub fn wanted(quiet: bool, stderr_is_terminal: bool, ci: Option<&OsStr>) -> bool {
    let in_ci = ci.is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    !quiet && stderr_is_terminal && !in_ci
}

/// [`wanted`] for this process: its `-q`, its stderr and its environment.
pub fn wanted_here(quiet: bool) -> bool {
    wanted(
        quiet,
        std::io::stderr().is_terminal(),
        std::env::var_os("CI").as_deref(),
    )
}

/// Runs `scan` while a bar on stderr shows `progress` (if `show`), then clears the bar.
pub fn with_history_bar<T>(progress: &Progress, show: bool, scan: impl FnOnce() -> T) -> T {
    if !show {
        return scan();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{spinner} {prefix} [{bar:20}] {pos}/{len} blobs, {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix("history");
    draw(&bar, progress);
    set_active(Some(bar.clone()));
    let stop = AtomicBool::new(false);
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                draw(&bar, progress);
                std::thread::sleep(TICK);
            }
        });
        let out = scan();
        stop.store(true, Ordering::Relaxed);
        out
    });
    set_active(None);
    bar.finish_and_clear();
    out
}

/// One redraw. Until every commit is walked the total is only what was queued so far, and
/// the message says so.
fn draw(bar: &ProgressBar, progress: &Progress) {
    let queued = progress.queued.load(Ordering::Relaxed) as u64;
    let done = progress.done.load(Ordering::Relaxed) as u64;
    let commits = progress.commits.load(Ordering::Relaxed);
    if progress.walked.load(Ordering::Relaxed) {
        bar.set_message(format!("all {commits} commits walked"));
    } else {
        bar.set_message(format!("walking commits: {commits}"));
    }
    bar.set_length(queued);
    bar.set_position(done.min(queued));
    bar.tick();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_only_on_a_terminal_without_quiet_or_ci() {
        assert!(wanted(false, true, None));
        assert!(!wanted(false, false, None), "stderr is not a terminal");
        assert!(!wanted(true, true, None), "-q");
        assert!(!wanted(false, true, Some(OsStr::new("true"))), "CI=true");
        assert!(!wanted(false, true, Some(OsStr::new("1"))), "CI=1");
        assert!(wanted(false, true, Some(OsStr::new(""))), "CI empty");
        assert!(wanted(false, true, Some(OsStr::new("false"))), "CI=false");
    }
}
