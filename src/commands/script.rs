use super::Outcome;
use crate::cli::ScriptArgs;
use crate::error::CliError;
use crate::plan::planfile;
use crate::render::render_powershell;
use std::io::Write;
use std::path::Path;

pub fn run(args: &ScriptArgs) -> Result<Outcome, CliError> {
    let saved = planfile::load(&args.plan_file).map_err(|error| CliError::PlanFile {
        path: args.plan_file.clone(),
        error,
    })?;
    let script = render_powershell(&saved.plan, &args.plan_file.display().to_string())?;
    match &args.out {
        Some(path) => write_whole(path, &script)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(script.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(Outcome::Success)
}

/// A temporary file beside the target, renamed over it once complete, so that a reader never
/// finds half a script.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}
