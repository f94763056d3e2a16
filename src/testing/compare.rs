//! Whether an expectation holds, and both sides described one fact a line, so that a failure
//! reads as a diff of expected against actual.

use super::{Actual, Expected, ExpectedList, ExpectedSettings};
use crate::model::{ActionList, AuditSettings, LogonSet, LogonType};
use crate::plan::document::ReasonCode;
use crate::plan::{Conflict, MailboxChange, SkipReason};
use std::collections::BTreeSet;

/// Whether the expectation holds for what became of the mailbox.
pub(super) fn holds(expected: &Expected, actual: &Actual) -> bool {
    match (expected, actual) {
        (Expected::Settings(expected), Actual::Settings { settings, .. }) => {
            settings_hold(expected, settings)
        }
        (Expected::NoChange, Actual::Settings { change, .. }) => change.is_none(),
        (Expected::Skipped(code), Actual::Skipped(reason)) => reason_code(reason) == *code,
        (Expected::Conflict(names), Actual::Conflict(conflicts)) => {
            let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
            conflicting_policies(conflicts) == wanted
        }
        _ => false,
    }
}

fn settings_hold(expected: &ExpectedSettings, actual: &AuditSettings) -> bool {
    expected
        .enabled
        .is_none_or(|enabled| enabled == actual.enabled)
        && expected
            .log_age_limit
            .is_none_or(|limit| limit == actual.log_age_limit)
        && expected
            .default_audit_set
            .is_none_or(|set| set == actual.default_audit_set)
        && LogonType::ALL.into_iter().all(|logon| {
            expected.lists[logon.index()]
                .as_ref()
                .is_none_or(|list| list_holds(list, actual.list(logon)))
        })
}

fn list_holds(expected: &ExpectedList, actual: &ActionList) -> bool {
    match expected {
        ExpectedList::Exactly(list) => same_set(list, actual),
        ExpectedList::Partly { includes, excludes } => {
            names(includes).iter().all(|name| has(actual, name))
                && names(excludes).iter().all(|name| !has(actual, name))
        }
    }
}

/// Lists compare as sets; names the catalog does not know compare ignoring case, as the service
/// treats them.
fn same_set(a: &ActionList, b: &ActionList) -> bool {
    a.known == b.known && lowered(&a.unknown) == lowered(&b.unknown)
}

fn lowered(names: &[Box<str>]) -> BTreeSet<String> {
    names.iter().map(|name| name.to_ascii_lowercase()).collect()
}

fn names(list: &ActionList) -> Vec<&str> {
    list.names()
}

fn has(list: &ActionList, name: &str) -> bool {
    list.names()
        .iter()
        .any(|present| present.eq_ignore_ascii_case(name))
}

/// The reason code the plan document gives a skip.
pub fn reason_code(reason: &SkipReason) -> ReasonCode {
    match reason {
        SkipReason::FixedConfiguration => ReasonCode::FixedConfiguration,
        SkipReason::LicenceRequired { .. } => ReasonCode::LicenceRequired,
    }
}

pub fn reason_code_name(code: ReasonCode) -> &'static str {
    match code {
        ReasonCode::FixedConfiguration => "fixed_configuration",
        ReasonCode::LicenceRequired => "licence_required",
    }
}

fn conflicting_policies(conflicts: &[Conflict]) -> BTreeSet<&str> {
    conflicts
        .iter()
        .flat_map(|conflict| [&*conflict.first.name, &*conflict.second.name])
        .collect()
}

/// The expectation, one fact a line.
pub fn describe_expected(expected: &Expected) -> Vec<String> {
    match expected {
        Expected::Settings(settings) => describe_settings(settings, None),
        Expected::NoChange => vec!["no change".to_string()],
        Expected::Skipped(code) => vec![format!("skipped: {}", reason_code_name(*code))],
        Expected::Conflict(names) => {
            let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
            names.sort_unstable();
            vec![format!("conflict between {}", quoted(&names))]
        }
    }
}

/// What became of the mailbox, in the terms of the expectation, so that the two sides line up
/// where they agree.
pub fn describe_actual(expected: &Expected, actual: &Actual) -> Vec<String> {
    match (expected, actual) {
        (Expected::Settings(expected), Actual::Settings { settings, .. }) => {
            describe_settings(expected, Some(settings))
        }
        (_, Actual::Settings { change: None, .. }) if matches!(expected, Expected::NoChange) => {
            vec!["no change".to_string()]
        }
        (
            _,
            Actual::Settings {
                change: Some(change),
                ..
            },
        ) => {
            let mut lines = vec!["the plan changes it:".to_string()];
            lines.extend(describe_change(change));
            lines
        }
        (_, Actual::Settings { settings, .. }) => {
            let mut lines = vec!["no change, and it has:".to_string()];
            let everything = ExpectedSettings {
                enabled: Some(settings.enabled),
                log_age_limit: Some(settings.log_age_limit),
                lists: LogonType::ALL
                    .map(|logon| Some(ExpectedList::Exactly(settings.list(logon).clone()))),
                default_audit_set: Some(settings.default_audit_set),
            };
            lines.extend(describe_settings(&everything, None));
            lines
        }
        (_, Actual::Skipped(reason)) => vec![
            format!("skipped: {}", reason_code_name(reason_code(reason))),
            format!("  ({reason})"),
        ],
        (_, Actual::Conflict(conflicts)) => {
            let names: Vec<&str> = conflicting_policies(conflicts).into_iter().collect();
            let mut lines = vec![format!("conflict between {}", quoted(&names))];
            for conflict in conflicts {
                let what = if conflict.actions.is_empty() {
                    conflict.property.to_string()
                } else {
                    format!("{} {}", conflict.property, conflict.actions.join(", "))
                };
                lines.push(format!(
                    "  ({what}: `{}` {} it, `{}` {} it, at priority {})",
                    conflict.first.name,
                    conflict.first_says,
                    conflict.second.name,
                    conflict.second_says,
                    conflict.priority
                ));
            }
            lines
        }
    }
}

/// The properties an expectation names, with the expected values, or with the actual ones
/// when `actual` is given.
fn describe_settings(expected: &ExpectedSettings, actual: Option<&AuditSettings>) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(enabled) = expected.enabled {
        let value = actual.map_or(enabled, |actual| actual.enabled);
        lines.push(format!("AuditEnabled: {value}"));
    }
    if let Some(limit) = expected.log_age_limit {
        let value = actual.map_or(limit, |actual| actual.log_age_limit);
        lines.push(format!("AuditLogAgeLimit: {value}"));
    }
    for logon in LogonType::ALL {
        let Some(list) = &expected.lists[logon.index()] else {
            continue;
        };
        let property = logon.property();
        match list {
            ExpectedList::Exactly(wanted) => {
                let shown = actual.map_or(wanted, |actual| actual.list(logon));
                lines.push(format!("{property}:"));
                lines.extend(shown.names().into_iter().map(|name| format!("  - {name}")));
            }
            ExpectedList::Partly { includes, excludes } => {
                let present = |name: &str| actual.is_none_or(|a| has(a.list(logon), name));
                if !includes.is_empty() {
                    lines.push(format!("{property} includes:"));
                    for name in includes.names() {
                        lines.push(if present(name) {
                            format!("  - {name}")
                        } else {
                            format!("  - {name} (but it is not audited)")
                        });
                    }
                }
                if !excludes.is_empty() {
                    lines.push(format!("{property} excludes:"));
                    for name in excludes.names() {
                        let absent = actual.is_none_or(|a| !has(a.list(logon), name));
                        lines.push(if absent {
                            format!("  - {name}")
                        } else {
                            format!("  - {name} (but it is audited)")
                        });
                    }
                }
            }
        }
    }
    if let Some(set) = expected.default_audit_set {
        let value = actual.map_or(set, |actual| actual.default_audit_set);
        lines.push(format!("DefaultAuditSet: {}", logon_set(value)));
    }
    lines
}

/// A planned change, one property a line, as a diff reads it.
fn describe_change(change: &MailboxChange) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(enabled) = &change.enabled {
        lines.push(format!(
            "  AuditEnabled: {} -> {}",
            enabled.before, enabled.after
        ));
    }
    if let Some(limit) = &change.log_age_limit {
        lines.push(format!(
            "  AuditLogAgeLimit: {} -> {}",
            limit.before, limit.after
        ));
    }
    for logon in LogonType::ALL {
        let Some(list) = change.list(logon) else {
            continue;
        };
        let mut items: Vec<String> = list.add.names().iter().map(|n| format!("+ {n}")).collect();
        items.extend(list.remove.names().iter().map(|n| format!("- {n}")));
        lines.push(format!("  {}: {}", logon.property(), items.join(", ")));
    }
    if let Some(set) = &change.default_audit_set {
        lines.push(format!(
            "  DefaultAuditSet: {} -> {}",
            logon_set(set.before),
            logon_set(set.after)
        ));
    }
    lines
}

fn logon_set(set: LogonSet) -> String {
    format!("[{}]", set.names().join(", "))
}

fn quoted(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    names.join(" and ")
}
