//! Secrets never appear in output, errors or plan files, whichever way a run ends; and each
//! way of signing in works against the emulator's token endpoint.

use crate::support::live::*;
use auditform::state::exo::{Credentials, ExoClient, ExoConfig, RetryPolicy, Secret};
use auditform::state::ReadOptions;
use auditform_emulator::Faults;
use std::time::Duration;

/// The emulator's access tokens all start so.
const TOKEN_PREFIX: &str = "emu.";
const READY_TOKEN: &str = "eyJ0eXAi.ready-token-3c9a1f.signature";
const WRONG_SECRET: &str = "Wr0ng~secret-b81d5e2c";

fn assert_nowhere(texts: &[&str], secrets: &[&str]) {
    for text in texts {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret:?} appears in:\n{text}");
        }
    }
}

#[test]
fn neither_the_secret_nor_the_token_appears_in_output_or_in_the_plan_file() {
    let emulator = start(Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("plan.json");
    let plan = auditform(&emulator, &["plan", "--out", plan_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    let apply = auditform(&emulator, &["apply", plan_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(apply.status.success(), "{}", stderr(&apply));
    assert!(emulator.counters().tokens_issued > 0);

    let mut texts = vec![stdout(&plan), stderr(&plan), stdout(&apply), stderr(&apply)];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    assert_nowhere(&texts, &[CLIENT_SECRET, TOKEN_PREFIX]);
}

#[test]
fn a_wrong_secret_is_reported_without_the_secret() {
    let emulator = start(Faults::default());
    let output = auditform(&emulator, &["plan"])
        .env("AUDITFORM_CLIENT_SECRET", WRONG_SECRET)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("AADSTS7000215"), "{message}");
    assert!(message.contains("hint:"), "{message}");
    assert_nowhere(
        &[&message, &stdout(&output)],
        &[WRONG_SECRET, CLIENT_SECRET],
    );
}

#[test]
fn a_refused_ready_token_is_reported_without_the_token() {
    let emulator = start(Faults::default());
    let output = auditform(&emulator, &["plan"])
        .env("AUDITFORM_ACCESS_TOKEN", READY_TOKEN)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("refused the access token"), "{message}");
    assert_nowhere(&[&message, &stdout(&output)], &[READY_TOKEN]);
}

#[test]
fn a_service_that_keeps_failing_gives_an_error_without_the_secret_or_token() {
    let emulator = start(Faults {
        rate_5xx: 1.0,
        ..Faults::default()
    });
    let mut config = ExoConfig::new(TENANT);
    config.endpoint = emulator.base_url();
    config.authority = emulator.authority();
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    let credentials = Credentials::ClientSecret {
        client_id: CLIENT_ID.into(),
        secret: Secret::new(CLIENT_SECRET),
    };
    let client = ExoClient::new(config, credentials).unwrap();
    let mut tenant = auditform::model::Tenant::default();
    let error = client
        .read(&mut tenant, &ReadOptions::default())
        .unwrap_err();
    let shown = format!("{error}\n{error:?}");
    assert!(shown.contains("still failed after 3 attempts"), "{shown}");
    assert_nowhere(&[&shown], &[CLIENT_SECRET, TOKEN_PREFIX]);
}

#[test]
fn a_certificate_signs_in_with_a_signed_client_assertion() {
    let emulator = start(Faults::default());
    let output = auditform(&emulator, &["show"])
        .env_remove("AUDITFORM_CLIENT_SECRET")
        .env(
            "AUDITFORM_CERTIFICATE",
            "tests/fixtures/test-certificate.pem",
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("pilar@contoso.com"));
    assert_eq!(emulator.counters().tokens_issued, 1);
}
