//! `apply` of about 2,000 changes against the emulator, end to end, taken apart into its phases
//! from the emulator's timeline of cmdlets.

use crate::{ensure_tenant, load, Bench, PolicySet};
use auditform_bench::measure::run;
use auditform_bench::timeline::apply_phases;
use auditform_emulator::{read_snapshot, Emulator, EmulatorConfig, Faults};
use std::process::Command;
use std::time::{Duration, Instant};

/// Mailboxes of the apply tenant: the benchmark policies change about 2,000 of them.
const APPLY_MAILBOXES: usize = 2_300;
const LATENCY_MS: u64 = 20;
const CONCURRENCY: usize = 16;

/// The live flags of a command against `endpoint`, as the benchmark's app.
pub fn live(command: &mut Command, policies: &PolicySet, endpoint: &str) {
    command
        .args(["--policies"])
        .arg(&policies.dir)
        .args(["--tenant", "contoso.onmicrosoft.com"])
        .args(["--endpoint", endpoint, "--authority", endpoint])
        .env("AUDITFORM_CLIENT_ID", "auditform-bench")
        .env("AUDITFORM_CLIENT_SECRET", "auditform-bench")
        .env_remove("AUDITFORM_STATE")
        .env_remove("AUDITFORM_AUTH");
}

/// `apply --auto-approve` against a fresh emulator per case, then `plan` again to see that
/// nothing was lost. The emulator runs in this process; the phases come from its timeline.
pub fn apply_table(bench: &Bench) -> Result<(), String> {
    let tenant_path = ensure_tenant(&bench.data, APPLY_MAILBOXES)?;
    let tenant = read_snapshot(&tenant_path).map_err(|e| e.to_string())?;
    let policies = PolicySet::bench();
    println!(
        "### apply against the emulator ({LATENCY_MS} ms per cmdlet and per page, {CONCURRENCY} at once; {})\n",
        load()
    );
    println!("| case | changes | apply s | ideal s | **apply / ideal** | start-up s | read s | plan s | stale check s | writes s | verification during writes s | verification after writes s | report s | write slots busy | left after (plan again) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let cases: [(&str, usize, f64, f64); 3] = [
        ("concurrent", CONCURRENCY, 0.0, 0.0),
        ("one request at a time", 1, 0.0, 0.0),
        ("concurrent, 2.5% 429 + 2.5% 5xx", CONCURRENCY, 0.025, 0.025),
    ];
    for (case, parallelism, rate_429, rate_5xx) in cases {
        let handle = Emulator::start(EmulatorConfig {
            tenant: tenant.clone(),
            faults: Faults {
                latency: Duration::from_millis(LATENCY_MS),
                max_concurrency: CONCURRENCY,
                rate_429,
                rate_5xx,
                ..Faults::default()
            },
            ..EmulatorConfig::default()
        })
        .map_err(|e| e.to_string())?;
        let endpoint = handle.base_url();
        let mut apply = bench.auditform();
        apply.args(["--no-color", "apply", "--auto-approve"]);
        live(&mut apply, &policies, &endpoint);
        apply.args(["--parallelism", &parallelism.to_string()]);
        let started = Instant::now().saturating_duration_since(handle.started());
        let applied = run(&mut apply, true).map_err(|e| format!("auditform apply: {e}"))?;
        let ended = started + applied.wall;
        let mut again = bench.auditform();
        again.args(["--no-color", "plan"]);
        live(&mut again, &policies, &endpoint);
        let replanned = run(&mut again, true).map_err(|e| format!("auditform plan: {e}"))?;
        let timeline = handle.counters().timeline;
        drop(handle);
        let output = String::from_utf8_lossy(&applied.stdout);
        let changes = output
            .lines()
            .find_map(|line| line.strip_prefix("Apply complete! Resources: 0 added, "))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|count| count.replace(',', "").parse::<f64>().ok())
            .ok_or_else(|| {
                format!(
                    "apply ({case}) exited {} without completing",
                    applied.exit_code
                )
            })?;
        let ideal = changes * LATENCY_MS as f64 / 1e3 / CONCURRENCY as f64;
        let left = String::from_utf8_lossy(&replanned.stdout)
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("")
            .to_string();
        let phases = apply_phases(&timeline, started, ended, parallelism);
        let wall = applied.wall.as_secs_f64();
        println!(
            "| {case} | {changes} | {wall:.2} | {ideal:.2} | **{:.2}** | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0}% | {left} |",
            wall / ideal,
            phases.start_up,
            phases.read,
            phases.plan,
            phases.stale_check,
            phases.writes,
            phases.verification_overlapped,
            phases.verification_after,
            phases.report,
            phases.slot_use * 100.0,
        );
    }
    println!();
    Ok(())
}
