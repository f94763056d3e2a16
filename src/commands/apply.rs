use super::{print_warnings, Outcome};
use crate::apply::{apply_plan, confirm};
use crate::cli::ApplyArgs;
use crate::error::CliError;
use crate::plan::Planner;
use crate::policy::load::load_dir;
use crate::render::{render_text, TextOptions};
use crate::state::lock::StateLock;
use crate::state::snapshot::SnapshotFile;
use crate::state::snapshot_write::SnapshotSink;
use crate::state::{ObjectOutcome, ReadOptions};
use std::io::{IsTerminal, Write};

/// Below this many objects a progress bar would only flicker.
const PROGRESS_THRESHOLD: usize = 500;

pub fn run(args: &ApplyArgs, color: bool) -> Result<Outcome, CliError> {
    if !args.auto_approve && !std::io::stdin().is_terminal() {
        return Err(CliError::NoTerminal);
    }
    let loaded = load_dir(&args.policy.policies)?;
    print_warnings(&loaded.warnings);
    let state = &args.state.state;
    let source = SnapshotFile::new(state);
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let mut planner = Planner::new(&loaded.policies, &source.describe());
    source.read(&mut planner, &options)?;
    let plan = planner.finish()?;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    render_text(
        &plan,
        &TextOptions {
            color,
            expand: false,
        },
        &mut out,
    )?;
    if plan.is_empty() {
        out.flush()?;
        return Ok(Outcome::Success);
    }
    writeln!(out)?;
    if !args.auto_approve && !confirm(&mut std::io::stdin().lock(), &mut out)? {
        writeln!(out, "Apply cancelled.")?;
        out.flush()?;
        return Ok(Outcome::Failed);
    }
    out.flush()?;

    let lock = StateLock::acquire(state, "auditform apply", args.lock_timeout)?;
    if let Some(holder) = lock.taken_over() {
        eprintln!(
            "warning: took over the lock on {} left by {holder}, whose process is gone",
            state.display()
        );
    }
    let mut sink = SnapshotSink::new(state);
    let bar = progress_bar(plan.to_change());
    let report = apply_plan(&plan, &mut sink, &mut |_: &ObjectOutcome| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    drop(lock);

    report.render(&mut out)?;
    out.flush()?;
    Ok(if report.succeeded() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// Only for a person watching a terminal, and only when the wait is long enough to matter;
/// never in CI logs or piped output.
fn progress_bar(objects: usize) -> Option<indicatif::ProgressBar> {
    if objects < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(objects as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} objects applied")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}
