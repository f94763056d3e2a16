use super::*;
use crate::state::exo::entra::entra_description;
use std::collections::HashMap;

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn mode(vars: &[(&str, &str)]) -> String {
    match Credentials::from_lookup(lookup(vars)) {
        Ok(Credentials::AccessToken(_)) => "token".into(),
        Ok(Credentials::ClientSecret { .. }) => "secret".into(),
        Ok(Credentials::Certificate { .. }) => "certificate".into(),
        Ok(Credentials::GithubOidc { .. }) => "github-oidc".into(),
        Ok(Credentials::DeviceCode { client_id, .. }) => format!("device {client_id}"),
        Err(error) => format!("error: {error}"),
    }
}

const GITHUB: [(&str, &str); 2] = [
    (
        ENV_GITHUB_REQUEST_URL,
        "https://pipelines.actions.githubusercontent.com/x?api-version=2.0",
    ),
    (ENV_GITHUB_REQUEST_TOKEN, "gh-request-token"),
];

#[test]
fn a_ready_token_comes_first_then_a_secret_then_a_certificate_then_github() {
    let all = [
        (ENV_ACCESS_TOKEN, "t"),
        (ENV_CLIENT_ID, "app"),
        (ENV_CLIENT_SECRET, "s"),
        (ENV_CERTIFICATE, "app.pem"),
        GITHUB[0],
        GITHUB[1],
    ];
    assert_eq!(mode(&all), "token");
    assert_eq!(mode(&all[1..]), "secret");
    assert_eq!(mode(&[all[1], all[3], all[4], all[5]]), "certificate");
    assert_eq!(mode(&[all[1], all[4], all[5]]), "github-oidc");
}

#[test]
fn auditform_auth_chooses_github_oidc_even_when_a_secret_is_set() {
    let vars = [
        (ENV_AUTH, "github-oidc"),
        (ENV_CLIENT_ID, "app"),
        (ENV_CLIENT_SECRET, "s"),
        GITHUB[0],
        GITHUB[1],
    ];
    assert_eq!(mode(&vars), "github-oidc");
}

#[test]
fn a_missing_piece_is_named() {
    assert_eq!(
        mode(&[(ENV_CLIENT_SECRET, "s")]),
        "error: client secret authentication needs AUDITFORM_CLIENT_ID (the application (client) id of the app registration)"
    );
    assert!(mode(&[]).starts_with("error: no credentials for Exchange Online"));
    assert!(mode(&[(ENV_AUTH, "github-oidc"), (ENV_CLIENT_ID, "app")]).contains("id-token: write"));
    assert_eq!(
        mode(&[(ENV_AUTH, "kerberos")]),
        "error: AUDITFORM_AUTH=\"kerberos\" is not one of token, secret, certificate, github-oidc, device"
    );
}

#[test]
fn a_person_signs_in_with_a_device_code_only_when_asked_and_with_the_modules_client() {
    assert_eq!(
        mode(&[(ENV_AUTH, "device")]),
        "device fb78d390-0c51-40cd-8e17-fdbfab77341b"
    );
    assert_eq!(
        mode(&[
            (ENV_AUTH, "device-code"),
            (ENV_CLIENT_ID, "own-public-client")
        ]),
        "device own-public-client"
    );
    assert!(mode(&[(ENV_CLIENT_ID, "app")]).starts_with("error: no credentials"));
}

#[test]
fn credentials_print_without_their_secrets() {
    let credentials = Credentials::from_lookup(lookup(&[
        (ENV_CLIENT_ID, "app"),
        (ENV_CLIENT_SECRET, "very-secret-value"),
    ]))
    .unwrap();
    let printed = format!("{credentials:?}");
    assert!(!printed.contains("very-secret-value"), "{printed}");
    assert!(printed.contains("***"));
}

#[test]
fn an_error_that_echoes_the_request_is_shown_without_the_secret() {
    let secret = "echoed-client-secret-5d7e";
    let _registered = Secret::new(secret);
    let body = format!(
        "400 Bad Request: grant_type=client_credentials&client_id=app&client_secret={secret}"
    );
    let shown = entra_description(body.as_bytes());
    let shown = crate::redact::scrub(&shown);
    assert!(!shown.contains(secret), "{shown}");
}

#[test]
fn the_first_line_of_the_entra_description_is_kept() {
    let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2"}"#;
    assert_eq!(
        entra_description(body),
        "AADSTS7000215: Invalid client secret provided."
    );
}
