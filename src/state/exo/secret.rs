//! A value that must never be shown: a client secret, a token, a federated request token.
//! Debug and Display print `***`, so a secret that slips into a message or a log stays hidden;
//! the value itself is reached only through [`Secret::expose`], at the one place it is sent.
//! Every secret is also registered with [`crate::redact`] when it is made, so that it is
//! scrubbed from any text auditform prints or writes, whatever put it there.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        crate::redact::register(&value);
        Secret(value)
    }

    /// The value, for the request that must carry it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn a_secret_prints_as_stars_whichever_way_it_is_formatted() {
        let secret = Secret::new("hunter2-client-secret");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(***)");
        assert_eq!(secret.expose(), "hunter2-client-secret");
    }
}
