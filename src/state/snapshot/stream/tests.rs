use super::*;
use crate::model::{BypassAssociation, Mailbox, Organization, Tenant};
use crate::state::snapshot::read_snapshot_bytes;

/// The error as a person reads it: place, message and hint.
fn shown(error: &StateError) -> String {
    crate::diagnostic::Diagnostic::from(error).to_string()
}

/// Block sizes from one byte (every element split everywhere) to larger than the document.
const BLOCKS: [usize; 7] = [1, 2, 3, 7, 64, 500, 1 << 20];

fn whole(text: &str, options: &ReadOptions) -> Result<Tenant, StateError> {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(text.as_bytes(), "state.json", &mut tenant, options).map(|()| tenant)
}

fn streamed(
    text: &str,
    options: &ReadOptions,
    block_bytes: usize,
    workers: usize,
) -> Result<Tenant, StateError> {
    let mut tenant = Tenant::default();
    let tuning = StreamTuning {
        block_bytes,
        workers,
    };
    read_array_stream(text.as_bytes(), "state.json", &mut tenant, options, tuning).map(|()| tenant)
}

/// Every block size and worker count reads the same as the whole-file reader, errors included.
fn assert_streams_like_whole(text: &str, options: &ReadOptions) {
    let expected = whole(text, options).map_err(|error| shown(&error));
    for block_bytes in BLOCKS {
        for workers in [1, 2, 3] {
            let actual = streamed(text, options, block_bytes, workers).map_err(|e| shown(&e));
            assert_eq!(
                actual, expected,
                "block of {block_bytes} bytes, {workers} workers"
            );
        }
    }
}

/// A mailbox of three lines, with every audit property, named `name` (a JSON string).
fn mailbox(name: &str) -> String {
    format!(
        r#"{{"Identity": {name}, "RecipientTypeDetails": "UserMailbox", "AuditEnabled": true, "AuditLogAgeLimit": "90.00:00:00",
  "AuditAdmin": ["Update"], "AuditDelegate": [], "AuditOwner": ["MailboxLogin", "HardDelete"], "DefaultAuditSet": ["Admin"],
  "Department": {name}}}"#
    )
}

#[test]
fn strings_holding_brackets_commas_quotes_escapes_and_unicode_do_not_split_elements() {
    let names = [
        r#""plain""#,
        r#""brackets ] } [ { inside""#,
        r#""a comma, and \"quoted\" ], text""#,
        r#""a backslash at the end \\""#,
        r#""escaped \\\" quote then ]""#,
        r#""unicode escape \u00e9 and \ud83d\ude80""#,
        r#""raw UTF-8: Zoë, 東京, 🚀 ]""#,
    ];
    let text = format!("[\r\n{}\r\n]\r\n", names.map(mailbox).join(",\r\n"));
    let options = ReadOptions {
        extra_properties: vec!["department".into()],
    };
    let tenant = whole(&text, &options).expect("the document is valid");
    assert_eq!(tenant.mailboxes.len(), names.len());
    assert_streams_like_whole(&text, &options);
}

#[test]
fn a_file_read_in_tiny_chunks_gives_the_same_mailboxes_as_read_whole() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tenants/three-mailboxes.powershell.json");
    let text = std::fs::read_to_string(fixture).expect("fixture exists");
    assert_eq!(
        whole(&text, &ReadOptions::default())
            .map(|t| t.mailboxes.len())
            .ok(),
        Some(3)
    );
    assert_streams_like_whole(&text, &ReadOptions::default());
}

#[test]
fn empty_and_blank_arrays_read_as_no_mailboxes() {
    for text in ["[]", "  [ \n ]  \n", "[\r\n\r\n]"] {
        assert_streams_like_whole(text, &ReadOptions::default());
        assert_eq!(
            streamed(text, &ReadOptions::default(), 1, 2)
                .map(|t| t.mailboxes.len())
                .ok(),
            Some(0)
        );
    }
}

#[test]
fn malformed_json_inside_a_later_element_keeps_its_line_and_column() {
    let text = format!(
        "[\n{},\n{},\n  {{\"Identity\": \"x\" \"Name\": 1}}\n]",
        mailbox("\"a\""),
        mailbox("\"b\"")
    );
    assert_streams_like_whole(&text, &ReadOptions::default());
    let error = streamed(&text, &ReadOptions::default(), 5, 2).expect_err("malformed");
    assert!(shown(&error).starts_with("state.json:8:20:"), "{error}");
}

#[test]
fn a_property_of_the_wrong_type_names_the_mailbox_by_its_index_and_position() {
    let text = format!(
        "[\n{},\n{{\"Identity\": \"b\",\n \"AuditEnabled\": \"maybe\"}}]",
        mailbox("\"a\"")
    );
    assert_streams_like_whole(&text, &ReadOptions::default());
    let error = streamed(&text, &ReadOptions::default(), 3, 1).expect_err("bad flag");
    assert!(error.to_string().contains("mailbox at index 1"), "{error}");
}

#[test]
fn an_element_that_is_not_an_object_is_named_by_its_index() {
    assert_streams_like_whole(
        "[\n {\"Identity\": \"a\"},\n 42\n]",
        &ReadOptions::default(),
    );
}

#[test]
fn broken_array_structure_is_reported_where_it_breaks() {
    let cases = [
        "[{\"Identity\": \"a\"}] trailing",
        "[{\"Identity\": \"a\"},]",
        "[{\"Identity\": \"a\"},,{\"Identity\": \"b\"}]",
        "[,{\"Identity\": \"a\"}]",
        "[{\"Identity\": \"a\"}",
        "[{\"Identity\": \"a\"},\n{\"Identity\": \"b\"",
        "[{\"Identity\": \"a\"}, {\"Identity\": \"unterminated}]",
        "[{\"Identity\": \"a\"}}]",
        "[{\"Identity\": \"a\"} {\"Identity\": \"b\"}]",
    ];
    for text in cases {
        let expected = whole(text, &ReadOptions::default()).map_err(|e| shown(&e));
        assert!(expected.is_err(), "{text} should be refused");
        for block_bytes in BLOCKS {
            let actual =
                streamed(text, &ReadOptions::default(), block_bytes, 2).map_err(|e| shown(&e));
            let (Err(actual), Err(expected)) = (&actual, &expected) else {
                panic!("{text}: streamed {actual:?}");
            };
            assert_eq!(
                position_of(actual),
                position_of(expected),
                "{text}, block {block_bytes}: {actual} / {expected}"
            );
        }
    }
}

/// `state.json:L:C` of an error message.
fn position_of(message: &str) -> &str {
    let rest = &message["state.json:".len()..];
    let end = rest
        .char_indices()
        .filter(|(_, c)| *c == ':')
        .nth(1)
        .map_or(rest.len(), |(at, _)| at);
    &rest[..end]
}

#[test]
fn a_failing_read_is_reported_as_unreadable() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let mut tenant = Tenant::default();
    let error = read_array_stream(
        Failing,
        "state.json",
        &mut tenant,
        &ReadOptions::default(),
        StreamTuning::default(),
    )
    .expect_err("the read fails");
    assert!(error.to_string().contains("disk on fire"), "{error}");
}

/// Identities in the order visited, split per block and merged back.
#[derive(Default)]
struct Visited(Vec<String>);

impl StateVisitor for Visited {
    fn organization(&mut self, _: Organization) {}
    fn bypass(&mut self, _: BypassAssociation) {}
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.0.push(mailbox.names.identity.to_string());
    }
}

impl SplitVisitor for Visited {
    fn split(&self) -> Self {
        Visited::default()
    }
    fn merge(&mut self, later: Self) {
        self.0.extend(later.0);
    }
}

#[test]
fn split_visitors_merge_back_in_file_order_and_stop_at_the_first_error() {
    let names: Vec<String> = (0..40).map(|n| format!("\"m{n}\"")).collect();
    let text = format!(
        "[{}]",
        names
            .iter()
            .map(|n| mailbox(n))
            .collect::<Vec<_>>()
            .join(",")
    );
    let expected: Vec<String> = (0..40).map(|n| format!("m{n}")).collect();
    let broken = text.replacen("\"m31\", \"Recipient", "\"m31\" \"Recipient", 1);
    let whole_error = whole(&broken, &ReadOptions::default()).expect_err("broken");
    for block_bytes in BLOCKS {
        for workers in [1, 2, 3] {
            let tuning = StreamTuning {
                block_bytes,
                workers,
            };
            let mut visited = Visited::default();
            read_array_stream_split(
                text.as_bytes(),
                "state.json",
                &mut visited,
                &ReadOptions::default(),
                tuning,
            )
            .expect("valid");
            assert_eq!(
                visited.0, expected,
                "block {block_bytes}, {workers} workers"
            );
            let error = read_array_stream_split(
                broken.as_bytes(),
                "state.json",
                &mut Visited::default(),
                &ReadOptions::default(),
                tuning,
            )
            .expect_err("broken");
            assert_eq!(shown(&error), shown(&whole_error));
        }
    }
}

#[test]
fn the_word_at_a_time_search_finds_the_same_first_quote_or_bracket_as_a_byte_search() {
    let text = br#"    "Key":  [ 1, 2 ] , x{}\ "z" abcdefghijklmnop ] [ ;;; :::: } { {{"#;
    for start in 0..text.len() {
        let rest = &text[start..];
        let expected = rest
            .iter()
            .position(|b| matches!(b, b'"' | b'[' | b']' | b'{' | b'}'));
        assert_eq!(next_structural(rest), expected, "from {start}");
    }
    // Bytes one bit away from the wanted ones are not mistaken for them.
    let near = [
        b'\x02', b';', b'=', b'Z', b'|', 0xDB, 0xFB, 0xA2, b'!', b'#',
    ];
    assert_eq!(next_structural(&near.repeat(3)), None);
}

#[test]
fn the_word_at_a_time_search_finds_the_same_end_of_string_as_memchr() {
    let text = br#"plain text then \" escaped, more plain text ]} and "the end" x"#;
    for start in 0..text.len() {
        let rest = &text[start..];
        assert_eq!(
            next_quote_or_backslash(rest),
            memchr::memchr2(b'"', b'\\', rest),
            "from {start}"
        );
    }
}
