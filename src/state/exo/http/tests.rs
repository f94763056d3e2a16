use super::*;

#[test]
fn retry_after_is_read_in_seconds_and_capped() {
    assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
    assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
    assert_eq!(parse_retry_after("99999"), Some(Duration::from_secs(3600)));
    assert_eq!(parse_retry_after("-1"), None);
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
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

#[test]
fn every_request_id_is_a_fresh_guid() {
    let ids: Vec<String> = (0..1000).map(|_| new_request_id()).collect();
    for id in &ids {
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "{id}"
        );
        assert_eq!(&id[14..15], "4", "{id}");
    }
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
}
