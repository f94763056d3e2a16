//! The service's own words reach the person: a cmdlet's error from `details`, a plain-text
//! throttling answer retried, a change that landed before its answer was lost recognised from
//! "already being audited", and the warnings and errors of a 200 answer shown against the
//! mailbox they concern. Every failure quotes the request's `client-request-id`.

use crate::support::live::*;
use auditform::files::policy_dir::load_dir;
use auditform::plan::{Plan, Planner};
use auditform::state::exo::{Credentials, ExoClient, ExoConfig, RetryPolicy, Secret, WriteResult};
use auditform::state::ReadOptions;
use auditform_emulator::{EmulatorConfig, EmulatorHandle, Faults};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn client(emulator: &EmulatorHandle) -> ExoClient {
    let mut config = ExoConfig::new(TENANT);
    config.endpoint = emulator.base_url();
    config.authority = emulator.authority();
    config.retry = RetryPolicy {
        base_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    };
    let credentials = Credentials::ClientSecret {
        client_id: CLIENT_ID.into(),
        secret: Secret::new(CLIENT_SECRET),
    };
    ExoClient::new(config, credentials).unwrap()
}

fn plan(client: &ExoClient) -> Plan {
    let loaded = load_dir(std::path::Path::new("policies")).unwrap();
    let mut planner = Planner::new(&loaded.policies, &client.describe());
    client.read(&mut planner, &ReadOptions::default()).unwrap();
    planner.finish().unwrap()
}

/// The apply summary's line for a mailbox.
fn summary_line<'a>(report: &'a str, name: &str) -> &'a str {
    let start = format!("mailbox \"{name}\" <");
    report
        .lines()
        .find(|line| line.starts_with(&start) && line.contains(">: "))
        .unwrap_or_else(|| panic!("no summary line for {name}:\n{report}"))
}

/// `(client-request-id <GUID>)` somewhere in `text`.
fn quotes_a_request_id(text: &str) -> bool {
    text.split("(client-request-id ").skip(1).any(|rest| {
        rest.split(')').next().is_some_and(|id| {
            id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        })
    })
}

#[test]
fn a_refused_mailbox_shows_the_cmdlets_own_text_and_the_request_id_to_quote() {
    let emulator = start(Faults {
        failing_identities: vec!["don@contoso.com".into()],
        ..Faults::default()
    });
    let apply = auditform(&emulator, &["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(1));
    let report = stdout(&apply);
    let line = summary_line(&report, "Don Hall");
    assert!(
        line.contains(": failed: Unable to perform the save operation. '00942014-42aa-52bd-af51-35f5c4335d27' is not within a valid server write scope."),
        "{line}"
    );
    assert!(
        !line.contains("DirectInvokeCmdletExecutionException"),
        "{line}"
    );
    assert!(quotes_a_request_id(line), "{line}");
    assert_strictly_spoken(&emulator);
}

#[test]
fn the_concurrency_limit_in_plain_text_is_throttling_and_apply_converges() {
    let emulator = start(Faults {
        max_concurrency: 1,
        latency: Duration::from_millis(5),
        ..Faults::default()
    });
    let apply = auditform(
        &emulator,
        &["apply", "--auto-approve", "--parallelism", "8"],
    )
    .output()
    .unwrap();
    assert!(
        apply.status.success(),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    assert!(emulator.counters().throttled > 0, "the limit was reached");
    let again = auditform(&emulator, &["plan"]).output().unwrap();
    assert!(stdout(&again).contains("No changes."), "{}", stdout(&again));
}

/// Against a service that answers a repeated Add with DESIGN's "already being audited" (an
/// emulator mode: today's service takes it silently, evidence W2, and the retry then simply
/// succeeds).
#[test]
fn a_change_whose_answer_was_lost_is_recognised_as_applied_on_its_retry() {
    let emulator = start_as(
        Faults {
            rate_drop_after: 0.25,
            seed: 3,
            ..Faults::default()
        },
        ServiceModel {
            duplicate_add: DuplicateAdd::AlreadyAudited,
            ..ServiceModel::default()
        },
    );
    let client = client(&emulator);
    let plan = plan(&client);
    let report = client.write(&plan, &AtomicBool::new(false), &|_, _| {});
    assert!(
        emulator.counters().dropped_after_running > 0,
        "answers were lost after the change ran"
    );
    let results: Vec<&WriteResult> = report.mailboxes.iter().map(|s| &s.result).collect();
    assert!(results.iter().all(|r| r.succeeded()), "{results:?}");
    assert!(
        results.contains(&&WriteResult::AlreadyApplied),
        "a retried Add was refused as already audited and confirmed: {results:?}"
    );
    let again = auditform(&emulator, &["plan"]).output().unwrap();
    assert!(stdout(&again).contains("No changes."), "{}", stdout(&again));
}

#[test]
fn warnings_and_errors_of_a_successful_answer_are_shown_against_their_mailbox() {
    const WARNING: &str = "The audit settings of this mailbox will take up to 60 minutes to apply.";
    const ERROR: &str = "Couldn't update the mailbox in the directory; try again later.";
    let emulator = start_with(EmulatorConfig {
        faults: Faults {
            warnings: vec![("pilar@contoso.com".into(), WARNING.into())],
            soft_errors: vec![("don@contoso.com".into(), ERROR.into())],
            ..Faults::default()
        },
        ..strict_config()
    });
    let apply = auditform(&emulator, &["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(1), "{}", stdout(&apply));
    let report = stdout(&apply);
    let pilar = summary_line(&report, "Pilar Pinilla");
    assert!(pilar.ends_with(": updated"), "{report}");
    let next = report
        .lines()
        .skip_while(|line| *line != pilar)
        .nth(1)
        .unwrap_or_default();
    assert_eq!(next, format!("  warning: {WARNING}"), "{report}");
    let don = summary_line(&report, "Don Hall");
    assert!(don.contains(&format!(": failed: {ERROR}")), "{don}");
    assert!(quotes_a_request_id(don), "{don}");

    let again = auditform(&emulator, &["plan"]).output().unwrap();
    let text = stdout(&again);
    assert!(text.contains("mailbox \"Don Hall\""), "{text}");
    assert!(
        text.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{text}"
    );
}

#[test]
fn a_warning_while_reading_goes_to_stderr_once() {
    const WARNING: &str = "The Get-Mailbox cmdlet will be retired; use Get-EXOMailbox.";
    let emulator = start_with(EmulatorConfig {
        page_size: 2,
        faults: Faults {
            warnings: vec![("*".into(), WARNING.into())],
            ..Faults::default()
        },
        ..strict_config()
    });
    let show = auditform(&emulator, &["show"]).output().unwrap();
    assert!(show.status.success(), "{}", stderr(&show));
    let expected = format!("warning: Exchange Online (Get-Mailbox): {WARNING}");
    let shown = stderr(&show);
    assert_eq!(
        shown.lines().filter(|line| *line == expected).count(),
        1,
        "once, though every page said it:\n{shown}"
    );
    assert!(
        emulator.cmdlet_count("Get-Mailbox") > 5,
        "many pages were read"
    );
}
