//! A hostile stand-in for the authority and the admin endpoint that echoes every request it
//! gets (request line, headers, body) back in its answers: in sign-in errors, in cmdlet
//! errors, in `@adminapi.warnings`, and as a mailbox's display name. A test proves that none
//! of what it echoes (a client secret, an assertion, a token) reaches anything auditform
//! prints or writes.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// What the stand-in does with a token request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostility {
    /// The token endpoint refuses, echoing the request (its form body, with the secret).
    SignIn,
    /// The token endpoint issues [`HOSTILE_TOKEN`]; the admin endpoint echoes every request,
    /// `Authorization` header included.
    Api,
    /// As [`Hostility::Api`], but the admin endpoint refuses every cmdlet with the request's
    /// bearer token in its error message written entirely in JSON `\u` escapes, placed where
    /// the error is cut for display (1,000 characters), so that a piece of it would be left.
    EscapedApi,
    /// As [`Hostility::Api`], but the service's warning carries CI logging commands and a
    /// bidirectional override instead of the echo.
    Commands,
}

/// The warning [`Hostility::Commands`] gives.
pub const COMMANDS_WARNING: &str = "X ##vso[task.setvariable variable=a]pwned ##[error]pwned ##teamcity[x]pwned \u{202e}pwned ::error::pwned";

/// The token the hostile authority issues: distinctive, so that a test can look for it.
pub const HOSTILE_TOKEN: &str = "hostile-access-token-0b8d71c2e94f";
/// A bearer token and a JWT auditform never held, which the endpoint adds to its echoes.
pub const FOREIGN_TOKEN: &str = "foreign-bearer-token-5e1a9f3c77d2";
pub const FOREIGN_JWT: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJmb3JlaWduIn0.c2lnbmF0dXJlX2ZvcmVpZ24";

pub struct HostileEndpoint {
    pub url: String,
}

/// Starts the stand-in on 127.0.0.1; it serves until the test process ends.
pub fn start(hostility: Hostility) -> HostileEndpoint {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = serve(stream, hostility);
            });
        }
    });
    HostileEndpoint { url }
}

fn serve(stream: std::net::TcpStream, hostility: Hostility) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.trim().split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            headers.push(line.trim().to_string());
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let body = String::from_utf8_lossy(&body).into_owned();
        let echo = format!(
            "{} | {} | {} | also Bearer {FOREIGN_TOKEN} and {FOREIGN_JWT}",
            request_line.trim(),
            headers.join(" | "),
            body.replace(['\r', '\n'], " ")
        );
        let (status, content_type, answer) = answer(&request_line, &body, &echo, hostility);
        let head = format!(
            "HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            answer.len()
        );
        writer.write_all(head.as_bytes())?;
        writer.write_all(answer.as_bytes())?;
        writer.flush()?;
    }
}

fn answer(
    request_line: &str,
    body: &str,
    echo: &str,
    hostility: Hostility,
) -> (u16, &'static str, String) {
    const JSON: &str = "application/json";
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    if path.ends_with("/oauth2/v2.0/token") || path.ends_with("/oauth2/v2.0/devicecode") {
        return match hostility {
            Hostility::SignIn => (
                401,
                "text/plain",
                format!("invalid_client: you sent {echo}"),
            ),
            Hostility::Api | Hostility::EscapedApi | Hostility::Commands => (
                200,
                JSON,
                json!({"token_type": "Bearer", "expires_in": 3600, "access_token": HOSTILE_TOKEN})
                    .to_string(),
            ),
        };
    }
    let refusal = |echo: &str| {
        json!({"error": {"code": "BadRequest", "message": format!("you sent {echo}"),
            "details": [{"code": "Client", "target": "", "message": format!("Ex1|Hostile.EchoException|you sent {echo}")}]}})
    };
    if path.ends_with("/$batch") {
        let requests: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let responses: Vec<Value> = requests["requests"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|request| json!({"id": request["id"], "status": 400, "headers": {}, "body": refusal(&format!("{echo} {request}"))}))
            .collect();
        return (200, JSON, json!({"responses": responses}).to_string());
    }
    if hostility == Hostility::EscapedApi {
        let token = echo
            .split(" | ")
            .find_map(|header| header.strip_prefix("Authorization: Bearer "))
            .unwrap_or_default();
        let escaped: String = token
            .chars()
            .map(|c| format!("\\u{:04x}", u32::from(c)))
            .collect();
        let padding = "x".repeat(925);
        return (
            400,
            JSON,
            format!(
                r#"{{"error":{{"code":"BadRequest","message":"you sent {padding} {escaped}"}}}}"#
            ),
        );
    }
    let cmdlet: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let answer = match cmdlet["CmdletInput"]["CmdletName"].as_str().unwrap_or("") {
        "Get-OrganizationConfig" => {
            let warning = match hostility {
                Hostility::Commands => COMMANDS_WARNING.to_string(),
                _ => format!("you sent {echo}"),
            };
            json!({"value": [{"AuditDisabled": false}], "@adminapi.warnings": [warning]})
        }
        "Get-MailboxAuditBypassAssociation" => json!({"value": []}),
        "Get-Mailbox" if cmdlet["CmdletInput"]["Parameters"]["GroupMailbox"] == true => {
            json!({"value": []})
        }
        "Get-Mailbox" => json!({"value": [mailbox(echo)]}),
        _ => return (400, JSON, refusal(echo).to_string()),
    };
    (200, JSON, answer.to_string())
}

/// A user mailbox that lacks an action the bundled policies want, named after the request.
fn mailbox(echo: &str) -> Value {
    let tenant = auditform_emulator::read_snapshot(std::path::Path::new("examples/tenant.json"))
        .expect("the example tenant reads");
    let mut mailbox = tenant["mailboxes"][0].clone();
    mailbox["DisplayName"] = Value::String(format!("Echo {echo}"));
    mailbox
}
