use super::*;
use LogonType::{Admin, Delegate, Owner};

/// The action table of the design contract (DESIGN §1.1), with the corrections the evidence
/// makes (evidence-service.md): MessageBind is accepted for Admin on a mailbox without Audit
/// (Premium) (W3), and UpdateComplianceTag carries no remark. `P` marks the one action that
/// needs Audit (Premium); `!P` one the service refuses *with* it. Each row is checked against
/// [`CATALOG`], so the code and the contract cannot drift apart silently.
const CONTRACT: &str = "
| ApplyRecord | D | D | D | |
| Copy | Y | - | - | |
| Create | D | D | Y | |
| FolderBind | Y | Y | - | delegate records are merged to one per folder per 24 h |
| HardDelete | D | D | D | |
| MailboxLogin | - | - | Y | |
| MailItemsAccessed | D | D | D | |
| MessageBind | Y !P | - | - | **deprecated** |
| Move | Y | Y | Y | |
| MoveToDeletedItems | D | D | D | |
| RecordDelete | Y | Y | Y | |
| SearchQueryInitiated | - | - | Y P | |
| Send | D | - | D | |
| SendAs | D | D | - | |
| SendOnBehalf | D | D | - | |
| SoftDelete | D | D | D | |
| Update | D | D | D | |
| UpdateCalendarDelegation | D | - | D | |
| UpdateComplianceTag | Y | Y | Y | |
| UpdateFolderPermissions | D | D | D | |
| UpdateInboxRules | D | D | D | |
| AddFolderPermissions | Y | Y | Y | redundant |
| ModifyFolderPermissions | Y | Y | Y | redundant |
| RemoveFolderPermissions | Y | Y | Y | redundant |
";

struct ContractRow<'a> {
    name: &'a str,
    cells: [&'a str; 3],
    note: &'a str,
}

fn contract_rows() -> Vec<ContractRow<'static>> {
    CONTRACT
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(|line| {
            let fields: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            ContractRow {
                name: fields[0],
                cells: [fields[1], fields[2], fields[3]],
                note: fields[4],
            }
        })
        .collect()
}

#[test]
fn every_catalog_row_matches_the_contract_for_validity_defaults_and_licence() {
    let rows = contract_rows();
    assert_eq!(
        rows.len(),
        CATALOG.len(),
        "one contract row per catalog row"
    );
    for row in rows {
        let action = Action::parse(row.name).unwrap_or_else(|| panic!("{} missing", row.name));
        assert_eq!(action.name(), row.name);
        for logon in LogonType::ALL {
            let cell = row.cells[logon.index()];
            let expected = match cell.split_whitespace().next() {
                Some("D") => Support::Default,
                Some("Y") => Support::Valid,
                _ => Support::Rejected,
            };
            assert_eq!(action.support(logon), expected, "{} for {logon}", row.name);
        }
        let licensing = if row.cells.iter().any(|cell| cell.ends_with("!P")) {
            Licensing::WithoutPremium
        } else if row.cells.iter().any(|cell| cell.ends_with(" P")) {
            Licensing::Premium
        } else {
            Licensing::Any
        };
        assert_eq!(action.info().licensing, licensing, "{} licensing", row.name);
        let remark = action.info().remark;
        match row.note {
            "**deprecated**" => assert!(matches!(remark, Remark::Deprecated { .. })),
            "redundant" => assert_eq!(
                remark,
                Remark::Redundant {
                    covered_by: Action::UpdateFolderPermissions
                }
            ),
            "" => assert_eq!(remark, Remark::None, "{}", row.name),
            _ => assert_eq!(remark, Remark::MergedForDelegates),
        }
    }
}

#[test]
fn every_row_cites_evidence_that_exists() {
    for row in CATALOG {
        assert!(!row.evidence.is_empty(), "{} cites nothing", row.name);
        for tag in row.evidence {
            assert!(
                evidence::source(tag).is_some(),
                "{}: no source {tag}",
                row.name
            );
        }
    }
}

/// DESIGN §1.1: "MailItemsAccessed and Send became Microsoft-managed defaults on every licensed
/// mailbox, not only on E5 / Audit (Premium) ones" [EV-1.3].
#[test]
fn mail_items_accessed_and_send_are_defaults_on_every_licence() {
    for logon in LogonType::ALL {
        assert!(
            managed_defaults(logon).contains(Action::MailItemsAccessed),
            "{logon}"
        );
    }
    assert!(managed_defaults(Admin).contains(Action::Send));
    assert!(managed_defaults(Owner).contains(Action::Send));
    assert!(!Action::Send.is_valid_for(Delegate));
    assert!(!Action::MailItemsAccessed.needs_premium());
    assert!(!Action::Send.needs_premium());
}

/// DESIGN §1.1: only SearchQueryInitiated still needs Audit (Premium) [EV-1.4].
#[test]
fn only_search_query_initiated_needs_audit_premium() {
    assert_eq!(premium_actions().names(), ["SearchQueryInitiated"]);
    assert_eq!(Action::SearchQueryInitiated.valid_logon_types(), [Owner]);
    assert!(!managed_defaults(Owner).contains(Action::SearchQueryInitiated));
}

/// DESIGN §1.2: "A mailbox has Audit (Premium) when PersistedCapabilities contains
/// M365Auditing. (BPOS_S_EquivioAnalytics is the eDiscovery plan, not an audit signal.)" [EV-4.7]
#[test]
fn audit_premium_is_m365auditing_alone() {
    assert!(grants_audit_premium("M365Auditing"));
    assert!(grants_audit_premium(" m365auditing "));
    assert!(!grants_audit_premium("BPOS_S_EquivioAnalytics"));
    assert!(!grants_audit_premium("M365AuditPlatform"));
}

/// The Microsoft SOA script's default lists, word for word [EV-1.2], against the catalog's `D`
/// cells.
#[test]
fn managed_defaults_are_microsofts_lists() {
    let soa = [
        (Admin, "ApplyRecord,Create,HardDelete,MailItemsAccessed,MoveToDeletedItems,Send,SendAs,SendOnBehalf,SoftDelete,Update,UpdateCalendarDelegation,UpdateFolderPermissions,UpdateInboxRules"),
        (Delegate, "ApplyRecord,Create,HardDelete,MailItemsAccessed,MoveToDeletedItems,SendAs,SendOnBehalf,SoftDelete,Update,UpdateFolderPermissions,UpdateInboxRules"),
        (Owner, "ApplyRecord,HardDelete,MailItemsAccessed,MoveToDeletedItems,Send,SoftDelete,Update,UpdateCalendarDelegation,UpdateFolderPermissions,UpdateInboxRules"),
    ];
    for (logon, list) in soa {
        let expected: ActionSet = list.split(',').map(|n| Action::parse(n).unwrap()).collect();
        assert_eq!(managed_defaults(logon), expected, "{logon}");
        assert!(managed_defaults(logon)
            .difference(valid_actions(logon))
            .is_empty());
    }
}

#[test]
fn actions_index_the_catalog_in_order() {
    for (index, row) in CATALOG.iter().enumerate() {
        assert_eq!(row.action as usize, index);
        assert_eq!(Action::from_index(index), Some(row.action));
        assert_eq!(Action::ALL[index], row.action);
    }
}

#[test]
fn names_are_looked_up_case_insensitively_and_output_canonically() {
    assert_eq!(Action::parse("mailboxlogin"), Some(Action::MailboxLogin));
    assert_eq!(Action::parse("HARDDELETE"), Some(Action::HardDelete));
    assert_eq!(Action::MailboxLogin.to_string(), "MailboxLogin");
    assert_eq!(Action::parse("NotAnAction"), None);
}

#[test]
fn an_unknown_name_gets_a_did_you_mean_from_the_catalog() {
    assert_eq!(suggest("MailboxLogon"), Some("MailboxLogin"));
    assert_eq!(suggest("harddelet"), Some("HardDelete"));
    assert_eq!(suggest("zzzz"), None);
    let rejection = check("SoftDelet", Owner).unwrap_err();
    assert_eq!(
        rejection.to_string(),
        "unknown audit action `SoftDelet`; did you mean `SoftDelete`?"
    );
}

#[test]
fn an_action_invalid_for_its_logon_type_quotes_the_catalog() {
    assert_eq!(
        check("MailboxLogin", Admin).unwrap_err().to_string(),
        "MailboxLogin can't be audited for Admin; it is an Owner action"
    );
    assert_eq!(
        check("Copy", Owner).unwrap_err().to_string(),
        "Copy can't be audited for Owner; it is an Admin action"
    );
    assert_eq!(
        check("SendAs", Owner).unwrap_err().to_string(),
        "SendAs can't be audited for Owner; it is valid for Admin and Delegate"
    );
}

/// DESIGN §1.1 MessageBind: auditform refuses it in policies, with its own hint (the service's
/// text is not public, evidence-service.md W3).
#[test]
fn message_bind_is_refused_in_policies_with_a_hint_to_use_mail_items_accessed() {
    for logon in LogonType::ALL {
        let rejection = check("messagebind", logon).unwrap_err();
        assert_eq!(
            rejection.to_string(),
            "MessageBind is deprecated and can't be named in a policy"
        );
        assert!(rejection.hint().unwrap().contains("MailItemsAccessed"));
    }
    assert!(!policy_actions(Admin).contains(Action::MessageBind));
    assert!(valid_actions(Admin).contains(Action::MessageBind));
}

/// `None` and `Default` are members of the service's enum, not actions [EV-1.9]; `Default` gets
/// a hint to use the `default` keyword.
#[test]
fn default_is_reserved_with_a_hint_to_use_the_default_keyword() {
    let rejection = check("Default", Owner).unwrap_err();
    assert_eq!(rejection.to_string(), "`Default` is not an audit action");
    assert!(rejection.hint().unwrap().contains("`owner: default`"));
    assert_eq!(
        check("none", Admin).unwrap_err(),
        Rejection::NotAnAction { name: "None" }
    );
}

#[test]
fn every_2018_action_name_is_known() {
    let reference_2018 = [
        "Copy",
        "Create",
        "FolderBind",
        "HardDelete",
        "MailboxLogin",
        "MessageBind",
        "Move",
        "MoveToDeletedItems",
        "SendAs",
        "SendOnBehalf",
        "SoftDelete",
        "Update",
        "UpdateCalendarDelegation",
        "UpdateFolderPermissions",
        "UpdateInboxRules",
    ];
    for name in reference_2018 {
        assert!(Action::parse(name).is_some(), "{name} is a 2018 name");
    }
}
