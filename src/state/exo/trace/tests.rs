use super::*;

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[test]
fn credentials_in_headers_batch_bodies_and_forms_are_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.txt");
    let trace = Trace::open(&path).unwrap();
    let batch = serde_json::json!({"requests": [{"id": "1", "headers": {
        "Authorization": "Bearer sub-request-token-0123456789",
        "X-AnchorMailbox": "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso"}}]})
    .to_string();
    let request_headers = headers(&[
        ("Authorization", "Bearer outer-token-0123456789"),
        ("Content-Type", "application/json"),
    ]);
    trace.record(
        "1111",
        &TracedRequest {
            method: "POST",
            url: "https://outlook.office365.com/adminapi/beta/contoso/$batch",
            headers: &request_headers,
            body: batch.as_bytes(),
        },
        &TracedAnswer::Answer {
            status: 200,
            headers: &headers(&[("Content-Type", "application/json")]),
            body: br#"{"responses":[]}"#,
        },
        Duration::from_millis(12),
    );
    let form_headers = headers(&[("Content-Type", "application/x-www-form-urlencoded")]);
    trace.record(
        "2222",
        &TracedRequest {
            method: "POST",
            url: "https://login.microsoftonline.com/contoso/oauth2/v2.0/token",
            headers: &form_headers,
            body: b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=DAQAB-device-code-xyz&client_id=fb78",
        },
        &TracedAnswer::Answer {
            status: 200,
            headers: &headers(&[("Content-Type", "application/json")]),
            body: br#"{"access_token":"at-0123456789abcdef","refresh_token":"rt-0123456789abcdef","expires_in":3599}"#,
        },
        Duration::from_millis(3),
    );
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [
        "sub-request-token",
        "outer-token",
        "DAQAB-device-code",
        "at-0123456789",
        "rt-0123456789",
    ] {
        assert!(!text.contains(secret), "{secret} in\n{text}");
    }
    assert!(text.starts_with(HEADER));
    assert!(text.contains("Authorization: Bearer [redacted]"), "{text}");
    assert!(text.contains("client-request-id: 1111"), "{text}");
    assert!(text.contains("X-AnchorMailbox"), "{text}");
    assert!(text.contains("grant_type=urn%3Aietf"), "{text}");
    assert!(text.contains("HTTP 200 after 12 ms"), "{text}");
}

#[test]
fn another_file_is_never_overwritten_and_a_trace_is_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, "{\"format_version\": 1}").unwrap();
    assert!(matches!(
        Trace::open(&plan),
        Err(TraceError::NotATrace { .. })
    ));
    assert_eq!(
        std::fs::read_to_string(&plan).unwrap(),
        "{\"format_version\": 1}"
    );

    let path = dir.path().join("trace.txt");
    drop(Trace::open(&path).unwrap());
    let first = std::fs::read_to_string(&path).unwrap();
    drop(Trace::open(&path).unwrap());
    let second = std::fs::read_to_string(&path).unwrap();
    assert!(second.starts_with(&first));
    assert_eq!(second.matches(HEADER).count(), 1);
    assert_eq!(second.matches("## ").count(), 2);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "").unwrap();
    let link = dir.path().join("trace.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(matches!(
        Trace::open(&link),
        Err(TraceError::NotAFile { .. })
    ));
}

#[test]
fn timestamps_are_utc_in_iso_8601() {
    let time = UNIX_EPOCH + Duration::from_millis(1_714_564_800_123);
    assert_eq!(utc_timestamp(time), "2024-05-01T12:00:00.123Z");
    assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
    assert_eq!(utc_timestamp(leap), "2000-02-29T00:00:00.000Z");
}

#[test]
fn a_user_code_repeated_in_the_message_is_redacted_there_too() {
    let mut answer = serde_json::json!({
        "user_code": "QWERTYUIO",
        "device_code": "DAQABAAEAAAD-0123",
        "message": "To sign in, open the page and enter the code QWERTYUIO to authenticate."
    });
    redact_json(&mut answer);
    let text = answer.to_string();
    assert!(!text.contains("QWERTYUIO"), "{text}");
    assert!(!text.contains("DAQABAAEAAAD"), "{text}");
    assert!(text.contains("enter the code [redacted] to"), "{text}");
}
