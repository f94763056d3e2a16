//! Untrusted input stays inert in every output, as an attacker would try it: in GitHub Actions
//! (`GITHUB_ACTIONS=true`) a line of output that starts with `::`, or holds `##[`, is a workflow
//! command the runner obeys. Each hostile value goes in through a policy's YAML value, a policy
//! file's name and a state file's value, and every line the binary prints is checked: only
//! auditform's own annotations may start with `::`, nothing may hold `##[` or a raw line or
//! paragraph separator, and the hostile value must still be shown, escaped.

use crate::support::cli::{auditform, repo};
use std::path::Path;
use std::process::Output;

/// Every class of line break, control character and workflow command opener, each carrying a
/// command the runner would obey if the value were printed raw.
const VECTORS: [(&str, &str); 13] = [
    ("newline", "X\n::stop-commands::pwned"),
    ("carriage return", "X\r::stop-commands::pwned"),
    ("carriage return and newline", "X\r\n::add-mask::pwned"),
    ("next line (NEL)", "X\u{85}::stop-commands::pwned"),
    ("line separator", "X\u{2028}::stop-commands::pwned"),
    ("paragraph separator", "X\u{2029}::stop-commands::pwned"),
    (
        "vertical tab and form feed",
        "X\u{b}\u{c}::stop-commands::pwned",
    ),
    (
        "terminal escape",
        "X\u{1b}[2K\u{1b}[1G::stop-commands::pwned",
    ),
    ("a command at the start", "::stop-commands::pwned"),
    ("an annotation", "::error file=a.yaml,line=1::pwned"),
    ("an old-style command", "X ##[error]pwned"),
    ("an encoded newline", "X%0A::stop-commands::pwned"),
    ("an encoded newline alone", "X%0Apwned"),
];

/// The characters that must never reach the output raw, whatever the vector.
const RAW: [char; 7] = [
    '\u{85}', '\u{2028}', '\u{2029}', '\u{b}', '\u{c}', '\u{1b}', '\u{0}',
];

/// A YAML double-quoted scalar holding exactly `text`: everything outside printable ASCII is
/// an escape, so that the file holds the hostile characters only as the parser reads them.
fn yaml_quoted(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            ' '..='~' => quoted.push(c),
            c => quoted.push_str(&format!("\\U{:08x}", u32::from(c))),
        }
    }
    quoted.push('"');
    quoted
}

/// Runs the binary in `checkout` as a workflow step would.
fn in_github_actions(checkout: &Path, args: &[&str]) -> Output {
    auditform()
        .current_dir(checkout)
        .args(args)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", checkout)
        .output()
        .expect("the binary runs")
}

/// Lines as the runner reads them: it breaks at `\n` and at `\r`.
fn runner_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r'])
}

/// Checks every line of both streams; `shown` must appear somewhere, proving the hostile value
/// was printed (escaped) rather than dropped.
fn assert_inert(output: &Output, case: &str, shown: &str) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let everything = format!("{stdout}\n{stderr}");
    assert!(
        everything.contains(shown),
        "{case}: the value is not shown:\n{everything}"
    );
    for c in RAW {
        assert!(
            !everything.contains(c),
            "{case}: raw {c:?} in the output:\n{everything}"
        );
    }
    for line in runner_lines(&everything) {
        assert!(!line.contains("##["), "{case}: `##[` in {line:?}");
        let trimmed = line.trim_start();
        if trimmed.starts_with("::") {
            assert_own_annotation(case, trimmed);
        }
    }
}

/// A line that starts with `::` must be one auditform wrote: an error, warning or notice whose
/// properties and data hold nothing the runner would split on or decode into a new command.
fn assert_own_annotation(case: &str, line: &str) {
    let rest = ["::error", "::warning", "::notice"]
        .iter()
        .find_map(|command| line.strip_prefix(command))
        .unwrap_or_else(|| panic!("{case}: a workflow command auditform never writes: {line:?}"));
    let (properties, data) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("{case}: no data in {line:?}"));
    if !properties.is_empty() {
        let properties = properties
            .strip_prefix(' ')
            .unwrap_or_else(|| panic!("{case}: malformed {line:?}"));
        let keys: Vec<&str> = properties
            .split(',')
            .map(|pair| pair.split_once('=').map_or(pair, |(key, _)| key))
            .collect();
        assert_eq!(keys, ["file", "line", "col", "title"], "{case}: {line:?}");
    }
    // What the runner shows after decoding: no line of it may pass for a command either.
    let decoded = data
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%");
    for decoded_line in runner_lines(&decoded) {
        let trimmed = decoded_line.trim_start();
        assert!(
            !trimmed.starts_with("::") && !trimmed.contains("##["),
            "{case}: {line:?} decodes to {decoded:?}"
        );
        assert!(
            !trimmed.starts_with("pwned"),
            "{case}: the value's own line break was decoded in {line:?}"
        );
    }
}

const HEADER: &str = "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\n";

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("written");
}

/// A checkout with `policies/` holding the given files.
fn checkout(files: &[(&str, String)]) -> tempfile::TempDir {
    let checkout = tempfile::tempdir().expect("a temporary directory");
    let policies = checkout.path().join("policies");
    std::fs::create_dir(&policies).expect("mkdir");
    for (name, text) in files {
        write(&policies.join(name), text);
    }
    checkout
}

#[test]
fn a_hostile_yaml_value_echoed_in_an_error_is_inert() {
    for (case, vector) in VECTORS {
        let policy = format!(
            "{HEADER}metadata: {{name: p}}\nspec:\n  selector: {{}}\n  audit:\n    owner: {{add: [{}]}}\n",
            yaml_quoted(vector)
        );
        let checkout = checkout(&[("p.yaml", policy)]);
        let output = in_github_actions(checkout.path(), &["validate", "--policies", "policies"]);
        assert_eq!(output.status.code(), Some(1), "{case}");
        assert_inert(&output, case, "pwned");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("::error file=policies/p.yaml,line=7,"),
            "{case}: the error is annotated on its line:\n{stderr}"
        );
    }
}

#[test]
fn a_hostile_identity_in_a_policy_is_inert_in_the_plan_and_its_warning() {
    for (case, vector) in VECTORS {
        let policy = format!(
            "{HEADER}metadata: {{name: p}}\nspec:\n  selector: {{identities: [{}]}}\n  audit: {{enabled: true}}\n",
            yaml_quoted(vector)
        );
        let checkout = checkout(&[("p.yaml", policy)]);
        let state = repo().join("examples/tenant.json");
        let state = state.to_str().expect("UTF-8 path");
        for format in ["text", "markdown", "json"] {
            let output = in_github_actions(
                checkout.path(),
                &[
                    "plan",
                    "--policies",
                    "policies",
                    "--state",
                    state,
                    "--format",
                    format,
                ],
            );
            assert_eq!(output.status.code(), Some(0), "{case} ({format})");
            assert_inert(&output, &format!("{case} ({format})"), "pwned");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("::warning::identity `"),
                "{case} ({format}): the warning is annotated:\n{stderr}"
            );
        }
    }
}

#[test]
fn a_hostile_policy_file_name_is_inert_in_the_error_and_its_annotation() {
    for (case, vector) in VECTORS {
        if vector.contains('/') {
            continue;
        }
        let policy = format!(
            "{HEADER}metadata: {{name: p}}\nspec:\n  selector: {{}}\n  audit:\n    ownr: default\n"
        );
        let name = format!("{vector}.yaml");
        let checkout = checkout(&[(name.as_str(), policy)]);
        let output = in_github_actions(checkout.path(), &["validate", "--policies", "policies"]);
        assert_eq!(output.status.code(), Some(1), "{case}");
        assert_inert(&output, case, "pwned.yaml");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("::error file=policies/"),
            "{case}: the error is annotated on the file:\n{stderr}"
        );
    }
}

/// A state file whose one mailbox is called `name` and audits `owner` for its owner.
fn state_file(dir: &Path, name: &str, owner: &[&str], limit: &str) -> String {
    let mailbox = serde_json::json!({
        "Identity": "m1",
        "ExternalDirectoryObjectId": "00000000-0000-0000-0000-000000000001",
        "DisplayName": name,
        "UserPrincipalName": "m1@contoso.com",
        "PrimarySmtpAddress": "m1@contoso.com",
        "RecipientTypeDetails": "UserMailbox",
        "AuditEnabled": true,
        "AuditLogAgeLimit": limit,
        "AuditAdmin": [],
        "AuditDelegate": [],
        "AuditOwner": owner,
        "DefaultAuditSet": [],
    });
    let path = dir.join("tenant.json");
    write(
        &path,
        &serde_json::to_string_pretty(&[mailbox]).expect("JSON"),
    );
    path.to_str().expect("UTF-8 path").to_string()
}

fn owners_policy() -> String {
    format!("{HEADER}metadata: {{name: owners}}\nspec:\n  selector: {{}}\n  audit:\n    owner: {{exactly: [MailboxLogin]}}\n")
}

#[test]
fn hostile_names_and_actions_in_a_state_file_are_inert_in_every_format() {
    for (case, vector) in VECTORS {
        let checkout = checkout(&[("p.yaml", owners_policy())]);
        let state = state_file(
            checkout.path(),
            vector,
            &["HardDelete", vector],
            "90.00:00:00",
        );
        for format in ["text", "markdown", "json"] {
            let output = in_github_actions(
                checkout.path(),
                &[
                    "plan",
                    "--policies",
                    "policies",
                    "--state",
                    &state,
                    "--format",
                    format,
                ],
            );
            assert_eq!(output.status.code(), Some(0), "{case} ({format})");
            assert_inert(&output, &format!("{case} ({format})"), "pwned");
        }
        let shown = in_github_actions(checkout.path(), &["show", "--state", &state]);
        assert_eq!(shown.status.code(), Some(0), "{case} (show)");
        assert_inert(&shown, &format!("{case} (show)"), "pwned");
    }
}

#[test]
fn a_hostile_state_value_echoed_in_an_error_is_inert() {
    for (case, vector) in VECTORS {
        let checkout = checkout(&[("p.yaml", owners_policy())]);
        let state = state_file(checkout.path(), "Plain", &[], vector);
        let output = in_github_actions(
            checkout.path(),
            &["plan", "--policies", "policies", "--state", &state],
        );
        assert_eq!(output.status.code(), Some(1), "{case}");
        assert_inert(&output, case, "pwned");
    }
}

#[test]
fn a_hostile_display_name_stays_inside_the_scripts_comments() {
    for (case, vector) in VECTORS {
        let checkout = checkout(&[("p.yaml", owners_policy())]);
        let state = state_file(checkout.path(), vector, &[], "90.00:00:00");
        let saved = in_github_actions(
            checkout.path(),
            &[
                "plan",
                "--policies",
                "policies",
                "--state",
                &state,
                "--out",
                "plan.json",
            ],
        );
        assert_eq!(saved.status.code(), Some(0), "{case}");
        let output = in_github_actions(checkout.path(), &["script", "plan.json"]);
        assert_eq!(output.status.code(), Some(0), "{case}");
        assert_inert(&output, case, "pwned");
        let script = String::from_utf8_lossy(&output.stdout);
        for line in runner_lines(&script).filter(|line| line.contains("pwned")) {
            let line = line.trim_start();
            assert!(
                line.starts_with('#') || line.starts_with("Invoke-AuditformStep -Label '"),
                "{case}: the name left its comment or label: {line:?}"
            );
        }
    }
}

#[test]
fn a_literal_percent_0a_is_escaped_so_the_runner_does_not_decode_it() {
    let policy = format!(
        "{HEADER}metadata: {{name: p}}\nspec:\n  selector: {{}}\n  audit:\n    owner: {{add: [{}]}}\n",
        yaml_quoted("X%0Apwned")
    );
    let checkout = checkout(&[("p.yaml", policy)]);
    let output = in_github_actions(checkout.path(), &["validate", "--policies", "policies"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let annotation = runner_lines(&stderr)
        .find(|line| line.starts_with("::error"))
        .expect("an annotation");
    assert!(annotation.contains("X%250Apwned"), "{annotation}");
}
