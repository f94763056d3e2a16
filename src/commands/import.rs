use super::Outcome;
use crate::cli::ImportArgs;
use crate::error::CliError;
use crate::inert::Inert;
use crate::model::Tenant;
use crate::policy::import::{file_header, import_tenant, Import};
use crate::policy::load::to_yaml;
use crate::state::snapshot::SnapshotFile;
use crate::state::ReadOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: &ImportArgs) -> Result<Outcome, CliError> {
    let source = SnapshotFile::new(args.state.path());
    let mut tenant = Tenant::default();
    source.read(&mut tenant, &ReadOptions::default())?;
    let import = import_tenant(&tenant);
    let files = rendered_files(&import, &source.describe())?;
    match &args.out {
        Some(dir) => write_files(dir, &files, args.force),
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for (index, (_, text)) in files.iter().enumerate() {
                if index > 0 {
                    out.write_all(b"---\n")?;
                }
                out.write_all(text.as_bytes())?;
            }
            out.flush()?;
            Ok(Outcome::Success)
        }
    }
}

/// Each file's name and text.
fn rendered_files(import: &Import, source: &str) -> Result<Vec<(String, String)>, CliError> {
    import
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            // The notes once, at the top of the first file, rather than in every file.
            let notes: &[String] = if index == 0 { &import.notes } else { &[] };
            let text = file_header(source, notes) + &to_yaml(&file.policies)?;
            Ok((format!("{}.yaml", file.stem), text))
        })
        .collect()
}

/// Refuses before writing anything when a file exists (unless `force`); each file is written
/// to a temporary file beside it and renamed, so that none is ever left half-written.
fn write_files(dir: &Path, files: &[(String, String)], force: bool) -> Result<Outcome, CliError> {
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    if !force {
        let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
        if !existing.is_empty() {
            return Err(CliError::OutputExists { paths: existing });
        }
    }
    std::fs::create_dir_all(dir).map_err(CliError::write_file(dir))?;
    for (path, (_, text)) in paths.iter().zip(files) {
        let written = tempfile::NamedTempFile::new_in(dir).and_then(|mut temporary| {
            temporary.write_all(text.as_bytes())?;
            temporary.as_file().sync_all()?;
            temporary.persist(path).map_err(|error| error.error)
        });
        written.map_err(CliError::write_file(path))?;
        // The directory comes from the command line, perhaps a workflow's input: shown inert.
        eprintln!("Wrote {}", Inert(&path.display().to_string()));
    }
    Ok(Outcome::Success)
}
