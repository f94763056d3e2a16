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
