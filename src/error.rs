//! The command layer's error, and the one place where any error becomes a message for a person:
//! what went wrong, where (file:line:column when there is one), and a hint.

use crate::apply::ApplyError;
use crate::plan::planfile::PlanFileError;
use crate::plan::PlanError;
use crate::policy::load::{LoadError, YamlWriteError};
use crate::render::powershell::ScriptError;
use crate::state::exo::ExoError;
use crate::state::lock::LockError;
use crate::state::snapshot::StateError;
use std::fmt::Write as _;
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
    #[error("plan file {}: {error}", path.display())]
    PlanFile {
        path: PathBuf,
        #[source]
        error: PlanFileError,
    },
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("the plan was made against {planned}, not {target}")]
    PlanSourceMismatch { planned: String, target: String },
    #[error("apply needs approval, but standard input is not a terminal")]
    NoTerminal,
    /// Boxed: the live client's errors are large, and the other variants are common.
    #[error(transparent)]
    Live(Box<ExoError>),
    #[error("could not write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error(transparent)]
    Yaml(#[from] YamlWriteError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("{} already exist{}", list_paths(.paths), if .paths.len() == 1 { "s" } else { "" })]
    OutputExists { paths: Vec<PathBuf> },
    /// `explain`: names here come from the command line and the tenant, already printable.
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
    #[error("could not write the JUnit report to {}: {error}", path.display())]
    Report {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error("a saved plan can't be shown as JUnit: what already complies is counted while planning, and a plan file keeps only what changes")]
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
    /// Whether stdout was closed by its reader, as `auditform plan | head` does.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(error) if error.kind() == std::io::ErrorKind::BrokenPipe)
    }

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
            CliError::Plan(error @ PlanError::DuplicateIds { .. }) => {
                let _ = write!(out, "error: {error}\nhint: {}", error.hint());
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
            CliError::PlanFile { error, .. } => {
                let _ = write!(out, "error: {self}\nhint: {}", error.hint());
            }
            CliError::Lock(error) => {
                let _ = write!(out, "error: {error}\nhint: {}", error.hint());
            }
            CliError::Apply(ApplyError::Stale(stale)) => {
                let _ = writeln!(out, "error: {self}");
                for object in stale {
                    let _ = writeln!(out, "  - {object}");
                }
                let _ = write!(
                    out,
                    "hint: nothing was changed; run `auditform plan` again and review the new plan"
                );
            }
            CliError::Apply(ApplyError::Sink(error)) => {
                let _ = write!(out, "error: {error}");
            }
            CliError::PlanSourceMismatch { .. } => {
                let _ = write!(
                    out,
                    "error: {self}\nhint: a saved plan applies only to the state it was made from; leave out --state, or plan again against the other state"
                );
            }
            CliError::NoTerminal => {
                let _ = write!(
                    out,
                    "error: {self}\nhint: review the plan with `auditform plan`, then run `auditform apply --auto-approve`"
                );
            }
            CliError::Live(error) => {
                let _ = write!(out, "error: {error}");
                if let Some(hint) = error.hint() {
                    let _ = write!(out, "\nhint: {hint}");
                }
            }
            CliError::Output(_) | CliError::Yaml(_) | CliError::Report { .. } => {
                let _ = write!(out, "error: {self}");
            }
            CliError::Script(error) => {
                let _ = write!(out, "error: {error}\nhint: {}", error.hint());
            }
            CliError::OutputExists { .. } => {
                let _ = write!(
                    out,
                    "error: {self}\nhint: choose an empty directory, or pass --force to overwrite"
                );
            }
            CliError::NoSuchMailbox { suggestion, .. } => {
                let _ = write!(out, "error: {self}\nhint: ");
                let _ = match suggestion {
                    Some(name) => write!(out, "did you mean `{name}`? "),
                    None => Ok(()),
                };
                let _ = write!(
                    out,
                    "a mailbox answers to its Identity, Name, Alias, UserPrincipalName, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid, ignoring case"
                );
            }
            CliError::AmbiguousMailbox {
                candidates, count, ..
            } => {
                let _ = writeln!(out, "error: {self}:");
                for candidate in candidates {
                    let _ = writeln!(out, "  - {candidate}");
                }
                if *count > candidates.len() {
                    let _ = writeln!(
                        out,
                        "  ... and {} more",
                        crate::english::thousands(count - candidates.len())
                    );
                }
                let _ = write!(
                    out,
                    "hint: name one of them by its address or its id, which no other mailbox shares"
                );
            }
            CliError::NoSuchPolicy {
                suggestion,
                other_kind,
                ..
            } => {
                let _ = write!(out, "error: {self}");
                let _ = match (other_kind, suggestion) {
                    (Some(kind), _) => write!(
                        out,
                        "\nhint: it is an {kind}; `explain --policy` explains mailbox policies, and `plan` shows what the others change"
                    ),
                    (None, Some(name)) => write!(out, "\nhint: did you mean `{name}`?"),
                    (None, None) => write!(
                        out,
                        "\nhint: `auditform validate` lists how many policies the set has; use a policy's metadata.name"
                    ),
                };
            }
            CliError::JunitNeedsPlanning => {
                let _ = write!(
                    out,
                    "error: {self}\nhint: run `auditform plan --format junit` against the same policies and state"
                );
            }
            CliError::NothingToExplain => {
                let _ = write!(out, "error: {self}\nhint: auditform explain pilar@contoso.com, or auditform explain --policy NAME");
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

mod annotations;
pub use annotations::{escape_data, escape_property, Annotation, AnnotationPlace};
