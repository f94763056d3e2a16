//! The OPATH subset of `Get-Mailbox -Filter`: -eq -ne -like -notlike -and -or -not and parentheses.

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {}

/// Why a filter was refused. `offset` is a byte offset into the filter text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Filter {
    pub fn parse(_text: &str) -> Result<Filter, FilterError> {
        Ok(Filter {})
    }
}
