use super::*;
use crate::catalog::{Action, LicenceTier};
use crate::model::{LogonType, RecipientType};
use crate::policy::ListSpec;
use crate::timespan::TimeSpan;

fn set(actions: &[Action]) -> crate::model::ActionList {
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
            remove: crate::model::ActionList::default(),
        })
    );
    assert_eq!(
        users.audit.list(LogonType::Admin),
        Some(&ListSpec::Exactly(set(&[Action::Copy, Action::SendAs])))
    );
    assert_eq!(
        users.audit.list(LogonType::Delegate),
        Some(&ListSpec::Change {
            add: crate::model::ActionList::default(),
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
        Some(&ListSpec::Exactly(crate::model::ActionList::default()))
    );
    assert_eq!(
        resources.audit.list(LogonType::Delegate),
        Some(&ListSpec::Change {
            add: crate::model::ActionList::default(),
            remove: crate::model::ActionList::default(),
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

/// A directory with one valid policy, `ok.yaml`.
#[cfg(unix)]
fn directory_with_a_policy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    fs::write(
        dir.path().join("ok.yaml"),
        "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {name: ok}\nspec: {auditDisabled: false}\n",
    )
    .expect("write");
    dir
}

/// Loads the directory on another thread, so that a walk that hangs fails the test instead.
#[cfg(unix)]
fn load_within_seconds(dir: &Path) -> Result<LoadOutput, LoadError> {
    let dir = dir.to_path_buf();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(load_dir(&dir));
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("loading the directory finishes")
}

/// The refusals, with the temporary directory written as DIR.
#[cfg(unix)]
fn refusals(dir: &tempfile::TempDir) -> String {
    let error = load_within_seconds(dir.path()).expect_err("refused");
    error
        .to_string()
        .replace(&dir.path().display().to_string(), "DIR")
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_policy_is_refused_without_being_opened() {
    let dir = directory_with_a_policy();
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    insta::assert_snapshot!(refusals(&dir), @r"
    DIR/pipe.yaml: error: this is a FIFO, not a regular file
      hint: a policy file must be an ordinary file; auditform does not open other kinds
    ");
}

#[cfg(unix)]
#[test]
fn a_link_to_nothing_or_round_in_a_loop_is_an_error_naming_it() {
    use std::os::unix::fs::symlink;
    let dir = directory_with_a_policy();
    symlink(
        dir.path().join("gone.yaml"),
        dir.path().join("dangling.yaml"),
    )
    .expect("link");
    symlink(dir.path().join("b.yaml"), dir.path().join("a.yaml")).expect("link");
    symlink(dir.path().join("a.yaml"), dir.path().join("b.yaml")).expect("link");
    let shown = refusals(&dir);
    let lines: Vec<&str> = shown.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(
        lines,
        [
            "DIR/a.yaml: error: this symbolic link (to `DIR/b.yaml`) can't be followed: Too many levels of symbolic links (os error 40)",
            "DIR/b.yaml: error: this symbolic link (to `DIR/a.yaml`) can't be followed: Too many levels of symbolic links (os error 40)",
            "DIR/dangling.yaml: error: this symbolic link (to `DIR/gone.yaml`) leads to nothing",
        ]
        .map(|line| line.replace(" (os error 40)", loop_error_suffix()))
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
    );
}

/// The OS's own words end a loop's message: Linux numbers its error 40, others differ.
#[cfg(unix)]
fn loop_error_suffix() -> &'static str {
    if cfg!(target_os = "linux") {
        " (os error 40)"
    } else {
        " (os error 62)"
    }
}

#[cfg(unix)]
#[test]
fn a_link_to_a_directory_is_refused_rather_than_followed() {
    use std::os::unix::fs::symlink;
    let dir = directory_with_a_policy();
    fs::create_dir(dir.path().join("real")).expect("mkdir");
    symlink(dir.path().join("real"), dir.path().join("shared")).expect("link");
    // A link back up the tree is how a walk that follows links would loop.
    symlink(dir.path(), dir.path().join("real").join("up")).expect("link");
    insta::assert_snapshot!(refusals(&dir), @r"
    DIR/real/up: error: this is a symbolic link to a directory (to `DIR`); auditform does not follow those
      hint: move or copy the policies into the policy directory, or name the linked directory itself with `--policies`
    DIR/shared: error: this is a symbolic link to a directory (to `DIR/real`); auditform does not follow those
      hint: move or copy the policies into the policy directory, or name the linked directory itself with `--policies`
    ");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_policy_inside_the_directory_is_read_and_one_outside_is_refused() {
    use std::os::unix::fs::symlink;
    let dir = directory_with_a_policy();
    fs::create_dir(dir.path().join("packs")).expect("mkdir");
    fs::rename(
        dir.path().join("ok.yaml"),
        dir.path().join("packs").join("ok.yaml"),
    )
    .expect("move");
    symlink(
        dir.path().join("packs").join("ok.yaml"),
        dir.path().join("linked.yaml"),
    )
    .expect("link");
    let loaded = load_within_seconds(dir.path());
    // The same policy twice: through the link and in place, so its name is a duplicate.
    let error = loaded.expect_err("the name is given twice");
    assert!(
        error.to_string().contains("duplicate policy name `ok`"),
        "{error}"
    );

    let outside = tempfile::NamedTempFile::new().expect("a file elsewhere");
    let dir = directory_with_a_policy();
    symlink(outside.path(), dir.path().join("environ.yaml")).expect("link");
    let shown = refusals(&dir).replace(&outside.path().display().to_string(), "ELSEWHERE");
    insta::assert_snapshot!(shown, @r"
    DIR/environ.yaml: error: this symbolic link (to `ELSEWHERE`) leads outside the policy directory
      hint: a link may only name a file inside the policy directory; copy the file in instead
    ");
}
