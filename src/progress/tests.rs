use super::*;
use crate::model::Tenant;
use crate::state::snapshot::SnapshotFile;
use crate::state::ReadOptions;
use std::path::PathBuf;

fn at_a_terminal() -> Environment {
    Environment {
        stderr_is_terminal: true,
        in_ci: false,
        term_is_dumb: false,
    }
}

/// Moves the start back past the delay, instead of waiting for it.
fn started_long_ago(progress: &mut Progress) {
    if let Some(earlier) = Instant::now().checked_sub(DRAW_AFTER) {
        progress.started = earlier;
    }
}

#[test]
fn progress_is_drawn_only_for_a_person_at_a_terminal() {
    assert!(may_draw(&at_a_terminal()));
    let piped = Environment {
        stderr_is_terminal: false,
        ..at_a_terminal()
    };
    let in_ci = Environment {
        in_ci: true,
        ..at_a_terminal()
    };
    let dumb = Environment {
        term_is_dumb: true,
        ..at_a_terminal()
    };
    for environment in [piped, in_ci, dumb] {
        assert!(!may_draw(&environment), "{environment:?}");
    }
}

#[test]
fn quick_work_is_never_drawn_even_at_a_terminal() {
    let progress = Progress::with_permission("reading mailboxes", None, true);
    progress.inc(5);
    assert!(!progress.is_drawn());
    assert_eq!(progress.position(), 5);
    progress.finish();
}

#[test]
fn slow_work_at_a_terminal_starts_drawing_after_the_delay() {
    let mut progress = Progress::with_permission("applying", Some(10), true);
    started_long_ago(&mut progress);
    progress.inc(1);
    assert!(progress.is_drawn());
    progress.finish();
}

#[test]
fn slow_work_without_permission_to_draw_stays_hidden() {
    let mut progress = Progress::hidden("applying", Some(10));
    started_long_ago(&mut progress);
    progress.inc(1);
    assert!(!progress.is_drawn());
}

#[test]
fn the_counting_visitor_counts_every_mailbox_and_passes_everything_on() {
    let state = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/tenant.json");
    let mut direct = Tenant::default();
    SnapshotFile::new(&state)
        .read(&mut direct, &ReadOptions::default())
        .unwrap();

    let progress = Progress::hidden("reading mailboxes", None);
    let mut counted = Tenant::default();
    SnapshotFile::new(&state)
        .read(
            &mut progress.counting(&mut counted),
            &ReadOptions::default(),
        )
        .unwrap();

    assert!(!direct.mailboxes.is_empty());
    assert_eq!(progress.position(), direct.mailboxes.len() as u64);
    assert_eq!(counted.mailboxes.len(), direct.mailboxes.len());
    assert_eq!(counted.bypass.len(), direct.bypass.len());
    assert_eq!(counted.organization, direct.organization);
}
