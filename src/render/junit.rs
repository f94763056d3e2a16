//! `plan --format junit`: drift as test results, for the test tabs of Azure DevOps
//! (PublishTestResults), GitLab (artifacts:reports:junit) and Jenkins.
//!
//! One suite per policy. Each change a policy needs is a failing case, with the change as its
//! message and the plan's own block as its text; identical changes over many mailboxes are one
//! case, as in the text plan, and a suite lists at most [`FAILING_CASES`] of them before one
//! case that counts the rest. What already complies is a passing case per object when there are
//! few, and one case that counts them when there are many. So the report of a plan over
//! 100,000 mailboxes stays small enough for a test tab to load.
//!
//! The document follows the Apache Ant JUnit schema (windyroad/JUnit-Schema, which Jenkins'
//! xUnit schema also accepts): a test checks it with the vendored XSD in `tests/fixtures/junit/`.

mod xml;

pub use xml::{attribute, text};

use super::group::{group_change_refs, ChangeGroup};
use super::label::{plain_subject, printable, quoted_subject};
use super::style::Palette;
use super::text_blocks::PlanWriter;
use crate::english::{counted, thousands};
use crate::plan::compliance::{Compliance, PolicyCompliance};
use crate::plan::{BypassChange, MailboxChange, Plan, Skipped, Subject};
use crate::policy::{PolicyRef, PolicySet};
use std::collections::HashMap;
use std::io::{self, Write};

/// The most failing cases one suite lists; one more case counts the rest.
pub const FAILING_CASES: usize = 200;

/// How many mailboxes a grouped case names in its text.
const NAMES_IN_GROUP: usize = 20;

/// Groups of skipped mailboxes larger than this are one case.
const SKIPPED_LISTED: usize = 3;

/// What a JUnit report carries beyond the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JunitOptions {
    /// When the report was made, as `YYYY-MM-DDTHH:MM:SS` (UTC, no zone, as the schema wants).
    pub timestamp: String,
}

/// One test case.
pub struct Case {
    pub name: String,
    pub outcome: CaseOutcome,
}

pub enum CaseOutcome {
    Passed,
    Failed {
        message: String,
        kind: &'static str,
        text: String,
    },
    Errored {
        message: String,
        kind: &'static str,
        text: String,
    },
    Skipped {
        message: String,
    },
}

/// One test suite.
pub struct Suite {
    pub name: String,
    pub classname: String,
    pub properties: Vec<(&'static str, String)>,
    pub cases: Vec<Case>,
}

/// Writes the plan as a JUnit report: one suite per policy of `policies`.
pub fn render_plan_junit(
    plan: &Plan,
    policies: &PolicySet,
    compliance: &Compliance,
    options: &JunitOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut by_policy: HashMap<&PolicyRef, Vec<&MailboxChange>> = HashMap::new();
    for change in &plan.mailbox_changes {
        for policy in change.policies.iter() {
            by_policy.entry(policy).or_default().push(change);
        }
    }
    let mut suites = Vec::new();
    for (index, policy) in policies.mailbox.iter().enumerate() {
        let changes = by_policy.remove(&policy.reference).unwrap_or_default();
        let skipped = plan
            .skipped
            .iter()
            .filter(|skipped| skipped.policies.contains(&policy.reference));
        let mut cases = failing_mailbox_cases(changes);
        cases.extend(skipped_cases(skipped));
        cases.extend(passing_cases(
            compliance.mailbox.get(index),
            ("mailbox", "mailboxes"),
        ));
        suites.push(suite(
            &policy.reference,
            "MailboxAuditPolicy",
            policy.priority,
            policy.description.as_deref(),
            cases,
        ));
    }
    for policy in &policies.organization {
        let case = match &plan.organization_change {
            Some(change) if change.policies.contains(&policy.reference) => Case {
                name: "organization config".to_string(),
                outcome: CaseOutcome::Failed {
                    message: format!(
                        "AuditDisabled {} -> {}",
                        change.audit_disabled.before, change.audit_disabled.after
                    ),
                    kind: if change.weakens() {
                        "weakening"
                    } else {
                        "drift"
                    },
                    text: format!(
                        "Set-OrganizationConfig -AuditDisabled ${}",
                        change.audit_disabled.after
                    ),
                },
            },
            _ if compliance.organization == Some(true) => Case {
                name: "organization config complies".to_string(),
                outcome: CaseOutcome::Passed,
            },
            _ => Case {
                name: "organization config".to_string(),
                outcome: CaseOutcome::Skipped {
                    message: "the state has no organization config, so this policy was not checked"
                        .to_string(),
                },
            },
        };
        suites.push(suite(
            &policy.reference,
            "OrganizationAuditPolicy",
            policy.priority,
            policy.description.as_deref(),
            vec![case],
        ));
    }
    for (index, policy) in policies.bypass.iter().enumerate() {
        let changes = plan
            .bypass_changes
            .iter()
            .filter(|change| change.policies.contains(&policy.reference));
        let mut cases = failing_bypass_cases(changes);
        cases.extend(passing_cases(
            compliance.bypass.get(index),
            ("audit bypass association", "audit bypass associations"),
        ));
        suites.push(suite(
            &policy.reference,
            "AuditBypassPolicy",
            policy.priority,
            policy.description.as_deref(),
            cases,
        ));
    }
    let source = if plan.source.is_empty() {
        None
    } else {
        Some(plan.source.as_str())
    };
    write_report(&suites, source, options, out)
}

fn suite(
    policy: &PolicyRef,
    kind: &'static str,
    priority: i64,
    description: Option<&str>,
    cases: Vec<Case>,
) -> Suite {
    let mut properties = vec![
        ("kind", kind.to_string()),
        ("source", policy.source.to_string()),
        ("priority", priority.to_string()),
    ];
    if let Some(description) = description {
        properties.push(("description", description.to_string()));
    }
    Suite {
        name: policy.name.to_string(),
        classname: format!("auditform.{}", policy.name),
        properties,
        cases,
    }
}

/// A failing case per distinct change (identical changes over many mailboxes are one), at most
/// [`FAILING_CASES`], then one that counts the rest.
fn failing_mailbox_cases(changes: Vec<&MailboxChange>) -> Vec<Case> {
    let groups = group_change_refs(changes);
    let total: usize = groups.iter().map(ChangeGroup::len).sum();
    let mut cases = Vec::new();
    let mut listed = 0;
    for group in groups.iter().take(FAILING_CASES) {
        listed += group.len();
        cases.push(group_case(group));
    }
    if total > listed {
        let rest = total - listed;
        cases.push(Case {
            name: format!(
                "and {} more mailbox {}",
                thousands(rest),
                if rest == 1 { "change" } else { "changes" }
            ),
            outcome: CaseOutcome::Failed {
                message: format!(
                    "{} not listed here need a change; run `auditform plan` to see every change",
                    counted(rest, "more mailbox", "more mailboxes")
                ),
                kind: "drift",
                text: String::new(),
            },
        });
    }
    cases
}

fn group_case(group: &ChangeGroup<'_>) -> Case {
    let change = group.representative();
    let weakens = group.weakens();
    let mut block = Vec::new();
    let mut writer = PlanWriter {
        out: &mut block,
        palette: Palette::new(false),
        expand: false,
    };
    let summary = writer.delta_summary(change);
    let kind = if weakens { "weakening" } else { "drift" };
    if group.len() == 1 {
        let _ = writer.mailbox(change, &change.weakenings());
        return Case {
            name: format!("mailbox {}", quoted_subject(&change.subject)),
            outcome: CaseOutcome::Failed {
                message: summary,
                kind,
                text: String::from_utf8_lossy(&block).into_owned(),
            },
        };
    }
    let mut names: Vec<String> = group
        .members
        .iter()
        .take(NAMES_IN_GROUP)
        .map(|member| plain_subject(&member.subject))
        .collect();
    if group.len() > NAMES_IN_GROUP {
        names.push(format!(
            "... and {} more",
            thousands(group.len() - NAMES_IN_GROUP)
        ));
    }
    let noun = format!(
        "{} {} mailboxes",
        thousands(group.len()),
        printable(change.recipient_type.name())
    );
    Case {
        name: format!("{noun}: {summary}"),
        outcome: CaseOutcome::Failed {
            message: format!("{noun} need the same change: {summary}"),
            kind,
            text: names.join("\n"),
        },
    }
}

fn failing_bypass_cases<'a>(changes: impl Iterator<Item = &'a BypassChange>) -> Vec<Case> {
    let changes: Vec<&BypassChange> = changes.collect();
    let mut cases: Vec<Case> = changes
        .iter()
        .take(FAILING_CASES)
        .map(|change| Case {
            name: format!(
                "audit bypass association {}",
                quoted_subject(&change.subject)
            ),
            outcome: CaseOutcome::Failed {
                message: format!(
                    "AuditBypassEnabled {} -> {}",
                    change.bypass_enabled.before, change.bypass_enabled.after
                ),
                kind: if change.weakens() {
                    "weakening"
                } else {
                    "drift"
                },
                text: String::new(),
            },
        })
        .collect();
    if changes.len() > FAILING_CASES {
        let rest = changes.len() - FAILING_CASES;
        cases.push(Case {
            name: format!(
                "and {} more audit bypass {}",
                thousands(rest),
                if rest == 1 { "change" } else { "changes" }
            ),
            outcome: CaseOutcome::Failed {
                message: "run `auditform plan` to see every change".to_string(),
                kind: "drift",
                text: String::new(),
            },
        });
    }
    cases
}

/// Skipped mailboxes, by reason: each on its own when few, else one case that counts them.
fn skipped_cases<'a>(skipped: impl Iterator<Item = &'a Skipped>) -> Vec<Case> {
    let mut by_reason: Vec<(String, Vec<&Subject>)> = Vec::new();
    for entry in skipped {
        let reason = entry.reason.to_string();
        match by_reason.iter_mut().find(|(known, _)| *known == reason) {
            Some((_, subjects)) => subjects.push(&entry.subject),
            None => by_reason.push((reason, vec![&entry.subject])),
        }
    }
    let mut cases = Vec::new();
    for (reason, subjects) in by_reason {
        if subjects.len() <= SKIPPED_LISTED {
            cases.extend(subjects.into_iter().map(|subject| Case {
                name: format!("mailbox {}", quoted_subject(subject)),
                outcome: CaseOutcome::Skipped {
                    message: reason.clone(),
                },
            }));
        } else {
            cases.push(Case {
                name: format!(
                    "{} skipped",
                    counted(subjects.len(), "mailbox", "mailboxes")
                ),
                outcome: CaseOutcome::Skipped { message: reason },
            });
        }
    }
    cases
}

/// What complies: a passing case per object when few, else one that counts them.
fn passing_cases(compliance: Option<&PolicyCompliance>, noun: (&str, &str)) -> Vec<Case> {
    let Some(compliance) = compliance else {
        return Vec::new();
    };
    if compliance.complying == 0 {
        return Vec::new();
    }
    if compliance.complying <= compliance.first.len() {
        return compliance
            .first
            .iter()
            .map(|subject| Case {
                name: format!("{} {} complies", noun.0, quoted_subject(subject)),
                outcome: CaseOutcome::Passed,
            })
            .collect();
    }
    vec![Case {
        name: format!(
            "{} already comply",
            counted(compliance.complying, noun.0, noun.1)
        ),
        outcome: CaseOutcome::Passed,
    }]
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC for seconds since 1970, as the schema's timestamp wants.
pub fn timestamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let seconds = unix_seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// Writes suites as a `<testsuites>` document.
pub fn write_report(
    suites: &[Suite],
    source: Option<&str>,
    options: &JunitOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, "<testsuites>")?;
    for (id, suite) in suites.iter().enumerate() {
        let count =
            |f: fn(&CaseOutcome) -> bool| suite.cases.iter().filter(|c| f(&c.outcome)).count();
        let failures = count(|o| matches!(o, CaseOutcome::Failed { .. }));
        let errors = count(|o| matches!(o, CaseOutcome::Errored { .. }));
        let skipped = count(|o| matches!(o, CaseOutcome::Skipped { .. }));
        writeln!(
            out,
            r#"  <testsuite name="{}" package="auditform" id="{id}" timestamp="{}" hostname="localhost" tests="{}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="0">"#,
            attribute(&suite.name),
            attribute(&options.timestamp),
            suite.cases.len(),
        )?;
        writeln!(out, "    <properties>")?;
        if let Some(source) = source {
            writeln!(
                out,
                r#"      <property name="state" value="{}"/>"#,
                attribute(source)
            )?;
        }
        for (name, value) in &suite.properties {
            writeln!(
                out,
                r#"      <property name="{name}" value="{}"/>"#,
                attribute(value)
            )?;
        }
        writeln!(out, "    </properties>")?;
        for case in &suite.cases {
            let open = format!(
                r#"    <testcase name="{}" classname="{}" time="0""#,
                attribute(&case.name),
                attribute(&suite.classname)
            );
            match &case.outcome {
                CaseOutcome::Passed => writeln!(out, "{open}/>")?,
                CaseOutcome::Skipped { message } => writeln!(
                    out,
                    r#"{open}><skipped message="{}"/></testcase>"#,
                    attribute(message)
                )?,
                CaseOutcome::Failed {
                    message,
                    kind,
                    text: body,
                }
                | CaseOutcome::Errored {
                    message,
                    kind,
                    text: body,
                } => {
                    let element = if matches!(case.outcome, CaseOutcome::Failed { .. }) {
                        "failure"
                    } else {
                        "error"
                    };
                    writeln!(
                        out,
                        r#"{open}><{element} message="{}" type="{kind}">{}</{element}></testcase>"#,
                        attribute(message),
                        text(body)
                    )?;
                }
            }
        }
        writeln!(out, "    <system-out/>")?;
        writeln!(out, "    <system-err/>")?;
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    out.flush()
}

#[cfg(test)]
mod tests;
