use super::*;
use crate::catalog::LicenceTier;
use crate::model::{
    ActionList, AuditSettings, LogonSet, Mailbox, MailboxNames, RecipientType, TimeSpan,
};
use proptest::prelude::*;

fn parsed(text: &str) -> Filter {
    match Filter::parse(text) {
        Ok(filter) => filter,
        Err(error) => panic!("`{text}` should parse, but: {}", error.explain(text)),
    }
}

fn rejection(text: &str) -> String {
    match Filter::parse(text) {
        Ok(filter) => panic!("`{text}` should be refused, but parsed as `{filter}`"),
        Err(error) => error.explain(text),
    }
}

fn compare(property: &str, op: CompareOp, value: Value) -> Expr {
    Expr::Compare {
        property: property.to_string(),
        op,
        value,
    }
}

fn text(value: &str) -> Value {
    Value::Text(value.to_string())
}

fn mailbox(recipient_type: &str, properties: Vec<(&str, PropertyValue)>) -> Mailbox {
    Mailbox {
        names: MailboxNames {
            identity: "pilar".into(),
            user_principal_name: Some("pilar@contoso.com".into()),
            ..MailboxNames::default()
        },
        recipient_type: RecipientType::parse(recipient_type),
        licence: LicenceTier::NonE5,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: [
                ActionList::from_names(["Update", "HardDelete"]),
                ActionList::default(),
                ActionList::from_names(["MailboxLogin"]),
            ],
            default_audit_set: LogonSet::EMPTY,
        },
        properties: properties
            .into_iter()
            .map(|(name, value)| (Box::from(name), value))
            .collect(),
    }
}

fn finance_user() -> Mailbox {
    mailbox(
        "UserMailbox",
        vec![
            ("Department", PropertyValue::Text("Finance".into())),
            ("CustomAttribute1", PropertyValue::Text("".into())),
            ("ArchiveQuotaGB", PropertyValue::Number(100.0)),
            ("LitigationHoldEnabled", PropertyValue::Bool(false)),
            (
                "EmailAddresses",
                PropertyValue::List(vec![
                    "SMTP:pilar@contoso.com".into(),
                    "smtp:pilar.ackerman@finance.contoso.com".into(),
                ]),
            ),
        ],
    )
}

fn selects(filter: &str, target: &Mailbox) -> bool {
    parsed(filter).matches(target)
}

#[test]
fn the_reference_documents_script_block_filter_parses_as_it_stands() {
    let filter = parsed(r#"{RecipientTypeDetails -eq "UserMailbox"}"#);
    assert_eq!(
        filter.expr(),
        &compare("RecipientTypeDetails", CompareOp::Eq, text("UserMailbox"))
    );
    assert!(filter.matches(&mailbox("UserMailbox", vec![])));
    assert!(!filter.matches(&mailbox("SharedMailbox", vec![])));
}

#[test]
fn bare_words_single_and_double_quotes_give_the_same_text_value() {
    let expected = compare("RecipientTypeDetails", CompareOp::Eq, text("UserMailbox"));
    for source in [
        "RecipientTypeDetails -eq UserMailbox",
        "RecipientTypeDetails -eq 'UserMailbox'",
        r#"RecipientTypeDetails -eq "UserMailbox""#,
        "  { RecipientTypeDetails -EQ 'UserMailbox' }  ",
    ] {
        assert_eq!(parsed(source).expr(), &expected, "{source}");
    }
}

#[test]
fn a_doubled_quote_inside_a_string_stands_for_one_quote() {
    let filter = parsed("Company -eq 'O''Brien ''n'' Sons' -or Notes -eq \"say \"\"hi\"\"\"");
    assert_eq!(
        filter.expr(),
        &Expr::Or(vec![
            compare("Company", CompareOp::Eq, text("O'Brien 'n' Sons")),
            compare("Notes", CompareOp::Eq, text("say \"hi\"")),
        ])
    );
}

#[test]
fn typographic_quotes_pasted_from_a_document_work_as_powershell_reads_them() {
    let filter = parsed("Department -eq \u{201C}Finance\u{201D} -and Company -eq \u{2018}O\u{2019}\u{2019}Brien\u{2019}");
    assert_eq!(
        filter.expr(),
        &Expr::And(vec![
            compare("Department", CompareOp::Eq, text("Finance")),
            compare("Company", CompareOp::Eq, text("O\u{2019}Brien")),
        ])
    );
    assert_eq!(
        parsed(&filter.source()),
        filter,
        "rendered as {}",
        filter.source()
    );
}

#[test]
fn constants_and_numbers_are_values_not_text() {
    let filter =
        parsed("A -eq $TRUE -and B -ne $false -and C -eq $Null -and D -eq 42 -and E -eq -1.5");
    assert_eq!(
        filter.expr(),
        &Expr::And(vec![
            compare("A", CompareOp::Eq, Value::Bool(true)),
            compare("B", CompareOp::Ne, Value::Bool(false)),
            compare("C", CompareOp::Eq, Value::Null),
            compare("D", CompareOp::Eq, Value::Number(42.0)),
            compare("E", CompareOp::Eq, Value::Number(-1.5)),
        ])
    );
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    let filter = parsed("-not A -eq 1 -or B -eq 2 -and !C -eq 3");
    assert_eq!(
        filter.expr(),
        &Expr::Or(vec![
            Expr::Not(Box::new(compare("A", CompareOp::Eq, Value::Number(1.0)))),
            Expr::And(vec![
                compare("B", CompareOp::Eq, Value::Number(2.0)),
                Expr::Not(Box::new(compare("C", CompareOp::Eq, Value::Number(3.0)))),
            ]),
        ])
    );
}

#[test]
fn parentheses_override_precedence_and_are_kept_in_the_canonical_text() {
    let filter = parsed("(a -eq 1 -or b -eq 2) -and -not (c -like 'x*' -and d -notlike '*y')");
    assert_eq!(
        filter.source(),
        "(a -eq 1 -or b -eq 2) -and -not (c -like 'x*' -and d -notlike '*y')"
    );
    assert_eq!(parsed("((a -eq 1))").source(), "a -eq 1");
}

#[test]
fn the_canonical_text_normalises_operators_quotes_and_wrappers() {
    let filter = parsed(
        r#"{ Department -EQ "Finance" -AND CustomAttribute1 -NE NoAudit -or ! X -Like "O'*" }"#,
    );
    insta::assert_snapshot!(filter.source(), @"Department -eq 'Finance' -and CustomAttribute1 -ne 'NoAudit' -or -not X -like 'O''*'");
}

#[test]
fn properties_are_listed_once_each_in_order_of_first_use() {
    let filter =
        parsed("Department -eq 'x' -or (department -ne 'y' -and CustomAttribute1 -like 'z*')");
    assert_eq!(filter.properties(), vec!["Department", "CustomAttribute1"]);
}

#[test]
fn text_comparisons_ignore_case() {
    let user = finance_user();
    assert!(selects("Department -eq 'FINANCE'", &user));
    assert!(selects("RecipientTypeDetails -eq 'usermailbox'", &user));
    assert!(selects("UserPrincipalName -like 'PILAR@*'", &user));
    assert!(!selects("Department -ne 'finance'", &user));
}

#[test]
fn like_uses_star_as_the_only_wildcard() {
    let user = finance_user();
    assert!(selects("Department -like 'Fin*'", &user));
    assert!(selects("Department -like '*nan*'", &user));
    assert!(selects("Department -like '*'", &user));
    assert!(selects("Department -like 'F*n*e'", &user));
    assert!(!selects("Department -like 'Fin'", &user));
    assert!(!selects("Department -like 'F?nance'", &user));
    assert!(selects("Department -notlike 'HR*'", &user));
}

#[test]
fn a_missing_property_reads_as_null() {
    let user = finance_user();
    assert!(selects("Office -eq $null", &user));
    assert!(!selects("Office -ne $null", &user));
    assert!(!selects("Office -eq 'Paris'", &user));
    assert!(selects("Office -ne 'Paris'", &user));
    assert!(!selects("Office -like '*'", &user));
    assert!(selects("Office -notlike '*'", &user));
}

#[test]
fn empty_text_and_unset_names_equal_null() {
    let user = finance_user();
    assert!(selects("CustomAttribute1 -eq $null", &user));
    assert!(selects("Alias -eq $null", &user));
    assert!(selects("Department -ne $null", &user));
}

#[test]
fn a_list_property_equals_a_value_when_any_element_does() {
    let user = finance_user();
    assert!(selects(
        "EmailAddresses -eq 'smtp:pilar@contoso.com'",
        &user
    ));
    assert!(selects(
        "EmailAddresses -like '*@finance.contoso.com'",
        &user
    ));
    assert!(!selects(
        "EmailAddresses -eq 'smtp:nobody@contoso.com'",
        &user
    ));
    assert!(selects("AuditOwner -eq 'MailboxLogin'", &user));
    assert!(selects(
        "AuditAdmin -eq 'hardDelete' -and AuditAdmin -ne 'Copy'",
        &user
    ));
    assert!(selects("AuditDelegate -eq $null", &user));
}

#[test]
fn bools_compare_with_constants_and_with_true_or_false_text() {
    let user = finance_user();
    assert!(selects("AuditEnabled -eq $true", &user));
    assert!(selects("AuditEnabled -eq 'True'", &user));
    assert!(selects("AuditEnabled -eq true", &user));
    assert!(!selects("AuditEnabled -eq $false", &user));
    assert!(selects("LitigationHoldEnabled -eq 'false'", &user));
    assert!(selects("LitigationHoldEnabled -ne $true", &user));
    assert!(!selects("LitigationHoldEnabled -eq $null", &user));
}

#[test]
fn numbers_compare_numerically_with_numbers_and_numeric_text() {
    let user = finance_user();
    assert!(selects("ArchiveQuotaGB -eq 100", &user));
    assert!(selects("ArchiveQuotaGB -eq '100.0'", &user));
    assert!(!selects("ArchiveQuotaGB -eq 99", &user));
}

#[test]
fn the_design_documents_example_filter_selects_finance_without_the_opt_out() {
    let filter = "Department -eq 'Finance' -and CustomAttribute1 -ne 'NoAudit'";
    assert!(selects(filter, &finance_user()));
    let opted_out = mailbox(
        "UserMailbox",
        vec![
            ("Department", PropertyValue::Text("Finance".into())),
            ("CustomAttribute1", PropertyValue::Text("noaudit".into())),
        ],
    );
    assert!(!selects(filter, &opted_out));
}

#[test]
fn wildcard_matching_handles_unicode_and_backtracking() {
    assert!(wildcard_match("*ÉCOLE*", "la école"));
    assert!(wildcard_match("a*b*c", "aXbYbZc"));
    assert!(!wildcard_match("a*b*c", "aXbYbZ"));
    assert!(wildcard_match("**", ""));
    assert!(!wildcard_match("", "x"));
    assert!(wildcard_match(&"*a".repeat(30), &"a".repeat(200)));
}

#[test]
fn an_unknown_operator_suggests_the_closest_supported_one() {
    insta::assert_snapshot!(rejection("Department -equals 'Finance'"));
}

#[test]
fn operators_outside_the_subset_are_named_as_unsupported() {
    insta::assert_snapshot!(rejection("ArchiveQuotaGB -gt 50"));
    insta::assert_snapshot!("match", rejection("Department -match '^Fin'"));
    insta::assert_snapshot!("contains", rejection("EmailAddresses -contains 'x'"));
    insta::assert_snapshot!("case_sensitive", rejection("Department -ceq 'Finance'"));
}

#[test]
fn an_unterminated_string_points_at_its_opening_quote() {
    insta::assert_snapshot!(rejection("Department -eq 'Finance -and A -eq 1"));
}

#[test]
fn a_comparison_without_a_value_is_refused() {
    insta::assert_snapshot!(rejection("Department -eq"));
    insta::assert_snapshot!("before_and", rejection("Department -eq -and A -eq 1"));
}

#[test]
fn a_property_without_an_operator_is_refused() {
    insta::assert_snapshot!(rejection("Department 'Finance'"));
    insta::assert_snapshot!("dashless", rejection("Department eq 'Finance'"));
}

#[test]
fn unbalanced_parentheses_are_refused_where_they_go_wrong() {
    insta::assert_snapshot!("unclosed", rejection("(A -eq 1 -or (B -eq 2)"));
    insta::assert_snapshot!("unmatched", rejection("A -eq 1) -or B -eq 2"));
    insta::assert_snapshot!("brace", rejection("{A -eq 1"));
}

#[test]
fn trailing_input_after_a_complete_condition_is_refused() {
    insta::assert_snapshot!(rejection("A -eq 1 B -eq 2"));
}

#[test]
fn an_empty_filter_is_refused() {
    insta::assert_snapshot!(rejection("   "));
    assert_eq!(Filter::parse("{ }").map_err(|e| e.offset), Err(2));
}

#[test]
fn a_dangling_logical_operator_is_refused() {
    insta::assert_snapshot!(rejection("A -eq 1 -and"));
    insta::assert_snapshot!("value_first", rejection("'Finance' -eq Department"));
    insta::assert_snapshot!("variable", rejection("Department -eq $dept"));
}

#[test]
fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}A -eq 1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Filter::parse(&deep).is_err());
    let negated = format!("{}A -eq 1", "-not ".repeat(10_000));
    assert!(Filter::parse(&negated).is_err());
}

fn property_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,12}"
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| Value::Number(f64::from(n))),
        (-1.0e6..1.0e6f64).prop_map(Value::Number),
        any::<String>().prop_map(Value::Text),
        "[ a-z'\"*()\u{2018}\u{2019}\u{201A}\u{201B}\u{201C}\u{201D}-]{0,8}".prop_map(Value::Text),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let op = prop_oneof![
        Just(CompareOp::Eq),
        Just(CompareOp::Ne),
        Just(CompareOp::Like),
        Just(CompareOp::NotLike),
    ];
    let leaf = (property_name(), op, value()).prop_map(|(property, op, value)| Expr::Compare {
        property,
        op,
        value,
    });
    leaf.prop_recursive(5, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

proptest! {
    #[test]
    fn any_filter_rendered_to_text_parses_back_to_the_same_filter(expr in expr()) {
        let filter = Filter::new(expr);
        let source = filter.source();
        let reparsed = Filter::parse(&source).map_err(|e| TestCaseError::fail(e.explain(&source)))?;
        prop_assert_eq!(reparsed, filter);
    }

    #[test]
    fn arbitrary_text_is_parsed_or_refused_at_an_offset_inside_it(text in any::<String>()) {
        if let Err(error) = Filter::parse(&text) {
            prop_assert!(error.offset <= text.len());
            prop_assert!(text.is_char_boundary(error.offset));
        }
    }
}
