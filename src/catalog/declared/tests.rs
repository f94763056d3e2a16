//! DESIGN §1.1, "Actions newer than the catalog": the policy set can declare an action the
//! catalog does not know, with its logon types; from then on policies may name it. The names
//! here are made up: no Microsoft source names a newer action yet (evidence-service.md W4).

use super::*;
use crate::catalog::Support::{Default as D, Rejected as N, Valid as Y};
use LogonType::{Admin, Delegate, Owner};

fn declaration(name: &str, support: [Support; 3]) -> DeclaredAction {
    DeclaredAction {
        name: name.into(),
        support,
        origin: "policies/declared.yaml:3".into(),
    }
}

fn catalog_with(declared: &[DeclaredAction]) -> Catalog {
    let mut catalog = Catalog::builtin();
    for action in declared {
        catalog.declare(action.clone()).unwrap();
    }
    catalog
}

#[test]
fn a_declared_action_can_be_named_for_the_logon_types_it_was_declared_for() {
    let catalog = catalog_with(&[declaration("ExampleNewAction", [Y, N, D])]);
    let checked = catalog.check("examplenewaction", Owner).unwrap();
    assert_eq!(checked.name(), "ExampleNewAction");
    assert!(matches!(checked, ActionRef::Declared(_)));
    assert_eq!(
        catalog
            .check("ExampleNewAction", Delegate)
            .unwrap_err()
            .to_string(),
        "ExampleNewAction can't be audited for Delegate; it is valid for Admin and Owner"
    );
    assert!(matches!(
        catalog.check("HardDelete", Owner),
        Ok(ActionRef::Known(Action::HardDelete))
    ));
}

#[test]
fn a_declared_default_joins_the_managed_defaults_of_its_logon_types_only() {
    let catalog = catalog_with(&[declaration("ExampleNewAction", [D, Y, N])]);
    assert!(catalog
        .managed_defaults(Admin)
        .contains_name("ExampleNewAction"));
    assert!(!catalog
        .managed_defaults(Delegate)
        .contains_name("ExampleNewAction"));
    assert!(catalog
        .valid_actions(Delegate)
        .contains_name("ExampleNewAction"));
    assert!(!catalog
        .valid_actions(Owner)
        .contains_name("ExampleNewAction"));
    assert!(catalog.all_actions().contains_name("ExampleNewAction"));
}

#[test]
fn a_misspelt_catalog_action_is_still_caught_with_did_you_mean() {
    let catalog = catalog_with(&[declaration("ExampleNewAction", [Y, Y, Y])]);
    let rejection = catalog.check("MailItemAccessed", Owner).unwrap_err();
    assert_eq!(
        rejection.to_string(),
        "unknown audit action `MailItemAccessed`; did you mean `MailItemsAccessed`?"
    );
    assert!(rejection.hint().unwrap().contains("declare it"));
    assert_eq!(
        catalog
            .check("ExampleNewActoin", Owner)
            .unwrap_err()
            .to_string(),
        "unknown audit action `ExampleNewActoin`; did you mean `ExampleNewAction`?"
    );
}

#[test]
fn a_declaration_of_a_catalog_action_is_refused_whatever_its_case() {
    let mut catalog = Catalog::builtin();
    let error = catalog
        .declare(declaration("mailitemsaccessed", [D, D, D]))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "`mailitemsaccessed` is auditform's catalog action MailItemsAccessed (names ignore case), so it needs no declaration"
    );
    let error = catalog
        .declare(declaration("SendAs", [D, D, N]))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "SendAs is already in auditform's catalog, so it needs no declaration"
    );
}

#[test]
fn a_declaration_that_is_near_a_catalog_action_is_refused_as_a_likely_typo() {
    let mut catalog = Catalog::builtin();
    for near in ["MailItemAccessed", "UpdateInboxRule", "SnedAs", "Copi"] {
        let error = catalog.declare(declaration(near, [Y, Y, Y])).unwrap_err();
        assert!(
            matches!(error, DeclarationError::NearKnown { .. }),
            "{near}: {error}"
        );
    }
    assert_eq!(
        catalog
            .declare(declaration("MailItemAccessed", [Y, Y, Y]))
            .unwrap_err()
            .to_string(),
        "`MailItemAccessed` looks like a misspelling of the catalog action MailItemsAccessed; did you mean `MailItemsAccessed`?"
    );
    // A name that merely shares a word with a catalog action is new.
    assert!(catalog
        .declare(declaration("MailItemsExported", [Y, Y, Y]))
        .is_ok());
}

#[test]
fn reserved_malformed_repeated_and_useless_declarations_are_refused() {
    let mut catalog = catalog_with(&[declaration("ExampleNewAction", [Y, Y, Y])]);
    let refused = |catalog: &mut Catalog, name: &str, support| {
        catalog.declare(declaration(name, support)).unwrap_err()
    };
    assert!(matches!(
        refused(&mut catalog, "Default", [Y, Y, Y]),
        DeclarationError::NotAnAction { .. }
    ));
    assert!(matches!(
        refused(&mut catalog, "none", [Y, Y, Y]),
        DeclarationError::NotAnAction { .. }
    ));
    for bad in ["", "Two Words", "9Lives", "Semi;colon", "Ünïcode"] {
        assert!(
            matches!(
                refused(&mut catalog, bad, [Y, Y, Y]),
                DeclarationError::BadName { .. }
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        refused(&mut catalog, "EXAMPLENEWACTION", [Y, Y, Y]).to_string(),
        "`EXAMPLENEWACTION` is declared twice; it was first declared at policies/declared.yaml:3"
    );
    assert!(matches!(
        refused(&mut catalog, "OtherNewAction", [N, N, N]),
        DeclarationError::NoLogonType { .. }
    ));
}
