//! Cargo.toml's `repository` is the one place that names where auditform is published. Every
//! other mention (the Action's default, the CI templates' download URL and `uses:`, the docs)
//! must agree with it, so that changing it there and running the tests finds them all.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn published_repository() -> String {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let url = manifest
        .lines()
        .find_map(|line| line.strip_prefix("repository = "))
        .unwrap()
        .trim_matches('"');
    url.strip_prefix("https://github.com/").unwrap().to_string()
}

fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = vec![
        root().join("README.md"),
        root().join("action.yml"),
        root().join("action/install.sh"),
        root().join("Cargo.toml"),
    ];
    for dir in ["docs", "examples/ci", ".github/workflows"] {
        walk(&root().join(dir), &mut found);
    }
    found
}

/// Every `OWNER/auditform` that follows `github.com/`, `uses: ` or `repository=`.
fn mentions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in ["github.com/", "uses: ", "repository=\""] {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
                .unwrap_or(rest.len());
            let mut segments = rest[..end].split('/');
            if let (Some(owner), Some(name)) = (segments.next(), segments.next()) {
                let name = name.split('@').next().unwrap_or(name);
                if name == "auditform" {
                    found.push(format!("{owner}/{name}"));
                }
            }
        }
    }
    found
}

#[test]
fn every_mention_of_where_auditform_is_published_agrees_with_cargo_toml() {
    let published = published_repository();
    assert_eq!(published, "auditform/auditform");
    let mut seen = 0;
    for path in files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for mention in mentions(&text) {
            seen += 1;
            assert_eq!(
                mention,
                published,
                "{} names {mention}; Cargo.toml's repository is {published}",
                path.display()
            );
        }
    }
    assert!(
        seen >= 8,
        "the templates, the Action and the docs name it: {seen}"
    );
}

#[test]
fn another_owner_would_be_found() {
    assert_eq!(
        mentions("see https://github.com/your-org/auditform/releases and uses: me/auditform@v1"),
        ["your-org/auditform", "me/auditform"]
    );
}
