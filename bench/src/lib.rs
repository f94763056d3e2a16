//! Benchmarks for auditform: a deterministic tenant generator, and the measurements that the
//! `auditform-bench` driver runs. Nothing here ships in the `auditform` binary.

pub mod measure;
pub mod rng;
pub mod tenant;
pub mod timeline;
