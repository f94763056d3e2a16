use super::test_cases;
use super::Outcome;
use crate::cli::{TestArgs, TestFormat};
use crate::diagnostic::Diagnostic;
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::files::policy_dir::{load_dir, load_test_dir};
use crate::policy::load::LoadError;
use crate::redact::ScrubWriter;
use crate::render::testing::Tally;
use crate::render::{
    render_test_json, render_test_junit, render_test_text, JunitOptions, TextOptions,
};
use crate::testing::run_case;
use std::io::Write;

pub fn run(args: &TestArgs, color: bool, reporter: &Reporter) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policies.policies)?;
    reporter.report(&loaded.warnings);
    let mut tests = loaded.tests.clone();
    if let Some(dir) = &args.tests {
        let more = load_test_dir(dir)?;
        reporter.report(&more.warnings);
        tests.extend(more.tests);
    }
    if tests.is_empty() {
        return Err(CliError::Policies(LoadError {
            diagnostics: vec![Diagnostic::error("no test documents found")
                .in_file(args.policies.policies.display().to_string())
                .with_hint("add a `kind: PolicyTest` document beside the policies (docs/testing.md), or name a directory of them with `--tests DIR`")],
        }));
    }
    let cases = test_cases::build(&tests, &loaded.policies)?;
    let results: Vec<_> = cases
        .iter()
        .map(|case| run_case(&loaded.policies, case))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    match args.format {
        TestFormat::Text => render_test_text(
            &results,
            &TextOptions {
                color,
                expand: true,
            },
            &mut out,
        )?,
        TestFormat::Json => render_test_json(&results, &mut out)?,
        TestFormat::Junit => render_test_junit(
            &results,
            &JunitOptions {
                timestamp: super::report_timestamp(),
            },
            &mut out,
        )?,
    }
    out.flush()?;
    Ok(if Tally::of(&results).all_passed() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
