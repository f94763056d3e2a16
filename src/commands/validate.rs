use super::{print_warnings, Outcome};
use crate::cli::PolicyArgs;
use crate::error::CliError;
use crate::policy::load::load_dir;

pub fn run(args: &PolicyArgs) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policies)?;
    print_warnings(&loaded.warnings);
    let set = &loaded.policies;
    println!(
        "Success! {} policies in {} are valid ({} mailbox, {} organization, {} bypass).",
        set.mailbox.len() + set.organization.len() + set.bypass.len(),
        args.policies.display(),
        set.mailbox.len(),
        set.organization.len(),
        set.bypass.len(),
    );
    Ok(Outcome::Success)
}
