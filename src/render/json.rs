//! `--format json`: the plan's JSON document, for tools. The document, and reading it back, are
//! the plan's own ([`crate::plan::document`]), since saved plan files carry the same document;
//! this renderer only writes it.

use crate::plan::{document, Plan};
use std::io::{self, Write};

/// Writes the plan's document, pretty-printed and ending in a newline. The same plan always
/// gives the same bytes.
pub fn render_json(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    document::write(plan, out)
}
