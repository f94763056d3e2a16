//! Renderers turn plans and state into text for people. They print nothing themselves: each
//! writes to the writer it is given, and the caller decides whether colour is wanted.

pub mod catalog;
pub mod explain;
pub mod group;
pub mod json;
pub mod junit;
pub mod label;
pub mod markdown;
pub mod powershell;
pub mod snapshot;
pub mod state;
pub mod style;
pub mod testing;
pub mod text;
mod text_blocks;

pub use catalog::{render_catalog_json, render_catalog_text};
pub use explain::{
    render_explanation, render_explanation_json, render_policy_report, render_policy_report_json,
};
pub use group::{group_changes, ChangeGroup};
pub use json::render_json;
pub use junit::{render_plan_junit, JunitOptions};
pub use markdown::{render_markdown, COMMENT_LIMIT};
pub use powershell::render_powershell;
pub use snapshot::SnapshotWriter;
pub use state::render_state;
pub use testing::{render_test_json, render_test_junit, render_test_text};
pub use text::render_text;

/// How text output looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colour; the caller decides from NO_COLOR, `--no-color` and whether it is a terminal.
    pub color: bool,
    /// Every mailbox on its own instead of identical changes grouped.
    pub expand: bool,
}
