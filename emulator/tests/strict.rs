//! Strict mode refuses a request, or a `$batch` sub-request, that lacks what every public client
//! of the endpoint sends: `Authorization` and `X-AnchorMailbox`.

mod common;

use auditform_emulator::{EmulatorConfig, Faults};
use common::*;
use serde_json::json;

fn strict() -> EmulatorConfig {
    EmulatorConfig {
        strict: true,
        ..config(Faults::default())
    }
}

fn as_refs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

#[test]
fn a_request_without_an_anchor_mailbox_is_refused_and_one_with_it_runs() {
    let handle = start(strict());
    let token = token(&handle);
    let body = cmdlet("Get-OrganizationConfig", json!({}));
    let full = client_headers(&token, "Get-OrganizationConfig");
    let without_anchor: Vec<_> = full
        .iter()
        .filter(|(name, _)| *name != "X-AnchorMailbox")
        .cloned()
        .collect();
    let refused = post_json_with(&handle.invoke_url(TENANT), &as_refs(&without_anchor), &body);
    assert_eq!(refused.status(), Some(400));
    assert!(
        refused.service_text().contains("X-AnchorMailbox"),
        "{refused:?}"
    );
    let accepted = post_json_with(&handle.invoke_url(TENANT), &as_refs(&full), &body);
    assert_eq!(accepted.status(), Some(200));
    assert_eq!(handle.counters().strict_refusals, 1);
    assert_eq!(handle.cmdlet_count("Get-OrganizationConfig"), 1);
}

#[test]
fn a_batch_sub_request_needs_its_own_authorization_and_anchor() {
    let handle = start(strict());
    let token = token(&handle);
    let outer = client_headers(&token, "Set-Mailbox");
    let own: serde_json::Map<String, serde_json::Value> = outer
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect();
    let mut no_authorization = own.clone();
    no_authorization.remove("Authorization");
    let mut no_anchor = own.clone();
    no_anchor.remove("X-AnchorMailbox");
    let request = |id: &str, headers: &serde_json::Map<String, serde_json::Value>| {
        json!({"id": id, "method": "POST", "url": format!("/adminapi/beta/{TENANT}/InvokeCommand"),
            "body": cmdlet("Set-Mailbox", json!({"Identity": "room1@contoso.com", "AuditEnabled": true})),
            "headers": headers})
    };
    let batch = json!({"requests": [
        request("1", &own),
        request("2", &no_authorization),
        request("3", &no_anchor),
        request("4", &serde_json::Map::from_iter([("Content-Type".to_string(), json!("application/json"))])),
    ]});
    let answer = post_json_with(&handle.batch_url(TENANT), &as_refs(&outer), &batch).ok();
    let statuses: Vec<u64> = answer["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 401, 400, 401]);
    assert_eq!(handle.cmdlet_count("Set-Mailbox"), 1);
}

#[test]
fn without_strict_mode_the_same_requests_run() {
    let handle = start(config(Faults::default()));
    let token = token(&handle);
    let answer = invoke(&handle, &token, "Get-OrganizationConfig", json!({}));
    assert_eq!(answer.status(), Some(200));
}

#[test]
fn the_headers_clients_send_are_counted() {
    let handle = start(strict());
    let token = token(&handle);
    let headers = client_headers(&token, "Get-OrganizationConfig");
    post_json_with(
        &handle.invoke_url(TENANT),
        &as_refs(&headers),
        &cmdlet("Get-OrganizationConfig", json!({})),
    )
    .ok();
    let counters = handle.counters();
    assert_eq!(
        counters.anchor_mailboxes.keys().collect::<Vec<_>>(),
        [&format!(
            "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{TENANT}"
        )]
    );
    assert_eq!(
        counters.cmdlet_names.keys().collect::<Vec<_>>(),
        ["Get-OrganizationConfig"]
    );
    assert_eq!(
        counters.client_request_ids,
        ["00000000-0000-4000-8000-000000000001"]
    );
}
