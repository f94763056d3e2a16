//! Reading a tenant into a visitor that can be split, with progress: a file is parsed and
//! planned on every core, the live client reads through its own pages.

use super::live::Source;
use crate::error::CliError;
use crate::model::{BypassAssociation, Mailbox, Organization, SplitVisitor, StateVisitor};
use crate::progress::Progress;
use crate::state::ReadOptions;

/// Reads the whole state into `visitor`, counting mailboxes on a progress indicator.
pub(super) fn read_counted<V: SplitVisitor>(
    source: &Source,
    visitor: V,
    options: &ReadOptions,
) -> Result<V, CliError> {
    let progress = Progress::new("reading mailboxes", None);
    let mut counted = Counted::new(visitor, &progress);
    match source {
        Source::File(file) => {
            file.read_split(&mut counted, options)?;
        }
        Source::Live(_) => source.read(&mut counted, options)?,
    }
    progress.finish();
    Ok(counted.into_inner())
}

/// Counts mailboxes for the progress indicator while a planner, or its parts on other threads,
/// visits them. Parts count on their own and report when they are merged.
struct Counted<'a, V> {
    inner: V,
    seen: u64,
    progress: &'a Progress,
    /// The visitor the reader was given, rather than a part of it.
    whole: bool,
}

impl<'a, V> Counted<'a, V> {
    fn new(inner: V, progress: &'a Progress) -> Self {
        Counted {
            inner,
            seen: 0,
            progress,
            whole: true,
        }
    }

    fn into_inner(self) -> V {
        self.inner
    }
}

impl<V: StateVisitor> StateVisitor for Counted<'_, V> {
    fn organization(&mut self, organization: Organization) {
        self.inner.organization(organization);
    }
    fn bypass(&mut self, association: BypassAssociation) {
        self.inner.bypass(association);
    }
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.inner.mailbox(mailbox);
        if self.whole {
            self.progress.inc(1);
        } else {
            self.seen += 1;
        }
    }
}

impl<V: SplitVisitor> SplitVisitor for Counted<'_, V> {
    fn split(&self) -> Self {
        Counted {
            inner: self.inner.split(),
            seen: 0,
            progress: self.progress,
            whole: false,
        }
    }
    fn merge(&mut self, later: Self) {
        self.progress.inc(later.seen);
        self.inner.merge(later.inner);
    }
}
