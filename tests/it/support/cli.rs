//! Running the built binary as a new user would: from the repository root, so that the
//! defaults (`policies/`, `examples/tenant.json`) are the bundled example, with colour off and
//! without the environment of the machine running the tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;
use std::process::Output;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn auditform() -> Command {
    let mut command = Command::cargo_bin("auditform").expect("the binary is built");
    command
        .current_dir(repo())
        .env_remove("AUDITFORM_STATE")
        .env_remove("AUDITFORM_TENANT")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_WORKSPACE")
        .env("NO_COLOR", "1");
    command
}

pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
