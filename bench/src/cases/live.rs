//! `plan` of a live tenant through the emulator at the service's page latency, against the
//! time the pages alone take; and the reader alone (`live-read`), whose memory must not grow
//! with the tenant.

use super::apply::live;
use crate::{ensure_tenant, label, load, mib, Bench, PolicySet};
use auditform_bench::measure::{median, run};
use auditform_bench::timeline::listing_pages;
use auditform_emulator::{read_snapshot, Emulator, EmulatorConfig, Faults};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn live_table(
    bench: &Bench,
    sizes: &[usize],
    latencies_ms: &[u64],
    runs: usize,
) -> Result<(), String> {
    let policies = PolicySet::bench();
    println!(
        "### live read through the emulator vs pages × page latency (medians of {runs} runs; {})\n",
        load()
    );
    println!("| mailboxes | page latency s | pages | ideal s | plan wall s | **plan wall / ideal** | plan CPU s | plan max RSS MiB | read only wall s | read only / ideal | **read only max RSS MiB** |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for &size in sizes {
        let path = ensure_tenant(&bench.data, size)?;
        for &latency_ms in latencies_ms {
            // Read for each emulator rather than cloned: a large tenant's JSON tree is big.
            let tenant = read_snapshot(&path).map_err(|e| e.to_string())?;
            let latency = Duration::from_millis(latency_ms);
            let handle = Emulator::start(EmulatorConfig {
                tenant,
                faults: Faults {
                    // Everything else (the organization's config) takes as long as a page.
                    latency,
                    page_latency: Some(latency),
                    ..Faults::default()
                },
                ..EmulatorConfig::default()
            })
            .map_err(|e| e.to_string())?;
            let endpoint = handle.base_url();
            let (mut pages, mut plan_wall, mut plan_ratio, mut plan_cpu) =
                (vec![], vec![], vec![], vec![]);
            let (mut read_wall, mut read_ratio) = (vec![], vec![]);
            let (mut plan_rss, mut read_rss) = (0u64, 0u64);
            for _ in 0..runs {
                let mut plan = bench.auditform();
                plan.args(["--no-color", "plan"]);
                live(&mut plan, &policies, &endpoint);
                let started = Instant::now().saturating_duration_since(handle.started());
                let planned = run(&mut plan, false).map_err(|e| format!("auditform plan: {e}"))?;
                if planned.exit_code != 0 {
                    return Err(format!("live plan exited {}", planned.exit_code));
                }
                let ended = started + planned.wall;
                let timeline = handle.counters().timeline;
                let count = listing_pages(&timeline, started, ended);
                let ideal = count as f64 * latency.as_secs_f64();
                pages.push(count as f64);
                plan_wall.push(planned.wall.as_secs_f64());
                plan_ratio.push(planned.wall.as_secs_f64() / ideal.max(1e-9));
                plan_cpu.push(planned.cpu.as_secs_f64());
                plan_rss = plan_rss.max(planned.max_rss_bytes);

                let mut read = Command::new(bench.bins.join("live-read"));
                read.arg(&endpoint)
                    .env("AUDITFORM_CLIENT_ID", "auditform-bench")
                    .env("AUDITFORM_CLIENT_SECRET", "auditform-bench")
                    .env_remove("AUDITFORM_AUTH");
                let read = run(&mut read, true).map_err(|e| format!("live-read: {e}"))?;
                if read.exit_code != 0 {
                    return Err(format!("live-read exited {}", read.exit_code));
                }
                read_wall.push(read.wall.as_secs_f64());
                read_ratio.push(read.wall.as_secs_f64() / ideal.max(1e-9));
                read_rss = read_rss.max(read.max_rss_bytes);
            }
            let pages = median(&mut pages);
            println!(
                "| {} | {:.2} | {pages:.0} | {:.1} | {:.1} | **{:.3}** | {:.2} | {:.0} | {:.1} | {:.3} | **{:.0}** |",
                label(size),
                latency.as_secs_f64(),
                pages * latency.as_secs_f64(),
                median(&mut plan_wall),
                median(&mut plan_ratio),
                median(&mut plan_cpu),
                mib(plan_rss),
                median(&mut read_wall),
                median(&mut read_ratio),
                mib(read_rss),
            );
        }
    }
    println!();
    Ok(())
}
