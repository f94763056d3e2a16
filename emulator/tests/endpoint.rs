mod common;

use auditform_emulator::Faults;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

#[test]
fn a_token_is_issued_for_the_right_secret_and_refused_for_a_wrong_one() {
    let handle = start(config(Faults::default()));
    let form = |secret| {
        post_form(
            &handle.token_url(TENANT),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", secret),
                ("scope", "https://outlook.office365.com/.default"),
            ],
        )
    };
    let granted = form(SECRET).ok();
    assert_eq!(granted["token_type"], "Bearer");
    assert_eq!(granted["expires_in"], 3599);
    let refused = form("wrong");
    assert_eq!(refused.status(), Some(401));
    assert_eq!(refused.body()["error"], "invalid_client");
    assert!(refused.body()["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS7000215"));
}

#[test]
fn a_well_formed_client_assertion_gets_a_token() {
    let handle = start(config(Faults::default()));
    let encode = |value: Value| base64url(value.to_string().as_bytes());
    let assertion = format!(
        "{}.{}.{}",
        encode(json!({"alg": "RS256", "typ": "JWT", "x5t": "abc"})),
        encode(
            json!({"aud": handle.token_url(TENANT), "iss": CLIENT_ID, "sub": CLIENT_ID, "exp": 4102444800u64, "jti": "1"})
        ),
        "c2lnbmF0dXJl"
    );
    let answer = post_form(
        &handle.token_url(TENANT),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
            ("scope", "https://outlook.office365.com/.default"),
        ],
    );
    assert_eq!(answer.status(), Some(200), "{answer:?}");
    let malformed = post_form(
        &handle.token_url(TENANT),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", "not-a-jwt"),
            ("scope", "https://outlook.office365.com/.default"),
        ],
    );
    assert_eq!(malformed.status(), Some(401));
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn a_cmdlet_without_a_valid_token_is_unauthorized() {
    let handle = start(config(Faults::default()));
    let answer = invoke(&handle, "forged", "Get-Mailbox", json!({}));
    assert_eq!(answer.status(), Some(401));
    assert_eq!(handle.cmdlet_count("Get-Mailbox"), 0);
}

#[test]
fn get_mailbox_pages_with_next_link_and_leaves_group_mailboxes_out() {
    let mut config = config(Faults::default());
    config.page_size = 2;
    let handle = start(config);
    let token = token(&handle);
    let body = cmdlet(
        "Get-EXOMailbox",
        json!({"ResultSize": "Unlimited", "PropertySets": ["Minimum", "Audit"]}),
    );
    let first = post_json(&handle.invoke_url(TENANT), &token, &body).ok();
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let next = first["@odata.nextLink"].as_str().expect("a next link");
    let second = post_json(next, &token, &body).ok();
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert!(second.get("@odata.nextLink").is_none());
    let names: Vec<&str> = [&first, &second]
        .iter()
        .flat_map(|page| page["value"].as_array().unwrap())
        .map(|m| m["Identity"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pilar", "marc", "room-1"]);
}

#[test]
fn mailboxes_come_in_the_endpoint_shape() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let mut body = invoke(
        &handle,
        &token,
        "Get-Mailbox",
        json!({"Identity": "marc@contoso.com"}),
    )
    .ok();
    let context = body["@odata.context"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    body["@odata.context"] = context
        .replace(&handle.base_url(), "http://EMULATOR")
        .into();
    insta::assert_json_snapshot!(body);
}

#[test]
fn get_mailbox_filters_by_recipient_type_details() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let filter =
        json!({"Filter": "RecipientTypeDetails -eq 'SharedMailbox' -or Department -like 'fin*'"});
    let body = invoke(&handle, &token, "Get-Mailbox", filter).ok();
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Identity"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pilar", "marc"]);
    let groups = invoke(
        &handle,
        &token,
        "Get-Mailbox",
        json!({"GroupMailbox": true}),
    )
    .ok();
    assert_eq!(groups["value"][0]["Identity"], "all-staff");
}

#[test]
fn set_mailbox_add_and_remove_change_the_list_and_leave_default_audit_set() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let edit = json!({"@odata.type": "#Exchange.GenericHashTable", "Add": ["MailboxLogin"], "Remove": ["Send"]});
    let answer = invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "11111111-1111-1111-1111-111111111111", "AuditOwner": edit}),
    );
    assert_eq!(answer.status(), Some(200), "{answer:?}");
    let pilar = mailbox(&handle, "pilar");
    let owner: Vec<&str> = pilar["AuditOwner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(owner.contains(&"MailboxLogin") && !owner.contains(&"Send"));
    assert_eq!(pilar["DefaultAuditSet"], json!(["Admin", "Delegate"]));
    assert_eq!(handle.set_mailbox_count("pilar@contoso.com"), 1);
    assert_eq!(handle.cmdlet_count("set-mailbox"), 1);
}

#[test]
fn set_mailbox_replaces_a_list_and_restores_defaults() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    invoke(&handle, &token, "Set-Mailbox", json!({"Identity": "marc@contoso.com", "AuditAdmin": ["Copy", "FolderBind"], "AuditLogAgeLimit": "180.00:00:00"})).ok();
    invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "marc@contoso.com", "DefaultAuditSet": ["Owner"]}),
    )
    .ok();
    let marc = mailbox(&handle, "marc");
    assert_eq!(marc["AuditAdmin"], json!(["Copy", "FolderBind"]));
    assert_eq!(marc["AuditLogAgeLimit"], "180.00:00:00");
    assert_eq!(marc["DefaultAuditSet"], json!(["Owner"]));
    assert!(!marc["AuditOwner"]
        .as_array()
        .unwrap()
        .contains(&json!("MessageBind")));
}

#[test]
fn a_cmdlets_error_is_in_details_and_a_binding_error_in_the_inner_exception() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let refused = invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "pilar", "AuditOwner": {"@odata.type": "#Exchange.GenericHashTable", "Add": ["Copy"]}}),
    );
    let error = &refused.body()["error"];
    let detail = error["details"][0]["message"].as_str().unwrap();
    let parts: Vec<&str> = detail.splitn(3, '|').collect();
    assert!(parts[0].starts_with("Ex"), "{detail}");
    assert_eq!(
        parts[1..],
        [
            "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
            "Invalid audit operation specified. Supported audit operations for Mailbox Owner are None, Create, SoftDelete, HardDelete, Update, Move, MoveToDeletedItems, MailboxLogin and UpdateFolderPermissions."
        ]
    );
    assert_eq!(
        error["innererror"]["internalexception"]["message"],
        "Exception of type 'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException' was thrown."
    );
    assert_eq!(error["message"], "Error executing cmdlet");
    let missing = invoke(
        &handle,
        &token,
        "Get-Mailbox",
        json!({"Identity": "nobody@contoso.com"}),
    );
    assert!(missing.body()["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with(
            "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|"
        ));
    let binding = invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "pilar", "AuditOwnr": []}),
    );
    let error = &binding.body()["error"];
    assert!(error.get("details").is_none());
    assert_eq!(
        error["innererror"]["internalexception"]["message"],
        "A parameter cannot be found that matches parameter name 'AuditOwnr'."
    );
}

#[test]
fn each_refusal_carries_the_service_text() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let add = |identity: &str, property: &str, action: &str| {
        let parameters = json!({"Identity": identity, property: {"@odata.type": "#Exchange.GenericHashTable", "Add": [action]}});
        let answer = invoke(&handle, &token, "Set-Mailbox", parameters);
        format!("{} {}", answer.status().unwrap_or(0), answer.service_text())
    };
    let report = [
        ("unknown action", add("pilar", "AuditOwner", "MailboxLogon")),
        (
            "MessageBind for Owner",
            add("pilar", "AuditOwner", "MessageBind"),
        ),
        (
            "MessageBind with Audit (Premium)",
            add("pilar", "AuditAdmin", "MessageBind"),
        ),
        (
            "wrong logon type",
            add("pilar", "AuditAdmin", "MailboxLogin"),
        ),
        (
            "licence",
            add("marc@contoso.com", "AuditOwner", "SearchQueryInitiated"),
        ),
        (
            "group mailbox without -GroupMailbox",
            add("all-staff", "AuditOwner", "MailboxLogin"),
        ),
        ("group mailbox lists", {
            let parameters = json!({"Identity": "all-staff", "GroupMailbox": true, "AuditOwner": {"Add": ["MailboxLogin"]}});
            let answer = invoke(&handle, &token, "Set-Mailbox", parameters);
            format!("{} {}", answer.status().unwrap_or(0), answer.service_text())
        }),
        ("-GroupMailbox on a user mailbox", {
            let parameters = json!({"Identity": "pilar", "GroupMailbox": true, "AuditLogAgeLimit": "180"});
            let answer = invoke(&handle, &token, "Set-Mailbox", parameters);
            format!("{} {}", answer.status().unwrap_or(0), answer.service_text())
        }),
        (
            "not found",
            add("nobody@contoso.com", "AuditOwner", "MailboxLogin"),
        ),
        ("ambiguous", add("Marc", "AuditOwner", "MailboxLogin")),
        ("unknown parameter", {
            let answer = invoke(
                &handle,
                &token,
                "Set-Mailbox",
                json!({"Identity": "pilar", "AuditOwnr": []}),
            );
            format!("{} {}", answer.status().unwrap_or(0), answer.service_text())
        }),
    ]
    .map(|(case, text)| format!("{case}:\n  {text}"))
    .join("\n");
    insta::assert_snapshot!(report);
    assert_eq!(
        handle.counters().set_mailbox.len(),
        0,
        "a refused call applies nothing"
    );
}

#[test]
fn a_batch_runs_each_request_and_refuses_more_than_ten() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let request = |id: &str, body: Value| json!({"id": id, "method": "POST", "url": format!("/adminapi/beta/{TENANT}/InvokeCommand"), "body": body, "headers": {"Content-Type": "application/json"}});
    let batch = json!({"requests": [
        request("1", cmdlet("Set-Mailbox", json!({"Identity": "room1@contoso.com", "AuditEnabled": true}))),
        request("2", cmdlet("Set-Mailbox", json!({"Identity": "pilar", "AuditOwner": {"Add": ["Copy"]}}))),
        request("3", cmdlet("Get-OrganizationConfig", json!({}))),
    ]});
    let body = post_json(&handle.batch_url(TENANT), &token, &batch).ok();
    let statuses: Vec<(&str, u64)> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(statuses, [("1", 200), ("2", 400), ("3", 200)]);
    assert_eq!(
        body["responses"][2]["body"]["value"][0]["AuditDisabled"],
        false
    );
    assert_eq!(mailbox(&handle, "room-1")["AuditEnabled"], true);
    let eleven = json!({"requests": (0..11).map(|i| request(&i.to_string(), cmdlet("Get-OrganizationConfig", json!({})))).collect::<Vec<_>>()});
    let refused = post_json(&handle.batch_url(TENANT), &token, &eleven);
    assert_eq!(refused.status(), Some(400));
    assert!(
        refused.service_text().contains("limit is 10"),
        "{refused:?}"
    );
}

#[test]
fn organization_and_bypass_settings_can_be_read_and_changed() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    invoke(
        &handle,
        &token,
        "Set-OrganizationConfig",
        json!({"AuditDisabled": true}),
    )
    .ok();
    invoke(
        &handle,
        &token,
        "Set-MailboxAuditBypassAssociation",
        json!({"Identity": "svc-backup", "AuditBypassEnabled": false}),
    )
    .ok();
    invoke(
        &handle,
        &token,
        "Set-MailboxAuditBypassAssociation",
        json!({"Identity": "pilar@contoso.com", "AuditBypassEnabled": true}),
    )
    .ok();
    let organization = invoke(&handle, &token, "Get-OrganizationConfig", json!({})).ok();
    assert_eq!(organization["value"][0]["AuditDisabled"], true);
    let bypass = invoke(
        &handle,
        &token,
        "Get-MailboxAuditBypassAssociation",
        json!({}),
    )
    .ok();
    let entries: Vec<(&str, bool)> = bypass["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["Name"].as_str().unwrap(),
                b["AuditBypassEnabled"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(entries, [("svc-backup", false), ("pilar", true)]);
}

#[test]
fn an_out_of_band_change_is_what_the_next_read_returns() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    handle
        .set_mailbox_property("pilar", "AuditEnabled", json!(false))
        .unwrap();
    let body = invoke(&handle, &token, "Get-Mailbox", json!({"Identity": "pilar"})).ok();
    assert_eq!(body["value"][0]["AuditEnabled"], false);
}

#[test]
fn cmdlets_beyond_the_concurrency_limit_are_answered_in_plain_text() {
    let handle = start(config(Faults {
        max_concurrency: 1,
        latency: Duration::from_millis(400),
        ..Faults::default()
    }));
    let token = token(&handle);
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| invoke(&handle, &token, "Get-OrganizationConfig", json!({}))))
            .collect();
        calls.into_iter().map(|call| call.join().unwrap()).collect()
    });
    let throttled: Vec<&Answer> = answers.iter().filter(|a| a.status() == Some(400)).collect();
    assert_eq!(
        answers.iter().filter(|a| a.status() == Some(200)).count(),
        1
    );
    assert_eq!(throttled.len(), 2);
    assert_eq!(
        throttled[0].body(),
        &json!("You have reached the maximum number of concurrent requests per tenant. Please wait and try again."),
        "plain text, not JSON"
    );
}

#[test]
fn a_permanently_failing_identity_fails_every_time_and_others_go_on() {
    let handle = start(config(Faults {
        failing_identities: vec!["marc@contoso.com".into()],
        ..Faults::default()
    }));
    let token = token(&handle);
    for _ in 0..2 {
        let answer = invoke(
            &handle,
            &token,
            "Set-Mailbox",
            json!({"Identity": "22222222-2222-2222-2222-222222222222", "AuditEnabled": true}),
        );
        assert_eq!(answer.status(), Some(400));
        assert!(answer
            .service_text()
            .contains("not within a valid server write scope"));
    }
    let other = invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "pilar", "AuditEnabled": true}),
    );
    assert_eq!(other.status(), Some(200));
}

fn faulty_run(seed: u64) -> Vec<String> {
    let handle = start(config(Faults {
        rate_429: 0.2,
        rate_5xx: 0.2,
        rate_drop: 0.15,
        retry_after_seconds: 2,
        seed,
        ..Faults::default()
    }));
    let token = token(&handle);
    (0..40)
        .map(|i| {
            let limit = format!("{}.00:00:00", 90 + i % 3);
            match invoke(
                &handle,
                &token,
                "Set-Mailbox",
                json!({"Identity": "pilar", "AuditLogAgeLimit": limit}),
            ) {
                Answer::Dropped => "dropped".to_string(),
                Answer::Status(status, _, retry_after) => {
                    format!("{status} {}", retry_after.unwrap_or_default())
                }
            }
        })
        .collect()
}

#[test]
fn seeded_faults_repeat_from_run_to_run() {
    let first = faulty_run(7);
    assert_eq!(first, faulty_run(7));
    for outcome in ["dropped", "429 2", "200 "] {
        assert!(
            first.iter().any(|o| o == outcome),
            "{outcome} never happened: {first:?}"
        );
    }
    assert!(
        first.iter().any(|o| o.starts_with('5')),
        "no 5xx: {first:?}"
    );
    assert_ne!(first, faulty_run(8));
}

/// Evidence W2: an Add of an action already audited is a silent no-op in today's service; the
/// design's "already being audited" refusal is a mode, for testing clients against it.
#[test]
fn an_add_of_an_action_already_audited_is_silent_unless_the_designs_text_is_asked_for() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let again = json!({"Identity": "pilar", "AuditOwner": {"Add": ["HardDelete"]}});
    let answer = invoke(&handle, &token, "Set-Mailbox", again.clone());
    assert_eq!(answer.status(), Some(200));
    assert_eq!(
        mailbox(&handle, "pilar")["DefaultAuditSet"],
        json!(["Admin", "Delegate"])
    );

    let mut strict = config(Faults::default());
    strict.service.duplicate_add = auditform_emulator::rules::DuplicateAdd::AlreadyAudited;
    let handle = start(strict);
    let strict_token = common::token(&handle);
    let answer = invoke(&handle, &strict_token, "Set-Mailbox", again);
    assert_eq!(answer.status(), Some(400));
    assert_eq!(
        answer.service_text(),
        auditform_emulator::rules::ALREADY_AUDITED
    );
    assert_eq!(
        mailbox(&handle, "pilar")["DefaultAuditSet"],
        json!(["Admin", "Delegate", "Owner"]),
        "a refused call changes nothing"
    );
}

/// DESIGN §1.2: a group mailbox's AuditLogAgeLimit is set with -GroupMailbox, and only group
/// mailboxes come back from Get-Mailbox -GroupMailbox; Get-EXOMailbox has no such switch.
#[test]
fn a_group_mailbox_age_limit_is_set_with_the_switch() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let set = json!({"Identity": "all-staff", "GroupMailbox": true, "AuditLogAgeLimit": "180.00:00:00", "Force": true});
    assert_eq!(
        invoke(&handle, &token, "Set-Mailbox", set).status(),
        Some(200)
    );
    let groups = invoke(
        &handle,
        &token,
        "Get-Mailbox",
        json!({"GroupMailbox": true}),
    )
    .ok();
    assert_eq!(groups["value"].as_array().unwrap().len(), 1);
    assert_eq!(groups["value"][0]["AuditLogAgeLimit"], "180.00:00:00");
    let exo = invoke(
        &handle,
        &token,
        "Get-EXOMailbox",
        json!({"GroupMailbox": true}),
    );
    assert_eq!(exo.status(), Some(400));
}

/// A newer service knows operations newer than the 2023 table; the emulator learns them from
/// its model.
#[test]
fn an_operation_newer_than_the_table_is_known_when_the_service_model_says_so() {
    let add = json!({"Identity": "pilar", "AuditOwner": {"Add": ["ExampleNewAction"]}});
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let refused = invoke(&handle, &token, "Set-Mailbox", add.clone());
    assert_eq!(refused.status(), Some(400));
    assert!(refused
        .service_text()
        .contains("Unable to match the identifier name ExampleNewAction"));

    let mut newer = config(Faults::default());
    newer
        .service
        .newer_operations
        .push(auditform_emulator::audit::Operation {
            name: "ExampleNewAction".into(),
            valid: [true, true, true],
            default: [false, false, true],
            licence: auditform_emulator::audit::Licence::Any,
        });
    let handle = start(newer);
    let newer_token = common::token(&handle);
    assert_eq!(
        invoke(&handle, &newer_token, "Set-Mailbox", add).status(),
        Some(200)
    );
    let owner = mailbox(&handle, "pilar")["AuditOwner"].clone();
    assert_eq!(
        owner.as_array().unwrap().last().unwrap(),
        "ExampleNewAction"
    );
}

/// An unknown action fails PowerShell's argument transformation, before the cmdlet runs: the
/// text is in the inner exception, with no `details` (a live capture for another enum
/// parameter, evidence §3.5).
#[test]
fn an_unknown_action_is_a_transformation_error_without_details() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let answer = invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "pilar", "AuditOwner": {"Add": ["MailboxLogon"]}}),
    );
    assert_eq!(answer.status(), Some(400));
    let error = &answer.body()["error"];
    assert!(error.get("details").is_none(), "{error}");
    assert_eq!(
        error["innererror"]["internalexception"]["type"],
        "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException"
    );
    assert!(error["innererror"]["internalexception"]["message"]
        .as_str()
        .unwrap()
        .contains("Unable to match the identifier name MailboxLogon to a valid enumerator name"));
}

#[test]
fn select_narrows_every_page_to_the_named_properties_and_the_next_link_keeps_it() {
    let mut config = config(Faults::default());
    config.page_size = 2;
    let handle = start(config);
    let token = token(&handle);
    let body = cmdlet("Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    // Any case, as CIPP-API's `-Select 'userPrincipalName,GUID'`.
    let url = format!(
        "{}?$select=identity,auditADMIN,department",
        handle.invoke_url(TENANT)
    );
    let first = post_json(&url, &token, &body).ok();
    let next = first["@odata.nextLink"].as_str().expect("a next link");
    let second = post_json(next, &token, &body).ok();
    let pages = [&first, &second];
    let mailboxes: Vec<&serde_json::Map<String, Value>> = pages
        .iter()
        .flat_map(|page| page["value"].as_array().unwrap())
        .map(|mailbox| mailbox.as_object().unwrap())
        .collect();
    assert_eq!(mailboxes.len(), 3);
    // In the mailbox's own order, annotations beside their property.
    let pilar: Vec<&str> = mailboxes[0].keys().map(String::as_str).collect();
    assert_eq!(
        pilar,
        [
            "Identity",
            "Department",
            "AuditAdmin@odata.type",
            "AuditAdmin"
        ]
    );
    // A property a mailbox lacks is left out, not made up.
    assert!(mailboxes[1].get("Department").is_none());
    assert_eq!(mailboxes[2]["Identity"], "room-1");
    assert_eq!(
        handle.counters().selects.values().sum::<u64>(),
        2,
        "{:?}",
        handle.counters().selects
    );
}

#[test]
fn every_cmdlet_that_held_a_slot_is_on_the_timeline_with_listing_pages_told_apart() {
    let mut config = config(Faults::default());
    config.page_size = 2;
    let handle = start(config);
    let token = token(&handle);
    let body = cmdlet("Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    let first = post_json(&handle.invoke_url(TENANT), &token, &body).ok();
    post_json(first["@odata.nextLink"].as_str().unwrap(), &token, &body).ok();
    invoke(&handle, &token, "Get-Mailbox", json!({"Identity": "pilar"})).ok();
    invoke(&handle, &token, "Get-OrganizationConfig", json!({})).ok();
    let timeline = handle.counters().timeline;
    let seen: Vec<(&str, bool)> = timeline
        .iter()
        .map(|span| (span.cmdlet.as_str(), span.listing))
        .collect();
    assert_eq!(
        seen,
        [
            ("get-mailbox", true),
            ("get-mailbox", true),
            ("get-mailbox", false),
            ("get-organizationconfig", false)
        ]
    );
    assert!(timeline
        .windows(2)
        .all(|pair| pair[0].finished <= pair[1].started));
}

#[test]
fn an_unapplied_write_answers_success_and_leaves_the_mailbox_as_it_was() {
    let handle = start(config(Faults {
        unapplied_writes: vec!["pilar@contoso.com".into()],
        ..Faults::default()
    }));
    let token = token(&handle);
    let before = mailbox(&handle, "pilar");
    let answer = invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "pilar", "AuditLogAgeLimit": "180.00:00:00"}),
    )
    .ok();
    assert!(answer.get("@adminapi.errors").is_none(), "{answer}");
    assert_eq!(mailbox(&handle, "pilar"), before);
    invoke(
        &handle,
        &token,
        "Set-Mailbox",
        json!({"Identity": "marc@contoso.com", "AuditLogAgeLimit": "180.00:00:00"}),
    )
    .ok();
    assert_eq!(mailbox(&handle, "marc")["AuditLogAgeLimit"], "180.00:00:00");
}

#[test]
fn an_identity_still_resolves_after_a_change_from_outside_renames_a_mailbox() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    invoke(&handle, &token, "Get-Mailbox", json!({"Identity": "pilar"})).ok();
    handle
        .set_mailbox_property("pilar", "Alias", json!("pp"))
        .unwrap();
    let body = invoke(&handle, &token, "Get-Mailbox", json!({"Identity": "PP"})).ok();
    assert_eq!(body["value"][0]["Identity"], "pilar");
    let gone = invoke(
        &handle,
        &token,
        "Get-Mailbox",
        json!({"Identity": "pilar-2"}),
    );
    assert_eq!(gone.status(), Some(404));
}
