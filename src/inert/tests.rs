use super::*;

fn shown(text: &str) -> String {
    Inert(text).to_string()
}

#[test]
fn ordinary_text_is_left_alone() {
    for text in [
        "Pilar Pinilla",
        "pilar@contoso.com",
        "C:\\policies\\owners.yaml",
        "100% done: 3 of 4",
        "# a comment [x]",
        "Zoë Ångström 日本",
    ] {
        assert_eq!(shown(text), text);
        assert!(matches!(inert(text), Cow::Borrowed(_)));
    }
}

#[test]
fn line_breaks_of_every_kind_become_visible_escapes() {
    assert_eq!(shown("a\nb"), "a\\nb");
    assert_eq!(shown("a\rb"), "a\\rb");
    assert_eq!(shown("a\r\nb"), "a\\r\\nb");
    assert_eq!(shown("a\u{85}b"), "a\\u{85}b");
    assert_eq!(shown("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
    assert_eq!(shown("a\u{b}b\u{c}c"), "a\\u{b}b\\u{c}c");
}

#[test]
fn other_controls_and_bidirectional_overrides_are_escaped() {
    assert_eq!(shown("\u{1b}[2J"), "\\u{1b}[2J");
    assert_eq!(shown("tab\there"), "tab\\there");
    assert_eq!(shown("\u{0}\u{7f}\u{9b}"), "\\u{0}\\u{7f}\\u{9b}");
    assert_eq!(shown("a\u{202e}b\u{2066}c"), "a\\u{202e}b\\u{2066}c");
}

#[test]
fn workflow_command_openers_are_broken_wherever_they_appear() {
    assert_eq!(
        shown("::stop-commands::t"),
        ":\\u{3a}stop-commands:\\u{3a}t"
    );
    assert_eq!(shown(":::"), ":\\u{3a}:");
    assert_eq!(shown("x ##[error]y"), "x ##\\u{5b}error]y");
    assert_eq!(shown("###[x"), "###\\u{5b}x");
    assert_eq!(shown("a: b, c: d"), "a: b, c: d");
    assert_eq!(shown("#[x] ## [y]"), "#[x] ## [y]");
}

#[test]
fn an_escape_never_joins_with_what_follows_into_an_opener() {
    // The escape of the first colon pair resets the pair tracking: `:\u{3a}:` has no `::`.
    let text = shown("X\n::add-mask::secret\r\n##[error]boom");
    assert!(!text.contains("::"), "{text}");
    assert!(!text.contains("##["), "{text}");
    assert!(!text.contains('\n') && !text.contains('\r'), "{text}");
}
