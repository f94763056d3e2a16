//! The live tenant as a [`StateSink`]: apply's staleness check and verification read through
//! the client, and the plan is written in batches. Ctrl-C stops new batches; the report then
//! says, per object, what was and was not applied.

use super::sink::{Settled, WriteResult};
use super::{ExoClient, ExoError};
use crate::plan::Plan;
use crate::state::{
    CurrentObjects, ObjectOutcome, ObjectRef, ObjectResult, ReadOptions, SinkError, StateSink,
};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc};

/// Up to this many planned mailboxes are read one by one; more, and one full read is cheaper.
const READ_ONE_BY_ONE: usize = 32;

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

impl StateSink for ExoSink<'_> {
    fn describe(&self) -> String {
        self.client.describe()
    }

    fn read_planned(&mut self, plan: &Plan) -> Result<CurrentObjects, SinkError> {
        let mut collector = CurrentObjects::collector(plan);
        let whole_tenant = plan.mailbox_changes.len() > READ_ONE_BY_ONE
            || plan.organization_change.is_some()
            || !plan.bypass_changes.is_empty();
        if whole_tenant {
            self.client.read(&mut collector, &ReadOptions::default())?;
            return Ok(collector.finish());
        }
        let mut current = collector.finish();
        for change in &plan.mailbox_changes {
            let group = change.recipient_type.is_fixed_configuration();
            if let Some(mailbox) = self.client.read_one_mailbox(&change.subject.id, group)? {
                current.mailboxes.insert(change.subject.id.clone(), mailbox);
            }
        }
        Ok(current)
    }

    fn apply(
        &mut self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<Vec<ObjectOutcome>, SinkError> {
        // The writer's workers report on a channel, so that `progress` (which need not be
        // thread-safe) runs on this thread while the batches are in flight.
        let (sender, receiver) = mpsc::channel::<(usize, WriteResult)>();
        let report = std::thread::scope(|scope| {
            let writer = scope.spawn(move || {
                self.client.write(plan, &self.interrupt, &|index, result| {
                    let _ = sender.send((index, result.clone()));
                })
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
