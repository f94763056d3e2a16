//! A progress indicator on stderr for work a person waits on: reading a large tenant, applying
//! many changes.
//!
//! It draws only for a person at a terminal, and only once the work has taken longer than
//! [`DRAW_AFTER`], so that quick commands never flicker. In CI logs, piped output and under
//! `TERM=dumb` it stays hidden, and stdout is never touched.

use crate::model::{BypassAssociation, Mailbox, Organization, StateVisitor};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Work that ends sooner than this shows nothing.
pub const DRAW_AFTER: Duration = Duration::from_millis(300);

/// How often a visible spinner moves while no count arrives.
const TICK: Duration = Duration::from_millis(120);

/// A spinner (no known total) or a bar (known total) on stderr.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// Whether this process may draw at all: stderr is a terminal outside CI.
    may_draw: bool,
    /// Whether drawing has begun (the bar's own target may still decline a non-terminal).
    revealed: AtomicBool,
}

impl Progress {
    /// Progress of `label`, counting up to `total` when it is known.
    pub fn new(label: &str, total: Option<u64>) -> Progress {
        Progress::with_permission(label, total, may_draw(&Environment::current()))
    }

    /// Progress that never draws, for callers that print their own output.
    pub fn hidden(label: &str, total: Option<u64>) -> Progress {
        Progress::with_permission(label, total, false)
    }

    fn with_permission(label: &str, total: Option<u64>, may_draw: bool) -> Progress {
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
                .with_style(style(
                    "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} ({eta})",
                )),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
                .with_style(style("{spinner} {msg}: {human_pos}")),
        };
        bar.set_message(label.to_string());
        Progress {
            bar,
            started: Instant::now(),
            may_draw,
            revealed: AtomicBool::new(false),
        }
    }

    /// Counts `n` more units of work done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        self.reveal_when_slow();
    }

    /// How many units were counted.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Whether drawing on stderr has begun.
    pub fn is_drawn(&self) -> bool {
        self.revealed.load(Ordering::Relaxed)
    }

    /// Ends the work and clears the line, leaving stderr as it was.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Counts mailboxes as a state reader hands them to `visitor`.
    pub fn counting<'a, V: StateVisitor>(&'a self, visitor: &'a mut V) -> CountingVisitor<'a, V> {
        CountingVisitor {
            inner: visitor,
            progress: self,
        }
    }

    fn reveal_when_slow(&self) {
        if self.may_draw && !self.is_drawn() && self.started.elapsed() >= DRAW_AFTER {
            self.revealed.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(TICK);
        }
    }
}

impl Drop for Progress {
    /// An early return (an error) must not leave a half-drawn line above its message.
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// What decides whether progress may be drawn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    pub stderr_is_terminal: bool,
    /// `CI` (GitHub Actions, GitLab CI and most others) or `TF_BUILD` (Azure DevOps) is set.
    pub in_ci: bool,
    pub term_is_dumb: bool,
}

impl Environment {
    pub fn current() -> Environment {
        let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
        Environment {
            stderr_is_terminal: std::io::stderr().is_terminal(),
            in_ci: set("CI") || set("TF_BUILD"),
            term_is_dumb: std::env::var_os("TERM").is_some_and(|term| term == "dumb"),
        }
    }
}

/// Only a person at a real terminal sees progress; logs and pipes never do.
pub fn may_draw(environment: &Environment) -> bool {
    environment.stderr_is_terminal && !environment.in_ci && !environment.term_is_dumb
}

/// A [`StateVisitor`] that counts mailboxes on a [`Progress`] and passes everything on.
pub struct CountingVisitor<'a, V> {
    inner: &'a mut V,
    progress: &'a Progress,
}

impl<V: StateVisitor> StateVisitor for CountingVisitor<'_, V> {
    fn organization(&mut self, organization: Organization) {
        self.inner.organization(organization);
    }
    fn bypass(&mut self, association: BypassAssociation) {
        self.inner.bypass(association);
    }
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.inner.mailbox(mailbox);
        self.progress.inc(1);
    }
}

#[cfg(test)]
mod tests;
