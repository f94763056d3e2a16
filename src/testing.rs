//! Unit tests of a policy set, run offline (`auditform test`), as `opa test` runs Rego tests.
//!
//! A case gives a few mailboxes, written with only the Get-Mailbox properties it needs, and
//! says what the policies must do with each: which settings the plan leads to, that it is
//! skipped and why, that two named policies conflict over it, or that nothing changes. Running
//! a case plans each of its mailboxes with the planner itself and compares. Nothing here reads
//! a file: cases come in as data, results go out as data, and the renderers show them.

mod compare;

pub use compare::{describe_actual, describe_expected};

use crate::model::{ActionList, LogonSet, LogonType, Mailbox, Tenant};
use crate::plan::document::ReasonCode;
use crate::plan::{plan_tenant, Conflict, MailboxChange, PlanError, SkipReason};
use crate::policy::schema::testing::{ExpectationSpec, ExpectedListSpec, SkipCode};
use crate::policy::schema::PolicyAction;
use crate::policy::{PolicySet, Selector, SourceLocation};
use crate::timespan::TimeSpan;

/// One case: mailboxes, and what the policies must do with them.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    /// The file, or the file and the test document, it belongs to: a suite in reports.
    pub suite: String,
    pub name: String,
    /// Where the case was written.
    pub source: Option<SourceLocation>,
    pub mailboxes: Vec<Mailbox>,
    pub expectations: Vec<Expectation>,
}

/// What must become of one mailbox of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The mailbox, by any name an `identities` selector accepts.
    pub mailbox: String,
    pub expected: Expected,
    pub source: Option<SourceLocation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// The settings the plan leads to; only the properties given are compared.
    Settings(ExpectedSettings),
    /// The plan changes nothing on it (no policy selects it, or it already complies).
    NoChange,
    /// The plan skips it, for this reason.
    Skipped(ReasonCode),
    /// These policies disagree over it at the same priority (by `metadata.name`).
    Conflict(Vec<String>),
}

/// Desired settings. Lists compare as sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedSettings {
    pub enabled: Option<bool>,
    pub log_age_limit: Option<TimeSpan>,
    /// Indexed by [`LogonType::index`].
    pub lists: [Option<ExpectedList>; 3],
    pub default_audit_set: Option<LogonSet>,
}

/// What a logon type's list must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedList {
    /// Exactly these actions, compared as sets.
    Exactly(ActionList),
    /// At least `includes`, and none of `excludes`.
    Partly {
        includes: ActionList,
        excludes: ActionList,
    },
}

/// What became of a mailbox: the planner's outcome, in the terms expectations use.
#[derive(Clone, Debug, PartialEq)]
pub enum Actual {
    /// The settings after the plan, and the plan's change when it makes one.
    Settings {
        settings: crate::model::AuditSettings,
        change: Option<Box<MailboxChange>>,
    },
    Skipped(SkipReason),
    Conflict(Vec<Conflict>),
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    pub suite: String,
    pub name: String,
    pub source: Option<SourceLocation>,
    pub verdict: CaseVerdict,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CaseVerdict {
    Passed,
    /// Expectations that did not hold, each with both sides described line by line.
    Failed(Vec<Failure>),
    /// The case itself is wrong: it names a mailbox it does not give, or gives one twice.
    Errored(String),
}

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub mailbox: String,
    pub source: Option<SourceLocation>,
    /// The expectation, one fact a line.
    pub expected: Vec<String>,
    /// The same facts, as the plan has them.
    pub actual: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        matches!(self.verdict, CaseVerdict::Passed)
    }
}

/// Runs one case against the policies.
pub fn run_case(policies: &PolicySet, case: &TestCase) -> CaseResult {
    let verdict = match failures(policies, case) {
        Ok(failures) if failures.is_empty() => CaseVerdict::Passed,
        Ok(failures) => CaseVerdict::Failed(failures),
        Err(message) => CaseVerdict::Errored(message),
    };
    CaseResult {
        suite: case.suite.clone(),
        name: case.name.clone(),
        source: case.source.clone(),
        verdict,
    }
}

fn failures(policies: &PolicySet, case: &TestCase) -> Result<Vec<Failure>, String> {
    if case.expectations.is_empty() {
        return Err("the case expects nothing; give each mailbox an expectation".to_string());
    }
    // The case's mailboxes are a tenant: two that share an immutable id can't both be planned.
    let tenant = Tenant {
        mailboxes: case.mailboxes.clone(),
        ..Tenant::default()
    };
    if let Err(error @ PlanError::DuplicateIds { .. }) = plan_tenant(policies, &tenant, "test") {
        return Err(format!("{error}; {}", error.hint()));
    }
    let mut failures = Vec::new();
    for expectation in &case.expectations {
        let mailbox = find(&case.mailboxes, &expectation.mailbox)?;
        let actual = outcome(policies, mailbox);
        if !compare::holds(&expectation.expected, &actual) {
            failures.push(Failure {
                mailbox: expectation.mailbox.clone(),
                source: expectation.source.clone(),
                expected: describe_expected(&expectation.expected),
                actual: describe_actual(&expectation.expected, &actual),
            });
        }
    }
    Ok(failures)
}

/// The one mailbox of the case that answers to `identity`, as an `identities` selector
/// matches names; why not, when none or several do.
pub fn find<'m>(mailboxes: &'m [Mailbox], identity: &str) -> Result<&'m Mailbox, String> {
    let selector = Selector {
        identities: vec![identity.to_string()],
        ..Selector::default()
    };
    let mut found = mailboxes
        .iter()
        .filter(|mailbox| selector.matches(*mailbox));
    match (found.next(), found.next()) {
        (Some(mailbox), None) => Ok(mailbox),
        (None, _) => Err(format!(
            "the case expects something of `{identity}`, but none of its mailboxes answers to that name"
        )),
        (Some(_), Some(_)) => Err(format!(
            "`{identity}` answers to more than one mailbox of the case; give each an Identity of its own"
        )),
    }
}

/// An expectation as written in a test file, in the terms the runner compares.
pub fn expected_from(spec: &ExpectationSpec) -> Expected {
    match spec {
        ExpectationSpec::Settings(settings) => {
            let list = |spec: &Option<ExpectedListSpec>| {
                spec.as_ref().map(|spec| match spec {
                    ExpectedListSpec::Exactly(actions) => {
                        ExpectedList::Exactly(action_list(actions))
                    }
                    ExpectedListSpec::Partly { includes, excludes } => ExpectedList::Partly {
                        includes: action_list(includes),
                        excludes: action_list(excludes),
                    },
                })
            };
            Expected::Settings(ExpectedSettings {
                enabled: settings.audit_enabled,
                log_age_limit: settings.audit_log_age_limit.map(|limit| limit.span()),
                lists: LogonType::ALL.map(|logon| list(&settings.lists[logon.index()])),
                default_audit_set: settings
                    .default_audit_set
                    .as_ref()
                    .map(|logons| logons.iter().copied().collect()),
            })
        }
        ExpectationSpec::NoChange => Expected::NoChange,
        ExpectationSpec::Skipped(code) => Expected::Skipped(match code {
            SkipCode::FixedConfiguration => ReasonCode::FixedConfiguration,
            SkipCode::LicenceRequired => ReasonCode::LicenceRequired,
        }),
        ExpectationSpec::Conflict(names) => {
            Expected::Conflict(names.iter().map(|name| name.as_str().to_string()).collect())
        }
    }
}

/// The actions an expectation names, as a list: a declared action is a name the catalog does
/// not have, as it is on a mailbox.
fn action_list(actions: &[PolicyAction]) -> ActionList {
    ActionList::from_names(actions.iter().map(PolicyAction::name))
}

/// Plans one mailbox alone (planning is per mailbox) and says what became of it.
pub fn outcome(policies: &PolicySet, mailbox: &Mailbox) -> Actual {
    let tenant = Tenant {
        mailboxes: vec![mailbox.clone()],
        ..Tenant::default()
    };
    match plan_tenant(policies, &tenant, "test") {
        Err(PlanError::Conflicts(conflicts)) => Actual::Conflict(conflicts),
        // One mailbox can't share its id with another, nor be an empty state.
        Err(PlanError::DuplicateIds { .. } | PlanError::EmptyState { .. }) => unchanged(mailbox),
        Ok(mut plan) => {
            if let Some(skipped) = plan.skipped.pop() {
                Actual::Skipped(skipped.reason)
            } else if let Some(change) = plan.mailbox_changes.pop() {
                Actual::Settings {
                    settings: after(mailbox, &change),
                    change: Some(Box::new(change)),
                }
            } else {
                unchanged(mailbox)
            }
        }
    }
}

fn unchanged(mailbox: &Mailbox) -> Actual {
    Actual::Settings {
        settings: mailbox.audit.clone(),
        change: None,
    }
}

/// The mailbox's settings once the change is made.
fn after(mailbox: &Mailbox, change: &MailboxChange) -> crate::model::AuditSettings {
    let mut settings = mailbox.audit.clone();
    if let Some(enabled) = &change.enabled {
        settings.enabled = enabled.after;
    }
    if let Some(limit) = &change.log_age_limit {
        settings.log_age_limit = limit.after;
    }
    for logon in LogonType::ALL {
        if let Some(list) = change.list(logon) {
            *settings.list_mut(logon) = list.after.clone();
        }
    }
    if let Some(set) = &change.default_audit_set {
        settings.default_audit_set = set.after;
    }
    settings
}

#[cfg(test)]
mod tests;
