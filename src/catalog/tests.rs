use super::*;
use LogonType::{Admin, Delegate, Owner};

/// The action table of the design contract (DESIGN §1.1), verbatim. Each row is checked
/// against [`CATALOG`], so the code and the contract cannot drift apart silently.
const CONTRACT: &str = "
| ApplyRecord | D | D | D | |
| Copy | Y | - | - | |
| Create | D | D | Y | |
| FolderBind | Y | Y | - | delegate records are merged to one per folder per 24 h |
| HardDelete | D | D | D | |
| MailboxLogin | - | - | Y | |
| MailItemsAccessed | D E5 | D E5 | D E5 | |
| MessageBind | - | - | - | **deprecated** |
| Move | Y | Y | Y | |
| MoveToDeletedItems | D | D | D | |
| RecordDelete | Y | Y | Y | |
| SearchQueryInitiated | - | - | Y E5 | |
| Send | D E5 | - | D E5 | |
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
            if cell.contains("E5") {
                assert!(action.needs_e5(), "{} needs E5", row.name);
            }
        }
        let any_e5 = row.cells.iter().any(|cell| cell.contains("E5"));
        assert_eq!(action.needs_e5(), any_e5, "{} licensing", row.name);
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

#[test]
fn message_bind_is_refused_with_the_services_own_hint() {
    for logon in LogonType::ALL {
        assert_eq!(
            check("messagebind", logon).unwrap_err().to_string(),
            "MessageBind can't be audited: MessageBind audit operation type is deprecated. Use MailItemsAccessed audit operation type instead."
        );
    }
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

#[test]
fn e5_defaults_add_mail_items_accessed_everywhere_and_send_for_admin_and_owner() {
    for logon in LogonType::ALL {
        let added = managed_defaults(logon, LicenceTier::E5)
            .difference(managed_defaults(logon, LicenceTier::NonE5));
        let expected: ActionSet = match logon {
            Delegate => [Action::MailItemsAccessed].into_iter().collect(),
            Admin | Owner => [Action::MailItemsAccessed, Action::Send]
                .into_iter()
                .collect(),
        };
        assert_eq!(added, expected, "{logon}");
    }
}

#[test]
fn managed_defaults_are_exactly_the_d_cells() {
    assert_eq!(
        managed_defaults(Owner, LicenceTier::NonE5).names(),
        [
            "ApplyRecord",
            "HardDelete",
            "MoveToDeletedItems",
            "SoftDelete",
            "Update",
            "UpdateCalendarDelegation",
            "UpdateFolderPermissions",
            "UpdateInboxRules"
        ]
    );
    for logon in LogonType::ALL {
        assert!(managed_defaults(logon, LicenceTier::E5)
            .difference(valid_actions(logon))
            .is_empty());
    }
}
