use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

#[test]
fn dates_are_written_as_rfc3339_in_utc() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
}

/// Unix only: elsewhere a held lock stops others reading the file.
#[cfg(unix)]
#[test]
fn a_second_lock_is_refused_naming_the_holder_and_granted_once_the_first_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    let held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    let error = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("is locked by"), "{message}");
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(error.hint().starts_with("wait for that apply to finish"));
    drop(held);
    StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
}

#[test]
fn a_released_lock_file_stays_in_place_and_names_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    drop(StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap());
    assert_eq!(std::fs::read(lock_path(&state)).unwrap(), b"");
}

/// Unix only: elsewhere a held lock stops others reading the file.
#[cfg(unix)]
#[test]
fn a_lock_file_naming_a_holder_but_not_locked_does_not_block_and_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    let mut gone = LockHolder::of_this_process("auditform apply");
    gone.pid = u32::MAX - 1;
    gone.host = "some-other-host".into();
    // Longer than what this process writes, so that leftovers would show.
    gone.command = "x".repeat(500);
    std::fs::write(lock_path(&state), serde_json::to_string(&gone).unwrap()).unwrap();
    let _held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    let recorded: LockHolder =
        serde_json::from_slice(&std::fs::read(lock_path(&state)).unwrap()).unwrap();
    assert_eq!(recorded.pid, std::process::id());
    assert_eq!(recorded.command, "auditform apply");
}

/// Unix only: elsewhere a held lock stops others reading the file.
#[cfg(unix)]
#[test]
fn a_held_lock_whose_file_says_nothing_is_refused_as_held_by_an_unknown_process() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    let _held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    std::fs::write(lock_path(&state), "").unwrap();
    let error = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap_err();
    assert!(matches!(error, LockError::Unknown { .. }), "{error}");
    assert!(error.to_string().contains("does not say which"), "{error}");
}

#[test]
fn a_waiting_apply_gets_the_lock_when_the_holder_releases_it_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    let held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });
    StateLock::acquire(&state, "auditform apply", Duration::from_secs(10)).unwrap();
    releaser.join().unwrap();
}

#[test]
fn applies_racing_for_a_lock_left_behind_hold_it_one_at_a_time() {
    const RACERS: usize = 8;
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tenant.json");
        let mut gone = LockHolder::of_this_process("auditform apply");
        gone.pid = u32::MAX - 1;
        std::fs::write(lock_path(&state), serde_json::to_string(&gone).unwrap()).unwrap();
        let start = Arc::new(Barrier::new(RACERS));
        let holding = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let racers: Vec<_> = (0..RACERS)
            .map(|_| {
                let (state, start) = (state.clone(), start.clone());
                let (holding, most) = (holding.clone(), most.clone());
                std::thread::spawn(move || {
                    start.wait();
                    if let Ok(lock) = StateLock::acquire(&state, "auditform apply", Duration::ZERO)
                    {
                        let now = holding.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        holding.fetch_sub(1, Ordering::SeqCst);
                        drop(lock);
                    }
                })
            })
            .collect();
        for racer in racers {
            racer.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "round {round}");
    }
}
