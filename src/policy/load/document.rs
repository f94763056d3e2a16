//! One policy document: read it as the format's types, check what spans several fields, and
//! turn it into the policy types. Every node of the document knows where it was written, so
//! a refusal, a warning and each policy's own reference point into the file.

use super::read::{At, FromYaml, Inside, Path, Refusal};
use super::yaml::{self, Chunk, Node, ScalarStyle, Step, TreeError, Value};
use super::Collector;
use crate::catalog::{ActionList, DeclaredAction, Support};
use crate::diagnostic::{Diagnostic, SourceLocation};
use crate::model::LogonType;
use crate::policy::schema::{
    self, ActionDeclarationSpec, AuditSettingsSpec, Document, ExcludeSpec, LogonListSpec,
    PolicyAction, PolicyDocument, SelectorSpec, Spec, TestDocument,
};
use crate::policy::{
    AuditSpec, BypassPolicy, ListSpec, MailboxPolicy, OrganizationPolicy, PolicyRef, PolicyTest,
    Selector, TestCaseSpec,
};
use std::sync::Arc;

/// Where a document's nodes are: the file and the chunk of it the document was parsed from.
pub(super) struct Place<'a> {
    pub file: &'a Arc<str>,
    pub chunk: &'a Chunk<'a>,
}

impl Place<'_> {
    fn at(&self, mark: yaml::Mark) -> SourceLocation {
        let (line, column) = self.chunk.place(mark);
        SourceLocation {
            file: Arc::clone(self.file),
            line,
            column,
        }
    }

    /// Where the node at `path` under `root` was written.
    fn locate(&self, root: &Node, path: &[Step<'_>]) -> Option<SourceLocation> {
        yaml::find(root, path).map(|node| self.at(node.mark))
    }

    /// A refusal as a diagnostic, pointing into the scalar when the refusal names a place
    /// inside its value and that place is on the scalar's first line.
    pub fn refusal(&self, refusal: Refusal) -> Diagnostic {
        let mut location = self.at(refusal.mark);
        if let Some(inside) = refusal.inside {
            location.column +=
                columns_into(self.chunk.text, refusal.mark.index, inside).unwrap_or(0);
        }
        Diagnostic::error(refusal.message)
            .at(location)
            .with_hint_maybe(refusal.hint)
    }

    /// Why the text is not a readable YAML document.
    pub fn tree_error(&self, error: &TreeError) -> Diagnostic {
        let location = self.at(error.mark());
        let nesting = "a policy needs only a few levels of nesting";
        let diagnostic = match error {
            TreeError::Syntax(syntax) => {
                let context = syntax
                    .context
                    .as_ref()
                    .map(|context| format!(", {context}"))
                    .unwrap_or_default();
                Diagnostic::error(format!("invalid YAML: {}{context}", syntax.problem))
            }
            TreeError::TooDeep(_) => {
                Diagnostic::error("the YAML is nested too deeply").with_hint(nesting)
            }
            TreeError::TooManyAliases(_) => {
                Diagnostic::error("the YAML expands aliases too many times").with_hint(
                    "aliases (`*name`) may repeat a node only a few times; write the values out",
                )
            }
            TreeError::UnknownAnchor { anchor, .. } => Diagnostic::error(format!(
                "the alias `*{}` names no anchor before it",
                crate::english::Echo(anchor)
            ))
            .with_hint(format!(
                "an alias repeats the node marked `&{}` earlier in the same document",
                crate::english::Echo(anchor)
            )),
        };
        diagnostic.at(location)
    }
}

/// Columns from a scalar's start to a place inside its value, when that place is on the
/// scalar's first line: past an opening quote, and not for block scalars.
fn columns_into(text: &str, scalar_start: usize, inside: Inside) -> Option<usize> {
    let Inside { offset, style } = inside;
    let opening = match style {
        ScalarStyle::Plain => 0,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => 1,
        ScalarStyle::Literal | ScalarStyle::Folded => return None,
    };
    let line = text.get(scalar_start..)?.split(['\n', '\r']).next()?;
    (line.chars().count() >= opening + offset).then_some(opening + offset)
}

/// Loads one document into the collector. An empty document is skipped; a refused one is
/// recorded as an error.
pub(super) fn load(collector: &mut Collector, place: &Place<'_>, root: &Node) {
    if matches!(&root.value, Value::Scalar { text, style: ScalarStyle::Plain } if text.is_empty() || text == "~" || text.eq_ignore_ascii_case("null"))
    {
        return;
    }
    let document = match Document::from_yaml(At {
        node: root,
        path: &Path::Root,
    }) {
        Ok(document) => document,
        Err(refusal) => {
            collector.errors.push(place.refusal(refusal));
            return;
        }
    };
    match document {
        Document::Policy(document) => add(collector, place, root, *document),
        Document::Test(document) => add_test(collector, place, root, document),
    }
}

/// Adds a test document, with where each case, mailbox and expectation was written.
fn add_test(collector: &mut Collector, place: &Place<'_>, root: &Node, document: TestDocument) {
    let source = place
        .locate(root, &[Step::Key("metadata"), Step::Key("name")])
        .unwrap_or_else(|| place.at(root.mark));
    let name: Arc<str> = document.metadata.name.as_str().into();
    if collector.claim_name(&name, &source).is_err() {
        return;
    }
    let cases = document
        .spec
        .cases
        .into_iter()
        .enumerate()
        .map(|(index, case)| {
            let at_case = [Step::Key("spec"), Step::Key("cases"), Step::Index(index)];
            let locate = |rest: &[Step<'_>]| {
                let path: Vec<Step<'_>> = at_case.iter().chain(rest).copied().collect();
                place.locate(root, &path).unwrap_or_else(|| source.clone())
            };
            TestCaseSpec {
                source: locate(&[Step::Key("name")]),
                mailboxes: case
                    .mailboxes
                    .into_iter()
                    .enumerate()
                    .map(|(number, mailbox)| {
                        let at = locate(&[Step::Key("mailboxes"), Step::Index(number)]);
                        (at, mailbox.properties)
                    })
                    .collect(),
                expect: case
                    .expect
                    .into_iter()
                    .map(|(mailbox, expected)| {
                        let at = locate(&[Step::Key("expect"), Step::Key(&mailbox)]);
                        (mailbox, at, expected)
                    })
                    .collect(),
                name: case.name,
            }
        })
        .collect();
    collector.tests.push(PolicyTest {
        reference: PolicyRef { name, source },
        description: document.metadata.description,
        cases,
    });
}

/// Checks what spans several fields and adds the policy, or records why it was refused.
fn add(collector: &mut Collector, place: &Place<'_>, root: &Node, document: PolicyDocument) {
    let source = place
        .locate(root, &[Step::Key("metadata"), Step::Key("name")])
        .unwrap_or_else(|| place.at(root.mark));
    let name: Arc<str> = document.metadata.name.as_str().into();
    let description = document.metadata.description;
    if let Spec::Mailbox(spec) = &document.spec {
        if let Some(refusal) = purge_refusal(place, root, &spec.audit) {
            collector.errors.push(refusal);
            return;
        }
    }
    // A duplicate name is recorded by the collector.
    if collector.claim_name(&name, &source).is_err() {
        return;
    }
    let reference = PolicyRef { name, source };
    match document.spec {
        Spec::Mailbox(spec) => {
            collector
                .warnings
                .extend(redundancy_warnings(place, root, &spec.audit));
            collector
                .pending
                .extend(declared_names(place, root, &spec.audit));
            collector.policies.mailbox.push(MailboxPolicy {
                reference,
                description,
                priority: spec.priority,
                selector: selector(spec.selector),
                audit: audit(spec.audit),
            });
        }
        Spec::Organization(spec) => {
            collector.policies.organization.push(OrganizationPolicy {
                reference,
                description,
                priority: spec.priority,
                audit_disabled: Some(spec.audit_disabled),
            });
        }
        Spec::Bypass(spec) => {
            collector.policies.bypass.push(BypassPolicy {
                reference,
                description,
                priority: spec.priority,
                selector: selector(spec.selector),
                bypass: spec.bypass,
            });
        }
        Spec::Declaration(spec) => declare(collector, place, root, spec),
    }
}

/// Adds a declared action to the policy set's catalog, or records why it can't be: a name the
/// catalog has (or nearly has), one declared twice, or logon types that don't add up.
fn declare(collector: &mut Collector, place: &Place<'_>, root: &Node, spec: ActionDeclarationSpec) {
    let spec_at = |key: &'static str| place.locate(root, &[Step::Key("spec"), Step::Key(key)]);
    let action_at = spec_at("action").unwrap_or_else(|| place.at(root.mark));
    let valid: Vec<LogonType> = spec.logon_types.iter().map(|logon| logon.0).collect();
    if let Some(stray) = spec
        .default_for
        .iter()
        .find(|logon| !valid.contains(&logon.0))
    {
        collector.errors.push(
            Diagnostic::error(format!(
                "`defaultFor` names {}, which `logonTypes` does not list",
                stray.0
            ))
            .at_maybe(spec_at("defaultFor").map(Into::into))
            .with_hint(
                "a default is audited, so the logon type must accept it: add it to `logonTypes`",
            ),
        );
        return;
    }
    let support = LogonType::ALL.map(|logon| {
        if spec.default_for.iter().any(|named| named.0 == logon) {
            Support::Default
        } else if valid.contains(&logon) {
            Support::Valid
        } else {
            Support::Rejected
        }
    });
    let declared = DeclaredAction {
        name: spec.action.0.into(),
        support,
        origin: format!("{}:{}", action_at.file, action_at.line).into(),
    };
    if let Err(error) = collector.policies.catalog.declare(declared) {
        collector.errors.push(
            Diagnostic::error(error.to_string())
                .at(action_at)
                .with_hint(error.hint()),
        );
    }
}

/// An action a policy names that the catalog does not have, and where: the loader checks it
/// against the declarations once every file is read.
pub(super) struct PendingAction {
    pub name: String,
    pub logon: LogonType,
    pub location: Option<SourceLocation>,
}

/// Every name a mailbox policy's lists give that the catalog does not have.
fn declared_names(place: &Place<'_>, root: &Node, audit: &AuditSettingsSpec) -> Vec<PendingAction> {
    let mut pending = Vec::new();
    for (key, logon, named) in named_lists(audit) {
        for (list_key, actions) in named {
            for (position, action) in actions.iter().enumerate() {
                let PolicyAction::Declared(name) = action else {
                    continue;
                };
                pending.push(PendingAction {
                    name: name.clone(),
                    logon,
                    location: entry_location(place, root, key, list_key, position),
                });
            }
        }
    }
    pending
}

/// One logon type's key, logon type and named lists (each list's key and actions).
type NamedLists<'a> = (
    &'static str,
    LogonType,
    Vec<(&'static str, &'a [PolicyAction])>,
);

/// Each logon type's key, logon type and named lists.
fn named_lists(audit: &AuditSettingsSpec) -> Vec<NamedLists<'_>> {
    vec![
        (
            "owner",
            LogonType::Owner,
            audit
                .owner
                .as_ref()
                .map(LogonListSpec::named_lists)
                .unwrap_or_default(),
        ),
        (
            "admin",
            LogonType::Admin,
            audit
                .admin
                .as_ref()
                .map(LogonListSpec::named_lists)
                .unwrap_or_default(),
        ),
        (
            "delegate",
            LogonType::Delegate,
            audit
                .delegate
                .as_ref()
                .map(LogonListSpec::named_lists)
                .unwrap_or_default(),
        ),
    ]
}

/// Where an entry of a list was written. A single action may stand without a list: then it is
/// the list's own node.
fn entry_location(
    place: &Place<'_>,
    root: &Node,
    key: &str,
    list_key: &str,
    position: usize,
) -> Option<SourceLocation> {
    let path = [
        Step::Key("spec"),
        Step::Key("audit"),
        Step::Key(key),
        Step::Key(list_key),
        Step::Index(position),
    ];
    place
        .locate(root, &path)
        .or_else(|| place.locate(root, &path[..path.len() - 1]))
}

/// A zero logAgeLimit deletes every audit record, so it must be asked for twice.
fn purge_refusal(place: &Place<'_>, root: &Node, audit: &AuditSettingsSpec) -> Option<Diagnostic> {
    match audit.log_age_limit {
        Some(limit) if limit.span().is_zero() && !audit.allow_purge => Some(
            Diagnostic::error(
                "a logAgeLimit of zero deletes every audit record on the selected mailboxes",
            )
            .at_maybe(
                place
                    .locate(
                        root,
                        &[
                            Step::Key("spec"),
                            Step::Key("audit"),
                            Step::Key("logAgeLimit"),
                        ],
                    )
                    .map(Into::into),
            )
            .with_hint("if that is really wanted, add `allowPurge: true` beside it"),
        ),
        _ => None,
    }
}

fn redundancy_warnings(
    place: &Place<'_>,
    root: &Node,
    audit: &AuditSettingsSpec,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (key, logon, named) in named_lists(audit) {
        for (list_key, actions) in named {
            for (position, action) in actions.iter().enumerate() {
                let PolicyAction::Known(action) = action else {
                    continue;
                };
                let Some(covered_by) = schema::redundancy(*action) else {
                    continue;
                };
                warnings.push(
                    Diagnostic::warning(format!(
                        "{action} is redundant for {logon}: {covered_by} already covers it"
                    ))
                    .at_maybe(entry_location(place, root, key, list_key, position).map(Into::into))
                    .with_hint(format!("audit {covered_by} instead")),
                );
            }
        }
    }
    warnings
}

fn selector(spec: SelectorSpec) -> Selector {
    let exclude = spec.exclude.map(|exclude| Box::new(excluded(exclude)));
    Selector {
        exclude,
        ..excluded(ExcludeSpec {
            recipient_type_details: spec.recipient_type_details,
            identities: spec.identities,
            match_globs: spec.match_globs,
            filter: spec.filter,
            licence: spec.licence,
        })
    }
}

fn excluded(spec: ExcludeSpec) -> Selector {
    Selector {
        recipient_types: spec
            .recipient_type_details
            .unwrap_or_default()
            .into_iter()
            .map(|name| name.0)
            .collect(),
        identities: spec.identities.unwrap_or_default(),
        match_globs: spec.match_globs.map(|globs| globs.0),
        filter: spec.filter.map(|filter| filter.filter),
        licence: spec.licence.map(|licence| licence.0),
        exclude: None,
    }
}

fn list<L>(spec: LogonListSpec<L>) -> ListSpec {
    let actions = |actions: Vec<PolicyAction>| {
        let mut list = ActionList::default();
        for action in actions {
            match action {
                PolicyAction::Known(action) => list.known.insert(action),
                PolicyAction::Declared(name) => list.insert_unknown(&name),
            }
        }
        list
    };
    match spec {
        LogonListSpec::Default(_) => ListSpec::Default,
        LogonListSpec::Change { add, remove } => ListSpec::Change {
            add: actions(add),
            remove: actions(remove),
        },
        LogonListSpec::Exactly(list) => ListSpec::Exactly(actions(list)),
    }
}

fn audit(spec: AuditSettingsSpec) -> AuditSpec {
    let mut lists: [Option<ListSpec>; 3] = Default::default();
    lists[LogonType::Owner.index()] = spec.owner.map(list);
    lists[LogonType::Admin.index()] = spec.admin.map(list);
    lists[LogonType::Delegate.index()] = spec.delegate.map(list);
    AuditSpec {
        enabled: spec.enabled,
        log_age_limit: spec.log_age_limit.map(|limit| limit.span()),
        lists,
    }
}
