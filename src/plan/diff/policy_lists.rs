//! The lists of policies a plan names, each distinct list kept once.
//!
//! Every change names the policies behind it, and a million-mailbox tenant has a million changes
//! but only as many distinct lists as combinations of policies that cause changes (a handful to
//! a few hundred). Sharing one list among the changes that name it saves a list per change,
//! about a tenth of a large plan's memory, and writes nothing differently.

use crate::policy::{PolicyRef, PolicySet};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub(super) struct PolicyLists {
    /// The policies' indexes in the set, sorted and each once → their references, sorted.
    by_indexes: HashMap<Box<[u32]>, Arc<[PolicyRef]>>,
}

impl PolicyLists {
    /// The policies of `indexes` (into `policies.mailbox`, in any order, with repeats), each
    /// once and sorted, as one shared list. `indexes` is left sorted and without repeats.
    pub fn list(&mut self, policies: &PolicySet, indexes: &mut Vec<u32>) -> Arc<[PolicyRef]> {
        indexes.sort_unstable();
        indexes.dedup();
        if let Some(list) = self.by_indexes.get(&indexes[..]) {
            return Arc::clone(list);
        }
        let list: Arc<[PolicyRef]> = super::sorted_refs(
            indexes
                .iter()
                .map(|&index| &policies.mailbox[index as usize].reference),
        )
        .into();
        self.by_indexes
            .insert(indexes.clone().into_boxed_slice(), Arc::clone(&list));
        list
    }
}
