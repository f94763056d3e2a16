//! The catalog as a policy set sees it: the static table, plus the actions the policy set
//! declares because Microsoft added them after this version of auditform.
//!
//! Microsoft adds mailbox audit actions from time to time; a user must never wait for a new
//! auditform release to audit one. A declaration gives the action's name, the logon types the
//! service accepts it for, and for which of them it is one of Microsoft's managed defaults.
//! From then on policies may name it, and resolution, defaults and the plan treat it like a
//! catalog action; the service's own answer decides at apply. [`CATALOG`] stays the one
//! statement of what auditform itself knows.

use super::{
    check_known, closest, Action, ActionList, ActionSet, LogonType, Rejection, Support, CATALOG,
    NOT_ACTIONS,
};
use std::fmt;

/// An action the policy set declares, unknown to this version of auditform.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeclaredAction {
    /// As the declaration spells it; names match without case.
    pub name: Box<str>,
    /// Indexed by [`LogonType::index`]: whether the service accepts it for that logon type,
    /// and whether it is one of Microsoft's managed defaults there.
    pub support: [Support; 3],
    /// Where it was declared, as `FILE:LINE`, for the plan and for errors.
    pub origin: Box<str>,
}

impl DeclaredAction {
    pub fn support(&self, logon: LogonType) -> Support {
        self.support[logon.index()]
    }

    pub fn is_valid_for(&self, logon: LogonType) -> bool {
        self.support(logon) != Support::Rejected
    }

    pub fn valid_logon_types(&self) -> Vec<LogonType> {
        LogonType::ALL
            .into_iter()
            .filter(|logon| self.is_valid_for(*logon))
            .collect()
    }
}

/// An action as a policy set knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionRef<'c> {
    Known(Action),
    Declared(&'c DeclaredAction),
}

impl ActionRef<'_> {
    pub fn name(&self) -> &str {
        match self {
            ActionRef::Known(action) => action.name(),
            ActionRef::Declared(declared) => &declared.name,
        }
    }

    pub fn support(&self, logon: LogonType) -> Support {
        match self {
            ActionRef::Known(action) => action.support(logon),
            ActionRef::Declared(declared) => declared.support(logon),
        }
    }
}

/// Why a declaration is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeclarationError {
    /// Not a name the service could have: an enum member's name is letters and digits.
    BadName { name: String },
    /// `None` or `Default`.
    NotAnAction { name: String },
    /// The static catalog has it already (perhaps spelt in another case).
    Known {
        name: String,
        catalog_name: &'static str,
    },
    /// So close to a catalog action that it is most likely that action misspelt.
    NearKnown {
        name: String,
        catalog_name: &'static str,
    },
    /// Declared twice in the policy set.
    Duplicate { name: String, first_origin: String },
    /// Valid for no logon type at all.
    NoLogonType { name: String },
}

impl fmt::Display for DeclarationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeclarationError::BadName { name } => write!(
                f,
                "`{name}` can't be the name of an audit action: names are a letter followed by letters and digits"
            ),
            DeclarationError::NotAnAction { name } => {
                write!(f, "`{name}` can't be declared: it is not an audit action")
            }
            DeclarationError::Known { name, catalog_name } if name == catalog_name => write!(
                f,
                "{catalog_name} is already in auditform's catalog, so it needs no declaration"
            ),
            DeclarationError::Known { name, catalog_name } => write!(
                f,
                "`{name}` is auditform's catalog action {catalog_name} (names ignore case), so it needs no declaration"
            ),
            DeclarationError::NearKnown { name, catalog_name } => write!(
                f,
                "`{name}` looks like a misspelling of the catalog action {catalog_name}; did you mean `{catalog_name}`?"
            ),
            DeclarationError::Duplicate { name, first_origin } => {
                write!(f, "`{name}` is declared twice; it was first declared at {first_origin}")
            }
            DeclarationError::NoLogonType { name } => write!(
                f,
                "`{name}` is declared valid for no logon type, so no policy could name it"
            ),
        }
    }
}

impl DeclarationError {
    pub fn hint(&self) -> &'static str {
        match self {
            DeclarationError::BadName { .. } => {
                "copy the name exactly as Microsoft's documentation spells it (letters and digits, such as `MailItemsAccessed`)"
            }
            DeclarationError::NotAnAction { .. } => {
                "`None` is an empty list and `default` is Microsoft's managed list; neither is declared"
            }
            DeclarationError::Known { .. } => {
                "remove the declaration and name the action in policies as it is"
            }
            DeclarationError::NearKnown { .. } => {
                "remove the declaration and name the catalog action; a declared name within two letters of a catalog action is refused as a likely typo"
            }
            DeclarationError::Duplicate { .. } => "keep one declaration of each action",
            DeclarationError::NoLogonType { .. } => {
                "list in `logonTypes` the logon types (`Admin`, `Delegate`, `Owner`) for which the service accepts it"
            }
        }
    }
}

/// The catalog a policy set works with: [`CATALOG`] and the set's declarations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    declared: Vec<DeclaredAction>,
}

impl Catalog {
    /// The static catalog alone.
    pub fn builtin() -> Catalog {
        Catalog::default()
    }

    /// A catalog of declarations that were checked when they were made, such as those a saved
    /// plan carries; one that no longer passes [`Catalog::declare`] is left out.
    pub fn from_trusted(declared: Vec<DeclaredAction>) -> Catalog {
        let mut catalog = Catalog::builtin();
        for action in declared {
            let _ = catalog.declare(action);
        }
        catalog
    }

    /// Adds a declaration, or refuses it: a declared action must be new to the catalog, and
    /// must not look like a catalog action misspelt.
    pub fn declare(&mut self, action: DeclaredAction) -> Result<(), DeclarationError> {
        let name = action.name.to_string();
        let well_formed = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric())
            && name.len() <= 64;
        if !well_formed {
            return Err(DeclarationError::BadName { name });
        }
        if NOT_ACTIONS.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(DeclarationError::NotAnAction { name });
        }
        if let Some(action) = Action::parse(&name) {
            return Err(DeclarationError::Known {
                name,
                catalog_name: action.name(),
            });
        }
        if let Some(catalog_name) = near_catalog_name(&name) {
            return Err(DeclarationError::NearKnown { name, catalog_name });
        }
        if let Some(first) = self.find_declared(&name) {
            return Err(DeclarationError::Duplicate {
                name,
                first_origin: first.origin.to_string(),
            });
        }
        if action.valid_logon_types().is_empty() {
            return Err(DeclarationError::NoLogonType { name });
        }
        self.declared.push(action);
        Ok(())
    }

    /// The declarations, in the order they were made.
    pub fn declared(&self) -> &[DeclaredAction] {
        &self.declared
    }

    /// A declared action by name, ignoring case.
    pub fn find_declared(&self, name: &str) -> Option<&DeclaredAction> {
        let name = name.trim();
        self.declared
            .iter()
            .find(|declared| declared.name.eq_ignore_ascii_case(name))
    }

    /// The position of a declared action in [`Catalog::declared`].
    pub fn declared_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.declared
            .iter()
            .position(|declared| declared.name.eq_ignore_ascii_case(name))
    }

    /// Whether a name is a catalog action or a declared one.
    pub fn knows(&self, name: &str) -> bool {
        Action::parse(name.trim()).is_some() || self.find_declared(name).is_some()
    }

    /// Checks a policy's action name for a logon type, against the catalog and the
    /// declarations. An unknown name gets a "did you mean" from both.
    pub fn check(&self, name: &str, logon: LogonType) -> Result<ActionRef<'_>, Rejection> {
        if let Some(checked) = check_known(name, logon) {
            return checked.map(ActionRef::Known);
        }
        let Some(declared) = self.find_declared(name) else {
            let candidates = CATALOG
                .iter()
                .map(|row| row.name)
                .chain(self.declared.iter().map(|d| &*d.name));
            return Err(Rejection::Unknown {
                name: name.to_string(),
                suggestion: closest(name, candidates).map(str::to_string),
            });
        };
        if !declared.is_valid_for(logon) {
            return Err(Rejection::WrongLogonType {
                name: declared.name.to_string(),
                logon,
                valid: declared.valid_logon_types(),
            });
        }
        Ok(ActionRef::Declared(declared))
    }

    /// Microsoft's managed default list for a logon type: the catalog's defaults and the
    /// declared actions said to be defaults there.
    pub fn managed_defaults(&self, logon: LogonType) -> ActionList {
        let mut list = ActionList::from_known(super::managed_defaults(logon));
        for declared in &self.declared {
            if declared.support(logon) == Support::Default {
                list.insert_unknown(&declared.name);
            }
        }
        list
    }

    /// Every action the service accepts for a logon type, declared ones included.
    pub fn valid_actions(&self, logon: LogonType) -> ActionList {
        let mut list = ActionList::from_known(super::valid_actions(logon));
        for declared in &self.declared {
            if declared.is_valid_for(logon) {
                list.insert_unknown(&declared.name);
            }
        }
        list
    }

    /// Every action a policy may name for a logon type: valid, not deprecated.
    pub fn policy_actions(&self, logon: LogonType) -> ActionList {
        let mut list = self.valid_actions(logon);
        list.known = list.known.intersection(super::policy_actions(logon));
        list
    }

    /// Every catalog action and every declared one.
    pub fn all_actions(&self) -> ActionList {
        let mut list = ActionList::from_known(Action::ALL.into_iter().collect::<ActionSet>());
        for declared in &self.declared {
            list.insert_unknown(&declared.name);
        }
        list
    }
}

/// The catalog action a name is a likely misspelling of: at most two edits away (one for a
/// short name), ignoring case.
fn near_catalog_name(name: &str) -> Option<&'static str> {
    let lowered = name.to_ascii_lowercase();
    CATALOG
        .iter()
        .map(|row| {
            let distance = strsim::damerau_levenshtein(&lowered, &row.name.to_ascii_lowercase());
            (distance, row.name)
        })
        .filter(|(distance, catalog_name)| {
            let allowed = if catalog_name.len().min(name.len()) < 6 {
                1
            } else {
                2
            };
            *distance <= allowed
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, catalog_name)| catalog_name)
}

#[cfg(test)]
mod tests;
