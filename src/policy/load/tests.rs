use super::*;
use crate::catalog::Action;
use crate::model::LogonType;
use crate::policy::schema::PolicyAction;
use crate::policy::ListSpec;
use crate::timespan::TimeSpan;

/// The rendered errors of loading `text` as one file; the test fails if it loads.
fn refusal(text: &str) -> String {
    match load_str("p.yaml", text) {
        Ok(_) => panic!("the policy was accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

/// A mailbox policy whose `audit` mapping is `audit` (indented under `audit:`).
fn with_audit(audit: &str) -> String {
    format!(
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: p\nspec:\n  selector: {{}}\n  audit:\n{audit}"
    )
}

/// A mailbox policy whose `selector` mapping is `selector`.
fn with_selector(selector: &str) -> String {
    format!(
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: p\nspec:\n  selector:\n{selector}  audit: {{}}\n"
    )
}

fn set(actions: &[Action]) -> crate::model::ActionList {
    actions.iter().copied().collect()
}

#[test]
fn an_unknown_key_in_audit_is_refused_with_the_closest_key() {
    insta::assert_snapshot!(refusal(&with_audit("    ownr: default\n")));
}

#[test]
fn an_unknown_key_inside_exclude_is_refused_with_the_closest_key() {
    insta::assert_snapshot!(refusal(&with_selector(
        "    exclude:\n      identites: [a@contoso.com]\n"
    )));
}

#[test]
fn an_unknown_top_level_key_is_refused() {
    let text =
        "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {name: o}\nspecs: {}\n";
    insta::assert_snapshot!(refusal(text));
}

#[test]
fn an_unknown_key_in_a_logon_list_is_refused_with_the_closest_key() {
    insta::assert_snapshot!(refusal(&with_audit(
        "    owner:\n      adds: [HardDelete]\n"
    )));
}

#[test]
fn a_value_of_the_wrong_type_names_what_was_expected() {
    insta::assert_snapshot!(refusal(&with_audit("    enabled: yes\n")));
}

#[test]
fn an_unknown_action_gets_a_did_you_mean() {
    insta::assert_snapshot!(refusal(&with_audit(
        "    owner:\n      add: [MailboxLogin, HardDelet]\n"
    )));
}

#[test]
fn an_action_invalid_for_its_logon_type_quotes_the_catalog() {
    let rendered = refusal(&with_audit(
        "    admin:\n      add:\n        - MailboxLogin\n",
    ));
    assert!(rendered.contains("MailboxLogin can't be audited for Admin; it is an Owner action"));
    insta::assert_snapshot!(rendered);
}

#[test]
fn message_bind_is_refused_with_the_service_hint() {
    insta::assert_snapshot!(refusal(&with_audit("    owner: {add: [MessageBind]}\n")));
}

#[test]
fn a_malformed_log_age_limit_is_refused() {
    insta::assert_snapshot!(refusal(&with_audit("    logAgeLimit: 90 days\n")));
}

#[test]
fn a_zero_log_age_limit_without_allow_purge_is_refused() {
    insta::assert_snapshot!(refusal(&with_audit(
        "    enabled: true\n    logAgeLimit: 00:00:00\n"
    )));
}

#[test]
fn a_zero_log_age_limit_with_allow_purge_is_accepted() {
    let loaded = load_str(
        "p.yaml",
        &with_audit("    logAgeLimit: 0\n    allowPurge: true\n"),
    )
    .expect("an explicit purge is allowed");
    assert_eq!(
        loaded.policies.mailbox[0].audit.log_age_limit,
        Some(TimeSpan::ZERO)
    );
}

#[test]
fn a_bad_filter_points_into_the_filter_text() {
    let rendered = refusal(&with_selector(
        "    filter: \"Department -eq 'Finance' -and\"\n",
    ));
    // The scalar opens at column 13; the error is past its opening quote.
    assert!(rendered.starts_with("p.yaml:7:"), "{rendered}");
    assert!(!rendered.starts_with("p.yaml:7:13:"), "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn an_unknown_recipient_type_gets_a_did_you_mean() {
    insta::assert_snapshot!(refusal(&with_selector(
        "    recipientTypeDetails: [usermailbox, Shard]\n"
    )));
}

#[test]
fn an_unknown_kind_gets_a_did_you_mean() {
    insta::assert_snapshot!(refusal("apiVersion: auditform/v1\nkind: MailboxPolicy\n"));
}

#[test]
fn a_wrong_api_version_is_refused() {
    insta::assert_snapshot!(refusal(
        "apiVersion: auditform/v2\nkind: MailboxAuditPolicy\n"
    ));
}

#[test]
fn a_document_that_is_not_a_mapping_is_refused() {
    insta::assert_snapshot!(refusal("- apiVersion: auditform/v1\n"));
}

#[test]
fn exactly_together_with_add_is_refused() {
    insta::assert_snapshot!(refusal(&with_audit(
        "    owner: {add: [HardDelete], exactly: []}\n"
    )));
}

#[test]
fn an_action_both_added_and_removed_is_refused() {
    insta::assert_snapshot!(refusal(&with_audit(
        "    owner: {add: [HardDelete], remove: [harddelete]}\n"
    )));
}

#[test]
fn a_policy_name_outside_the_charset_is_refused() {
    let text = "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata:\n  name: tenant wide\nspec: {auditDisabled: false}\n";
    insta::assert_snapshot!(refusal(text));
}

#[test]
fn invalid_yaml_is_refused_with_the_parser_position() {
    insta::assert_snapshot!(refusal(
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: a\n bad: indentation\n"
    ));
}

#[test]
fn action_names_are_case_insensitive_and_stored_canonically() {
    let loaded = load_str(
        "p.yaml",
        &with_audit(
            "    owner: {add: [mailboxlogin, HARDDELETE]}\n    admin: {exactly: [sendas]}\n",
        ),
    )
    .expect("names differ only in case");
    let audit = &loaded.policies.mailbox[0].audit;
    assert_eq!(
        audit.list(LogonType::Owner),
        Some(&ListSpec::Change {
            add: set(&[Action::MailboxLogin, Action::HardDelete]),
            remove: crate::model::ActionList::default(),
        })
    );
    assert_eq!(
        audit.list(LogonType::Admin),
        Some(&ListSpec::Exactly(set(&[Action::SendAs])))
    );
}

#[test]
fn a_redundant_action_is_accepted_with_a_warning_at_its_entry() {
    let loaded = load_str(
        "p.yaml",
        &with_audit("    owner:\n      add: [HardDelete, AddFolderPermissions]\n"),
    )
    .expect("redundant actions are accepted");
    let rendered: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(rendered.join("\n"));
}

#[test]
fn every_broken_document_of_a_multi_document_file_is_reported_at_its_own_line() {
    let text = format!(
        "{}---\n# only a comment\n---\n{}---\n{}",
        with_audit("    ownr: default\n"),
        "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {name: fine}\nspec: {auditDisabled: false}\n",
        with_audit("    admin: {add: [MailboxLogin]}\n"),
    );
    insta::assert_snapshot!(refusal(&text));
}

#[test]
fn documents_of_a_multi_document_file_are_all_loaded() {
    let text = "---\napiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {name: a}\nspec: {auditDisabled: false}\n...\n---\n# empty\n---\napiVersion: auditform/v1\nkind: AuditBypassPolicy\nmetadata: {name: b}\nspec: {selector: {identities: [svc@contoso.com]}, bypass: true}\n";
    let loaded = load_str("p.yaml", text).expect("both documents are valid");
    assert_eq!(
        loaded.policies.organization[0].reference.source.to_string(),
        "p.yaml:4:18"
    );
    assert_eq!(
        loaded.policies.bypass[0].reference.source.to_string(),
        "p.yaml:12:18"
    );
    assert_eq!(
        loaded.policies.bypass[0].selector.identities,
        ["svc@contoso.com"]
    );
    assert!(loaded.policies.bypass[0].bypass);
}

#[test]
fn duplicate_names_in_one_file_name_both_places() {
    let document = "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata:\n  name: same\nspec: {auditDisabled: false}\n";
    insta::assert_snapshot!(refusal(&format!("{document}---\n{document}")));
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let text = format!("# {}\n", "x".repeat(MAX_FILE_BYTES as usize));
    insta::assert_snapshot!(refusal(&text));
}

#[test]
fn an_alias_bomb_is_refused_with_a_clear_error() {
    let mut text = String::from("apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata: {name: bomb}\nspec:\n  selector:\n    identities: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let previous = format!("*a{}", level - 1);
        let list = [previous.as_str(); 9].join(", ");
        text.push_str(&format!("    x{level}: &a{level} [{list}]\n"));
    }
    text.push_str("  audit:\n    owner: {add: *a9}\n");
    insta::assert_snapshot!(refusal(&text));
}

#[test]
fn deep_nesting_is_refused_with_a_clear_error() {
    let depth = 100_000;
    let text = with_audit(&format!(
        "    owner: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    ));
    insta::assert_snapshot!(refusal(&text));
}

#[test]
fn deep_nesting_in_an_unknown_key_is_refused_with_a_clear_error() {
    let depth = 100_000;
    let text = format!("apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {{name: deep}}\nspec: {{auditDisabled: false}}\nextra: {}{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    insta::assert_snapshot!(refusal(&text));
}

#[test]
fn documents_are_cut_at_markers_at_the_start_of_a_line_only() {
    let chunks = yaml::split_documents("a: 1\n---\nb: '---'\n  ---x\n...\nc: 3\n");
    let cut: Vec<(&str, usize)> = chunks.iter().map(|c| (c.text, c.lines_before)).collect();
    assert_eq!(
        cut,
        [
            ("a: 1\n", 0),
            ("---\nb: '---'\n  ---x\n...\n", 1),
            ("c: 3\n", 5)
        ]
    );
}

#[test]
fn aliases_that_expand_too_far_are_refused_wherever_they_are() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let list = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{list}]\n"));
    }
    let error = load_str("p.yaml", &text).expect_err("a bomb");
    assert_eq!(error.diagnostics.len(), 1);
    assert_eq!(
        error.diagnostics[0].message,
        "the YAML expands aliases too many times"
    );
}

#[test]
fn deep_block_nesting_is_refused_with_a_clear_error() {
    let text: String = (0..200)
        .map(|depth| format!("{}-\n", "  ".repeat(depth)))
        .collect();
    let error = load_str("p.yaml", &text).expect_err("too deep");
    assert_eq!(error.diagnostics.len(), 1);
    assert_eq!(
        error.diagnostics[0].message,
        "the YAML is nested too deeply"
    );
    assert_eq!(
        error.diagnostics[0]
            .location
            .as_ref()
            .and_then(|l| l.position()),
        Some((129, 257))
    );
}

#[test]
fn deep_flow_nesting_is_refused_before_parsing_at_the_first_level_too_deep() {
    let text = format!("a: {}{}\n", "{b: ".repeat(100), "}".repeat(100));
    let error = load_str("p.yaml", &text).expect_err("too deep");
    assert_eq!(error.diagnostics.len(), 1);
    let location = error.diagnostics[0].location.as_ref().expect("a location");
    assert_eq!(location.position(), Some((1, 4 + 4 * yaml::MAX_FLOW_DEPTH)));
}

#[test]
fn brackets_inside_quotes_and_comments_do_not_count_as_nesting() {
    let brackets = "[".repeat(100);
    let text = format!("a: '{brackets}'\nb: \"{brackets}\" # {brackets}\n");
    assert_eq!(yaml::excessive_flow_depth(&text), None);
}

#[test]
fn a_huge_value_echoed_in_an_error_is_cut_and_says_how_long_it_was() {
    let name = "HardDelete".repeat(20_000);
    let error = load_str(
        "p.yaml",
        &with_audit(&format!("    owner: {{add: [{name}]}}\n")),
    )
    .expect_err("an unknown action");
    let message = &error.diagnostics[0].message;
    assert!(message.len() < 200, "{message}");
    assert!(message.ends_with("… (200,000 characters)`"), "{message}");
}

/// The keys a refusal calls valid, from its hint: `valid keys in `x` are `a`, `b``.
fn keys_called_valid(text: &str) -> Vec<String> {
    let error = load_str("p.yaml", text).expect_err("an unknown key");
    let hint = error.diagnostics[0].hint().expect("a hint").to_string();
    let listed = hint.split(" are ").nth(1).expect("a list of keys");
    listed
        .split(", ")
        .map(|key| key.trim_matches('`').to_string())
        .collect()
}

fn schema_keys(definition: &serde_json::Value) -> Vec<String> {
    definition["properties"]
        .as_object()
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_keys_the_loader_reads_are_the_keys_the_schema_lists() {
    let schema = crate::policy::json_schema::policy_schema();
    let definition = |name: &str| schema_keys(&schema["definitions"][name]);
    let mailbox = "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\n";
    let cases = [
        (format!("{mailbox}zzz: 1\n"), schema_keys(&schema["oneOf"][0])),
        (
            format!("{mailbox}metadata: {{name: p, zzz: 1}}\n"),
            definition("Metadata"),
        ),
        (
            format!("{mailbox}metadata: {{name: p}}\nspec: {{zzz: 1}}\n"),
            definition("MailboxPolicySpec"),
        ),
        (
            "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {name: p}\nspec: {zzz: 1}\n".to_string(),
            definition("OrganizationPolicySpec"),
        ),
        (
            "apiVersion: auditform/v1\nkind: AuditBypassPolicy\nmetadata: {name: p}\nspec: {zzz: 1}\n".to_string(),
            definition("BypassPolicySpec"),
        ),
        (with_selector("    zzz: 1\n"), definition("SelectorSpec")),
        (
            with_selector("    exclude: {zzz: 1}\n"),
            definition("ExcludeSpec"),
        ),
        (with_audit("    zzz: 1\n"), definition("AuditSettingsSpec")),
    ];
    for (text, keys) in cases {
        assert!(!keys.is_empty(), "{text}");
        let sorted = |mut keys: Vec<String>| {
            keys.sort();
            keys
        };
        assert_eq!(sorted(keys_called_valid(&text)), sorted(keys), "{text}");
    }
}

/// A policy (so that the set is not empty) and a test whose one case expects `expect` of a
/// mailbox `pilar` (indented under `pilar:`).
fn with_expectation(expect: &str) -> String {
    format!(
        "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata: {{name: o}}\nspec: {{auditDisabled: false}}\n---\napiVersion: auditform/v1\nkind: PolicyTest\nmetadata:\n  name: t\nspec:\n  cases:\n    - name: a case\n      mailboxes:\n        - Identity: pilar\n      expect:\n        pilar:\n{expect}"
    )
}

#[test]
fn a_test_document_is_read_beside_the_policies_with_the_place_of_each_part() {
    let loaded = load_str(
        "p.yaml",
        &with_expectation(
            "          AuditOwner: {includes: [MailboxLogin], excludes: [MessageBind]}\n          AuditLogAgeLimit: 180d\n",
        ),
    )
    .expect("the test loads");
    assert_eq!(loaded.policies.organization.len(), 1);
    let [test] = loaded.tests.as_slice() else {
        panic!("one test: {:?}", loaded.tests);
    };
    assert_eq!(&*test.reference.name, "t");
    let case = &test.cases[0];
    assert_eq!((case.source.line, case.source.column), (12, 13));
    assert_eq!(case.mailboxes[0].0.line, 14);
    assert_eq!(case.mailboxes[0].1["Identity"], "pilar");
    let (name, place, expected) = &case.expect[0];
    assert_eq!((name.as_str(), place.line), ("pilar", 17));
    let crate::policy::schema::testing::ExpectationSpec::Settings(settings) = expected else {
        panic!("settings: {expected:?}");
    };
    assert_eq!(
        settings.audit_log_age_limit.map(|limit| limit.span()),
        Some(TimeSpan::from_days(180))
    );
    assert_eq!(
        settings.lists[LogonType::Owner.index()],
        Some(crate::policy::schema::testing::ExpectedListSpec::Partly {
            includes: vec![PolicyAction::Known(Action::MailboxLogin)],
            excludes: vec![PolicyAction::Known(Action::MessageBind)],
        })
    );
}

#[test]
fn an_expectation_that_mixes_settings_and_an_outcome_is_refused() {
    insta::assert_snapshot!(refusal(&with_expectation(
        "          AuditEnabled: true\n          noChange: true\n"
    )));
}

#[test]
fn a_name_the_catalog_lacks_in_an_expectation_is_kept_to_be_checked_against_the_declarations() {
    // A test directory may be read apart from its policies, so the name is checked when the
    // tests are built against the policy set: a typo is refused there, with "did you mean"
    // (tests/it/cli_test.rs), so an `excludes` can't hold by a typo.
    let loaded = load_str(
        "p.yaml",
        &with_expectation("          AuditOwner: {excludes: [MailboxLogn]}\n"),
    )
    .expect("loads");
    let case = &loaded.tests[0].cases[0];
    let crate::policy::schema::testing::ExpectationSpec::Settings(settings) = &case.expect[0].2
    else {
        panic!("settings: {:?}", case.expect[0].2);
    };
    assert_eq!(
        settings.lists[LogonType::Owner.index()],
        Some(crate::policy::schema::testing::ExpectedListSpec::Partly {
            includes: Vec::new(),
            excludes: vec![PolicyAction::Declared("MailboxLogn".to_string())],
        })
    );
}

#[test]
fn an_unknown_skip_reason_gets_a_did_you_mean() {
    insta::assert_snapshot!(refusal(&with_expectation(
        "          skipped: fixed_configurations\n"
    )));
}

#[test]
fn a_test_directory_of_policies_only_or_tests_only_says_what_it_lacks() {
    let tests_only = with_expectation("          noChange: true\n");
    let tests_only = tests_only.split("---\n").nth(1).unwrap();
    let file = |text: &str| PolicyFile {
        path: "t.yaml".to_string(),
        relative: "t.yaml".to_string(),
        contents: FileContents::Bytes(text.as_bytes().to_vec()),
    };
    let as_policies = load_files("dir", Vec::new(), [file(tests_only)]).unwrap_err();
    assert!(as_policies
        .to_string()
        .contains("no policy documents found"));
    let as_tests = load_files_holding("dir", Vec::new(), [file(tests_only)], Holding::Tests);
    assert_eq!(as_tests.expect("tests load").tests.len(), 1);
    let both = with_expectation("          noChange: true\n");
    let refused = load_files_holding("dir", Vec::new(), [file(&both)], Holding::Tests);
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("this test directory holds policies"));
}
mod declarations;

#[test]
fn written_yaml_keeps_every_string_on_its_line_and_spells_no_logging_command() {
    let strings = vec![
        "X\n::stop-commands::t".to_string(),
        "a ##vso[task.setvariable variable=x]y \u{202e}\u{2028}\"\\".to_string(),
        "auditformheld0z".to_string(),
        "plain".to_string(),
    ];
    let mut keyed = std::collections::BTreeMap::new();
    keyed.insert("k::ey\n".to_string(), strings.clone());
    let yaml = to_yaml(&[keyed.clone()]).unwrap();
    assert_eq!(yaml.lines().count(), 5, "{yaml}");
    for line in yaml.lines() {
        assert!(crate::inert::is_inert(line), "{line:?}");
    }
    let read: std::collections::BTreeMap<String, Vec<String>> =
        serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(read, keyed);
}
