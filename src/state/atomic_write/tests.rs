use super::*;

fn names_in(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn writing_creates_a_new_file_and_leaves_no_temporary_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    write_atomically(&path, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(names_in(dir.path()), ["plan.json"]);
}

#[test]
fn writing_replaces_an_existing_file_without_keeping_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "old").unwrap();
    write_atomically(&path, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(names_in(dir.path()), ["plan.json"]);
}

#[test]
fn a_write_into_a_missing_directory_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("plan.json");
    assert!(write_atomically(&path, b"new").is_err());
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn replacing_keeps_the_old_file_as_backup_over_an_older_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.json");
    std::fs::write(&path, "old").unwrap();
    std::fs::write(backup_path(&path), "older").unwrap();
    replace_keeping_backup(&path, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(std::fs::read_to_string(backup_path(&path)).unwrap(), "old");
    assert_eq!(names_in(dir.path()), ["tenant.json", "tenant.json.backup"]);
}

#[test]
fn replacing_a_missing_file_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.json");
    assert!(replace_keeping_backup(&path, b"new").is_err());
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn a_path_without_a_directory_is_written_in_the_current_directory() {
    assert_eq!(directory_of(Path::new("plan.json")), Path::new("."));
    assert_eq!(directory_of(Path::new("out/plan.json")), Path::new("out"));
}

#[cfg(unix)]
mod permissions {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_existing_file_keeps_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenant.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        replace_keeping_backup(&path, b"new").unwrap();
        assert_eq!(mode(&path), 0o640);
        write_atomically(&path, b"newer").unwrap();
        assert_eq!(mode(&path), 0o640);
    }

    #[test]
    fn a_new_file_gets_the_permissions_of_any_new_file_not_owner_only_ones() {
        let dir = tempfile::tempdir().unwrap();
        let ordinary = dir.path().join("ordinary");
        std::fs::File::create(&ordinary).unwrap();
        let path = dir.path().join("plan.json");
        write_atomically(&path, b"new").unwrap();
        assert_eq!(mode(&path), mode(&ordinary));
    }
}

/// Issue 9 item 8: a temporary file a killed apply left beside the state file (a kill -9 once
/// left 320 MB) is removed by the next run that holds the file's lock; one that may be another
/// file's, or an older version's, is named and left alone.
#[test]
fn leftovers_of_a_killed_write_are_removed_and_others_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.json");
    std::fs::write(&path, "state").unwrap();
    let own = dir
        .path()
        .join(format!("{}Ab12Cd.tmp", temp_prefix("", &path)));
    let own_backup = dir
        .path()
        .join(format!("{}Zz99Yy.tmp", temp_prefix("backup-", &path)));
    let legacy = dir.path().join(".auditform-q1W2e3.tmp");
    let other = dir.path().join(format!(
        "{}Ab12Cd.tmp",
        temp_prefix("", &dir.path().join("other.json"))
    ));
    for leftover in [&own, &own_backup, &legacy, &other] {
        std::fs::write(leftover, "half written").unwrap();
    }
    let leftovers = clear_leftovers(&path).unwrap();
    let mut removed: Vec<&PathBuf> = leftovers.removed.iter().map(|(path, _)| path).collect();
    removed.sort();
    let mut expected = vec![&own, &own_backup];
    expected.sort();
    assert_eq!(removed, expected);
    assert_eq!(leftovers.removed[0].1, 12);
    assert_eq!(leftovers.unclaimed, std::slice::from_ref(&legacy));
    assert!(legacy.exists() && other.exists() && !own.exists());
}

#[test]
fn a_temporary_file_is_named_after_the_file_it_stands_in_for() {
    assert_eq!(
        temp_prefix("", Path::new("states/tenant prod.json")),
        ".auditform-tenant_prod.json-"
    );
    assert_eq!(
        temp_prefix("backup-", Path::new("t.json")),
        ".auditform-backup-t.json-"
    );
}
