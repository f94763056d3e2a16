use super::*;
use crate::plan::compliance::COMPLYING_NAMED;

#[test]
fn timestamps_are_utc_calendar_dates_without_a_zone() {
    assert_eq!(timestamp(0), "1970-01-01T00:00:00");
    assert_eq!(timestamp(1_700_000_000), "2023-11-14T22:13:20");
    assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00");
    assert_eq!(timestamp(4_102_444_799), "2099-12-31T23:59:59");
}

fn subject(index: usize) -> Subject {
    Subject::new(
        &format!("id-{index}"),
        &format!("user{index}"),
        &format!("User {index}"),
        Some(format!("user{index}@contoso.com")).as_deref(),
    )
}

#[test]
fn a_few_complying_mailboxes_are_listed_and_many_are_counted() {
    let few = PolicyCompliance {
        complying: 2,
        first: vec![subject(1), subject(2)],
        selected: 5,
    };
    let names: Vec<String> = passing_cases(Some(&few), ("mailbox", "mailboxes"))
        .into_iter()
        .map(|case| case.name)
        .collect();
    assert_eq!(
        names,
        [
            r#"mailbox "User 1" <user1@contoso.com> complies"#,
            r#"mailbox "User 2" <user2@contoso.com> complies"#
        ]
    );
    let many = PolicyCompliance {
        complying: 12_345,
        first: (0..COMPLYING_NAMED).map(subject).collect(),
        selected: 20_000,
    };
    let cases = passing_cases(Some(&many), ("mailbox", "mailboxes"));
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].name, "12,345 mailboxes already comply");
}

#[test]
fn a_suite_counts_its_failures_errors_and_skips() {
    let suites = [Suite {
        name: "p".to_string(),
        classname: "auditform.p".to_string(),
        properties: vec![("kind", "MailboxAuditPolicy".to_string())],
        cases: vec![
            Case {
                name: "a".to_string(),
                outcome: CaseOutcome::Passed,
            },
            Case {
                name: "b".to_string(),
                outcome: CaseOutcome::Failed {
                    message: "m".to_string(),
                    kind: "drift",
                    text: String::new(),
                },
            },
            Case {
                name: "c".to_string(),
                outcome: CaseOutcome::Skipped {
                    message: "s".to_string(),
                },
            },
            Case {
                name: "d".to_string(),
                outcome: CaseOutcome::Errored {
                    message: "e".to_string(),
                    kind: "conflict",
                    text: String::new(),
                },
            },
        ],
    }];
    let mut out = Vec::new();
    let options = JunitOptions {
        timestamp: timestamp(0),
    };
    write_report(&suites, None, &options, &mut out).unwrap();
    let xml = String::from_utf8(out).unwrap();
    assert!(
        xml.contains(r#"tests="4" failures="1" errors="1" skipped="1""#),
        "{xml}"
    );
    assert!(xml.contains(r#"<error message="e" type="conflict"></error>"#));
}
