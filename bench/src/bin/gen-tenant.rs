//! `gen-tenant MAILBOXES OUT [SEED]`: writes a synthetic PowerShell export of MAILBOXES mailboxes.

use auditform_bench::tenant::{write_tenant, TenantSpec};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(count), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: gen-tenant MAILBOXES OUT [SEED]");
        return ExitCode::FAILURE;
    };
    let Ok(mailboxes) = count.replace('_', "").parse::<usize>() else {
        eprintln!("MAILBOXES must be a number, not {count:?}");
        return ExitCode::FAILURE;
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(6);
    let result = std::fs::File::create(out).and_then(|file| {
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        write_tenant(TenantSpec { mailboxes, seed }, &mut writer)?;
        writer.flush()
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("can't write {out}: {error}");
            ExitCode::FAILURE
        }
    }
}
