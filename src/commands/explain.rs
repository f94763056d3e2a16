use super::live::Source;
use super::reading::read_counted;
use super::Outcome;
use crate::catalog::closest;
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::explain::{explain_mailbox, IdentitySearch, PolicyReporter};
use crate::files::policy_dir::load_dir;
use crate::plan::{PlanError, Planner};
use crate::policy::PolicySet;
use crate::progress::Progress;
use crate::redact::ScrubWriter;
use crate::render::label::{plain_subject, printable};
use crate::render::{
    render_explanation, render_explanation_json, render_policy_report, render_policy_report_json,
    TextOptions,
};
use crate::state::ReadOptions;
use std::io::Write;

pub fn run(args: &ExplainArgs, color: bool, reporter: &Reporter) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policies.policies)?;
    reporter.report(&loaded.warnings);
    let source = Source::choose(&args.state, &args.live)?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let text = TextOptions {
        color,
        expand: true,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    match (&args.mailbox, &args.policy) {
        (_, Some(name)) => {
            let reporter = policy_reporter(&loaded.policies, name)?;
            let planner = Planner::traced(&loaded.policies, &source.describe(), reporter);
            let planner = read_counted(&source, planner, &options)?;
            let (plan, reporter) = planner.finish_traced();
            let conflicts = match &plan {
                Err(PlanError::Conflicts(conflicts)) => conflicts.as_slice(),
                _ => &[],
            };
            let report = reporter.into_report(&loaded.policies, conflicts);
            match args.format {
                ExplainFormat::Text => render_policy_report(&report, &text, &mut out)?,
                ExplainFormat::Json => render_policy_report_json(&report, &mut out)?,
            }
        }
        (Some(identity), None) => {
            let mut search = IdentitySearch::new(identity);
            let progress = Progress::new("reading mailboxes", None);
            source.read(&mut progress.counting(&mut search), &options)?;
            progress.finish();
            let (found, count) = search.found();
            let mailbox = match found {
                [only] => only,
                [] => {
                    return Err(CliError::NoSuchMailbox {
                        identity: printable(identity).into_owned(),
                        read: search.read,
                        suggestion: search.suggestion().map(|s| printable(s).into_owned()),
                    })
                }
                several => {
                    return Err(CliError::AmbiguousMailbox {
                        identity: printable(identity).into_owned(),
                        count,
                        candidates: several
                            .iter()
                            .map(|mailbox| {
                                let subject = crate::plan::Subject::of(&mailbox.names);
                                format!(
                                    "{} ({}), id {}",
                                    plain_subject(&subject),
                                    printable(mailbox.recipient_type.name()),
                                    printable(subject.id())
                                )
                            })
                            .collect(),
                    })
                }
            };
            let explanation = explain_mailbox(&loaded.policies, mailbox);
            match args.format {
                ExplainFormat::Text => render_explanation(&explanation, args.all, &text, &mut out)?,
                ExplainFormat::Json => render_explanation_json(&explanation, &mut out)?,
            }
        }
        // clap requires one of them.
        (None, None) => return Err(CliError::NothingToExplain),
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// The reporter on the mailbox policy of that name, or an error that says what the name is.
fn policy_reporter(policies: &PolicySet, name: &str) -> Result<PolicyReporter, CliError> {
    if let Some(reporter) = PolicyReporter::new(policies, name) {
        return Ok(reporter);
    }
    let other_kind = if policies.bypass.iter().any(|p| &*p.reference.name == name) {
        Some("AuditBypassPolicy")
    } else if policies
        .organization
        .iter()
        .any(|p| &*p.reference.name == name)
    {
        Some("OrganizationAuditPolicy")
    } else {
        None
    };
    let names = policies.mailbox.iter().map(|p| &*p.reference.name);
    Err(CliError::NoSuchPolicy {
        name: printable(name).into_owned(),
        suggestion: closest(name, names).map(|s| printable(s).into_owned()),
        other_kind,
    })
}
