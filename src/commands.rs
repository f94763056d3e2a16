//! One file per command. Each wires the parts together and does nothing else.

mod apply;
pub mod completions;
mod explain;
mod import;
mod live;
mod plan;
mod reading;
pub mod schema;
mod script;
mod show;
mod validate;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use std::io::IsTerminal;

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

pub fn run(cli: Cli) -> Result<Outcome, CliError> {
    let color = stdout_wants_color(cli.no_color);
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Plan(args) => plan::run(&args, color),
        Command::Show(args) => show::run(&args, color),
        Command::Explain(args) => explain::run(&args, color),
        Command::Import(args) => import::run(&args),
        Command::Script(args) => script::run(&args),
        Command::Apply(args) => apply::run(&args, color),
        Command::Schema => schema::run(),
        Command::Completions(args) => completions::run(args.shell),
    }
}

/// Colour only for a terminal, and never under NO_COLOR (any non-empty value) or --no-color.
fn stdout_wants_color(no_color_flag: bool) -> bool {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color_flag && !no_color_env && std::io::stdout().is_terminal()
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

/// Warnings about the policies go to stderr, so stdout stays the plan.
fn print_warnings(warnings: &[impl std::fmt::Display]) {
    for warning in warnings {
        eprintln!("{warning}");
    }
}
