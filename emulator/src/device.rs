//! Microsoft Entra ID's device authorization grant, as Microsoft documents the protocol
//! (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code) and RFC 8628
//! defines it: `POST /{tenant}/oauth2/v2.0/devicecode` hands out a device code and a user code,
//! and the token endpoint answers the device-code grant with `authorization_pending` until the
//! person has entered the code, `slow_down` when asked to poll less often,
//! `authorization_declined` when the person said no, `expired_token` when the code ran out,
//! and `bad_verification_code` for a code it never issued. Who the person is, and what they do,
//! is [`DeviceSignIn`]. The `error` values are the protocol's; the `AADSTS` texts beside them
//! are the emulator's own.

use crate::http::{Reply, Request, Response};
use crate::routes::wrong_tenant;
use crate::{faults, lock, wire, Shared};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// What the person at the browser does with the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceResponse {
    /// Signs in: the next poll after the pending ones gets tokens.
    Approve,
    /// Declines the sign-in.
    Decline,
    /// Never enters the code: it expires.
    Ignore,
}

/// The person who signs in at the device-code page, and how the sign-in goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSignIn {
    /// Their user principal name, which their access token carries in `upn`.
    pub user: String,
    pub response: DeviceResponse,
    /// Polls answered `slow_down` first.
    pub slow_down_polls: u32,
    /// Polls answered `authorization_pending` next, before the person acts.
    pub pending_polls: u32,
    /// Seconds the code is valid (`expires_in`; Entra ID gives 900).
    pub expires_in: u64,
    /// Seconds between polls the client is told (`interval`; Entra ID gives 5).
    pub interval: u64,
}

impl Default for DeviceSignIn {
    fn default() -> Self {
        DeviceSignIn {
            user: "admin@contoso.onmicrosoft.com".into(),
            response: DeviceResponse::Approve,
            slow_down_polls: 0,
            pending_polls: 1,
            expires_in: 900,
            interval: 5,
        }
    }
}

/// A device code handed out and not yet redeemed.
pub(crate) struct Pending {
    client_id: String,
    issued: Instant,
    polls: u32,
    redeemed: bool,
}

/// The public client of the ExchangeOnlineManagement module, which exists in every tenant.
pub const EXCHANGE_MODULE_CLIENT_ID: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
pub const VERIFICATION_URI: &str = "https://microsoft.com/devicelogin";

fn refuse(status: u16, error: &str, code: u32, text: &str) -> Reply {
    Reply::Respond(Response::json(
        status,
        &wire::oauth_error(error, code, text),
    ))
}

/// `POST /{tenant}/oauth2/v2.0/devicecode` with `client_id` and `scope`.
pub fn start(shared: &Shared, tenant: &str, request: &Request) -> Reply {
    if let Some(refusal) = wrong_tenant(shared, tenant) {
        return Reply::Respond(refusal);
    }
    let form = wire::parse_form(&String::from_utf8_lossy(&request.body));
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let Some(client_id) = field("client_id") else {
        return refuse(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let known = client_id.eq_ignore_ascii_case(EXCHANGE_MODULE_CLIENT_ID)
        || shared.config.clients.is_empty()
        || shared
            .config
            .clients
            .iter()
            .any(|c| c.client_id.eq_ignore_ascii_case(client_id));
    if !known {
        return refuse(400, "unauthorized_client", 700016, &format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'."));
    }
    if !crate::token::scope_names_the_endpoint(field("scope").unwrap_or(""), request) {
        return refuse(
            400,
            "invalid_scope",
            70011,
            "The provided value for the input parameter 'scope' is not valid.",
        );
    }
    let serial = shared.token_serial.fetch_add(1, Ordering::SeqCst);
    let seed = shared.config.faults.seed;
    let device_code = format!(
        "DAQABAAEAAAD-emu-{:016x}{:016x}",
        faults::splitmix(seed ^ serial ^ 0xD),
        faults::splitmix(serial ^ 0xC0DE)
    );
    let user_code: String = format!("{:016X}", faults::splitmix(seed ^ serial ^ 0x5EED))
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                (b'K' + c as u8 - b'0') as char
            } else {
                c
            }
        })
        .take(9)
        .collect();
    lock(&shared.device_codes).insert(
        device_code.clone(),
        Pending {
            client_id: client_id.to_string(),
            issued: Instant::now(),
            polls: 0,
            redeemed: false,
        },
    );
    let sign_in = &shared.config.device;
    Reply::Respond(Response::json(
        200,
        &json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": VERIFICATION_URI,
            "expires_in": sign_in.expires_in,
            "interval": sign_in.interval,
            "message": format!("To sign in, use a web browser to open the page {VERIFICATION_URI} and enter the code {user_code} to authenticate."),
        }),
    ))
}

/// The device-code grant at the token endpoint: the user to issue tokens to, or the answer
/// that says why not yet.
pub fn redeem(shared: &Shared, client_id: &str, device_code: &str) -> Result<String, Reply> {
    lock(&shared.counters).device_polls += 1;
    let sign_in = &shared.config.device;
    let mut codes = lock(&shared.device_codes);
    let Some(pending) = codes.get_mut(device_code) else {
        return Err(refuse(
            400,
            "bad_verification_code",
            70000,
            "The provided device code is not valid.",
        ));
    };
    if pending.redeemed || !pending.client_id.eq_ignore_ascii_case(client_id) {
        return Err(refuse(
            400,
            "invalid_grant",
            70000,
            "The provided device code has been used or was issued to another client.",
        ));
    }
    if pending.issued.elapsed() >= Duration::from_secs(sign_in.expires_in) {
        return Err(refuse(
            400,
            "expired_token",
            70019,
            "Verification code expired.",
        ));
    }
    pending.polls += 1;
    if pending.polls <= sign_in.slow_down_polls {
        return Err(refuse(
            400,
            "slow_down",
            70016,
            "Polling too often. Slow down.",
        ));
    }
    if pending.polls <= sign_in.slow_down_polls + sign_in.pending_polls {
        return Err(refuse(
            400,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ));
    }
    match sign_in.response {
        DeviceResponse::Approve => {
            pending.redeemed = true;
            Ok(sign_in.user.clone())
        }
        DeviceResponse::Decline => Err(refuse(
            400,
            "authorization_declined",
            70000,
            "The user declined the sign-in.",
        )),
        DeviceResponse::Ignore => Err(refuse(
            400,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )),
    }
}
