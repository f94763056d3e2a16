use super::*;

fn polling() -> DevicePolling {
    DevicePolling::default()
}

#[test]
fn the_sign_in_line_spells_no_logging_command_whatever_page_the_authority_names() {
    // The URL parser keeps `#`, `[` and `]` in a fragment, so the page the authority names can
    // carry a logging command onto the line shown in a CI log.
    let body = serde_json::json!({
        "device_code": "device-code-3f9a1c77",
        "user_code": "ABCD-EFGH",
        "verification_uri": "https://login.example/devicelogin#x##vso[task.setvariable%20variable=a]b##[error]c",
        "expires_in": 900,
    });
    let started = parse_device_code(body.to_string().as_bytes(), &polling()).expect("parsed");
    let line = started.shown.instructions();
    assert!(crate::inert::is_inert(&line), "{line}");
    assert!(
        line.contains("https://login.example/devicelogin#x##vso"),
        "{line}"
    );
}

#[test]
fn the_usual_page_is_shown_as_it_is() {
    let code = DeviceCode {
        verification_uri: "https://microsoft.com/devicelogin".into(),
        user_code: "ABCD-EFGH".into(),
        expires_in: Duration::from_secs(900),
    };
    assert_eq!(
        code.instructions(),
        "To sign in to Exchange Online, open https://microsoft.com/devicelogin in a browser and enter the code ABCD-EFGH (valid for 15 minutes)."
    );
}
