use super::live::{live_client, Source};
use super::{finish_plan, write_plan, Outcome};
use crate::apply::{apply_just_planned, apply_plan, confirm, ApplyReport};
use crate::cli::{ApplyArgs, Format, StateArgs};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::files::plan_file;
use crate::files::policy_dir::load_dir;
use crate::inert::Inert;
use crate::plan::document::Layout;
use crate::plan::planfile::SavedPlan;
use crate::plan::{Plan, Planner};
use crate::progress::Progress;
use crate::redact::ScrubWriter;
use crate::render::TextOptions;
use crate::state::exo::{ExoClient, ExoSink};
use crate::state::lock::StateLock;
use crate::state::snapshot::SnapshotFile;
use crate::state::snapshot_write::SnapshotSink;
use crate::state::{ObjectOutcome, ReadOptions, StateSink};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub fn run(args: &ApplyArgs, color: bool, reporter: &Reporter) -> Result<Outcome, CliError> {
    match &args.plan_file {
        Some(plan_file) => apply_saved(args, plan_file, reporter),
        None => plan_and_apply(args, color, reporter),
    }
}

/// `apply PLANFILE`: the plan was reviewed when it was saved, so nothing is asked; staleness
/// is checked under the lock before anything changes.
fn apply_saved(
    args: &ApplyArgs,
    plan_file: &Path,
    reporter: &Reporter,
) -> Result<Outcome, CliError> {
    let saved = plan_file::load(plan_file)?;
    let target = match &args.live.tenant {
        Some(tenant) => {
            let client = live_client(tenant, &args.live)?;
            if saved.plan.source != client.describe() {
                return Err(CliError::PlanSourceMismatch {
                    planned: saved.plan.source.clone(),
                    target: client.describe(),
                });
            }
            Source::Live(Box::new(client))
        }
        None => Source::File(SnapshotFile::new(target_of_saved_plan(
            &saved,
            &args.state,
        )?)),
    };
    let mut out = ScrubWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "Applying the saved plan {} ({} to change) to {}.",
        plan_file.display(),
        saved.plan.to_change(),
        Inert(&target.describe())
    )?;
    if saved.plan.is_empty() {
        writeln!(out, "No changes. Your mailboxes match the policies.")?;
        return Ok(Outcome::Success);
    }
    match &target {
        Source::Live(client) => carry_out_live(&saved.plan, client, Freshness::Check, &mut out),
        Source::File(file) => carry_out(&saved.plan, file.path(), args, &mut out, reporter),
    }
}

/// The state a saved plan is applied to: the one it was made from (its absolute path, so that
/// apply may run from another directory), unless another is named, which is refused, since the
/// plan's fingerprints describe its own source.
fn target_of_saved_plan(saved: &SavedPlan, state: &StateArgs) -> Result<PathBuf, CliError> {
    let recorded = saved
        .snapshot_path()
        .ok_or_else(|| CliError::PlanSourceMismatch {
            planned: saved.plan.source.clone(),
            target: SnapshotFile::new(state.path()).describe(),
        })?;
    match &state.state {
        Some(given) if !same_file(given, &recorded) => Err(CliError::PlanSourceMismatch {
            planned: saved.plan.source.clone(),
            target: SnapshotFile::new(given).describe(),
        }),
        _ => Ok(recorded),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `apply` without a plan file: plan now, show it, and ask.
fn plan_and_apply(args: &ApplyArgs, color: bool, reporter: &Reporter) -> Result<Outcome, CliError> {
    if !args.auto_approve && !std::io::stdin().is_terminal() {
        return Err(CliError::NoTerminal);
    }
    let loaded = load_dir(&args.policy.policies)?;
    reporter.report(&loaded.warnings);
    let source = Source::choose(&args.state, &args.live)?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let mut planner = Planner::new(&loaded.policies, &source.describe());
    planner.allow_empty_state(args.allow_empty_state);
    source.read(&mut planner, &options)?;
    let plan = finish_plan(&source, planner)?;

    let mut out = ScrubWriter::new(std::io::stdout().lock());
    let options = TextOptions {
        color,
        expand: false,
    };
    write_plan(
        &plan,
        Format::Text,
        &options,
        Layout::Compact,
        None,
        &mut out,
        reporter,
    )?;
    if plan.is_empty() {
        return Ok(Outcome::Success);
    }
    writeln!(out)?;
    if !args.auto_approve && !confirm(&mut std::io::stdin().lock(), &mut out)? {
        writeln!(out, "Apply cancelled.")?;
        out.flush()?;
        return Ok(Outcome::Failed);
    }
    out.flush()?;
    match &source {
        // Approved by the flag the moment it was made from the tenant as it is: reading the
        // whole tenant again to look for staleness would read what the plan was just made
        // from. A person taking time to approve gets the check. A state file is checked
        // either way, since its lock is only taken now.
        Source::Live(client) => {
            let freshness = if args.auto_approve {
                Freshness::JustPlanned
            } else {
                Freshness::Check
            };
            carry_out_live(&plan, client, freshness, &mut out)
        }
        Source::File(file) => carry_out(&plan, file.path(), args, &mut out, reporter),
    }
}

/// Whether a plan is checked for staleness before it is applied.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Freshness {
    Check,
    /// Made a moment ago from the target itself, with nobody waiting in between.
    JustPlanned,
}

/// Applies to a live tenant. Ctrl-C stops new batches; the requests in flight finish and the
/// report says what was and was not applied.
fn carry_out_live(
    plan: &Plan,
    client: &ExoClient,
    freshness: Freshness,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let interrupt = Arc::new(AtomicBool::new(false));
    let flag = interrupt.clone();
    if ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).is_err() {
        eprintln!(
            "warning: Ctrl-C can't be caught; pressing it would stop the apply without a report"
        );
    }
    let mut sink = ExoSink::new(client, interrupt.clone());
    let report = apply_with_progress(plan, &mut sink, freshness);
    super::live::print_service_warnings(client);
    let report = report?;
    if interrupt.load(Ordering::SeqCst) {
        writeln!(
            out,
            "Interrupted: no new requests were sent after Ctrl-C; the requests in flight finished."
        )?;
    }
    finish(&report, out)
}

/// Carries the plan out through `sink` while the progress indicator counts objects.
fn apply_with_progress(
    plan: &Plan,
    sink: &mut dyn StateSink,
    freshness: Freshness,
) -> Result<ApplyReport, CliError> {
    let progress = Progress::new("applying", Some(plan.to_change() as u64));
    let mut tick = |_: &ObjectOutcome| progress.inc(1);
    let report = match freshness {
        Freshness::Check => apply_plan(plan, sink, &mut tick)?,
        Freshness::JustPlanned => apply_just_planned(plan, sink, &mut tick)?,
    };
    progress.finish();
    Ok(report)
}

/// The per-object report; the outcome is a failure when anything failed or did not hold.
fn finish(report: &ApplyReport, out: &mut dyn Write) -> Result<Outcome, CliError> {
    report.render(out)?;
    out.flush()?;
    Ok(if report.succeeded() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// Removes, under the lock, what a killed apply left beside the state file, and says so; a
/// cleanup that fails is only a warning, since the apply itself can go on.
fn report_leftovers(state: &Path, reporter: &Reporter) {
    let mut diagnostics = Vec::new();
    match crate::state::atomic_write::clear_leftovers(state) {
        Ok(leftovers) => {
            for (path, bytes) in &leftovers.removed {
                diagnostics.push(
                    Diagnostic::new(
                        Severity::Note,
                        format!(
                            "removed a temporary file an apply that was stopped left here ({} bytes)",
                            crate::english::thousands(*bytes as usize)
                        ),
                    )
                    .in_file(path.display().to_string()),
                );
            }
            for path in &leftovers.unclaimed {
                diagnostics.push(
                    Diagnostic::warning(
                        "this looks like a temporary file of an auditform run that was stopped",
                    )
                    .in_file(path.display().to_string())
                    .with_hint("remove it once no auditform runs in this directory"),
                );
            }
        }
        Err(error) => diagnostics.push(
            Diagnostic::warning(format!(
                "could not look for temporary files left beside the state file: {error}"
            ))
            .in_file(state.display().to_string()),
        ),
    }
    reporter.report(&diagnostics);
}

/// Locks the state, refuses a stale plan, applies, verifies, and reports per object.
fn carry_out(
    plan: &Plan,
    state: &Path,
    args: &ApplyArgs,
    out: &mut dyn Write,
    reporter: &Reporter,
) -> Result<Outcome, CliError> {
    let lock = StateLock::acquire(state, "auditform apply", args.lock_timeout)?;
    report_leftovers(state, reporter);
    let mut sink = SnapshotSink::new(state);
    let report = apply_with_progress(plan, &mut sink, Freshness::Check)?;
    drop(lock);
    finish(&report, out)
}
