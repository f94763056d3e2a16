//! Each layer's error as diagnostics. This is the only place that knows how an error is shown:
//! its message, its place, what else bears on it, and its hints.

use super::CliError;
use crate::apply::ApplyError;
use crate::diagnostic::Diagnostic;
use crate::plan::{Conflict, PlanError};
use crate::state::exo::ExoError;
use crate::state::snapshot::StateError;
use crate::state::SinkError;

pub(super) fn diagnostics(error: &CliError) -> Vec<Diagnostic> {
    match error {
        CliError::Policies(error) => error.diagnostics.clone(),
        CliError::State(error) => vec![state(error)],
        CliError::Plan(PlanError::Conflicts(conflicts)) => conflicts.iter().map(conflict).collect(),
        CliError::Plan(error @ (PlanError::DuplicateIds { .. } | PlanError::EmptyState { .. })) => {
            let (headline, notes) = error.headline_and_notes();
            let mut diagnostic = Diagnostic::error(headline).with_hint(error.hint());
            diagnostic.notes = notes;
            vec![diagnostic]
        }
        CliError::Weakening { .. } => vec![Diagnostic::error(error.to_string()).with_hint(
            "the plan above marks them; change the policies, or run without --forbid-weakening after review",
        )],
        CliError::PlanFile(failure) => vec![Diagnostic::error(failure.error.to_string())
            .in_file(failure.path.display().to_string())
            .with_hint(failure.error.hint())],
        CliError::Lock(error) => vec![Diagnostic::error(error.to_string()).with_hint(error.hint())],
        CliError::Apply(ApplyError::Stale(stale)) => {
            let mut diagnostic = Diagnostic::error(error.to_string()).with_hint(
                "nothing was changed; run `auditform plan` again and review the new plan",
            );
            for object in stale {
                diagnostic = diagnostic.with_note(format!("- {object}"));
            }
            vec![diagnostic]
        }
        CliError::Apply(ApplyError::Sink(error)) => vec![sink(error)],
        CliError::PlanSourceMismatch { .. } => vec![Diagnostic::error(error.to_string()).with_hint(
            "a saved plan applies only to the state it was made from; leave out --state, or plan again against the other state",
        )],
        CliError::NoTerminal => vec![Diagnostic::error(error.to_string()).with_hint(
            "review the plan with `auditform plan`, then run `auditform apply --auto-approve`",
        )],
        CliError::MarkdownOfState => vec![Diagnostic::error(error.to_string()).with_hint(
            "show the current state as text, or save it as a snapshot file with `--format json`",
        )],
        CliError::Live(error) => vec![live(error)],
        CliError::Stdio(_) | CliError::Yaml(_) => vec![Diagnostic::error(error.to_string())],
        CliError::WriteFile { path, source } => {
            vec![Diagnostic::error(format!("could not write it: {source}"))
                .in_file(path.display().to_string())
                .with_hint("check that the directory exists and is writable")]
        }
        CliError::Script(error) => {
            vec![Diagnostic::error(error.to_string()).with_hint(error.hint())]
        }
        CliError::OutputExists { .. } => vec![Diagnostic::error(error.to_string())
            .with_hint("choose an empty directory, or pass --force to overwrite")],
        CliError::NoSuchMailbox { suggestion, .. } => {
            let names = "a mailbox answers to its Identity, Name, Alias, UserPrincipalName, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid, ignoring case, and to its DisplayName when nothing else does";
            let diagnostic = Diagnostic::error(error.to_string());
            vec![match suggestion {
                Some(name) => diagnostic
                    .with_hint(format!("did you mean `{name}`?"))
                    .with_note(names),
                None => diagnostic.with_hint(names),
            }]
        }
        CliError::AmbiguousMailbox {
            candidates, count, ..
        } => {
            let mut diagnostic = Diagnostic::error(error.to_string()).with_hint(
                "name one of them by its address or its id, which no other mailbox shares",
            );
            for candidate in candidates {
                diagnostic = diagnostic.with_note(format!("- {candidate}"));
            }
            if *count > candidates.len() {
                diagnostic = diagnostic.with_note(format!(
                    "... and {} more",
                    crate::english::thousands(count - candidates.len())
                ));
            }
            vec![diagnostic]
        }
        CliError::NoSuchPolicy {
            suggestion,
            other_kind,
            ..
        } => {
            let hint = match (other_kind, suggestion) {
                (Some(kind), _) => format!(
                    "it is an {kind}; `explain --policy` explains mailbox policies, and `plan` shows what the others change"
                ),
                (None, Some(name)) => format!("did you mean `{name}`?"),
                (None, None) => "use a policy's metadata.name".to_string(),
            };
            vec![Diagnostic::error(error.to_string()).with_hint(hint)]
        }
        CliError::NothingToExplain => vec![Diagnostic::error(error.to_string()).with_hint(
            "auditform explain pilar@contoso.com, or auditform explain --policy NAME",
        )],
        CliError::JunitNeedsPlanning => vec![Diagnostic::error(error.to_string()).with_hint(
            "run `auditform plan --format junit` against the same policies and state",
        )],
    }
}

/// A conflict, at the first policy, with both policies as related places.
fn conflict(conflict: &Conflict) -> Diagnostic {
    let what = if conflict.actions.is_empty() {
        conflict.property.to_string()
    } else {
        format!("{} {}", conflict.property, conflict.actions.join(", "))
    };
    let mut affected = format!(
        "affects {} {}: {}",
        crate::english::thousands(conflict.affected),
        if conflict.affected == 1 {
            "object"
        } else {
            "objects"
        },
        conflict.examples.join(", ")
    );
    if conflict.affected > conflict.examples.len() {
        affected.push_str(", ...");
    }
    Diagnostic::error(format!(
        "policies `{}` and `{}` disagree on {what} at priority {}",
        conflict.first.name, conflict.second.name, conflict.priority
    ))
    .at(conflict.first.source.clone())
    .with_related(
        conflict.first.source.clone(),
        format!("`{}` {} it", conflict.first.name, conflict.first_says),
    )
    .with_related(
        conflict.second.source.clone(),
        format!("`{}` {} it", conflict.second.name, conflict.second_says),
    )
    .with_note(affected)
    .with_hint(PlanError::Conflicts(Vec::new()).hint())
}

/// A state file's error, at its place in the file when it has one.
fn state(error: &StateError) -> Diagnostic {
    Diagnostic::from(error)
}

fn sink(error: &SinkError) -> Diagnostic {
    match error {
        SinkError::Read(error) => state(error),
        SinkError::Write { path, source } => {
            Diagnostic::error(format!("can't write the state file: {source}"))
                .in_file(path.display().to_string())
                .with_hint("check that the directory exists and is writable")
        }
        SinkError::Live(error) => live(error),
    }
}

/// A live client's error. An answer that can't be read says where in the answer, since the
/// answer is no file a person could open.
fn live(error: &ExoError) -> Diagnostic {
    match error {
        ExoError::Answer { cmdlet, source } => {
            let place = source
                .location()
                .map(|(_, line, column)| format!(" (line {line}, column {column})"))
                .unwrap_or_default();
            Diagnostic::error(format!(
                "the answer to {cmdlet} can't be read: {source}{place}"
            ))
            .with_hint_maybe(source.hint())
        }
        error => Diagnostic::error(error.to_string()).with_hint_maybe(error.hint()),
    }
}
