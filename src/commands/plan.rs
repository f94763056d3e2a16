use super::{print_warnings, Outcome};
use crate::cli::{Format, PlanArgs};
use crate::error::CliError;
use crate::plan::planfile::{self, PlanFileInfo};
use crate::plan::{Plan, Planner};
use crate::policy::load::load_dir;
use crate::render::{render_json, render_text, TextOptions};
use crate::state::snapshot::SnapshotFile;
use crate::state::ReadOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: &PlanArgs, color: bool) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policy.policies)?;
    print_warnings(&loaded.warnings);
    let source = SnapshotFile::new(&args.state.state);
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let mut planner = Planner::new(&loaded.policies, &source.describe());
    source.read(&mut planner, &options)?;
    let plan = planner.finish()?;

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => render_text(
            &plan,
            &TextOptions {
                color,
                expand: args.expand,
            },
            &mut out,
        )?,
        Format::Json => render_json(&plan, &mut out)?,
    }
    out.flush()?;

    let weakening = plan.weakening_count();
    if args.forbid_weakening && weakening > 0 {
        return Err(CliError::Weakening { count: weakening });
    }
    if let Some(path) = &args.out {
        save(&plan, path, &args.policy.policies, args.format)?;
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        Outcome::ChangesPresent
    } else {
        Outcome::Success
    })
}

/// Saves the plan, and says so the way terraform does: after a text plan on stdout, and on
/// stderr when stdout is a JSON document that must stay parseable.
fn save(plan: &Plan, path: &Path, policies: &Path, format: Format) -> Result<(), CliError> {
    let info = PlanFileInfo::new(policies_digest(policies));
    planfile::save(path, plan, info).map_err(|error| CliError::PlanFile {
        path: path.to_path_buf(),
        error,
    })?;
    let message = format!(
        "\nSaved the plan to: {path}\n\nTo perform exactly these actions, run: auditform apply {path}",
        path = path.display()
    );
    match format {
        Format::Text => println!("{message}"),
        Format::Json => eprintln!("{message}"),
    }
    Ok(())
}

/// The digest of the policy files the plan was made from, so that a reviewer can tell which
/// policies a plan file belongs to. It only informs, so a file that can't be read leaves it out.
fn policies_digest(directory: &Path) -> Option<String> {
    let mut paths = Vec::new();
    collect_policy_files(directory, &mut paths).ok()?;
    let files = paths
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(directory).unwrap_or(path);
            Ok((
                relative.to_string_lossy().into_owned(),
                std::fs::read(path)?,
            ))
        })
        .collect::<std::io::Result<Vec<(String, Vec<u8>)>>>()
        .ok()?;
    Some(planfile::policies_digest(files.iter().map(
        |(path, contents)| (path.as_str(), contents.as_slice()),
    )))
}

fn collect_policy_files(directory: &Path, paths: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(directory)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_policy_files(&path, paths)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            paths.push(path);
        }
    }
    Ok(())
}
