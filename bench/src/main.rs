//! `auditform-bench [all|gen|plan|render|split|apply] [--sizes 10k,100k,1m] [--runs N]`
//!
//! Generates tenants into `<target>/bench-data` once (reused afterwards), builds the release
//! `auditform` binary, and measures, side by side in one run:
//! - `plan` end to end (child process, text to /dev/null): wall time and peak RSS, against
//!   `parse-floor`, serde_json parsing the same file into `IgnoredAny`;
//! - rendering a plan against planning it, in process;
//! - one planner fed by parsing workers against planner parts on every worker, in process;
//! - `apply` of about 2,000 changes against the emulator (20 ms per cmdlet, 16 at once),
//!   concurrently, one request at a time, and with 5% throttling and server errors.
//!
//! Prints Markdown tables, ready for BENCHMARKS.md.

use auditform::files::policy_dir::load_dir;
use auditform::plan::Planner;
use auditform::render::{render_json, render_markdown, render_text, TextOptions};
use auditform::state::snapshot::SnapshotFile;
use auditform::state::ReadOptions;
use auditform_bench::measure::{median, run};
use auditform_bench::tenant::{write_tenant, TenantSpec};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const SEED: u64 = 6;

struct Options {
    what: String,
    sizes: Vec<usize>,
    runs: usize,
}

fn main() -> ExitCode {
    match parse_args().and_then(|options| drive(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("auditform-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        what: "all".into(),
        sizes: vec![10_000, 100_000, 1_000_000],
        runs: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = args.next().ok_or("--sizes needs a list such as 10k,100k")?;
                options.sizes = list.split(',').map(parse_size).collect::<Result<_, _>>()?;
            }
            "--runs" => {
                let runs = args.next().ok_or("--runs needs a number")?;
                options.runs = runs.parse().map_err(|_| format!("bad --runs {runs:?}"))?;
            }
            "all" | "gen" | "plan" | "render" | "split" | "apply" => options.what = arg,
            other => {
                return Err(format!(
                    "unknown argument {other:?}; see the source's doc comment"
                ))
            }
        }
    }
    Ok(options)
}

fn parse_size(text: &str) -> Result<usize, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (number, scale) = match lower.strip_suffix('k') {
        Some(number) => (number, 1_000),
        None => match lower.strip_suffix('m') {
            Some(number) => (number, 1_000_000),
            None => (lower.as_str(), 1),
        },
    };
    number
        .parse::<usize>()
        .map(|n| n * scale)
        .map_err(|_| format!("bad size {text:?}"))
}

fn label(size: usize) -> String {
    match size {
        s if s >= 1_000_000 && s % 1_000_000 == 0 => format!("{}M", s / 1_000_000),
        s if s >= 1_000 && s % 1_000 == 0 => format!("{}k", s / 1_000),
        s => s.to_string(),
    }
}

/// `<target>/release`, where this binary and its siblings live.
fn bin_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("can't find myself: {e}"))?;
    exe.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "binary has no directory".into())
}

fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

fn drive(options: &Options) -> Result<(), String> {
    let bins = bin_dir()?;
    let data = bins
        .parent()
        .ok_or("no target directory")?
        .join("bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let mut tenants = Vec::new();
    for &size in &options.sizes {
        tenants.push((size, ensure_tenant(&data, size)?));
    }
    if options.what == "gen" {
        return Ok(());
    }
    print_machine();
    if options.what == "all" || options.what == "plan" {
        build_auditform()?;
        plan_table(&bins, &tenants, options.runs)?;
    }
    if options.what == "all" || options.what == "render" {
        render_table(&tenants, options.runs)?;
    }
    if options.what == "all" || options.what == "split" {
        split_table(&tenants, options.runs)?;
    }
    if options.what == "all" || options.what == "apply" {
        if options.what == "apply" {
            build_auditform()?;
        }
        apply_table(&bins, &data)?;
    }
    Ok(())
}

fn ensure_tenant(data: &Path, size: usize) -> Result<PathBuf, String> {
    let path = data.join(format!("tenant-{}-seed{SEED}.json", label(size)));
    if path.exists() {
        return Ok(path);
    }
    eprintln!("generating {} ...", path.display());
    let partial = path.with_extension("partial");
    let write = || -> std::io::Result<()> {
        let file = std::fs::File::create(&partial)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        write_tenant(
            TenantSpec {
                mailboxes: size,
                seed: SEED,
            },
            &mut writer,
        )?;
        writer.flush()?;
        std::fs::rename(&partial, &path)
    };
    write().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn print_machine() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split(':').nth(1))
        .unwrap_or("unknown")
        .trim()
        .to_string();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("machine: {model}, {cores} cores available\n");
}

fn build_auditform() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "auditform",
            "--bin",
            "auditform",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .status()
        .map_err(|e| format!("can't run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("building the release auditform binary failed".into())
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `plan` against the serde_json floor, alternating run by run so that both see the same load.
fn plan_table(bins: &Path, tenants: &[(usize, PathBuf)], runs: usize) -> Result<(), String> {
    println!("### plan end to end vs the serde_json IgnoredAny floor (medians of {runs} runs)\n");
    println!("| mailboxes | file MiB | floor parse s | floor read+parse s | plan s | plan / parse | plan / read+parse | plan CPU s | floor CPU s | plan CPU / floor CPU | plan max RSS MiB | floor max RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (size, path) in tenants {
        let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        let (mut parse, mut read_parse, mut plan, mut ratio_parse, mut ratio_read_parse) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut plan_rss, mut floor_rss) = (0u64, 0u64);
        let (mut plan_cpu, mut floor_cpu, mut ratio_cpu) = (vec![], vec![], vec![]);
        for _ in 0..runs {
            let floor = run(Command::new(bins.join("parse-floor")).arg(path), true)
                .map_err(|e| format!("parse-floor: {e}"))?;
            if floor.exit_code != 0 {
                return Err(format!("parse-floor failed on {}", path.display()));
            }
            let text = String::from_utf8_lossy(&floor.stdout);
            let mut fields = text
                .split_whitespace()
                .map(|f| f.parse::<f64>().unwrap_or(0.0));
            let read_ms = fields.next().unwrap_or(0.0);
            let parse_ms = fields.next().unwrap_or(0.0);
            let planned = run(
                Command::new(bins.join("auditform"))
                    .args(["--no-color", "plan", "--policies"])
                    .arg(policies_dir())
                    .arg("--state")
                    .arg(path),
                false,
            )
            .map_err(|e| format!("auditform plan: {e}"))?;
            if planned.exit_code != 0 {
                return Err(format!(
                    "auditform plan exited {} on {}",
                    planned.exit_code,
                    path.display()
                ));
            }
            let plan_s = planned.wall.as_secs_f64();
            parse.push(parse_ms / 1e3);
            read_parse.push((read_ms + parse_ms) / 1e3);
            plan.push(plan_s);
            ratio_parse.push(plan_s * 1e3 / parse_ms);
            ratio_read_parse.push(plan_s * 1e3 / (read_ms + parse_ms));
            plan_cpu.push(planned.cpu.as_secs_f64());
            floor_cpu.push(floor.cpu.as_secs_f64());
            ratio_cpu.push(planned.cpu.as_secs_f64() / floor.cpu.as_secs_f64().max(1e-9));
            plan_rss = plan_rss.max(planned.max_rss_bytes);
            floor_rss = floor_rss.max(floor.max_rss_bytes);
        }
        println!(
            "| {} | {:.0} | {:.3} | {:.3} | {:.3} | {:.2} | {:.2} | {:.3} | {:.3} | {:.2} | {:.0} | {:.0} |",
            label(*size),
            mib(file_bytes),
            median(&mut parse),
            median(&mut read_parse),
            median(&mut plan),
            median(&mut ratio_parse),
            median(&mut ratio_read_parse),
            median(&mut plan_cpu),
            median(&mut floor_cpu),
            median(&mut ratio_cpu),
            mib(plan_rss),
            mib(floor_rss),
        );
    }
    println!();
    Ok(())
}

/// Rendering against planning, in this process: the plan is built once per run and rendered to
/// memory, so that neither includes a terminal or a disk.
fn render_table(tenants: &[(usize, PathBuf)], runs: usize) -> Result<(), String> {
    let loaded = load_dir(&policies_dir()).map_err(|e| e.to_string())?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    println!("### rendering vs planning, in process (medians of {runs} runs)\n");
    println!("| mailboxes | changes | plan s | text s | text / plan | json s | json / plan | markdown s | markdown / plan | text MiB | json MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (size, path) in tenants {
        let (mut plan_s, mut text_s, mut ratios) = (vec![], vec![], vec![]);
        let (mut json_s, mut json_ratios, mut markdown_s, mut markdown_ratios) =
            (vec![], vec![], vec![], vec![]);
        let (mut changes, mut text_bytes, mut json_bytes) = (0, 0, 0);
        for _ in 0..runs {
            let started = Instant::now();
            let source = SnapshotFile::new(path);
            let mut planner = Planner::new(&loaded.policies, &source.describe());
            source
                .read_split(&mut planner, &options)
                .map_err(|e| e.to_string())?;
            let plan = planner.finish().map_err(|e| e.to_string())?;
            let planned = started.elapsed().as_secs_f64();
            changes = plan.to_change();
            let mut out = Vec::new();
            let started = Instant::now();
            render_text(
                &plan,
                &TextOptions {
                    color: false,
                    expand: false,
                },
                &mut out,
            )
            .map_err(|e| e.to_string())?;
            let rendered = started.elapsed().as_secs_f64();
            text_bytes = out.len();
            plan_s.push(planned);
            text_s.push(rendered);
            ratios.push(rendered / planned);

            let mut out = Vec::new();
            let started = Instant::now();
            render_json(&plan, &mut out).map_err(|e| e.to_string())?;
            let rendered = started.elapsed().as_secs_f64();
            json_bytes = out.len();
            json_s.push(rendered);
            json_ratios.push(rendered / planned);

            let mut out = Vec::new();
            let started = Instant::now();
            render_markdown(&plan, &mut out).map_err(|e| e.to_string())?;
            let rendered = started.elapsed().as_secs_f64();
            markdown_s.push(rendered);
            markdown_ratios.push(rendered / planned);
        }
        println!(
            "| {} | {} | {:.3} | {:.4} | {:.3} | {:.4} | {:.3} | {:.4} | {:.3} | {:.2} | {:.0} |",
            label(*size),
            changes,
            median(&mut plan_s),
            median(&mut text_s),
            median(&mut ratios),
            median(&mut json_s),
            median(&mut json_ratios),
            median(&mut markdown_s),
            median(&mut markdown_ratios),
            mib(text_bytes as u64),
            mib(json_bytes as u64),
        );
    }
    println!();
    Ok(())
}

/// The two ways of planning a streamed export, side by side in this process: workers parse and
/// send mailboxes to one planner (`SnapshotFile::read`), or workers plan their blocks with
/// planner parts merged in order (`SnapshotFile::read_split`, what `plan` uses).
fn split_table(tenants: &[(usize, PathBuf)], runs: usize) -> Result<(), String> {
    let loaded = load_dir(&policies_dir()).map_err(|e| e.to_string())?;
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    println!("### one planner fed by parsing workers vs planner parts on every worker (medians of {runs} runs)\n");
    println!("| mailboxes | one planner s | planner parts s | parts / one |");
    println!("|---|---|---|---|");
    for (size, path) in tenants {
        let (mut one, mut parts, mut ratios) = (vec![], vec![], vec![]);
        for _ in 0..runs {
            let source = SnapshotFile::new(path);
            let started = Instant::now();
            let mut planner = Planner::new(&loaded.policies, &source.describe());
            source
                .read(&mut planner, &options)
                .map_err(|e| e.to_string())?;
            let single = planner.finish().map_err(|e| e.to_string())?;
            let one_s = started.elapsed().as_secs_f64();
            drop(single);
            let started = Instant::now();
            let mut planner = Planner::new(&loaded.policies, &source.describe());
            source
                .read_split(&mut planner, &options)
                .map_err(|e| e.to_string())?;
            let split = planner.finish().map_err(|e| e.to_string())?;
            let parts_s = started.elapsed().as_secs_f64();
            drop(split);
            one.push(one_s);
            parts.push(parts_s);
            ratios.push(parts_s / one_s);
        }
        println!(
            "| {} | {:.3} | {:.3} | {:.2} |",
            label(*size),
            median(&mut one),
            median(&mut parts),
            median(&mut ratios),
        );
    }
    println!();
    Ok(())
}

/// Mailboxes of the apply tenant: the benchmark policies change about 2,000 of them.
const APPLY_MAILBOXES: usize = 2_300;
const LATENCY_MS: u64 = 20;
const CONCURRENCY: usize = 16;

/// `apply --auto-approve` against a fresh emulator per case, then `plan` again to see that
/// nothing was lost.
fn apply_table(bins: &Path, data: &Path) -> Result<(), String> {
    let tenant = ensure_tenant(data, APPLY_MAILBOXES)?;
    println!(
        "### apply against the emulator ({LATENCY_MS} ms per cmdlet, {CONCURRENCY} at once)\n"
    );
    println!("| case | changes | apply s | ideal s | apply / ideal | left after (plan again) |");
    println!("|---|---|---|---|---|---|");
    let cases: [(&str, usize, &[&str]); 3] = [
        ("concurrent", CONCURRENCY, &[]),
        ("one request at a time", 1, &[]),
        (
            "concurrent, 2.5% 429 + 2.5% 5xx",
            CONCURRENCY,
            &["--fault-rate-429", "0.025", "--fault-rate-5xx", "0.025"],
        ),
    ];
    for (case, parallelism, faults) in cases {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let mut emulator = Command::new(bins.join("auditform-emulator"))
            .arg("--state")
            .arg(&tenant)
            .args(["--port", &port.to_string()])
            .args(["--latency-ms", &LATENCY_MS.to_string()])
            .args(["--max-concurrency", &CONCURRENCY.to_string()])
            .args(faults)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("auditform-emulator: {e}"))?;
        // The emulator prints its URLs once it listens.
        if let Some(stdout) = emulator.stdout.take() {
            use std::io::BufRead;
            let ready = std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .any(|line| line.starts_with("Press Ctrl-C"));
            if !ready {
                let _ = emulator.kill();
                return Err("the emulator did not start".into());
            }
        }
        let endpoint = format!("http://127.0.0.1:{port}");
        let live = |command: &mut Command| {
            command
                .args(["--policies"])
                .arg(policies_dir())
                .args(["--tenant", "contoso.onmicrosoft.com"])
                .args(["--endpoint", &endpoint, "--authority", &endpoint])
                .env("AUDITFORM_CLIENT_ID", "auditform-bench")
                .env("AUDITFORM_CLIENT_SECRET", "auditform-bench")
                .env_remove("AUDITFORM_STATE");
        };
        let mut apply = Command::new(bins.join("auditform"));
        apply.args(["--no-color", "apply", "--auto-approve"]);
        live(&mut apply);
        apply.args(["--parallelism", &parallelism.to_string()]);
        let applied = run(&mut apply, true);
        let mut again = Command::new(bins.join("auditform"));
        again.args(["--no-color", "plan"]);
        live(&mut again);
        let replanned = run(&mut again, true);
        let _ = emulator.kill();
        let _ = emulator.wait();
        let applied = applied.map_err(|e| format!("auditform apply: {e}"))?;
        let replanned = replanned.map_err(|e| format!("auditform plan: {e}"))?;
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
        println!(
            "| {case} | {changes} | {:.2} | {ideal:.2} | {:.2} | {left} |",
            applied.wall.as_secs_f64(),
            applied.wall.as_secs_f64() / ideal,
        );
    }
    println!();
    Ok(())
}
