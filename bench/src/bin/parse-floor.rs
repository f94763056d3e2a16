//! `parse-floor FILE`: the floor a JSON reader can't beat. Reads FILE whole into memory, then
//! parses it with serde_json into `IgnoredAny`, and prints both times in milliseconds as
//! `read_ms parse_ms`.

use serde::de::IgnoredAny;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse-floor FILE");
        return ExitCode::FAILURE;
    };
    let started = Instant::now();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("can't read {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let read = started.elapsed();
    let started = Instant::now();
    if let Err(error) = serde_json::from_slice::<IgnoredAny>(&bytes) {
        eprintln!("{path}: {error}");
        return ExitCode::FAILURE;
    }
    let parse = started.elapsed();
    println!(
        "{:.3} {:.3}",
        read.as_secs_f64() * 1e3,
        parse.as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}
