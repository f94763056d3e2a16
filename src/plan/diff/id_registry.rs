//! Every mailbox's immutable id, to refuse two mailboxes that share one.
//!
//! Ids are found by a 64-bit hash, but two ids are the same only when their text is (ignoring
//! ASCII case, as the service does for GUIDs and addresses): the hash is keyed with fixed keys,
//! so a state file could carry two distinct ids crafted to hash alike, and a hash match alone
//! would refuse the plan for a duplicate that is not there. Each id is therefore kept, compactly
//! (a GUID in 16 bytes), and compared on every hash match.

use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub(super) struct IdRegistry {
    /// Hash → the position of the first mailbox with an id of that hash.
    first: HashMap<u64, u32>,
    /// Hash → the positions of the first mailboxes of further ids with that hash: ids that
    /// differ from the first one's but hash alike.
    collided: HashMap<u64, Vec<u32>>,
    /// Each mailbox's id, by position.
    keys: IdKeys,
}

impl IdRegistry {
    /// Registers the next mailbox's id; answers the position of an earlier mailbox with the
    /// same id, if there is one.
    pub fn claim(&mut self, id: &str) -> Option<usize> {
        self.claim_hashed(super::name_hash(id), id)
    }

    fn claim_hashed(&mut self, hash: u64, id: &str) -> Option<usize> {
        let position = self.keys.len();
        let earlier = self.find(hash, |keys, at| keys.is(at, id));
        self.keys.push(id);
        if earlier.is_none() {
            self.hold(hash, position);
        }
        earlier
    }

    /// The position of the first mailbox whose id has this hash and passes `same`.
    fn find(&self, hash: u64, same: impl Fn(&IdKeys, usize) -> bool) -> Option<usize> {
        let first = *self.first.get(&hash)? as usize;
        if same(&self.keys, first) {
            return Some(first);
        }
        self.collided
            .get(&hash)?
            .iter()
            .map(|&position| position as usize)
            .find(|&position| same(&self.keys, position))
    }

    /// Makes the mailbox at `position` the first holder of its id.
    fn hold(&mut self, hash: u64, position: usize) {
        let position = u32::try_from(position).expect("fewer than 2^32 mailboxes");
        match self.first.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(position);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.entry(hash).or_default().push(position);
            }
        }
    }

    /// Takes in the ids of a later part of the same file, whose positions count from this
    /// part's end; answers each id of the later part that an earlier mailbox of this part
    /// already holds, as (this part's position, the later mailbox's position), in file order.
    /// Duplicates within the later part were answered when it claimed them.
    pub fn absorb(&mut self, later: IdRegistry) -> Vec<(usize, usize)> {
        let offset = self.keys.len();
        let IdRegistry {
            first,
            collided,
            keys,
        } = later;
        let mut holders: Vec<(u64, u32)> = first.into_iter().collect();
        holders.extend(
            collided
                .into_iter()
                .flat_map(|(hash, positions)| positions.into_iter().map(move |p| (hash, p))),
        );
        holders.sort_by_key(|(_, position)| *position);
        self.keys.append(keys);
        let mut shared = Vec::new();
        for (hash, position) in holders {
            let position = position as usize + offset;
            match self.find(hash, |keys, at| at < offset && keys.same(at, position)) {
                Some(earlier) => shared.push((earlier, position)),
                None => self.hold(hash, position),
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

    /// Whether the id at `position` is `id`, ignoring ASCII case.
    fn is(&self, position: usize, id: &str) -> bool {
        let key = self.get(position);
        match guid_bytes(id) {
            Some(guid) => key.first() == Some(&GUID_TAG) && key[1..] == guid,
            None => {
                key.first() == Some(&TEXT_TAG)
                    && key.len() - 1 == id.len()
                    && key[1..]
                        .iter()
                        .zip(id.bytes())
                        .all(|(&kept, byte)| kept == byte.to_ascii_lowercase())
            }
        }
    }

    fn same(&self, one: usize, other: usize) -> bool {
        self.get(one) == self.get(other)
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

    const COLLIDING: u64 = 42;

    #[test]
    fn the_same_id_in_another_case_is_a_duplicate() {
        let mut ids = IdRegistry::default();
        assert_eq!(ids.claim("6A1F0C2E-0000-4000-8000-00000000000A"), None);
        assert_eq!(ids.claim("pilar@contoso.com"), None);
        assert_eq!(ids.claim("6a1f0c2e-0000-4000-8000-00000000000a"), Some(0));
        assert_eq!(ids.claim("Pilar@Contoso.com"), Some(1));
    }

    #[test]
    fn distinct_ids_whose_hashes_collide_are_not_duplicates() {
        let mut ids = IdRegistry::default();
        assert_eq!(ids.claim_hashed(COLLIDING, "first-id"), None);
        assert_eq!(ids.claim_hashed(COLLIDING, "second-id"), None);
        assert_eq!(ids.claim_hashed(COLLIDING, "third-id"), None);
        // Each of them is still found again, whichever slot it was filed in.
        assert_eq!(ids.claim_hashed(COLLIDING, "THIRD-ID"), Some(2));
        assert_eq!(ids.claim_hashed(COLLIDING, "second-id"), Some(1));
        assert_eq!(ids.claim_hashed(COLLIDING, "first-id"), Some(0));
    }

    #[test]
    fn a_guid_and_a_text_of_the_same_length_never_match() {
        let mut ids = IdRegistry::default();
        let guid = "6a1f0c2e-0000-4000-8000-00000000000a";
        let not_guid = "6a1f0c2e_0000_4000_8000_00000000000a";
        assert_eq!(ids.claim_hashed(COLLIDING, guid), None);
        assert_eq!(ids.claim_hashed(COLLIDING, not_guid), None);
        assert_eq!(ids.claim_hashed(COLLIDING, not_guid), Some(1));
    }

    #[test]
    fn merged_parts_compare_ids_not_hashes() {
        let mut earlier = IdRegistry::default();
        assert_eq!(earlier.claim_hashed(COLLIDING, "alpha"), None);
        assert_eq!(earlier.claim_hashed(7, "beta"), None);
        let mut later = IdRegistry::default();
        // Hashes like alpha's, but is not alpha: no duplicate.
        assert_eq!(later.claim_hashed(COLLIDING, "gamma"), None);
        // Is beta: a duplicate of the earlier part's second mailbox.
        assert_eq!(later.claim_hashed(7, "BETA"), None);
        assert_eq!(later.claim_hashed(COLLIDING, "gamma"), Some(0));
        assert_eq!(earlier.absorb(later), vec![(1, 3)]);
        // After the merge, gamma and alpha are both still known, at their file positions.
        assert_eq!(earlier.claim_hashed(COLLIDING, "gamma"), Some(2));
        assert_eq!(earlier.claim_hashed(COLLIDING, "alpha"), Some(0));
        assert_eq!(earlier.claim_hashed(COLLIDING, "delta"), None);
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
