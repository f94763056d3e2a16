//! The file system edges of the core's documents: reading a policy directory, and saving and
//! loading plans. The core turns bytes into policies and plans and back without touching a file;
//! this module, `state` (for tenants) and the commands (for the terminal) do the I/O.

pub mod plan_file;
pub mod policy_dir;
