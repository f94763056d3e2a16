use super::*;
use crate::catalog::{Action, LicenceTier};
use crate::model::{ActionSet, LogonType, RecipientType};
use crate::policy::ListSpec;
use crate::timespan::TimeSpan;

fn set(actions: &[Action]) -> ActionSet {
    actions.iter().copied().collect()
}

#[test]
fn duplicate_names_across_files_name_both_places() {
    let error = load_dir(Path::new("tests/fixtures/policies/duplicate")).expect_err("duplicate");
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn a_huge_file_in_a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("big.yaml");
    fs::write(&path, vec![b'#'; MAX_FILE_BYTES as usize + 10]).expect("write");
    let error = load_dir(dir.path()).expect_err("too large");
    assert_eq!(error.diagnostics.len(), 1);
    assert_eq!(
        error.diagnostics[0].location.as_ref().map(|l| l.file()),
        Some(path.display().to_string().as_str())
    );
    assert!(error.diagnostics[0]
        .message
        .starts_with("the file is larger than 1024 KiB"));
}

#[test]
fn an_empty_directory_is_an_error_with_a_hint() {
    let dir = tempfile::tempdir().expect("temporary directory");
    fs::write(dir.path().join("notes.txt"), "not a policy").expect("write");
    fs::write(dir.path().join("empty.yaml"), "# nothing yet\n").expect("write");
    let error = load_dir(dir.path()).expect_err("no policies");
    let rendered = error
        .to_string()
        .replace(&dir.path().display().to_string(), "DIR");
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_missing_directory_is_an_error_with_a_hint() {
    let error = load_dir(Path::new("tests/fixtures/policies/no-such-dir")).expect_err("missing");
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn the_example_directory_loads_into_the_expected_policy_set() {
    let loaded = load_dir(Path::new("tests/fixtures/policies/example")).expect("valid example");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let policies = loaded.policies;

    let names: Vec<String> = policies
        .mailbox
        .iter()
        .map(|p| p.reference.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "`user-mailboxes-owner-actions` (tests/fixtures/policies/example/mailboxes.yaml:5:9)",
            "`resource-mailboxes` (tests/fixtures/policies/example/mailboxes.yaml:31:9)",
        ]
    );
    let users = &policies.mailbox[0];
    assert_eq!(users.priority, 10);
    assert_eq!(
        users.description.as_deref(),
        Some("Owners' sign-ins and deletions are audited on every user mailbox.")
    );
    assert_eq!(
        users.selector.recipient_types,
        [RecipientType::UserMailbox, RecipientType::SharedMailbox]
    );
    assert_eq!(users.selector.identities, ["pilar@contoso.com"]);
    let globs = users.selector.match_globs.as_ref().expect("match globs");
    assert_eq!(globs.patterns, ["*@finance.contoso.com"]);
    assert!(users.selector.filter.is_some());
    assert_eq!(users.selector.licence, Some(LicenceTier::E5));
    let exclude = users.selector.exclude.as_ref().expect("exclude");
    assert_eq!(exclude.identities, ["breakglass@contoso.com"]);
    assert_eq!(users.audit.enabled, Some(true));
    assert_eq!(users.audit.log_age_limit, Some(TimeSpan::from_days(180)));
    assert_eq!(
        users.audit.list(LogonType::Owner),
        Some(&ListSpec::Change {
            add: set(&[Action::MailboxLogin, Action::HardDelete, Action::SoftDelete]),
            remove: ActionSet::EMPTY,
        })
    );
    assert_eq!(
        users.audit.list(LogonType::Admin),
        Some(&ListSpec::Exactly(set(&[Action::Copy, Action::SendAs])))
    );
    assert_eq!(
        users.audit.list(LogonType::Delegate),
        Some(&ListSpec::Change {
            add: ActionSet::EMPTY,
            remove: set(&[Action::FolderBind]),
        })
    );

    let resources = &policies.mailbox[1];
    assert_eq!(resources.priority, 0);
    assert_eq!(
        resources.audit.log_age_limit,
        Some(TimeSpan::from_days(365))
    );
    assert_eq!(
        resources.audit.list(LogonType::Owner),
        Some(&ListSpec::Default)
    );
    assert_eq!(
        resources.audit.list(LogonType::Admin),
        Some(&ListSpec::Exactly(ActionSet::EMPTY))
    );
    assert_eq!(
        resources.audit.list(LogonType::Delegate),
        Some(&ListSpec::Change {
            add: ActionSet::EMPTY,
            remove: ActionSet::EMPTY,
        })
    );

    assert_eq!(policies.organization.len(), 1);
    assert_eq!(
        policies.organization[0].reference.name.as_ref(),
        "tenant-auditing-on"
    );
    assert_eq!(policies.organization[0].audit_disabled, Some(false));

    assert_eq!(policies.bypass.len(), 1);
    let bypass = &policies.bypass[0];
    assert_eq!(
        bypass.reference.source.to_string(),
        "tests/fixtures/policies/example/nested/bypass.yaml:5:9"
    );
    assert_eq!(bypass.priority, 5);
    assert!(!bypass.bypass);
    assert!(bypass.selector.identities.is_empty());
}
