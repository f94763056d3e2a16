//! Signing in as a person with a device code: pending, slowed down, approved, declined and
//! expired codes; refresh tokens; and access tokens that expire.

mod common;

use auditform_emulator::{DeviceResponse, DeviceSignIn, EmulatorConfig, EmulatorHandle, Faults};
use common::*;
use serde_json::json;
use std::time::Duration;

const MODULE_CLIENT: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn with_device(device: DeviceSignIn) -> EmulatorHandle {
    start(EmulatorConfig {
        device,
        ..config(Faults::default())
    })
}

fn device_code(handle: &EmulatorHandle) -> serde_json::Value {
    post_form(
        &handle.device_code_url(TENANT),
        &[
            ("client_id", MODULE_CLIENT),
            (
                "scope",
                "https://outlook.office365.com/.default offline_access",
            ),
        ],
    )
    .ok()
}

fn poll(handle: &EmulatorHandle, code: &str) -> Answer {
    post_form(
        &handle.token_url(TENANT),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", MODULE_CLIENT),
            ("device_code", code),
        ],
    )
}

fn error_of(answer: &Answer) -> String {
    answer.body()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_code_is_pending_then_slowed_down_then_approved_with_tokens_naming_the_person() {
    let handle = with_device(DeviceSignIn {
        user: "kim@contoso.com".into(),
        slow_down_polls: 1,
        pending_polls: 2,
        ..DeviceSignIn::default()
    });
    let code = device_code(&handle);
    assert_eq!(
        code["verification_uri"],
        "https://microsoft.com/devicelogin"
    );
    assert_eq!(code["expires_in"], 900);
    assert_eq!(code["interval"], 5);
    let device = code["device_code"].as_str().unwrap();
    let answers: Vec<String> = (0..3).map(|_| error_of(&poll(&handle, device))).collect();
    assert_eq!(
        answers,
        [
            "slow_down",
            "authorization_pending",
            "authorization_pending"
        ]
    );
    let tokens = poll(&handle, device).ok();
    let access = tokens["access_token"].as_str().unwrap();
    let claims = access.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&auditform_emulator::wire::base64url_decode(claims).unwrap())
            .unwrap();
    assert_eq!(claims["upn"], "kim@contoso.com");
    assert!(tokens["refresh_token"].as_str().is_some());
    assert_eq!(
        invoke(&handle, access, "Get-OrganizationConfig", json!({})).status(),
        Some(200)
    );
    assert_eq!(
        error_of(&poll(&handle, device)),
        "invalid_grant",
        "a code is redeemed once"
    );
}

#[test]
fn a_declined_code_is_declined() {
    let handle = with_device(DeviceSignIn {
        response: DeviceResponse::Decline,
        pending_polls: 0,
        ..DeviceSignIn::default()
    });
    let code = device_code(&handle);
    let answer = poll(&handle, code["device_code"].as_str().unwrap());
    assert_eq!(answer.status(), Some(400));
    assert_eq!(error_of(&answer), "authorization_declined");
}

#[test]
fn an_ignored_code_expires() {
    let handle = with_device(DeviceSignIn {
        response: DeviceResponse::Ignore,
        expires_in: 1,
        ..DeviceSignIn::default()
    });
    let code = device_code(&handle);
    let device = code["device_code"].as_str().unwrap();
    assert_eq!(error_of(&poll(&handle, device)), "authorization_pending");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(error_of(&poll(&handle, device)), "expired_token");
}

#[test]
fn an_unknown_code_is_a_bad_verification_code() {
    let handle = with_device(DeviceSignIn::default());
    assert_eq!(
        error_of(&poll(&handle, "not-a-code")),
        "bad_verification_code"
    );
}

#[test]
fn a_refresh_token_gets_a_new_access_token_once_and_expired_tokens_are_refused() {
    let handle = start(EmulatorConfig {
        device: DeviceSignIn {
            pending_polls: 0,
            ..DeviceSignIn::default()
        },
        token_lifetime: 1,
        ..config(Faults::default())
    });
    let code = device_code(&handle);
    let tokens = poll(&handle, code["device_code"].as_str().unwrap()).ok();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1100));
    let expired = invoke(
        &handle,
        tokens["access_token"].as_str().unwrap(),
        "Get-OrganizationConfig",
        json!({}),
    );
    assert_eq!(expired.status(), Some(401));
    let form = |token: &str| {
        post_form(
            &handle.token_url(TENANT),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", MODULE_CLIENT),
                ("refresh_token", token),
                (
                    "scope",
                    "https://outlook.office365.com/.default offline_access",
                ),
            ],
        )
    };
    let renewed = form(&refresh).ok();
    assert_eq!(
        invoke(
            &handle,
            renewed["access_token"].as_str().unwrap(),
            "Get-OrganizationConfig",
            json!({})
        )
        .status(),
        Some(200)
    );
    assert_eq!(
        error_of(&form(&refresh)),
        "invalid_grant",
        "refresh tokens rotate"
    );
    assert_eq!(handle.counters().refreshes, 1);
}
