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
  auditform plan --forbid-weakening                # exit 1 if any change weakens auditing")]
    Plan(PlanArgs),

    /// Show the current audit settings of a tenant, like `Get-Mailbox | FL Name,Audit*`.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The directory of policy files (*.yaml, *.yml), read recursively.
    #[arg(long, default_value = "policies", value_name = "DIR")]
    pub policies: PathBuf,
}

#[derive(Debug, Args)]
pub struct StateArgs {
    /// The current state: a snapshot file, a Get-EXOMailbox JSON export, or a REST capture.
    #[arg(
        long,
        env = "AUDITFORM_STATE",
        default_value = "examples/tenant.json",
        value_name = "FILE"
    )]
    pub state: PathBuf,
}

/// A live Exchange Online tenant instead of a state file. Credentials come from the
/// environment (AUDITFORM_ACCESS_TOKEN, AUDITFORM_CLIENT_ID with AUDITFORM_CLIENT_SECRET or
/// AUDITFORM_CERTIFICATE, or GitHub Actions OIDC); see docs/live.md.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Read (and change) this Exchange Online tenant: its id or a domain such as
    /// contoso.onmicrosoft.com. Without it, the state file is used.
    #[arg(long, env = "AUDITFORM_TENANT", value_name = "TENANT")]
    pub tenant: Option<String>,

    /// The admin endpoint (sovereign clouds: https://outlook.office365.us, https://webmail.apps.mil, https://partner.outlook.cn).
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

    /// Concurrent requests to the service (each a $batch of up to 10 Set-Mailbox calls).
    #[arg(long, default_value_t = crate::state::exo::config::DEFAULT_PARALLELISM, value_name = "N", value_parser = clap::builder::ValueParser::new(clap::builder::TypedValueParser::map(clap::value_parser!(u16).range(1..=64), usize::from)))]
    pub parallelism: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// terraform-style text for people.
    Text,
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
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub live: LiveArgs,
}
