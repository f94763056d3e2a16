//! A set of actions that may go beyond the static catalog: catalog actions as a bitset, and
//! every other name (an action the policy set declares, or one newer than auditform read from
//! a mailbox) as text. Names compare without case, as the service's do.

use super::{Action, ActionSet, UnknownNames};

/// One logon type's list, or any set of actions. Catalog actions sit in `known`; names the
/// static catalog does not have (declared actions, and actions newer than this version of
/// auditform) are kept as they came in `unknown`, so that reading state never fails on an
/// action and a declared action travels like any other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ActionList {
    pub known: ActionSet,
    /// Sorted case-insensitively and free of duplicates (ignoring case), so that lists compare
    /// as sets.
    pub unknown: UnknownNames,
}

impl ActionList {
    pub fn from_known(known: ActionSet) -> Self {
        ActionList {
            known,
            unknown: UnknownNames::new(),
        }
    }

    /// Builds a list from names as the service returns them. `None` means an empty list.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut list = ActionList::default();
        for name in names {
            list.push_name(name);
        }
        list
    }

    /// Adds a name: a catalog action to `known`, any other name to `unknown`.
    pub fn push_name(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() || name.eq_ignore_ascii_case("None") {
            return;
        }
        match Action::parse(name) {
            Some(action) => self.known.insert(action),
            None => self.insert_unknown(name),
        }
    }

    /// Adds a name the static catalog does not have, unless it is there already (ignoring case).
    pub fn insert_unknown(&mut self, name: &str) {
        if let Err(at) = self.unknown_position(name) {
            self.unknown.insert(at, name.into());
        }
    }

    fn unknown_position(&self, name: &str) -> Result<usize, usize> {
        self.unknown
            .binary_search_by(|probe| compare_ignoring_case(probe, name))
    }

    /// Whether a name the static catalog does not have is in the list, ignoring case.
    pub fn contains_unknown(&self, name: &str) -> bool {
        self.unknown_position(name).is_ok()
    }

    /// Whether a name is in the list, ignoring case.
    pub fn contains_name(&self, name: &str) -> bool {
        match Action::parse(name.trim()) {
            Some(action) => self.known.contains(action),
            None => self.contains_unknown(name.trim()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_empty() && self.unknown.is_empty()
    }

    pub fn len(&self) -> usize {
        self.known.len() + self.unknown.len()
    }

    /// Every action of either list; a name in both keeps this list's spelling.
    pub fn union(&self, other: &ActionList) -> ActionList {
        let mut union = self.clone();
        union.known = union.known.union(other.known);
        for name in &other.unknown {
            union.insert_unknown(name);
        }
        union
    }

    /// The actions of this list that are not in `other`.
    pub fn difference(&self, other: &ActionList) -> ActionList {
        ActionList {
            known: self.known.difference(other.known),
            unknown: self
                .unknown
                .iter()
                .filter(|name| !other.contains_unknown(name))
                .cloned()
                .collect(),
        }
    }

    /// The actions of this list that are also in `other`.
    pub fn intersection(&self, other: &ActionList) -> ActionList {
        ActionList {
            known: self.known.intersection(other.known),
            unknown: self
                .unknown
                .iter()
                .filter(|name| other.contains_unknown(name))
                .cloned()
                .collect(),
        }
    }

    /// Whether both hold the same actions, ignoring the case of names beyond the catalog.
    pub fn same_actions(&self, other: &ActionList) -> bool {
        self.known == other.known
            && self.unknown.len() == other.unknown.len()
            && self.unknown.iter().all(|name| other.contains_unknown(name))
    }

    /// Names in canonical order: catalog actions first, then the others.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.known.names();
        names.extend(self.unknown.iter().map(|n| &**n));
        names
    }
}

impl From<ActionSet> for ActionList {
    fn from(known: ActionSet) -> Self {
        ActionList::from_known(known)
    }
}

impl FromIterator<Action> for ActionList {
    fn from_iter<I: IntoIterator<Item = Action>>(iter: I) -> Self {
        ActionList::from_known(iter.into_iter().collect())
    }
}

fn compare_ignoring_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|byte| byte.to_ascii_lowercase())
        .cmp(b.bytes().map(|byte| byte.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beyond_the_catalog_compare_without_case_and_keep_their_first_spelling() {
        let mut list = ActionList::from_names(["Update", "ExampleNewAction", "None"]);
        list.push_name("examplenewaction");
        assert_eq!(list.names(), ["Update", "ExampleNewAction"]);
        assert!(list.contains_name("EXAMPLENEWACTION"));
        assert!(list.contains_name("update"));
        assert!(!list.contains_name("Copy"));
    }

    #[test]
    fn set_operations_treat_catalog_actions_and_other_names_alike() {
        let a = ActionList::from_names(["Update", "Copy", "ExampleNewAction", "Zeta"]);
        let b = ActionList::from_names(["copy", "examplenewaction"]);
        assert_eq!(a.difference(&b).names(), ["Update", "Zeta"]);
        assert_eq!(a.intersection(&b).names(), ["Copy", "ExampleNewAction"]);
        assert_eq!(
            b.union(&a).names(),
            ["Copy", "Update", "examplenewaction", "Zeta"]
        );
        assert!(b.same_actions(&ActionList::from_names(["ExampleNewAction", "COPY"])));
        assert_eq!(a.len(), 4);
    }
}
