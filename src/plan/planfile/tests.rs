use super::*;
use crate::plan::document::{self, Layout};
use crate::plan::fixtures::{rich_plan, without_policy_locations};

fn info() -> PlanFileInfo {
    PlanFileInfo {
        created_by: "auditform 0.1.0".to_string(),
        policies_digest: Some(policies_digest([("policies/a.yaml", b"a".as_slice())])),
        state: None,
    }
}

fn saved_as(plan: &Plan, layout: Layout) -> String {
    let mut out = Vec::new();
    encode(plan, info(), layout, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// As `plan --out` saves it: compact.
fn saved(plan: &Plan) -> String {
    saved_as(plan, Layout::Compact)
}

fn refusal(text: &str) -> PlanFileError {
    decode(text.as_bytes()).expect_err("the file should be refused")
}

/// Rewrites a saved file as a later writer would, with its digest recomputed.
fn resigned(
    text: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> String {
    let mut document: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).expect("a saved plan is JSON");
    document.shift_remove("digest");
    edit(&mut document);
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(&document).expect("a map serializes"));
    document.insert("digest".into(), hex_digest(hasher).into());
    serde_json::to_string_pretty(&document).expect("a map serializes")
}

#[test]
fn a_saved_plan_reads_back_as_the_same_plan() {
    let plan = rich_plan();
    let read = decode(saved(&plan).as_bytes()).expect("an intact plan file reads");
    assert_eq!(read.plan, without_policy_locations(plan));
    assert_eq!(read.info, info());
}

#[test]
fn a_plan_file_is_the_json_document_plus_its_plan_file_section_and_digest_last() {
    let plan = rich_plan();
    let mut file: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&saved(&plan)).expect("a saved plan is JSON");
    let keys: Vec<&str> = file.keys().map(String::as_str).collect();
    assert_eq!(keys[keys.len() - 2..], ["plan_file", "digest"]);
    assert!(file["digest"]
        .as_str()
        .is_some_and(|digest| digest.starts_with("sha256:") && digest.len() == 71));
    file.shift_remove("digest");
    file.shift_remove("plan_file");

    let mut document = Vec::new();
    document::write(&plan, Layout::Compact, &mut document)
        .expect("writing to memory does not fail");
    let document: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&document).expect("the document is JSON");
    assert_eq!(file, document);
}

#[test]
fn saving_the_same_plan_twice_gives_the_same_bytes() {
    assert_eq!(saved(&rich_plan()), saved(&rich_plan()));
}

#[test]
fn a_plan_file_whose_line_endings_or_indentation_changed_still_reads() {
    let text = saved_as(&rich_plan(), Layout::Pretty);
    let crlf = text.replace('\n', "\r\n");
    assert!(decode(crlf.as_bytes()).is_ok());
    let compact: serde_json::Value = serde_json::from_str(&text).expect("a saved plan is JSON");
    assert!(decode(compact.to_string().as_bytes()).is_ok());
    let indented = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&saved(&rich_plan())).expect("JSON"),
    )
    .expect("JSON");
    assert!(decode(indented.as_bytes()).is_ok());
}

#[test]
fn compact_and_pretty_plan_files_are_one_document_with_one_digest() {
    let compact = saved(&rich_plan());
    let pretty = saved_as(&rich_plan(), Layout::Pretty);
    assert_eq!(compact.lines().count(), 1);
    let pretty: serde_json::Value = serde_json::from_str(&pretty).expect("JSON");
    assert_eq!(compact, pretty.to_string() + "\n");
    assert_eq!(
        decode(compact.as_bytes()).expect("reads").plan,
        without_policy_locations(rich_plan())
    );
}

#[test]
fn a_plan_file_with_one_value_edited_is_refused() {
    let text = saved(&rich_plan());
    for (from, to) in [
        ("\"unchanged\":7", "\"unchanged\":8"),
        ("\"MailboxLogin\"", "\"MailboxLogon\""),
        ("\"after\":false", "\"after\":true"),
        ("room1", "room2"),
    ] {
        assert!(text.contains(from), "{from}");
        let edited = text.replacen(from, to, 1);
        assert!(
            matches!(refusal(&edited), PlanFileError::Edited),
            "{from} -> {to}"
        );
    }
}

#[test]
fn a_plan_file_cut_anywhere_is_refused_as_truncated() {
    let text = saved(&rich_plan());
    let end = text.trim_end().len();
    for cut in 0..end {
        let error = refusal(&text[..cut]);
        assert!(
            matches!(error, PlanFileError::Truncated),
            "cut at {cut}: {error}"
        );
    }
}

#[test]
fn a_plan_file_without_its_digest_is_refused() {
    let text = resigned(&saved(&rich_plan()), |_| {});
    let mut document: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("JSON");
    document.shift_remove("digest");
    let without = serde_json::to_string_pretty(&document).expect("a map serializes");
    assert!(matches!(refusal(&without), PlanFileError::MissingDigest));
}

#[test]
fn a_later_minor_version_with_fields_this_build_does_not_know_is_read() {
    let text = resigned(&saved(&rich_plan()), |document| {
        document.insert("format_version".into(), "1.4".into());
        document.insert("applies_after".into(), "2030-01-01".into());
    });
    let read = decode(text.as_bytes()).expect("1.x files read");
    assert_eq!(read.plan, without_policy_locations(rich_plan()));
}

#[test]
fn another_major_version_is_refused() {
    let text = saved(&rich_plan()).replacen("\"1.1\"", "\"2.0\"", 1);
    assert!(matches!(
        refusal(&text),
        PlanFileError::UnsupportedVersion { found } if found == "2.0"
    ));
}

#[test]
fn refusals_say_what_is_wrong_and_how_to_recover() {
    let text = saved(&rich_plan());
    let json_output = {
        let mut out = Vec::new();
        document::write(&rich_plan(), Layout::Compact, &mut out)
            .expect("writing to memory does not fail");
        String::from_utf8(out).expect("UTF-8")
    };
    let cases = [
        ("truncated", text[..text.len() / 2].to_string()),
        (
            "invalid JSON",
            "{\"format_version\": \"1.0\",,}".to_string(),
        ),
        ("an array", "[1, 2]".to_string()),
        ("another kind of JSON", "{\"mailboxes\": []}".to_string()),
        ("plan --format json output", json_output),
        (
            "a value edited",
            text.replacen("\"unchanged\":7", "\"unchanged\":0", 1),
        ),
        ("version 2", text.replacen("\"1.1\"", "\"2.0\"", 1)),
        (
            "a bad TimeSpan, digest recomputed",
            text.replacen("\"30.00:00:00\"", "\"30 days\"", 1),
        ),
    ];
    let mut report = String::new();
    for (name, text) in cases {
        let text = if name.contains("recomputed") {
            resigned(&text, |_| {})
        } else {
            text
        };
        let error = refusal(&text);
        report.push_str(&format!("{name}:\n  {error}\n  hint: {}\n", error.hint()));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn the_policies_digest_depends_on_contents_not_on_the_order_files_are_given() {
    let a = ("policies/a.yaml", b"one".as_slice());
    let b = ("policies/b.yaml", b"two".as_slice());
    assert_eq!(policies_digest([a, b]), policies_digest([b, a]));
    assert_ne!(
        policies_digest([a, b]),
        policies_digest([a, ("policies/b.yaml", b"three".as_slice())])
    );
    assert_ne!(
        policies_digest([("ab", b"c".as_slice())]),
        policies_digest([("a", b"bc".as_slice())])
    );
}

#[test]
fn a_plan_file_of_a_live_tenant_records_the_tenant_and_endpoint_and_no_state_file() {
    let live = PlannedState::Exo {
        tenant: "contoso.onmicrosoft.com".into(),
        endpoint: "https://outlook.office365.com".into(),
    };
    let mut out = Vec::new();
    encode(
        &rich_plan(),
        info().with_state(Some(live.clone())),
        Layout::Compact,
        &mut out,
    )
    .expect("encode");
    let document: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(
        document["plan_file"]["state"],
        serde_json::json!({
            "kind": "exo",
            "tenant": "contoso.onmicrosoft.com",
            "endpoint": "https://outlook.office365.com"
        })
    );
    let read = decode(&out).expect("decode");
    assert_eq!(read.state(), Some(&live));
    assert_eq!(read.snapshot_path(), None);
}

#[test]
fn a_plan_file_written_before_the_state_was_recorded_still_reads_with_its_source_path() {
    let text = saved(&rich_plan());
    assert!(!text.contains("\"state\""), "{text}");
    let read = decode(text.as_bytes()).expect("an older plan file reads");
    assert_eq!(read.state(), None);
    let source = read
        .plan
        .source
        .strip_prefix("snapshot ")
        .map(PathBuf::from);
    assert_eq!(read.snapshot_path(), source);
}
