//! `test --format junit`: one suite per test file, one case per test case; a failing case's
//! text is the diff of expected against planned, and a case that could not run is an error.

use super::diff_text;
use crate::english::counted;
use crate::render::junit::{write_report, Case, CaseOutcome, JunitOptions, Suite};
use crate::testing::{CaseResult, CaseVerdict};
use std::io::{self, Write};

/// Writes the results as a JUnit report.
pub fn render_test_junit(
    results: &[CaseResult],
    options: &JunitOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut suites: Vec<Suite> = Vec::new();
    for result in results {
        let index = match suites.iter().position(|suite| suite.name == result.suite) {
            Some(index) => index,
            None => {
                suites.push(Suite {
                    name: result.suite.clone(),
                    classname: format!("auditform.test.{}", result.suite),
                    properties: vec![("kind", "PolicyTest".to_string())],
                    cases: Vec::new(),
                });
                suites.len() - 1
            }
        };
        suites[index].cases.push(case(result));
    }
    write_report(&suites, None, options, out)
}

fn case(result: &CaseResult) -> Case {
    let outcome = match &result.verdict {
        CaseVerdict::Passed => CaseOutcome::Passed,
        CaseVerdict::Failed(failures) => {
            let mailboxes: Vec<&str> = failures.iter().map(|f| f.mailbox.as_str()).collect();
            let text = failures
                .iter()
                .map(|failure| {
                    let place = failure
                        .source
                        .as_ref()
                        .map_or_else(String::new, |source| format!(" ({source})"));
                    format!(
                        "mailbox `{}`{place}:\n{}",
                        failure.mailbox,
                        diff_text(failure)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            CaseOutcome::Failed {
                message: format!(
                    "{} did not hold: {}",
                    counted(failures.len(), "expectation", "expectations"),
                    mailboxes.join(", ")
                ),
                kind: "expectation",
                text,
            }
        }
        CaseVerdict::Errored(message) => CaseOutcome::Errored {
            message: message.clone(),
            kind: "invalid-test",
            text: String::new(),
        },
    };
    let name = match &result.source {
        Some(source) => format!("{} ({source})", result.name),
        None => result.name.clone(),
    };
    Case { name, outcome }
}
