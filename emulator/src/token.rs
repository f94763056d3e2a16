//! The OAuth 2.0 token endpoint, client-credentials flow: a client secret or a client assertion.

use crate::faults;
use crate::http::{Reply, Request, Response};
use crate::routes::wrong_tenant;
use crate::wire;
use crate::{lock, Shared, SCOPE};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;

pub fn issue(shared: &Shared, tenant: &str, request: &Request) -> Reply {
    if let Some(refusal) = wrong_tenant(shared, tenant) {
        return Reply::Respond(refusal);
    }
    let form = wire::parse_form(&String::from_utf8_lossy(&request.body));
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let refuse = |status: u16, error: &str, code: u32, text: String| {
        Reply::Respond(Response::json(
            status,
            &wire::oauth_error(error, code, &text),
        ))
    };
    if field("grant_type") != Some("client_credentials") {
        return refuse(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type. Use client_credentials.".into(),
        );
    }
    let Some(client_id) = field("client_id") else {
        return refuse(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        );
    };
    // The emulator stands in for the endpoint, so its own address is a valid resource too:
    // a client derives the scope from the endpoint it was pointed at.
    let own_scope = format!("http://{}/.default", request.host());
    if field("scope") != Some(SCOPE) && field("scope") != Some(own_scope.as_str()) {
        return refuse(400, "invalid_scope", 1002012, format!("The provided value for scope {} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", field("scope").unwrap_or("")));
    }
    let client = shared
        .config
        .clients
        .iter()
        .find(|c| c.client_id.eq_ignore_ascii_case(client_id));
    if !shared.config.clients.is_empty() && client.is_none() {
        return refuse(400, "unauthorized_client", 700016, format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'."));
    }
    match (field("client_secret"), field("client_assertion")) {
        (Some(secret), _) => {
            if let Some(expected) = client.and_then(|c| c.client_secret.as_deref()) {
                if secret != expected {
                    return refuse(401, "invalid_client", 7000215, format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."));
                }
            }
        }
        (None, Some(assertion)) => {
            let token_url = format!("http://{}/{tenant}/oauth2/v2.0/token", request.host());
            if field("client_assertion_type")
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return refuse(400, "invalid_request", 50027, "Invalid client_assertion_type; expected urn:ietf:params:oauth:client-assertion-type:jwt-bearer.".into());
            }
            let federated = client
                .map(|c| c.federated_subjects.as_slice())
                .unwrap_or_default();
            if let Err(reason) = check_assertion(assertion, client_id, &token_url, federated) {
                return refuse(
                    401,
                    "invalid_client",
                    50027,
                    format!("JWT token is invalid or malformed: {reason}."),
                );
            }
        }
        (None, None) => {
            return refuse(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into());
        }
    }
    let serial = shared.token_serial.fetch_add(1, Ordering::SeqCst);
    let access_token = format!(
        "emu.{:016x}{:016x}",
        faults::splitmix(shared.config.faults.seed ^ serial),
        faults::splitmix(serial)
    );
    lock(&shared.tokens).insert(access_token.clone());
    lock(&shared.counters).tokens_issued += 1;
    Reply::Respond(Response::json(
        200,
        &json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token}),
    ))
}

/// The issuer of GitHub Actions ID tokens, and the audience Entra ID's federation expects.
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
const FEDERATION_AUDIENCE: &str = "api://AzureADTokenExchange";

/// A client assertion must be a JWT with `aud` this token endpoint (or Entra's), and `iss` and
/// `sub` the client; or a GitHub Actions ID token whose subject the app federates. Its signature
/// is not checked: the emulator holds no keys.
fn check_assertion(
    assertion: &str,
    client_id: &str,
    token_url: &str,
    federated_subjects: &[String],
) -> Result<(), String> {
    let segments: Vec<&str> = assertion.split('.').collect();
    let [header, payload, signature] = segments.as_slice() else {
        return Err("expected three dot-separated segments".into());
    };
    let decode = |segment: &str, what: &str| -> Result<Map<String, Value>, String> {
        let bytes = wire::base64url_decode(segment).ok_or(format!("{what} is not base64url"))?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(format!("{what} is not a JSON object")),
        }
    };
    let header = decode(header, "the header")?;
    let claims = decode(payload, "the payload")?;
    if signature.is_empty()
        || header
            .get("alg")
            .and_then(Value::as_str)
            .is_none_or(|alg| alg == "none")
    {
        return Err("the assertion is not signed".into());
    }
    let claim = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
    if claim("iss") == GITHUB_ISSUER {
        let (subject, audience) = (claim("sub"), claim("aud"));
        if audience != FEDERATION_AUDIENCE || !federated_subjects.iter().any(|s| s == subject) {
            return Err(format!("No matching federated identity record found for presented assertion. Assertion Issuer: '{GITHUB_ISSUER}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'"));
        }
        return Ok(());
    }
    let audience = claim("aud");
    if audience != token_url && !audience.starts_with("https://login.microsoftonline.com/") {
        return Err(format!(
            "the audience '{audience}' is not this token endpoint"
        ));
    }
    if !claim("iss").eq_ignore_ascii_case(client_id)
        || !claim("sub").eq_ignore_ascii_case(client_id)
    {
        return Err("iss and sub must be the client id".into());
    }
    if !claims.get("exp").is_some_and(Value::is_number) {
        return Err("the exp claim is missing".into());
    }
    Ok(())
}
