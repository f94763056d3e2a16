//! Writing a plan to a live tenant. Mailbox changes travel in `$batch` requests of up to ten
//! Set-Mailbox calls, with `parallelism` batches in flight: the service runs the calls of one
//! batch one after another, so the cmdlets in flight equal the batches in flight, and batches
//! are sized so that every worker has one while work remains.
//!
//! Retries are per call: a batch can succeed while some of its calls were throttled, and only
//! those go again. A retried call cannot apply twice harmfully: scalars and `-DefaultAuditSet`
//! are idempotent, removing an action that is gone is accepted, and adding one that is already
//! there is refused with "already being audited" without changing anything. That refusal is
//! ambiguous, though: after a dropped connection it can mean "your first attempt landed", and
//! it can equally mean someone else changed the mailbox. So it counts as success only after
//! the mailbox is read again and holds every setting the plan asked for.
//!
//! Each `$batch` sub-request carries its own `Authorization` and `X-AnchorMailbox` (and the
//! other cmdlet headers), as the module and CIPP send them: CIPP gives every sub-request a
//! copy of the request's headers (KelvinTegelaar/CIPP-API,
//! Modules/CIPPCore/Public/GraphHelper/New-ExoBulkRequest.ps1, `headers = $Headers.Clone()`).
//! Each also gets its own `client-request-id`, which its failure quotes.
//!
//! A sub-response of 200 may still report `@adminapi.errors`: the module then fails the
//! command, and so the call counts as failed, with the service's text. Its
//! `@adminapi.warnings` are kept and shown against the mailbox.

use super::answer::{classify, is_already_audited, with_request_id, Annotations, Failure};
use super::http::{backoff, new_request_id, parse_retry_after};
use super::{AccessToken, ExoClient, ExoError};
use crate::model::{AuditSettings, LogonType};
use crate::plan::set_mailbox::params_for_change;
use crate::plan::{MailboxChange, Plan};
use crate::service::{ListEdit, SetMailboxParams};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How one planned object ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteResult {
    Changed,
    /// The service said the change was already there, and a re-read confirmed it.
    AlreadyApplied,
    Failed {
        message: String,
    },
    /// Stopped (Ctrl-C) before it was sent; nothing changed.
    NotApplied,
    /// Stopped while a retry was pending after the connection broke without an answer: the
    /// service may or may not have applied it. `plan` shows which.
    Unknown,
}

impl WriteResult {
    pub fn succeeded(&self) -> bool {
        matches!(self, WriteResult::Changed | WriteResult::AlreadyApplied)
    }
}

/// How one planned object ended, and the warnings the service gave about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settled {
    pub result: WriteResult,
    pub warnings: Vec<String>,
}

impl Settled {
    fn bare(result: WriteResult) -> Settled {
        Settled {
            result,
            warnings: Vec::new(),
        }
    }

    /// A 200 answer: changed, unless it reported errors.
    fn answered(annotations: Annotations, request_id: &str) -> Settled {
        let result = if annotations.errors.is_empty() {
            WriteResult::Changed
        } else {
            WriteResult::Failed {
                message: with_request_id(&annotations.errors.join("; "), request_id),
            }
        };
        Settled {
            result,
            warnings: annotations.warnings,
        }
    }
}

/// Every planned object's result, in the plan's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// By index in `plan.mailbox_changes`.
    pub mailboxes: Vec<Settled>,
    pub organization: Option<Settled>,
    /// By index in `plan.bypass_changes`.
    pub bypass: Vec<Settled>,
    /// Whether Ctrl-C stopped the run.
    pub interrupted: bool,
}

/// One Set-Mailbox call's parameters on the wire: lists as arrays (replace) or as the
/// endpoint's hashtable of Add and Remove.
pub fn set_mailbox_parameters(identity: &str, params: &SetMailboxParams) -> Value {
    let mut wire = Map::new();
    wire.insert("Identity".into(), identity.into());
    if let Some(enabled) = params.audit_enabled {
        wire.insert("AuditEnabled".into(), enabled.into());
    }
    if let Some(limit) = params.audit_log_age_limit {
        wire.insert("AuditLogAgeLimit".into(), limit.to_string().into());
    }
    for logon in LogonType::ALL {
        let value = match params.list(logon) {
            None => continue,
            Some(ListEdit::Replace(names)) => json!(names),
            Some(ListEdit::AddRemove { add, remove }) => {
                let mut table = Map::new();
                table.insert("@odata.type".into(), "#Exchange.GenericHashTable".into());
                if !add.is_empty() {
                    table.insert("Add".into(), json!(add));
                }
                if !remove.is_empty() {
                    table.insert("Remove".into(), json!(remove));
                }
                Value::Object(table)
            }
        };
        wire.insert(logon.property().into(), value);
    }
    if let Some(restore) = params.default_audit_set {
        wire.insert("DefaultAuditSet".into(), json!(restore.names()));
    }
    // Switch parameters travel as `true` [EV-4.6] (evidence-service.md W5 for -GroupMailbox).
    if params.group_mailbox {
        wire.insert("GroupMailbox".into(), true.into());
    }
    if params.force {
        wire.insert("Force".into(), true.into());
    }
    Value::Object(wire)
}

/// Whether a mailbox as read holds every setting a change asked for.
pub fn holds(change: &MailboxChange, now: &AuditSettings) -> bool {
    change
        .enabled
        .as_ref()
        .is_none_or(|c| now.enabled == c.after)
        && change
            .log_age_limit
            .as_ref()
            .is_none_or(|c| now.log_age_limit == c.after)
        && LogonType::ALL.into_iter().all(|logon| {
            change.list(logon).is_none_or(|list| {
                let current = now.list(logon);
                current.known == list.after.known
                    && current.unknown.len() == list.after.unknown.len()
                    && list
                        .after
                        .unknown
                        .iter()
                        .all(|name| current.unknown.iter().any(|n| n.eq_ignore_ascii_case(name)))
            })
        })
        && change
            .default_audit_set
            .as_ref()
            .is_none_or(|c| now.default_audit_set == c.after)
}

/// The requests this client may have in flight at once. The writers share them with a reader
/// that verifies behind them, so that together they never pass the service's limit.
pub struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A slot held; dropping it frees the slot.
pub struct Slot<'s>(&'s Slots);

impl Slots {
    pub fn new(count: usize) -> Slots {
        Slots {
            free: Mutex::new(count.max(1)),
            freed: Condvar::new(),
        }
    }

    /// Waits for a free slot and holds it.
    pub fn take(&self) -> Slot<'_> {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *lock(&self.0.free) += 1;
        self.0.freed.notify_one();
    }
}

struct Pending {
    index: usize,
    attempts: u32,
    not_before: Instant,
    /// A previous attempt got no answer, so it may have been applied.
    unanswered: bool,
}

struct Work {
    queue: VecDeque<Pending>,
    results: Vec<Option<Settled>>,
    /// Items taken by a worker and not yet settled or put back.
    in_flight: usize,
}

impl Work {
    fn finished(&self) -> bool {
        self.queue.is_empty() && self.in_flight == 0
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl ExoClient {
    /// Carries out a plan. A permanent failure of one object is reported in its result and
    /// the others go on. When `interrupt` becomes true no new batch is sent; the batches in
    /// flight finish, and the report says exactly what was and was not applied. `progress`
    /// hears of each mailbox as it settles.
    pub fn write(
        &self,
        plan: &Plan,
        interrupt: &AtomicBool,
        progress: &(dyn Fn(usize, &WriteResult) + Sync),
    ) -> WriteReport {
        self.write_in(
            plan,
            interrupt,
            progress,
            &Slots::new(self.config.parallelism),
        )
    }

    /// [`ExoClient::write`], with every request taking one of `slots`.
    pub fn write_in(
        &self,
        plan: &Plan,
        interrupt: &AtomicBool,
        progress: &(dyn Fn(usize, &WriteResult) + Sync),
        slots: &Slots,
    ) -> WriteReport {
        let mut report = WriteReport {
            mailboxes: self.write_mailboxes(&plan.mailbox_changes, interrupt, progress, slots),
            ..WriteReport::default()
        };
        if let Some(change) = &plan.organization_change {
            let _slot = slots.take();
            report.organization = Some(self.write_single(
                interrupt,
                "Set-OrganizationConfig",
                json!({"AuditDisabled": change.audit_disabled.after}),
            ));
        }
        for change in &plan.bypass_changes {
            let _slot = slots.take();
            let result = self.write_single(
                interrupt,
                "Set-MailboxAuditBypassAssociation",
                json!({"Identity": change.subject.id(), "AuditBypassEnabled": change.bypass_enabled.after}),
            );
            report.bypass.push(result);
        }
        report.interrupted = interrupt.load(Ordering::SeqCst);
        report
    }

    fn write_single(&self, interrupt: &AtomicBool, cmdlet: &str, parameters: Value) -> Settled {
        if interrupt.load(Ordering::SeqCst) {
            return Settled::bare(WriteResult::NotApplied);
        }
        match self.invoke(cmdlet, parameters) {
            Ok((annotations, request_id)) => Settled::answered(annotations, &request_id),
            Err(error) => Settled::bare(WriteResult::Failed {
                message: match error {
                    ExoError::Refused {
                        message,
                        request_id,
                        ..
                    } => with_request_id(&message, &request_id),
                    other => other.to_string(),
                },
            }),
        }
    }

    fn write_mailboxes(
        &self,
        changes: &[MailboxChange],
        interrupt: &AtomicBool,
        progress: &(dyn Fn(usize, &WriteResult) + Sync),
        slots: &Slots,
    ) -> Vec<Settled> {
        if changes.is_empty() {
            return Vec::new();
        }
        let workers = self.config.parallelism.clamp(1, changes.len());
        let now = Instant::now();
        let work = Mutex::new(Work {
            queue: (0..changes.len())
                .map(|index| Pending {
                    index,
                    attempts: 0,
                    not_before: now,
                    unanswered: false,
                })
                .collect(),
            results: vec![None; changes.len()],
            in_flight: 0,
        });
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| self.worker(changes, workers, &work, interrupt, progress, slots));
            }
        });
        let work = work
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut results = work.results;
        for pending in work.queue {
            results[pending.index] = Some(Settled::bare(if pending.unanswered {
                WriteResult::Unknown
            } else {
                WriteResult::NotApplied
            }));
        }
        results
            .into_iter()
            .map(|result| result.unwrap_or(Settled::bare(WriteResult::NotApplied)))
            .collect()
    }

    /// One of `workers` that take batches off the queue until it is empty. A batch is taken
    /// only once a slot is free, and sized so that the work left is shared evenly: ten calls
    /// while there is plenty, fewer towards the end, so that every slot stays busy until the
    /// last call rather than some idling while others run a full batch.
    fn worker(
        &self,
        changes: &[MailboxChange],
        workers: usize,
        work: &Mutex<Work>,
        interrupt: &AtomicBool,
        progress: &(dyn Fn(usize, &WriteResult) + Sync),
        slots: &Slots,
    ) {
        loop {
            if interrupt.load(Ordering::SeqCst) {
                return;
            }
            let slot = slots.take();
            let batch = {
                let mut work = lock(work);
                if work.finished() {
                    return;
                }
                let batch_size = work
                    .queue
                    .len()
                    .div_ceil(workers)
                    .clamp(1, super::config::MAX_BATCH);
                let now = Instant::now();
                let mut batch = Vec::new();
                let mut index = 0;
                while index < work.queue.len() && batch.len() < batch_size {
                    if work.queue[index].not_before <= now {
                        if let Some(pending) = work.queue.remove(index) {
                            batch.push(pending);
                        }
                    } else {
                        index += 1;
                    }
                }
                work.in_flight += batch.len();
                batch
            };
            if batch.is_empty() {
                drop(slot);
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let count = batch.len();
            let settled = self.send_batch(changes, batch);
            drop(slot);
            let mut work = lock(work);
            work.in_flight -= count;
            for outcome in settled {
                match outcome {
                    Outcome::Done(index, settled) => {
                        progress(index, &settled.result);
                        work.results[index] = Some(settled);
                    }
                    Outcome::Again(pending) => work.queue.push_back(pending),
                }
            }
        }
    }

    /// Sends one batch and settles each call: done, or to be tried again later.
    fn send_batch(&self, changes: &[MailboxChange], batch: Vec<Pending>) -> Vec<Outcome> {
        const CMDLET: &str = "Set-Mailbox";
        let token = match self.tokens.token(&self.http) {
            Ok(token) => token,
            Err(error) => {
                let failure = Failure::Permanent {
                    status: 401,
                    message: error.to_string(),
                    request_id: String::new(),
                };
                return batch
                    .into_iter()
                    .map(|pending| {
                        self.settle_failure(changes, pending, failure.clone(), false, None)
                    })
                    .collect();
            }
        };
        let invoke_url = self.config.invoke_url();
        let mut request_ids = Vec::with_capacity(batch.len());
        let requests: Vec<Value> = batch
            .iter()
            .map(|pending| {
                let change = &changes[pending.index];
                let parameters =
                    set_mailbox_parameters(change.subject.id(), &params_for_change(change));
                let request_id = new_request_id();
                let mut headers: Map<String, Value> = self
                    .cmdlet_headers(CMDLET, &token, false)
                    .into_iter()
                    .map(|(name, value)| (name, Value::String(value)))
                    .collect();
                headers.insert("Content-Type".into(), "application/json".into());
                headers.insert("client-request-id".into(), request_id.clone().into());
                request_ids.push(request_id);
                json!({
                    "id": pending.index.to_string(),
                    "method": "POST",
                    "url": invoke_url,
                    "body": ExoClient::cmdlet_body(CMDLET, parameters),
                    "headers": headers,
                })
            })
            .collect();
        let body = json!({"requests": requests}).to_string().into_bytes();
        let answer = match self.send_cmdlet(&self.config.batch_url(), &body, CMDLET, &token, false)
        {
            Err(Failure::Unauthorized {
                message,
                request_id,
            }) => Err(self.refused_token(&token, message, request_id)),
            other => other,
        };
        let responses =
            match answer.and_then(|answer| batch_responses(&answer.body, &answer.request_id)) {
                Ok(responses) => responses,
                Err(failure) => {
                    // No answer at all: every call in the batch may or may not have run.
                    let unanswered = matches!(failure, Failure::Transient { .. });
                    return batch
                        .into_iter()
                        .map(|pending| {
                            self.settle_failure(changes, pending, failure.clone(), unanswered, None)
                        })
                        .collect();
                }
            };
        batch
            .into_iter()
            .zip(request_ids)
            .map(|(pending, request_id)| {
                let key = pending.index.to_string();
                match responses.iter().find(|r| r.id == key) {
                    Some(response) if (200..300).contains(&response.status) => {
                        let annotations = Annotations::of_bytes(&response.body);
                        Outcome::Done(pending.index, Settled::answered(annotations, &request_id))
                    }
                    Some(response) => {
                        let failure = match classify(
                            response.status,
                            response.retry_after,
                            &response.body,
                            &request_id,
                        ) {
                            Failure::Unauthorized {
                                message,
                                request_id,
                            } => self.refused_token(&token, message, request_id),
                            other => other,
                        };
                        let warnings = Annotations::of_bytes(&response.body).warnings;
                        self.settle_failure(changes, pending, failure, false, Some(warnings))
                    }
                    None => self.settle_failure(
                        changes,
                        pending,
                        Failure::Transient {
                            reason: "the batch answer left this call out".into(),
                            retry_after: None,
                            request_id,
                        },
                        true,
                        None,
                    ),
                }
            })
            .collect()
    }

    /// A refused token: renewed and the call tried again, unless it can't be renewed.
    fn refused_token(&self, token: &AccessToken, message: String, request_id: String) -> Failure {
        if self.tokens.invalidate(&token.secret) {
            Failure::Transient {
                reason: message,
                retry_after: Some(Duration::ZERO),
                request_id,
            }
        } else {
            Failure::Permanent {
                status: 401,
                message,
                request_id,
            }
        }
    }

    fn settle_failure(
        &self,
        changes: &[MailboxChange],
        mut pending: Pending,
        failure: Failure,
        unanswered: bool,
        warnings: Option<Vec<String>>,
    ) -> Outcome {
        pending.attempts += 1;
        pending.unanswered |= unanswered;
        let warnings = warnings.unwrap_or_default();
        let done = |result| {
            Outcome::Done(
                pending.index,
                Settled {
                    result,
                    warnings: warnings.clone(),
                },
            )
        };
        match failure {
            Failure::Transient {
                reason,
                retry_after,
                request_id,
            } => {
                if pending.attempts >= self.config.retry.max_attempts {
                    return done(WriteResult::Failed {
                        message: with_request_id(
                            &format!(
                                "still failing after {} attempts: {reason}",
                                pending.attempts
                            ),
                            &request_id,
                        ),
                    });
                }
                pending.not_before =
                    Instant::now() + backoff(&self.config.retry, pending.attempts, retry_after);
                Outcome::Again(pending)
            }
            Failure::Unauthorized {
                message,
                request_id,
            }
            | Failure::Permanent {
                message,
                request_id,
                ..
            } => {
                let message = with_request_id(&message, &request_id);
                if is_already_audited(&message) {
                    done(self.confirm(&changes[pending.index], message))
                } else {
                    done(WriteResult::Failed { message })
                }
            }
        }
    }

    /// "Already being audited": success only if the mailbox now holds the planned settings.
    fn confirm(&self, change: &MailboxChange, message: String) -> WriteResult {
        match self.read_mailbox(change.subject.id()) {
            Ok(Some(mailbox)) if holds(change, &mailbox.audit) => WriteResult::AlreadyApplied,
            Ok(_) => WriteResult::Failed { message },
            Err(error) => WriteResult::Failed {
                message: format!("{message} (and reading the mailbox again failed: {error})"),
            },
        }
    }
}

enum Outcome {
    Done(usize, Settled),
    Again(Pending),
}

struct SubResponse {
    id: String,
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

fn batch_responses(bytes: &[u8], request_id: &str) -> Result<Vec<SubResponse>, Failure> {
    let malformed = |reason: &str| Failure::Transient {
        reason: format!("the batch answer is malformed: {reason}"),
        retry_after: None,
        request_id: request_id.to_string(),
    };
    let answer: Value = serde_json::from_slice(bytes).map_err(|_| malformed("not JSON"))?;
    let responses = answer
        .get("responses")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("no responses array"))?;
    Ok(responses
        .iter()
        .map(|response| {
            let header = |name: &str| {
                response
                    .get("headers")
                    .and_then(Value::as_object)
                    .and_then(|headers| {
                        headers
                            .iter()
                            .find(|(key, _)| key.eq_ignore_ascii_case(name))
                            .and_then(|(_, value)| value.as_str())
                    })
            };
            SubResponse {
                id: match response.get("id") {
                    Some(Value::String(id)) => id.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                },
                status: response
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(500),
                retry_after: header("Retry-After").and_then(parse_retry_after),
                body: response
                    .get("body")
                    .map(|body| match body {
                        Value::String(text) => text.clone().into_bytes(),
                        other => other.to_string().into_bytes(),
                    })
                    .unwrap_or_default(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
