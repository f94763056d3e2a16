//! Taking a run against the emulator apart, from the service's side: which cmdlets held a
//! concurrency slot and when (`auditform_emulator::CmdletSpan`). The client is not
//! instrumented; what it did between the service's cmdlets is the time between them.

use auditform_emulator::CmdletSpan;
use std::time::Duration;

/// An `apply` run, phase by phase. Times are seconds from the child's start.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplyPhases {
    /// From the child's start to its first cmdlet: start-up, policies, signing in.
    pub start_up: f64,
    /// The read the plan is made from: its first cmdlet to its last.
    pub read: f64,
    /// From the end of that read to the next cmdlet: planning and showing the plan.
    pub plan: f64,
    /// The read that refuses a stale plan, when there was one before the first write.
    pub stale_check: f64,
    /// From the first Set-Mailbox to the last.
    pub writes: f64,
    /// Reads that ran while writes were still going on.
    pub verification_overlapped: f64,
    /// Reads after the last Set-Mailbox ended: the verification the writes did not hide.
    pub verification_after: f64,
    /// From the last cmdlet to the child's exit: the report.
    pub report: f64,
    /// Set-Mailbox calls that ran.
    pub writes_count: usize,
    /// The share of `concurrency` slots that Set-Mailbox calls held during `writes`.
    pub slot_use: f64,
}

/// Cuts an apply run into phases. `started` and `ended` are the child's start and exit on the
/// timeline's clock. A read round starts with Get-OrganizationConfig, as the live reader reads
/// the organization first.
pub fn apply_phases(
    spans: &[CmdletSpan],
    started: Duration,
    ended: Duration,
    concurrency: usize,
) -> ApplyPhases {
    let mut spans: Vec<&CmdletSpan> = spans
        .iter()
        .filter(|span| span.started >= started && span.finished <= ended)
        .collect();
    spans.sort_by_key(|span| span.started);
    let secs = |d: Duration| d.as_secs_f64();
    let is_write = |span: &&CmdletSpan| span.cmdlet.starts_with("set-");
    let writes: Vec<&CmdletSpan> = spans.iter().copied().filter(is_write).collect();
    let (Some(first_write), Some(last_write)) = (
        writes.iter().map(|s| s.started).min(),
        writes.iter().map(|s| s.finished).max(),
    ) else {
        return ApplyPhases::default();
    };
    let reads_before: Vec<&CmdletSpan> = spans
        .iter()
        .copied()
        .filter(|span| !is_write(span) && span.started < first_write)
        .collect();
    // Rounds of reading before the first write. Each reads the organization, at the same
    // time as the first pages of the listings: a round ends when the organization is asked
    // for again after a page of the round before has come back.
    let mut rounds: Vec<Vec<&CmdletSpan>> = Vec::new();
    for span in reads_before {
        let new_round = match rounds.last() {
            None => true,
            Some(round) => {
                span.cmdlet == "get-organizationconfig"
                    && round
                        .iter()
                        .any(|read| read.listing && read.finished <= span.started)
            }
        };
        if new_round {
            rounds.push(Vec::new());
        }
        if let Some(round) = rounds.last_mut() {
            round.push(span);
        }
    }
    let extent = |round: &[&CmdletSpan]| {
        let start = round.iter().map(|s| s.started).min().unwrap_or_default();
        let end = round.iter().map(|s| s.finished).max().unwrap_or_default();
        (start, end)
    };
    let first_cmdlet = spans.first().map_or(started, |span| span.started);
    let (read_start, read_end) = rounds
        .first()
        .map_or((first_cmdlet, first_cmdlet), |r| extent(r));
    let (stale_start, stale_end) = rounds
        .get(1)
        .map_or((first_write, first_write), |r| extent(r));
    let reads_after: Vec<&CmdletSpan> = spans
        .iter()
        .copied()
        .filter(|span| !is_write(span) && span.started >= first_write)
        .collect();
    let overlapped: Duration = reads_after
        .iter()
        .map(|span| {
            span.finished
                .min(last_write)
                .saturating_sub(span.started.min(last_write))
        })
        .sum();
    let last_read = reads_after.iter().map(|s| s.finished).max();
    let last_cmdlet = spans.iter().map(|s| s.finished).max().unwrap_or(ended);
    let write_span = last_write.saturating_sub(first_write);
    let busy: Duration = writes.iter().map(|s| s.finished - s.started).sum();
    let after_plan = if rounds.len() > 1 {
        stale_start
    } else {
        first_write
    };
    ApplyPhases {
        start_up: secs(first_cmdlet.saturating_sub(started)),
        read: secs(read_end.saturating_sub(read_start)),
        plan: secs(after_plan.saturating_sub(read_end)),
        stale_check: secs(stale_end.saturating_sub(stale_start)),
        writes: secs(write_span),
        verification_overlapped: secs(overlapped),
        verification_after: secs(
            last_read.map_or(Duration::ZERO, |last| last.saturating_sub(last_write)),
        ),
        report: secs(ended.saturating_sub(last_cmdlet)),
        writes_count: writes.len(),
        slot_use: if write_span.is_zero() {
            0.0
        } else {
            secs(busy) / (secs(write_span) * concurrency.max(1) as f64)
        },
    }
}

/// Pages of mailbox listings (Get-Mailbox without Identity) between `started` and `ended`.
pub fn listing_pages(spans: &[CmdletSpan], started: Duration, ended: Duration) -> usize {
    spans
        .iter()
        .filter(|span| span.started >= started && span.finished <= ended)
        .filter(|span| span.listing && span.cmdlet.ends_with("mailbox"))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(cmdlet: &str, started_ms: u64, finished_ms: u64) -> CmdletSpan {
        CmdletSpan {
            cmdlet: cmdlet.into(),
            listing: cmdlet.starts_with("get-") && cmdlet != "get-organizationconfig",
            started: Duration::from_millis(started_ms),
            finished: Duration::from_millis(finished_ms),
        }
    }

    #[test]
    fn an_apply_run_splits_into_read_plan_stale_check_writes_and_verification() {
        let spans = [
            span("get-mailbox", 100, 140),
            span("get-organizationconfig", 101, 120),
            span("get-organizationconfig", 300, 320),
            span("get-mailbox", 320, 340),
            span("set-mailbox", 400, 420),
            span("set-mailbox", 400, 420),
            span("set-mailbox", 420, 440),
            span("get-organizationconfig", 430, 450),
            span("get-mailbox", 450, 470),
        ];
        let phases = apply_phases(&spans, Duration::ZERO, Duration::from_millis(500), 2);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(phases.start_up, 0.1));
        assert!(close(phases.read, 0.04));
        assert!(close(phases.plan, 0.16));
        assert!(close(phases.stale_check, 0.04));
        assert!(close(phases.writes, 0.04));
        assert!(close(phases.verification_overlapped, 0.01));
        assert!(close(phases.verification_after, 0.03));
        assert!(close(phases.report, 0.03));
        assert_eq!(phases.writes_count, 3);
        // 60 ms of writing in 40 ms on 2 slots.
        assert!(close(phases.slot_use, 0.75));
    }

    #[test]
    fn only_mailbox_listings_count_as_pages() {
        let spans = [
            span("get-organizationconfig", 0, 10),
            span("get-mailboxauditbypassassociation", 0, 10),
            span("get-mailbox", 10, 20),
            span("get-mailbox", 20, 30),
            span("get-mailbox", 40, 50),
        ];
        assert_eq!(
            listing_pages(&spans, Duration::ZERO, Duration::from_millis(35)),
            2
        );
    }
}
