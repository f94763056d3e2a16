//! The OAuth 2.0 token endpoint: the client-credentials flow (a client secret or a client
//! assertion), the device-code grant ([`crate::device`]) and refresh tokens. An application's
//! access token is opaque; a person's looks like Entra ID's, a JWT whose `upn` names them, so
//! that a client can anchor its requests to their mailbox. Every token expires after
//! `token_lifetime` seconds.

use crate::http::{Reply, Request, Response};
use crate::routes::wrong_tenant;
use crate::{device, faults, lock, wire, Shared, SCOPE};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Whether a space-separated scope names the endpoint's resource with `/.default`. The emulator
/// stands in for the endpoint, so its own address is a valid resource too, under any host name
/// that reaches it (a client derives the scope from the endpoint it was pointed at).
pub fn scope_names_the_endpoint(scope: &str, request: &Request) -> bool {
    let own_port = request.host().rsplit_once(':').map(|(_, port)| port);
    scope.split_whitespace().any(|item| {
        item == SCOPE
            || item
                .strip_prefix("http://")
                .and_then(|rest| rest.strip_suffix("/.default"))
                .is_some_and(|authority| {
                    authority.rsplit_once(':').map(|(_, port)| port) == own_port
                })
    })
}

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
    let Some(client_id) = field("client_id") else {
        return refuse(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        );
    };
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(DEVICE_CODE_GRANT) => {
            let Some(code) = field("device_code") else {
                return refuse(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'device_code'.".into(),
                );
            };
            return match device::redeem(shared, client_id, code) {
                Ok(user) => Reply::Respond(Response::json(
                    200,
                    &tokens(shared, request, tenant, client_id, Some(&user)),
                )),
                Err(refusal) => refusal,
            };
        }
        Some("refresh_token") => {
            let known =
                field("refresh_token").and_then(|token| lock(&shared.refresh_tokens).remove(token));
            return match known {
                Some((user, issued_to)) if issued_to.eq_ignore_ascii_case(client_id) => {
                    lock(&shared.counters).refreshes += 1;
                    Reply::Respond(Response::json(
                        200,
                        &tokens(shared, request, tenant, client_id, Some(&user)),
                    ))
                }
                _ => refuse(
                    400,
                    "invalid_grant",
                    70000,
                    "The provided refresh token is invalid or was issued to another client.".into(),
                ),
            };
        }
        _ => {
            return refuse(
                400,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type.".into(),
            )
        }
    }
    if !scope_names_the_endpoint(field("scope").unwrap_or(""), request) {
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
    Reply::Respond(Response::json(
        200,
        &tokens(shared, request, tenant, client_id, None),
    ))
}

/// A token answer: an access token that the admin endpoint accepts until it expires, and for a
/// person a refresh token as well.
fn tokens(
    shared: &Shared,
    request: &Request,
    tenant: &str,
    client_id: &str,
    user: Option<&str>,
) -> Value {
    let serial = shared.token_serial.fetch_add(1, Ordering::SeqCst);
    let seed = shared.config.faults.seed;
    let random = |salt: u64| {
        format!(
            "{:016x}{:016x}",
            faults::splitmix(seed ^ serial ^ salt),
            faults::splitmix(serial.wrapping_add(salt))
        )
    };
    let lifetime = shared.config.token_lifetime;
    let access_token = match user {
        None => format!("emu.{}", random(0)),
        Some(user) => {
            let expires = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                + lifetime;
            let header = json!({"typ": "JWT", "alg": "RS256"});
            let claims = json!({
                "aud": format!("http://{}", request.host()),
                "iss": format!("https://sts.windows.net/{tenant}/"),
                "tid": tenant,
                "appid": client_id,
                "upn": user,
                "unique_name": user,
                "scp": "Exchange.Manage",
                "exp": expires,
            });
            format!(
                "{}.{}.{}",
                wire::base64url_encode(header.to_string().as_bytes()),
                wire::base64url_encode(claims.to_string().as_bytes()),
                random(1)
            )
        }
    };
    lock(&shared.tokens).insert(
        access_token.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    lock(&shared.counters).tokens_issued += 1;
    let mut answer = Map::new();
    answer.insert("token_type".into(), "Bearer".into());
    answer.insert("expires_in".into(), lifetime.into());
    answer.insert("ext_expires_in".into(), lifetime.into());
    answer.insert("access_token".into(), access_token.into());
    if let Some(user) = user {
        let refresh_token = format!("emu-rt.{}", random(2));
        lock(&shared.refresh_tokens).insert(
            refresh_token.clone(),
            (user.to_string(), client_id.to_string()),
        );
        answer.insert(
            "scope".into(),
            "https://outlook.office365.com/Exchange.Manage".into(),
        );
        answer.insert("refresh_token".into(), refresh_token.into());
    }
    Value::Object(answer)
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
