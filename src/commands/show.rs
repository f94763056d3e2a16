use super::live::Source;
use super::{layout, write_plan, Outcome};
use crate::cli::{Format, ShowArgs};
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::files::plan_file;
use crate::model::Tenant;
use crate::progress::Progress;
use crate::redact::ScrubWriter;
use crate::render::{render_state, SnapshotWriter, TextOptions};
use crate::state::ReadOptions;
use std::io::Write;
use std::path::Path;

pub fn run(args: &ShowArgs, color: bool, reporter: &Reporter) -> Result<Outcome, CliError> {
    match &args.plan_file {
        Some(path) => show_plan(path, args, color, reporter),
        None => show_state(args, color),
    }
}

fn show_plan(
    path: &Path,
    args: &ShowArgs,
    color: bool,
    reporter: &Reporter,
) -> Result<Outcome, CliError> {
    let saved = plan_file::load(path)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    let options = TextOptions {
        color,
        expand: args.expand,
    };
    // No JUnit: what complies is counted while planning, and a saved plan keeps only changes.
    write_plan(
        &saved.plan,
        args.format,
        &options,
        layout(args.pretty),
        None,
        &mut out,
        reporter,
    )?;
    Ok(Outcome::Success)
}

fn show_state(args: &ShowArgs, color: bool) -> Result<Outcome, CliError> {
    let source = Source::choose(&args.state, &args.live)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    match args.format {
        Format::Text => {
            let mut tenant = Tenant::default();
            let progress = Progress::new("reading mailboxes", None);
            source.read(&mut progress.counting(&mut tenant), &ReadOptions::default())?;
            progress.finish();
            render_state(
                &tenant,
                &TextOptions {
                    color,
                    expand: true,
                },
                &mut out,
            )?;
        }
        Format::Json => {
            // Streamed: each mailbox is written as it is read. Every property is kept, so that
            // any filter selects the same mailboxes in the snapshot as in the source.
            let mut writer = SnapshotWriter::new(&mut out);
            let progress = Progress::new("reading mailboxes", None);
            source.read(
                &mut progress.counting(&mut writer),
                &ReadOptions::every_property(),
            )?;
            progress.finish();
            writer.finish()?;
        }
        Format::Markdown => return Err(CliError::MarkdownOfState),
        // A JUnit report is of a plan; the current state has no policies to report against.
        Format::Junit => return Err(CliError::JunitNeedsPlanning),
    }
    out.flush()?;
    Ok(Outcome::Success)
}
