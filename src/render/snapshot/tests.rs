use super::*;
use crate::model::Tenant;
use crate::state::snapshot::read_snapshot_bytes;
use crate::state::ReadOptions;

fn read(bytes: &[u8]) -> Tenant {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(bytes, "test", &mut tenant, &ReadOptions::every_property())
        .unwrap_or_else(|error| panic!("{error}\n{}", String::from_utf8_lossy(bytes)));
    tenant
}

/// Visits `tenant` the way a source does (organization, bypass, mailboxes) and writes it.
fn write(tenant: &Tenant) -> Vec<u8> {
    let mut writer = SnapshotWriter::new(Vec::new());
    if let Some(organization) = &tenant.organization {
        writer.organization(organization.clone());
    }
    for association in &tenant.bypass {
        writer.bypass(association.clone());
    }
    for mailbox in &tenant.mailboxes {
        writer.mailbox(mailbox.clone());
    }
    writer.finish().unwrap()
}

fn repo_file(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn every_shape_of_state_reads_back_from_its_snapshot_as_the_same_tenant() {
    for path in [
        "examples/tenant.json",
        "tests/fixtures/tenants/three-mailboxes.powershell.json",
        "tests/fixtures/tenants/single-mailbox.powershell.json",
        "tests/fixtures/tenants/three-mailboxes.rest.json",
        "tests/fixtures/tenants/three-mailboxes.snapshot.json",
        "tests/fixtures/tenants/compliant.json",
    ] {
        let tenant = read(&repo_file(path));
        assert!(!tenant.mailboxes.is_empty(), "{path}");
        let snapshot = write(&tenant);
        assert_eq!(read(&snapshot), tenant, "{path}");
        // Written again, the snapshot is the same bytes: nothing drifts.
        assert_eq!(write(&read(&snapshot)), snapshot, "{path}");
    }
}

#[test]
fn the_licence_survives_as_the_audit_premium_capability() {
    let tenant = read(&repo_file("examples/tenant.json"));
    let snapshot = String::from_utf8(write(&tenant)).unwrap();
    let premium = tenant
        .mailboxes
        .iter()
        .filter(|mailbox| mailbox.licence == LicenceTier::E5)
        .count();
    assert!(premium > 0, "the example has E5 mailboxes");
    assert_eq!(
        snapshot
            .matches("\"PersistedCapabilities\":[\"M365Auditing\"]")
            .count(),
        premium
    );
}

#[test]
fn the_file_is_ascii_and_every_other_character_is_escaped() {
    let mut tenant = read(&repo_file(
        "tests/fixtures/tenants/single-mailbox.powershell.json",
    ));
    let name: Box<str> = "José Núñez 山田 🙂 \u{2028}".into();
    tenant.mailboxes[0].names.display_name = Some(name.clone());
    let snapshot = write(&tenant);
    assert!(snapshot.is_ascii());
    let text = String::from_utf8(snapshot.clone()).unwrap();
    assert!(
        text.contains(r"Jos\u00e9 N\u00fa\u00f1ez \u5c71\u7530 \ud83d\ude42 \u2028"),
        "{text}"
    );
    assert_eq!(read(&snapshot).mailboxes[0].names.display_name, Some(name));
}

#[test]
fn each_object_is_one_line() {
    let tenant = read(&repo_file("examples/tenant.json"));
    let snapshot = String::from_utf8(write(&tenant)).unwrap();
    let objects = tenant.mailboxes.len() + tenant.bypass.len() + 1;
    // Every line but the document's own braces and the arrays' brackets is one whole object.
    let object_lines = snapshot
        .lines()
        .filter(|line| line.len() > 1 && line.trim_end_matches(',').ends_with('}'))
        .count();
    assert_eq!(object_lines, objects, "{snapshot}");
}

#[test]
fn an_organization_and_bypass_read_after_the_mailboxes_are_written_once() {
    let tenant = read(&repo_file("examples/tenant.json"));
    assert!(tenant.organization.is_some() && !tenant.bypass.is_empty());
    let mut writer = SnapshotWriter::new(Vec::new());
    for mailbox in &tenant.mailboxes {
        writer.mailbox(mailbox.clone());
    }
    writer.organization(tenant.organization.clone().unwrap());
    for association in &tenant.bypass {
        writer.bypass(association.clone());
    }
    let snapshot = writer.finish().unwrap();
    let text = String::from_utf8(snapshot.clone()).unwrap();
    assert_eq!(text.matches("\"auditBypass\"").count(), 1);
    assert_eq!(text.matches("\"organization\"").count(), 1);
    assert_eq!(read(&snapshot), tenant);
}

#[test]
fn a_tenant_without_mailboxes_is_still_a_snapshot() {
    let snapshot = write(&Tenant::default());
    assert_eq!(
        String::from_utf8(snapshot.clone()).unwrap(),
        "{\n  \"auditBypass\": [],\n  \"mailboxes\": []\n}\n"
    );
    let value: serde_json::Value = serde_json::from_slice(&snapshot).unwrap();
    assert!(value["mailboxes"].as_array().unwrap().is_empty());
}

#[test]
fn a_write_error_is_returned_by_finish() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let tenant = read(&repo_file(
        "tests/fixtures/tenants/three-mailboxes.snapshot.json",
    ));
    let mut writer = SnapshotWriter::new(Full);
    for mailbox in &tenant.mailboxes {
        writer.mailbox(mailbox.clone());
    }
    let error = writer.finish().err().unwrap();
    assert_eq!(error.kind(), io::ErrorKind::StorageFull);
}
