//! One HTTP exchange, as it goes on the wire. Every request carries a fresh `client-request-id`
//! (a GUID, as ExoHelper and ScubaGear send one with every request:
//! GreyCorbel/ExoHelper, Commands/Public/Invoke-ExoCommand.ps1; cisagov/ScubaGear,
//! PowerShell/ScubaGear/Modules/Providers/ProviderHelpers/EXORestHelper.psm1), which failures
//! quote so that a person can hand it to Microsoft support. Every exchange is written to the
//! support trace when one is kept. An answer comes back with its status, headers and body; the
//! admin endpoint's answers come already scrubbed (an endpoint that echoes a request gives
//! nothing away, and since the data is scrubbed where it enters, everything made from it, a
//! plan file and its digest included, agrees), the authority's as they are, since they carry
//! the very tokens auditform must keep (a refresh token may come back unchanged). No answer
//! comes back as the reason there was none.
//!
//! Requests (their headers and bodies) never enter an error: they carry tokens. Redirects are
//! not followed, so that the token goes to no host nobody checked.

use super::config::{ExoConfig, RetryPolicy};
use super::trace::{Trace, TraceError, TracedAnswer, TracedRequest};
use crate::redact::scrub_answer;
use std::io::Read;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Largest answer read into memory; a page of 1000 full Get-Mailbox objects is a few MB.
const MAX_BODY: u64 = 256 * 1024 * 1024;

pub const USER_AGENT: &str = concat!("auditform/", env!("CARGO_PKG_VERSION"));

/// A request: its method, absolute URL, headers and body.
pub struct Request<'a> {
    pub method: &'static str,
    pub url: &'a str,
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
    /// Whether the answer is scrubbed of registered secrets: yes for data, no for the answers
    /// that issue credentials.
    pub scrub_answer: bool,
}

impl<'a> Request<'a> {
    pub fn new(method: &'static str, url: &'a str) -> Request<'a> {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: &[],
            scrub_answer: true,
        }
    }

    /// A request whose answer issues credentials, read as it is.
    pub fn issuing_credentials(mut self) -> Request<'a> {
        self.scrub_answer = false;
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request<'a> {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn body(mut self, content_type: &str, body: &'a [u8]) -> Request<'a> {
        self.headers
            .push(("Content-Type".to_string(), content_type.to_string()));
        self.body = body;
        self
    }
}

/// `application/x-www-form-urlencoded` of `fields`.
pub fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        out.append_pair(name, value);
    }
    out.finish().into_bytes()
}

/// An answer, whatever its status.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Scrubbed of every registered secret.
    pub body: Vec<u8>,
    /// The `client-request-id` the request carried.
    pub request_id: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// No answer: the connection failed, timed out, or broke while the answer was read.
#[derive(Clone, Debug)]
pub struct NoAnswer {
    pub reason: String,
    pub request_id: String,
}

pub struct Http {
    agent: ureq::Agent,
    trace: Option<Trace>,
}

impl Http {
    /// An HTTP client for `config`: its timeouts, its pinned hosts, and its trace file.
    pub fn new(config: &ExoConfig) -> Result<Http, TraceError> {
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(30))
            .timeout(config.retry.request_timeout)
            .redirects(0);
        if !config.resolve.is_empty() {
            let pins = config.resolve.clone();
            builder = builder.resolver(move |address: &str| -> std::io::Result<Vec<SocketAddr>> {
                let (host, port) = address.rsplit_once(':').unwrap_or((address, "443"));
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let pinned = pins
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(host));
                match (pinned, port.parse::<u16>()) {
                    (Some((_, ip)), Ok(port)) => Ok(vec![SocketAddr::new(*ip, port)]),
                    _ => address.to_socket_addrs().map(Iterator::collect),
                }
            });
        }
        let trace = config.trace.as_deref().map(Trace::open).transpose()?;
        Ok(Http {
            agent: builder.build(),
            trace,
        })
    }

    /// Sends `request` with a fresh `client-request-id` and reads the answer.
    pub fn send(&self, request: Request<'_>) -> Result<Answer, NoAnswer> {
        let request_id = new_request_id();
        let mut headers = request.headers;
        headers.push(("client-request-id".into(), request_id.clone()));
        headers.push(("User-Agent".into(), USER_AGENT.into()));
        let mut call = self.agent.request(request.method, request.url);
        for (name, value) in &headers {
            call = call.set(name, value);
        }
        let started = Instant::now();
        let result = if request.method == "GET" && request.body.is_empty() {
            call.call()
        } else {
            call.send_bytes(request.body)
        };
        let outcome = match result {
            Ok(response) | Err(ureq::Error::Status(_, response)) => {
                read(response, request.scrub_answer)
            }
            Err(ureq::Error::Transport(transport)) => Err(describe_transport(&transport)),
        };
        let elapsed = started.elapsed();
        if let Some(trace) = &self.trace {
            let traced = TracedRequest {
                method: request.method,
                url: request.url,
                headers: &headers,
                body: request.body,
            };
            let answer = match &outcome {
                Ok((status, headers, body)) => TracedAnswer::Answer {
                    status: *status,
                    headers,
                    body,
                },
                Err(reason) => TracedAnswer::NoAnswer { reason },
            };
            trace.record(&request_id, &traced, &answer, elapsed);
        }
        match outcome {
            Ok((status, headers, body)) => Ok(Answer {
                status,
                headers,
                body,
                request_id,
            }),
            Err(reason) => Err(NoAnswer { reason, request_id }),
        }
    }

    /// Why the trace file is incomplete, if it is.
    pub fn trace_failure(&self) -> Option<String> {
        self.trace.as_ref().and_then(Trace::take_failure)
    }
}

type ReadAnswer = (u16, Vec<(String, String)>, Vec<u8>);

fn read(response: ureq::Response, scrub: bool) -> Result<ReadAnswer, String> {
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|name| {
            let value = response.header(&name)?.to_string();
            Some((name, value))
        })
        .collect();
    let mut body = Vec::new();
    response
        .into_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|error| format!("the connection broke while reading the answer: {error}"))?;
    let body = match scrub.then(|| scrub_answer(&body)) {
        Some(std::borrow::Cow::Owned(scrubbed)) => scrubbed,
        _ => body,
    };
    Ok((status, headers, body))
}

/// The kind and message of a transport error, without the URL or any header.
fn describe_transport(transport: &ureq::Transport) -> String {
    match transport.message() {
        Some(message) => format!("{}: {message}", transport.kind()),
        None => transport.kind().to_string(),
    }
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
    (next_random() >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 bits that no other call in this process gets: a counter mixed with the time and the
/// process id. Unique is what a request id needs; it is not a secret.
fn next_random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        ^ nanos
        ^ (u64::from(std::process::id()) << 32);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A version-4-shaped GUID in lower case, as `client-request-id` values are written.
pub fn new_request_id() -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&next_random().to_le_bytes());
    bytes[8..].copy_from_slice(&next_random().to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests;
