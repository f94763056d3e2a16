//! `auditform test` results: text for people (a failure is a diff of expected against actual,
//! made with `similar`), a JSON document, and a JUnit report. Case names, mailbox names and
//! action names come from test files in pull requests, so they are made printable.

mod json;
mod junit;

pub use json::render_test_json;
pub use junit::render_test_junit;

use super::label::printable;
use super::style::{Palette, Role};
use super::TextOptions;
use crate::english::counted;
use crate::testing::{CaseResult, CaseVerdict, Failure};
use similar::{ChangeTag, TextDiff};
use std::io::{self, Write};

/// How many cases passed, failed and could not run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
}

impl Tally {
    pub fn of(results: &[CaseResult]) -> Tally {
        let mut tally = Tally::default();
        for result in results {
            match result.verdict {
                CaseVerdict::Passed => tally.passed += 1,
                CaseVerdict::Failed(_) => tally.failed += 1,
                CaseVerdict::Errored(_) => tally.errored += 1,
            }
        }
        tally
    }

    pub fn total(self) -> usize {
        self.passed + self.failed + self.errored
    }

    pub fn all_passed(self) -> bool {
        self.failed == 0 && self.errored == 0
    }
}

/// Writes the results: a line per case, and under each failing case the difference between
/// what it expects and what the plan does, then a summary.
pub fn render_test_text(
    results: &[CaseResult],
    options: &TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let palette = Palette::new(options.color);
    for result in results {
        let (mark, role) = match result.verdict {
            CaseVerdict::Passed => ("PASS ", Role::Add),
            CaseVerdict::Failed(_) => ("FAIL ", Role::Remove),
            CaseVerdict::Errored(_) => ("ERROR", Role::Weakening),
        };
        let place = result.source.as_ref().map_or_else(String::new, |source| {
            format!(" ({})", printable(&source.to_string()))
        });
        writeln!(
            out,
            "{} {}: {}{place}",
            palette.paint(role, mark),
            printable(&result.suite),
            printable(&result.name)
        )?;
        match &result.verdict {
            CaseVerdict::Passed => {}
            CaseVerdict::Failed(failures) => {
                for failure in failures {
                    write_failure(&mut out, palette, failure)?;
                }
            }
            CaseVerdict::Errored(message) => {
                writeln!(out, "      {}", printable(message))?;
            }
        }
    }
    let tally = Tally::of(results);
    writeln!(out)?;
    let summary = format!(
        "{}: {} passed, {} failed, {} could not run.",
        counted(tally.total(), "test", "tests"),
        tally.passed,
        tally.failed,
        tally.errored
    );
    let role = if tally.all_passed() {
        Role::Header
    } else {
        Role::Weakening
    };
    writeln!(out, "{}", palette.paint(role, summary))?;
    out.flush()
}

fn write_failure(out: &mut dyn Write, palette: Palette, failure: &Failure) -> io::Result<()> {
    let place = failure.source.as_ref().map_or_else(String::new, |source| {
        format!(" ({})", printable(&source.to_string()))
    });
    writeln!(
        out,
        "      mailbox `{}`{place}:",
        printable(&failure.mailbox)
    )?;
    writeln!(
        out,
        "        {} {}",
        palette.paint(Role::Remove, "- expected"),
        palette.paint(Role::Add, "+ planned")
    )?;
    for line in diff_lines(failure) {
        let (role, text) = match line {
            DiffLine::Same(text) => (None, format!("  {text}")),
            DiffLine::Expected(text) => (Some(Role::Remove), format!("- {text}")),
            DiffLine::Actual(text) => (Some(Role::Add), format!("+ {text}")),
        };
        match role {
            Some(role) => writeln!(out, "        {}", palette.paint(role, text))?,
            None => writeln!(out, "        {text}")?,
        }
    }
    Ok(())
}

/// One line of the difference between expected and actual.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Expected(String),
    Actual(String),
}

/// The difference between a failure's two sides, line by line, each line made printable.
pub fn diff_lines(failure: &Failure) -> Vec<DiffLine> {
    let expected: Vec<String> = failure
        .expected
        .iter()
        .map(|line| printable(line).into_owned())
        .collect();
    let actual: Vec<String> = failure
        .actual
        .iter()
        .map(|line| printable(line).into_owned())
        .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let actual: Vec<&str> = actual.iter().map(String::as_str).collect();
    TextDiff::from_slices(&expected, &actual)
        .iter_all_changes()
        .map(|change| {
            let text = change.value().to_string();
            match change.tag() {
                ChangeTag::Equal => DiffLine::Same(text),
                ChangeTag::Delete => DiffLine::Expected(text),
                ChangeTag::Insert => DiffLine::Actual(text),
            }
        })
        .collect()
}

/// The difference as plain text, `- ` for expected, `+ ` for planned: for reports.
pub fn diff_text(failure: &Failure) -> String {
    let mut text = String::from("- expected\n+ planned\n");
    for line in diff_lines(failure) {
        let (mark, line) = match line {
            DiffLine::Same(line) => (' ', line),
            DiffLine::Expected(line) => ('-', line),
            DiffLine::Actual(line) => ('+', line),
        };
        text.push(mark);
        text.push(' ');
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests;
