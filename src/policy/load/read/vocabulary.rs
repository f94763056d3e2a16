//! Each type of the policy format, read from its node.

use super::{At, FromYaml, Path, Refusal, Scalar};
use crate::english::Echo;
use crate::policy::load::yaml::{Mark, Node, Value};
use crate::policy::schema::{
    ActionDeclarationSpec, ApiVersion, AuditSettingsSpec, BypassPolicySpec, DeclaredName, Document,
    ExcludeSpec, FilterText, Invalid, Kind, Licence, LogAgeLimit, LogonListSpec, LogonMarker,
    LogonTypeName, MailboxPolicySpec, MatchGlobs, Metadata, OrganizationPolicySpec, PolicyAction,
    PolicyDocument, PolicyName, RecipientTypeName, SelectorSpec, Spec, TestDocument,
    LOGON_LIST_KEYS,
};

const DOCUMENT_KEYS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// A document: its header first (`apiVersion`, `kind`), so that a wrong kind is named before
/// keys that only that kind would know, then the rest as its kind reads it.
impl FromYaml for Document {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        if !matches!(at.node.value, Value::Mapping(_)) {
            return Err(Refusal::new(
                at.mark(),
                format!("a policy document is a mapping, not a {}", at.found()),
                Some("start it with `apiVersion: auditform/v1` and `kind: ...`".to_string()),
            ));
        }
        let fields = at.fields(DOCUMENT_KEYS)?;
        fields.required::<ApiVersion>("apiVersion")?;
        let kind: Kind = fields.required("kind")?;
        fields.refuse_unknown(Some(super::valid_keys_hint(at.path, DOCUMENT_KEYS)))?;
        let metadata = fields.required("metadata")?;
        let spec = match kind {
            Kind::MailboxAuditPolicy => Spec::Mailbox(fields.required("spec")?),
            Kind::OrganizationAuditPolicy => Spec::Organization(fields.required("spec")?),
            Kind::AuditBypassPolicy => Spec::Bypass(fields.required("spec")?),
            Kind::AuditActionDeclaration => Spec::Declaration(fields.required("spec")?),
            Kind::PolicyTest => {
                let spec = fields.required("spec")?;
                return Ok(Document::Test(TestDocument { metadata, spec }));
            }
        };
        Ok(Document::Policy(Box::new(PolicyDocument {
            metadata,
            spec,
        })))
    }
}

impl FromYaml for ApiVersion {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("an apiVersion")
    }
}

impl FromYaml for Kind {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("a policy kind")
    }
}

impl FromYaml for PolicyName {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("a policy name")
    }
}

impl FromYaml for LogAgeLimit {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("a number of days or a TimeSpan")
    }
}

impl FromYaml for RecipientTypeName {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("a RecipientTypeDetails value")
    }
}

impl FromYaml for Licence {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("`E5` or `nonE5`")
    }
}

impl FromYaml for FilterText {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("an OPATH filter")
    }
}

/// The globs, refused at the first one that does not compile.
impl FromYaml for MatchGlobs {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let patterns: Vec<String> = FromYaml::from_yaml(at)?;
        let items = at.sequence("a list of globs")?;
        MatchGlobs::try_from(patterns.clone()).map_err(|invalid| {
            let culprit = patterns
                .iter()
                .position(|pattern| MatchGlobs::try_from(vec![pattern.clone()]).is_err())
                .and_then(|index| items.get(index));
            match culprit {
                Some(item) => At {
                    node: item,
                    path: at.path,
                }
                .refuse(invalid),
                None => at.refuse(invalid),
            }
        })
    }
}

impl FromYaml for Metadata {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["name", "description"])?;
        Ok(Metadata {
            name: fields.required("name")?,
            description: fields.optional("description")?,
        })
    }
}

impl FromYaml for MailboxPolicySpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["priority", "selector", "audit"])?;
        Ok(MailboxPolicySpec {
            priority: fields.optional("priority")?.unwrap_or_default(),
            selector: fields.required("selector")?,
            audit: fields.required("audit")?,
        })
    }
}

impl FromYaml for OrganizationPolicySpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["priority", "auditDisabled"])?;
        Ok(OrganizationPolicySpec {
            priority: fields.optional("priority")?.unwrap_or_default(),
            audit_disabled: fields.required("auditDisabled")?,
        })
    }
}

impl FromYaml for BypassPolicySpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["priority", "selector", "bypass"])?;
        Ok(BypassPolicySpec {
            priority: fields.optional("priority")?.unwrap_or_default(),
            selector: fields.required("selector")?,
            bypass: fields.required("bypass")?,
        })
    }
}

impl FromYaml for ActionDeclarationSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&["action", "logonTypes", "defaultFor"])?;
        Ok(ActionDeclarationSpec {
            action: fields.required("action")?,
            logon_types: fields.required("logonTypes")?,
            default_for: fields.optional("defaultFor")?.unwrap_or_default(),
        })
    }
}

impl FromYaml for DeclaredName {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("an action name")
    }
}

impl FromYaml for LogonTypeName {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.checked("a logon type: `Admin`, `Delegate` or `Owner`")
    }
}

impl FromYaml for SelectorSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&[
            "recipientTypeDetails",
            "identities",
            "match",
            "filter",
            "licence",
            "exclude",
        ])?;
        Ok(SelectorSpec {
            recipient_type_details: fields.optional("recipientTypeDetails")?,
            identities: fields.optional("identities")?,
            match_globs: fields.optional("match")?,
            filter: fields.optional("filter")?,
            licence: fields.optional("licence")?,
            exclude: fields.optional("exclude")?,
        })
    }
}

impl FromYaml for ExcludeSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&[
            "recipientTypeDetails",
            "identities",
            "match",
            "filter",
            "licence",
        ])?;
        Ok(ExcludeSpec {
            recipient_type_details: fields.optional("recipientTypeDetails")?,
            identities: fields.optional("identities")?,
            match_globs: fields.optional("match")?,
            filter: fields.optional("filter")?,
            licence: fields.optional("licence")?,
        })
    }
}

impl FromYaml for AuditSettingsSpec {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let fields = at.mapping(&[
            "enabled",
            "logAgeLimit",
            "allowPurge",
            "owner",
            "admin",
            "delegate",
        ])?;
        Ok(AuditSettingsSpec {
            enabled: fields.optional("enabled")?,
            log_age_limit: fields.optional("logAgeLimit")?,
            allow_purge: fields.optional("allowPurge")?.unwrap_or_default(),
            owner: fields.optional("owner")?,
            admin: fields.optional("admin")?,
            delegate: fields.optional("delegate")?,
        })
    }
}

fn logon_list_hint() -> Option<String> {
    Some("write `default`, or a mapping with `add` and/or `remove`, or with `exactly`".to_string())
}

/// `default`, or a mapping of `add` and/or `remove`, or of `exactly`. The mapping is read in
/// the order written, so that of two keys that can't stand together the second is refused.
impl<L: LogonMarker> FromYaml for LogonListSpec<L> {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        let logon = L::LOGON;
        match (&at.node.value, at.scalar()?) {
            (_, Some(Scalar::Text(text))) if text.eq_ignore_ascii_case("default") => {
                Ok(LogonListSpec::default_list())
            }
            (_, Some(Scalar::Text(text))) => Err(Refusal::new(
                at.mark(),
                format!("`{}` is not a list specification for {logon}", Echo(text)),
                logon_list_hint(),
            )),
            (Value::Sequence(_), _) => Err(Refusal::new(
                at.mark(),
                format!("a bare list is ambiguous for {logon}"),
                Some(
                    "write `exactly: [...]` to replace the list, or `add: [...]` to extend it"
                        .to_string(),
                ),
            )),
            (Value::Mapping(_), _) => read_lists::<L>(at),
            _ => Err(at.wrong_type("`default` or a mapping with `add`, `remove` or `exactly`")),
        }
    }
}

fn read_lists<L: LogonMarker>(at: At<'_>) -> Result<LogonListSpec<L>, Refusal> {
    let logon = L::LOGON;
    let fields = at.fields(&LOGON_LIST_KEYS)?;
    fields.refuse_unknown(logon_list_hint())?;
    // Each list as read, with its key, in the order written.
    let mut lists: Vec<(&'static str, Vec<PolicyAction>)> = Vec::new();
    for (key, key_node, value) in fields.in_order() {
        let key = LOGON_LIST_KEYS
            .into_iter()
            .find(|known| *known == key)
            .unwrap_or("exactly");
        let exclusive = lists.iter().find_map(|(seen, _)| {
            let clash = (key == "exactly") != (*seen == "exactly");
            clash.then_some(*seen)
        });
        if let Some(other) = exclusive {
            return Err(Refusal::new(
                key_node.mark,
                format!("`{key}` can't be combined with `{other}`"),
                Some(
                    "`exactly` replaces the whole list; use either `exactly`, or `add` and `remove`"
                        .to_string(),
                ),
            ));
        }
        let path = Path::Key(at.path, key);
        let value_at = At {
            node: value,
            path: &path,
        };
        let other = lists
            .first()
            .map(|(name, actions)| (*name, actions.as_slice()));
        let actions = action_names::<L>(value_at, key, other)?;
        lists.push((key, actions));
    }
    let take = |wanted: &str| {
        lists
            .iter()
            .find(|(key, _)| *key == wanted)
            .map(|(_, actions)| actions.clone())
    };
    match (take("add"), take("remove"), take("exactly")) {
        (None, None, None) => Err(Refusal::new(
            at.mark(),
            format!("the {logon} list names no change"),
            logon_list_hint(),
        )),
        (None, None, Some(exactly)) => Ok(LogonListSpec::Exactly(exactly)),
        (add, remove, _) => Ok(LogonListSpec::Change {
            add: add.unwrap_or_default(),
            remove: remove.unwrap_or_default(),
        }),
    }
}

/// An action list (or a single action, or the word `None`, or nothing) for one logon type.
/// `other` is the list read before it in the same mapping, which must not share an action.
fn action_names<L: LogonMarker>(
    at: At<'_>,
    key: &'static str,
    other: Option<(&'static str, &[PolicyAction])>,
) -> Result<Vec<PolicyAction>, Refusal> {
    let logon = L::LOGON;
    let check = |node: &Node, text: &str| -> Result<PolicyAction, Refusal> {
        let action = LogonListSpec::<L>::action(text).map_err(|invalid| refuse(node, invalid))?;
        if let Some((other_key, others)) = other {
            if others.iter().any(|other| other.same_as(&action)) {
                return Err(Refusal::new(
                    node.mark,
                    format!("{action} is in both `{other_key}` and `{key}` of {logon}"),
                    Some(
                        "an action is either required (`add`) or forbidden (`remove`); keep it in one"
                            .to_string(),
                    ),
                ));
            }
        }
        Ok(action)
    };
    match at.scalar()? {
        Some(Scalar::Null) => return Ok(Vec::new()),
        Some(Scalar::Text(text)) if text.eq_ignore_ascii_case("None") => return Ok(Vec::new()),
        Some(Scalar::Text(text)) => return check(at.node, text).map(|action| vec![action]),
        Some(_) | None => {}
    }
    let expected = format!("a list of {logon} actions");
    let items = at.sequence(&expected)?;
    let mut actions: Vec<PolicyAction> = Vec::new();
    let mut none_at: Option<Mark> = None;
    for (index, item) in items.iter().enumerate() {
        let path = Path::Index(at.path, index);
        let item_at = At {
            node: item,
            path: &path,
        };
        let text = item_at.text("an action name")?;
        if text.eq_ignore_ascii_case("None") {
            if let Some(first) = actions.first() {
                return Err(none_mixed(item.mark, first));
            }
            none_at = Some(item.mark);
            continue;
        }
        let action = check(item, text)?;
        if none_at.is_some() {
            return Err(none_mixed(item.mark, &action));
        }
        actions.push(action);
    }
    Ok(actions)
}

fn refuse(node: &Node, invalid: Invalid) -> Refusal {
    At {
        node,
        path: &Path::Root,
    }
    .refuse(invalid)
}

fn none_mixed(mark: Mark, action: &PolicyAction) -> Refusal {
    Refusal::new(
        mark,
        format!("`None` means an empty list, so it can't stand beside {action}"),
        Some("remove `None`, or write `[]` for an empty list".to_string()),
    )
}
