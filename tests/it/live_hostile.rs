//! No secret in any output, whatever the other side does: an authority and an endpoint that
//! echo every request back (form bodies with the client secret or assertion, headers with the
//! token, `$batch` bodies with every sub-request's token) leak nothing to stdout, stderr, the
//! plan file or the support trace.

use crate::support::live::hostile::{self, Hostility, FOREIGN_JWT, FOREIGN_TOKEN, HOSTILE_TOKEN};
use crate::support::live::*;

#[test]
fn an_authority_that_echoes_the_sign_in_leaks_neither_the_secret_nor_an_assertion() {
    let hostile = hostile::start(Hostility::SignIn);
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let secret = auditform_at(&hostile.url, &hostile.url, &["plan"])
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert_eq!(secret.status.code(), Some(1));
    assert!(
        stderr(&secret).contains("invalid_client"),
        "{}",
        stderr(&secret)
    );
    let certificate = auditform_at(&hostile.url, &hostile.url, &["plan"])
        .env_remove("AUDITFORM_CLIENT_SECRET")
        .env(
            "AUDITFORM_CERTIFICATE",
            "tests/fixtures/test-certificate.pem",
        )
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert_eq!(certificate.status.code(), Some(1));
    let mut texts = vec![
        ("stdout", stdout(&secret)),
        ("stderr", stderr(&secret)),
        ("stdout (certificate)", stdout(&certificate)),
        ("stderr (certificate)", stderr(&certificate)),
    ];
    for (path, text) in files_in(dir.path()) {
        texts.push((Box::leak(path.display().to_string().into_boxed_str()), text));
    }
    let texts: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (*p, t.as_str())).collect();
    // The assertion is a JWT: no JWT header at all appears anywhere.
    assert_nowhere(&texts, &[CLIENT_SECRET, "eyJ", FOREIGN_TOKEN]);
}

#[test]
fn an_endpoint_that_echoes_every_request_leaks_no_token_to_output_plan_or_trace() {
    let hostile = hostile::start(Hostility::Api);
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("plan.json");
    let trace = dir.path().join("trace.txt");
    let plan = auditform_at(&hostile.url, &hostile.url, &["plan"])
        .arg("--out")
        .arg(&plan_file)
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    assert!(
        stdout(&plan).contains("Echo POST"),
        "the echo was shown: {}",
        stdout(&plan)
    );
    assert!(stderr(&plan).contains("warning: Exchange Online (Get-OrganizationConfig): you sent"));
    let apply = auditform_at(&hostile.url, &hostile.url, &["apply"])
        .arg(&plan_file)
        .env("AUDITFORM_TRACE", &trace)
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(1), "{}", stdout(&apply));
    assert!(
        stdout(&apply).contains(": failed: you sent"),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );

    let mut texts = vec![
        ("plan stdout", stdout(&plan)),
        ("plan stderr", stderr(&plan)),
        ("apply stdout", stdout(&apply)),
        ("apply stderr", stderr(&apply)),
    ];
    for (path, text) in files_in(dir.path()) {
        texts.push((Box::leak(path.display().to_string().into_boxed_str()), text));
    }
    assert!(texts.iter().any(|(_, text)| text.contains("[redacted]")));
    let texts: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (*p, t.as_str())).collect();
    assert_nowhere(
        &texts,
        &[
            CLIENT_SECRET,
            HOSTILE_TOKEN,
            FOREIGN_TOKEN,
            FOREIGN_JWT,
            "eyJ",
        ],
    );
}

#[test]
fn a_token_the_endpoint_echoes_in_json_escapes_leaks_no_part_of_it_where_its_message_is_cut() {
    let hostile = hostile::start(Hostility::EscapedApi);
    let output = auditform_at(&hostile.url, &hostile.url, &["plan"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(message.contains("you sent xxx"), "{message}");
    assert_nowhere(
        &[("stdout", &stdout(&output)), ("stderr", &message)],
        &[&HOSTILE_TOKEN[..12]],
    );
}

#[test]
fn a_service_warning_carrying_logging_commands_is_shown_inert() {
    let hostile = hostile::start(Hostility::Commands);
    let output = auditform_at(&hostile.url, &hostile.url, &["plan"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let message = stderr(&output);
    let line = message
        .lines()
        .find(|line| line.contains("pwned"))
        .unwrap_or_else(|| panic!("the warning is shown:\n{message}"));
    assert!(line.starts_with("warning: "), "{line}");
    assert!(auditform::inert::is_inert(line), "{line:?}");
    assert!(line.contains("##vso\\u{5b}task.setvariable"), "{line}");
}
