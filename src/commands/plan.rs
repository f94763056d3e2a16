use super::live::Source;
use super::{print_warnings, Outcome};
use crate::cli::{Format, PlanArgs};
use crate::error::CliError;
use crate::plan::Planner;
use crate::policy::load::load_dir;
use crate::render::{render_text, TextOptions};
use crate::state::ReadOptions;
use std::io::Write;

pub fn run(args: &PlanArgs, color: bool) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policy.policies)?;
    print_warnings(&loaded.warnings);
    let source = Source::choose(&args.state, &args.live)?;
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
    }
    out.flush()?;

    let weakening = plan.weakening_count();
    if args.forbid_weakening && weakening > 0 {
        return Err(CliError::Weakening { count: weakening });
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        Outcome::ChangesPresent
    } else {
        Outcome::Success
    })
}
