//! One policy document: read its header to learn the kind, read it whole as that kind, check
//! what spans several fields, and turn it into the policy types.

use super::yaml::{self, Chunk, Step};
use super::{Collector, Diagnostic, Severity};
use crate::model::LogonType;
use crate::policy::schema::{
    self, AuditSettingsSpec, BypassPolicySpec, Document, ExcludeSpec, Header, Kind, LogonListSpec,
    MailboxPolicySpec, OrganizationPolicySpec, SelectorSpec,
};
use crate::policy::{
    AuditSpec, BypassPolicy, ListSpec, MailboxPolicy, OrganizationPolicy, PolicyRef, Selector,
    SourceLocation,
};
use serde::Deserialize;
use std::sync::Arc;

/// A document's place: the file, the chunk of it, and the document's index in the chunk.
struct Place<'a> {
    file: &'a Arc<str>,
    chunk: &'a Chunk<'a>,
    index: usize,
}

impl Place<'_> {
    fn at(&self, (line, column): (usize, usize)) -> SourceLocation {
        SourceLocation {
            file: Arc::clone(self.file),
            line,
            column,
        }
    }

    fn locate(&self, path: &[Step<'_>]) -> Option<SourceLocation> {
        yaml::locate(self.chunk, self.index, path).map(|place| self.at(place))
    }

    fn error(
        &self,
        location: Option<SourceLocation>,
        message: String,
        hint: Option<String>,
    ) -> Diagnostic {
        Diagnostic::error(self.file, location, message, hint)
    }

    /// A deserializer error as a diagnostic, pointing into the scalar when the error gave an
    /// offset and the scalar sits on one line.
    fn deserialize_error(&self, error: &serde_yaml::Error) -> Diagnostic {
        let described = yaml::describe(error);
        let location = error.location().map(|location| {
            let (line, mut column) = self.chunk.place(&location);
            if let Some(offset) = described.offset {
                column += offset_in_line(self.chunk.text, location.index(), offset).unwrap_or(0);
            }
            self.at((line, column))
        });
        self.error(location, described.message, described.hint)
    }

    /// Reads the document afresh as `T`.
    fn read<T: for<'de> Deserialize<'de>>(&self) -> Result<T, Diagnostic> {
        let deserializer = self.chunk.document(self.index).ok_or_else(|| {
            self.error(
                None,
                "the document disappeared on a second read".to_string(),
                None,
            )
        })?;
        T::deserialize(deserializer).map_err(|error| self.deserialize_error(&error))
    }
}

/// Columns from a scalar's start to `offset` bytes into its value, when the value is on the
/// scalar's first line: past an opening quote, and not for block scalars.
fn offset_in_line(text: &str, scalar_start: usize, offset: usize) -> Option<usize> {
    let rest = text.get(scalar_start..)?;
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    let opening = match line.chars().next() {
        Some('"' | '\'') => 1,
        Some('|' | '>') => return None,
        _ => 0,
    };
    let prefix = line.get(..opening + offset)?;
    Some(prefix.chars().count())
}

/// Loads the `index`-th document of `chunk` into the collector. `Err` when the document was
/// refused (the diagnostic is already recorded).
pub(super) fn load(
    collector: &mut Collector,
    file: &Arc<str>,
    chunk: &Chunk<'_>,
    index: usize,
    deserializer: serde_yaml::Deserializer<'_>,
) -> Result<(), ()> {
    let place = Place { file, chunk, index };
    let header = match Option::<Header>::deserialize(deserializer) {
        Ok(Some(header)) => header,
        Ok(None) => return Ok(()),
        Err(error) => {
            collector.errors.push(place.deserialize_error(&error));
            return Err(());
        }
    };
    let loaded = match header.kind {
        Kind::MailboxAuditPolicy => load_mailbox(collector, &place),
        Kind::OrganizationAuditPolicy => load_organization(collector, &place),
        Kind::AuditBypassPolicy => load_bypass(collector, &place),
    };
    loaded.map_err(|diagnostic| {
        if let Some(diagnostic) = diagnostic {
            collector.errors.push(diagnostic);
        }
    })
}

/// The policy's reference, claiming its name. `Err(None)` when the name is a duplicate (the
/// collector has recorded that already).
fn reference(
    collector: &mut Collector,
    place: &Place<'_>,
    name: String,
) -> Result<PolicyRef, Option<Diagnostic>> {
    let source = place
        .locate(&[Step::Key("metadata"), Step::Key("name")])
        .unwrap_or_else(|| place.at((place.chunk.lines_before + 1, 1)));
    let name: Arc<str> = name.into();
    collector.claim_name(&name, &source).map_err(|()| None)?;
    Ok(PolicyRef { name, source })
}

fn load_mailbox(collector: &mut Collector, place: &Place<'_>) -> Result<(), Option<Diagnostic>> {
    let document: Document<MailboxPolicySpec> = place.read()?;
    let spec = document.spec;
    check_purge(place, &spec.audit)?;
    let reference = reference(collector, place, document.metadata.name.0)?;
    collector
        .warnings
        .extend(redundancy_warnings(place, &spec.audit));
    collector.policies.mailbox.push(MailboxPolicy {
        reference,
        description: document.metadata.description,
        priority: spec.priority,
        selector: selector(spec.selector),
        audit: audit(spec.audit),
    });
    Ok(())
}

fn load_organization(
    collector: &mut Collector,
    place: &Place<'_>,
) -> Result<(), Option<Diagnostic>> {
    let document: Document<OrganizationPolicySpec> = place.read()?;
    let reference = reference(collector, place, document.metadata.name.0)?;
    collector.policies.organization.push(OrganizationPolicy {
        reference,
        description: document.metadata.description,
        priority: document.spec.priority,
        audit_disabled: Some(document.spec.audit_disabled),
    });
    Ok(())
}

fn load_bypass(collector: &mut Collector, place: &Place<'_>) -> Result<(), Option<Diagnostic>> {
    let document: Document<BypassPolicySpec> = place.read()?;
    let reference = reference(collector, place, document.metadata.name.0)?;
    collector.policies.bypass.push(BypassPolicy {
        reference,
        description: document.metadata.description,
        priority: document.spec.priority,
        selector: selector(document.spec.selector),
        bypass: document.spec.bypass,
    });
    Ok(())
}

/// A zero logAgeLimit deletes every audit record, so it must be asked for twice.
fn check_purge(place: &Place<'_>, audit: &AuditSettingsSpec) -> Result<(), Diagnostic> {
    match audit.log_age_limit {
        Some(limit) if limit.0.is_zero() && !audit.allow_purge => Err(place.error(
            place.locate(&[
                Step::Key("spec"),
                Step::Key("audit"),
                Step::Key("logAgeLimit"),
            ]),
            "a logAgeLimit of zero deletes every audit record on the selected mailboxes"
                .to_string(),
            Some("if that is really wanted, add `allowPurge: true` beside it".to_string()),
        )),
        _ => Ok(()),
    }
}

fn redundancy_warnings(place: &Place<'_>, audit: &AuditSettingsSpec) -> Vec<Diagnostic> {
    let lists = [
        (
            "owner",
            LogonType::Owner,
            audit.owner.as_ref().map(LogonListSpec::named_lists),
        ),
        (
            "admin",
            LogonType::Admin,
            audit.admin.as_ref().map(LogonListSpec::named_lists),
        ),
        (
            "delegate",
            LogonType::Delegate,
            audit.delegate.as_ref().map(LogonListSpec::named_lists),
        ),
    ];
    let mut warnings = Vec::new();
    for (key, logon, named) in lists {
        for (list_key, actions) in named.unwrap_or_default() {
            for (position, action) in actions.iter().enumerate() {
                let Some(covered_by) = schema::redundancy(*action) else {
                    continue;
                };
                let path = [
                    Step::Key("spec"),
                    Step::Key("audit"),
                    Step::Key(key),
                    Step::Key(list_key),
                    Step::Index(position),
                ];
                warnings.push(Diagnostic {
                    severity: Severity::Warning,
                    file: Arc::clone(place.file),
                    location: place.locate(&path),
                    message: format!(
                        "{action} is redundant for {logon}: {covered_by} already covers it"
                    ),
                    hint: Some(format!("audit {covered_by} instead")),
                });
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
        filter: spec.filter.map(|filter| filter.0),
        licence: spec.licence.map(|licence| licence.0),
        exclude: None,
    }
}

fn list<L>(spec: LogonListSpec<L>) -> ListSpec {
    match spec {
        LogonListSpec::Default(_) => ListSpec::Default,
        LogonListSpec::Change { add, remove } => ListSpec::Change {
            add: add.into_iter().collect(),
            remove: remove.into_iter().collect(),
        },
        LogonListSpec::Exactly(actions) => ListSpec::Exactly(actions.into_iter().collect()),
    }
}

fn audit(spec: AuditSettingsSpec) -> AuditSpec {
    let mut lists: [Option<ListSpec>; 3] = Default::default();
    lists[LogonType::Owner.index()] = spec.owner.map(list);
    lists[LogonType::Admin.index()] = spec.admin.map(list);
    lists[LogonType::Delegate.index()] = spec.delegate.map(list);
    AuditSpec {
        enabled: spec.enabled,
        log_age_limit: spec.log_age_limit.map(|limit| limit.0),
        lists,
    }
}
