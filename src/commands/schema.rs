//! `auditform schema`: prints the JSON Schema of the policy format.

use super::Outcome;
use crate::error::CliError;
use crate::policy::json_schema::policy_schema;
use std::io::Write;

pub fn run() -> Result<Outcome, CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(schema_text().as_bytes())?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// The schema exactly as committed in `schema/auditform.schema.json`: pretty, with a final
/// newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&policy_schema()).unwrap_or_default();
    text.push('\n');
    text
}
