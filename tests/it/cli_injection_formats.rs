//! The formats beyond the plan's text, Markdown and JSON keep hostile input inert too: JUnit
//! reports of the plan and of the policy tests, and the YAML that `import` prints. Each writes
//! with its own escapes (XML, YAML), and a CI log that shows the file must still see no line
//! break, no logging command and no bidirectional control from the input.

use crate::cli_injection::{
    assert_inert, checkout, in_github_actions, state_file, yaml_quoted, HEADER, VECTORS,
};

#[test]
fn a_hostile_policy_description_is_inert_in_the_plans_junit_report() {
    for (case, vector) in VECTORS {
        let policy = format!(
            "{HEADER}metadata: {{name: owners, description: {}}}\nspec:\n  selector: {{}}\n  audit:\n    owner: {{exactly: [MailboxLogin]}}\n",
            yaml_quoted(vector)
        );
        let checkout = checkout(&[("p.yaml", policy)]);
        let state = state_file(checkout.path(), vector, &["HardDelete"], "90.00:00:00");
        let output = in_github_actions(
            checkout.path(),
            &[
                "plan",
                "--policies",
                "policies",
                "--state",
                &state,
                "--format",
                "junit",
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{case}");
        assert_inert(&output, case, "pwned");
    }
}

#[test]
fn a_hostile_case_name_and_mailbox_are_inert_in_the_tests_junit_report_and_text() {
    for (case, vector) in VECTORS {
        let policy = format!(
            "{HEADER}metadata: {{name: owners}}\nspec:\n  selector: {{}}\n  audit:\n    owner: {{exactly: [MailboxLogin]}}\n"
        );
        let quoted = yaml_quoted(vector);
        let test = format!(
            "apiVersion: auditform/v1\nkind: PolicyTest\nmetadata: {{name: t, description: {quoted}}}\nspec:\n  cases:\n    - name: {quoted}\n      mailboxes:\n        - Identity: {quoted}\n      expect:\n        {quoted}:\n          noChange: true\n"
        );
        let checkout = checkout(&[("p.yaml", policy), ("t.yaml", test)]);
        for format in ["text", "junit"] {
            let output = in_github_actions(
                checkout.path(),
                &["test", "--policies", "policies", "--format", format],
            );
            assert_eq!(output.status.code(), Some(1), "{case} ({format})");
            assert_inert(&output, &format!("{case} ({format})"), "pwned");
        }
    }
}

#[test]
fn hostile_identities_and_actions_are_inert_in_the_imported_yaml_and_read_back_whole() {
    for (case, vector) in VECTORS {
        let checkout = checkout(&[]);
        let dir = checkout.path();
        let mailbox = |id: &str, owner: &[&str]| {
            serde_json::json!({
                "Identity": id,
                "ExternalDirectoryObjectId": id,
                "DisplayName": id,
                "UserPrincipalName": "m@contoso.com",
                "PrimarySmtpAddress": "m@contoso.com",
                "RecipientTypeDetails": "UserMailbox",
                "AuditEnabled": true,
                "AuditLogAgeLimit": "90.00:00:00",
                "AuditAdmin": [],
                "AuditDelegate": [],
                "AuditOwner": owner,
                "DefaultAuditSet": [],
            })
        };
        let tenant = serde_json::json!([
            mailbox(vector, &["HardDelete", "SoftDelete"]),
            mailbox("plain-1", &["HardDelete"]),
            mailbox("plain-2", &["HardDelete"]),
        ]);
        let state = dir.join("tenant.json");
        std::fs::write(&state, tenant.to_string()).expect("written");
        let output = in_github_actions(dir, &["import", "--state", "tenant.json"]);
        assert_eq!(output.status.code(), Some(0), "{case}");
        assert_inert(&output, case, "pwned");
        // The escapes are YAML's own: the policies read back hold the identity exactly.
        let yaml = String::from_utf8(output.stdout).expect("UTF-8");
        let identities: Vec<String> = yaml
            .split("\n---\n")
            .filter_map(|document| serde_yaml::from_str::<serde_yaml::Value>(document).ok())
            .filter_map(|document| {
                let list = document["spec"]["selector"]["identities"].as_sequence()?;
                Some(
                    list.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect::<Vec<_>>(),
                )
            })
            .flatten()
            .collect();
        assert_eq!(identities, [vector.to_string()], "{case}:\n{yaml}");
    }
}

#[test]
fn hostile_names_are_inert_in_the_json_of_explain_test_and_show() {
    for (case, vector) in VECTORS {
        let quoted = yaml_quoted(vector);
        let policy = format!(
            "{HEADER}metadata: {{name: owners, description: {quoted}}}\nspec:\n  selector: {{}}\n  audit:\n    owner: {{exactly: [MailboxLogin]}}\n"
        );
        let test = format!(
            "apiVersion: auditform/v1\nkind: PolicyTest\nmetadata: {{name: t}}\nspec:\n  cases:\n    - name: {quoted}\n      mailboxes:\n        - Identity: {quoted}\n      expect:\n        {quoted}:\n          noChange: true\n"
        );
        let checkout = checkout(&[("p.yaml", policy), ("t.yaml", test)]);
        let state = state_file(checkout.path(), vector, &["HardDelete"], "90.00:00:00");
        let runs: [(&[&str], i32); 4] = [
            (
                &[
                    "explain",
                    "--policies",
                    "policies",
                    "--state",
                    &state,
                    "--format",
                    "json",
                    "m1@contoso.com",
                ],
                0,
            ),
            (
                &[
                    "explain",
                    "--policies",
                    "policies",
                    "--state",
                    &state,
                    "--format",
                    "json",
                    "--policy",
                    "owners",
                ],
                0,
            ),
            (&["test", "--policies", "policies", "--format", "json"], 1),
            (&["show", "--state", &state, "--format", "json"], 0),
        ];
        for (args, code) in runs {
            let output = in_github_actions(checkout.path(), args);
            let run = format!("{case} ({})", args.join(" "));
            assert_eq!(output.status.code(), Some(code), "{run}");
            assert_inert(&output, &run, "pwned");
            let json: serde_json::Value =
                serde_json::from_slice(&output.stdout).expect("the output is JSON");
            assert!(
                json.to_string()
                    .contains(&serde_json::to_string(vector).unwrap()[1..]),
                "{run}: the value is read back whole"
            );
        }
    }
}

#[test]
fn a_hostile_argument_echoed_in_a_usage_error_is_inert() {
    for (case, vector) in VECTORS {
        let checkout = checkout(&[]);
        for args in [
            vec!["plan", "--format", vector],
            vec!["plan", &format!("--format={vector}")],
            vec!["plan", vector],
            vec!["show", "--parallelism", vector],
        ] {
            let output = in_github_actions(checkout.path(), &args);
            let run = format!("{case} ({})", args[..args.len() - 1].join(" "));
            assert_eq!(output.status.code(), Some(1), "{run}");
            assert_inert(&output, &run, "pwned");
        }
    }
}

#[test]
fn a_hostile_declaration_file_name_is_inert_in_the_catalog() {
    let declaration = "apiVersion: auditform/v1\nkind: AuditActionDeclaration\nmetadata: {name: d}\nspec:\n  action: ExampleNewAction\n  logonTypes: [Owner]\n";
    for (case, vector) in VECTORS {
        if vector.contains('/') {
            continue;
        }
        let name = format!("{vector}.yaml");
        let checkout = checkout(&[(name.as_str(), declaration.to_string())]);
        for format in ["text", "json"] {
            let output = in_github_actions(
                checkout.path(),
                &["catalog", "--policies", "policies", "--format", format],
            );
            assert_eq!(output.status.code(), Some(0), "{case} ({format})");
            assert_inert(&output, &format!("{case} ({format})"), "pwned");
        }
    }
}
