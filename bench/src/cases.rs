//! The benchmark cases, one file each; each prints its Markdown table.

pub mod apply;
pub mod in_process;
pub mod live;
pub mod plan;
