//! Shared by the end-to-end tests against the service emulator: an emulator serving the
//! example tenant in strict mode (it refuses any request or `$batch` sub-request without
//! `Authorization` or `X-AnchorMailbox`, as the public clients never send one), and the
//! auditform command pointed at it with a client secret.

#![allow(dead_code)]

pub mod hostile;

pub use auditform_emulator::rules::{DuplicateAdd, ServiceModel};
use auditform_emulator::{ClientCredential, Emulator, EmulatorConfig, EmulatorHandle, Faults};
use std::path::Path;

pub const TENANT: &str = "contoso.onmicrosoft.com";
pub const CLIENT_ID: &str = "5e2b7c1a-auditform-tests";
/// Distinctive, so that a test can prove it never shows up anywhere.
pub const CLIENT_SECRET: &str = "Zq8~client-secret-7f3e9d1b4a";
/// The workflow the app's federated credential trusts.
pub const GITHUB_SUBJECT: &str = "repo:contoso/mailbox-audit:ref:refs/heads/main";

pub fn start(faults: Faults) -> EmulatorHandle {
    start_with(EmulatorConfig {
        faults,
        ..strict_config()
    })
}

/// An emulator whose service answers as `service` says where it has a choice.
pub fn start_as(faults: Faults, service: ServiceModel) -> EmulatorHandle {
    start_with(EmulatorConfig {
        faults,
        service,
        ..strict_config()
    })
}

/// The example tenant, the test app, strict mode.
pub fn strict_config() -> EmulatorConfig {
    let tenant = auditform_emulator::read_snapshot(Path::new("examples/tenant.json"))
        .expect("the example tenant reads");
    EmulatorConfig {
        tenant,
        clients: vec![ClientCredential {
            client_id: CLIENT_ID.into(),
            client_secret: Some(CLIENT_SECRET.into()),
            federated_subjects: vec![GITHUB_SUBJECT.into()],
        }],
        strict: true,
        ..EmulatorConfig::default()
    }
}

pub fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).expect("the emulator starts")
}

/// Asserts that the emulator refused nothing for a missing credential or routing hint.
pub fn assert_strictly_spoken(emulator: &EmulatorHandle) {
    let counters = emulator.counters();
    assert_eq!(counters.strict_refusals, 0, "{counters:?}");
}

/// `auditform SUBCOMMAND ARGS --tenant .. --endpoint .. --authority ..`, signing in with the
/// client secret, colour off, and nothing inherited that would choose other credentials.
pub fn auditform(emulator: &EmulatorHandle, args: &[&str]) -> assert_cmd::Command {
    auditform_at(&emulator.base_url(), &emulator.authority(), args)
}

/// The same, against any endpoint and authority.
pub fn auditform_at(endpoint: &str, authority: &str, args: &[&str]) -> assert_cmd::Command {
    let mut command = plain(args);
    command
        .args([
            "--tenant",
            TENANT,
            "--endpoint",
            endpoint,
            "--authority",
            authority,
        ])
        .env("AUDITFORM_CLIENT_ID", CLIENT_ID)
        .env("AUDITFORM_CLIENT_SECRET", CLIENT_SECRET);
    command
}

/// Every file in `dir`, as text.
pub fn files_in(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let text =
                String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
            (path, text)
        })
        .collect()
}

/// Fails naming the place when any of `secrets` appears in any of `texts`.
pub fn assert_nowhere(texts: &[(&str, &str)], secrets: &[&str]) {
    for (place, text) in texts {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{secret:?} appears in {place}:\n{text}"
            );
        }
    }
}

/// The command with a clean environment, for the snapshot side of a comparison.
pub fn plain(args: &[&str]) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("auditform").expect("the binary is built");
    for name in [
        "AUDITFORM_TENANT",
        "AUDITFORM_STATE",
        "AUDITFORM_AUTH",
        "AUDITFORM_ACCESS_TOKEN",
        "AUDITFORM_CLIENT_ID",
        "AUDITFORM_CLIENT_SECRET",
        "AUDITFORM_CERTIFICATE",
        "AUDITFORM_EXO_ENDPOINT",
        "AUDITFORM_AUTHORITY",
        "AUDITFORM_TRACE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        command.env_remove(name);
    }
    command.env("NO_COLOR", "1").args(args);
    command
}

/// Saves the live plan of the bundled policies into `dir/plan.json`, asserting it succeeded.
pub fn save_plan(emulator: &EmulatorHandle, dir: &Path) -> std::path::PathBuf {
    let plan_file = dir.join("plan.json");
    let plan = auditform(emulator, &["plan", "--out", plan_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    plan_file
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
