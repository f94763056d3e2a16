//! The cases of the test documents, ready to run: each mailbox read from its Get-Mailbox
//! properties (with the defaults of `state::test_mailbox`), each expectation checked against
//! the case and the policy set. `validate` and `test` share this, so a test file that `test`
//! can't run is one `validate` refuses.

use crate::diagnostic::Diagnostic;
use crate::model::LogonType;
use crate::policy::load::LoadError;
use crate::policy::schema::checked::{rejection_invalid, Invalid};
use crate::policy::schema::testing::ExpectationSpec;
use crate::policy::schema::PolicyAction;
use crate::policy::{PolicySet, PolicyTest};
use crate::state::test_mailbox::test_mailbox;
use crate::state::ReadOptions;
use crate::testing::{expected_from, find, Expectation, Expected, TestCase};

/// Every case of the tests, or every problem found in them, each at its place.
pub(super) fn build(
    tests: &[PolicyTest],
    policies: &PolicySet,
) -> Result<Vec<TestCase>, LoadError> {
    // A test mailbox keeps every property it gives, for any filter a policy may add later.
    let options = ReadOptions {
        extra_properties: tests
            .iter()
            .flat_map(|test| &test.cases)
            .flat_map(|case| &case.mailboxes)
            .flat_map(|(_, properties)| properties.keys())
            .map(|key| key.to_ascii_lowercase())
            .collect(),
    };
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for test in tests {
        let suite = test.reference.name.to_string();
        for case in &test.cases {
            let mut mailboxes = Vec::new();
            for (place, properties) in &case.mailboxes {
                match test_mailbox(properties, &options) {
                    Ok(mailbox) => mailboxes.push(mailbox),
                    Err(message) => problems.push(
                        Diagnostic::error(format!("this test mailbox can't be read: {message}"))
                            .at(place.clone())
                            .with_hint("write its properties as Get-Mailbox names them, such as `AuditOwner: [MailboxLogin]`"),
                    ),
                }
            }
            let mut expectations = Vec::new();
            for (name, place, spec) in &case.expect {
                for invalid in undeclared_actions(spec, policies) {
                    problems.push(
                        Diagnostic::error(invalid.message)
                            .at(place.clone())
                            .with_hint_maybe(invalid.hint),
                    );
                }
                let expected = expected_from(spec);
                if mailboxes.len() == case.mailboxes.len() {
                    if let Err(message) = find(&mailboxes, name) {
                        problems.push(
                            Diagnostic::error(message)
                                .at(place.clone())
                                .with_hint("name a mailbox of the case by its Identity, Name, Alias, UserPrincipalName, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid"),
                        );
                    }
                }
                if let Expected::Conflict(names) = &expected {
                    for unknown in names.iter().filter(|name| {
                        !policies
                            .mailbox
                            .iter()
                            .any(|p| &*p.reference.name == name.as_str())
                    }) {
                        let known = policies.mailbox.iter().map(|p| &*p.reference.name);
                        let suggestion = crate::catalog::closest(unknown, known)
                            .map(|name| format!("did you mean `{name}`?"))
                            .unwrap_or_else(|| {
                                "name mailbox policies of the set, by metadata.name".to_string()
                            });
                        problems.push(
                            Diagnostic::error(format!(
                                "the case expects a conflict of `{unknown}`, but no mailbox policy has that name"
                            ))
                            .at(place.clone())
                            .with_hint(suggestion),
                        );
                    }
                }
                expectations.push(Expectation {
                    mailbox: name.clone(),
                    expected,
                    source: Some(place.clone()),
                });
            }
            cases.push(TestCase {
                suite: suite.clone(),
                name: case.name.clone(),
                source: Some(case.source.clone()),
                mailboxes,
                expectations,
            });
        }
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(LoadError {
            diagnostics: problems,
        })
    }
}

/// Why each name the expectation gives that the catalog does not have is refused: none of the
/// policy set's declarations answers to it for that logon type. A misspelt catalog action gets
/// "did you mean", as it does in a policy.
fn undeclared_actions(spec: &ExpectationSpec, policies: &PolicySet) -> Vec<Invalid> {
    let ExpectationSpec::Settings(settings) = spec else {
        return Vec::new();
    };
    let mut refused = Vec::new();
    for logon in LogonType::ALL {
        let Some(list) = &settings.lists[logon.index()] else {
            continue;
        };
        for action in list.actions() {
            let PolicyAction::Declared(name) = action else {
                continue;
            };
            if let Err(rejection) = policies.catalog.check(name, logon) {
                refused.push(rejection_invalid(logon, rejection));
            }
        }
    }
    refused
}
