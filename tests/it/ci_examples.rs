//! The example pipelines in `examples/ci/` are valid YAML, and every `auditform` command they
//! run is a real subcommand with real options, so that they keep working as the CLI changes.

use auditform::cli::Cli;
use clap::CommandFactory;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Keys whose values are shell scripts: GitHub `run`, Azure DevOps `script` / `inlineScript`,
/// GitLab `script` / `before_script` / `after_script`.
const SCRIPT_KEYS: [&str; 5] = [
    "run",
    "script",
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
        assert!(!calls.is_empty(), "{} runs auditform", path.display());
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
