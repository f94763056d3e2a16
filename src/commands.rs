//! One file per command. Each wires the parts together and does nothing else.

mod apply;
mod catalog;
pub mod completions;
mod explain;
mod import;
mod live;
mod plan;
mod reading;
pub mod schema;
mod script;
mod show;
mod test;
mod test_cases;
mod validate;

use crate::cli::{Cli, Command, Format};
use crate::error::report::{plan_warnings, Reporter};
use crate::error::CliError;
use crate::plan::compliance::Compliance;
use crate::plan::document::Layout;
use crate::plan::{Plan, PlanError, Planner, SharedIdNamer};
use crate::policy::PolicySet;
use crate::render::{
    render_json, render_markdown, render_plan_junit, render_text, JunitOptions, TextOptions,
};
use crate::state::ReadOptions;
use std::io::{IsTerminal, Write};

/// How a command that did not fail ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `plan --detailed-exitcode` found changes.
    ChangesPresent,
    /// The command reported its own failure (a cancelled or failed apply).
    Failed,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::ChangesPresent => 2,
            Outcome::Failed => 1,
        }
    }
}

/// Runs a command; its warnings go to `reporter`, its error is returned.
pub fn run(cli: Cli, reporter: &Reporter) -> Result<Outcome, CliError> {
    let color = stdout_wants_color(cli.no_color);
    match cli.command {
        Command::Validate(args) => validate::run(&args, reporter),
        Command::Plan(args) => plan::run(&args, color, reporter),
        Command::Show(args) => show::run(&args, color, reporter),
        Command::Explain(args) => explain::run(&args, color, reporter),
        Command::Test(args) => test::run(&args, color, reporter),
        Command::Import(args) => import::run(&args),
        Command::Script(args) => script::run(&args),
        Command::Apply(args) => apply::run(&args, color, reporter),
        Command::Catalog(args) => catalog::run(&args, reporter),
        Command::Schema => schema::run(),
        Command::Completions(args) => completions::run(args.shell),
    }
}

/// Colour only for a terminal, and never under NO_COLOR (any non-empty value) or --no-color.
fn stdout_wants_color(no_color_flag: bool) -> bool {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color_flag && !no_color_env && std::io::stdout().is_terminal()
}

/// Ends a plan read from `source`. Should two mailboxes share an immutable id, the planner
/// knows where they are but not both their names; a second read finds them, so that the error
/// names both.
fn finish_plan(source: &live::Source, planner: Planner) -> Result<Plan, CliError> {
    planner
        .finish()
        .map_err(|error| named_plan_error(source, error))
}

/// A planning error, with both mailboxes named should two share an immutable id.
fn named_plan_error(source: &live::Source, mut error: PlanError) -> CliError {
    let mut namer = SharedIdNamer::new(&error);
    if namer.is_needed() && source.read(&mut namer, &ReadOptions::default()).is_ok() {
        namer.name(&mut error);
    }
    CliError::Plan(error)
}

/// When a report is made, for JUnit timestamps: SOURCE_DATE_EPOCH when set (reproducible
/// reports, tests), else now.
fn report_timestamp() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|value| value.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs() as i64)
        });
    crate::render::junit::timestamp(seconds)
}

/// What a JUnit report needs beyond the plan: the policies (a suite each) and what complies,
/// which the planner counts while it plans, so a saved plan can't be shown as one.
struct JunitReport<'a> {
    policies: &'a PolicySet,
    compliance: &'a Compliance,
    options: JunitOptions,
}

/// How JSON is laid out: compact unless `--pretty`.
fn layout(pretty: bool) -> Layout {
    if pretty {
        Layout::Pretty
    } else {
        Layout::Compact
    }
}

/// Writes a plan in the format asked for, the one place that chooses a renderer. The plan's
/// warnings are in the plan itself; in GitHub Actions they are also annotations.
fn write_plan(
    plan: &Plan,
    format: Format,
    options: &TextOptions,
    layout: Layout,
    junit: Option<&JunitReport<'_>>,
    out: &mut dyn Write,
    reporter: &Reporter,
) -> Result<(), CliError> {
    match format {
        Format::Text => render_text(plan, options, out)?,
        Format::Markdown => render_markdown(plan, out)?,
        Format::Json => render_json(plan, layout, out)?,
        Format::Junit => {
            let report = junit.ok_or(CliError::JunitNeedsPlanning)?;
            render_plan_junit(
                plan,
                report.policies,
                report.compliance,
                &report.options,
                out,
            )?
        }
    }
    out.flush()?;
    reporter.annotate(&plan_warnings(&plan.warnings));
    Ok(())
}
