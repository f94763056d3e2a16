//! The names of an [`ActionList`](super::ActionList) beyond the static catalog, in one pointer.
//!
//! Almost every list a tenant holds has none, and a plan keeps twelve lists per changed mailbox
//! (before, after, add and remove for each logon type): a `Vec` there costs 24 bytes each time,
//! 288 bytes per change, most of a million-mailbox plan's memory. This holds nothing at all
//! when empty and the list behind one box otherwise; it reads as a slice, like the `Vec` it
//! replaces.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// A list of names in one pointer: null when empty, never an empty box.
// The box is the point: it makes the field one pointer wide, and a second allocation happens
// only in the rare list that holds a name beyond the catalog.
#[allow(clippy::box_collection)]
#[derive(Clone, Default)]
pub struct UnknownNames(Option<Box<Vec<Box<str>>>>);

impl UnknownNames {
    pub const fn new() -> Self {
        UnknownNames(None)
    }

    pub fn as_slice(&self) -> &[Box<str>] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn insert(&mut self, index: usize, name: Box<str>) {
        self.0
            .get_or_insert_with(Default::default)
            .insert(index, name);
    }

    pub fn clear(&mut self) {
        self.0 = None;
    }

    pub fn retain(&mut self, keep: impl FnMut(&Box<str>) -> bool) {
        if let Some(names) = &mut self.0 {
            names.retain(keep);
            if names.is_empty() {
                self.0 = None;
            }
        }
    }
}

impl Deref for UnknownNames {
    type Target = [Box<str>];

    fn deref(&self) -> &[Box<str>] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a UnknownNames {
    type Item = &'a Box<str>;
    type IntoIter = std::slice::Iter<'a, Box<str>>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl FromIterator<Box<str>> for UnknownNames {
    fn from_iter<I: IntoIterator<Item = Box<str>>>(iter: I) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl From<Vec<Box<str>>> for UnknownNames {
    fn from(names: Vec<Box<str>>) -> Self {
        UnknownNames((!names.is_empty()).then(|| Box::new(names)))
    }
}

impl PartialEq for UnknownNames {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for UnknownNames {}

impl Hash for UnknownNames {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for UnknownNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emptied_list_is_the_empty_list() {
        let mut names: UnknownNames = vec!["A".into(), "B".into()].into();
        names.retain(|_| false);
        assert_eq!(names, UnknownNames::new());
        assert!(names.0.is_none(), "no box is kept for no names");
    }

    #[test]
    fn it_takes_one_pointer() {
        assert_eq!(
            std::mem::size_of::<UnknownNames>(),
            std::mem::size_of::<usize>()
        );
    }
}
