//! `--format json`: the plan's JSON document, for tools. The document, and reading it back, are
//! the plan's own ([`crate::plan::document`]), since saved plan files carry the same document;
//! this renderer only writes it.

use crate::plan::document::{self, Layout};
use crate::plan::Plan;
use std::io::{self, Write};

/// Writes the plan's document, ending in a newline: compact, as `terraform show -json` writes
/// its plan, or indented with [`Layout::Pretty`]. The same plan always gives the same bytes.
pub fn render_json(plan: &Plan, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    document::write(plan, layout, out)
}
