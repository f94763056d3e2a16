//! The support trace (`--trace FILE`, `AUDITFORM_TRACE`): every request and answer, each with
//! its `client-request-id`, and no credential, token or secret in it; appended to across runs,
//! and never written over a file that is not a trace.

use crate::support::live::*;
use auditform_emulator::Faults;

/// The emulator's access tokens all start so.
const TOKEN_PREFIX: &str = "emu.";

#[test]
fn plan_and_apply_write_every_exchange_with_credentials_redacted() {
    let emulator = start(Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("support.trace");
    let plan_file = dir.path().join("plan.json");
    let plan = auditform(&emulator, &["plan"])
        .arg("--out")
        .arg(&plan_file)
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    let after_plan = std::fs::read_to_string(&trace).unwrap();
    let apply = auditform(&emulator, &["apply"])
        .arg(&plan_file)
        .env("AUDITFORM_TRACE", &trace)
        .output()
        .unwrap();
    assert!(apply.status.success(), "{}", stdout(&apply));
    let text = std::fs::read_to_string(&trace).unwrap();

    assert!(text.starts_with(&after_plan), "the second run appended");
    assert_eq!(text.matches("\n## ").count(), 2, "one session line per run");
    let exchanges = text.matches("\n--- #").count() as u64;
    assert_eq!(
        exchanges,
        emulator.counters().http_requests,
        "every exchange"
    );
    for expected in [
        "/oauth2/v2.0/token",
        "client_secret=[redacted]",
        "Authorization: Bearer [redacted]",
        "X-AnchorMailbox: APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com",
        "X-CmdletName: Get-Mailbox",
        "Prefer: odata.maxpagesize=1000",
        "/$batch",
        // Inside a $batch body, each sub-request's own Authorization.
        r#""Authorization":"Bearer [redacted]""#,
        r#""access_token":"[redacted]""#,
        "HTTP 200 after ",
    ] {
        assert!(text.contains(expected), "{expected} is not in the trace:\n{text}");
    }
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split("client-request-id: ").nth(1))
        .collect();
    assert!(ids.len() as u64 >= exchanges);
    assert_nowhere(&[("the trace", &text)], &[CLIENT_SECRET, TOKEN_PREFIX]);
}

#[test]
fn a_file_that_is_not_a_trace_is_never_written_over() {
    let emulator = start(Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let plan_file = save_plan(&emulator, dir.path());
    let before = std::fs::read(&plan_file).unwrap();
    let output = auditform(&emulator, &["plan"])
        .arg("--trace")
        .arg(&plan_file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("is not an auditform trace"), "{message}");
    assert!(message.contains("hint:"), "{message}");
    assert_eq!(std::fs::read(&plan_file).unwrap(), before);
}
