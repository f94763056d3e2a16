//! The OPATH subset of `Get-Mailbox -Filter`: -eq -ne -like -notlike -and -or -not and parentheses.

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {}
