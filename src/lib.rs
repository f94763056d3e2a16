//! auditform keeps Exchange Online mailbox auditing in line with YAML policies kept in Git.
//!
//! The core (`english`, `timespan`, `catalog`, `model`, `service`, `policy`, `plan`, `explain`,
//! `testing`) does no I/O and prints nothing; `files` reads policies and plan files, `state`
//! reads and writes tenants, `render` turns plans into text, and `commands` wires them.
//! docs/architecture.md says where each part lives, and tests/it/architecture.rs keeps the core
//! pure.

// The one exception, libyaml's event API, is allowed in `policy::load::yaml::events`.
#![deny(unsafe_code)]

pub mod apply;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod english;
pub mod error;
pub mod explain;
pub mod files;
pub mod inert;
pub mod model;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod redact;
pub mod render;
pub mod service;
pub mod state;
pub mod testing;
pub mod timespan;
