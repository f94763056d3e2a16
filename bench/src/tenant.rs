//! A synthetic tenant in the shape of
//! `Get-EXOMailbox -PropertySets Minimum,Audit -Properties PersistedCapabilities | ConvertTo-Json`
//! as Windows PowerShell 5.1 writes it: four-space indentation, two spaces after each colon, and
//! arrays indented under the column of their opening bracket.
//!
//! The mix is what a large tenant looks like: mostly user mailboxes, some shared, resource and
//! group mailboxes, a third of users on E5, about 70% of mailboxes on Microsoft's managed
//! defaults and the rest customized in the ways admins and older scripts leave them.
//! The same seed always gives the same bytes.

use crate::rng::Rng;
use auditform::catalog::{managed_defaults, valid_actions, Action, LicenceTier};
use auditform::model::{ActionSet, LogonType};
use std::io::{self, Write};

/// Mailboxes every generated tenant starts with, so that identity selectors have targets.
pub const NAMED_MAILBOXES: [&str; 8] = [
    "breakglass1",
    "breakglass2",
    "ceo",
    "svc-backup",
    "svc-scanner",
    "svc-archive",
    "discovery",
    "svc-crm",
];

const FIRST: [&str; 24] = [
    "Pilar",
    "Alex",
    "Megan",
    "Lee",
    "Nestor",
    "Diego",
    "Isaiah",
    "Johanna",
    "Lidia",
    "Lynne",
    "Miriam",
    "Patti",
    "Adele",
    "Grady",
    "Henrietta",
    "Irvin",
    "Joni",
    "Allan",
    "Christie",
    "Debra",
    "Enrico",
    "Raul",
    "Zrinka",
    "Cameron",
];
const LAST: [&str; 20] = [
    "Pinilla",
    "Wilber",
    "Bowen",
    "Gu",
    "Wilke",
    "Soto",
    "McKay",
    "Lauer",
    "Holloway",
    "Robbins",
    "Graham",
    "Fernandez",
    "Vance",
    "Archie",
    "Mueller",
    "Sherman",
    "Sherman",
    "Deyoung",
    "Cline",
    "Berg",
];
const DEPARTMENTS: [(u64, &str); 11] = [
    (120, "Finance"),
    (200, "Sales"),
    (180, "Engineering"),
    (60, "HR"),
    (40, "Legal"),
    (90, "Marketing"),
    (110, "Operations"),
    (120, "Support"),
    (20, "Executive"),
    (50, "IT"),
    (10, ""),
];
const CUSTOM_ATTRIBUTE_1: [(u64, &str); 6] = [
    (850, ""),
    (40, "VIP"),
    (50, "Contractor"),
    (30, "NoAudit"),
    (10, "Reset"),
    (20, "Temp"),
];
const TYPES: [(u64, &str); 10] = [
    (7800, "UserMailbox"),
    (900, "SharedMailbox"),
    (600, "GroupMailbox"),
    (350, "RoomMailbox"),
    (120, "EquipmentMailbox"),
    (50, "SchedulingMailbox"),
    (50, "LinkedMailbox"),
    (10, "LinkedRoomMailbox"),
    (10, "TeamMailbox"),
    (10, "LegacyMailbox"),
];
/// Names newer than auditform's catalog, which a reader must keep as they are.
const FUTURE_ACTIONS: [&str; 2] = ["CopilotInteraction", "UpdateRecipientPermissions"];

/// What a generated tenant is made of.
#[derive(Clone, Copy, Debug)]
pub struct TenantSpec {
    pub mailboxes: usize,
    pub seed: u64,
}

/// Writes the whole tenant as one JSON array.
pub fn write_tenant(spec: TenantSpec, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(spec.seed);
    out.write_all(b"[\r\n")?;
    let mut text = String::with_capacity(8192);
    for index in 0..spec.mailboxes {
        text.clear();
        let mailbox = generate(index, &mut rng);
        mailbox.write(&mut text);
        if index + 1 < spec.mailboxes {
            text.push(',');
        }
        text.push_str("\r\n");
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"]\r\n")
}

/// One generated mailbox, before it is written.
struct Generated {
    alias: String,
    display_name: String,
    domain: &'static str,
    recipient_type: &'static str,
    external_id: String,
    guid: String,
    enabled: bool,
    log_age_days: u32,
    /// ConvertTo-Json of a TimeSpan object rather than its string form.
    log_age_as_object: bool,
    lists: [Vec<String>; 3],
    default_audit_set: Vec<&'static str>,
    capabilities: &'static [&'static str],
    department: &'static str,
    custom_attribute_1: &'static str,
}

fn generate(index: usize, rng: &mut Rng) -> Generated {
    let named = NAMED_MAILBOXES.get(index).copied();
    let recipient_type = match named {
        Some("discovery") => "DiscoveryMailbox",
        Some(_) => "UserMailbox",
        None => *rng.weighted(&TYPES),
    };
    let first = rng.pick(&FIRST);
    let last = rng.pick(&LAST);
    let (alias, display_name) = match named {
        Some(name) => (name.to_string(), format!("{} (named)", name)),
        None if recipient_type == "UserMailbox" => (
            format!("{}.{}{index}", first.to_lowercase(), last.to_lowercase()),
            format!("{first} {last}"),
        ),
        None => (
            format!(
                "{}{index}",
                recipient_type.trim_end_matches("Mailbox").to_lowercase()
            ),
            format!("{} {index}", recipient_type.trim_end_matches("Mailbox")),
        ),
    };
    let department = if recipient_type == "UserMailbox" || recipient_type == "SharedMailbox" {
        *rng.weighted(&DEPARTMENTS)
    } else {
        ""
    };
    let custom_attribute_1 = if named.is_some() {
        ""
    } else {
        *rng.weighted(&CUSTOM_ATTRIBUTE_1)
    };
    let domain = if department == "Finance" && rng.per_mille(500) {
        "finance.contoso.com"
    } else if rng.per_mille(70) {
        "fabrikam.com"
    } else {
        "contoso.com"
    };
    let e5 = match recipient_type {
        _ if named == Some("ceo") => true,
        "UserMailbox" => rng.per_mille(350),
        "SharedMailbox" => rng.per_mille(100),
        _ => false,
    };
    let tier = if e5 {
        LicenceTier::E5
    } else {
        LicenceTier::NonE5
    };
    let capabilities: &'static [&'static str] = match (e5, rng.below(3)) {
        (true, 0) => &["BPOS_S_Enterprise", "M365Auditing"],
        (true, _) => &[
            "BPOS_S_Enterprise",
            "BPOS_S_EquivioAnalytics",
            "BPOS_S_ThreatIntelligenceAddOn",
            "M365Auditing",
        ],
        (false, 0) => &[],
        (false, _) => &["BPOS_S_Standard"],
    };
    let mut generated = Generated {
        external_id: rng.guid(),
        guid: rng.guid(),
        alias,
        display_name,
        domain,
        recipient_type,
        enabled: true,
        log_age_days: 90,
        log_age_as_object: false,
        lists: Default::default(),
        default_audit_set: vec!["Admin", "Delegate", "Owner"],
        capabilities,
        department,
        custom_attribute_1,
    };
    let mut sets = LogonType::ALL.map(managed_defaults);
    let resource = matches!(recipient_type, "RoomMailbox" | "EquipmentMailbox");
    if resource && rng.per_mille(600) {
        generated.enabled = false;
    }
    let mut extra: [Vec<String>; 3] = Default::default();
    // Group mailboxes keep the fixed configuration the service gives them.
    if recipient_type != "GroupMailbox" && named.is_none() && rng.per_mille(300) {
        customize(rng, tier, &mut sets, &mut extra, &mut generated);
    }
    let rotation = rng.below(24) as usize;
    for logon in LogonType::ALL {
        let mut names = service_order(sets[logon.index()], rotation);
        names.append(&mut extra[logon.index()]);
        generated.lists[logon.index()] = names;
    }
    generated
}

/// The varied ways a mailbox drifts from the defaults. Each edit of a list takes its logon type
/// out of DefaultAuditSet, as the service does.
fn customize(
    rng: &mut Rng,
    tier: LicenceTier,
    sets: &mut [ActionSet; 3],
    extra: &mut [Vec<String>; 3],
    generated: &mut Generated,
) {
    let action = |name: &str| Action::parse(name).unwrap_or(Action::Update);
    let mut edited = [false; 3];
    let edits = 1 + rng.below(2);
    for _ in 0..edits {
        match rng.below(9) {
            // The CIS owner actions, added by hand.
            0 | 1 => {
                let owner = &mut sets[LogonType::Owner.index()];
                owner.insert(action("MailboxLogin"));
                owner.insert(action("HardDelete"));
                edited[LogonType::Owner.index()] = true;
            }
            // A 2018 script that still sets the old admin defaults.
            2 => {
                let admin = &mut sets[LogonType::Admin.index()];
                admin.insert(action("FolderBind"));
                admin.insert(action("Move"));
                edited[LogonType::Admin.index()] = true;
            }
            // Someone trimmed delegate auditing.
            3 => {
                let delegate = &mut sets[LogonType::Delegate.index()];
                delegate.remove(action("SendAs"));
                delegate.remove(action("Create"));
                edited[LogonType::Delegate.index()] = true;
            }
            4 => {
                generated.log_age_days = *rng.pick(&[30, 180, 365, 730]);
                generated.log_age_as_object = rng.per_mille(200);
            }
            // Left over from before 2019.
            5 => {
                extra[LogonType::Owner.index()].push("MessageBind".into());
                edited[LogonType::Owner.index()] = true;
            }
            6 => {
                extra[LogonType::Admin.index()].push(rng.pick(&FUTURE_ACTIONS).to_string());
            }
            // Every valid action, as a maximal hardening script does.
            7 => {
                let logon = *rng.pick(&LogonType::ALL);
                let all = valid_actions(logon).difference(e5_gap(tier));
                sets[logon.index()] = all.difference(ActionSet::from_iter([action("MessageBind")]));
                edited[logon.index()] = true;
            }
            _ => {
                sets[LogonType::Delegate.index()] = ActionSet::EMPTY;
                edited[LogonType::Delegate.index()] = true;
            }
        }
    }
    generated.default_audit_set.retain(|name| {
        !LogonType::ALL
            .iter()
            .any(|l| edited[l.index()] && l.name() == *name)
    });
}

/// Actions a mailbox of this tier can't have.
fn e5_gap(tier: LicenceTier) -> ActionSet {
    match tier {
        LicenceTier::E5 => ActionSet::EMPTY,
        LicenceTier::NonE5 => auditform::catalog::premium_actions(),
    }
}

/// The service lists actions in its own order, not the catalog's; a rotation stands in for it.
fn service_order(set: ActionSet, rotation: usize) -> Vec<String> {
    let mut names: Vec<String> = set.iter().map(|a| a.name().to_string()).collect();
    if !names.is_empty() {
        let by = rotation % names.len();
        names.rotate_left(by);
    }
    names
}

impl Generated {
    fn write(&self, out: &mut String) {
        let upn = format!("{}@{}", self.alias, self.domain);
        let mut object = ObjectWriter::new(out, 4);
        object.string("ExternalDirectoryObjectId", &self.external_id);
        object.string("UserPrincipalName", &upn);
        object.string("Alias", &self.alias);
        object.string("DisplayName", &self.display_name);
        object.strings(
            "EmailAddresses",
            &[
                format!("SMTP:{upn}"),
                format!("smtp:{}@contoso.onmicrosoft.com", self.alias),
            ],
        );
        object.string("PrimarySmtpAddress", &upn);
        object.string("RecipientType", "UserMailbox");
        object.string("RecipientTypeDetails", self.recipient_type);
        object.string("Identity", &self.alias);
        object.string("Id", &self.alias);
        object.string("ExchangeVersion", "0.20 (15.0.0.0)");
        object.string("Name", &self.alias);
        object.string(
            "DistinguishedName",
            &format!(
                "CN={},OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM",
                self.alias
            ),
        );
        object.string(
            "OrganizationId",
            "NAMPR01A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com - NAMPR01A001.PROD.OUTLOOK.COM/ConfigurationUnits/contoso.onmicrosoft.com/Configuration",
        );
        object.string("Guid", &self.guid);
        object.raw("AuditEnabled", if self.enabled { "true" } else { "false" });
        if self.log_age_as_object {
            object.timespan("AuditLogAgeLimit", self.log_age_days);
        } else {
            object.string(
                "AuditLogAgeLimit",
                &format!("{}.00:00:00", self.log_age_days),
            );
        }
        for logon in LogonType::ALL {
            object.strings(logon.property(), &self.lists[logon.index()]);
        }
        object.strings("DefaultAuditSet", &self.default_audit_set);
        object.strings("PersistedCapabilities", self.capabilities);
        object.string("Department", self.department);
        object.string("CustomAttribute1", self.custom_attribute_1);
        object.end();
    }
}

/// Writes one object the way Windows PowerShell 5.1's ConvertTo-Json does.
struct ObjectWriter<'o> {
    out: &'o mut String,
    indent: usize,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    fn new(out: &'o mut String, indent: usize) -> Self {
        push_spaces(out, indent);
        out.push('{');
        ObjectWriter {
            out,
            indent,
            first: true,
        }
    }

    /// Starts a member and returns the column its value starts at.
    fn key(&mut self, key: &str) -> usize {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push_str("\r\n");
        push_spaces(self.out, self.indent + 4);
        push_json_string(self.out, key);
        self.out.push_str(":  ");
        self.indent + 4 + key.len() + 5
    }

    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.push_str(value);
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        push_json_string(self.out, value);
    }

    fn strings(&mut self, key: &str, values: &[impl AsRef<str>]) {
        let column = self.key(key);
        if values.is_empty() {
            self.out.push_str("[\r\n\r\n");
            push_spaces(self.out, column);
            self.out.push(']');
            return;
        }
        self.out.push('[');
        for (at, value) in values.iter().enumerate() {
            if at > 0 {
                self.out.push(',');
            }
            self.out.push_str("\r\n");
            push_spaces(self.out, column + 4);
            push_json_string(self.out, value.as_ref());
        }
        self.out.push_str("\r\n");
        push_spaces(self.out, column);
        self.out.push(']');
    }

    fn timespan(&mut self, key: &str, days: u32) {
        let column = self.key(key);
        let ticks = u64::from(days) * 864_000_000_000;
        let total_hours = u64::from(days) * 24;
        let members = [
            ("Ticks", ticks.to_string()),
            ("Days", days.to_string()),
            ("Hours", "0".into()),
            ("Milliseconds", "0".into()),
            ("Minutes", "0".into()),
            ("Seconds", "0".into()),
            ("TotalDays", days.to_string()),
            ("TotalHours", total_hours.to_string()),
            ("TotalMilliseconds", (total_hours * 3_600_000).to_string()),
            ("TotalMinutes", (total_hours * 60).to_string()),
            ("TotalSeconds", (total_hours * 3600).to_string()),
        ];
        self.out.push('{');
        for (at, (name, value)) in members.iter().enumerate() {
            if at > 0 {
                self.out.push(',');
            }
            self.out.push_str("\r\n");
            push_spaces(self.out, column + 4);
            push_json_string(self.out, name);
            self.out.push_str(":  ");
            self.out.push_str(value);
        }
        self.out.push_str("\r\n");
        push_spaces(self.out, column);
        self.out.push('}');
    }

    fn end(self) {
        self.out.push_str("\r\n");
        push_spaces(self.out, self.indent);
        self.out.push('}');
    }
}

fn push_spaces(out: &mut String, count: usize) {
    out.extend(std::iter::repeat_n(' ', count));
}

/// Generated text is plain ASCII without quotes or backslashes except where escaped here.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
