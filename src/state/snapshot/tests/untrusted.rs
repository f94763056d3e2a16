//! State files as they really arrive: edited by hand, merged, or written by Windows PowerShell
//! 5.1's ConvertTo-Json. Each oddity is either read as the service meant it or refused with the
//! place and the reason; none is silently misread (issue 9, item 8; evidence W6, W7).

use super::*;
use crate::state::snapshot::stream::{read_array_stream, StreamTuning};

fn streamed_error(text: &str) -> String {
    let mut tenant = Tenant::default();
    let tuning = StreamTuning {
        block_bytes: 16,
        workers: 2,
    };
    let error = read_array_stream(
        text.as_bytes(),
        "state.json",
        &mut tenant,
        &ReadOptions::default(),
        tuning,
    )
    .expect_err("a repeated key is refused");
    shown(&error)
}

/// Issue 9 item 8: `"AuditEnabled": false, "AuditEnabled": true` is an error naming the key and
/// its position, in every shape, and in the streaming reader too.
#[test]
fn a_key_given_twice_in_one_object_is_refused_in_every_shape() {
    let twice = r#"{"Identity": "pilar", "AuditEnabled": false, "AuditEnabled": true}"#;
    let mailbox = audited(r#"{"Identity": "pilar"}"#);
    let repeated_mailbox = format!("{},\"auditenabled\": true}}", mailbox.trim_end_matches('}'));
    let cases = [
        ("bare mailbox", twice.to_string()),
        ("powershell array", format!("[{mailbox},\n{repeated_mailbox}]")),
        ("rest capture", format!(r#"{{"value": [{repeated_mailbox}]}}"#)),
        ("snapshot mailboxes", format!(r#"{{"licence": "E5", "mailboxes": [{repeated_mailbox}]}}"#)),
        ("deferred mailboxes", format!(r#"{{"mailboxes": [{repeated_mailbox}], "licence": "E5"}}"#)),
        ("top level", r#"{"mailboxes": [], "Mailboxes": []}"#.to_string()),
        ("organization", r#"{"organization": {"AuditDisabled": false, "AuditDisabled": true}, "mailboxes": []}"#.to_string()),
        ("bypass", r#"{"auditBypass": [{"Identity": "svc", "AuditBypassEnabled": false, "AuditBypassEnabled": true}]}"#.to_string()),
        ("timespan object", audited(r#"{"Identity": "pilar", "AuditLogAgeLimit": {"Ticks": 1, "ticks": 2}}"#)),
    ];
    let report = cases
        .map(|(case, text)| format!("{case}:\n  {}", error_text(&text).replace('\n', "\n  ")))
        .join("\n");
    insta::assert_snapshot!(report);
    let array = format!("[{mailbox},\n{repeated_mailbox}]");
    assert_eq!(streamed_error(&array), error_text(&array));
}

#[test]
fn a_property_auditform_does_not_read_is_refused_twice_too() {
    let text = audited(r#"{"Identity": "pilar", "Department": "Sales", "department": "Legal"}"#);
    assert!(error_text(&text).contains("gives the key `department` twice"));
    // A null says nothing, but the key was still given.
    let null_then_value = r#"{"Identity": "pilar", "AuditEnabled": null, "AuditEnabled": true}"#;
    assert!(error_text(null_then_value).contains("gives the key `AuditEnabled` twice"));
}

#[test]
fn keys_that_only_look_alike_are_not_repeats() {
    let text = audited(
        r##"{"Identity": "pilar", "AuditAdmin@odata.type": "#Collection(String)", "Extra": 1, "Extra2": {"Extra": 1, "extra": 2}}"##,
    );
    assert!(read_text(&text).is_ok());
}

/// Issue 9 item 8: a negative TimeSpan is refused, as a string or as Ticks.
#[test]
fn a_negative_audit_log_age_limit_is_refused() {
    for limit in [
        r#""-5.00:00:00""#,
        r#"{"Ticks": -4320000000000, "Days": -5}"#,
        r#"{"Days": -5, "Hours": 0}"#,
    ] {
        let text = audited(&format!(
            r#"{{"Identity": "pilar", "AuditLogAgeLimit": {limit}}}"#
        ));
        let error = error_text(&text);
        assert!(error.contains("negative"), "{limit}: {error}");
        assert!(error.contains("property AuditLogAgeLimit"), "{error}");
    }
}

/// Evidence W6: Exchange's EnhancedTimeSpan, converted by ConvertTo-Json, also has `Sign`.
#[test]
fn a_timespan_object_with_members_beyond_ticks_reads_from_its_ticks() {
    let text = audited(
        r#"{"Identity": "pilar", "AuditLogAgeLimit": {"Sign": 1, "Ticks": 155520000000000, "Days": 180, "TotalDays": 180.0}}"#,
    );
    assert_eq!(
        only_mailbox(&text).audit.log_age_limit,
        TimeSpan::from_days(180)
    );
}

/// Evidence W6: without -EnumsAsStrings, ConvertTo-Json writes RecipientTypeDetails as the
/// enum's integer.
#[test]
fn recipient_type_details_may_be_the_enums_integer() {
    let types: Vec<String> = [
        "1",
        "4",
        "16",
        "536870912",
        "1099511627776",
        "68719476736",
        "12345",
    ]
    .iter()
    .map(|value| {
        let text = audited(&format!(
            r#"{{"Identity": "a", "RecipientTypeDetails": {value}}}"#
        ));
        only_mailbox(&text).recipient_type.name().to_string()
    })
    .collect();
    assert_eq!(
        types,
        [
            "UserMailbox",
            "SharedMailbox",
            "RoomMailbox",
            "DiscoveryMailbox",
            "GroupMailbox",
            "PublicFolderMailbox",
            "12345"
        ]
    );
}

/// Evidence W7: the service writes `"ExternalDirectoryObjectId": ""` for some system mailboxes;
/// that is no id, and the mailbox is addressed by its Guid.
#[test]
fn an_empty_external_directory_object_id_counts_as_absent() {
    let text = audited(
        r#"{"Identity": "DiscoverySearchMailbox", "ExternalDirectoryObjectId": "", "Guid": "8e5e4a2d-0000-4000-8000-000000000001"}"#,
    );
    let mailbox = only_mailbox(&text);
    assert_eq!(
        mailbox.names.immutable_id(),
        "8e5e4a2d-0000-4000-8000-000000000001"
    );
}

#[test]
fn the_key_log_tells_every_key_apart_however_many_an_object_has() {
    let mut log = crate::state::snapshot::json_values::KeyLog::default();
    for round in 0..3 {
        log.clear();
        for index in 0..500 {
            assert!(
                log.note(&format!("Property{index}")).is_ok(),
                "round {round}"
            );
        }
        // Only letters fold: `@` and `` ` ``, `[` and `{` stay apart.
        for key in ["a@b", "a`b", "a[b", "a{b", "A_b", "a\u{7f}b"] {
            assert!(log.note(key).is_ok(), "{key:?}");
        }
        assert_eq!(log.note("PROPERTY499").unwrap_err().as_ref(), "PROPERTY499");
        assert_eq!(log.note("property0").unwrap_err().as_ref(), "property0");
    }
}
