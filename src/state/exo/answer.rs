//! What an answer of the admin endpoint means: the text a person needs from an error, whether a
//! failure is worth retrying, and the warnings and errors a successful answer carries.
//!
//! Where the service puts the text (DESIGN §1.4), read in the order the public clients read it:
//! 1. `error.details[0].message`, written `ExceptionId|ExceptionType|text` (the id may be
//!    empty): the cmdlet's own error, such as ManagementObjectNotFoundException or "already
//!    being audited". The ExchangeOnlineManagement module's helper reads `details` first
//!    (its `Get-ErrorMessage`, as transcribed in public code), and so do CIPP
//!    (KelvinTegelaar/CIPP-API, Modules/CIPPCore/Public/GraphHelper/New-ExoRequest.ps1 and
//!    New-ExoBulkRequest.ps1), ExoHelper, which splits the three parts on `|`
//!    (GreyCorbel/ExoHelper, Commands/Internal/Get-ExoException.ps1), and M365Permissions
//!    (jflieben/M365Permissions, private/new-ExOQuery.ps1). For such an error
//!    `innererror.internalexception.message` is only "Exception of type
//!    'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException' was
//!    thrown." (a Remove-Mailbox failure quoted in public code shows the whole body: details
//!    `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|...`,
//!    `innererror.message` "Error executing cmdlet").
//! 2. `error.innererror.internalexception.message`: parameter-binding errors.
//! 3. `error.innererror.message`, then `error.message`.
//! 4. A body that is not JSON is read as text: the service answers some failures in plain
//!    text, the concurrency limit among them (ExoHelper, Commands/Public/Invoke-ExoCommand.ps1,
//!    warns "Received non-JSON response" and matches the text itself).
//!
//! Every text from the service is untrusted: it is shown on one line, without control
//! characters, and cut to a sensible length.

use super::http::{parse_retry_after, Answer};
use serde_json::Value;
use std::time::Duration;

/// The service's text when a tenant runs too many cmdlets at once: "You have reached the
/// maximum number of concurrent requests per tenant. Please wait and try again." (ExoHelper,
/// Commands/Public/Invoke-ExoCommand.ps1, retries on it whatever the status). Matched ignoring
/// case, and it makes any answer a throttling one.
pub const CONCURRENCY_TEXT: &str = "maximum number of concurrent requests";

/// Error codes the service sends, even with HTTP 400, for failures that pass: M365Permissions
/// retries on exactly these (jflieben/M365Permissions,
/// src/M365Permissions.Engine/Graph/ExchangeRestClient.cs, `TransientErrorCodes`).
const TRANSIENT_MARKERS: [&str; 4] = [
    "CmdletProxyNotAvailableFailure",
    "ServerBusyException",
    "TransientException",
    "BackendCommunicationException",
];

/// The longest text from the service that is shown.
const MAX_SHOWN: usize = 1000;

/// Why one attempt did not succeed. Each names the `client-request-id` of the request, which a
/// person can hand to Microsoft support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Throttling, a server error, a timeout or a dropped connection: try again.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
        request_id: String,
    },
    /// The token expired or was revoked: get a new one and try again, once.
    Unauthorized { message: String, request_id: String },
    /// The service refused; retrying will not help.
    Permanent {
        status: u16,
        message: String,
        request_id: String,
    },
}

impl Failure {
    /// The text, with the request id to quote.
    pub fn describe(&self) -> String {
        match self {
            Failure::Transient {
                reason, request_id, ..
            } => with_request_id(reason, request_id),
            Failure::Unauthorized {
                message,
                request_id,
            } => with_request_id(message, request_id),
            Failure::Permanent {
                message,
                request_id,
                ..
            } => with_request_id(message, request_id),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Transient { reason, .. } => reason,
            Failure::Unauthorized { message, .. } | Failure::Permanent { message, .. } => message,
        }
    }
}

/// `text (client-request-id ID)`.
pub fn with_request_id(text: &str, request_id: &str) -> String {
    if request_id.is_empty() {
        text.to_string()
    } else {
        format!("{text} (client-request-id {request_id})")
    }
}

/// A whole answer: its body on success (2xx), else what the failure means.
pub fn outcome(answer: Answer) -> Result<Answer, Failure> {
    match answer.status {
        200..=299 => Ok(answer),
        300..=399 => Err(Failure::Permanent {
            status: answer.status,
            message: format!(
                "HTTP {}: the endpoint redirects{}; auditform does not follow redirects, so that the token goes nowhere else (point --endpoint at the service's host)",
                answer.status,
                answer
                    .header("Location")
                    .and_then(|location| url::Url::parse(location).ok())
                    .and_then(|url| url.host_str().map(|host| format!(" to {host}")))
                    .unwrap_or_default()
            ),
            request_id: answer.request_id,
        }),
        status => {
            let retry_after = answer.header("Retry-After").and_then(parse_retry_after);
            Err(classify(status, retry_after, &answer.body, &answer.request_id))
        }
    }
}

/// What a failed answer means, from its status, `Retry-After` and body. Used for whole answers
/// and for each sub-response of a `$batch`.
pub fn classify(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    request_id: &str,
) -> Failure {
    let text = service_text(body);
    let message = text
        .clone()
        .unwrap_or_else(|| format!("HTTP {status} without an error message"));
    let lowered = String::from_utf8_lossy(body).to_ascii_lowercase();
    let throttled = lowered.contains(CONCURRENCY_TEXT)
        || TRANSIENT_MARKERS
            .iter()
            .any(|marker| lowered.contains(&marker.to_ascii_lowercase()));
    if status == 429 || status == 408 || status >= 500 || throttled {
        return Failure::Transient {
            reason: format!("HTTP {status}: {message}"),
            retry_after,
            request_id: request_id.to_string(),
        };
    }
    if status == 401 {
        return Failure::Unauthorized {
            message,
            request_id: request_id.to_string(),
        };
    }
    Failure::Permanent {
        status,
        message,
        request_id: request_id.to_string(),
    }
}

/// The text a person needs from an error body, wherever the service put it; `None` for an
/// empty body.
pub fn service_text(body: &[u8]) -> Option<String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => json_text(&value).map(|text| shown(&text)),
        Err(_) => {
            let text = shown(&String::from_utf8_lossy(body));
            (!text.is_empty()).then_some(text)
        }
    }
}

fn json_text(body: &Value) -> Option<String> {
    let non_empty = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
    };
    let Some(error) = body.get("error") else {
        // Not the OData error shape: a bare message, or a JSON string.
        return non_empty(body.get("message"))
            .or_else(|| non_empty(body.get("Message")))
            .or_else(|| non_empty(Some(body)));
    };
    if let Some(text) = error.as_str() {
        // The OAuth shape: {"error": "code", "error_description": "..."}.
        return non_empty(body.get("error_description")).or(Some(text.to_string()));
    }
    let detail = error
        .get("details")
        .and_then(Value::as_array)
        .and_then(|details| details.first())
        .and_then(|detail| non_empty(detail.get("message")))
        .map(|message| cmdlet_error_text(&message));
    let inner = error.get("innererror");
    detail
        .or_else(|| {
            non_empty(
                inner
                    .and_then(|inner| inner.get("internalexception"))
                    .and_then(|exception| exception.get("message")),
            )
        })
        .or_else(|| non_empty(inner.and_then(|inner| inner.get("message"))))
        .or_else(|| non_empty(error.get("message")))
}

/// The text of `ExceptionId|ExceptionType|text`; a message of another form is kept whole.
pub fn cmdlet_error_text(message: &str) -> String {
    let mut parts = message.splitn(3, '|');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(id), Some(exception_type), Some(text))
            if !id.contains(char::is_whitespace)
                && exception_type.contains('.')
                && !exception_type.contains(char::is_whitespace)
                && !text.trim().is_empty() =>
        {
            text.trim().to_string()
        }
        _ => message.trim().to_string(),
    }
}

/// Whether a refusal is the service's "The input operation(s) is/are already being audited".
pub fn is_already_audited(message: &str) -> bool {
    message
        .to_ascii_lowercase()
        .contains("already being audited")
}

/// The warnings and errors a successful answer reports besides its value: the module writes
/// each `@adminapi.warnings` entry as a warning and each `@adminapi.errors` entry as an error
/// that fails the command (its `Show-ResultAndCheckForNextPage`, as transcribed in public
/// code; CIPP also writes the warnings: New-ExoBulkRequest.ps1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotations {
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

impl Annotations {
    pub fn of(body: &Value) -> Annotations {
        let texts = |name: &str| -> Vec<String> {
            match body.get(name) {
                Some(Value::Array(items)) => items.iter().filter_map(entry_text).collect(),
                Some(other) => entry_text(other).into_iter().collect(),
                None => Vec::new(),
            }
        };
        Annotations {
            warnings: texts("@adminapi.warnings"),
            errors: texts("@adminapi.errors"),
        }
    }

    pub fn of_bytes(body: &[u8]) -> Annotations {
        serde_json::from_slice::<Value>(body)
            .map(|value| Annotations::of(&value))
            .unwrap_or_default()
    }
}

/// One warning or error entry: a string, or an object with a message (read like an error
/// body), else its JSON.
fn entry_text(entry: &Value) -> Option<String> {
    let text = match entry {
        Value::Null => return None,
        Value::String(text) => cmdlet_error_text(text),
        Value::Object(_) => json_text(entry)
            .or_else(|| json_text(&serde_json::json!({"error": entry})))
            .unwrap_or_else(|| entry.to_string()),
        other => other.to_string(),
    };
    let text = shown(&text);
    (!text.is_empty()).then_some(text)
}

/// Service text as it may be shown: one line, no control characters (no terminal escapes, no
/// line breaks that could start a CI workflow command), whitespace collapsed, cut to length.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_SHOWN));
    let mut space = false;
    for c in text.chars() {
        let c = if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            ' '
        } else {
            c
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if out.len() >= MAX_SHOWN {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
