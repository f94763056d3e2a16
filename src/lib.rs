//! auditform keeps Exchange Online mailbox auditing in line with YAML policies kept in Git.
//!
//! The core (`catalog`, `model`, `policy`, `plan`) does no I/O and prints nothing; `state`
//! reads and writes tenants, `render` turns plans into text, and `commands` wires them.

pub mod apply;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod error;
pub mod model;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod redact;
pub mod render;
pub mod service;
pub mod state;
pub mod timespan;
