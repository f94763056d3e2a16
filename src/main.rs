//! Parses the command line, runs the command, and turns its result into an exit code.

use auditform::cli::Cli;
use clap::Parser;
use std::path::PathBuf;
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
        // The reader of a pipe (`auditform plan | head`) stopped reading: nothing went wrong.
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            // Whatever produced the message, no secret leaves with it.
            eprint!("{}", auditform::redact::scrub(&error.render()));
            // In GitHub Actions the error is also an annotation on the line that caused it.
            if std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true") {
                let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
                for annotation in error.github_annotations(workspace.as_deref()) {
                    eprintln!("{}", auditform::redact::scrub(&annotation.to_string()));
                }
            }
            ExitCode::from(1)
        }
    }
}
