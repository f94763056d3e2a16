//! The command line. clap types only: no behaviour lives here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  error (bad policies, unreadable state, conflicts, a refused or failed apply)
  2  changes present (only with `plan --detailed-exitcode`; an error wins over changes)

Examples:
  auditform validate
  auditform plan
  auditform plan --detailed-exitcode --forbid-weakening
  auditform plan --state tenant.json --policies policies/ --expand";

/// Keep Exchange Online mailbox auditing in line with YAML policies kept in Git.
///
/// auditform reads the current audit settings of every mailbox, compares them with the
/// desired state in your policies, and prints the changes that would make them match, the way
/// terraform plans infrastructure.
#[derive(Debug, Parser)]
#[command(name = "auditform", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Never colour the output (colour is also off when NO_COLOR is set or stdout is not a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the policy set: syntax, keys, action names, logon types, licences and conflicts of
    /// names. Exits 0 when valid, 1 when not.
    Validate(PolicyArgs),

    /// Compute and print the changes that would bring the mailboxes in line with the policies.
    ///
    /// Nothing is changed. Changes that weaken auditing (removing an action, turning auditing
    /// off, a shorter AuditLogAgeLimit, enabling a bypass) are shown first and marked.
    #[command(after_help = "\
Examples:
  auditform plan                                   # bundled example tenant and policies/
  auditform plan --state export.json               # a Get-EXOMailbox | ConvertTo-Json export
  auditform plan --detailed-exitcode               # exit 2 when there are changes (drift checks)
  auditform plan --forbid-weakening                # exit 1 if any change weakens auditing
  auditform plan --format junit > drift.xml        # drift as test results, a suite per policy")]
    Plan(PlanArgs),

    /// Show a saved plan, or the current audit settings of a tenant, like
    /// `Get-Mailbox | FL Name,Audit*`, or save them as a snapshot file (`--format json`).
    #[command(after_help = "\
Examples:
  auditform show                                   # the audit settings of examples/tenant.json
  auditform show --state export.json               # the audit settings of another state file
  auditform show plan.json                         # a plan saved with `plan --out plan.json`
  auditform show plan.json --format json           # the same plan as its JSON document
  auditform show --tenant contoso.onmicrosoft.com --format json > snapshot.json
                                                   # save a live tenant as a snapshot file
  auditform plan --state snapshot.json             # plan it offline: the same plan")]
    Show(ShowArgs),

    /// Explain why a mailbox gets the plan it gets, or what one policy does over the tenant.
    ///
    /// For a MAILBOX (any name an `identities` selector accepts: address, UPN, alias, name,
    /// ExternalDirectoryObjectId or Guid): its audit settings; every policy that selects it and
    /// which conditions held, with the values an OPATH filter read; every verdict on every
    /// action and which one won, from which file and line, at which priority, over which
    /// others; why each logon type is in DefaultAuditSet or not; and the change `plan` makes.
    /// The explanation comes from the planner itself, so it always agrees with `plan`.
    ///
    /// With --policy NAME: how many mailboxes the policy selects, where its verdicts win, where
    /// a policy of a higher priority overrides it, and which mailboxes its exclude spares.
    #[command(after_help = "\
Examples:
  auditform explain pilar@contoso.com              # why Pilar's mailbox gets its plan
  auditform explain pilar@contoso.com --all        # also why the other policies skip it
  auditform explain --policy user-mailboxes-owner-actions
  auditform explain pilar@contoso.com --format json

An identity that answers to several mailboxes lists them and exits 1: name one of them by
its address or ExternalDirectoryObjectId.")]
    Explain(ExplainArgs),

    /// Run the unit tests of the policy set, offline: `kind: PolicyTest` documents give a few
    /// mailboxes and what the policies must do with each.
    ///
    /// Each case's mailboxes are planned with the policies, as `plan` would plan them, and
    /// compared with what the case expects: the settings the plan leads to (lists as sets),
    /// a skip and its reason, a conflict between named policies, or no change. A failure shows
    /// the difference between expected and planned. Exits 1 when any case fails or can't run.
    #[command(after_help = "\
Examples:
  auditform test                                   # the tests beside the policies in policies/
  auditform test --policies examples/policies/cis-6.1
  auditform test --tests policy-tests/             # tests kept in their own directory
  auditform test --format junit > test-results.xml # for CI test tabs

See docs/testing.md for the test format and the defaults of a test mailbox.")]
    Test(TestArgs),

    /// Write policies that describe the current state, so that planning them changes nothing.
    ///
    /// Per RecipientTypeDetails, the most common configuration becomes one policy; every other
    /// configuration gets a policy that selects its mailboxes by identity. Group mailboxes get
    /// none: their audit actions and AuditEnabled are fixed, and a policy that says nothing of
    /// their AuditLogAgeLimit leaves it as it is.
    #[command(after_help = "\
Examples:
  auditform import                                 # print the policies as YAML
  auditform import --state export.json --out policies/
  auditform plan --state export.json --policies policies/   # No changes.")]
    Import(ImportArgs),

    /// Write a PowerShell script that carries out a saved plan with the ExchangeOnlineManagement
    /// module, for admins who review and run the changes themselves.
    ///
    /// One Set-Mailbox call per mailbox, every identity single-quoted. The script checks that a
    /// session is connected, stops at the first failure (unless run with -ContinueOnError), and
    /// ends with how many changes succeeded and failed.
    #[command(after_help = "\
Examples:
  auditform plan --out plan.json
  auditform script plan.json --out apply-audit.ps1
  pwsh ./apply-audit.ps1 -ContinueOnError")]
    Script(ScriptArgs),

    /// Carry changes out: a saved plan exactly, or plan now, show it and ask for approval.
    ///
    /// Without PLANFILE, only `yes` approves, and without a terminal --auto-approve is
    /// required. With PLANFILE nothing is asked: the plan was reviewed when it was saved; it is
    /// refused when a mailbox it changes was changed since ("Saved plan is stale"). The state
    /// file is locked while apply runs, written atomically (the previous file is kept as
    /// FILE.backup), and read again afterwards to verify that every change holds.
    #[command(after_help = "\
Examples:
  auditform apply                                  # plan, review, answer `yes`
  auditform apply --auto-approve                   # CI: no prompt
  auditform plan --out plan.json && auditform apply plan.json
  auditform apply --state tenant.json --lock-timeout 2m")]
    Apply(ApplyArgs),

    /// Print the table of mailbox audit actions this version of auditform believes: for each
    /// action and logon type, whether the service accepts it and whether it is a default, which
    /// licence it needs, what is deprecated or redundant, and the public sources, with their
    /// date. Set it beside Microsoft's page to see whether auditform is current.
    #[command(after_help = "\
Examples:
  auditform catalog
  auditform catalog --format json | jq -r '.actions[] | select(.Owner == \"default\") | .name'
  auditform catalog --policies policies/            # with the actions the policy set declares")]
    Catalog(CatalogArgs),

    /// Print the JSON Schema (draft-07) of the policy format, for editors and CI checks.
    #[command(after_help = "\
Examples:
  auditform schema > schema/auditform.schema.json
  # then start each policy file with:
  # yaml-language-server: $schema=../schema/auditform.schema.json")]
    Schema,

    /// Print shell completions for bash, zsh, fish or PowerShell.
    #[command(after_help = "\
Examples:
  auditform completions bash > ~/.local/share/bash-completion/completions/auditform
  auditform completions zsh > ~/.zfunc/_auditform
  auditform completions fish > ~/.config/fish/completions/auditform.fish
  auditform completions powershell >> $PROFILE")]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The output format: a table for people, or JSON (docs/catalog.md).
    #[arg(long, value_enum, default_value_t = CatalogFormat::Text)]
    pub format: CatalogFormat,

    /// Also show the actions this policy directory declares as newer than auditform.
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `plan --out`: apply exactly it, without asking. It is refused when
    /// the mailboxes it changes were changed since, or when the file was edited.
    #[arg(value_name = "PLANFILE")]
    pub plan_file: Option<PathBuf>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// Apply without asking for approval.
    #[arg(long)]
    pub auto_approve: bool,

    /// Plan even when the state holds no mailbox. Without it such a state is refused, since a
    /// failed or cut-short export looks the same and would pass every drift check.
    #[arg(long)]
    pub allow_empty_state: bool,

    /// How long to wait for another apply's lock on the state file, such as 0s, 30s or 2m.
    #[arg(long, default_value = "0s", value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
}

/// `30s`, `2m`, `1h`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(index) => text.split_at(index),
        None => (text, "s"),
    };
    let seconds_per_unit = match unit {
        "ms" => {
            return number
                .parse()
                .map(std::time::Duration::from_millis)
                .map_err(|_| usage(text))
        }
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(usage(text)),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per_unit))
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| usage(text))
}

fn usage(text: &str) -> String {
    format!("`{text}` is not a duration; write it as 0s, 30s, 2m or 1h")
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The directory of policy files (*.yaml, *.yml), read recursively.
    #[arg(long, default_value = "policies", value_name = "DIR")]
    pub policies: PathBuf,
}

#[derive(Debug, Args)]
pub struct StateArgs {
    /// The current state: a snapshot file, a Get-EXOMailbox JSON export, or a REST capture
    /// [default: examples/tenant.json].
    #[arg(long, env = "AUDITFORM_STATE", value_name = "FILE")]
    pub state: Option<PathBuf>,
}

impl StateArgs {
    /// What a newcomer's first command reads: the bundled example tenant.
    pub const DEFAULT_STATE: &'static str = "examples/tenant.json";

    /// The state file given, or the bundled example.
    pub fn path(&self) -> PathBuf {
        self.state
            .clone()
            .unwrap_or_else(|| PathBuf::from(Self::DEFAULT_STATE))
    }
}

/// A live Exchange Online tenant instead of a state file. Credentials come from the
/// environment (AUDITFORM_ACCESS_TOKEN, AUDITFORM_CLIENT_ID with AUDITFORM_CLIENT_SECRET or
/// AUDITFORM_CERTIFICATE, or GitHub Actions OIDC), or AUDITFORM_AUTH=device signs you in with a
/// code in a browser; see docs/live.md.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Read (and change) this Exchange Online tenant: its id or a domain such as
    /// contoso.onmicrosoft.com. Without it, the state file is used. Sign-in comes from the
    /// environment (an app's AUDITFORM_CLIENT_ID with a secret or certificate, a ready token,
    /// GitHub Actions OIDC), or AUDITFORM_AUTH=device signs you in as yourself in a browser.
    #[arg(long, env = "AUDITFORM_TENANT", value_name = "TENANT")]
    pub tenant: Option<String>,

    /// The admin endpoint (sovereign clouds: https://outlook.office365.us, https://outlook-dod.office365.us, https://partner.outlook.cn).
    #[arg(
        long,
        env = "AUDITFORM_EXO_ENDPOINT",
        default_value = crate::state::exo::config::DEFAULT_ENDPOINT,
        value_name = "URL"
    )]
    pub endpoint: String,

    /// The Microsoft Entra ID authority (sovereign clouds: https://login.microsoftonline.us, https://login.chinacloudapi.cn).
    #[arg(
        long,
        env = "AUDITFORM_AUTHORITY",
        default_value = crate::state::exo::config::DEFAULT_AUTHORITY,
        value_name = "URL"
    )]
    pub authority: String,

    /// Write every request to Exchange Online and Microsoft Entra ID, and every answer, to FILE, with credentials, tokens and device codes redacted: a support trace to attach to a bug report or a Microsoft support case. An existing file is appended to only if it is such a trace.
    #[arg(long, env = "AUDITFORM_TRACE", value_name = "FILE")]
    pub trace: Option<PathBuf>,

    /// Concurrent requests to the service (each a $batch of up to 10 Set-Mailbox calls).
    #[arg(long, default_value_t = crate::state::exo::config::DEFAULT_PARALLELISM, value_name = "N", value_parser = clap::builder::ValueParser::new(clap::builder::TypedValueParser::map(clap::value_parser!(u16).range(1..=64), usize::from)))]
    pub parallelism: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// terraform-style text for people.
    Text,
    /// GitHub-flavoured Markdown for a pull-request comment, at most 60,000 characters.
    Markdown,
    /// The JSON plan document (docs/plan-format.md), for tools.
    Json,
    /// JUnit XML for CI test tabs: one suite per policy, a failing case per change it needs
    /// (`plan` only).
    Junit,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit 2 when there are changes, 0 when there are none (an error still exits 1).
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Treat any change that weakens auditing as an error.
    #[arg(long)]
    pub forbid_weakening: bool,

    /// List every mailbox of a grouped change instead of the first few.
    #[arg(long)]
    pub expand: bool,

    /// Also save the plan to FILE, for `show FILE` and `apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Indent the JSON document (of --format json, and of the plan file --out saves) for
    /// reading. Both are written compact by default, on one line, as `terraform show -json`
    /// writes; the document is the same either way.
    #[arg(long)]
    pub pretty: bool,
    /// Plan even when the state holds no mailbox. Without it such a state is refused, since a
    /// failed or cut-short export looks the same and would pass every drift check.
    #[arg(long)]
    pub allow_empty_state: bool,
    /// Also write the plan as a JUnit report to FILE (as `--format junit` prints it), so that
    /// one read of the tenant gives both a comment and CI test results.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved with `plan --out`, shown instead of the current state (the plan records the
    /// state it was made from, so --state does not apply to it).
    #[arg(value_name = "PLANFILE")]
    pub plan_file: Option<PathBuf>,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// The output format. Of a saved plan: text, markdown or json (the plan document). Of the
    /// current state: text, or json, which is auditform's snapshot file: plan it with
    /// `--state FILE` to get the same plan as from the state it was read from.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// List every mailbox of a grouped change of a saved plan instead of the first few.
    #[arg(long, requires = "plan_file")]
    pub expand: bool,

    /// Indent the plan document of a saved plan's --format json for reading; it is compact by
    /// default.
    #[arg(long, requires = "plan_file")]
    pub pretty: bool,
}

/// The output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// A line per case, and the difference for each failure.
    Text,
    /// A JSON document for tools (schema/test-report.schema.json).
    Json,
    /// JUnit XML for CI test tabs: a suite per test document, a case per case.
    Junit,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub policies: PolicyArgs,

    /// Also run the `kind: PolicyTest` documents of this directory (it holds tests only).
    #[arg(long, value_name = "DIR")]
    pub tests: Option<PathBuf>,

    /// The output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
}

/// The output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Text for people.
    Text,
    /// A JSON document for tools (schema/explain.schema.json).
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The mailbox to explain, by any name an `identities` selector accepts.
    #[arg(
        value_name = "MAILBOX",
        required_unless_present = "policy",
        conflicts_with = "policy"
    )]
    pub mailbox: Option<String>,

    /// Explain this mailbox policy (its metadata.name) over the whole tenant instead.
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,

    /// Also show why each policy that does not select the mailbox does not.
    #[arg(long, conflicts_with = "policy")]
    pub all: bool,

    #[command(flatten)]
    pub policies: PolicyArgs,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// The output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub state: StateArgs,

    /// Write one file per policy kind and recipient type into this directory (created if
    /// missing) instead of printing one multi-document YAML to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Overwrite files that already exist in the output directory.
    #[arg(long, requires = "out")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ScriptArgs {
    /// A plan saved with `plan --out`.
    #[arg(value_name = "PLANFILE")]
    pub plan_file: PathBuf,

    /// Write the script to this file instead of stdout (written whole, or not at all).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
