//! `auditform-emulator`: serves a tenant snapshot as the Exchange Online admin endpoint, for demos
//! and benchmarks. Runs until interrupted.

use auditform_emulator::{read_snapshot, ClientCredential, Emulator, EmulatorConfig, Faults};
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
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            max_concurrency: args.max_concurrency,
            rate_429: args.fault_rate_429,
            retry_after_seconds: args.retry_after,
            rate_5xx: args.fault_rate_5xx,
            rate_drop: args.fault_rate_drop,
            failing_identities: args.failing_identities,
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
    println!("  InvokeCommand: {}", handle.invoke_url(tenant));
    println!("  $batch:        {}", handle.batch_url(tenant));
    println!("Press Ctrl-C to stop.");
    loop {
        std::thread::park();
    }
}
