//! Answers of the admin endpoint, which are untrusted: any status, header and body, classified
//! as `outcome` does, and any body read for its error text and its `@adminapi.*` warnings and
//! errors. Whatever text is taken from them is one line, of bounded length.
#![no_main]

use auditform::state::exo::answer::{
    classify, cmdlet_error_text, outcome, service_text, shown, Annotations,
};
use auditform::state::exo::http::{parse_retry_after, Answer};
use auditform_fuzz::assert_one_line;
use libfuzzer_sys::fuzz_target;

/// `shown` keeps 1,000 bytes, then a character and an ellipsis.
const MAX_TEXT: usize = 1_000 + 4 + '…'.len_utf8();

fn check_text(what: &str, text: &str) {
    assert_one_line(what, text);
    assert!(
        text.len() <= MAX_TEXT,
        "{what} is {} bytes long",
        text.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let (status, rest) = match data {
        [high, low, rest @ ..] => (u16::from_be_bytes([*high, *low]) % 1000, rest),
        _ => (500, data),
    };
    let (header, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&rest[..0], rest),
    };
    let header = String::from_utf8_lossy(header).into_owned();

    if let Some(text) = service_text(body) {
        check_text("service text", &text);
    }
    let annotations = Annotations::of_bytes(body);
    for text in annotations.warnings.iter().chain(&annotations.errors) {
        check_text("annotation", text);
    }
    let _ = parse_retry_after(&header);
    let failure = classify(status, None, body, "request-id");
    assert_one_line("failure", failure.message());
    let answer = Answer {
        status,
        headers: vec![
            ("Location".to_string(), header.clone()),
            ("Retry-After".to_string(), header.clone()),
        ],
        body: body.to_vec(),
        request_id: "request-id".to_string(),
    };
    if let Err(failure) = outcome(answer) {
        assert_one_line("outcome", &failure.describe());
    }
    let text = String::from_utf8_lossy(body);
    check_text("shown", &shown(&text));
    let _ = cmdlet_error_text(&text);
});
