//! Every mailbox's immutable id, to refuse two mailboxes that share one.
//!
//! Ids are found by a 64-bit hash, but two ids are the same only when their text is (ignoring
//! ASCII case, as the service does for GUIDs and addresses): the hash is keyed with fixed keys,
//! so a state file could carry two distinct ids crafted to hash alike, and a hash match alone
//! would refuse the plan for a duplicate that is not there. Each id is therefore kept, compactly
//! (a GUID in 16 bytes), and compared on every hash match.

use hashbrown::HashTable;
use std::hash::Hasher;

#[derive(Clone, Debug)]
pub(super) struct IdRegistry {
    /// The position of the first mailbox with each id, hashed by that id's key: a table of
    /// positions alone (5 bytes a slot) rather than of hashes and positions (17 bytes).
    first: HashTable<u32>,
    /// Each mailbox's id, by position.
    keys: IdKeys,
    hash: fn(&[u8]) -> u64,
}

impl Default for IdRegistry {
    fn default() -> Self {
        IdRegistry {
            first: HashTable::new(),
            keys: IdKeys::default(),
            hash: key_hash,
        }
    }
}

/// SipHash of a key's bytes. Its keys are fixed, so ids can be crafted to collide; a collision
/// only costs a comparison, since ids are found by comparing their keys.
fn key_hash(key: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(key);
    hasher.finish()
}

impl IdRegistry {
    /// Registers the next mailbox's id; answers the position of an earlier mailbox with the
    /// same id, if there is one.
    pub fn claim(&mut self, id: &str) -> Option<usize> {
        let position = self.keys.len();
        self.keys.push(id);
        let earlier = self.find(position, |_| true);
        if earlier.is_none() {
            self.hold(position);
        }
        earlier
    }

    /// The first holder of the id of the mailbox at `position` among those that pass `earlier`.
    fn find(&self, position: usize, earlier: impl Fn(usize) -> bool) -> Option<usize> {
        let keys = &self.keys;
        let key = keys.get(position);
        self.first
            .find((self.hash)(key), |&held| {
                let held = held as usize;
                earlier(held) && keys.get(held) == key
            })
            .map(|&held| held as usize)
    }

    /// Makes the mailbox at `position` the first holder of its id.
    fn hold(&mut self, position: usize) {
        let keys = &self.keys;
        let hash = self.hash;
        let held = u32::try_from(position).expect("fewer than 2^32 mailboxes");
        self.first
            .insert_unique(hash(keys.get(position)), held, |&other| {
                hash(keys.get(other as usize))
            });
    }

    /// Takes in the ids of a later part of the same file, whose positions count from this
    /// part's end; answers each id of the later part that an earlier mailbox of this part
    /// already holds, as (this part's position, the later mailbox's position), in file order.
    /// Duplicates within the later part were answered when it claimed them.
    pub fn absorb(&mut self, later: IdRegistry) -> Vec<(usize, usize)> {
        let offset = self.keys.len();
        let mut holders: Vec<u32> = later.first.into_iter().collect();
        holders.sort_unstable();
        self.keys.append(later.keys);
        self.first.reserve(holders.len(), {
            let keys = &self.keys;
            let hash = self.hash;
            move |&other| hash(keys.get(other as usize))
        });
        let mut shared = Vec::new();
        for position in holders {
            let position = position as usize + offset;
            match self.find(position, |held| held < offset) {
                Some(earlier) => shared.push((earlier, position)),
                None => self.hold(position),
            }
        }
        shared
    }
}

/// Ids one after another in one buffer: a canonical GUID as a tag and its 16 bytes, anything
/// else as a tag and its ASCII-lower-cased bytes, so that equal bytes mean ids equal but for
/// ASCII case.
#[derive(Clone, Debug, Default)]
struct IdKeys {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

const GUID_TAG: u8 = 0;
const TEXT_TAG: u8 = 1;

impl IdKeys {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn push(&mut self, id: &str) {
        encode(id, &mut self.bytes);
        self.ends.push(self.bytes.len());
    }

    fn get(&self, position: usize) -> &[u8] {
        let start = position
            .checked_sub(1)
            .map_or(0, |before| self.ends[before]);
        &self.bytes[start..self.ends[position]]
    }

    fn append(&mut self, later: IdKeys) {
        let shift = self.bytes.len();
        self.bytes.extend_from_slice(&later.bytes);
        self.ends
            .extend(later.ends.into_iter().map(|end| end + shift));
    }
}

fn encode(id: &str, out: &mut Vec<u8>) {
    match guid_bytes(id) {
        Some(guid) => {
            out.push(GUID_TAG);
            out.extend_from_slice(&guid);
        }
        None => {
            out.push(TEXT_TAG);
            out.extend(id.bytes().map(|byte| byte.to_ascii_lowercase()));
        }
    }
}

/// The 16 bytes of a GUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either
/// case): two such texts are equal but for case exactly when their bytes are equal.
fn guid_bytes(id: &str) -> Option<[u8; 16]> {
    let text = id.as_bytes();
    if text.len() != 36 {
        return None;
    }
    let mut guid = [0u8; 16];
    let mut digits = 0;
    for (index, &byte) in text.iter().enumerate() {
        if matches!(index, 8 | 13 | 18 | 23) {
            if byte != b'-' {
                return None;
            }
            continue;
        }
        let value = (byte as char).to_digit(16)? as u8;
        guid[digits / 2] |= value << if digits % 2 == 0 { 4 } else { 0 };
        digits += 1;
    }
    Some(guid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A registry where every id hashes alike, as crafted ids could.
    fn colliding() -> IdRegistry {
        IdRegistry {
            hash: |_| 42,
            ..IdRegistry::default()
        }
    }

    #[test]
    fn the_same_id_in_another_case_is_a_duplicate() {
        let mut ids = IdRegistry::default();
        assert_eq!(ids.claim("6A1F0C2E-0000-4000-8000-00000000000A"), None);
        assert_eq!(ids.claim("pilar@contoso.com"), None);
        assert_eq!(ids.claim("6a1f0c2e-0000-4000-8000-00000000000a"), Some(0));
        assert_eq!(ids.claim("Pilar@Contoso.com"), Some(1));
        assert_eq!(ids.claim("pilar@contoso.co"), None);
    }

    #[test]
    fn distinct_ids_whose_hashes_collide_are_not_duplicates() {
        let mut ids = colliding();
        assert_eq!(ids.claim("first-id"), None);
        assert_eq!(ids.claim("second-id"), None);
        assert_eq!(ids.claim("third-id"), None);
        // Each of them is still found again.
        assert_eq!(ids.claim("THIRD-ID"), Some(2));
        assert_eq!(ids.claim("second-id"), Some(1));
        assert_eq!(ids.claim("first-id"), Some(0));
    }

    #[test]
    fn many_colliding_ids_survive_the_table_growing() {
        let mut ids = colliding();
        for n in 0..200 {
            assert_eq!(ids.claim(&format!("id-{n}")), None);
        }
        for n in 0..200 {
            assert_eq!(ids.claim(&format!("ID-{n}")), Some(n));
        }
    }

    #[test]
    fn a_guid_and_a_text_of_the_same_length_never_match() {
        let mut ids = colliding();
        let guid = "6a1f0c2e-0000-4000-8000-00000000000a";
        let not_guid = "6a1f0c2e_0000_4000_8000_00000000000a";
        assert_eq!(ids.claim(guid), None);
        assert_eq!(ids.claim(not_guid), None);
        assert_eq!(ids.claim(not_guid), Some(1));
    }

    #[test]
    fn merged_parts_compare_ids_not_hashes() {
        for mut earlier in [colliding(), IdRegistry::default()] {
            assert_eq!(earlier.claim("alpha"), None);
            assert_eq!(earlier.claim("beta"), None);
            let mut later = IdRegistry {
                hash: earlier.hash,
                ..IdRegistry::default()
            };
            assert_eq!(later.claim("gamma"), None);
            // Is beta: a duplicate of the earlier part's second mailbox.
            assert_eq!(later.claim("BETA"), None);
            assert_eq!(later.claim("gamma"), Some(0));
            assert_eq!(earlier.absorb(later), vec![(1, 3)]);
            // After the merge, each id is known at the position of its first mailbox.
            assert_eq!(earlier.claim("gamma"), Some(2));
            assert_eq!(earlier.claim("alpha"), Some(0));
            assert_eq!(earlier.claim("beta"), Some(1));
            assert_eq!(earlier.claim("delta"), None);
        }
    }

    #[test]
    fn guids_are_read_in_either_case_and_nothing_else_is_one() {
        let lower = guid_bytes("0123abcd-ef01-2345-6789-abcdef012345").unwrap();
        let upper = guid_bytes("0123ABCD-EF01-2345-6789-ABCDEF012345").unwrap();
        assert_eq!(lower, upper);
        assert_eq!(lower[0], 0x01);
        assert_eq!(lower[15], 0x45);
        assert_eq!(guid_bytes("0123abcd-ef01-2345-6789-abcdef01234"), None);
        assert_eq!(guid_bytes("0123abcd-ef01-2345-6789-abcdef01234g"), None);
        assert_eq!(guid_bytes("0123abcdef01-2345-6789-abcdef0123456"), None);
        assert_eq!(guid_bytes("{123abcd-ef01-2345-6789-abcdef01234}"), None);
    }
}
