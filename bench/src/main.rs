//! `auditform-bench [all|gen|plan|json|render|split|apply|live] [--sizes 10k,100k,1m] [--runs N]
//! [--policies bench,cis] [--live-sizes 10k,100k] [--page-latency-ms 1200,...]`
//!
//! Generates tenants into `<target>/bench-data` once (reused afterwards), builds the release
//! `auditform` binary, and measures, side by side in one run:
//! - `plan`: `plan` end to end (child process, text to /dev/null) on each policy set: CPU
//!   time, wall time and peak RSS, against `parse-floor`, serde_json reading and parsing the
//!   same file into `IgnoredAny`;
//! - `json`: `plan --format json` against the text plan, end to end, on each policy set;
//! - `render`: rendering a plan against planning it, in process;
//! - `split`: one planner fed by parsing workers against planner parts on every worker;
//! - `apply`: `apply` of about 2,000 changes against the emulator (20 ms per cmdlet, 16 at
//!   once), concurrently, one request at a time, and with 5% throttling and server errors, with
//!   each run taken apart into its phases from the emulator's timeline;
//! - `live`: `plan` of a live tenant through the emulator at a page latency like the service's,
//!   against pages × page latency, with the peak RSS of `plan` and of the reader alone.
//!
//! Prints Markdown tables, ready for BENCHMARKS.md.

mod cases;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use auditform_bench::tenant::{write_tenant, TenantSpec};

const SEED: u64 = 6;

/// The public figure for the service's paging (KelvinTegelaar/CIPP issue #820: 2,500 mailboxes
/// in about 3 s, 1.2 s per page of 1000); see `auditform_emulator::Faults::page_latency`.
const SERVICE_PAGE_LATENCY_MS: u64 = 1200;

pub struct Options {
    what: String,
    sizes: Vec<usize>,
    runs: usize,
    policy_sets: Vec<PolicySet>,
    live_sizes: Vec<usize>,
    page_latencies_ms: Vec<u64>,
}

/// A directory of policies the benchmarks plan with.
#[derive(Clone, Debug)]
pub struct PolicySet {
    pub name: &'static str,
    pub dir: PathBuf,
}

impl PolicySet {
    /// `bench/policies`: 25 policies, every selector kind; about 90% of mailboxes change.
    pub fn bench() -> PolicySet {
        PolicySet {
            name: "bench",
            dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        }
    }

    /// The CIS Microsoft 365 Foundations v5 §6.1 pack from `examples/`.
    pub fn cis() -> PolicySet {
        PolicySet {
            name: "cis-6.1",
            dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/cis-6.1"),
        }
    }

    fn named(name: &str) -> Result<PolicySet, String> {
        match name.trim() {
            "bench" => Ok(PolicySet::bench()),
            "cis" | "cis-6.1" => Ok(PolicySet::cis()),
            other => Err(format!("unknown policy set {other:?}; use bench or cis")),
        }
    }
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
        policy_sets: vec![PolicySet::bench(), PolicySet::cis()],
        live_sizes: vec![10_000, 100_000],
        page_latencies_ms: vec![SERVICE_PAGE_LATENCY_MS],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--sizes" => options.sizes = parse_sizes(&value("a list such as 10k,100k")?)?,
            "--live-sizes" => options.live_sizes = parse_sizes(&value("a list such as 10k,100k")?)?,
            "--runs" => {
                let runs = value("a number")?;
                options.runs = runs.parse().map_err(|_| format!("bad --runs {runs:?}"))?;
            }
            "--policies" => {
                options.policy_sets = value("a list such as bench,cis")?
                    .split(',')
                    .map(PolicySet::named)
                    .collect::<Result<_, _>>()?
            }
            "--page-latency-ms" => {
                options.page_latencies_ms = value("a list such as 250,1200,3000")?
                    .split(',')
                    .map(|ms| ms.trim().parse().map_err(|_| format!("bad latency {ms:?}")))
                    .collect::<Result<_, _>>()?
            }
            "all" | "gen" | "plan" | "json" | "render" | "split" | "apply" | "live" => {
                options.what = arg
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; see the source's doc comment"
                ))
            }
        }
    }
    Ok(options)
}

fn parse_sizes(list: &str) -> Result<Vec<usize>, String> {
    list.split(',').map(parse_size).collect()
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

pub fn label(size: usize) -> String {
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

/// Where the pieces of a benchmark run are.
pub struct Bench {
    /// `<target>/release`.
    pub bins: PathBuf,
    /// `<target>/bench-data`.
    pub data: PathBuf,
}

impl Bench {
    pub fn auditform(&self) -> Command {
        Command::new(self.bins.join("auditform"))
    }
}

fn drive(options: &Options) -> Result<(), String> {
    let bins = bin_dir()?;
    let data = bins
        .parent()
        .ok_or("no target directory")?
        .join("bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let bench = Bench { bins, data };
    let wants = |what: &str| options.what == "all" || options.what == what;
    let mut tenants = Vec::new();
    if wants("gen") || wants("plan") || wants("json") || wants("render") || wants("split") {
        for &size in &options.sizes {
            tenants.push((size, ensure_tenant(&bench.data, size)?));
        }
    }
    if options.what == "gen" {
        return Ok(());
    }
    print_machine();
    if wants("plan") || wants("json") || wants("apply") || wants("live") {
        build_auditform()?;
    }
    if wants("plan") {
        cases::plan::plan_table(&bench, &tenants, &options.policy_sets, options.runs)?;
    }
    if wants("json") {
        cases::plan::json_table(&bench, &tenants, &options.policy_sets, options.runs)?;
    }
    if wants("render") {
        cases::in_process::render_table(&tenants, options.runs)?;
    }
    if wants("split") {
        cases::in_process::split_table(&tenants, options.runs)?;
    }
    if wants("apply") {
        cases::apply::apply_table(&bench)?;
    }
    if wants("live") {
        cases::live::live_table(
            &bench,
            &options.live_sizes,
            &options.page_latencies_ms,
            options.runs,
        )?;
    }
    Ok(())
}

pub fn ensure_tenant(data: &Path, size: usize) -> Result<PathBuf, String> {
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
    println!("machine: {model}, {cores} cores available; {}\n", load());
}

/// The load average, to be stated beside figures taken on a shared machine.
pub fn load() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    format!("load average {}", fields.join(" "))
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

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
