//! libyaml's event parser behind the crate's only unsafe code (`policy/load/yaml/events.rs`),
//! on any text: every event to the end, and calls past the end or past an error, which must
//! keep giving the end or the same error. Then the positioned tree over the same text. Run it
//! under AddressSanitizer (cargo fuzz's default) as well as without.
#![no_main]

use auditform::policy::load::yaml_events::{Event, Parser};
use auditform::policy::load::yaml_tree::{Documents, Node, Value};
use libfuzzer_sys::fuzz_target;

/// Every event of `text`; the number of events is bounded by the text's length.
fn drain_events(text: &str) {
    let mut parser = Parser::new(text);
    let mut events = 0usize;
    loop {
        match parser.next_event() {
            Ok((Event::StreamEnd, _)) => {
                for _ in 0..3 {
                    assert!(
                        matches!(parser.next_event(), Ok((Event::StreamEnd, _))),
                        "past the end, the parser gives the end again"
                    );
                }
                return;
            }
            Ok((event, mark)) => {
                // Diagnostics slice the text at a mark: it is a byte offset on a character.
                assert!(text.is_char_boundary(mark.index), "{event:?} at {mark:?}");
                events += 1;
                assert!(events <= 4 * text.len() + 8, "runaway events");
            }
            Err(error) => {
                assert!(text.is_char_boundary(error.mark.index), "{error:?}");
                for _ in 0..3 {
                    assert_eq!(
                        parser.next_event(),
                        Err(error.clone()),
                        "the same error again"
                    );
                }
                return;
            }
        }
    }
}

/// Every node under `node`, counted, with its place checked.
fn walk(node: &Node, text: &str, budget: &mut usize) {
    assert!(text.is_char_boundary(node.mark.index), "{:?}", node.mark);
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    match &node.value {
        Value::Scalar { .. } => {}
        Value::Sequence(items) => items.iter().for_each(|item| walk(item, text, budget)),
        Value::Mapping(entries) => entries.iter().for_each(|(key, value)| {
            walk(key, text, budget);
            walk(value, text, budget);
        }),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    drain_events(text);
    let mut documents = Documents::new(text);
    let mut budget = 100_000;
    while let Some(document) = documents.next_document() {
        match document {
            Ok(root) => walk(&root, text, &mut budget),
            Err(error) => assert!(text.is_char_boundary(error.mark().index), "{error:?}"),
        }
    }
});
