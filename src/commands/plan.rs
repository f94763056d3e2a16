use super::live::Source;
use super::reading::read_counted;
use super::{finish_plan, layout, named_plan_error, write_plan, JunitReport, Outcome};
use crate::cli::{Format, PlanArgs};
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::files::plan_file;
use crate::files::policy_dir::load_dir;
use crate::plan::compliance::{Compliance, ComplianceTally};
use crate::plan::planfile::{self, PlanFileInfo, PlannedState};
use crate::plan::{Plan, Planner};
use crate::redact::ScrubWriter;
use crate::render::{render_plan_junit, JunitOptions, TextOptions};
use crate::state::atomic_write::write_atomically;
use crate::state::ReadOptions;
use std::io::Write;
use std::path::Path;

pub fn run(args: &PlanArgs, color: bool, reporter: &Reporter) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policy.policies)?;
    reporter.report(&loaded.warnings);
    let source = Source::choose(&args.state, &args.live)?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    // Only a JUnit report needs what complies, which the planner counts while it plans.
    let (plan, compliance) = if args.format == Format::Junit || args.junit.is_some() {
        let tally = ComplianceTally::new(&loaded.policies);
        let mut planner = Planner::traced(&loaded.policies, &source.describe(), tally);
        planner.allow_empty_state(args.allow_empty_state);
        let (plan, tally) = read_counted(&source, planner, &options)?.finish_traced();
        let plan = plan.map_err(|error| named_plan_error(&source, error))?;
        (plan, tally.into_compliance())
    } else {
        let mut planner = Planner::new(&loaded.policies, &source.describe());
        planner.allow_empty_state(args.allow_empty_state);
        let plan = finish_plan(&source, read_counted(&source, planner, &options)?)?;
        (plan, Compliance::default())
    };
    // A plan of a million changes takes a second to free, one allocation at a time, just
    // before the process exits and the system takes all of it back at once.
    let plan = std::mem::ManuallyDrop::new(plan);

    let junit = JunitReport {
        policies: &loaded.policies,
        compliance: &compliance,
        options: JunitOptions {
            timestamp: super::report_timestamp(),
        },
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    let options = TextOptions {
        color,
        expand: args.expand,
    };
    write_plan(
        &plan,
        args.format,
        &options,
        layout(args.pretty),
        Some(&junit),
        &mut out,
        reporter,
    )?;
    if let Some(path) = &args.junit {
        let mut report = Vec::new();
        render_plan_junit(
            &plan,
            junit.policies,
            junit.compliance,
            &junit.options,
            &mut report,
        )?;
        write_atomically(path, &report).map_err(CliError::write_file(path))?;
    }

    let weakening = plan.weakening_count();
    if args.forbid_weakening && weakening > 0 {
        return Err(CliError::Weakening { count: weakening });
    }
    if let Some(path) = &args.out {
        let digest = planfile::policies_digest(
            loaded
                .files
                .iter()
                .map(|(path, text)| (path.as_str(), text.as_bytes())),
        );
        let info = PlanFileInfo::new(Some(digest)).with_state(planned_state(&source));
        save(&plan, path, info, args)?;
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        Outcome::ChangesPresent
    } else {
        Outcome::Success
    })
}

/// Exactly which state the plan was read from, so that `apply FILE` targets the same state
/// from any directory.
fn planned_state(source: &Source) -> Option<PlannedState> {
    match source {
        Source::File(file) => plan_file::planned_snapshot(file.path()),
        Source::Live(client) => Some(PlannedState::Exo {
            tenant: client.config().tenant.clone(),
            endpoint: client.config().endpoint.clone(),
        }),
    }
}

/// Saves the plan, and says so the way terraform does: after a text plan on stdout, and on
/// stderr when stdout is a JSON document that must stay parseable.
fn save(plan: &Plan, path: &Path, info: PlanFileInfo, args: &PlanArgs) -> Result<(), CliError> {
    plan_file::save(path, plan, info, layout(args.pretty))?;
    let message = format!(
        "\nSaved the plan to: {path}\n\nTo perform exactly these actions, run: auditform apply {path}",
        path = path.display()
    );
    match args.format {
        Format::Text => writeln!(std::io::stdout().lock(), "{message}")?,
        Format::Json | Format::Markdown | Format::Junit => eprintln!("{message}"),
    }
    Ok(())
}
