use super::Outcome;
use crate::cli::PolicyArgs;
use crate::english::counted;
use crate::error::report::Reporter;
use crate::error::CliError;
use crate::files::policy_dir::load_dir;
use std::io::Write;

pub fn run(args: &PolicyArgs, reporter: &Reporter) -> Result<Outcome, CliError> {
    let loaded = load_dir(&args.policies)?;
    reporter.report(&loaded.warnings);
    // Test documents are part of the set: one that `test` could not run is invalid.
    let cases = super::test_cases::build(&loaded.tests, &loaded.policies)?;
    let set = &loaded.policies;
    let tests = if loaded.tests.is_empty() {
        String::new()
    } else {
        format!(
            " {} ({}) {} valid too.",
            counted(loaded.tests.len(), "test document", "test documents"),
            counted(cases.len(), "case", "cases"),
            if loaded.tests.len() == 1 { "is" } else { "are" }
        )
    };
    writeln!(
        std::io::stdout().lock(),
        "Success! {} in {} {} valid ({} mailbox, {} organization, {} bypass).{tests}",
        counted(
            set.mailbox.len() + set.organization.len() + set.bypass.len(),
            "policy",
            "policies"
        ),
        args.policies.display(),
        if set.mailbox.len() + set.organization.len() + set.bypass.len() == 1 {
            "is"
        } else {
            "are"
        },
        set.mailbox.len(),
        set.organization.len(),
        set.bypass.len(),
    )?;
    let declared = set.catalog.declared();
    if !declared.is_empty() {
        let names: Vec<&str> = declared.iter().map(|d| &*d.name).collect();
        writeln!(
            std::io::stdout().lock(),
            "The policy set declares {} unknown to this version of auditform: {}.",
            counted(declared.len(), "action", "actions"),
            crate::inert::Inert(&names.join(", "))
        )?;
    }
    Ok(Outcome::Success)
}
