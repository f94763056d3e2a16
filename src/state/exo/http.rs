//! One HTTP exchange with the service and what its answer means: success, a transient failure
//! worth retrying (and after how long), an expired token, or a permanent refusal with the
//! service's own text. Request bodies and headers never enter an error: they carry tokens.

use super::config::RetryPolicy;
use super::secret::Secret;
use serde_json::Value;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The service's text when a tenant runs too many cmdlets at once (sometimes with a 400).
const CONCURRENCY_TEXT: &str = "maximum number of concurrent requests per tenant";
/// Largest answer read into memory; a page of 1000 full Get-Mailbox objects is a few MB.
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// Why one attempt did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Throttling, a server error, a timeout or a dropped connection: try again.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The token expired or was revoked: get a new one and try again, once.
    Unauthorized { message: String },
    /// The service refused; retrying will not help.
    Permanent { status: u16, message: String },
}

impl Failure {
    pub fn describe(&self) -> String {
        match self {
            Failure::Transient { reason, .. } => reason.clone(),
            Failure::Unauthorized { message } => message.clone(),
            Failure::Permanent { message, .. } => message.clone(),
        }
    }
}

pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub fn new(retry: &RetryPolicy) -> Http {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(30))
            .timeout(retry.request_timeout)
            .user_agent(concat!("auditform/", env!("CARGO_PKG_VERSION")))
            .build();
        Http { agent }
    }

    /// POSTs JSON with a bearer token and classifies the answer.
    pub fn post_json(&self, url: &str, token: &Secret, body: &[u8]) -> Result<Vec<u8>, Failure> {
        let request = self
            .agent
            .post(url)
            .set("Authorization", &format!("Bearer {}", token.expose()))
            .set("Content-Type", "application/json")
            .set("Accept", "application/json");
        answer(request.send_bytes(body))
    }

    /// POSTs a form (the token endpoint).
    pub fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<Vec<u8>, RawFailure> {
        raw(self.agent.post(url).send_form(fields))
    }

    /// GETs with a bearer token (GitHub's ID-token endpoint).
    pub fn get_with_bearer(&self, url: &str, token: &Secret) -> Result<Vec<u8>, RawFailure> {
        raw(self
            .agent
            .get(url)
            .set("Authorization", &format!("bearer {}", token.expose()))
            .call())
    }
}

/// An answer that is not a cmdlet's: its status and body, or why there was none.
#[derive(Debug)]
pub enum RawFailure {
    Status { status: u16, body: Vec<u8> },
    Transport(String),
}

fn raw(result: Result<ureq::Response, ureq::Error>) -> Result<Vec<u8>, RawFailure> {
    match result {
        Ok(response) => read_body(response).map_err(RawFailure::Transport),
        Err(ureq::Error::Status(status, response)) => Err(RawFailure::Status {
            status,
            body: read_body(response).unwrap_or_default(),
        }),
        Err(ureq::Error::Transport(transport)) => {
            Err(RawFailure::Transport(describe_transport(&transport)))
        }
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Result<Vec<u8>, Failure> {
    match result {
        Ok(response) => read_body(response).map_err(|reason| Failure::Transient {
            reason,
            retry_after: None,
        }),
        Err(ureq::Error::Status(status, response)) => {
            let retry_after = response.header("Retry-After").and_then(parse_retry_after);
            let body = read_body(response).unwrap_or_default();
            Err(classify(status, retry_after, &body))
        }
        Err(ureq::Error::Transport(transport)) => Err(Failure::Transient {
            reason: describe_transport(&transport),
            retry_after: None,
        }),
    }
}

/// The kind and message of a transport error, without the URL's query or any header.
fn describe_transport(transport: &ureq::Transport) -> String {
    match transport.message() {
        Some(message) => format!("{}: {message}", transport.kind()),
        None => transport.kind().to_string(),
    }
}

fn read_body(response: ureq::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    response
        .into_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|error| format!("the connection broke while reading the answer: {error}"))?;
    Ok(body)
}

/// `Retry-After` in seconds (the service does not send HTTP dates).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(|seconds| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// What a cmdlet's failed answer means, from its status, `Retry-After` and error body. Used
/// for whole responses and for each sub-response of a `$batch`.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Failure {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let message = parsed
        .as_ref()
        .and_then(service_message)
        .unwrap_or_else(|| format!("HTTP {status} without an error message"));
    if status == 429
        || status == 408
        || status >= 500
        || message.to_ascii_lowercase().contains(CONCURRENCY_TEXT)
    {
        return Failure::Transient {
            reason: format!("HTTP {status}: {message}"),
            retry_after,
        };
    }
    if status == 401 {
        return Failure::Unauthorized { message };
    }
    Failure::Permanent { status, message }
}

/// The text an admin needs from an error answer: `innererror.internalexception.message`, else
/// `innererror.message`, else `error.message`.
pub fn service_message(body: &Value) -> Option<String> {
    let error = body.get("error")?;
    let inner = error.get("innererror");
    [
        inner
            .and_then(|i| i.get("internalexception"))
            .and_then(|e| e.get("message")),
        inner.and_then(|i| i.get("message")),
        error.get("message"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .map(str::trim)
    .find(|text| !text.is_empty())
    .map(str::to_string)
}

/// How long to wait before attempt `attempt + 1` (`attempt` counts from 1): the service's
/// `Retry-After` when given, else exponential backoff with full jitter so that many workers
/// throttled together do not come back together.
pub fn backoff(policy: &RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        // A little jitter on top spreads the workers the same Retry-After woke at once.
        return wait + policy.base_delay.mul_f64(jitter() * 0.5);
    }
    let exponent = attempt.saturating_sub(1).min(16);
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << exponent)
        .min(policy.max_delay);
    ceiling.mul_f64(0.5 + jitter() * 0.5)
}

/// A number in [0, 1); the spread matters, not the quality.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ nanos;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
