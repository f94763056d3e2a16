//! Finding the mailbox that `explain MAILBOX` names, by any name an `identities` selector
//! accepts, while the state streams past.

use crate::model::{BypassAssociation, Mailbox, Organization, StateVisitor};
use crate::policy::Selector;

/// The most mailboxes kept when an identity answers to several: enough to choose from.
pub const MAX_CANDIDATES: usize = 20;

/// How similar a name must be to be suggested (Jaro-Winkler, as the catalog's "did you mean").
const CLOSE_ENOUGH: f64 = 0.8;

/// Keeps the mailboxes that answer to an identity, as an `identities` selector matches it
/// (Identity, Name, Alias, UPN, PrimarySmtpAddress, ExternalDirectoryObjectId, Guid; ignoring
/// case). People also name mailboxes by DisplayName, which selectors never match because two
/// mailboxes may share one; when nothing else answers, the mailboxes of that DisplayName are
/// the candidates. Otherwise the closest name read is kept, for a "did you mean".
pub struct IdentitySearch {
    selector: Selector,
    /// Lower-cased, for suggestions.
    wanted: String,
    /// The first [`MAX_CANDIDATES`] mailboxes that answer to it, and how many do.
    by_identity: (Vec<Mailbox>, usize),
    /// The same, of the mailboxes whose DisplayName it is.
    by_display_name: (Vec<Mailbox>, usize),
    /// How many mailboxes were read.
    pub read: usize,
    /// The closest name seen, and its similarity, when nothing answers.
    suggestion: Option<(f64, String)>,
}

impl IdentitySearch {
    pub fn new(identity: &str) -> Self {
        IdentitySearch {
            selector: Selector {
                identities: vec![identity.trim().to_string()],
                ..Selector::default()
            },
            wanted: identity.trim().to_lowercase(),
            by_identity: (Vec::new(), 0),
            by_display_name: (Vec::new(), 0),
            read: 0,
            suggestion: None,
        }
    }

    /// The mailboxes that answer (the first [`MAX_CANDIDATES`]), and how many do: by an
    /// identity, else by DisplayName.
    pub fn found(&self) -> (&[Mailbox], usize) {
        let (mailboxes, count) = if self.by_identity.1 > 0 {
            &self.by_identity
        } else {
            &self.by_display_name
        };
        (mailboxes, *count)
    }

    /// A name of a mailbox that was read and is close to the one asked for.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_ref().map(|(_, name)| name.as_str())
    }

    fn consider(&mut self, mailbox: &Mailbox) {
        for name in mailbox.names.all() {
            let best = self.suggestion.as_ref().map_or(0.0, |(score, _)| *score);
            let score = strsim::jaro_winkler(&self.wanted, &name.to_lowercase());
            if score >= CLOSE_ENOUGH && score > best {
                self.suggestion = Some((score, name.to_string()));
            }
        }
    }
}

impl StateVisitor for IdentitySearch {
    fn organization(&mut self, _organization: Organization) {}
    fn bypass(&mut self, _association: BypassAssociation) {}
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.read += 1;
        let keep = |(kept, count): &mut (Vec<Mailbox>, usize), mailbox: Mailbox| {
            *count += 1;
            if kept.len() < MAX_CANDIDATES {
                kept.push(mailbox);
            }
        };
        if self.selector.matches(&mailbox) {
            keep(&mut self.by_identity, mailbox);
        } else if self.by_identity.1 == 0 {
            let display_name = mailbox.names.display_name.as_deref().unwrap_or_default();
            if !display_name.is_empty() && display_name.to_lowercase() == self.wanted {
                keep(&mut self.by_display_name, mailbox);
            } else {
                self.consider(&mailbox);
            }
        }
    }
}
