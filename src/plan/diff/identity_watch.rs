//! The names policies select by (`identities`, in selectors and in excludes), and whether any
//! mailbox or bypass association answered to them. A typo in a break-glass exclude would
//! otherwise quietly stop protecting that account, so an unmatched name is a warning.

use crate::english::Echo;
use crate::model::MailboxNames;
use crate::policy::{PolicyRef, PolicySet, Selector};
use std::collections::HashMap;
use std::hash::Hasher;

/// A case-insensitive hash of a name: identities, GUIDs and addresses ignore case. The hasher
/// takes the lower-cased bytes eight at a time: the same stream of bytes as one at a time, at a
/// fraction of the calls (every mailbox's names are hashed).
pub(super) fn name_hash(name: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut lowered = [0u8; 8];
    for chunk in name.as_bytes().chunks(lowered.len()) {
        let lowered = &mut lowered[..chunk.len()];
        lowered.copy_from_slice(chunk);
        lowered.make_ascii_lowercase();
        hasher.write(lowered);
    }
    hasher.finish()
}

#[derive(Clone, Debug, Default)]
pub(super) struct IdentityWatch {
    /// Name hash → the entries that name it.
    by_hash: HashMap<u64, Vec<usize>>,
    /// Each name a policy selects by, with the policy, in policy order.
    entries: Vec<(String, PolicyRef)>,
    found: Vec<bool>,
}

impl IdentityWatch {
    pub fn new(policies: &PolicySet) -> IdentityWatch {
        let mut watch = IdentityWatch::default();
        let selectors = policies
            .mailbox
            .iter()
            .map(|p| (&p.selector, &p.reference))
            .chain(policies.bypass.iter().map(|p| (&p.selector, &p.reference)));
        for (selector, reference) in selectors {
            watch.add(selector, reference);
        }
        watch.found = vec![false; watch.entries.len()];
        watch
    }

    fn add(&mut self, selector: &Selector, reference: &PolicyRef) {
        for identity in &selector.identities {
            self.by_hash
                .entry(name_hash(identity))
                .or_default()
                .push(self.entries.len());
            self.entries.push((identity.clone(), reference.clone()));
        }
        if let Some(exclude) = &selector.exclude {
            self.add(exclude, reference);
        }
    }

    /// Marks every entry that one of these names answers.
    pub fn observe(&mut self, names: &MailboxNames) {
        if self.by_hash.is_empty() {
            return;
        }
        for name in names.all() {
            if let Some(indexes) = self.by_hash.get(&name_hash(name)) {
                for &index in indexes {
                    self.found[index] |= self.entries[index].0.eq_ignore_ascii_case(name);
                }
            }
        }
    }

    pub fn merge(&mut self, later: IdentityWatch) {
        for (found, later) in self.found.iter_mut().zip(later.found) {
            *found |= later;
        }
    }

    pub fn unmatched_warnings(&self) -> Vec<String> {
        self.entries
            .iter()
            .zip(&self.found)
            .filter(|(_, found)| !**found)
            .map(|((identity, policy), _)| {
                format!(
                    "identity `{}` of policy `{}` ({}) matches no mailbox or bypass association; check it for a typo: an identity that matches nothing selects, or excludes, nobody",
                    Echo(identity), policy.name, policy.source
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{AuditSpec, MailboxPolicy, SourceLocation};

    fn policy_selecting(identities: &[&str], excluded: &[&str]) -> PolicySet {
        let selector = Selector {
            identities: identities.iter().map(|s| s.to_string()).collect(),
            exclude: Some(Box::new(Selector {
                identities: excluded.iter().map(|s| s.to_string()).collect(),
                ..Selector::default()
            })),
            ..Selector::default()
        };
        PolicySet {
            mailbox: vec![MailboxPolicy {
                reference: PolicyRef {
                    name: "break-glass".into(),
                    source: SourceLocation {
                        file: "policies/p.yaml".into(),
                        line: 4,
                        column: 9,
                    },
                },
                description: None,
                priority: 0,
                selector,
                audit: AuditSpec::default(),
            }],
            ..PolicySet::default()
        }
    }

    fn names(upn: &str) -> MailboxNames {
        MailboxNames {
            identity: "x".into(),
            user_principal_name: Some(upn.into()),
            ..MailboxNames::default()
        }
    }

    #[test]
    fn an_excluded_identity_that_matches_nothing_is_a_warning_naming_the_policy() {
        let mut watch = IdentityWatch::new(&policy_selecting(
            &["pilar@contoso.com"],
            &["brekglass@contoso.com"],
        ));
        watch.observe(&names("PILAR@contoso.com"));
        watch.observe(&names("breakglass@contoso.com"));
        insta::assert_snapshot!(watch.unmatched_warnings().join("\n"), @"identity `brekglass@contoso.com` of policy `break-glass` (policies/p.yaml:4:9) matches no mailbox or bypass association; check it for a typo: an identity that matches nothing selects, or excludes, nobody");
    }

    #[test]
    fn a_name_hashes_the_same_in_any_case_at_any_length() {
        for name in [
            "",
            "a",
            "Pilar",
            "PILAR@CONTOSO.COM",
            "6F1C0A3E-9B2D-4C5E-8F7A-1B2C3D4E5F6A",
        ] {
            assert_eq!(
                name_hash(name),
                name_hash(&name.to_ascii_lowercase()),
                "{name}"
            );
        }
        assert_ne!(
            name_hash("pilar@contoso.com"),
            name_hash("pilar@contoso.co")
        );
    }

    #[test]
    fn parts_of_a_split_read_merge_what_they_found() {
        let set = policy_selecting(&["a@contoso.com", "b@contoso.com"], &[]);
        let mut first = IdentityWatch::new(&set);
        let mut second = first.clone();
        first.observe(&names("a@contoso.com"));
        second.observe(&names("b@contoso.com"));
        first.merge(second);
        assert!(first.unmatched_warnings().is_empty());
    }
}
