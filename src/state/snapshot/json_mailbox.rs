//! One mailbox (or bypass association, or organization) read straight from its JSON object into
//! the model, key by key, without building a JSON tree. Keys match case-insensitively.

use super::error::Problem;
use super::json_values::{
    AnyProperty, ClassifyKey, EachName, Flag, KeyLog, LoggedKey, OptionalText, RecipientTypeValue,
    TimeSpanValue,
};
use crate::catalog::{self, LicenceTier};
use crate::model::{
    ActionList, AuditSettings, BypassAssociation, LogonSet, LogonType, Mailbox, MailboxNames,
    Organization, PropertyValue, RecipientType, StateVisitor,
};
use crate::state::ReadOptions;
use crate::timespan::TimeSpan;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// What every seed of one read shares: where results go, and what went wrong where.
pub(super) struct Context<'v> {
    pub visitor: &'v mut dyn StateVisitor,
    pub options: &'v ReadOptions,
    /// The snapshot's tenant-wide `licence`, for mailboxes whose capabilities don't say E5.
    pub licence_hint: Option<LicenceTier>,
    pub mailboxes_read: usize,
    pub bypass_read: usize,
    /// The first problem found, with the context a serde error cannot carry.
    pub problem: Option<Problem>,
    /// The keys of the object being read (a mailbox, a bypass association or the organization),
    /// to refuse one given twice.
    pub keys: KeyLog,
}

impl Context<'_> {
    pub(super) fn record(&mut self, problem: Problem) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }

    /// Records a key an object gives twice, and the error that stops the read there.
    pub(super) fn repeated<E: de::Error>(&mut self, subject: String, key: Box<str>) -> E {
        let problem = Problem::RepeatedKey { subject, key };
        let message = problem.to_string();
        self.record(problem);
        E::custom(message)
    }
}

/// A property auditform reads, by its Get-Mailbox name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    Identity,
    Name,
    Alias,
    DisplayName,
    UserPrincipalName,
    PrimarySmtpAddress,
    ExternalDirectoryObjectId,
    Guid,
    ExchangeGuid,
    RecipientTypeDetails,
    AuditEnabled,
    AuditLogAgeLimit,
    AuditAdmin,
    AuditDelegate,
    AuditOwner,
    DefaultAuditSet,
    PersistedCapabilities,
    AuditBypassEnabled,
}

pub(super) const FIELDS: [(&str, Field); 18] = [
    ("Identity", Field::Identity),
    ("Name", Field::Name),
    ("Alias", Field::Alias),
    ("DisplayName", Field::DisplayName),
    ("UserPrincipalName", Field::UserPrincipalName),
    ("PrimarySmtpAddress", Field::PrimarySmtpAddress),
    (
        "ExternalDirectoryObjectId",
        Field::ExternalDirectoryObjectId,
    ),
    ("Guid", Field::Guid),
    ("ExchangeGuid", Field::ExchangeGuid),
    ("RecipientTypeDetails", Field::RecipientTypeDetails),
    ("AuditEnabled", Field::AuditEnabled),
    ("AuditLogAgeLimit", Field::AuditLogAgeLimit),
    ("AuditAdmin", Field::AuditAdmin),
    ("AuditDelegate", Field::AuditDelegate),
    ("AuditOwner", Field::AuditOwner),
    ("DefaultAuditSet", Field::DefaultAuditSet),
    ("PersistedCapabilities", Field::PersistedCapabilities),
    ("AuditBypassEnabled", Field::AuditBypassEnabled),
];

impl Field {
    pub fn lookup(key: &str) -> Option<Field> {
        FIELDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, field)| *field)
    }

    pub fn name(self) -> &'static str {
        FIELDS[self as usize].0
    }

    fn hint(self) -> &'static str {
        match self {
            Field::AuditEnabled | Field::AuditBypassEnabled => "write true or false",
            Field::AuditLogAgeLimit => {
                "write a TimeSpan of 00:00:00 or more, such as \"90.00:00:00\", or an object with Ticks"
            }
            Field::RecipientTypeDetails => {
                "write a name such as \"UserMailbox\", or the enum's integer ConvertTo-Json writes"
            }
            Field::AuditAdmin | Field::AuditDelegate | Field::AuditOwner => {
                "write a list of action names, such as [\"Update\", \"HardDelete\"]"
            }
            Field::DefaultAuditSet => {
                "write a list of logon types, such as [\"Admin\", \"Delegate\", \"Owner\"]"
            }
            Field::PersistedCapabilities => "write a list of capability names",
            _ => "write a string",
        }
    }
}

/// A mailbox object's key: a property auditform reads, one a filter asked for, or neither.
pub(super) enum Key {
    Known(Field),
    Extra(Box<str>),
    Skip,
}

impl Key {
    pub fn classify(key: &str, options: &ReadOptions) -> Key {
        match Field::lookup(key) {
            Some(field) => Key::Known(field),
            // `Name@odata.type` and its kind annotate a neighbour; they are never properties.
            None if !key.contains('@') && options.wants(key) => Key::Extra(key.into()),
            None => Key::Skip,
        }
    }
}

/// The names that identify a mailbox or a bypass association, as they arrive.
#[derive(Default)]
struct NamesBuilder {
    identity: Option<Box<str>>,
    names: MailboxNames,
}

impl NamesBuilder {
    /// Reads `field` when it is a name; `false` when it is not one.
    fn read<'de, A: MapAccess<'de>>(
        &mut self,
        field: Field,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        let names = &mut self.names;
        let slot = match field {
            Field::Identity => &mut self.identity,
            Field::Name => &mut names.name,
            Field::Alias => &mut names.alias,
            Field::DisplayName => &mut names.display_name,
            Field::UserPrincipalName => &mut names.user_principal_name,
            Field::PrimarySmtpAddress => &mut names.primary_smtp_address,
            Field::ExternalDirectoryObjectId => &mut names.external_directory_object_id,
            Field::Guid => &mut names.guid,
            Field::ExchangeGuid => &mut names.exchange_guid,
            _ => return Ok(false),
        };
        *slot = map.next_value_seed(OptionalText)?;
        Ok(true)
    }

    /// The best name known so far, to say which object a problem is in.
    fn known_name(&self) -> Option<&str> {
        let names = &self.names;
        [
            &self.identity,
            &names.name,
            &names.user_principal_name,
            &names.primary_smtp_address,
            &names.external_directory_object_id,
            &names.guid,
        ]
        .into_iter()
        .flatten()
        .map(|name| &**name)
        .find(|name| !name.is_empty())
    }

    /// Identity, else the first usable name of Name, ExternalDirectoryObjectId, Guid and
    /// PrimarySmtpAddress stands in for it. `None` when there is no name at all.
    fn finish(self) -> Option<MailboxNames> {
        let NamesBuilder {
            identity,
            mut names,
        } = self;
        let identity = [
            &identity,
            &names.name,
            &names.external_directory_object_id,
            &names.guid,
            &names.primary_smtp_address,
        ]
        .into_iter()
        .flatten()
        .find(|name| !name.is_empty())?
        .clone();
        names.identity = identity;
        Some(names)
    }
}

fn subject(kind: &str, index: usize, names: &NamesBuilder) -> String {
    match names.known_name() {
        Some(name) => format!("{kind} at index {index} ({name:?})"),
        None => format!("{kind} at index {index}"),
    }
}

/// The properties a mailbox must carry to be planned. Without them auditform would have to
/// guess the audit state, and a guess (such as "not in DefaultAuditSet") plans changes the
/// service would refuse; an export made without `-PropertySets Audit` lacks exactly these.
const REQUIRED: [Field; 7] = [
    Field::RecipientTypeDetails,
    Field::AuditEnabled,
    Field::AuditLogAgeLimit,
    Field::AuditAdmin,
    Field::AuditDelegate,
    Field::AuditOwner,
    Field::DefaultAuditSet,
];

/// A mailbox being read.
#[derive(Default)]
pub(super) struct MailboxBuilder {
    /// Which [`Field`]s were present, by discriminant.
    seen: u32,
    /// Which [`Field`]s the object gave, whatever their value: a second one is refused. Other
    /// keys go through the context's [`KeyLog`]; these cost only a bit.
    given: u32,
    names: NamesBuilder,
    recipient_type: Option<RecipientType>,
    enabled: Option<bool>,
    log_age_limit: Option<TimeSpan>,
    lists: [ActionList; 3],
    default_audit_set: LogonSet,
    e5_capable: bool,
    properties: Vec<(Box<str>, PropertyValue)>,
}

impl MailboxBuilder {
    /// Reads the value of `key`; on a bad value, records which property of which mailbox.
    pub fn property<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key,
        map: &mut A,
        context: &mut Context,
    ) -> Result<(), A::Error> {
        if let Key::Known(field) = &key {
            let bit = 1 << *field as u32;
            if self.given & bit != 0 {
                let subject = subject("mailbox", context.mailboxes_read, &self.names);
                return Err(context.repeated(subject, field.name().into()));
            }
            self.given |= bit;
        }
        let result = match &key {
            Key::Known(field) => self.known(*field, map),
            Key::Extra(name) => map
                .next_value_seed(AnyProperty)
                .map(|value| self.properties.push((name.clone(), value))),
            Key::Skip => map.next_value::<IgnoredAny>().map(drop),
        };
        result.inspect_err(|error| {
            let (property, hint) = match &key {
                Key::Known(field) => (field.name().to_string(), field.hint()),
                Key::Extra(name) => (name.to_string(), "write a JSON value"),
                Key::Skip => (String::new(), ""),
            };
            context.record(Problem::Property {
                subject: subject("mailbox", context.mailboxes_read, &self.names),
                property,
                message: error.to_string(),
                hint,
            });
        })
    }

    fn known<'de, A: MapAccess<'de>>(&mut self, field: Field, map: &mut A) -> Result<(), A::Error> {
        self.seen |= 1 << field as u32;
        if self.names.read(field, map)? {
            return Ok(());
        }
        match field {
            Field::RecipientTypeDetails => {
                self.recipient_type = map.next_value_seed(RecipientTypeValue)?;
            }
            Field::AuditEnabled => self.enabled = map.next_value_seed(Flag)?,
            Field::AuditLogAgeLimit => self.log_age_limit = map.next_value_seed(TimeSpanValue)?,
            Field::AuditAdmin | Field::AuditDelegate | Field::AuditOwner => {
                let logon = match field {
                    Field::AuditAdmin => LogonType::Admin,
                    Field::AuditDelegate => LogonType::Delegate,
                    _ => LogonType::Owner,
                };
                let mut list = ActionList::default();
                map.next_value_seed(EachName(&mut |name: &str| {
                    list.push_name(name);
                    Ok(())
                }))?;
                self.lists[logon.index()] = list;
            }
            Field::DefaultAuditSet => {
                let mut set = LogonSet::EMPTY;
                map.next_value_seed(EachName(&mut |name: &str| {
                    if name.eq_ignore_ascii_case("None") {
                        return Ok(());
                    }
                    match LogonType::parse(name) {
                        Some(logon) => {
                            set.insert(logon);
                            Ok(())
                        }
                        None => Err(format!(
                            "`{name}` is not a logon type; DefaultAuditSet holds Admin, Delegate and Owner"
                        )),
                    }
                }))?;
                self.default_audit_set = set;
            }
            Field::PersistedCapabilities => {
                let mut e5 = false;
                map.next_value_seed(EachName(&mut |name: &str| {
                    e5 |= catalog::grants_audit_premium(name);
                    Ok(())
                }))?;
                self.e5_capable = e5;
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        // A null list is an empty one, as `None` is; a null scalar says nothing, so it counts
        // as missing.
        let unknown = match field {
            Field::RecipientTypeDetails => self.recipient_type.is_none(),
            Field::AuditEnabled => self.enabled.is_none(),
            Field::AuditLogAgeLimit => self.log_age_limit.is_none(),
            _ => false,
        };
        if unknown {
            self.seen &= !(1 << field as u32);
        }
        Ok(())
    }

    pub fn finish(self, context: &mut Context) -> Result<Mailbox, Problem> {
        let index = context.mailboxes_read;
        context.mailboxes_read += 1;
        let missing: Vec<&'static str> = REQUIRED
            .iter()
            .filter(|field| self.seen & (1 << **field as u32) == 0)
            .map(|field| field.name())
            .collect();
        if !missing.is_empty() {
            return Err(Problem::Missing {
                subject: subject("mailbox", index, &self.names),
                properties: missing,
            });
        }
        let Some(names) = self.names.finish() else {
            return Err(Problem::Unnamed {
                subject: format!("mailbox at index {index}"),
            });
        };
        // The tenant-wide hint stands in only for a mailbox whose capabilities were not read:
        // a mailbox that lists them without an E5 one is not E5, whatever the hint says.
        let capabilities_read = self.seen & (1 << Field::PersistedCapabilities as u32) != 0;
        let licence = match (self.e5_capable, capabilities_read, context.licence_hint) {
            (true, _, _) => LicenceTier::E5,
            (false, false, Some(hint)) => hint,
            _ => LicenceTier::NonE5,
        };
        Ok(Mailbox {
            names,
            recipient_type: self
                .recipient_type
                .unwrap_or_else(|| RecipientType::Other("".into())),
            licence,
            audit: AuditSettings {
                enabled: self.enabled.unwrap_or(true),
                log_age_limit: self
                    .log_age_limit
                    .unwrap_or(TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT),
                lists: self.lists,
                default_audit_set: self.default_audit_set,
            },
            properties: self.properties,
        })
    }

    /// Reads the rest of a mailbox object's keys, then hands the mailbox to the visitor.
    pub fn read_rest<'de, A: MapAccess<'de>>(
        mut self,
        map: &mut A,
        context: &mut Context,
    ) -> Result<(), A::Error> {
        let options = context.options;
        // The properties auditform reads are told apart by a bit each (see `property`); only
        // the others are logged by hash.
        while let Some(key) =
            map.next_key_seed(ClassifyKey(|key: &str| match Key::classify(key, options) {
                known @ Key::Known(_) => Ok(known),
                other => context.keys.note(key).map(|()| other),
            }))?
        {
            match key {
                Ok(key) => self.property(key, map, context)?,
                Err(repeated) => {
                    let subject = subject("mailbox", context.mailboxes_read, &self.names);
                    return Err(context.repeated(subject, repeated));
                }
            }
        }
        match self.finish(context) {
            Ok(mailbox) => {
                context.visitor.mailbox(mailbox);
                Ok(())
            }
            Err(problem) => {
                let message = problem.to_string();
                context.record(problem);
                Err(de::Error::custom(message))
            }
        }
    }
}

mod seeds;
pub(super) use seeds::{BypassArray, MailboxArray, MailboxSeed, OrganizationSeed};
