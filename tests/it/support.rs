//! What the integration tests share.

pub mod cli;
pub mod json_schema;
pub mod junit;
pub mod live;
pub mod plans;
