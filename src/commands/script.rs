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
    match &args.out {
        Some(path) => write_whole(path, &script).map_err(CliError::write_file(path))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(script.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(Outcome::Success)
}

/// Written whole, so that a reader never finds half a script.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    write_atomically(path, text.as_bytes())
}
