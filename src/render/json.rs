//! `--format json`: the plan's JSON document, for tools. The document, and reading it back, are
//! the plan's own ([`crate::plan::document`]), since saved plan files carry the same document;
//! this renderer only writes it.
//!
//! The JSON may be printed to a CI log, so strings are written inert as JSON allows: beyond the
//! control characters JSON always escapes, NEL and the other C1 controls, the line and
//! paragraph separators and the bidirectional controls are `\uXXXX` escapes, and so is the `[`
//! of `##[`, `##vso[` and the like, which a CI system obeys as a logging command anywhere in a
//! line ([`opens_command`]). A `::` is left alone: a runner obeys it only at the start of a
//! line, and a string never starts one (compact JSON is one line that begins with `{`; indented
//! JSON puts a quote before every string). A JSON reader gets the same strings back.

use crate::inert::{breaks_or_hides, opens_command};
use crate::plan::document::{self, Layout};
use crate::plan::Plan;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// Writes the plan's document, ending in a newline: compact, as `terraform show -json` writes
/// its plan, or indented with [`Layout::Pretty`]. The same plan always gives the same bytes.
pub fn render_json(plan: &Plan, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    match layout {
        Layout::Compact => document::write_compact(plan, InertStrings(CompactFormatter), out),
        Layout::Pretty => {
            let mut out = io::BufWriter::new(out);
            let mut serializer = serde_json::Serializer::with_formatter(
                &mut out,
                InertStrings(PrettyFormatter::new()),
            );
            document::streaming_document(plan).serialize(&mut serializer)?;
            out.write_all(b"\n")?;
            out.flush()
        }
    }
}

/// Writes any document as [`render_json`] writes the plan's indented: its strings escaped as
/// the module says, with no newline after. For the other JSON outputs (explain, test results,
/// the catalog), which a CI log may show as well.
pub fn write_inert_json<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(out, InertStrings(PrettyFormatter::new()));
    value.serialize(&mut serializer)?;
    Ok(())
}

/// serde_json's layout `F`, with strings escaped as the module says.
#[derive(Clone)]
struct InertStrings<F>(F);

impl<F: Formatter> Formatter for InertStrings<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, c) in fragment.char_indices() {
            // An escape starts with `\`, so only the raw run since the last one can open a
            // command; serde_json's own escapes split fragments the same way.
            let opener = c == '[' && opens_command(&fragment[start..index], c);
            if breaks_or_hides(c) || opener {
                writer.write_all(&fragment.as_bytes()[start..index])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = index + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut out, InertStrings(CompactFormatter));
        text.serialize(&mut serializer).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn line_separators_c1_controls_and_old_style_commands_are_escaped() {
        let text = "a\u{85}b\u{2028}c ##[error]d\u{202e}e\nf ##vso[task.x]\u{61c}";
        let json = written(text);
        assert_eq!(
            json,
            r#""a\u0085b\u2028c ##\u005berror]d\u202ee\nf ##vso\u005btask.x]\u061c""#
        );
        let read: String = serde_json::from_str(&json).expect("JSON");
        assert_eq!(read, text);
    }

    #[test]
    fn the_compact_plan_is_the_document_serialized_with_inert_strings() {
        let awkward = "Ann\u{85}\u{2028} ##[error] ::stop:: \u{202e}x\u{7f} \"q\" \\ é";
        let mut plan = crate::plan::fixtures::rich_plan();
        for change in &mut plan.mailbox_changes {
            change.subject = change.subject.with_display_name(awkward);
            change.subject = change.subject.with_identity(&format!("{awkward} identity"));
            let mut notes = std::mem::take(&mut change.notes).into_vec();
            notes.push(awkward.to_string());
            change.notes = notes.into();
        }
        plan.warnings.push(awkward.to_string());
        let mut rendered = Vec::new();
        render_json(&plan, Layout::Compact, &mut rendered).expect("rendered");
        let mut expected = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut expected, InertStrings(CompactFormatter));
        document::streaming_document(&plan)
            .serialize(&mut serializer)
            .expect("serialized");
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(rendered).expect("UTF-8"),
            String::from_utf8(expected).expect("UTF-8")
        );
    }

    #[test]
    fn ordinary_strings_are_written_as_serde_json_writes_them() {
        for text in ["Pilar Pinilla", "C:\\x \"q\"", "# [x] ##", "Zoë 日本"] {
            assert_eq!(written(text), serde_json::to_string(text).expect("JSON"));
        }
    }
}
