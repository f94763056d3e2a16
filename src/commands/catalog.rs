//! `auditform catalog`: prints the action catalog, and a policy set's declarations.

use super::Outcome;
use crate::catalog::Catalog;
use crate::cli::{CatalogArgs, CatalogFormat};
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::files::policy_dir::load_dir;
use crate::redact::ScrubWriter;
use crate::render::{render_catalog_json, render_catalog_text};
use std::io::Write;

pub fn run(args: &CatalogArgs, reporter: &Reporter) -> Result<Outcome, CliError> {
    let catalog = match &args.policies {
        None => Catalog::builtin(),
        Some(directory) => {
            let loaded = load_dir(directory)?;
            reporter.report(&loaded.warnings);
            loaded.policies.catalog
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(ScrubWriter::new(stdout.lock()));
    match args.format {
        CatalogFormat::Text => render_catalog_text(&catalog, &mut out)?,
        CatalogFormat::Json => render_catalog_json(&catalog, &mut out)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
