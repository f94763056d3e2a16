use super::*;
use crate::policy::SourceLocation;
use crate::testing::Failure;

fn source(line: usize) -> Option<SourceLocation> {
    Some(SourceLocation {
        file: "policies/tests/owner_test.yaml".into(),
        line,
        column: 7,
    })
}

fn results() -> Vec<CaseResult> {
    vec![
        CaseResult {
            suite: "policies/tests/owner_test.yaml".to_string(),
            name: "a user mailbox audits owner sign-ins".to_string(),
            source: source(8),
            verdict: CaseVerdict::Passed,
        },
        CaseResult {
            suite: "policies/tests/owner_test.yaml".to_string(),
            name: "moves are audited too".to_string(),
            source: source(20),
            verdict: CaseVerdict::Failed(vec![Failure {
                mailbox: "pilar".to_string(),
                source: source(27),
                expected: vec![
                    "AuditLogAgeLimit: 180.00:00:00".to_string(),
                    "AuditOwner includes:".to_string(),
                    "  - MailboxLogin".to_string(),
                    "  - Move".to_string(),
                ],
                actual: vec![
                    "AuditLogAgeLimit: 90.00:00:00".to_string(),
                    "AuditOwner includes:".to_string(),
                    "  - MailboxLogin".to_string(),
                    "  - Move (but it is not audited)".to_string(),
                ],
            }]),
        },
        CaseResult {
            suite: "policies/tests/owner_test.yaml".to_string(),
            name: "hostile \u{1b}[2J\nPASS forged".to_string(),
            source: None,
            verdict: CaseVerdict::Errored(
                "the case expects something of `pilr`, but none of its mailboxes answers to that name"
                    .to_string(),
            ),
        },
    ]
}

#[test]
fn a_failing_case_shows_the_difference_between_expected_and_planned() {
    let mut out = Vec::new();
    render_test_text(&results(), &TextOptions::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\u{1b}'));
    assert!(!text.lines().any(|line| line.starts_with("PASS forged")));
    insta::assert_snapshot!(text);
}

#[test]
fn the_tally_counts_each_verdict() {
    let tally = Tally::of(&results());
    assert_eq!((tally.passed, tally.failed, tally.errored), (1, 1, 1));
    assert!(!tally.all_passed());
}

#[test]
fn the_json_carries_the_diff_and_the_junit_an_error_for_a_case_that_could_not_run() {
    let mut json = Vec::new();
    render_test_json(&results(), &mut json).unwrap();
    let document: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(document["summary"]["failed"], 1);
    let diff = document["cases"][1]["failures"][0]["diff"]
        .as_str()
        .unwrap();
    assert!(
        diff.contains("-   - Move\n+   - Move (but it is not audited)\n"),
        "{diff}"
    );

    let mut xml = Vec::new();
    let options = crate::render::junit::JunitOptions {
        timestamp: "2024-01-01T00:00:00".to_string(),
    };
    render_test_junit(&results(), &options, &mut xml).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(
        xml.contains(r#"tests="3" failures="1" errors="1""#),
        "{xml}"
    );
    assert!(xml.contains(r#"type="invalid-test""#));
    assert!(!xml.contains('\u{1b}'));
}
