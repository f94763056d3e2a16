//! Who a change is about, in one allocation.

use crate::model::MailboxNames;

/// Who a change is about: the mailbox's immutable id (the key the change is addressed by), its
/// Identity, the name a person recognises, and its UPN, else PrimarySmtpAddress.
///
/// A million-mailbox plan holds about a million of these, so the four names share one heap
/// block instead of four (40 bytes and one allocation, against 96 bytes and four).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Subject {
    /// The id, the identity, the display name and the address, one after another.
    text: Box<str>,
    /// Where the id, the identity and the display name end in `text`; the highest bit of the
    /// last says whether there is an address (lengths never reach it: no allocation does).
    ends: [usize; 3],
}

const HAS_ADDRESS: usize = 1 << (usize::BITS - 1);

impl Subject {
    pub fn new(id: &str, identity: &str, display_name: &str, address: Option<&str>) -> Subject {
        let address_text = address.unwrap_or_default();
        let mut text = String::with_capacity(
            id.len() + identity.len() + display_name.len() + address_text.len(),
        );
        text.push_str(id);
        let id_end = text.len();
        text.push_str(identity);
        let identity_end = text.len();
        text.push_str(display_name);
        let display_end = text.len();
        text.push_str(address_text);
        let flag = if address.is_some() { HAS_ADDRESS } else { 0 };
        Subject {
            text: text.into_boxed_str(),
            ends: [id_end, identity_end, display_end | flag],
        }
    }

    /// How a change names the mailbox with these names.
    pub fn of(names: &MailboxNames) -> Subject {
        Subject::new(
            names.immutable_id(),
            &names.identity,
            names.display(),
            names.address(),
        )
    }

    /// The same subject under another id.
    pub fn with_id(&self, id: &str) -> Subject {
        Subject::new(id, self.identity(), self.display_name(), self.address())
    }

    /// The same subject under another identity.
    pub fn with_identity(&self, identity: &str) -> Subject {
        Subject::new(self.id(), identity, self.display_name(), self.address())
    }

    /// The same subject under another display name.
    pub fn with_display_name(&self, display_name: &str) -> Subject {
        Subject::new(self.id(), self.identity(), display_name, self.address())
    }

    /// The same subject with another address, or none.
    pub fn with_address(&self, address: Option<&str>) -> Subject {
        Subject::new(self.id(), self.identity(), self.display_name(), address)
    }

    fn display_end(&self) -> usize {
        self.ends[2] & !HAS_ADDRESS
    }

    /// The immutable key the change is addressed by.
    pub fn id(&self) -> &str {
        &self.text[..self.ends[0]]
    }

    pub fn identity(&self) -> &str {
        &self.text[self.ends[0]..self.ends[1]]
    }

    pub fn display_name(&self) -> &str {
        &self.text[self.ends[1]..self.display_end()]
    }

    /// UPN, else PrimarySmtpAddress.
    pub fn address(&self) -> Option<&str> {
        (self.ends[2] & HAS_ADDRESS != 0).then(|| &self.text[self.display_end()..])
    }
}

impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("id", &self.id())
            .field("identity", &self.identity())
            .field("display_name", &self.display_name())
            .field("address", &self.address())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_reads_back_as_it_was_given() {
        let subject = Subject::new("id-1", "pilar", "Pilar Pinilla", Some("pilar@contoso.com"));
        assert_eq!(subject.id(), "id-1");
        assert_eq!(subject.identity(), "pilar");
        assert_eq!(subject.display_name(), "Pilar Pinilla");
        assert_eq!(subject.address(), Some("pilar@contoso.com"));
    }

    #[test]
    fn an_empty_address_is_not_a_missing_one_and_empty_names_stay_apart() {
        let empty = Subject::new("", "", "", Some(""));
        let missing = Subject::new("", "", "", None);
        assert_eq!(empty.address(), Some(""));
        assert_eq!(missing.address(), None);
        assert_ne!(empty, missing);
        // The same text cut in other places is another subject.
        assert_ne!(
            Subject::new("ab", "c", "", None),
            Subject::new("a", "bc", "", None)
        );
    }

    #[test]
    fn replacing_one_name_keeps_the_others() {
        let subject = Subject::new("id-é", "ünïcode", "日本", None);
        let renamed = subject.with_display_name("\u{200B}+ plus");
        assert_eq!(renamed.id(), "id-é");
        assert_eq!(renamed.identity(), "ünïcode");
        assert_eq!(renamed.display_name(), "\u{200B}+ plus");
        assert_eq!(renamed.address(), None);
        let addressed = renamed.with_address(Some("x@contoso.com"));
        assert_eq!(addressed.display_name(), "\u{200B}+ plus");
        assert_eq!(addressed.address(), Some("x@contoso.com"));
        assert_eq!(addressed.with_id("other").id(), "other");
        assert_eq!(addressed.with_identity("who").identity(), "who");
    }
}
