//! Signing in as a person, with no app registration, the way `Connect-ExchangeOnline -Device`
//! does: the OAuth 2.0 device authorization grant (RFC 8628) against Microsoft Entra ID,
//! with the ExchangeOnlineManagement module's own public client.
//!
//! - The client id is the module's, "Microsoft Exchange REST API Based PowerShell"
//!   (`fb78d390-0c51-40cd-8e17-fdbfab77341b`): ExoHelper names it as the module's
//!   (GreyCorbel/ExoHelper, Commands/Public/Get-ExoDefaultClientId.ps1 and the comment in
//!   Commands/Public/New-ExoConnection.ps1), and MSAL code that stands in for the module
//!   builds its public client from it. It exists in every tenant. `AUDITFORM_CLIENT_ID`
//!   replaces it for a tenant that allows only its own public client.
//! - The scope is the endpoint's resource, `https://outlook.office365.com/.default` in the
//!   worldwide cloud, with `offline_access` for a refresh token (MSAL adds it to every
//!   request it makes).
//! - Wire, from Microsoft's protocol documentation
//!   (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code):
//!   `POST {authority}/{tenant}/oauth2/v2.0/devicecode` with `client_id` and `scope` answers
//!   `device_code`, `user_code`, `verification_uri`, `expires_in`, `interval`; then
//!   `POST {authority}/{tenant}/oauth2/v2.0/token` with
//!   `grant_type=urn:ietf:params:oauth:grant-type:device_code`, `client_id` and `device_code`,
//!   every `interval` seconds, answers `authorization_pending` until the person has signed
//!   in, `authorization_declined` when they said no, `expired_token` when the code ran out,
//!   `bad_verification_code` for a code the authority does not know, and `slow_down`
//!   (RFC 8628 §3.5: poll 5 seconds less often from then on).
//!
//! The code and the page are shown to the person on stderr; the tokens stay in memory and are
//! never written anywhere. The access token is renewed with the refresh token.

use super::entra::{entra_description, post_form, request_token, token_answer, AuthError, Issued};
use super::http::{form, Http, Request};
use super::secret::Secret;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The ExchangeOnlineManagement module's public client ("Microsoft Exchange REST API Based
/// PowerShell").
pub const EXCHANGE_MODULE_CLIENT_ID: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The longest a code is waited for, whatever the authority says.
const LONGEST_WAIT: Duration = Duration::from_secs(30 * 60);

/// What the person needs to sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceCode {
    pub verification_uri: String,
    pub user_code: String,
    pub expires_in: Duration,
}

impl DeviceCode {
    /// The line shown to the person. The page is the authority's word, and a URL keeps `#`,
    /// `[` and `]` in its fragment, so it is shown inert: no logging command in a CI log.
    pub fn instructions(&self) -> String {
        format!(
            "To sign in to Exchange Online, open {} in a browser and enter the code {} (valid for {} minutes).",
            crate::inert::Inert(&self.verification_uri),
            self.user_code,
            self.expires_in.as_secs().div_ceil(60)
        )
    }
}

/// Shows the code to the person. The command line writes it to stderr.
#[derive(Clone)]
pub struct DevicePrompt(Arc<dyn Fn(&DeviceCode) + Send + Sync>);

impl DevicePrompt {
    pub fn new(show: impl Fn(&DeviceCode) + Send + Sync + 'static) -> DevicePrompt {
        DevicePrompt(Arc::new(show))
    }

    /// Writes the instructions to stderr.
    pub fn stderr() -> DevicePrompt {
        DevicePrompt::new(|code| eprintln!("{}", code.instructions()))
    }
}

impl std::fmt::Debug for DevicePrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevicePrompt")
    }
}

/// How often the token endpoint is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePolling {
    /// Added to the interval on every `slow_down` (RFC 8628 §3.5 says 5 seconds).
    pub slow_down_step: Duration,
    /// The interval when the authority names none (RFC 8628 §3.2: 5 seconds).
    pub default_interval: Duration,
    /// Never poll more often than this, whatever the authority says.
    pub min_interval: Duration,
}

impl Default for DevicePolling {
    fn default() -> Self {
        DevicePolling {
            slow_down_step: Duration::from_secs(5),
            default_interval: Duration::from_secs(5),
            min_interval: Duration::from_millis(200),
        }
    }
}

/// The authority's URLs and the client, for one sign-in.
pub struct Authority<'a> {
    pub device_code_url: &'a str,
    pub token_url: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
}

/// Runs the whole flow: asks for a code, shows it, and polls until the person has signed in,
/// declined, or the code expired.
pub fn sign_in(
    http: &Http,
    authority: &Authority<'_>,
    prompt: &DevicePrompt,
    polling: &DevicePolling,
) -> Result<Issued, AuthError> {
    let answer = post_form(
        http,
        authority.device_code_url,
        &[
            ("client_id", authority.client_id),
            ("scope", authority.scope),
        ],
    )?;
    let malformed = || AuthError::Malformed {
        url: authority.device_code_url.to_string(),
    };
    let started = parse_device_code(&answer.body, polling).ok_or_else(malformed)?;
    (prompt.0)(&started.shown);
    poll(http, authority, polling, started)
}

/// A code as the authority gave it.
struct Started {
    shown: DeviceCode,
    device_code: Secret,
    interval: Duration,
}

fn parse_device_code(body: &[u8], polling: &DevicePolling) -> Option<Started> {
    let answer: Value = serde_json::from_slice(body).ok()?;
    let text = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_string);
    let seconds = |name: &str| {
        answer
            .get(name)
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
            .map(Duration::from_secs)
    };
    let device_code = Secret::new(text("device_code").filter(|code| !code.is_empty())?);
    let user_code = text("user_code").filter(|code| {
        (1..=32).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })?;
    // The code is shown once, on the prompt line; anywhere else (the trace) it is redacted.
    crate::redact::register(&user_code);
    let page = text("verification_uri").or_else(|| text("verification_url"))?;
    let page = url::Url::parse(&page)
        .ok()
        .filter(|url| matches!(url.scheme(), "https" | "http") && url.host().is_some())?;
    let expires_in = seconds("expires_in")
        .unwrap_or(Duration::from_secs(900))
        .min(LONGEST_WAIT);
    let interval = seconds("interval")
        .unwrap_or(polling.default_interval)
        .max(polling.min_interval);
    Some(Started {
        shown: DeviceCode {
            verification_uri: page.as_str().to_string(),
            user_code,
            expires_in,
        },
        device_code,
        interval,
    })
}

fn poll(
    http: &Http,
    authority: &Authority<'_>,
    polling: &DevicePolling,
    started: Started,
) -> Result<Issued, AuthError> {
    let deadline = Instant::now() + started.shown.expires_in;
    let mut interval = started.interval;
    let expired = || AuthError::DeviceCodeExpired {
        minutes: started.shown.expires_in.as_secs().div_ceil(60),
    };
    loop {
        std::thread::sleep(interval);
        if Instant::now() >= deadline {
            return Err(expired());
        }
        let body = form(&[
            ("grant_type", DEVICE_CODE_GRANT),
            ("client_id", authority.client_id),
            ("device_code", started.device_code.expose()),
        ]);
        let request = Request::new("POST", authority.token_url)
            .header("Accept", "application/json")
            .body("application/x-www-form-urlencoded", &body)
            .issuing_credentials();
        // A network failure or a busy authority is waited out, until the code expires.
        let Ok(answer) = http.send(request) else {
            continue;
        };
        if answer.status == 200 {
            return token_answer(&answer.body).ok_or(AuthError::Malformed {
                url: authority.token_url.to_string(),
            });
        }
        if answer.status == 429 || answer.status >= 500 {
            continue;
        }
        let error = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("error")?.as_str().map(str::to_string))
            .unwrap_or_default();
        match error.as_str() {
            "authorization_pending" => {}
            "slow_down" => interval += polling.slow_down_step,
            "authorization_declined" | "access_denied" => return Err(AuthError::DeviceDeclined),
            "expired_token" | "code_expired" => return Err(expired()),
            _ => {
                return Err(AuthError::Refused {
                    status: answer.status,
                    description: entra_description(&answer.body),
                    request_id: answer.request_id,
                })
            }
        }
    }
}

/// A new access token (and perhaps a new refresh token) for a refresh token.
pub fn refresh(
    http: &Http,
    authority: &Authority<'_>,
    refresh_token: &Secret,
) -> Result<Issued, AuthError> {
    request_token(
        http,
        authority.token_url,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", authority.client_id),
            ("refresh_token", refresh_token.expose()),
            ("scope", authority.scope),
        ],
    )
}

#[cfg(test)]
mod tests;
