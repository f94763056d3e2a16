//! The support trace: every request the live client sends and every answer it gets, as a text
//! file a person can attach to a bug report or a Microsoft support case (each exchange names its
//! `client-request-id`).
//!
//! Nothing secret reaches it. Credential headers (`Authorization`, cookies) keep only their
//! scheme; in JSON bodies (a `$batch` carries each sub-request's headers) and form bodies (the
//! token endpoint's), the values of `client_secret`, `client_assertion`, the tokens, the device
//! and user codes are replaced; and the whole text then goes through [`crate::redact::scrub`],
//! which takes out every secret auditform holds, wherever it appears.
//!
//! Each exchange is appended and handed to the operating system as soon as it completes, so a
//! crash loses at most the exchange in flight. An existing file is appended to only when it is
//! an auditform trace; anything else (a plan, a state file, a symbolic link) is refused rather
//! than overwritten.

use crate::redact::{scrub, REDACTED};
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The first line of every trace file; an existing file that starts otherwise is not touched.
pub const HEADER: &str = "# auditform support trace";

/// Header names whose value is a credential. Compared ignoring case.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Body fields whose value is a credential, in JSON and in forms. Compared ignoring case.
const CREDENTIAL_FIELDS: [&str; 11] = [
    "authorization",
    "client_secret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "user_code",
    "assertion",
    "password",
    "cookie",
];

/// Bodies longer than this are cut in the trace (a page of full mailboxes is a few MB).
const MAX_TRACED_BODY: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("the trace file {} exists and is not an auditform trace; choose another path, or remove the file", path.display())]
    NotATrace { path: PathBuf },
    #[error("the trace file {} is a symbolic link or not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("can't write the trace file {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// A request as it went on the wire.
pub struct TracedRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// What came back.
pub enum TracedAnswer<'a> {
    Answer {
        status: u16,
        headers: &'a [(String, String)],
        body: &'a [u8],
    },
    NoAnswer {
        reason: &'a str,
    },
}

pub struct Trace {
    path: PathBuf,
    file: Mutex<File>,
    serial: AtomicU64,
    /// The first write that failed, to be reported once.
    failure: Mutex<Option<String>>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace").field("path", &self.path).finish()
    }
}

impl Trace {
    /// Opens `path` for appending: a new file (readable by its owner only), an empty file, or
    /// an earlier trace. Anything else is refused.
    pub fn open(path: &Path) -> Result<Trace, TraceError> {
        let io_error = |source| TraceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = match std::fs::symlink_metadata(path) {
            Ok(metadata) => {
                if !metadata.file_type().is_file() {
                    return Err(TraceError::NotAFile {
                        path: path.to_path_buf(),
                    });
                }
                let mut start = Vec::new();
                File::open(path)
                    .and_then(|file| file.take(HEADER.len() as u64).read_to_end(&mut start))
                    .map_err(io_error)?;
                if !start.is_empty() && start != HEADER.as_bytes() {
                    return Err(TraceError::NotATrace {
                        path: path.to_path_buf(),
                    });
                }
                let file = OpenOptions::new()
                    .append(true)
                    .open(path)
                    .map_err(io_error)?;
                if start.is_empty() {
                    header(&file).map_err(io_error)?;
                }
                file
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let mut options = OpenOptions::new();
                options.append(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let file = options.open(path).map_err(io_error)?;
                header(&file).map_err(io_error)?;
                file
            }
            Err(error) => return Err(io_error(error)),
        };
        let session = format!(
            "\n## {} auditform {} started\n",
            utc_timestamp(SystemTime::now()),
            env!("CARGO_PKG_VERSION")
        );
        file.write_all(session.as_bytes()).map_err(io_error)?;
        Ok(Trace {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            serial: AtomicU64::new(0),
            failure: Mutex::new(None),
        })
    }

    /// Appends one exchange.
    pub fn record(
        &self,
        request_id: &str,
        request: &TracedRequest<'_>,
        answer: &TracedAnswer<'_>,
        elapsed: Duration,
    ) {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed) + 1;
        let text = render(serial, request_id, request, answer, elapsed);
        let text = scrub(&text);
        let mut file = match self.file.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Err(error) = file.write_all(text.as_bytes()).and_then(|()| file.flush()) {
            let mut failure = match self.failure.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            failure.get_or_insert_with(|| {
                format!(
                    "the trace file {} could not be written: {error}",
                    self.path.display()
                )
            });
        }
    }

    /// Why the trace is incomplete, once.
    pub fn take_failure(&self) -> Option<String> {
        match self.failure.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

fn header(mut file: &File) -> io::Result<()> {
    writeln!(
        file,
        "{HEADER}: every request to Exchange Online and Microsoft Entra ID and every answer, \
         with credentials, tokens and device codes redacted"
    )
}

fn render(
    serial: u64,
    request_id: &str,
    request: &TracedRequest<'_>,
    answer: &TracedAnswer<'_>,
    elapsed: Duration,
) -> String {
    let mut out = format!(
        "\n--- #{serial} {} client-request-id: {request_id}\n{} {}\n",
        utc_timestamp(SystemTime::now()),
        request.method,
        one_line(request.url)
    );
    headers(&mut out, request.headers);
    body(&mut out, request.headers, request.body);
    let millis = elapsed.as_millis();
    match answer {
        TracedAnswer::Answer {
            status,
            headers: answer_headers,
            body: answer_body,
        } => {
            out.push_str(&format!("\nHTTP {status} after {millis} ms\n"));
            headers(&mut out, answer_headers);
            body(&mut out, answer_headers, answer_body);
        }
        TracedAnswer::NoAnswer { reason } => {
            out.push_str(&format!(
                "\nno answer after {millis} ms: {}\n",
                one_line(reason)
            ));
        }
    }
    out
}

fn headers(out: &mut String, headers: &[(String, String)]) {
    for (name, value) in headers {
        let value = if CREDENTIAL_HEADERS
            .iter()
            .any(|credential| name.eq_ignore_ascii_case(credential))
        {
            redact_credential(value)
        } else {
            one_line(value)
        };
        out.push_str(&format!("{}: {value}\n", one_line(name)));
    }
}

/// `Bearer abc` becomes `Bearer [redacted]`: the scheme says what kind of credential it was.
fn redact_credential(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if scheme.chars().all(|c| c.is_ascii_alphabetic()) => {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_string(),
    }
}

fn body(out: &mut String, headers: &[(String, String)], bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let content_type = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.to_ascii_lowercase())
        .unwrap_or_default();
    let cut = bytes.len() > MAX_TRACED_BODY;
    let bytes = &bytes[..bytes.len().min(MAX_TRACED_BODY)];
    out.push('\n');
    if content_type.starts_with("application/x-www-form-urlencoded") {
        out.push_str(&redact_form(bytes));
    } else if let Ok(mut value) = serde_json::from_slice::<Value>(bytes) {
        redact_json(&mut value);
        out.push_str(&value.to_string());
    } else {
        out.push_str(&String::from_utf8_lossy(bytes));
    }
    if cut {
        out.push_str(&format!("\n[cut after {MAX_TRACED_BODY} bytes]"));
    }
    out.push('\n');
}

fn is_credential_field(name: &str) -> bool {
    CREDENTIAL_FIELDS
        .iter()
        .any(|field| name.eq_ignore_ascii_case(field))
}

/// Replaces every credential field's value, at any depth (an `Authorization` value keeps its
/// scheme), and those values wherever else they appear in the body: a device-code answer
/// repeats its user code in its `message`.
pub fn redact_json(value: &mut Value) {
    let mut found = Vec::new();
    collect_credentials(value, &mut found);
    found.retain(|text| text.len() >= 4);
    replace_credentials(value, &found);
}

fn collect_credentials(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match inner {
                    Value::String(text) if is_credential_field(key) => {
                        let secret = match text.split_once(' ') {
                            Some((_, credential)) if key.eq_ignore_ascii_case("authorization") => {
                                credential
                            }
                            _ => text,
                        };
                        found.push(secret.to_string());
                    }
                    _ => collect_credentials(inner, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_credentials(item, found)),
        _ => {}
    }
}

fn replace_credentials(value: &mut Value, found: &[String]) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_credential_field(key) {
                    *inner = match inner {
                        Value::String(text) if key.eq_ignore_ascii_case("authorization") => {
                            Value::String(redact_credential(text))
                        }
                        Value::Null => Value::Null,
                        _ => Value::String(REDACTED.into()),
                    };
                } else {
                    replace_credentials(inner, found);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_credentials(item, found)),
        Value::String(text) => {
            for secret in found {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), REDACTED);
                }
            }
        }
        _ => {}
    }
}

/// A form body with every credential field's value replaced.
pub fn redact_form(bytes: &[u8]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(bytes) {
        if is_credential_field(&name) {
            out.append_pair(&name, REDACTED);
        } else {
            out.append_pair(&name, &value);
        }
    }
    out.finish()
}

/// Text from the wire on one line: control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `2024-05-01T12:00:00.123Z`.
pub fn utc_timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
