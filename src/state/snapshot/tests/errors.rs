//! Every way a state file can be wrong gives an error that says where, what and how to fix it.

use super::*;

#[test]
fn a_missing_file_points_to_the_state_option() {
    let mut tenant = Tenant::default();
    let error = SnapshotFile::new("no/such/tenant.json")
        .read(&mut tenant, &ReadOptions::default())
        .unwrap_err();
    assert!(matches!(error, StateError::NotFound { .. }));
    insta::assert_snapshot!(shown(&error));
}

#[test]
fn malformed_json_is_reported_with_its_line_and_column() {
    let mut tenant = Tenant::default();
    let error = SnapshotFile::new(fixture("broken-malformed.json"))
        .read(&mut tenant, &ReadOptions::default())
        .unwrap_err();
    assert!(matches!(error, StateError::Malformed { .. }));
    let text = shown(&error);
    let text = text.replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "");
    insta::assert_snapshot!(text);
}

#[test]
fn a_file_of_the_wrong_shape_says_which_shapes_are_read() {
    let mut tenant = Tenant::default();
    let error = read_snapshot_bytes(
        &std::fs::read(fixture("broken-shape.json")).unwrap(),
        "broken-shape.json",
        &mut tenant,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(error, StateError::Shape { .. }));
    insta::assert_snapshot!(shown(&error));
}

#[test]
fn a_top_level_scalar_is_the_wrong_shape() {
    insta::assert_snapshot!(error_text("42"));
}

#[test]
fn an_object_with_nothing_recognisable_is_the_wrong_shape() {
    insta::assert_snapshot!(error_text(r#"{"@odata.context": "x"}"#));
}

#[test]
fn a_mailbox_that_is_not_an_object_is_named_by_its_index() {
    let mailbox = audited(r#"{"Identity": "a"}"#);
    insta::assert_snapshot!(error_text(&format!("[\n{mailbox},\n\"pilarp\"]")));
}

#[test]
fn a_property_of_the_wrong_type_names_the_mailbox_and_the_property() {
    let mut tenant = Tenant::default();
    let error = read_snapshot_bytes(
        &std::fs::read(fixture("broken-property-type.json")).unwrap(),
        "broken-property-type.json",
        &mut tenant,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(error, StateError::Property { .. }));
    insta::assert_snapshot!(shown(&error));
}

#[test]
fn a_bad_timespan_says_how_to_write_one() {
    insta::assert_snapshot!(error_text(
        r#"[{"Identity": "pilarp", "AuditLogAgeLimit": "ninety days"}]"#
    ));
}

#[test]
fn a_list_of_the_wrong_type_says_how_to_write_one() {
    insta::assert_snapshot!(error_text(
        r#"[{"Name": "donh", "AuditOwner": {"Add": ["MailboxLogin"]}}]"#
    ));
}

#[test]
fn an_unknown_logon_type_in_default_audit_set_is_refused() {
    insta::assert_snapshot!(error_text(
        r#"{"Identity": "a", "DefaultAuditSet": ["Admin", "Guest"]}"#
    ));
}

#[test]
fn a_mailbox_with_no_name_at_all_is_refused() {
    let named = audited(r#"{"Identity": "a"}"#);
    let unnamed = audited(r#"{"AuditEnabled": true, "Identity": null}"#);
    insta::assert_snapshot!(error_text(&format!("[\n{named},\n{unnamed}]")));
}

#[test]
fn a_bypass_association_with_no_name_is_refused() {
    insta::assert_snapshot!(error_text(
        r#"{"auditBypass": [{"AuditBypassEnabled": true}]}"#
    ));
}

#[test]
fn a_bad_bypass_flag_names_the_association() {
    insta::assert_snapshot!(error_text(
        r#"{"auditBypass": [{"Identity": "svc", "AuditBypassEnabled": "sometimes"}]}"#
    ));
}

#[test]
fn a_bad_organization_flag_names_the_organization() {
    insta::assert_snapshot!(error_text(r#"{"organization": {"AuditDisabled": 0}}"#));
}

#[test]
fn a_bad_licence_hint_says_which_values_are_meant() {
    insta::assert_snapshot!(error_text(r#"{"licence": "E3", "mailboxes": []}"#));
}

#[test]
fn an_error_in_mailboxes_read_before_the_licence_has_its_place_in_the_file() {
    let valid = audited(r#"{"Identity": "a"}"#);
    let mailboxes =
        format!("\"mailboxes\": [\n  {valid},\n  {{\"Identity\": \"b\", \"AuditEnabled\": 3}}\n]");
    let position = |text: &str| match read_text(text) {
        Err(StateError::Property { line, column, .. }) => (line, column),
        other => panic!("a property error expected, got {other:?}"),
    };
    let deferred = position(&format!("{{{mailboxes}, \"licence\": \"E5\"}}"));
    let streamed = position(&format!("{{\"licence\": \"E5\", {mailboxes}}}"));
    assert_eq!(deferred, streamed);
    assert_eq!(deferred.0, 3);
    let first_line = position(r#"{"mailboxes": [{"AuditEnabled": 3}], "licence": "E5"}"#);
    let first_line_streamed = position(r#"{"licence": "E5", "mailboxes": [{"AuditEnabled": 3}]}"#);
    assert_eq!(first_line.0, 1);
    assert_eq!(
        first_line.1 + "\"licence\": \"E5\", ".len(),
        first_line_streamed.1
    );
}

#[test]
fn trailing_text_after_the_document_is_malformed() {
    let mailbox = audited(r#"{"Identity": "a"}"#);
    insta::assert_snapshot!(error_text(&format!("[\n{mailbox}\n] ]")));
}
