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
    /// The text an admin needs: `innererror.internalexception.message`.
    pub message: String,
    pub retry_after: Option<u64>,
}

impl CmdletError {
    pub fn bad_request(exception_type: &str, message: impl Into<String>) -> CmdletError {
        CmdletError {
            status: 400,
            code: "BadRequest",
            exception_type: exception_type.to_string(),
            message: message.into(),
            retry_after: None,
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
        }
    }

    pub fn throttled(message: impl Into<String>, retry_after: Option<u64>) -> CmdletError {
        CmdletError {
            status: 429,
            code: "TooManyRequests",
            exception_type: "Microsoft.Exchange.Admin.OData.Core.ThrottlingException".into(),
            message: message.into(),
            retry_after,
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
        }
    }

    /// The error body: the useful text sits in `innererror.internalexception.message`, as the
    /// real endpoint puts it; `details` carries the `id|type|text` form PowerShell prints.
    pub fn body(&self) -> Value {
        let exception_name = self
            .exception_type
            .rsplit('.')
            .next()
            .unwrap_or(&self.exception_type);
        json!({
            "error": {
                "code": self.code,
                "message": format!("Error executing cmdlet: {}", self.message),
                "details": [{
                    "code": "Context",
                    "target": "",
                    "message": format!("Ex6F9304|{}|{}", self.exception_type, self.message),
                }],
                "innererror": {
                    "message": self.message,
                    "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                    "@Microsoft.ExchangeOnline.PowerShell.Cmdlet.EXOExceptionType": exception_name,
                    "internalexception": {
                        "message": self.message,
                        "type": self.exception_type,
                        "stacktrace": "",
                    },
                },
            }
        })
    }

    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![(
            "Content-Type".to_string(),
            "application/json; charset=utf-8".to_string(),
        )];
        if let Some(seconds) = self.retry_after {
            headers.push(("Retry-After".into(), seconds.to_string()));
        }
        headers
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
    fn base64url_decodes_jwt_segments() {
        assert_eq!(
            base64url_decode("eyJhbGciOiJSUzI1NiJ9").unwrap(),
            br#"{"alg":"RS256"}"#
        );
        assert_eq!(base64url_decode("YQ").unwrap(), b"a");
        assert!(base64url_decode("a$b").is_none());
    }
}
