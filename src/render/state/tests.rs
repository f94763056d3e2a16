use super::*;
use crate::model::{AuditSettings, LogonSet, MailboxNames, RecipientType};
use crate::timespan::TimeSpan;

fn user(name: &str, upn: &str, licence: LicenceTier) -> Mailbox {
    let list = |names: &[&str]| ActionList::from_names(names.iter().copied());
    Mailbox {
        names: MailboxNames {
            identity: name.into(),
            name: Some(name.into()),
            user_principal_name: Some(upn.into()),
            ..MailboxNames::default()
        },
        recipient_type: RecipientType::UserMailbox,
        licence,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: [
                list(&["Update", "MoveToDeletedItems", "SoftDelete", "HardDelete"]),
                list(&["Update", "SoftDelete", "MessageBind"]),
                list(&["MailboxLogin", "HardDelete", "FutureAction"]),
            ],
            default_audit_set: [LogonType::Admin].into_iter().collect::<LogonSet>(),
        },
        properties: Vec::new(),
    }
}

fn render(tenant: &Tenant, color: bool) -> String {
    let mut out = Vec::new();
    let options = TextOptions {
        color,
        expand: false,
    };
    render_state(tenant, &options, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the renderer writes UTF-8")
}

fn tenant() -> Tenant {
    let mut room = user("Room 1", "room1@contoso.com", LicenceTier::NonE5);
    room.names.user_principal_name = None;
    room.names.primary_smtp_address = Some("room1@contoso.com".into());
    room.recipient_type = RecipientType::RoomMailbox;
    room.audit.enabled = false;
    room.audit.log_age_limit = TimeSpan::from_days(365);
    room.audit.lists = Default::default();
    room.audit.default_audit_set = LogonSet::ALL;
    Tenant {
        organization: Some(Organization {
            audit_disabled: false,
        }),
        bypass: vec![BypassAssociation {
            names: MailboxNames {
                identity: "svc-backup".into(),
                ..MailboxNames::default()
            },
            bypass_enabled: true,
        }],
        mailboxes: vec![
            user("Pilar Pinilla", "pilar@contoso.com", LicenceTier::E5),
            room,
        ],
    }
}

#[test]
fn state_is_shown_like_get_mailbox_format_list() {
    insta::assert_snapshot!(render(&tenant(), false));
}

#[test]
fn a_source_without_organization_or_bypass_says_so() {
    let mut tenant = tenant();
    tenant.organization = None;
    tenant.bypass.clear();
    let text = render(&tenant, false);
    assert!(text.contains("Organization config\n(not read from this source)\n"));
    assert!(text.ends_with("Audit bypass associations (0)\n"));
}

#[test]
fn an_enabled_bypass_is_marked_in_colour() {
    let text = render(&tenant(), true);
    assert!(text.contains("AuditBypassEnabled : \u{1b}[1m\u{1b}[31mTrue\u{1b}[0m"));
}
