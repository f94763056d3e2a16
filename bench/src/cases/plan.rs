//! `plan` end to end, as a user runs it: against the serde_json floor, and as JSON against
//! text.

use crate::{label, load, mib, Bench, PolicySet};
use auditform_bench::measure::{median, run, Run};
use std::path::{Path, PathBuf};

/// `auditform --no-color plan --policies DIR --state FILE [extra]`, stdout to /dev/null.
fn plan(bench: &Bench, policies: &PolicySet, state: &Path, extra: &[&str]) -> Result<Run, String> {
    let mut command = bench.auditform();
    command
        .args(["--no-color", "plan", "--policies"])
        .arg(&policies.dir)
        .arg("--state")
        .arg(state)
        .args(extra);
    let planned = run(&mut command, false).map_err(|e| format!("auditform plan: {e}"))?;
    if planned.exit_code != 0 {
        return Err(format!(
            "auditform plan {} exited {} on {}",
            extra.join(" "),
            planned.exit_code,
            state.display()
        ));
    }
    Ok(planned)
}

/// The floor: `parse-floor FILE`, and its own read and parse times in seconds.
fn floor(bench: &Bench, state: &Path) -> Result<(Run, f64, f64), String> {
    let floor = run(
        std::process::Command::new(bench.bins.join("parse-floor")).arg(state),
        true,
    )
    .map_err(|e| format!("parse-floor: {e}"))?;
    if floor.exit_code != 0 {
        return Err(format!("parse-floor failed on {}", state.display()));
    }
    let text = String::from_utf8_lossy(&floor.stdout);
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse::<f64>().unwrap_or(0.0) / 1e3);
    let read = fields.next().unwrap_or(0.0);
    let parse = fields.next().unwrap_or(0.0);
    Ok((floor, read, parse))
}

#[derive(Default)]
struct Samples {
    cpu: Vec<f64>,
    wall: Vec<f64>,
    cpu_ratio: Vec<f64>,
    wall_ratio: Vec<f64>,
    max_rss: u64,
}

/// `plan` against the floor. Each run does the floor and then `plan` with every policy set, one
/// after the other, so that all see the same machine load; ratios are taken per run.
pub fn plan_table(
    bench: &Bench,
    tenants: &[(usize, PathBuf)],
    policy_sets: &[PolicySet],
    runs: usize,
) -> Result<(), String> {
    println!(
        "### plan end to end vs the serde_json IgnoredAny floor (medians of {runs} runs; {})\n",
        load()
    );
    println!("| mailboxes | file MiB | policies | floor read+parse CPU s | floor parse s | plan CPU s | **plan CPU / floor CPU** | plan wall s | plan wall / floor read+parse wall | plan max RSS MiB | floor max RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (size, path) in tenants {
        let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        let (mut floor_cpu, mut floor_parse, mut floor_rss) = (vec![], vec![], 0u64);
        let mut samples: Vec<Samples> = policy_sets.iter().map(|_| Samples::default()).collect();
        for _ in 0..runs {
            let (floor_run, read_s, parse_s) = floor(bench, path)?;
            let floor_cpu_s = floor_run.cpu.as_secs_f64().max(1e-9);
            floor_cpu.push(floor_cpu_s);
            floor_parse.push(parse_s);
            floor_rss = floor_rss.max(floor_run.max_rss_bytes);
            for (policies, samples) in policy_sets.iter().zip(&mut samples) {
                let planned = plan(bench, policies, path, &[])?;
                let cpu = planned.cpu.as_secs_f64();
                let wall = planned.wall.as_secs_f64();
                samples.cpu.push(cpu);
                samples.wall.push(wall);
                samples.cpu_ratio.push(cpu / floor_cpu_s);
                samples.wall_ratio.push(wall / (read_s + parse_s).max(1e-9));
                samples.max_rss = samples.max_rss.max(planned.max_rss_bytes);
            }
        }
        let floor_cpu = median(&mut floor_cpu);
        let floor_parse = median(&mut floor_parse);
        for (policies, mut samples) in policy_sets.iter().zip(samples) {
            println!(
                "| {} | {:.0} | {} | {:.3} | {:.3} | {:.3} | **{:.2}** | {:.3} | {:.2} | {:.0} | {:.0} |",
                label(*size),
                mib(file_bytes),
                policies.name,
                floor_cpu,
                floor_parse,
                median(&mut samples.cpu),
                median(&mut samples.cpu_ratio),
                median(&mut samples.wall),
                median(&mut samples.wall_ratio),
                mib(samples.max_rss),
                mib(floor_rss),
            );
        }
    }
    println!();
    Ok(())
}

/// `plan --format json` against the text plan, end to end, both to /dev/null, alternating run
/// by run.
pub fn json_table(
    bench: &Bench,
    tenants: &[(usize, PathBuf)],
    policy_sets: &[PolicySet],
    runs: usize,
) -> Result<(), String> {
    println!(
        "### `plan --format json` vs the text plan, end to end (medians of {runs} runs; {})\n",
        load()
    );
    println!("| mailboxes | policies | text wall s | json wall s | **json wall / text wall** | text CPU s | json CPU s | json CPU / text CPU | text max RSS MiB | json max RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (size, path) in tenants {
        for policies in policy_sets {
            let (mut text, mut json) = (Samples::default(), Samples::default());
            for _ in 0..runs {
                let as_text = plan(bench, policies, path, &[])?;
                let as_json = plan(bench, policies, path, &["--format", "json"])?;
                for (samples, planned) in [(&mut text, &as_text), (&mut json, &as_json)] {
                    samples.wall.push(planned.wall.as_secs_f64());
                    samples.cpu.push(planned.cpu.as_secs_f64());
                    samples.max_rss = samples.max_rss.max(planned.max_rss_bytes);
                }
                json.wall_ratio
                    .push(as_json.wall.as_secs_f64() / as_text.wall.as_secs_f64().max(1e-9));
                json.cpu_ratio
                    .push(as_json.cpu.as_secs_f64() / as_text.cpu.as_secs_f64().max(1e-9));
            }
            println!(
                "| {} | {} | {:.3} | {:.3} | **{:.2}** | {:.3} | {:.3} | {:.2} | {:.0} | {:.0} |",
                label(*size),
                policies.name,
                median(&mut text.wall),
                median(&mut json.wall),
                median(&mut json.wall_ratio),
                median(&mut text.cpu),
                median(&mut json.cpu),
                median(&mut json.cpu_ratio),
                mib(text.max_rss),
                mib(json.max_rss),
            );
        }
    }
    println!();
    Ok(())
}
