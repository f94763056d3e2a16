//! Where diagnostics go: to stderr as text a person reads, and, in GitHub Actions, also as
//! workflow commands, so that an error or a warning marks its line in the pull request.

use crate::diagnostic::annotation::annotations;
use crate::diagnostic::Diagnostic;
use crate::english::thousands;
use crate::redact::scrub;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

/// Writes diagnostics for the run's audience.
#[derive(Clone, Debug, Default)]
pub struct Reporter {
    /// In GitHub Actions: the checkout, to which annotated paths are made relative.
    github: Option<GithubActions>,
}

#[derive(Clone, Debug, Default)]
struct GithubActions {
    workspace: Option<PathBuf>,
}

impl Reporter {
    /// GitHub Actions when `GITHUB_ACTIONS=true`, with `GITHUB_WORKSPACE` as the checkout.
    pub fn from_env() -> Reporter {
        let github_actions =
            std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true");
        let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
        Reporter::new(github_actions, workspace)
    }

    pub fn new(github_actions: bool, workspace: Option<PathBuf>) -> Reporter {
        Reporter {
            github: github_actions.then_some(GithubActions { workspace }),
        }
    }

    /// Writes the diagnostics to stderr as text, then, in GitHub Actions, as annotations.
    pub fn report(&self, diagnostics: &[Diagnostic]) {
        if diagnostics.is_empty() {
            return;
        }
        // Nothing useful can be done when stderr itself can't be written.
        let _ = self.write_report(diagnostics, &mut io::stderr().lock());
    }

    /// In GitHub Actions, writes the diagnostics as annotations only: for findings that the
    /// output already shows a person, such as a plan's warnings.
    pub fn annotate(&self, diagnostics: &[Diagnostic]) {
        let _ = self.write_annotations(diagnostics, &mut io::stderr().lock());
    }

    pub fn write_report(&self, diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
        for diagnostic in diagnostics {
            // Whatever produced the message, no secret leaves with it.
            writeln!(out, "{}", scrub(&diagnostic.to_string()))?;
        }
        self.write_annotations(diagnostics, out)
    }

    pub fn write_annotations(
        &self,
        diagnostics: &[Diagnostic],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let Some(github) = &self.github else {
            return Ok(());
        };
        for diagnostic in diagnostics {
            for annotation in annotations(diagnostic, github.workspace.as_deref()) {
                writeln!(out, "{}", scrub(&annotation.to_string()))?;
            }
        }
        out.flush()
    }
}

/// A plan's warnings as diagnostics: each distinct warning once, with how often it occurred.
pub fn plan_warnings(warnings: &[String]) -> Vec<Diagnostic> {
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<(&str, usize)> = Vec::new();
    for warning in warnings {
        let next = distinct.len();
        let index = *index_of.entry(warning.as_str()).or_insert(next);
        if index == next {
            distinct.push((warning, 0));
        }
        distinct[index].1 += 1;
    }
    distinct
        .into_iter()
        .map(|(warning, times)| {
            let message = if times > 1 {
                format!("{warning} ({} times)", thousands(times))
            } else {
                warning.to_string()
            };
            Diagnostic::warning(message)
        })
        .collect()
}

#[cfg(test)]
mod tests;
