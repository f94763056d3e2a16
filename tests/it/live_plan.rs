//! `plan` and `show` against the service emulator read the same tenant a snapshot file holds.

use crate::support::live::*;
use auditform_emulator::Faults;

/// Everything but the first line, which names the source.
fn without_source_line(text: &str) -> String {
    text.lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_plan_against_the_live_tenant_is_the_plan_against_the_same_tenant_as_a_snapshot() {
    let emulator = start(Faults::default());
    let live = auditform(&emulator, &["plan"]).output().unwrap();
    let file = plain(&["plan", "--state", "examples/tenant.json"])
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    assert!(file.status.success(), "{}", stderr(&file));
    assert_eq!(
        stdout(&live).lines().next(),
        Some(
            format!(
                "auditform compared the policies with Exchange Online tenant {TENANT} at {}.",
                emulator.base_url()
            )
            .as_str()
        )
    );
    assert_eq!(
        without_source_line(&stdout(&live)),
        without_source_line(&stdout(&file))
    );
}

#[test]
fn reading_follows_every_page_of_get_mailbox() {
    let tenant =
        auditform_emulator::read_snapshot(std::path::Path::new("examples/tenant.json")).unwrap();
    let emulator = start_with(auditform_emulator::EmulatorConfig {
        tenant,
        page_size: 2,
        ..strict_config()
    });
    let live = auditform(&emulator, &["show"]).output().unwrap();
    let file = plain(&["show", "--state", "examples/tenant.json"])
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    assert_eq!(stdout(&live), stdout(&file));
    assert!(emulator.cmdlet_count("Get-Mailbox") > 10, "paged reads");
}

#[test]
fn throttling_and_dropped_connections_while_reading_are_retried() {
    let emulator = start(Faults {
        rate_429: 0.1,
        rate_5xx: 0.1,
        rate_drop: 0.1,
        seed: 7,
        ..Faults::default()
    });
    let live = auditform(&emulator, &["plan"]).output().unwrap();
    let file = plain(&["plan", "--state", "examples/tenant.json"])
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    let counters = emulator.counters();
    assert!(
        counters.throttled + counters.server_errors + counters.dropped > 0,
        "faults were injected: {counters:?}"
    );
    assert_eq!(
        without_source_line(&stdout(&live)),
        without_source_line(&stdout(&file))
    );
}
