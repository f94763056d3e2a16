//! `auditform completions SHELL`: prints a completion script for a shell.

use super::Outcome;
use crate::cli::{Cli, CompletionShell};
use crate::error::CliError;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

pub fn run(shell: CompletionShell) -> Result<Outcome, CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(&completions(shell))?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// The completion script of `shell` for the whole command line. It is built in memory because
/// the generator panics on a failed write (a closed pipe), and a panic is a bug.
pub fn completions(shell: CompletionShell) -> Vec<u8> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(clap_shell(shell), &mut command, name, &mut script);
    script
}

fn clap_shell(shell: CompletionShell) -> Shell {
    match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    }
}
