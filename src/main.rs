//! Parses the command line, runs the command, and turns its result into an exit code.

use auditform::cli::Cli;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version are successes; any other usage error is an error (exit 1), not
            // clap's 2, which auditform reserves for "changes present".
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 1 } else { 0 });
        }
    };
    match auditform::commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(error) => {
            eprint!("{}", error.render());
            ExitCode::from(1)
        }
    }
}
