//! The routing hint every request carries, `X-AnchorMailbox`, from what the access token says
//! about who holds it. The token is read without verifying it: the service verifies it, and
//! auditform only needs to know where the request should be routed.
//!
//! - A person's token names them (`upn`, else `unique_name` or `preferred_username`): the hint
//!   is `UPN:{user}`, as the ExchangeOnlineManagement module sends for a signed-in user (its
//!   `Add-Headers`: `"UPN:" + UserPrincipalName`, as transcribed in public code) and as
//!   ExoHelper does from the token's `upn` claim (GreyCorbel/ExoHelper,
//!   Commands/Public/New-ExoConnection.ps1).
//! - An application's token names no user: the hint is the tenant's system mailbox,
//!   `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@{tenant}`, as CIPP sends it
//!   (KelvinTegelaar/CIPP-API, Modules/CIPPCore/Public/GraphHelper/New-ExoRequest.ps1 and
//!   New-ExoBulkRequest.ps1) and ExoHelper for app-only connections.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

/// The system mailbox an application's requests are anchored to.
pub const APP_SYSTEM_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

/// The claims of a JWT, or `None` when the token is not one (a ready token may be opaque).
pub fn claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// The user a token was issued to, when it was issued to a person.
pub fn user_of(token: &str) -> Option<String> {
    let claims = claims(token)?;
    ["upn", "unique_name", "preferred_username"]
        .iter()
        .filter_map(|name| claims.get(*name).and_then(Value::as_str))
        .find(|user| is_header_safe(user) && user.contains('@'))
        .map(str::to_string)
}

/// `X-AnchorMailbox` for requests made with `token` in `tenant`.
pub fn anchor_mailbox(token: &str, tenant: &str) -> String {
    match user_of(token) {
        Some(user) => format!("UPN:{user}"),
        None => format!("APP:{APP_SYSTEM_MAILBOX}@{tenant}"),
    }
}

/// Printable ASCII without spaces, of a sensible length: nothing that could break a header.
fn is_header_safe(text: &str) -> bool {
    !text.is_empty() && text.len() <= 320 && text.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn a_persons_token_anchors_to_their_mailbox() {
        let token = jwt(serde_json::json!({"upn": "alex@contoso.com", "tid": "t"}));
        assert_eq!(anchor_mailbox(&token, "contoso"), "UPN:alex@contoso.com");
        let token = jwt(serde_json::json!({"preferred_username": "kim@contoso.com"}));
        assert_eq!(anchor_mailbox(&token, "contoso"), "UPN:kim@contoso.com");
    }

    #[test]
    fn an_applications_or_an_opaque_token_anchors_to_the_system_mailbox() {
        let expected =
            "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com";
        let app = jwt(serde_json::json!({"appid": "x", "roles": ["Exchange.ManageAsApp"]}));
        assert_eq!(anchor_mailbox(&app, "contoso.onmicrosoft.com"), expected);
        assert_eq!(
            anchor_mailbox("emu.0123", "contoso.onmicrosoft.com"),
            expected
        );
    }

    #[test]
    fn a_user_name_that_could_break_a_header_is_not_used() {
        let token = jwt(serde_json::json!({"upn": "alex@contoso.com\r\nX-Evil: 1"}));
        assert!(anchor_mailbox(&token, "contoso").starts_with("APP:"));
    }
}
