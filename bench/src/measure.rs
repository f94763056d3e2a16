//! Runs a command as a child process and measures its wall time, CPU time and peak memory.

use std::io;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What one run of a child cost.
#[derive(Clone, Debug)]
pub struct Run {
    pub wall: Duration,
    /// Peak resident set size of the child. On Linux, the last `VmHWM` of its
    /// `/proc/PID/status`, read every few milliseconds while it runs (`wait4`'s `ru_maxrss`
    /// when it ended before one was read): `ru_maxrss` alone would not do, since Linux counts
    /// in it the parent's resident memory at the moment the child was spawned, and a benchmark
    /// that serves a tenant from this process holds gigabytes. Elsewhere on Unix,
    /// `ru_maxrss`.
    pub max_rss_bytes: u64,
    /// User plus system CPU time of the child, on every core it used.
    pub cpu: Duration,
    pub exit_code: i32,
    pub stdout: Vec<u8>,
}

/// Spawns `command` with stdout captured (or discarded) and waits for it with `wait4`, so that
/// the rusage is the child's own and not the maximum over every child so far.
pub fn run(command: &mut Command, capture_stdout: bool) -> io::Result<Run> {
    command.stdout(if capture_stdout {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let started = Instant::now();
    let mut child = command.spawn()?;
    let pid = child.id();
    let done = AtomicBool::new(false);
    let peak = AtomicU64::new(0);
    let (stdout, measured) = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                if let Some(hwm) = high_water_mark(pid) {
                    peak.fetch_max(hwm, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        let mut stdout = Vec::new();
        let read = match child.stdout.take() {
            Some(mut pipe) => io::Read::read_to_end(&mut pipe, &mut stdout).map(drop),
            None => Ok(()),
        };
        let measured = wait_measured(&mut child);
        done.store(true, Ordering::Relaxed);
        (read.map(|()| stdout), measured)
    });
    let stdout = stdout?;
    let (exit_code, max_rss_bytes, cpu) = measured?;
    Ok(Run {
        wall: started.elapsed(),
        max_rss_bytes: match peak.load(Ordering::Relaxed) {
            0 => max_rss_bytes,
            hwm => hwm,
        },
        cpu,
        exit_code,
        stdout,
    })
}

/// `VmHWM` of a running process, in bytes; `None` where there is no `/proc`.
fn high_water_mark(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Waits for `child` with `wait4`: its exit code, peak RSS and CPU time.
#[cfg(unix)]
fn wait_measured(child: &mut std::process::Child) -> io::Result<(i32, u64, Duration)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data that wait4 fills in; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited < 0 {
        return Err(io::Error::last_os_error());
    }
    let exit_code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Linux reports ru_maxrss in KiB, macOS in bytes.
    let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    let max_rss_bytes = (usage.ru_maxrss as u64) * unit;
    Ok((
        exit_code,
        max_rss_bytes,
        cpu_time(usage.ru_utime) + cpu_time(usage.ru_stime),
    ))
}

/// Elsewhere (Windows) only the exit code and the wall time are measured: peak RSS and CPU
/// time read as zero.
#[cfg(not(unix))]
fn wait_measured(child: &mut std::process::Child) -> io::Result<(i32, u64, Duration)> {
    let status = child.wait()?;
    Ok((status.code().unwrap_or(-1), 0, Duration::ZERO))
}

#[cfg(unix)]
fn cpu_time(time: libc::timeval) -> Duration {
    Duration::from_secs(time.tv_sec.max(0) as u64)
        + Duration::from_micros(time.tv_usec.max(0) as u64)
}

/// The median of some durations; zero when there are none.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}
