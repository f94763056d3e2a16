//! What Microsoft Entra ID answers a sign-in: the tokens it issued, and how its refusals read.
//! Both the application flows (`auth`) and the device code flow (`device`) read these answers.

use super::answer::{shown, with_request_id};
use super::http::{form, Answer, Http, Request};
use super::secret::Secret;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials for Exchange Online: set AUDITFORM_ACCESS_TOKEN, or AUDITFORM_CLIENT_ID with AUDITFORM_CLIENT_SECRET or AUDITFORM_CERTIFICATE, or run in GitHub Actions with `permissions: id-token: write`, or sign in as yourself with AUDITFORM_AUTH=device")]
    NoCredentials,
    #[error("{mode} authentication needs {missing}")]
    Missing {
        mode: &'static str,
        missing: &'static str,
    },
    #[error("AUDITFORM_AUTH={0:?} is not one of token, secret, certificate, github-oidc, device")]
    UnknownMode(String),
    #[error("can't read the certificate {}: {reason}", path.display())]
    Certificate { path: PathBuf, reason: String },
    #[error(
        "Microsoft Entra ID refused the sign-in (HTTP {status}): {}",
        with_request_id(description, request_id)
    )]
    Refused {
        status: u16,
        description: String,
        request_id: String,
    },
    #[error("the sign-in was declined at the browser")]
    DeviceDeclined,
    #[error(
        "the code expired before anyone signed in with it (it was valid for {minutes} minutes)"
    )]
    DeviceCodeExpired { minutes: u64 },
    #[error("GitHub Actions did not give an ID token (HTTP {status}); does the job have `permissions: id-token: write`?")]
    GithubRefused { status: u16 },
    #[error("can't reach {url}: {}", with_request_id(reason, request_id))]
    Unreachable {
        url: String,
        reason: String,
        request_id: String,
    },
    #[error("{url} answered something that is not a token")]
    Malformed { url: String },
}

/// POSTs `fields` as a form to an endpoint of the authority, marked as carrying credentials
/// (so the trace and every error leave them out), and gives its 200 answer; anything else is
/// the refusal as Entra ID words it.
pub(super) fn post_form(
    http: &Http,
    url: &str,
    fields: &[(&str, &str)],
) -> Result<Answer, AuthError> {
    let body = form(fields);
    let request = Request::new("POST", url)
        .header("Accept", "application/json")
        .body("application/x-www-form-urlencoded", &body)
        .issuing_credentials();
    let answer = http.send(request).map_err(|none| AuthError::Unreachable {
        url: url.to_string(),
        reason: none.reason,
        request_id: none.request_id,
    })?;
    if answer.status != 200 {
        return Err(AuthError::Refused {
            status: answer.status,
            description: entra_description(&answer.body),
            request_id: answer.request_id,
        });
    }
    Ok(answer)
}

/// Asks the token endpoint `url` for a token with `fields`: [`post_form`], then the tokens of
/// its answer.
pub(super) fn request_token(
    http: &Http,
    url: &str,
    fields: &[(&str, &str)],
) -> Result<Issued, AuthError> {
    let answer = post_form(http, url, fields)?;
    token_answer(&answer.body).ok_or_else(|| AuthError::Malformed {
        url: url.to_string(),
    })
}

/// What the authority issued.
#[derive(Debug)]
pub struct Issued {
    pub access: Secret,
    pub refresh: Option<Secret>,
    pub lifetime: Duration,
}

/// The tokens of a successful token answer: `access_token` (required), `refresh_token`, and
/// `expires_in` (a number or a string of one; an hour when missing).
pub(super) fn token_answer(body: &[u8]) -> Option<Issued> {
    let answer: Value = serde_json::from_slice(body).ok()?;
    let text = |name: &str| {
        answer
            .get(name)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(Secret::new)
    };
    let lifetime = answer
        .get("expires_in")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .unwrap_or(3600);
    Some(Issued {
        access: text("access_token")?,
        refresh: text("refresh_token"),
        lifetime: Duration::from_secs(lifetime),
    })
}

/// The first line of Entra ID's `error_description` (the rest is trace and correlation ids),
/// else its `error`, else the body as text; never the request, which carries the credential,
/// and never a secret, even when the authority echoes the request.
pub(super) fn entra_description(body: &[u8]) -> String {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name)?.as_str().map(str::to_string))
    };
    let text = match (field("error_description"), field("error")) {
        (Some(description), _) => description.lines().next().unwrap_or_default().to_string(),
        (None, Some(error)) => error,
        (None, None) if parsed.is_none() => String::from_utf8_lossy(body).into_owned(),
        (None, None) => String::new(),
    };
    // The authority's answers are read unscrubbed (they carry tokens); an echoed request in
    // its error text is scrubbed here.
    let text = shown(&crate::redact::scrub(&text));
    if text.is_empty() {
        "no error description".to_string()
    } else {
        text
    }
}
