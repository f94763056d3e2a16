//! The admin endpoint's wire format: OData envelopes, the error shape, and the small decoders
//! (form bodies, percent-encoding, base64url) that requests need.

use serde_json::{json, Value};

/// The OData context the endpoint puts on every cmdlet answer.
pub fn context_url(base: &str, tenant: &str) -> String {
    format!("{base}/adminapi/beta/{tenant}/$metadata#Collection(Exchange.GenericHashTable)")
}

/// A cmdlet's failure, as the endpoint reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct CmdletError {
    pub status: u16,
    pub code: &'static str,
    /// The .NET exception the service names.
    pub exception_type: String,
    /// The text an admin needs.
    pub message: String,
    pub retry_after: Option<u64>,
    /// Answered as plain text rather than JSON, as the service answers some failures (the
    /// concurrency limit among them).
    pub plain_text: bool,
}

/// The service's generic exception around every error a cmdlet raises while it runs.
pub const DIRECT_INVOKE_EXCEPTION: &str =
    "Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException";
/// The message of every cmdlet error: the text is elsewhere.
const ERROR_EXECUTING_CMDLET: &str = "Error executing cmdlet";

/// Where the service puts an error's text, which depends on where the error arose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Raised by the cmdlet while it runs: `details[0].message` is `Id|Type|text`, and the
    /// inner exception is the generic DirectInvokeCmdletExecutionException.
    Cmdlet,
    /// Raised while binding parameters: the text is the inner exception's.
    Binding,
    /// Raised by the endpoint itself (routing, OData, throttling, server errors): the text is
    /// the error's own message.
    Endpoint,
}

impl CmdletError {
    pub fn bad_request(exception_type: &str, message: impl Into<String>) -> CmdletError {
        CmdletError {
            status: 400,
            code: "BadRequest",
            exception_type: exception_type.to_string(),
            message: message.into(),
            retry_after: None,
            plain_text: false,
        }
    }

    /// A stored object the service itself can't read: a 500 whose text says why.
    pub fn internal(message: impl Into<String>) -> CmdletError {
        CmdletError {
            message: message.into(),
            ..CmdletError::server(500)
        }
    }

    pub fn not_found(message: impl Into<String>) -> CmdletError {
        CmdletError {
            status: 404,
            code: "NotFound",
            exception_type:
                "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException".into(),
            message: message.into(),
            retry_after: None,
            plain_text: false,
        }
    }

    pub fn throttled(message: impl Into<String>, retry_after: Option<u64>) -> CmdletError {
        CmdletError {
            status: 429,
            code: "TooManyRequests",
            exception_type: "Microsoft.Exchange.Admin.OData.Core.ThrottlingException".into(),
            message: message.into(),
            retry_after,
            plain_text: false,
        }
    }

    /// The tenant runs too many cmdlets at once: plain text, HTTP 400. ExoHelper matches the
    /// text whatever the status and warns that the answer is not JSON
    /// (GreyCorbel/ExoHelper, Commands/Public/Invoke-ExoCommand.ps1); the status is the one
    /// DESIGN §1.4 reports ("sometimes with a 400").
    pub fn concurrency_limit(message: impl Into<String>) -> CmdletError {
        CmdletError {
            status: 400,
            code: "BadRequest",
            exception_type: String::new(),
            message: message.into(),
            retry_after: None,
            plain_text: true,
        }
    }

    pub fn server(status: u16) -> CmdletError {
        let (code, message) = match status {
            503 => (
                "ServiceUnavailable",
                "The service is temporarily unavailable. Please try again later.",
            ),
            504 => (
                "GatewayTimeout",
                "The operation timed out while waiting for the backend.",
            ),
            _ => (
                "InternalServerError",
                "An internal server error occurred. The operation failed.",
            ),
        };
        CmdletError {
            status,
            code,
            exception_type: "System.Exception".into(),
            message: message.into(),
            retry_after: None,
            plain_text: false,
        }
    }

    fn shape(&self) -> Shape {
        let endpoint = self.status == 429
            || self.status >= 500
            || self.exception_type.starts_with("Microsoft.OData")
            || self
                .exception_type
                .starts_with("Microsoft.Exchange.Admin.OData")
            || self.exception_type == "System.InvalidOperationException";
        if endpoint {
            Shape::Endpoint
        } else if self.exception_type.ends_with("ParameterBindingException")
            // An enum value the cmdlet doesn't know fails in argument transformation, before the
            // cmdlet runs: a live capture shows it without `details` (evidence §3.5).
            || self
                .exception_type
                .ends_with("ParameterTransformationException")
        {
            Shape::Binding
        } else {
            Shape::Cmdlet
        }
    }

    /// The exception id before the type in `details[0].message`. The service's ids are its
    /// own; ManagementObjectNotFoundException's is `Ex6F9304` in a failure quoted in public
    /// code, and the others here are stand-ins of the same form (clients read only the text).
    fn exception_id(&self) -> String {
        if self
            .exception_type
            .ends_with("ManagementObjectNotFoundException")
        {
            return "Ex6F9304".into();
        }
        let hash = crate::faults::fingerprint(&[self.exception_type.as_bytes()]);
        format!("Ex{:06X}", hash & 0xFF_FFFF)
    }

    /// The error body. For an error a cmdlet raises while it runs, the text is in
    /// `details[0].message` as `Id|Type|text`, and `innererror.internalexception` is only the
    /// generic DirectInvokeCmdletExecutionException (the whole shape of a Remove-Mailbox
    /// failure is quoted in public code; CIPP, ExoHelper and the module read `details`
    /// first). A binding error's text is the inner exception's. A plain-text error is the
    /// text as a JSON string (a `$batch` sub-response carries it so).
    pub fn body(&self) -> Value {
        if self.plain_text {
            return Value::String(self.message.clone());
        }
        let error = match self.shape() {
            Shape::Cmdlet => json!({
                "code": self.code,
                "message": ERROR_EXECUTING_CMDLET,
                "details": [{
                    "code": "Client",
                    "target": "",
                    "message": format!("{}|{}|{}", self.exception_id(), self.exception_type, self.message),
                }],
                "innererror": {
                    "message": ERROR_EXECUTING_CMDLET,
                    "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                    "stacktrace": "",
                    "internalexception": {
                        "message": format!("Exception of type '{DIRECT_INVOKE_EXCEPTION}' was thrown."),
                        "type": DIRECT_INVOKE_EXCEPTION,
                        "stacktrace": "",
                    },
                },
            }),
            Shape::Binding => json!({
                "code": self.code,
                "message": ERROR_EXECUTING_CMDLET,
                "innererror": {
                    "message": ERROR_EXECUTING_CMDLET,
                    "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                    "stacktrace": "",
                    "internalexception": {
                        "message": self.message,
                        "type": self.exception_type,
                        "stacktrace": "",
                    },
                },
            }),
            Shape::Endpoint => json!({
                "code": self.code,
                "message": self.message,
                "innererror": {"message": self.message, "type": self.exception_type},
            }),
        };
        json!({
            "error": error,
            "adminapi.warnings@odata.type": "#Collection(String)",
            "@adminapi.warnings": [],
        })
    }

    pub fn headers(&self) -> Vec<(String, String)> {
        let content_type = if self.plain_text {
            "text/plain; charset=utf-8"
        } else {
            "application/json; charset=utf-8"
        };
        let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
        if let Some(seconds) = self.retry_after {
            headers.push(("Retry-After".into(), seconds.to_string()));
        }
        if !self.plain_text && !self.exception_type.is_empty() {
            // The module reads the exception's name from this header (its `Get-ErrorCategoryInfo`).
            let name = self
                .exception_type
                .rsplit('.')
                .next()
                .unwrap_or(&self.exception_type);
            headers.push(("X-ExceptionType".into(), name.to_string()));
        }
        headers
    }
}

/// A body on the wire: a JSON string as its text (plain-text answers), anything else as JSON.
pub fn encode(body: &Value) -> Vec<u8> {
    match body {
        Value::String(text) => text.clone().into_bytes(),
        other => other.to_string().into_bytes(),
    }
}

/// An OAuth error as Microsoft Entra ID writes it.
pub fn oauth_error(error: &str, code: u32, description: &str) -> Value {
    json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description}"),
        "error_codes": [code],
        "timestamp": "2024-01-01 00:00:00Z",
        "trace_id": "00000000-0000-0000-0000-000000000000",
        "correlation_id": "00000000-0000-0000-0000-000000000000",
    })
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value, leaving the unreserved characters and commas as they are.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b',') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|value| value as u8)
}

/// `application/x-www-form-urlencoded` pairs.
pub fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (percent_decode(key), percent_decode(value)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

/// Unpadded base64url, as JWT segments are written.
pub fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .fold(0u32, |acc, byte| acc << 8 | u32::from(*byte))
            << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Unpadded (or padded) base64url, as JWT segments are written.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode_percent_escapes_and_plus() {
        let pairs = parse_form("scope=https%3A%2F%2Foutlook.office365.com%2F.default&a=b+c&flag");
        assert_eq!(pairs[0].1, "https://outlook.office365.com/.default");
        assert_eq!(pairs[1], ("a".into(), "b c".into()));
        assert_eq!(pairs[2], ("flag".into(), String::new()));
    }

    #[test]
    fn a_stray_percent_is_kept() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn base64url_encodes_what_it_decodes() {
        for text in ["", "a", "ab", "abc", "{\"upn\":\"alex@contoso.com\"}"] {
            let encoded = base64url_encode(text.as_bytes());
            assert!(!encoded.contains('='));
            assert_eq!(base64url_decode(&encoded).unwrap(), text.as_bytes());
        }
    }

    #[test]
    fn base64url_decodes_jwt_segments() {
        assert_eq!(
            base64url_decode("eyJhbGciOiJSUzI1NiJ9").unwrap(),
            br#"{"alg":"RS256"}"#
        );
        assert_eq!(base64url_decode("YQ").unwrap(), b"a");
        assert!(base64url_decode("a$b").is_none());
    }
}
