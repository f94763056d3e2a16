//! The command layer's error, and the one place where any error becomes diagnostics: every
//! layer's error is turned into [`Diagnostic`]s here ([`CliError::diagnostics`]), which the
//! text and GitHub renderers write, and [`report`] says where they go.

mod diagnose;
pub mod report;

use crate::apply::ApplyError;
use crate::diagnostic::{Diagnostic, Listed};
use crate::files::plan_file::PlanFileFailure;
use crate::plan::PlanError;
use crate::policy::load::{LoadError, YamlWriteError};
use crate::render::powershell::ScriptError;
use crate::state::exo::ExoError;
use crate::state::lock::LockError;
use crate::state::snapshot::StateError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Policies(#[from] LoadError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("{count} change{} would weaken auditing, and --forbid-weakening was given", if *.count == 1 { "" } else { "s" })]
    Weakening { count: usize },
    #[error(transparent)]
    PlanFile(#[from] PlanFileFailure),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("the plan was made against {planned}, not {target}")]
    PlanSourceMismatch { planned: String, target: String },
    #[error("apply needs approval, but standard input is not a terminal")]
    NoTerminal,
    #[error("`show --format markdown` renders a saved plan, and no plan file was given")]
    MarkdownOfState,
    /// Boxed: the live client's errors are large, and the other variants are common.
    #[error(transparent)]
    Live(Box<ExoError>),
    /// Standard output could not be written (or standard input read). An I/O error without a
    /// path is always this; a file's error is [`CliError::WriteFile`], with its path.
    #[error("could not write to standard output: {0}")]
    Stdio(#[from] std::io::Error),
    #[error("could not write {}: {source}", path.display())]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Yaml(#[from] YamlWriteError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("{} already exist{}", list_paths(.paths), if .paths.len() == 1 { "s" } else { "" })]
    OutputExists { paths: Vec<PathBuf> },
    /// `explain`: the names come from the command line and the tenant; diagnostics are
    /// written inert.
    #[error("no mailbox answers to `{identity}` (of {} read)", crate::english::counted(*.read, "mailbox", "mailboxes"))]
    NoSuchMailbox {
        identity: String,
        read: usize,
        suggestion: Option<String>,
    },
    #[error("`{identity}` answers to {} mailboxes; explain needs one", crate::english::thousands(*.count))]
    AmbiguousMailbox {
        identity: String,
        count: usize,
        candidates: Vec<String>,
    },
    #[error("no mailbox policy is named `{name}`")]
    NoSuchPolicy {
        name: String,
        suggestion: Option<String>,
        other_kind: Option<&'static str>,
    },
    #[error("name a mailbox, or a policy with --policy")]
    NothingToExplain,
    #[error("`--format junit` is for `plan`: what already complies is counted while planning, and neither a plan file nor the state keeps that count")]
    JunitNeedsPlanning,
}

fn list_paths(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

impl From<ExoError> for CliError {
    fn from(error: ExoError) -> Self {
        CliError::Live(Box::new(error))
    }
}

impl CliError {
    /// A file that could not be written, with its path.
    pub fn write_file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.into();
        move |source| CliError::WriteFile { path, source }
    }

    /// Whether stdout was closed by its reader, as `auditform plan | head` does.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Stdio(error) if error.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The error as diagnostics: what went wrong, where, what else bears on it, and hints.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnose::diagnostics(self)
    }

    /// The whole message, ready for stderr: the diagnostics as text, each line inert.
    pub fn render(&self) -> String {
        let mut text = Listed(&self.diagnostics()).to_string();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests;
