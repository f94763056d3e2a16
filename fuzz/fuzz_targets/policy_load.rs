//! Policy files from a pull request: any bytes, loaded as one file of a policy directory and, when
//! they load, planned against a small tenant. Every finding renders inert: the input can't add a
//! line to the text or to a GitHub annotation.
#![no_main]

use auditform::diagnostic::annotation::annotations;
use auditform::diagnostic::Diagnostic;
use auditform::inert::breaks_or_hides;
use auditform::model::Tenant;
use auditform::plan::plan_tenant;
use auditform::policy::load::{load_files, FileContents, PolicyFile};
use auditform::state::snapshot::read_snapshot_bytes;
use auditform::state::ReadOptions;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const TENANT: &[u8] = include_bytes!("../../tests/fixtures/tenants/three-mailboxes.snapshot.json");

fn tenant() -> &'static Tenant {
    static TENANT_READ: OnceLock<Tenant> = OnceLock::new();
    TENANT_READ.get_or_init(|| {
        let mut tenant = Tenant::default();
        read_snapshot_bytes(
            TENANT,
            "tenant",
            &mut tenant,
            &ReadOptions::every_property(),
        )
        .expect("the fixture reads");
        tenant
    })
}

fn check_inert(diagnostic: &Diagnostic) {
    let text = diagnostic.to_string();
    let lines = 1 + diagnostic.related.len() + diagnostic.notes.len() + diagnostic.hints.len();
    assert_eq!(text.lines().count(), lines, "input added a line: {text:?}");
    for line in text.lines() {
        assert!(!line.chars().any(breaks_or_hides), "{line:?}");
    }
    for annotation in annotations(diagnostic, None) {
        assert_eq!(annotation.message.lines().count(), lines, "{annotation:?}");
        let command = annotation.to_string();
        assert!(!command.contains(['\n', '\r']), "{command:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let file = PolicyFile {
        path: "policies/fuzz.yaml".to_string(),
        relative: "fuzz.yaml".to_string(),
        contents: FileContents::Bytes(data.to_vec()),
    };
    match load_files("policies", Vec::new(), [file]) {
        Ok(output) => {
            output.warnings.iter().for_each(check_inert);
            if let Err(error) = plan_tenant(&output.policies, tenant(), "snapshot tenant.json") {
                let _ = error.to_string();
            }
        }
        Err(error) => {
            assert!(!error.diagnostics.is_empty(), "a refusal names a finding");
            error.diagnostics.iter().for_each(check_inert);
        }
    }
});
