//! The checks of the format's values: each scalar type is made through `TryFrom`, which refuses
//! a mistake with what was wrong and what would be right. Where the value came from is the
//! reader's business; it adds the place.

use super::*;
use crate::catalog::{self, Remark};
use crate::english::Echo;
use crate::policy::opath::FilterError;
use std::fmt;

/// A value the format does not accept: what is wrong with it, and what would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub hint: Option<String>,
    /// Where in the value the mistake is, in characters from its start, when it is inside it.
    pub offset: Option<usize>,
}

impl Invalid {
    pub fn new(message: impl fmt::Display, hint: Option<String>) -> Invalid {
        Invalid {
            message: message.to_string(),
            hint,
            offset: None,
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

impl TryFrom<&str> for ApiVersion {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        if text == API_VERSION {
            Ok(ApiVersion)
        } else {
            Err(Invalid::new(
                format_args!("unsupported apiVersion `{}`", Echo(text)),
                Some(format!("write `apiVersion: {API_VERSION}`")),
            ))
        }
    }
}

impl TryFrom<&str> for Kind {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names = Kind::ALL.map(Kind::name);
                Invalid::new(
                    format_args!(
                        "unknown kind `{}`{}",
                        Echo(text),
                        did_you_mean(catalog::closest(text, names))
                    ),
                    Some(format!("kinds are {}", quoted_list(names))),
                )
            })
    }
}

impl TryFrom<&str> for PolicyName {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        let hint = || {
            Some(
                "use letters, digits, `-`, `_` and `.`, such as `user-mailboxes-owner`".to_string(),
            )
        };
        if text.is_empty() {
            return Err(Invalid::new("the policy name is empty", hint()));
        }
        if text.chars().count() > 128 {
            return Err(Invalid::new(
                "the policy name is longer than 128 characters",
                hint(),
            ));
        }
        match text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
        {
            Some(bad) => Err(Invalid::new(
                format_args!("the policy name `{}` contains {bad:?}", text.escape_debug()),
                hint(),
            )),
            None => Ok(PolicyName(text.to_string())),
        }
    }
}

impl PolicyName {
    /// A valid name made from `text`: characters outside the charset become `-`, and it is
    /// cut to 128 characters. For names a program makes, such as import's.
    pub fn sanitized(text: &str) -> PolicyName {
        let name: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .take(128)
            .collect();
        PolicyName(if name.is_empty() {
            "policy".to_string()
        } else {
            name
        })
    }
}

impl TryFrom<TimeSpan> for LogAgeLimit {
    type Error = Invalid;
    /// A limit the service accepts: not negative, and no longer than its maximum.
    fn try_from(span: TimeSpan) -> Result<Self, Invalid> {
        within_bounds(span, &span.to_string())
    }
}

impl TryFrom<&str> for LogAgeLimit {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        match TimeSpan::parse_policy(text) {
            Ok(span) => within_bounds(span, text),
            Err(_) => Err(Invalid::new(
                format_args!("`{}` is not a valid logAgeLimit", Echo(text)),
                Some(DAYS_HINT.to_string()),
            )),
        }
    }
}

const DAYS_HINT: &str = "write days as `180`, `180d` or `180.00:00:00`";

/// `span` when the service accepts it; `written` is how the policy wrote it.
fn within_bounds(span: TimeSpan, written: &str) -> Result<LogAgeLimit, Invalid> {
    let max = TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT;
    if span.ticks() < 0 {
        Err(Invalid::new(
            format_args!("logAgeLimit `{}` is negative", Echo(written)),
            Some(DAYS_HINT.to_string()),
        ))
    } else if span > max {
        Err(Invalid::new(
            format_args!(
                "logAgeLimit `{}` is longer than the service allows ({max})",
                Echo(written)
            ),
            Some(format!("shorten it to at most {} days", max.floor_days())),
        ))
    } else {
        Ok(LogAgeLimit(span))
    }
}

impl TryFrom<&str> for RecipientTypeName {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        RecipientType::KNOWN
            .into_iter()
            .find(|known| known.name().eq_ignore_ascii_case(text))
            .map(RecipientTypeName)
            .ok_or_else(|| {
                let names: Vec<&str> = RecipientType::KNOWN.iter().map(|t| t.name()).collect();
                Invalid::new(
                    format_args!(
                        "unknown recipientTypeDetails `{}`{}",
                        Echo(text),
                        did_you_mean(catalog::closest(text, names.iter().copied()))
                    ),
                    Some(format!(
                        "known types are {}",
                        quoted_list(names.iter().copied())
                    )),
                )
            })
    }
}

impl TryFrom<&str> for Licence {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        const NAMES: [&str; 2] = ["E5", "nonE5"];
        if text.eq_ignore_ascii_case("E5") {
            Ok(Licence(LicenceTier::E5))
        } else if text.eq_ignore_ascii_case("nonE5") {
            Ok(Licence(LicenceTier::NonE5))
        } else {
            Err(Invalid::new(
                format_args!(
                    "unknown licence `{}`{}",
                    Echo(text),
                    did_you_mean(catalog::closest(text, NAMES))
                ),
                Some("write `E5` or `nonE5`".to_string()),
            ))
        }
    }
}

impl TryFrom<&str> for FilterText {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        match Filter::parse(text) {
            Ok(filter) => Ok(FilterText {
                text: text.to_string(),
                filter,
            }),
            Err(FilterError {
                offset,
                message,
                hint,
            }) => Err(Invalid {
                message: format!("invalid filter: {message}"),
                hint,
                // The parser counts bytes; a place in a line counts characters.
                offset: Some(
                    text.get(..offset)
                        .map_or(offset, |before| before.chars().count()),
                ),
            }),
        }
    }
}

impl TryFrom<Vec<String>> for MatchGlobs {
    type Error = Invalid;
    fn try_from(patterns: Vec<String>) -> Result<Self, Invalid> {
        Globs::new(patterns).map(MatchGlobs).map_err(|why| {
            Invalid::new(
                format_args!("invalid `match` glob: {why}"),
                Some("globs use `*`, `?` and `[...]`, such as `*@finance.contoso.com`".to_string()),
            )
        })
    }
}

impl<L: LogonMarker> LogonListSpec<L> {
    /// An action a policy may name for this logon type. A name the catalog does not have is
    /// taken as one the policy set declares, when it could be a name at all; the loader checks
    /// the declarations once it has read every file.
    pub fn action(name: &str) -> Result<PolicyAction, Invalid> {
        match catalog::check(name, L::LOGON) {
            Ok(action) => Ok(PolicyAction::Known(action)),
            Err(catalog::Rejection::Unknown { .. }) if DeclaredName::try_from(name).is_ok() => {
                Ok(PolicyAction::Declared(name.to_string()))
            }
            Err(rejection) => Err(rejection_invalid(L::LOGON, rejection)),
        }
    }
}

/// A catalog's refusal of an action name, with its hint.
pub fn rejection_invalid(logon: LogonType, rejection: catalog::Rejection) -> Invalid {
    let hint = match rejection {
        catalog::Rejection::WrongLogonType { .. } => Some(format!(
            "{logon} actions are {}",
            catalog::policy_actions(logon).names().join(", ")
        )),
        _ => rejection.hint(),
    };
    Invalid::new(rejection, hint)
}

impl TryFrom<&str> for DeclaredName {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        let well_formed = text.starts_with(|c: char| c.is_ascii_alphabetic())
            && text.chars().all(|c| c.is_ascii_alphanumeric())
            && text.len() <= 64;
        if well_formed {
            Ok(DeclaredName(text.to_string()))
        } else {
            Err(Invalid::new(
                format_args!(
                    "`{}` can't be the name of an audit action: names are a letter followed by letters and digits",
                    Echo(text)
                ),
                Some("copy the name exactly as Microsoft's documentation spells it (letters and digits, such as `MailItemsAccessed`)".to_string()),
            ))
        }
    }
}

impl TryFrom<&str> for LogonTypeName {
    type Error = Invalid;
    fn try_from(text: &str) -> Result<Self, Invalid> {
        LogonType::parse(text).map(LogonTypeName).ok_or_else(|| {
            let names = LogonType::ALL.map(LogonType::name);
            Invalid::new(
                format_args!(
                    "unknown logon type `{}`{}",
                    Echo(text),
                    did_you_mean(catalog::closest(text, names))
                ),
                Some("logon types are `Admin`, `Delegate` and `Owner`".to_string()),
            )
        })
    }
}

/// Whether the catalog calls an action redundant, and what covers it.
pub fn redundancy(action: Action) -> Option<Action> {
    match action.info().remark {
        Remark::Redundant { covered_by } => Some(covered_by),
        _ => None,
    }
}
