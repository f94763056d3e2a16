//! The example pipelines in `examples/ci/` are valid YAML, and every `auditform` command they
//! run is a real subcommand with real options, so that they keep working as the CLI changes.

use auditform::cli::Cli;
use clap::CommandFactory;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Keys whose values are shell scripts: GitHub `run`, Azure DevOps `script` / `bash` /
/// `inlineScript`, GitLab `script` / `before_script` / `after_script`.
const SCRIPT_KEYS: [&str; 6] = [
    "run",
    "script",
    "bash",
    "inlineScript",
    "before_script",
    "after_script",
];

/// Where a command line of a shell script ends.
const SHELL_OPERATORS: [&str; 9] = ["|", "||", "&&", ";", ">", ">>", "2>", "2>&1", ")"];

fn pipeline_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yml" | "yaml")
            ) {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ci"),
        &mut found,
    );
    found.sort();
    found
}

/// Every script in a pipeline, found under [`SCRIPT_KEYS`] at any depth.
fn scripts(value: &serde_yaml::Value, under_script_key: bool, out: &mut Vec<String>) {
    match value {
        serde_yaml::Value::String(text) if under_script_key => out.push(text.clone()),
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                scripts(item, under_script_key, out);
            }
        }
        serde_yaml::Value::Mapping(map) => {
            for (key, value) in map {
                let is_script = key.as_str().is_some_and(|k| SCRIPT_KEYS.contains(&k));
                scripts(value, is_script, out);
            }
        }
        serde_yaml::Value::Tagged(tagged) => scripts(&tagged.value, under_script_key, out),
        _ => {}
    }
}

/// An `auditform` invocation: the subcommand and the options given to it.
#[derive(Debug)]
struct Invocation {
    subcommand: String,
    options: Vec<String>,
}

fn invocations(script: &str) -> Vec<Invocation> {
    let mut found = Vec::new();
    for line in script.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for (index, word) in words.iter().enumerate() {
            if word.trim_start_matches(['(', '"', '\'']) != "auditform" {
                continue;
            }
            let Some(subcommand) = words.get(index + 1) else {
                continue; // `cargo install ... auditform`
            };
            let options = words[index + 2..]
                .iter()
                .take_while(|w| !SHELL_OPERATORS.contains(w) && !w.starts_with('>'))
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap_or(w).to_string())
                .collect();
            found.push(Invocation {
                subcommand: subcommand.to_string(),
                options,
            });
        }
    }
    found
}

fn known_options(subcommand: &clap::Command) -> BTreeSet<String> {
    let mut options: BTreeSet<String> = subcommand
        .get_arguments()
        .chain(Cli::command().get_arguments())
        .filter_map(|argument| argument.get_long())
        .map(|long| format!("--{long}"))
        .collect();
    options.insert("--help".to_string());
    options
}

#[test]
fn every_pipeline_is_valid_yaml_and_runs_only_real_auditform_commands() {
    let files = pipeline_files();
    assert!(files.len() >= 5, "pipelines are found: {files:?}");
    let cli = Cli::command();
    let mut used = BTreeSet::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let pipeline: serde_yaml::Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|error| panic!("{} is not valid YAML: {error}", path.display()));
        let mut found = Vec::new();
        scripts(&pipeline, false, &mut found);
        let calls: Vec<Invocation> = found.iter().flat_map(|s| invocations(s)).collect();
        assert!(
            !calls.is_empty() || is_steps_template(path),
            "{} runs auditform",
            path.display()
        );
        for call in calls {
            let Some(subcommand) = cli.find_subcommand(&call.subcommand) else {
                panic!(
                    "{} runs `auditform {}`, which is not a subcommand",
                    path.display(),
                    call.subcommand
                );
            };
            let known = known_options(subcommand);
            for option in &call.options {
                assert!(
                    known.contains(option),
                    "{} runs `auditform {} {option}`, which `auditform {}` does not take (it takes {known:?})",
                    path.display(),
                    call.subcommand,
                    call.subcommand
                );
            }
            used.insert(call.subcommand);
        }
    }
    for needed in ["validate", "plan", "apply"] {
        assert!(
            used.contains(needed),
            "the pipelines run `auditform {needed}`"
        );
    }
}

/// An Azure DevOps steps template (`steps:` alone), such as the install step, which the
/// pipelines include with `- template: FILE`.
fn is_steps_template(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let is_steps_only = value
        .as_mapping()
        .is_some_and(|map| map.len() == 1 && map.contains_key("steps"));
    let name = path.file_name().unwrap().to_str().unwrap();
    let included = pipeline_files().iter().any(|other| {
        std::fs::read_to_string(other)
            .unwrap()
            .contains(&format!("- template: {name}"))
    });
    is_steps_only && included
}

#[test]
fn the_github_plan_workflow_keeps_one_sticky_comment_and_the_plan_file() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ci/github/auditform-plan.yml"),
    )
    .unwrap();
    assert!(text.contains("<!-- auditform-plan -->"));
    assert!(text.contains("--out plan.json --format markdown"));
    assert!(text.contains("actions/upload-artifact"));
    assert!(text.contains("id-token: write"));
}

#[test]
fn a_made_up_subcommand_would_be_caught() {
    let calls = invocations("auditform plann --policies policies > plan.md");
    assert_eq!(calls.len(), 1);
    assert!(Cli::command()
        .find_subcommand(&calls[0].subcommand)
        .is_none());
    assert_eq!(calls[0].options, ["--policies"]);
}

/// The GitHub workflows: the templates and the project's own.
fn github_workflows() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in ["examples/ci/github", ".github/workflows"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `owner/name` of the repository auditform is published from, as Cargo.toml names it.
fn published_repository() -> String {
    let manifest =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .unwrap();
    let line = manifest
        .lines()
        .find(|line| line.starts_with("repository = "))
        .unwrap();
    line.trim_start_matches("repository = \"https://github.com/")
        .trim_end_matches('"')
        .to_string()
}

/// Every `uses:` of a workflow: the reference and the comment after it.
fn action_references(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().trim_start_matches("- ").trim_start();
            let rest = rest.strip_prefix("uses:")?.trim();
            let (reference, comment) = rest.split_once('#').unwrap_or((rest, ""));
            Some((reference.trim().to_string(), comment.trim().to_string()))
        })
        .collect()
}

#[test]
fn every_action_is_pinned_to_a_full_commit_with_its_version_beside_it() {
    let own = format!("{}@v1", published_repository());
    let mut commits: std::collections::BTreeMap<String, (String, String)> = Default::default();
    let mut checked = 0;
    for path in github_workflows() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (reference, comment) in action_references(&text) {
            checked += 1;
            if reference == own {
                // auditform's own action has no release commit to pin yet; the templates say to
                // pin it to the commit of the release the reader reviewed.
                assert_eq!(
                    comment,
                    "zizmor: ignore[unpinned-uses]",
                    "{}: {reference}",
                    path.display()
                );
                continue;
            }
            let (action, commit) = reference.split_once('@').unwrap();
            assert!(
                commit.len() == 40
                    && commit
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                "{}: {reference} is not pinned to a full commit",
                path.display()
            );
            assert!(
                comment.starts_with('v') && comment[1..].starts_with(|c: char| c.is_ascii_digit()),
                "{}: {reference} has no version beside it (`# v1.2.3`)",
                path.display()
            );
            let pinned = (commit.to_string(), comment.clone());
            let first = commits
                .entry(action.to_string())
                .or_insert_with(|| pinned.clone());
            assert_eq!(
                *first,
                pinned,
                "{}: {action} is pinned to another commit elsewhere",
                path.display()
            );
        }
    }
    assert!(checked >= 10, "the workflows use actions: {checked}");
}

#[test]
fn every_checkout_leaves_no_credentials_behind() {
    for path in github_workflows() {
        let text = std::fs::read_to_string(&path).unwrap();
        let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        for (name, job) in workflow["jobs"].as_mapping().unwrap() {
            for step in job["steps"].as_sequence().unwrap() {
                let uses = step["uses"].as_str().unwrap_or("");
                if uses.starts_with("actions/checkout@") {
                    assert_eq!(
                        step["with"]["persist-credentials"].as_bool(),
                        Some(false),
                        "{} job {name:?}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn every_workflow_grants_nothing_by_default_and_each_job_names_what_it_needs() {
    for path in github_workflows() {
        let text = std::fs::read_to_string(&path).unwrap();
        let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(
            workflow["permissions"].as_mapping().map(|map| map.len()),
            Some(0),
            "{}: `permissions: {{}}` at the top",
            path.display()
        );
        for (name, job) in workflow["jobs"].as_mapping().unwrap() {
            let permissions = job["permissions"].as_mapping();
            assert!(
                permissions.is_some_and(|map| !map.is_empty()),
                "{} job {name:?} names its permissions",
                path.display()
            );
            for (scope, level) in permissions.unwrap() {
                let line = text.lines().find(|line| {
                    line.trim_start()
                        .starts_with(&format!("{}: write", scope.as_str().unwrap()))
                });
                if level.as_str() == Some("write") {
                    assert!(
                        line.is_some_and(|line| line.contains(" # ")),
                        "{} job {name:?}: `{}: write` says why",
                        path.display(),
                        scope.as_str().unwrap()
                    );
                }
            }
        }
    }
}

#[test]
fn no_pipeline_builds_auditform_from_source() {
    for path in pipeline_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("cargo install"),
            "{} installs the release binary, not a build from source",
            path.display()
        );
    }
}

#[test]
fn every_drift_template_publishes_the_drift_as_junit_test_results() {
    let read = |path: &str| {
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
    };
    for (path, publisher) in [
        (
            "examples/ci/github/auditform-drift.yml",
            "actions/upload-artifact",
        ),
        (
            "examples/ci/azure-devops/auditform-drift.yml",
            "PublishTestResults@2",
        ),
        ("examples/ci/gitlab/.gitlab-ci.yml", "junit: drift.xml"),
    ] {
        let text = read(path);
        assert!(
            text.contains("--junit drift.xml"),
            "{path} writes the report"
        );
        assert!(
            text.contains(publisher),
            "{path} publishes it with {publisher}"
        );
    }
}
