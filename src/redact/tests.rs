use super::*;

// The registry is shared by the whole test process, so each test registers its own values.

#[test]
fn a_registered_secret_is_redacted_in_every_form_it_takes_in_text() {
    let secret = "Kx9~redact-test/secret+value";
    register(secret);
    let json = serde_json::to_string(&serde_json::json!({"s": secret})).unwrap();
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("x", secret)
        .finish();
    // A server that echoes a request may re-encode it: RFC 3986 style, lower-case hex.
    let rfc3986_lower = "Kx9~redact-test%2fsecret%2bvalue";
    let form_lower = "Kx9%7eredact-test%2fsecret%2bvalue";
    for text in [
        format!("as is: {secret}."),
        json,
        form,
        format!("?q={rfc3986_lower}&x=1"),
        format!("body: {form_lower}"),
    ] {
        let scrubbed = scrub(&text);
        assert!(!scrubbed.contains(secret), "{scrubbed}");
        assert!(!scrubbed.contains("redact-test"), "{scrubbed}");
        assert!(scrubbed.contains(REDACTED), "{scrubbed}");
    }
}

#[test]
fn credentials_nobody_registered_are_redacted_by_their_shape() {
    register("unrelated-registration-1");
    let cases = [
        (
            "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123",
            "abcdefghijklmnopqrstuvwxyz0123",
        ),
        (
            "grant_type=client_credentials&client_secret=hunter2hunter2&scope=x",
            "hunter2hunter2",
        ),
        (r#"{"refresh_token": "0.AAAA-refresh"}"#, "0.AAAA-refresh"),
        (
            "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here",
            "eyJhbGciOiJSUzI1NiJ9",
        ),
        ("device_code: DAQABAAEAAAD-xyz", "DAQABAAEAAAD-xyz"),
    ];
    for (text, hidden) in cases {
        let scrubbed = scrub(text);
        assert!(!scrubbed.contains(hidden), "{text} -> {scrubbed}");
        assert!(scrubbed.contains(REDACTED), "{text} -> {scrubbed}");
    }
}

#[test]
fn ordinary_text_passes_unchanged() {
    register("unrelated-registration-2");
    for text in [
        "mailbox \"Pilar Pinilla\": updated",
        "Bearer Smith is a person, and assertions are words",
        "The input operation(s) is/are already being audited",
        "my_client_secret_hint=5 is not the field",
    ] {
        assert_eq!(scrub(text), text);
    }
}

#[test]
fn answers_lose_registered_secrets_and_nothing_else() {
    let secret = "answer-secret-7c1e9a";
    register(secret);
    let body =
        format!(r#"{{"DisplayName":"{secret}","Note":"Bearer abcdefghijklmnopqrstuvwxyz"}}"#);
    let scrubbed = scrub_registered(body.as_bytes());
    let text = String::from_utf8(scrubbed.into_owned()).unwrap();
    assert!(!text.contains(secret));
    assert!(text.contains("Bearer abcdefghijklmnopqrstuvwxyz"), "{text}");
}

#[test]
fn a_writer_never_lets_a_secret_through_even_when_it_arrives_in_pieces() {
    let secret = "split-writer-secret-44d0";
    register(secret);
    let mut out = Vec::new();
    {
        let mut writer = ScrubWriter::new(&mut out);
        let text = format!("first line\nthe secret is {secret} and more\nlast");
        for piece in text.as_bytes().chunks(3) {
            writer.write_all(piece).unwrap();
        }
        writer.flush().unwrap();
    }
    let written = String::from_utf8(out).unwrap();
    assert!(!written.contains(secret), "{written}");
    assert!(written.starts_with("first line\nthe secret is [redacted] and more\nlast"));
}

#[test]
fn short_values_are_not_registered() {
    register("abc");
    assert_eq!(scrub("abc abc"), "abc abc");
}

#[test]
fn redacting_inside_a_json_string_keeps_the_json_valid() {
    register("unrelated-registration-3");
    let body =
        serde_json::json!({"DisplayName": "x password=abc\"def and Bearer abcdefghijklmnop0123\\"})
            .to_string();
    let scrubbed = scrub(&body);
    let parsed: serde_json::Value = serde_json::from_str(&scrubbed).expect("still JSON");
    let name = parsed["DisplayName"].as_str().unwrap();
    assert!(!name.contains("abc\""), "{name}");
    assert!(!name.contains("abcdefghijklmnop0123"), "{name}");
}

#[test]
fn a_secret_written_with_json_escapes_is_redacted_from_the_answer_before_it_is_parsed() {
    let secret = "json-escaped-secret-7d41c0b9";
    register(secret);
    // Every character a `\u` escape: the bytes hold no form of the secret, the parsed text does.
    let escaped: String = secret
        .chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect();
    let answer = format!(r#"{{"error":{{"message":"you sent {escaped}"}},"{escaped}":1}}"#);
    let scrubbed = scrub_answer(answer.as_bytes());
    let parsed: serde_json::Value = serde_json::from_slice(&scrubbed).expect("still JSON");
    assert!(!parsed.to_string().contains(secret), "{parsed}");
    assert_eq!(parsed["error"]["message"], "you sent [redacted]");
    // An answer with escapes but no secret is left byte for byte as it came.
    let plain = r#"{"DisplayName":"Zo\u00eb \/ Pilar"}"#;
    assert!(matches!(scrub_answer(plain.as_bytes()), Cow::Borrowed(_)));
}
