#![allow(dead_code)]

use auditform_emulator::{
    read_snapshot, ClientCredential, Emulator, EmulatorConfig, EmulatorHandle, Faults,
};
use serde_json::{json, Value};
use std::path::Path;

pub const TENANT: &str = "contoso.onmicrosoft.com";
pub const CLIENT_ID: &str = "app-1";
pub const SECRET: &str = "s3cret";

pub fn config(faults: Faults) -> EmulatorConfig {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tenant.json");
    EmulatorConfig {
        tenant: read_snapshot(&fixture).expect("the fixture is readable"),
        tenant_id: Some(TENANT.into()),
        clients: vec![ClientCredential {
            client_id: CLIENT_ID.into(),
            client_secret: Some(SECRET.into()),
            federated_subjects: Vec::new(),
        }],
        faults,
        ..EmulatorConfig::default()
    }
}

pub fn start(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).expect("the emulator starts")
}

/// What came back: a status and JSON body, or nothing because the connection dropped.
#[derive(Debug, PartialEq)]
pub enum Answer {
    Status(u16, Value, Option<String>),
    Dropped,
}

impl Answer {
    pub fn ok(self) -> Value {
        match self {
            Answer::Status(200, body, _) => body,
            other => panic!("expected 200, got {other:?}"),
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Answer::Status(status, ..) => Some(*status),
            Answer::Dropped => None,
        }
    }

    pub fn body(&self) -> &Value {
        match self {
            Answer::Status(_, body, _) => body,
            Answer::Dropped => panic!("the connection dropped"),
        }
    }

    /// The text an admin reads, where the service puts it: `details[0].message` (the part
    /// after `Id|Type|`), else the inner exception's message, else the error's; a plain-text
    /// answer is its text.
    pub fn service_text(&self) -> String {
        let body = self.body();
        if let Some(text) = body.as_str() {
            return text.to_string();
        }
        let error = &body["error"];
        if let Some(detail) = error["details"][0]["message"].as_str() {
            return detail.splitn(3, '|').last().unwrap_or_default().to_string();
        }
        [
            &error["innererror"]["internalexception"]["message"],
            &error["innererror"]["message"],
            &error["message"],
        ]
        .into_iter()
        .find_map(Value::as_str)
        .unwrap_or_default()
        .to_string()
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(ureq::Error::Transport(_)) => return Answer::Dropped,
    };
    let status = response.status();
    let retry_after = response.header("Retry-After").map(str::to_string);
    let text = response.into_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer::Status(status, body, retry_after)
}

pub fn post_form(url: &str, form: &[(&str, &str)]) -> Answer {
    answer(ureq::post(url).send_form(form))
}

pub fn token(handle: &EmulatorHandle) -> String {
    let body = post_form(
        &handle.token_url(TENANT),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("scope", "https://outlook.office365.com/.default"),
        ],
    )
    .ok();
    body["access_token"].as_str().expect("a token").to_string()
}

pub fn post_json(url: &str, token: &str, body: &Value) -> Answer {
    answer(
        ureq::post(url)
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(body),
    )
}

pub fn cmdlet(name: &str, parameters: Value) -> Value {
    json!({"CmdletInput": {"CmdletName": name, "Parameters": parameters}})
}

pub fn invoke(handle: &EmulatorHandle, token: &str, name: &str, parameters: Value) -> Answer {
    post_json(&handle.invoke_url(TENANT), token, &cmdlet(name, parameters))
}

pub fn mailbox(handle: &EmulatorHandle, name: &str) -> Value {
    let snapshot = handle.snapshot();
    snapshot["mailboxes"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["Identity"] == name).cloned())
        .expect("the mailbox is in the snapshot")
}

/// POSTs JSON with exactly the given headers.
pub fn post_json_with(url: &str, headers: &[(&str, &str)], body: &Value) -> Answer {
    let mut request = ureq::post(url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    answer(request.send_json(body))
}

/// The headers every public client sends with a cmdlet request, for an application.
pub fn client_headers(token: &str, cmdlet: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Authorization", format!("Bearer {token}")),
        (
            "X-AnchorMailbox",
            format!("APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{TENANT}"),
        ),
        ("X-CmdletName", cmdlet.to_string()),
        (
            "client-request-id",
            "00000000-0000-4000-8000-000000000001".into(),
        ),
    ]
}
