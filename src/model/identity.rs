//! Who a mailbox is: its RecipientTypeDetails and the names it can be addressed by.

use std::fmt;

/// RecipientTypeDetails. Values this version does not know are kept as they came.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecipientType {
    UserMailbox,
    SharedMailbox,
    RoomMailbox,
    EquipmentMailbox,
    SchedulingMailbox,
    LinkedMailbox,
    LinkedRoomMailbox,
    TeamMailbox,
    DiscoveryMailbox,
    LegacyMailbox,
    GroupMailbox,
    Other(Box<str>),
}

impl RecipientType {
    pub const KNOWN: [RecipientType; 11] = [
        RecipientType::UserMailbox,
        RecipientType::SharedMailbox,
        RecipientType::RoomMailbox,
        RecipientType::EquipmentMailbox,
        RecipientType::SchedulingMailbox,
        RecipientType::LinkedMailbox,
        RecipientType::LinkedRoomMailbox,
        RecipientType::TeamMailbox,
        RecipientType::DiscoveryMailbox,
        RecipientType::LegacyMailbox,
        RecipientType::GroupMailbox,
    ];

    pub fn name(&self) -> &str {
        match self {
            RecipientType::UserMailbox => "UserMailbox",
            RecipientType::SharedMailbox => "SharedMailbox",
            RecipientType::RoomMailbox => "RoomMailbox",
            RecipientType::EquipmentMailbox => "EquipmentMailbox",
            RecipientType::SchedulingMailbox => "SchedulingMailbox",
            RecipientType::LinkedMailbox => "LinkedMailbox",
            RecipientType::LinkedRoomMailbox => "LinkedRoomMailbox",
            RecipientType::TeamMailbox => "TeamMailbox",
            RecipientType::DiscoveryMailbox => "DiscoveryMailbox",
            RecipientType::LegacyMailbox => "LegacyMailbox",
            RecipientType::GroupMailbox => "GroupMailbox",
            RecipientType::Other(name) => name,
        }
    }

    /// Case-insensitive, as the service is. Never fails: unknown values are kept.
    pub fn parse(name: &str) -> RecipientType {
        RecipientType::KNOWN
            .into_iter()
            .find(|known| known.name().eq_ignore_ascii_case(name))
            .unwrap_or_else(|| RecipientType::Other(name.into()))
    }

    /// The type `ConvertTo-Json` writes as its enum's integer (without `-EnumsAsStrings`, which
    /// Windows PowerShell 5.1 lacks) [EV-5.3]. The values are those of Exchange's
    /// `RecipientTypeDetails` flags (on-prem-derived, evidence-service.md §5.4); a value not
    /// listed there is kept as its number. SchedulingMailbox's value is not public.
    pub fn from_enum_value(value: u64) -> RecipientType {
        const VALUES: [(u64, &str); 14] = [
            (1, "UserMailbox"),
            (2, "LinkedMailbox"),
            (4, "SharedMailbox"),
            (8, "LegacyMailbox"),
            (16, "RoomMailbox"),
            (32, "EquipmentMailbox"),
            (8_388_608, "ArbitrationMailbox"),
            (536_870_912, "DiscoveryMailbox"),
            (68_719_476_736, "PublicFolderMailbox"),
            (137_438_953_472, "TeamMailbox"),
            (1_099_511_627_776, "GroupMailbox"),
            (2_199_023_255_552, "LinkedRoomMailbox"),
            (4_398_046_511_104, "AuditLogMailbox"),
            (0, "None"),
        ];
        match VALUES.iter().find(|(known, _)| *known == value) {
            Some((_, name)) => RecipientType::parse(name),
            None => RecipientType::Other(value.to_string().into()),
        }
    }

    /// Whether the service ignores AuditEnabled for this type because "auditing on by default"
    /// (2019) covers it whatever the flag says.
    pub fn audit_enabled_is_ignored(&self) -> bool {
        matches!(
            self,
            RecipientType::UserMailbox | RecipientType::SharedMailbox | RecipientType::GroupMailbox
        )
    }

    /// The mailbox behind a Microsoft 365 Group or a Team: its audit configuration is fixed.
    pub fn is_fixed_configuration(&self) -> bool {
        matches!(self, RecipientType::GroupMailbox)
    }
}

impl fmt::Display for RecipientType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The names by which a mailbox can be addressed or recognised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailboxNames {
    pub identity: Box<str>,
    pub name: Option<Box<str>>,
    pub alias: Option<Box<str>>,
    pub display_name: Option<Box<str>>,
    pub user_principal_name: Option<Box<str>>,
    pub primary_smtp_address: Option<Box<str>>,
    pub external_directory_object_id: Option<Box<str>>,
    pub guid: Option<Box<str>>,
    pub exchange_guid: Option<Box<str>>,
}

impl MailboxNames {
    /// The immutable key used to address the mailbox: ExternalDirectoryObjectId, else Guid,
    /// else ExchangeGuid, else PrimarySmtpAddress. A display name is never used: two mailboxes
    /// can share one. Falls back to Identity only when the source gave none of these.
    pub fn immutable_id(&self) -> &str {
        [
            &self.external_directory_object_id,
            &self.guid,
            &self.exchange_guid,
            &self.primary_smtp_address,
        ]
        .into_iter()
        .flatten()
        .map(|value| &**value)
        .find(|value| !value.is_empty())
        .unwrap_or(&self.identity)
    }

    /// What a person recognises: DisplayName, else Name, else Identity.
    pub fn display(&self) -> &str {
        self.display_name
            .as_deref()
            .or(self.name.as_deref())
            .filter(|value| !value.is_empty())
            .unwrap_or(&self.identity)
    }

    /// The address people know the mailbox by: UPN, else PrimarySmtpAddress.
    pub fn address(&self) -> Option<&str> {
        self.user_principal_name
            .as_deref()
            .or(self.primary_smtp_address.as_deref())
            .filter(|value| !value.is_empty())
    }

    /// Every name the `identities` selector matches against.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&*self.identity)
            .chain(
                [
                    &self.name,
                    &self.alias,
                    &self.user_principal_name,
                    &self.primary_smtp_address,
                    &self.external_directory_object_id,
                    &self.guid,
                ]
                .into_iter()
                .flatten()
                .map(|value| &**value),
            )
            .filter(|value| !value.is_empty())
    }
}
