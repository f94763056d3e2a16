//! The `PolicyTest` document's types, read from their nodes.

use super::{At, FromYaml, Path, Refusal, Scalar};
use crate::catalog;
use crate::english::Echo;
use crate::model::LogonType;
use crate::policy::load::yaml::Value;
use crate::policy::schema::checked::did_you_mean;
use crate::policy::schema::testing::{
    CaseSpec, ExpectationSpec, ExpectedListSpec, ExpectedSettingsSpec, MailboxSpec, SkipCode,
    TestSpec, AUDIT_PROPERTIES, OUTCOME_KEYS, SETTINGS_KEYS,
};
use crate::policy::schema::{PolicyAction, PolicyName};

impl FromYaml for TestSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["cases"])?;
        let cases: Vec<CaseSpec> = fields.required("cases")?;
        if cases.is_empty() {
            return Err(Refusal::new(
                at.mark(),
                "the test has no cases",
                Some("add a case under `cases`, with `name`, `mailboxes` and `expect`".to_string()),
            ));
        }
        Ok(TestSpec { cases })
    }
}

impl FromYaml for CaseSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["name", "mailboxes", "expect"])?;
        let mailboxes: Vec<MailboxSpec> = fields.required("mailboxes")?;
        if mailboxes.is_empty() {
            return Err(Refusal::new(
                at.mark(),
                format!("the case{} gives no mailbox", at.path.within()),
                Some("give at least one mailbox, with the properties the case needs".to_string()),
            ));
        }
        Ok(CaseSpec {
            name: fields.required("name")?,
            mailboxes,
            expect: fields.required::<Expectations>("expect")?.0,
        })
    }
}

/// `expect`: a mapping from a mailbox's name to what must become of it.
struct Expectations(Vec<(String, ExpectationSpec)>);

impl FromYaml for Expectations {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let Value::Mapping(entries) = &at.node.value else {
            return Err(at.wrong_type("a mapping from a mailbox's name to what must become of it"));
        };
        if entries.is_empty() {
            return Err(Refusal::new(
                at.mark(),
                format!("`{}` expects nothing", at.path),
                Some("name a mailbox of the case and what must become of it".to_string()),
            ));
        }
        let mut expectations = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = At {
                node: key,
                path: at.path,
            }
            .text("a mailbox's name")?
            .to_string();
            if expectations.iter().any(|(seen, _)| seen == &name) {
                return Err(Refusal::new(
                    key.mark,
                    format!("`{}` is expected twice", Echo(&name)),
                    Some("say everything expected of a mailbox in one place".to_string()),
                ));
            }
            let path = Path::Key(at.path, &name);
            let expectation = ExpectationSpec::from_yaml(At {
                node: value,
                path: &path,
            })?;
            expectations.push((name, expectation));
        }
        Ok(Expectations(expectations))
    }
}

/// Settings by their Get-Mailbox names, or exactly one outcome key.
impl FromYaml for ExpectationSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        const KEYS: [&str; 9] = [
            "AuditEnabled",
            "AuditLogAgeLimit",
            "AuditAdmin",
            "AuditDelegate",
            "AuditOwner",
            "DefaultAuditSet",
            "noChange",
            "skipped",
            "conflict",
        ];
        let fields = at.mapping(&KEYS)?;
        let given: Vec<(&str, &crate::policy::load::yaml::Node)> = fields
            .in_order()
            .map(|(key, node, _)| (key, node))
            .collect();
        let outcomes: Vec<_> = given
            .iter()
            .filter(|(key, _)| OUTCOME_KEYS.contains(key))
            .collect();
        let settings = given.iter().any(|(key, _)| SETTINGS_KEYS.contains(key));
        let one_outcome = "expect either settings (AuditOwner, AuditEnabled, ...) or one of `noChange`, `skipped`, `conflict`";
        match (outcomes.as_slice(), settings) {
            ([], false) => Err(Refusal::new(
                at.mark(),
                format!("`{}` expects nothing", at.path),
                Some(one_outcome.to_string()),
            )),
            ([(key, node)], true) | ([_, (key, node), ..], _) => Err(Refusal::new(
                node.mark,
                format!("`{key}` can't stand beside other expectations of one mailbox"),
                Some(one_outcome.to_string()),
            )),
            ([(key, _)], false) => match *key {
                "noChange" => match fields.required::<bool>("noChange")? {
                    true => Ok(ExpectationSpec::NoChange),
                    false => Err(Refusal::new(
                        at.mark(),
                        "`noChange: false` says nothing a case can check",
                        Some("expect the settings the plan leads to instead".to_string()),
                    )),
                },
                "skipped" => Ok(ExpectationSpec::Skipped(fields.required("skipped")?)),
                _ => {
                    let names: Vec<PolicyName> = fields.required("conflict")?;
                    if names.len() < 2 {
                        return Err(Refusal::new(
                            at.mark(),
                            "a conflict is between two policies or more",
                            Some(
                                "name the policies that disagree, as `conflict: [a, b]`"
                                    .to_string(),
                            ),
                        ));
                    }
                    Ok(ExpectationSpec::Conflict(names))
                }
            },
            ([], true) => {
                let mut lists: [Option<ExpectedListSpec>; 3] = Default::default();
                lists[LogonType::Admin.index()] = list(&fields, "AuditAdmin", LogonType::Admin)?;
                lists[LogonType::Delegate.index()] =
                    list(&fields, "AuditDelegate", LogonType::Delegate)?;
                lists[LogonType::Owner.index()] = list(&fields, "AuditOwner", LogonType::Owner)?;
                Ok(ExpectationSpec::Settings(ExpectedSettingsSpec {
                    audit_enabled: fields.optional("AuditEnabled")?,
                    audit_log_age_limit: fields.optional("AuditLogAgeLimit")?,
                    lists,
                    default_audit_set: fields
                        .optional::<Vec<LogonTypeName>>("DefaultAuditSet")?
                        .map(|names| names.into_iter().map(|name| name.0).collect()),
                }))
            }
        }
    }
}

fn list(
    fields: &super::Fields<'_>,
    key: &'static str,
    logon: LogonType,
) -> Result<Option<ExpectedListSpec>, Refusal> {
    let Some((_, _, value)) = fields.in_order().find(|(name, ..)| *name == key) else {
        return Ok(None);
    };
    let path = Path::Key(fields.path(), key);
    let at = At {
        node: value,
        path: &path,
    };
    let names = |at: At<'_>| -> Result<Vec<PolicyAction>, Refusal> {
        if at.is_null() {
            return Ok(Vec::new());
        }
        if let Some(Scalar::Text(text)) = at.scalar()? {
            if text.eq_ignore_ascii_case("None") {
                return Ok(Vec::new());
            }
        }
        let items = at.sequence("a list of action names")?;
        let mut actions = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = Path::Index(at.path, index);
            let item_at = At {
                node: item,
                path: &item_path,
            };
            let text = item_at.text("an action name")?;
            actions.push(expected_action(item_at, text, logon)?);
        }
        Ok(actions)
    };
    match &value.value {
        Value::Mapping(_) => {
            let parts = at.mapping(&["includes", "excludes"])?;
            let read = |key: &'static str| -> Result<Vec<PolicyAction>, Refusal> {
                match parts.in_order().find(|(name, ..)| *name == key) {
                    Some((_, _, node)) => {
                        let part_path = Path::Key(at.path, key);
                        names(At {
                            node,
                            path: &part_path,
                        })
                    }
                    None => Ok(Vec::new()),
                }
            };
            let (includes, excludes) = (read("includes")?, read("excludes")?);
            if includes.is_empty() && excludes.is_empty() {
                return Err(Refusal::new(
                    at.mark(),
                    format!("`{}` expects nothing", at.path),
                    Some("list actions under `includes` and/or `excludes`".to_string()),
                ));
            }
            Ok(Some(ExpectedListSpec::Partly { includes, excludes }))
        }
        _ => Ok(Some(ExpectedListSpec::Exactly(names(at)?))),
    }
}

/// An action an expectation names: one the catalog knows for this logon type, or a name it
/// does not have, which the policy set must declare. A deprecated action may still be on a
/// mailbox, so it may be expected (or expected gone). A name that no declaration answers to is
/// refused when the tests are built (`commands::test_cases`), with "did you mean", since a
/// typo under `excludes` would always hold.
fn expected_action(at: At<'_>, text: &str, logon: LogonType) -> Result<PolicyAction, Refusal> {
    match catalog::check(text, logon) {
        Ok(action) => Ok(PolicyAction::Known(action)),
        Err(catalog::Rejection::Deprecated { action, .. }) => Ok(PolicyAction::Known(action)),
        Err(catalog::Rejection::Unknown { .. }) => {
            Ok(PolicyAction::Declared(text.trim().to_string()))
        }
        Err(rejection) => Err(Refusal::new(
            at.mark(),
            rejection.to_string(),
            Some(format!(
                "{logon} actions are {}",
                catalog::valid_actions(logon).names().join(", ")
            )),
        )),
    }
}

/// `Admin`, `Delegate` or `Owner`, for DefaultAuditSet.
struct LogonTypeName(LogonType);

impl FromYaml for LogonTypeName {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let text = at.text("a logon type")?;
        LogonType::parse(text).map(LogonTypeName).ok_or_else(|| {
            let names = LogonType::ALL.map(LogonType::name);
            Refusal::new(
                at.mark(),
                format!(
                    "unknown logon type `{}`{}",
                    Echo(text),
                    did_you_mean(catalog::closest(text, names))
                ),
                Some("DefaultAuditSet holds `Admin`, `Delegate` and `Owner`".to_string()),
            )
        })
    }
}

impl FromYaml for SkipCode {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let text = at.text("a skip reason code")?;
        SkipCode::ALL
            .into_iter()
            .find(|code| code.name() == text)
            .ok_or_else(|| {
                let names = SkipCode::ALL.map(SkipCode::name);
                Refusal::new(
                    at.mark(),
                    format!(
                        "unknown skip reason `{}`{}",
                        Echo(text),
                        did_you_mean(catalog::closest(text, names))
                    ),
                    Some(
                        "the reasons are `fixed_configuration` (a Microsoft 365 Group mailbox) and `licence_required` (an E5 action without Audit (Premium))"
                            .to_string(),
                    ),
                )
            })
    }
}

/// A mailbox: any Get-Mailbox properties, kept as JSON for the state reader, which knows what
/// each means. A key close to an audit property but not it is refused as a likely typo.
impl FromYaml for MailboxSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let Value::Mapping(entries) = &at.node.value else {
            return Err(at.wrong_type("a mapping of Get-Mailbox properties"));
        };
        let mut properties = serde_json::Map::new();
        for (key, value) in entries {
            let name = At {
                node: key,
                path: at.path,
            }
            .text("a property name")?;
            if properties
                .keys()
                .any(|seen: &String| seen.eq_ignore_ascii_case(name))
            {
                return Err(Refusal::new(
                    key.mark,
                    format!("property `{}` is given twice", Echo(name)),
                    None,
                ));
            }
            let near_miss = AUDIT_PROPERTIES.iter().copied().find(|known| {
                !known.eq_ignore_ascii_case(name)
                    && strsim::jaro_winkler(&known.to_ascii_lowercase(), &name.to_ascii_lowercase())
                        >= 0.9
            });
            if let Some(known) = near_miss {
                return Err(Refusal::new(
                    key.mark,
                    format!("property `{}`: did you mean `{known}`?", Echo(name)),
                    Some("audit properties are named as Get-Mailbox names them".to_string()),
                ));
            }
            let path = Path::Key(at.path, name);
            let json = json(At {
                node: value,
                path: &path,
            })?;
            properties.insert(name.to_string(), json);
        }
        Ok(MailboxSpec { properties })
    }
}

/// A YAML node as the JSON that a Get-Mailbox export would hold.
fn json(at: At<'_>) -> Result<serde_json::Value, Refusal> {
    use serde_json::Value as Json;
    match &at.node.value {
        Value::Scalar { text, .. } => Ok(match at.scalar()? {
            Some(Scalar::Null) | None => Json::Null,
            Some(Scalar::Bool(flag)) => Json::Bool(flag),
            Some(Scalar::Int(number)) => Json::from(number),
            Some(Scalar::Float) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| Json::String(text.clone()), Json::Number),
            Some(Scalar::Text(text)) => Json::String(text.to_string()),
        }),
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let path = Path::Index(at.path, index);
                json(At {
                    node: item,
                    path: &path,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array),
        Value::Mapping(entries) => {
            let mut map = serde_json::Map::new();
            for (key, value) in entries {
                let name = At {
                    node: key,
                    path: at.path,
                }
                .text("a key")?;
                let path = Path::Key(at.path, name);
                map.insert(
                    name.to_string(),
                    json(At {
                        node: value,
                        path: &path,
                    })?,
                );
            }
            Ok(Json::Object(map))
        }
    }
}
