//! Sets of catalog actions, as bitsets indexed by catalog row.

use super::Action;
use std::fmt;

/// A set of catalog actions, as a bitset indexed by catalog row.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionSet(u32);

impl ActionSet {
    pub const EMPTY: ActionSet = ActionSet(0);

    pub fn bits(self) -> u32 {
        self.0
    }
    pub fn contains(self, action: Action) -> bool {
        self.0 & (1 << action as u32) != 0
    }
    pub fn insert(&mut self, action: Action) {
        self.0 |= 1 << action as u32;
    }
    pub fn remove(&mut self, action: Action) {
        self.0 &= !(1 << action as u32);
    }
    pub fn union(self, other: ActionSet) -> ActionSet {
        ActionSet(self.0 | other.0)
    }
    pub fn intersection(self, other: ActionSet) -> ActionSet {
        ActionSet(self.0 & other.0)
    }
    pub fn difference(self, other: ActionSet) -> ActionSet {
        ActionSet(self.0 & !other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// Actions in catalog order, which is the canonical output order.
    pub fn iter(self) -> impl Iterator<Item = Action> {
        Action::ALL.into_iter().filter(move |a| self.contains(*a))
    }
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Action::name).collect()
    }
}

impl FromIterator<Action> for ActionSet {
    fn from_iter<I: IntoIterator<Item = Action>>(iter: I) -> Self {
        let mut set = ActionSet::EMPTY;
        for action in iter {
            set.insert(action);
        }
        set
    }
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}
