use super::*;
use serde_json::json;

fn error_body(inner: &str) -> Vec<u8> {
    json!({"error": {"code": "BadRequest", "message": "Error executing cmdlet",
        "innererror": {"message": "outer", "internalexception": {"message": inner}}}})
    .to_string()
    .into_bytes()
}

#[test]
fn the_message_shown_is_the_internal_exception_of_the_service() {
    let failure = classify(
        400,
        None,
        &error_body("'x' is not within a valid server write scope."),
    );
    assert_eq!(
        failure,
        Failure::Permanent {
            status: 400,
            message: "'x' is not within a valid server write scope.".into()
        }
    );
}

#[test]
fn throttling_server_errors_and_the_concurrency_text_are_transient() {
    for status in [429, 500, 502, 503, 504] {
        assert!(
            matches!(classify(status, None, b""), Failure::Transient { .. }),
            "{status}"
        );
    }
    let concurrency = error_body("You have reached the maximum number of concurrent requests per tenant. Please wait and retry.");
    assert!(matches!(
        classify(400, None, &concurrency),
        Failure::Transient { .. }
    ));
}

#[test]
fn retry_after_is_kept_with_a_transient_failure() {
    let failure = classify(429, parse_retry_after("3"), b"{}");
    assert!(
        matches!(failure, Failure::Transient { retry_after: Some(wait), .. } if wait == Duration::from_secs(3))
    );
}

#[test]
fn an_expired_token_is_told_apart_from_a_refusal() {
    let body = json!({"error": {"code": "Unauthorized", "message": "The access token is missing, expired or invalid."}});
    assert_eq!(
        classify(401, None, body.to_string().as_bytes()),
        Failure::Unauthorized {
            message: "The access token is missing, expired or invalid.".into()
        }
    );
}

#[test]
fn backoff_grows_up_to_its_ceiling_and_follows_retry_after() {
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(2),
        ..RetryPolicy::default()
    };
    for attempt in 1..20 {
        let wait = backoff(&policy, attempt, None);
        let ceiling =
            Duration::from_millis(100 * (1u64 << (attempt - 1).min(16))).min(policy.max_delay);
        assert!(
            wait <= ceiling && wait >= ceiling / 2,
            "attempt {attempt}: {wait:?}"
        );
    }
    let wait = backoff(&policy, 1, Some(Duration::from_secs(5)));
    assert!(wait >= Duration::from_secs(5) && wait <= Duration::from_millis(5050));
}
