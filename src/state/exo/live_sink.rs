//! The live tenant as a [`StateSink`]: apply's staleness check and verification read through
//! the client, and the plan is written in batches. Ctrl-C stops new batches; the report then
//! says, per object, what was and was not applied.
//!
//! Verification reads the planned mailboxes back while the writes go on, so that it costs
//! about one page after the last write rather than a whole read of the tenant. The writes go
//! out in the plan's order, which is the order the service listed the mailboxes in; the
//! verifying read walks the same listing, and asks for each page only once the planned
//! mailboxes that page can hold (the next thousand not yet read back, in the plan's order)
//! have settled. A mailbox that nevertheless comes back in a page asked for before its own
//! change settled (the tenant's order moved, or a retry came late), or that the listing does
//! not show, is read again on its own once the writes are done. Every changed mailbox is so
//! read after its change settled, and checked.

use super::sink::{Settled, Slots, WriteResult};
use super::source::{mailbox_select, Parts};
use super::{ExoClient, ExoError, Pages};
use crate::model::{BypassAssociation, Mailbox, Organization, StateVisitor};
use crate::plan::Plan;
use crate::state::snapshot::read_snapshot_bytes;
use crate::state::{
    CurrentObjects, ObjectOutcome, ObjectRef, ObjectResult, ReadOptions, SinkError, StateSink,
};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Condvar, Mutex};

/// Up to this many planned mailboxes are read one by one; more, and reading the listing is
/// cheaper.
const READ_ONE_BY_ONE: usize = 32;

/// The most mailboxes one page of a listing holds (`Prefer: odata.maxpagesize=1000`).
/// The service may send fewer; the read-back then goes by the pages it has seen.
const PAGE_MAILBOXES: usize = 1000;

pub struct ExoSink<'c> {
    client: &'c ExoClient,
    interrupt: Arc<AtomicBool>,
}

impl<'c> ExoSink<'c> {
    /// `interrupt` becoming true stops the scheduling of new batches.
    pub fn new(client: &'c ExoClient, interrupt: Arc<AtomicBool>) -> ExoSink<'c> {
        ExoSink { client, interrupt }
    }
}

impl From<ExoError> for SinkError {
    fn from(error: ExoError) -> Self {
        SinkError::Live(Box::new(error))
    }
}

/// The listings that hold a plan's mailboxes.
fn planned_parts(plan: &Plan) -> Parts {
    let groups = plan
        .mailbox_changes
        .iter()
        .any(|change| change.recipient_type.is_fixed_configuration());
    Parts {
        organization: plan.organization_change.is_some(),
        bypass: !plan.bypass_changes.is_empty(),
        mailboxes: plan
            .mailbox_changes
            .iter()
            .any(|change| !change.recipient_type.is_fixed_configuration()),
        group_mailboxes: groups,
    }
}

impl StateSink for ExoSink<'_> {
    fn describe(&self) -> String {
        self.client.describe()
    }

    fn read_planned(&mut self, plan: &Plan) -> Result<CurrentObjects, SinkError> {
        let mut collector = CurrentObjects::collector(plan);
        let mut parts = planned_parts(plan);
        let one_by_one = plan.mailbox_changes.len() <= READ_ONE_BY_ONE;
        if one_by_one {
            parts.mailboxes = false;
            parts.group_mailboxes = false;
        }
        if parts != Parts::NONE {
            self.client
                .read_parts(&mut collector, &ReadOptions::default(), parts)?;
        }
        let mut current = collector.finish();
        if one_by_one {
            for change in &plan.mailbox_changes {
                let group = change.recipient_type.is_fixed_configuration();
                if let Some(mailbox) = self.client.read_one_mailbox(change.subject.id(), group)? {
                    current
                        .mailboxes
                        .insert(change.subject.id().to_string(), mailbox);
                }
            }
        }
        Ok(current)
    }

    fn apply(
        &mut self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<Vec<ObjectOutcome>, SinkError> {
        let slots = Slots::new(self.client.config().parallelism);
        let settlements = Settlements::new(0);
        self.write(plan, progress, &slots, &settlements)
    }

    fn apply_and_read_back(
        &mut self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<(Vec<ObjectOutcome>, CurrentObjects), SinkError> {
        let slots = Slots::new(self.client.config().parallelism);
        let settlements = Settlements::new(plan.mailbox_changes.len());
        let client = self.client;
        let (outcomes, mailboxes) = std::thread::scope(|scope| {
            // The writers never wait for the reader: it only takes a slot now and then.
            let verifier = scope.spawn(|| {
                Verifier {
                    client,
                    plan,
                    slots: &slots,
                    settlements: &settlements,
                }
                .read_back()
            });
            let outcomes = self.write(plan, progress, &slots, &settlements);
            settlements.finish();
            let mailboxes = verifier.join().unwrap_or_else(|_| {
                Err(ExoError::Malformed {
                    cmdlet: "Get-Mailbox".into(),
                    reason: "reading the mailboxes back stopped unexpectedly".into(),
                })
            });
            (outcomes, mailboxes)
        });
        let outcomes = outcomes?;
        let mut after = CurrentObjects {
            mailboxes: mailboxes?,
            ..CurrentObjects::default()
        };
        // The organization and the bypass associations are written after the mailboxes.
        let parts = Parts {
            mailboxes: false,
            group_mailboxes: false,
            ..planned_parts(plan)
        };
        if parts != Parts::NONE {
            let mut collector = CurrentObjects::collector(plan);
            self.client
                .read_parts(&mut collector, &ReadOptions::default(), parts)?;
            let read = collector.finish();
            after.organization = read.organization;
            after.bypass = read.bypass;
        }
        Ok((outcomes, after))
    }
}

impl ExoSink<'_> {
    /// Writes the plan, telling `settlements` of each mailbox as it settles.
    fn write(
        &self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
        slots: &Slots,
        settlements: &Settlements,
    ) -> Result<Vec<ObjectOutcome>, SinkError> {
        // The writer's workers report on a channel, so that `progress` (which need not be
        // thread-safe) runs on this thread while the batches are in flight.
        let (sender, receiver) = mpsc::channel::<(usize, WriteResult)>();
        let report = std::thread::scope(|scope| {
            let writer = scope.spawn(move || {
                self.client.write_in(
                    plan,
                    &self.interrupt,
                    &|index, result| {
                        settlements.settle(index, result.succeeded());
                        let _ = sender.send((index, result.clone()));
                    },
                    slots,
                )
            });
            for (index, result) in receiver {
                if let Some(change) = plan.mailbox_changes.get(index) {
                    progress(&ObjectOutcome {
                        object: ObjectRef::mailbox(&change.subject),
                        result: object_result(&result),
                        warnings: Vec::new(),
                    });
                }
            }
            writer.join()
        })
        .map_err(|_| {
            SinkError::Live(Box::new(ExoError::Malformed {
                cmdlet: "Set-Mailbox".into(),
                reason: "the writer stopped unexpectedly".into(),
            }))
        })?;
        let mut outcomes = Vec::with_capacity(plan.to_change());
        for (change, settled) in plan.mailbox_changes.iter().zip(&report.mailboxes) {
            outcomes.push(outcome(ObjectRef::mailbox(&change.subject), settled));
        }
        if let Some(settled) = &report.organization {
            outcomes.push(outcome(ObjectRef::Organization, settled));
        }
        for (change, settled) in plan.bypass_changes.iter().zip(&report.bypass) {
            outcomes.push(outcome(ObjectRef::bypass(&change.subject), settled));
        }
        Ok(outcomes)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Which planned mailboxes have settled, in what order: what the verifying reader waits on.
struct Settlements {
    state: Mutex<SettleState>,
    changed: Condvar,
}

struct SettleState {
    /// Per planned mailbox, when it settled (a sequence number) and whether it succeeded.
    settled: Vec<Option<(u64, bool)>>,
    next: u64,
    /// The longest run of planned mailboxes, from the first, that have all settled.
    prefix: usize,
    /// The writer is done: whatever has not settled never will.
    finished: bool,
}

impl Settlements {
    fn new(mailboxes: usize) -> Settlements {
        Settlements {
            state: Mutex::new(SettleState {
                settled: vec![None; mailboxes],
                next: 0,
                prefix: 0,
                finished: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn settle(&self, index: usize, succeeded: bool) {
        let mut state = lock(&self.state);
        let sequence = state.next;
        state.next += 1;
        let Some(slot) = state.settled.get_mut(index) else {
            return;
        };
        *slot = Some((sequence, succeeded));
        while state.prefix < state.settled.len() && state.settled[state.prefix].is_some() {
            state.prefix += 1;
        }
        drop(state);
        self.changed.notify_all();
    }

    fn finish(&self) {
        lock(&self.state).finished = true;
        self.changed.notify_all();
    }

    /// Waits until the first `count` planned mailboxes have settled, or the writer is done;
    /// returns the sequence number every settlement so far is below.
    fn wait_for_prefix(&self, count: usize) -> u64 {
        let mut state = lock(&self.state);
        let count = count.min(state.settled.len());
        while state.prefix < count && !state.finished {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.next
    }

    /// Waits until the writer is done.
    fn wait_for_finish(&self) {
        let mut state = lock(&self.state);
        while !state.finished {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Whether the mailbox settled, successfully, before `sequence`.
    fn succeeded_before(&self, index: usize, sequence: u64) -> bool {
        matches!(lock(&self.state).settled.get(index), Some(Some((at, true))) if *at < sequence)
    }

    fn succeeded(&self, index: usize) -> bool {
        matches!(lock(&self.state).settled.get(index), Some(Some((_, true))))
    }
}

/// Reads the planned mailboxes back behind the writes.
struct Verifier<'a> {
    client: &'a ExoClient,
    plan: &'a Plan,
    slots: &'a Slots,
    settlements: &'a Settlements,
}

impl Verifier<'_> {
    /// Every changed mailbox as read after its change settled, by id; a mailbox the service no
    /// longer knows is absent.
    fn read_back(&self) -> Result<HashMap<String, Mailbox>, ExoError> {
        let changes = &self.plan.mailbox_changes;
        let mut read: HashMap<String, Mailbox> = HashMap::new();
        let mut again: Vec<usize> = Vec::new();
        if changes.len() <= READ_ONE_BY_ONE {
            again.extend(0..changes.len());
        } else {
            again = self.walk_listings(&mut read)?;
        }
        self.settlements.wait_for_finish();
        for index in again {
            if !self.settlements.succeeded(index) {
                continue;
            }
            let id = changes[index].subject.id();
            let group = changes[index].recipient_type.is_fixed_configuration();
            let _slot = self.slots.take();
            match self.client.read_one_mailbox(id, group)? {
                Some(mailbox) => read.insert(id.to_string(), mailbox),
                None => read.remove(id),
            };
        }
        Ok(read)
    }

    /// Walks the listings that hold the planned mailboxes, each page asked for once the
    /// mailboxes it can hold have settled. Returns the planned mailboxes to read again on
    /// their own: those a page showed before they settled, and those no page showed.
    fn walk_listings(&self, read: &mut HashMap<String, Mailbox>) -> Result<Vec<usize>, ExoError> {
        let changes = &self.plan.mailbox_changes;
        let positions: HashMap<&str, usize> = changes
            .iter()
            .enumerate()
            .map(|(index, change)| (change.subject.id(), index))
            .collect();
        let mut seen = vec![false; changes.len()];
        let mut first_unseen = 0;
        let mut again = Vec::new();
        let parts = planned_parts(self.plan);
        let select = mailbox_select(&ReadOptions::default());
        let mut listings = Vec::new();
        if parts.mailboxes {
            listings.push(json!({"ResultSize": "Unlimited"}));
        }
        if parts.group_mailboxes {
            listings.push(json!({"ResultSize": "Unlimited", "GroupMailbox": true}));
        }
        // How many mailboxes the next page may hold: the most a page may hold until the
        // service's pages show their size.
        let mut window = PAGE_MAILBOXES;
        let mut sized = false;
        for parameters in listings {
            let mut pages = Pages::new(self.client, "Get-Mailbox", parameters, select.as_deref());
            loop {
                let asked_at = self.settlements.wait_for_prefix(first_unseen + window);
                let page = {
                    let _slot = self.slots.take();
                    pages.next_page()
                };
                let Some(page) = page else {
                    break;
                };
                let mut collector = Collect::default();
                read_snapshot_bytes(
                    &page?,
                    "Get-Mailbox",
                    &mut collector,
                    &ReadOptions::default(),
                )
                .map_err(|source| ExoError::Answer {
                    cmdlet: "Get-Mailbox".into(),
                    source: Box::new(source),
                })?;
                if !collector.0.is_empty() {
                    window = if sized {
                        window.max(collector.0.len())
                    } else {
                        collector.0.len()
                    };
                    sized = true;
                }
                for mailbox in collector.0 {
                    let Some(&index) = positions.get(mailbox.names.immutable_id()) else {
                        continue;
                    };
                    seen[index] = true;
                    if self.settlements.succeeded_before(index, asked_at) {
                        read.insert(changes[index].subject.id().to_string(), mailbox);
                    } else {
                        again.push(index);
                    }
                }
                while first_unseen < seen.len() && seen[first_unseen] {
                    first_unseen += 1;
                }
            }
        }
        again.extend((0..changes.len()).filter(|&index| !seen[index]));
        Ok(again)
    }
}

/// Keeps the mailboxes of one page.
#[derive(Default)]
struct Collect(Vec<Mailbox>);

impl StateVisitor for Collect {
    fn organization(&mut self, _: Organization) {}
    fn bypass(&mut self, _: BypassAssociation) {}
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.0.push(mailbox);
    }
}

fn outcome(object: ObjectRef, settled: &Settled) -> ObjectOutcome {
    ObjectOutcome {
        object,
        result: object_result(&settled.result),
        warnings: settled.warnings.clone(),
    }
}

fn object_result(result: &WriteResult) -> ObjectResult {
    match result {
        WriteResult::Changed | WriteResult::AlreadyApplied => ObjectResult::Changed,
        WriteResult::Failed { message } => ObjectResult::Failed {
            message: message.clone(),
        },
        WriteResult::NotApplied => ObjectResult::Failed {
            message: "not applied: stopped (Ctrl-C) before it was sent".into(),
        },
        WriteResult::Unknown => ObjectResult::Failed {
            message: "stopped (Ctrl-C) while a retry was pending after the connection broke; it may or may not have been applied, and `auditform plan` shows which".into(),
        },
    }
}
