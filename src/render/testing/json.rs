//! `test --format json`: the results as a JSON document, described by
//! `schema/test-report.schema.json`.

use super::{diff_text, Tally};
use crate::testing::{CaseResult, CaseVerdict};
use serde_json::{json, Value};
use std::io::{self, Write};

/// The version of the document. Minor versions only add fields.
pub const TEST_REPORT_VERSION: &str = "1.0";

/// Writes the results as JSON, ending in a newline.
pub fn render_test_json(results: &[CaseResult], out: &mut dyn Write) -> io::Result<()> {
    let tally = Tally::of(results);
    let document = json!({
        "format_version": TEST_REPORT_VERSION,
        "summary": {
            "total": tally.total(),
            "passed": tally.passed,
            "failed": tally.failed,
            "errored": tally.errored,
        },
        "cases": results.iter().map(case).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn case(result: &CaseResult) -> Value {
    let (verdict, failures, error) = match &result.verdict {
        CaseVerdict::Passed => ("passed", Vec::new(), None),
        CaseVerdict::Failed(failures) => ("failed", failures.iter().collect(), None),
        CaseVerdict::Errored(message) => ("errored", Vec::new(), Some(message.as_str())),
    };
    json!({
        "suite": result.suite,
        "name": result.name,
        "source": result.source.as_ref().map(|source| source.to_string()),
        "verdict": verdict,
        "failures": failures.into_iter().map(|failure| json!({
            "mailbox": failure.mailbox,
            "source": failure.source.as_ref().map(|source| source.to_string()),
            "expected": failure.expected,
            "actual": failure.actual,
            "diff": diff_text(failure),
        })).collect::<Vec<_>>(),
        "error": error,
    })
}
