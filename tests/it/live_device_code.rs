//! Signing in as a person, with no app registration, as `Connect-ExchangeOnline -Device` does:
//! the ExchangeOnlineManagement module's public client, the code and the page on stderr,
//! tokens in memory only (renewed with the refresh token), and a clear end when the person
//! declines or the code expires.

use crate::support::live::*;
use auditform::model::Tenant;
use auditform::state::exo::{
    Credentials, DevicePolling, DevicePrompt, ExoClient, ExoConfig, EXCHANGE_MODULE_CLIENT_ID,
};
use auditform::state::ReadOptions;
use auditform_emulator::{DeviceResponse, DeviceSignIn, EmulatorConfig, EmulatorHandle};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const PERSON: &str = "megan@contoso.com";

fn emulator(device: DeviceSignIn) -> EmulatorHandle {
    start_with(EmulatorConfig {
        device: DeviceSignIn {
            user: PERSON.into(),
            interval: 0,
            ..device
        },
        ..strict_config()
    })
}

/// `auditform ARGS` signing in with a device code, in an empty working and home directory.
fn signing_in(emulator: &EmulatorHandle, home: &Path, args: &[&str]) -> std::process::Output {
    let policies = std::env::current_dir().unwrap().join("policies");
    auditform(emulator, args)
        .arg("--policies")
        .arg(policies)
        .env_remove("AUDITFORM_CLIENT_ID")
        .env_remove("AUDITFORM_CLIENT_SECRET")
        .env("AUDITFORM_AUTH", "device")
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home)
        .current_dir(home)
        .output()
        .unwrap()
}

#[test]
fn a_person_signs_in_with_the_code_shown_and_plans_as_themselves() {
    let emulator = emulator(DeviceSignIn {
        pending_polls: 2,
        ..DeviceSignIn::default()
    });
    let home = tempfile::tempdir().unwrap();
    let plan = signing_in(
        &emulator,
        home.path(),
        &["plan", "--trace", "support.trace"],
    );
    assert!(plan.status.success(), "{}", stderr(&plan));
    let shown = stderr(&plan);
    let line = shown
        .lines()
        .find(|line| line.starts_with("To sign in to Exchange Online, open https://microsoft.com/devicelogin in a browser and enter the code "))
        .unwrap_or_else(|| panic!("{shown}"));
    let code = line
        .split("enter the code ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap();
    assert_eq!(code.len(), 9, "{line}");
    assert_eq!(
        shown.matches(code).count(),
        1,
        "the code is shown once:\n{shown}"
    );
    assert!(
        stdout(&plan).contains("Plan: 0 to add, 11 to change"),
        "{}",
        stdout(&plan)
    );

    let counters = emulator.counters();
    assert_eq!(counters.device_polls, 3, "pending twice, then signed in");
    assert_eq!(
        counters.anchor_mailboxes.keys().collect::<Vec<_>>(),
        [&format!("UPN:{PERSON}")],
        "a person's requests are anchored to their own mailbox"
    );
    assert_strictly_spoken(&emulator);

    // Nothing but the trace was written, and the trace holds no code or token.
    let files = files_in(home.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let trace = &files[0].1;
    assert!(trace.contains("/oauth2/v2.0/devicecode"), "{trace}");
    assert!(trace.contains("grant-type%3Adevice_code"), "{trace}");
    assert_nowhere(
        &[("the trace", trace), ("stdout", &stdout(&plan))],
        &[code, "DAQABAAEAAAD", "emu-rt.", "eyJ"],
    );
}

#[test]
fn a_declined_sign_in_ends_with_a_clear_error() {
    let emulator = emulator(DeviceSignIn {
        response: DeviceResponse::Decline,
        ..DeviceSignIn::default()
    });
    let home = tempfile::tempdir().unwrap();
    let plan = signing_in(&emulator, home.path(), &["plan"]);
    assert_eq!(plan.status.code(), Some(1));
    let message = stderr(&plan);
    assert!(
        message.contains("error: the sign-in was declined at the browser"),
        "{message}"
    );
    assert!(message.contains("hint: run the command again"), "{message}");
    assert_eq!(emulator.cmdlet_count("Get-Mailbox"), 0);
}

#[test]
fn an_expired_code_ends_with_a_clear_error() {
    let emulator = emulator(DeviceSignIn {
        response: DeviceResponse::Ignore,
        expires_in: 1,
        ..DeviceSignIn::default()
    });
    let home = tempfile::tempdir().unwrap();
    let plan = signing_in(&emulator, home.path(), &["plan"]);
    assert_eq!(plan.status.code(), Some(1));
    let message = stderr(&plan);
    assert!(
        message.contains("error: the code expired before anyone signed in with it"),
        "{message}"
    );
    assert!(emulator.counters().device_polls >= 1);
}

fn device_client(
    emulator: &EmulatorHandle,
    prompts: &Arc<AtomicUsize>,
    polling: DevicePolling,
) -> ExoClient {
    let mut config = ExoConfig::new(TENANT);
    config.endpoint = emulator.base_url();
    config.authority = emulator.authority();
    let counter = Arc::clone(prompts);
    let credentials = Credentials::DeviceCode {
        client_id: EXCHANGE_MODULE_CLIENT_ID.into(),
        prompt: DevicePrompt::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
        polling,
    };
    ExoClient::new(config, credentials).unwrap()
}

#[test]
fn slow_down_makes_the_client_wait_longer_and_still_sign_in() {
    let emulator = emulator(DeviceSignIn {
        slow_down_polls: 2,
        pending_polls: 0,
        ..DeviceSignIn::default()
    });
    let prompts = Arc::new(AtomicUsize::new(0));
    let client = device_client(
        &emulator,
        &prompts,
        DevicePolling {
            slow_down_step: Duration::from_millis(20),
            min_interval: Duration::ZERO,
            ..DevicePolling::default()
        },
    );
    let mut tenant = Tenant::default();
    client.read(&mut tenant, &ReadOptions::default()).unwrap();
    assert_eq!(emulator.counters().device_polls, 3);
    assert_eq!(prompts.load(Ordering::SeqCst), 1);
}

#[test]
fn an_expiring_access_token_is_renewed_with_the_refresh_token_without_asking_again() {
    let emulator = start_with(EmulatorConfig {
        token_lifetime: 1,
        device: DeviceSignIn {
            user: PERSON.into(),
            interval: 0,
            pending_polls: 0,
            ..DeviceSignIn::default()
        },
        ..strict_config()
    });
    let prompts = Arc::new(AtomicUsize::new(0));
    let client = device_client(&emulator, &prompts, DevicePolling::default());
    let mut tenant = Tenant::default();
    client.read(&mut tenant, &ReadOptions::default()).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    client.read(&mut tenant, &ReadOptions::default()).unwrap();
    assert_eq!(
        prompts.load(Ordering::SeqCst),
        1,
        "the person signed in once"
    );
    assert!(
        emulator.counters().refreshes >= 1,
        "{:?}",
        emulator.counters()
    );
}

#[test]
fn a_revoked_refresh_token_asks_the_person_to_sign_in_again() {
    let emulator = start_with(EmulatorConfig {
        token_lifetime: 1,
        device: DeviceSignIn {
            user: PERSON.into(),
            interval: 0,
            pending_polls: 0,
            ..DeviceSignIn::default()
        },
        ..strict_config()
    });
    let prompts = Arc::new(AtomicUsize::new(0));
    let client = device_client(&emulator, &prompts, DevicePolling::default());
    let mut tenant = Tenant::default();
    client.read(&mut tenant, &ReadOptions::default()).unwrap();
    emulator.revoke_refresh_tokens();
    std::thread::sleep(Duration::from_millis(1100));
    client.read(&mut tenant, &ReadOptions::default()).unwrap();
    assert_eq!(prompts.load(Ordering::SeqCst), 2, "asked again, once");
}
