//! Parses the command line, runs the command, and turns its result into an exit code.

use auditform::cli::Cli;
use auditform::error::report::Reporter;
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
    // Errors and warnings go to stderr; in GitHub Actions also as annotations on their lines.
    let reporter = Reporter::from_env();
    match auditform::commands::run(cli, &reporter) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        // The reader of a pipe (`auditform plan | head`) stopped reading: nothing went wrong.
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            reporter.report(&error.diagnostics());
            ExitCode::from(1)
        }
    }
}
