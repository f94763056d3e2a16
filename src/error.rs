//! The command layer's error, and the one place where any error becomes a message for a person:
//! what went wrong, where (file:line:column when there is one), and a hint.

use crate::plan::PlanError;
use crate::policy::load::LoadError;
use crate::state::exo::ExoError;
use crate::state::snapshot::StateError;
use std::fmt::Write as _;

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
    /// Boxed: the live client's errors are large, and the other variants are common.
    #[error(transparent)]
    Live(Box<ExoError>),
    #[error("could not write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<ExoError> for CliError {
    fn from(error: ExoError) -> Self {
        CliError::Live(Box::new(error))
    }
}

impl CliError {
    /// The whole message, ready for stderr.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match self {
            CliError::Policies(error) => {
                let _ = write!(out, "{error}");
            }
            CliError::Plan(PlanError::Conflicts(conflicts)) => {
                let _ = writeln!(out, "error: {self}");
                for conflict in conflicts {
                    let _ = writeln!(out, "\n{conflict}");
                }
                let _ = write!(out, "\nhint: {}", PlanError::Conflicts(Vec::new()).hint());
            }
            CliError::State(error) => {
                let _ = write!(out, "error: {error}");
            }
            CliError::Weakening { .. } => {
                let _ = write!(
                    out,
                    "error: {self}\nhint: the plan above marks them; change the policies, or run without --forbid-weakening after review"
                );
            }
            CliError::Live(error) => {
                let _ = write!(out, "error: {error}");
                if let Some(hint) = error.hint() {
                    let _ = write!(out, "\nhint: {hint}");
                }
            }
            CliError::Output(_) => {
                let _ = write!(out, "error: {self}");
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}
