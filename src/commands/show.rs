use super::live::Source;
use super::Outcome;
use crate::cli::{Format, ShowArgs};
use crate::error::CliError;
use crate::files::plan_file;
use crate::model::Tenant;
use crate::progress::Progress;
use crate::redact::ScrubWriter;
use crate::render::{render_json, render_markdown, render_state, render_text, TextOptions};
use crate::state::ReadOptions;
use std::io::Write;
use std::path::Path;

pub fn run(args: &ShowArgs, color: bool) -> Result<Outcome, CliError> {
    match &args.plan_file {
        Some(path) => show_plan(path, args, color),
        None => show_state(args, color),
    }
}

fn show_plan(path: &Path, args: &ShowArgs, color: bool) -> Result<Outcome, CliError> {
    let saved = plan_file::load(path).map_err(|error| CliError::PlanFile {
        path: path.to_path_buf(),
        error,
    })?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    match args.format {
        Format::Text => render_text(
            &saved.plan,
            &TextOptions {
                color,
                expand: args.expand,
            },
            &mut out,
        )?,
        Format::Json => render_json(&saved.plan, super::plan::layout(args.pretty), &mut out)?,
        Format::Markdown => render_markdown(&saved.plan, &mut out)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn show_state(args: &ShowArgs, color: bool) -> Result<Outcome, CliError> {
    let source = Source::choose(&args.state, &args.live)?;
    let mut tenant = Tenant::default();
    let progress = Progress::new("reading mailboxes", None);
    source.read(&mut progress.counting(&mut tenant), &ReadOptions::default())?;
    progress.finish();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    render_state(
        &tenant,
        &TextOptions {
            color,
            expand: true,
        },
        &mut out,
    )?;
    out.flush()?;
    Ok(Outcome::Success)
}
