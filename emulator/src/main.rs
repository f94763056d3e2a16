//! `auditform-emulator`: serves a tenant snapshot as the Exchange Online admin endpoint, for demos
//! and benchmarks. Runs until interrupted.

use auditform_emulator::{
    read_snapshot, ClientCredential, DeviceResponse, DeviceSignIn, Emulator, EmulatorConfig, Faults,
};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    version,
    about = "An emulator of the Exchange Online admin REST endpoint"
)]
struct Args {
    /// The tenant snapshot to serve (auditform's snapshot JSON).
    #[arg(long, default_value = "examples/tenant.json")]
    state: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The tenant id URLs must name; any is accepted when not given.
    #[arg(long)]
    tenant_id: Option<String>,
    /// Objects per page of Get-Mailbox.
    #[arg(long, default_value_t = 1000)]
    page_size: usize,
    /// Milliseconds each cmdlet takes.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Milliseconds each page of a listing takes (Get-Mailbox and
    /// Get-MailboxAuditBypassAssociation without -Identity), instead of --latency-ms. The
    /// default is the one public figure for the service: 2,500 mailboxes in about 3 s over
    /// CIPP's paged REST Get-Mailbox (KelvinTegelaar/CIPP issue #820), 1.2 s per page of 1000.
    #[arg(long, default_value_t = 1200)]
    page_latency_ms: u64,
    /// Cmdlets executing at once before 429 answers.
    #[arg(long, default_value_t = 16)]
    max_concurrency: usize,
    #[arg(long, default_value_t = 0.0)]
    fault_rate_429: f64,
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    #[arg(long, default_value_t = 0.0)]
    fault_rate_5xx: f64,
    /// Share of requests whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0)]
    fault_rate_drop: f64,
    /// Share of requests that run and whose answer is then dropped.
    #[arg(long, default_value_t = 0.0)]
    fault_rate_drop_after: f64,
    /// An identity whose cmdlets always fail permanently (repeatable).
    #[arg(long = "fail-identity")]
    failing_identities: Vec<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// An accepted app as CLIENT_ID or CLIENT_ID:SECRET (repeatable); any is accepted when none.
    #[arg(long = "client")]
    clients: Vec<String>,
    /// Refuse an Add of an action already audited with "The input operation(s) is/are already
    /// being audited", instead of the service's evidenced silent no-op.
    #[arg(long)]
    already_audited_text: bool,
    /// Refuse requests and $batch sub-requests without Authorization or X-AnchorMailbox.
    #[arg(long)]
    strict: bool,
    /// Seconds an access token lives.
    #[arg(long, default_value_t = 3599)]
    token_lifetime: u64,
    /// The person who signs in with a device code.
    #[arg(long, default_value = "admin@contoso.onmicrosoft.com")]
    device_user: String,
    /// What they do with the code.
    #[arg(long, value_enum, default_value = "approve")]
    device_response: DeviceResponseArg,
    /// Seconds between device-code polls the client is told.
    #[arg(long, default_value_t = 5)]
    device_interval: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DeviceResponseArg {
    Approve,
    Decline,
    Ignore,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let tenant = match read_snapshot(&args.state) {
        Ok(tenant) => tenant,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let config = EmulatorConfig {
        tenant,
        tenant_id: args.tenant_id.clone(),
        port: args.port,
        page_size: args.page_size,
        clients: args
            .clients
            .iter()
            .map(|client| match client.split_once(':') {
                Some((id, secret)) => ClientCredential {
                    client_id: id.into(),
                    client_secret: Some(secret.into()),
                    federated_subjects: Vec::new(),
                },
                None => ClientCredential {
                    client_id: client.clone(),
                    client_secret: None,
                    federated_subjects: Vec::new(),
                },
            })
            .collect(),
        strict: args.strict,
        token_lifetime: args.token_lifetime,
        device: DeviceSignIn {
            user: args.device_user.clone(),
            response: match args.device_response {
                DeviceResponseArg::Approve => DeviceResponse::Approve,
                DeviceResponseArg::Decline => DeviceResponse::Decline,
                DeviceResponseArg::Ignore => DeviceResponse::Ignore,
            },
            interval: args.device_interval,
            ..DeviceSignIn::default()
        },
        next_link_host: None,
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            page_latency: Some(Duration::from_millis(args.page_latency_ms)),
            max_concurrency: args.max_concurrency,
            rate_429: args.fault_rate_429,
            retry_after_seconds: args.retry_after,
            rate_5xx: args.fault_rate_5xx,
            rate_drop: args.fault_rate_drop,
            rate_drop_after: args.fault_rate_drop_after,
            failing_identities: args.failing_identities,
            warnings: Vec::new(),
            soft_errors: Vec::new(),
            unapplied_writes: Vec::new(),
            seed: args.seed,
        },
        service: auditform_emulator::rules::ServiceModel {
            duplicate_add: if args.already_audited_text {
                auditform_emulator::rules::DuplicateAdd::AlreadyAudited
            } else {
                auditform_emulator::rules::DuplicateAdd::Silent
            },
            ..Default::default()
        },
    };
    let handle = match Emulator::start(config) {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let tenant = args
        .tenant_id
        .as_deref()
        .unwrap_or("contoso.onmicrosoft.com");
    println!(
        "Exchange Online admin endpoint emulator, serving {}",
        args.state.display()
    );
    println!("  authority:     {}", handle.authority());
    println!("  token:         {}", handle.token_url(tenant));
    println!("  device code:   {}", handle.device_code_url(tenant));
    println!("  InvokeCommand: {}", handle.invoke_url(tenant));
    println!("  $batch:        {}", handle.batch_url(tenant));
    println!("Press Ctrl-C to stop.");
    loop {
        std::thread::park();
    }
}
