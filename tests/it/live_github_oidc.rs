//! Signing in from GitHub Actions with no stored secret: auditform asks the runner's ID-token
//! endpoint for a token with Entra ID's federation audience and presents it as the client
//! assertion; the tenant's app trusts that workflow's subject.

use crate::support::live::*;
use base64::Engine;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Distinctive, so that a test can prove it never shows up anywhere.
const REQUEST_TOKEN: &str = "ghs_request-token-4b1d9e";

/// A stand-in for the runner's `ACTIONS_ID_TOKEN_REQUEST_URL`: it answers a GET that carries
/// the request token and asks for the federation audience with an ID token for `subject`.
struct GithubTokenEndpoint {
    url: String,
    served: Arc<AtomicUsize>,
}

fn github_token_endpoint(subject: &'static str) -> GithubTokenEndpoint {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!(
        "http://{}/_apis/distributedtask/token?api-version=2.0",
        listener.local_addr().unwrap()
    );
    let served = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&served);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut authorized = false;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.trim().split_once(':') {
                    // The scheme is case-insensitive; GitHub's own examples write `bearer`.
                    let credentials = value.trim().split_once(' ');
                    authorized |= name.eq_ignore_ascii_case("authorization")
                        && credentials.is_some_and(|(scheme, token)| {
                            scheme.eq_ignore_ascii_case("bearer") && token == REQUEST_TOKEN
                        });
                }
            }
            let asks_for_federation = request_line.starts_with("GET ")
                && (request_line.contains("audience=api://AzureADTokenExchange")
                    || request_line.contains("audience=api%3A%2F%2FAzureADTokenExchange"));
            let (status, body) = if authorized && asks_for_federation {
                counter.fetch_add(1, Ordering::SeqCst);
                (
                    200,
                    format!("{{\"count\":1,\"value\":\"{}\"}}", id_token(subject)),
                )
            } else {
                (401, "{\"message\":\"Unauthorized\"}".to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    GithubTokenEndpoint { url, served }
}

/// An ID token as GitHub issues it (the emulator does not check signatures).
fn id_token(subject: &str) -> String {
    let encode = |json: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
    };
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        encode(serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "github"})),
        encode(serde_json::json!({
            "iss": "https://token.actions.githubusercontent.com",
            "aud": "api://AzureADTokenExchange",
            "sub": subject,
            "exp": exp,
        })),
    )
}

/// `auditform plan` against the emulator as a workflow with `id-token: write` runs it.
fn plan_from_github(
    emulator: &auditform_emulator::EmulatorHandle,
    github: &GithubTokenEndpoint,
) -> std::process::Output {
    plain(&["plan", "--tenant", TENANT, "--endpoint"])
        .arg(emulator.base_url())
        .arg("--authority")
        .arg(emulator.authority())
        .env("AUDITFORM_CLIENT_ID", CLIENT_ID)
        .env("AUDITFORM_AUTH", "github-oidc")
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &github.url)
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
        .output()
        .unwrap()
}

#[test]
fn a_workflow_the_app_trusts_plans_without_any_stored_secret() {
    let emulator = start(auditform_emulator::Faults::default());
    let github = github_token_endpoint(GITHUB_SUBJECT);
    let output = plan_from_github(&emulator, &github);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("Plan: 0 to add, 11 to change, 0 to destroy."));
    assert!(
        github.served.load(Ordering::SeqCst) >= 1,
        "the ID token was asked for"
    );
    let everything = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!everything.contains(REQUEST_TOKEN));
    assert!(!everything.contains(&id_token(GITHUB_SUBJECT)[..40]));
}

#[test]
fn a_workflow_the_app_does_not_trust_is_refused_with_the_services_reason() {
    let emulator = start(auditform_emulator::Faults::default());
    let github = github_token_endpoint("repo:someone-else/fork:pull_request");
    let output = plan_from_github(&emulator, &github);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("No matching federated identity record"),
        "{message}"
    );
    assert!(!message.contains(REQUEST_TOKEN));
    assert!(stdout(&output).is_empty());
}
