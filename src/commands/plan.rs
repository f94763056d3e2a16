use super::live::Source;
use super::{print_warnings, Outcome};
use crate::cli::{Format, PlanArgs};
use crate::error::CliError;
use crate::files::plan_file;
use crate::files::policy_dir::load_dir;
use crate::model::{BypassAssociation, Mailbox, Organization, SplitVisitor, StateVisitor};
use crate::plan::document::Layout;
use crate::plan::planfile::{self, PlanFileInfo, PlannedState};
use crate::plan::{Plan, Planner};
use crate::progress::Progress;
use crate::redact::ScrubWriter;
use crate::render::{render_json, render_markdown, render_text, TextOptions};
use crate::state::ReadOptions;
use std::io::Write;
use std::path::Path;

pub fn run(args: &PlanArgs, color: bool) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policy.policies)?;
    print_warnings(&loaded.warnings);
    let source = Source::choose(&args.state, &args.live)?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let planner = Planner::new(&loaded.policies, &source.describe());
    let progress = Progress::new("reading mailboxes", None);
    let mut counted = Counted::new(planner, &progress);
    // A file is parsed and planned on every core; the live client reads through its own pages.
    match &source {
        Source::File(file) => {
            file.read_split(&mut counted, &options)?;
        }
        Source::Live(_) => source.read(&mut counted, &options)?,
    }
    progress.finish();
    let planner = counted.into_inner();
    // A plan of a million changes takes a second to free, one allocation at a time, just
    // before the process exits and the system takes all of it back at once.
    let plan = std::mem::ManuallyDrop::new(planner.finish()?);

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    match args.format {
        Format::Text => render_text(
            &plan,
            &TextOptions {
                color,
                expand: args.expand,
            },
            &mut out,
        )?,
        Format::Markdown => render_markdown(&plan, &mut out)?,
        Format::Json => render_json(&plan, layout(args.pretty), &mut out)?,
    }
    out.flush()?;

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

/// How JSON is laid out: compact unless `--pretty`.
pub(super) fn layout(pretty: bool) -> Layout {
    if pretty {
        Layout::Pretty
    } else {
        Layout::Compact
    }
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
    plan_file::save(path, plan, info, layout(args.pretty)).map_err(|error| CliError::PlanFile {
        path: path.to_path_buf(),
        error,
    })?;
    let message = format!(
        "\nSaved the plan to: {path}\n\nTo perform exactly these actions, run: auditform apply {path}",
        path = path.display()
    );
    match args.format {
        Format::Text => writeln!(std::io::stdout().lock(), "{message}")?,
        Format::Json | Format::Markdown => eprintln!("{message}"),
    }
    Ok(())
}

/// Counts mailboxes for the progress indicator while a planner, or its parts on other threads,
/// visits them. Parts count on their own and report when they are merged.
struct Counted<'a, V> {
    inner: V,
    seen: u64,
    progress: &'a Progress,
    /// The visitor the reader was given, rather than a part of it.
    whole: bool,
}

impl<'a, V> Counted<'a, V> {
    fn new(inner: V, progress: &'a Progress) -> Self {
        Counted {
            inner,
            seen: 0,
            progress,
            whole: true,
        }
    }

    fn into_inner(self) -> V {
        self.inner
    }
}

impl<V: StateVisitor> StateVisitor for Counted<'_, V> {
    fn organization(&mut self, organization: Organization) {
        self.inner.organization(organization);
    }
    fn bypass(&mut self, association: BypassAssociation) {
        self.inner.bypass(association);
    }
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.inner.mailbox(mailbox);
        if self.whole {
            self.progress.inc(1);
        } else {
            self.seen += 1;
        }
    }
}

impl<V: SplitVisitor> SplitVisitor for Counted<'_, V> {
    fn split(&self) -> Self {
        Counted {
            inner: self.inner.split(),
            seen: 0,
            progress: self.progress,
            whole: false,
        }
    }
    fn merge(&mut self, later: Self) {
        self.progress.inc(later.seen);
        self.inner.merge(later.inner);
    }
}
