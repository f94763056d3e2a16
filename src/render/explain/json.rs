//! `explain --format json`: the explanation of a mailbox, or the report on a policy, as a JSON
//! document for tools. `schema/explain.schema.json` describes both, and a test holds the
//! output to it. A planned change is written exactly as the plan document writes it.

use crate::catalog::LicenceTier;
use crate::explain::{
    ActionVerdicts, ConditionTrace, Decision, ExcludeTrace, FilterNode, MailboxExplanation,
    MembershipReason, Outcome, PolicyReport, Resolution, Sample, ScalarVerdicts, SelectorTrace,
};
use crate::model::{AuditSettings, LogonType, PropertyValue};
use crate::plan::document::{mailbox_document, skipped_document};
use crate::plan::Subject;
use crate::policy::resolve::Verdict;
use crate::policy::PolicyRef;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// The version of both explain documents. Minor versions only add fields.
pub const EXPLAIN_FORMAT_VERSION: &str = "1.0";

/// Writes the explanation of one mailbox as JSON, ending in a newline.
pub fn render_explanation_json(
    explanation: &MailboxExplanation,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = json!({
        "format_version": EXPLAIN_FORMAT_VERSION,
        "kind": "mailbox",
        "mailbox": {
            "id": explanation.subject.id(),
            "identity": explanation.subject.identity(),
            "display_name": explanation.subject.display_name(),
            "address": explanation.subject.address(),
            "recipient_type_details": explanation.recipient_type.name(),
            "licence": licence(explanation.licence),
        },
        "current": settings(&explanation.current),
        "policies": explanation.selections.iter().map(|selection| {
            let mut entry = policy(&selection.policy, selection.priority);
            entry.insert("selected".into(), json!(selection.selected));
            entry.insert("selector".into(), selector(&selection.trace));
            Value::Object(entry)
        }).collect::<Vec<_>>(),
        "verdicts": explanation.resolution.as_ref().map(verdicts),
        "default_audit_set": explanation.default_audit_set.iter().map(|membership| {
            let (reason, by) = match membership.reason {
                MembershipReason::NotPlanned => ("not_planned", None),
                MembershipReason::Unspoken => ("unspoken", None),
                MembershipReason::ManagedDefaults { policy, .. } => ("managed_defaults", Some(policy)),
                MembershipReason::ListChanges => ("list_changes", None),
                MembershipReason::ListMeetsVerdicts => ("list_meets_verdicts", None),
            };
            let restored = matches!(membership.reason, MembershipReason::ManagedDefaults { restored: true, .. });
            json!({
                "logon_type": membership.logon.name(),
                "before": membership.before,
                "after": membership.after,
                "reason": reason,
                "restored": restored,
                "policy": by.and_then(|index| explanation.resolution.as_ref().map(|r| policy_value(r, index))),
            })
        }).collect::<Vec<_>>(),
        "plan": outcome(&explanation.outcome),
    });
    write(&document, out)
}

/// Writes the report on one policy as JSON, ending in a newline.
pub fn render_policy_report_json(report: &PolicyReport, out: &mut dyn Write) -> io::Result<()> {
    let mut head = policy(&report.policy, report.priority);
    head.insert("description".into(), json!(report.description));
    let document = json!({
        "format_version": EXPLAIN_FORMAT_VERSION,
        "kind": "policy",
        "policy": Value::Object(head),
        "mailboxes_read": report.read,
        "selected": sample(&report.selected),
        "wins": sample(&report.wins),
        "changes": sample(&report.changes),
        "unchanged": sample(&report.unchanged),
        "overridden": report.overridden.iter().map(|by| {
            let mut entry = policy(&by.by, by.priority);
            entry.insert("what".into(), json!(by.what));
            entry.insert("mailboxes".into(), sample(&by.mailboxes));
            Value::Object(entry)
        }).collect::<Vec<_>>(),
        "has_exclude": report.has_exclude,
        "spared_by_exclude": sample(&report.spared),
        "skipped": sample(&report.skipped),
        "conflicted": sample(&report.conflicted),
        "conflicts": report.conflicts.iter().map(|conflict| json!({
            "property": conflict.property,
            "actions": conflict.actions,
            "first": Value::Object(policy(&conflict.first, conflict.priority)),
            "first_says": conflict.first_says,
            "second": Value::Object(policy(&conflict.second, conflict.priority)),
            "second_says": conflict.second_says,
            "affected": conflict.affected,
            "examples": conflict.examples,
        })).collect::<Vec<_>>(),
    });
    write(&document, out)
}

fn write(document: &Value, out: &mut dyn Write) -> io::Result<()> {
    crate::render::json::write_inert_json(document, &mut *out)?;
    writeln!(out)
}

fn licence(tier: LicenceTier) -> &'static str {
    match tier {
        LicenceTier::E5 => "E5",
        LicenceTier::NonE5 => "nonE5",
    }
}

fn settings(settings: &AuditSettings) -> Value {
    let mut map = Map::new();
    map.insert("AuditEnabled".into(), json!(settings.enabled));
    map.insert(
        "AuditLogAgeLimit".into(),
        json!(settings.log_age_limit.to_string()),
    );
    for logon in LogonType::ALL {
        map.insert(logon.property().into(), json!(settings.list(logon).names()));
    }
    map.insert(
        "DefaultAuditSet".into(),
        json!(settings.default_audit_set.names()),
    );
    Value::Object(map)
}

fn policy(policy: &PolicyRef, priority: i64) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("name".into(), json!(&*policy.name));
    map.insert("source".into(), json!(policy.source.to_string()));
    map.insert("priority".into(), json!(priority));
    map
}

fn policy_value(resolution: &Resolution, index: usize) -> Value {
    match resolution.policies.get(index) {
        Some((reference, priority)) => Value::Object(policy(reference, *priority)),
        None => Value::Null,
    }
}

fn selector(trace: &SelectorTrace) -> Value {
    json!({
        "conditions": trace.conditions.iter().map(condition).collect::<Vec<_>>(),
        "exclude": trace.exclude.as_deref().map(exclude),
    })
}

fn exclude(exclude: &ExcludeTrace) -> Value {
    json!({
        "excluded": exclude.excluded,
        "selector": selector(&exclude.selector),
    })
}

fn condition(condition: &ConditionTrace) -> Value {
    let mut map = Map::new();
    map.insert("key".into(), json!(condition.key()));
    map.insert("held".into(), json!(condition.held()));
    match condition {
        ConditionTrace::Licence { wanted, actual, .. } => {
            map.insert("wanted".into(), json!(licence(*wanted)));
            map.insert("actual".into(), json!(actual.map(licence)));
        }
        ConditionTrace::RecipientType { wanted, actual, .. } => {
            let wanted: Vec<&str> = wanted.iter().map(|t| t.name()).collect();
            map.insert("wanted".into(), json!(wanted));
            map.insert("actual".into(), json!(actual.as_ref().map(|t| t.name())));
        }
        ConditionTrace::Identities { wanted, matched } => {
            map.insert("wanted".into(), json!(wanted));
            map.insert(
                "matched".into(),
                json!(matched
                    .as_ref()
                    .map(|(identity, name)| json!({ "identity": identity, "name": name }))),
            );
        }
        ConditionTrace::Match { patterns, matched } => {
            map.insert("wanted".into(), json!(patterns));
            map.insert(
                "matched".into(),
                json!(matched
                    .as_ref()
                    .map(|(address, by)| json!({ "address": address, "patterns": by }))),
            );
        }
        ConditionTrace::Filter { source, clauses } => {
            map.insert("filter".into(), json!(source));
            map.insert("clauses".into(), filter_node(clauses));
        }
    }
    Value::Object(map)
}

fn filter_node(node: &FilterNode) -> Value {
    match node {
        FilterNode::Clause {
            text,
            property,
            actual,
            held,
        } => json!({
            "clause": text,
            "property": property,
            "value": property_value(actual),
            "held": held,
        }),
        FilterNode::Not { inner, held } => json!({
            "operator": "-not",
            "held": held,
            "operands": [filter_node(inner)],
        }),
        FilterNode::And { operands, held } => json!({
            "operator": "-and",
            "held": held,
            "operands": operands.iter().map(filter_node).collect::<Vec<_>>(),
        }),
        FilterNode::Or { operands, held } => json!({
            "operator": "-or",
            "held": held,
            "operands": operands.iter().map(filter_node).collect::<Vec<_>>(),
        }),
    }
}

fn property_value(value: &PropertyValue) -> Value {
    match value {
        PropertyValue::Null => Value::Null,
        PropertyValue::Bool(flag) => json!(flag),
        PropertyValue::Number(number) => json!(number),
        PropertyValue::Text(text) => json!(&**text),
        PropertyValue::List(items) => json!(items.iter().map(|i| &**i).collect::<Vec<_>>()),
    }
}

fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Require => "require",
        Verdict::Forbid => "forbid",
    }
}

fn verdicts(resolution: &Resolution) -> Value {
    let mut map = Map::new();
    for scalar in &resolution.scalars {
        map.insert(scalar.property.into(), scalar_verdicts(resolution, scalar));
    }
    for logon in LogonType::ALL {
        let actions = &resolution.lists[logon.index()];
        if actions.is_empty() {
            continue;
        }
        map.insert(
            logon.property().into(),
            json!({
                "managed_defaults": resolution.managed_defaults[logon.index()],
                "actions": actions.iter().map(|action| action_verdicts(resolution, action)).collect::<Vec<_>>(),
            }),
        );
    }
    Value::Object(map)
}

fn scalar_verdicts(resolution: &Resolution, scalar: &ScalarVerdicts) -> Value {
    let vote = |(policy, priority, value): &(usize, i64, String)| {
        let mut entry = match resolution.policies.get(*policy) {
            Some((reference, _)) => self::policy(reference, *priority),
            None => Map::new(),
        };
        entry.insert("value".into(), scalar_value(scalar.property, value));
        Value::Object(entry)
    };
    json!({
        "value": scalar.winning_vote().map(|(_, _, value)| scalar_value(scalar.property, value)),
        "conflict": scalar.winner.is_none(),
        "decided_by": scalar.winning_vote().map(vote),
        "overrides": scalar.overridden().map(vote).collect::<Vec<_>>(),
        "votes": scalar.votes.iter().map(vote).collect::<Vec<_>>(),
    })
}

/// AuditEnabled as a JSON boolean; AuditLogAgeLimit as its TimeSpan text, as in the plan.
fn scalar_value(property: &str, value: &str) -> Value {
    match (property, value) {
        ("AuditEnabled", "true") => Value::Bool(true),
        ("AuditEnabled", "false") => Value::Bool(false),
        _ => json!(value),
    }
}

fn action_verdicts(resolution: &Resolution, action: &ActionVerdicts) -> Value {
    let vote = |vote: &crate::explain::Vote| {
        let mut entry = match resolution.policies.get(vote.policy) {
            Some((reference, _)) => policy(reference, vote.priority),
            None => Map::new(),
        };
        entry.insert("verdict".into(), json!(verdict(vote.verdict)));
        entry.insert("said_by".into(), json!(vote.said_by));
        Value::Object(entry)
    };
    let (decided, conflict) = match action.decision {
        Decision::Won { verdict: v, .. } => (Some(verdict(v)), false),
        Decision::Disputed { .. } => (None, true),
    };
    json!({
        "action": action.is_one_action().then(|| action.name()),
        "verdict": decided,
        "conflict": conflict,
        "decided_by": action.winner().map(vote),
        "overrides": action.overridden().map(vote).collect::<Vec<_>>(),
        "votes": action.votes.iter().map(vote).collect::<Vec<_>>(),
        "keeps_managed_defaults": action.keeps_defaults,
    })
}

fn outcome(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::NotSelected => json!({ "outcome": "not_selected" }),
        Outcome::Unchanged => json!({ "outcome": "unchanged" }),
        Outcome::Change(change) => json!({
            "outcome": "change",
            "change": mailbox_document(change),
        }),
        Outcome::Skipped(skipped) => json!({
            "outcome": "skipped",
            "skipped": skipped_document(skipped),
        }),
        Outcome::Conflict(conflicts) => json!({
            "outcome": "conflict",
            "conflicts": conflicts.iter().map(|conflict| json!({
                "property": conflict.property,
                "actions": conflict.actions,
                "first": Value::Object(policy(&conflict.first, conflict.priority)),
                "first_says": conflict.first_says,
                "second": Value::Object(policy(&conflict.second, conflict.priority)),
                "second_says": conflict.second_says,
            })).collect::<Vec<_>>(),
        }),
    }
}

fn sample(sample: &Sample) -> Value {
    json!({
        "count": sample.count,
        "first": sample.first.iter().map(subject).collect::<Vec<_>>(),
    })
}

fn subject(subject: &Subject) -> Value {
    json!({
        "id": subject.id(),
        "identity": subject.identity(),
        "display_name": subject.display_name(),
        "address": subject.address(),
    })
}
