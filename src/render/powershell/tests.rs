use super::*;
use crate::plan::fixtures::*;
use crate::plan::Plan;

fn plan_of(changes: Vec<MailboxChange>) -> Plan {
    Plan {
        source: "snapshot examples/tenant.json".to_string(),
        mailbox_changes: changes,
        ..Plan::default()
    }
}

#[test]
fn a_single_quote_and_every_unicode_single_quote_are_doubled() {
    assert_eq!(
        quote("id", "o'brien\u{2018}\u{2019}\u{201A}\u{201B}").unwrap(),
        "'o''brien\u{2018}\u{2018}\u{2019}\u{2019}\u{201A}\u{201A}\u{201B}\u{201B}'"
    );
}

#[test]
fn expansion_and_statement_characters_stay_literal_inside_single_quotes() {
    let text = "$(Remove-Mailbox x) `n; | & #> \"";
    assert_eq!(quote("id", text).unwrap(), format!("'{text}'"));
}

#[test]
fn a_line_break_or_control_character_is_refused() {
    for text in [
        "a\nb",
        "a\rb",
        "a\u{0}b",
        "a\u{1b}b",
        "a\u{85}b",
        "a\u{2028}b",
    ] {
        let error = quote("mailbox id", text).unwrap_err();
        assert_eq!(error.what, "mailbox id");
        assert!(error.to_string().contains("control character"), "{error}");
    }
}

#[test]
fn a_bidirectional_control_or_a_ci_logging_command_is_refused() {
    for text in [
        "a\u{202e}b",
        "a\u{61c}b",
        "a::b",
        "a ##[error]b",
        "a ##vso[task.setvariable variable=x]b",
        "##teamcity[message text='x']",
    ] {
        let error = quote("mailbox id", text).unwrap_err();
        assert_eq!(error.value, text);
    }
    assert_eq!(quote("id", "a # [b] ## [c]").unwrap(), "'a # [b] ## [c]'");
}

#[test]
fn a_display_name_can_not_end_its_comment() {
    let hostile = mailbox("Evil\n#> Remove-Mailbox x\r\n<#", "evil@contoso.com");
    let script = render_powershell(&plan_of(vec![hostile]), "plan.json").unwrap();
    for line in script.lines() {
        assert!(
            !line.starts_with("Remove-Mailbox") && !line.starts_with("#>"),
            "a name escaped its comment: {line}"
        );
    }
}

#[test]
fn an_identity_with_a_newline_refuses_the_whole_script() {
    let mut change = owner_sign_ins("Pilar", "pilar@contoso.com");
    change.subject = change.subject.with_id("id\nRemove-Mailbox");
    let error = render_powershell(&plan_of(vec![change]), "plan.json").unwrap_err();
    assert_eq!(error.what, "mailbox id");
}

#[test]
fn an_action_name_read_from_state_is_quoted_like_an_identity() {
    let change = mailbox("Pilar", "pilar@contoso.com").list(
        LogonType::Owner,
        list_change(&["MailboxLogin", "Future'Action"], &[], &["Future'Action"]),
    );
    let script = render_powershell(&plan_of(vec![change]), "plan.json").unwrap();
    assert!(
        script.contains("-AuditOwner @{Remove='Future''Action'}"),
        "{script}"
    );
}

#[test]
fn the_script_for_a_typical_plan() {
    let mut plan = plan_of(vec![
        owner_sign_ins("Pilar Pinilla", "pilar@contoso.com"),
        mailbox("Room 1", "room1@contoso.com")
            .recipient(crate::model::RecipientType::RoomMailbox)
            .enabled(false, true)
            .log_age_days(90, 180)
            .restore(LogonType::Owner)
            .default_audit_set(&[LogonType::Admin], &[LogonType::Admin, LogonType::Owner]),
        mailbox("Don Hall", "don@contoso.com").list(
            LogonType::Admin,
            list_change(&["Copy", "Update"], &["HardDelete"], &["Copy"]),
        ),
    ]);
    plan.organization_change = Some(organization(true, false));
    plan.bypass_changes = vec![bypass("svc-backup", true, false)];
    insta::assert_snapshot!(render_powershell(&plan, "plan.json").unwrap());
}

#[test]
fn the_script_for_hostile_names() {
    let mut plan = plan_of(vec![
        mailbox(
            "O'Brien \u{2018}quoted\u{2019} \u{201A}low\u{201B}",
            "o'brien@contoso.com",
        )
        .list(LogonType::Owner, list_change(&[], &["MailboxLogin"], &[])),
        mailbox(
            "$(Remove-Mailbox -Identity ceo) `whoami` ; | #>",
            "x@contoso.com",
        )
        .list(LogonType::Owner, list_change(&[], &["MailboxLogin"], &[])),
        mailbox("Line\nbreak\r\n#> Remove-Mailbox ceo", "y@contoso.com")
            .list(LogonType::Owner, list_change(&[], &["MailboxLogin"], &[])),
    ]);
    plan.mailbox_changes[0].subject = plan.mailbox_changes[0]
        .subject
        .with_id("id-o'brien-\u{2018}\u{2019}\u{201A}\u{201B}");
    plan.mailbox_changes[1].subject = plan.mailbox_changes[1]
        .subject
        .with_id("$(Remove-Mailbox ceo);`x`|#>");
    plan.source = "snapshot evil\n#> Remove-Mailbox ceo".to_string();
    insta::assert_snapshot!(render_powershell(&plan, "plan\n.json").unwrap());
}

#[test]
fn a_plan_without_changes_still_reports_its_summary() {
    let script = render_powershell(&plan_of(Vec::new()), "plan.json").unwrap();
    assert!(script.contains("# No changes."));
    assert!(script.contains("'{0} changed, {1} failed'"));
}
