use super::live::Source;
use super::Outcome;
use crate::cli::ShowArgs;
use crate::error::CliError;
use crate::model::Tenant;
use crate::render::{render_state, TextOptions};
use crate::state::ReadOptions;
use std::io::Write;

pub fn run(args: &ShowArgs, color: bool) -> Result<Outcome, CliError> {
    let source = Source::choose(&args.state, &args.live)?;
    let mut tenant = Tenant::default();
    source.read(&mut tenant, &ReadOptions::default())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    render_state(
        &tenant,
        &TextOptions {
            color,
            expand: true,
        },
        &mut out,
    )?;
    out.flush()?;
    Ok(Outcome::Success)
}
