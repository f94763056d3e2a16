use super::Outcome;
use crate::cli::ScriptArgs;
use crate::error::CliError;
use crate::files::plan_file;
use crate::render::render_powershell;
use crate::state::atomic_write::write_atomically;
use std::io::Write;
use std::path::Path;

pub fn run(args: &ScriptArgs) -> Result<Outcome, CliError> {
    let saved = plan_file::load(&args.plan_file)?;
    let script = render_powershell(&saved.plan, &args.plan_file.display().to_string())?;
    let bytes = with_utf8_bom(&script);
    match &args.out {
        Some(path) => write_whole(path, &bytes).map_err(CliError::write_file(path))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Success)
}

/// The byte-order mark of UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The script declares `#Requires -Version 5.1`, and Windows PowerShell 5.1 reads a script
/// without a byte-order mark in the legacy code page, garbling every non-ASCII name in it
/// (PSScriptAnalyzer's PSUseBOMForUnicodeEncodedFile). With the mark, both PowerShell 5.1 and 7
/// read it as UTF-8.
fn with_utf8_bom(script: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(UTF8_BOM.len() + script.len());
    bytes.extend_from_slice(UTF8_BOM);
    bytes.extend_from_slice(script.as_bytes());
    bytes
}

/// Written whole, so that a reader never finds half a script.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically(path, bytes)
}
