//! How the policy format's values are read and checked: each `Deserialize` impl refuses a
//! mistake at the node that holds it, so the YAML deserializer attaches that node's position.

use super::*;
use crate::catalog::{self, Remark};
use crate::policy::opath::FilterError;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

// --- Errors raised from inside deserialization ----------------------------------------------
//
// The deserializer keeps only a message string and its own position, so a hint and an offset
// into the scalar travel inside the message between control characters; `load` decodes them.

const FRAME: char = '\u{1}';
const HINT: char = '\u{2}';
const OFFSET: char = '\u{3}';

/// A message, with a hint and a byte offset into the scalar, as raised by this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedError {
    pub message: String,
    pub hint: Option<String>,
    pub offset: Option<usize>,
}

fn raise<E: de::Error>(message: impl fmt::Display, hint: Option<String>) -> E {
    raise_at(message, hint, None)
}

fn raise_at<E: de::Error>(
    message: impl fmt::Display,
    hint: Option<String>,
    offset: Option<usize>,
) -> E {
    let hint = hint.unwrap_or_default();
    let offset = offset.map(|o| o.to_string()).unwrap_or_default();
    E::custom(format_args!(
        "{FRAME}{message}{HINT}{hint}{OFFSET}{offset}{FRAME}"
    ))
}

/// Finds an error this module raised inside the deserializer's rendering of it.
pub fn decode_raised(rendered: &str) -> Option<RaisedError> {
    let start = rendered.find(FRAME)?;
    let end = rendered.rfind(FRAME)?;
    let framed = rendered.get(start + FRAME.len_utf8()..end)?;
    let (message, rest) = framed.split_once(HINT)?;
    let (hint, offset) = rest.split_once(OFFSET)?;
    Some(RaisedError {
        message: message.to_string(),
        hint: (!hint.is_empty()).then(|| hint.to_string()),
        offset: offset.parse().ok(),
    })
}

fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

impl RaisedError {
    fn new(message: impl fmt::Display, hint: Option<String>) -> RaisedError {
        RaisedError {
            message: message.to_string(),
            hint,
            offset: None,
        }
    }

    fn into_error<E: de::Error>(self) -> E {
        raise_at(self.message, self.hint, self.offset)
    }
}

/// Deserializes a scalar as text and checks it with `parse` while the deserializer still
/// stands on the scalar, so that an error points at it.
fn from_str<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    parse: impl FnOnce(&str) -> Result<T, RaisedError>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Text<F>(&'static str, F);
    impl<T, F: FnOnce(&str) -> Result<T, RaisedError>> Visitor<'_> for Text<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.1)(v).map_err(RaisedError::into_error)
        }
    }
    deserializer.deserialize_str(Text(expecting, parse))
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str(deserializer, "an apiVersion", |text| {
            if text == API_VERSION {
                Ok(ApiVersion)
            } else {
                Err(RaisedError::new(
                    format_args!("unsupported apiVersion `{text}`"),
                    Some(format!("write `apiVersion: {API_VERSION}`")),
                ))
            }
        })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str(deserializer, "a policy kind", |text| {
            Kind::ALL
                .into_iter()
                .find(|kind| kind.name() == text)
                .ok_or_else(|| {
                    let names = Kind::ALL.map(Kind::name);
                    RaisedError::new(
                        format_args!(
                            "unknown kind `{text}`{}",
                            did_you_mean(catalog::closest(text, names))
                        ),
                        Some(format!("kinds are {}", quoted_list(names))),
                    )
                })
        })
    }
}

impl<'de> Deserialize<'de> for PolicyName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str(deserializer, "a policy name", |text| {
            let hint = || {
                Some(
                    "use letters, digits, `-`, `_` and `.`, such as `user-mailboxes-owner`"
                        .to_string(),
                )
            };
            if text.is_empty() {
                return Err(RaisedError::new("the policy name is empty", hint()));
            }
            if text.len() > 128 {
                return Err(RaisedError::new(
                    "the policy name is longer than 128 characters",
                    hint(),
                ));
            }
            match text
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
            {
                Some((_, bad)) => Err(RaisedError::new(
                    format_args!("the policy name `{}` contains {bad:?}", text.escape_debug()),
                    hint(),
                )),
                None => Ok(PolicyName(text.to_string())),
            }
        })
    }
}

impl<'de> Deserialize<'de> for LogAgeLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str(deserializer, "a number of days or a TimeSpan", |text| {
            let hint = || Some("write days as `180`, `180d` or `180.00:00:00`".to_string());
            match TimeSpan::parse_policy(text) {
                Ok(span) if span.ticks() < 0 => Err(RaisedError::new(
                    format_args!("logAgeLimit `{text}` is negative"),
                    hint(),
                )),
                Ok(span) if span > TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT => Err(RaisedError::new(
                    format_args!(
                        "logAgeLimit `{text}` is longer than the service allows ({})",
                        TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT
                    ),
                    Some(format!(
                        "shorten it to at most {} days",
                        TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT.floor_days()
                    )),
                )),
                Ok(span) => Ok(LogAgeLimit(span)),
                Err(_) => Err(RaisedError::new(
                    format_args!("`{text}` is not a valid logAgeLimit"),
                    hint(),
                )),
            }
        })
    }
}

impl<'de> Deserialize<'de> for RecipientTypeName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str(deserializer, "a RecipientTypeDetails value", |text| {
            RecipientType::KNOWN
                .into_iter()
                .find(|known| known.name().eq_ignore_ascii_case(text))
                .map(RecipientTypeName)
                .ok_or_else(|| {
                    let names: Vec<&str> = RecipientType::KNOWN.iter().map(|t| t.name()).collect();
                    RaisedError::new(
                        format_args!(
                            "unknown recipientTypeDetails `{text}`{}",
                            did_you_mean(catalog::closest(text, names.iter().copied()))
                        ),
                        Some(format!(
                            "known types are {}",
                            quoted_list(names.iter().copied())
                        )),
                    )
                })
        })
    }
}

impl<'de> Deserialize<'de> for Licence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const NAMES: [&str; 2] = ["E5", "nonE5"];
        from_str(deserializer, "`E5` or `nonE5`", |text| {
            if text.eq_ignore_ascii_case("E5") {
                Ok(Licence(LicenceTier::E5))
            } else if text.eq_ignore_ascii_case("nonE5") {
                Ok(Licence(LicenceTier::NonE5))
            } else {
                Err(RaisedError::new(
                    format_args!(
                        "unknown licence `{text}`{}",
                        did_you_mean(catalog::closest(text, NAMES))
                    ),
                    Some("write `E5` or `nonE5`".to_string()),
                ))
            }
        })
    }
}

impl<'de> Deserialize<'de> for MatchGlobs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(GlobsVisitor)
    }
}

struct GlobsVisitor;

impl<'de> Visitor<'de> for GlobsVisitor {
    type Value = MatchGlobs;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of globs")
    }

    // Compiled while the deserializer stands on the list, so that an error points at it.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MatchGlobs, A::Error> {
        let mut patterns = Vec::new();
        while let Some(pattern) = seq.next_element::<String>()? {
            patterns.push(pattern);
        }
        Globs::new(patterns).map(MatchGlobs).map_err(|why| {
            raise(
                format_args!("invalid `match` glob: {why}"),
                Some("globs use `*`, `?` and `[...]`, such as `*@finance.contoso.com`".to_string()),
            )
        })
    }
}

impl<'de> Deserialize<'de> for FilterText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str(deserializer, "an OPATH filter", |text| {
            Filter::parse(text).map(FilterText).map_err(
                |FilterError {
                     offset,
                     message,
                     hint,
                 }| {
                    RaisedError {
                        message: format!("invalid filter: {message}"),
                        hint,
                        offset: Some(offset),
                    }
                },
            )
        })
    }
}

impl<'de, L: LogonMarker> Deserialize<'de> for LogonListSpec<L> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LogonListVisitor::<L>(PhantomData))
    }
}

struct LogonListVisitor<L>(PhantomData<L>);

fn logon_list_hint() -> Option<String> {
    Some("write `default`, or a mapping with `add` and/or `remove`, or with `exactly`".to_string())
}

impl<'de, L: LogonMarker> Visitor<'de> for LogonListVisitor<L> {
    type Value = LogonListSpec<L>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`default` or a mapping with `add`, `remove` or `exactly`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.eq_ignore_ascii_case("default") {
            Ok(LogonListSpec::Default(PhantomData))
        } else {
            Err(raise(
                format_args!("`{v}` is not a list specification for {}", L::LOGON),
                logon_list_hint(),
            ))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(raise(
            format_args!("a bare list is ambiguous for {}", L::LOGON),
            Some(
                "write `exactly: [...]` to replace the list, or `add: [...]` to extend it"
                    .to_string(),
            ),
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut add: Option<Vec<Action>> = None;
        let mut remove: Option<Vec<Action>> = None;
        let mut exactly: Option<Vec<Action>> = None;
        while let Some(key) = map.next_key_seed(LogonKeySeed {
            seen: [add.is_some(), remove.is_some(), exactly.is_some()],
        })? {
            let (slot, other) = match key {
                "add" => (&mut add, remove.as_deref().map(|r| ("remove", r))),
                "remove" => (&mut remove, add.as_deref().map(|a| ("add", a))),
                _ => (&mut exactly, None),
            };
            *slot = Some(map.next_value_seed(ActionNamesSeed::<L> {
                key,
                other,
                logon: PhantomData,
            })?);
        }
        match (add, remove, exactly) {
            (None, None, None) => Err(raise(
                format_args!("the {} list names no change", L::LOGON),
                logon_list_hint(),
            )),
            (None, None, Some(exactly)) => Ok(LogonListSpec::Exactly(exactly)),
            (add, remove, _) => Ok(LogonListSpec::Change {
                add: add.unwrap_or_default(),
                remove: remove.unwrap_or_default(),
            }),
        }
    }
}

/// Reads a key of a logon type's mapping, refusing unknown, repeated and clashing keys.
struct LogonKeySeed {
    /// Whether `add`, `remove` and `exactly` were already given.
    seen: [bool; 3],
}

impl<'de> DeserializeSeed<'de> for LogonKeySeed {
    type Value = &'static str;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        from_str(deserializer, "`add`, `remove` or `exactly`", |text| {
            let Some(index) = LOGON_LIST_KEYS.iter().position(|k| *k == text) else {
                return Err(RaisedError::new(
                    format_args!(
                        "unknown key `{text}`{}",
                        did_you_mean(catalog::closest(text, LOGON_LIST_KEYS))
                    ),
                    logon_list_hint(),
                ));
            };
            let key = LOGON_LIST_KEYS[index];
            if self.seen[index] {
                return Err(RaisedError::new(
                    format_args!("`{key}` is given twice"),
                    None,
                ));
            }
            let exclusive = if key == "exactly" {
                match self.seen {
                    [true, _, _] => Some("add"),
                    [_, true, _] => Some("remove"),
                    _ => None,
                }
            } else {
                self.seen[2].then_some("exactly")
            };
            match exclusive {
                Some(other) => Err(RaisedError::new(
                    format_args!("`{key}` can't be combined with `{other}`"),
                    Some("`exactly` replaces the whole list; use either `exactly`, or `add` and `remove`".to_string()),
                )),
                None => Ok(key),
            }
        })
    }
}

/// Reads an action list (or the word `None`) for one logon type.
struct ActionNamesSeed<'a, L> {
    key: &'static str,
    /// The other list of the same mapping, read earlier, which must not share an action.
    other: Option<(&'static str, &'a [Action])>,
    logon: PhantomData<L>,
}

impl<'de, L: LogonMarker> DeserializeSeed<'de> for ActionNamesSeed<'_, L> {
    type Value = Vec<Action>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, L: LogonMarker> Visitor<'de> for ActionNamesSeed<'_, L> {
    type Value = Vec<Action>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of {} actions", L::LOGON)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.eq_ignore_ascii_case("None") {
            return Ok(Vec::new());
        }
        self.action(v)
            .map(|action| vec![action])
            .map_err(RaisedError::into_error)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut actions = Vec::new();
        let mut saw_none = false;
        while let Some(action) = seq.next_element_seed(ActionNameSeed(&self))? {
            match action {
                Some(action) if saw_none => return Err(none_mixed(action)),
                Some(action) => actions.push(action),
                None if !actions.is_empty() => return Err(none_mixed(actions[0])),
                None => saw_none = true,
            }
        }
        Ok(actions)
    }
}

fn none_mixed<E: de::Error>(action: Action) -> E {
    raise(
        format_args!("`None` means an empty list, so it can't stand beside {action}"),
        Some("remove `None`, or write `[]` for an empty list".to_string()),
    )
}

impl<L: LogonMarker> ActionNamesSeed<'_, L> {
    fn action(&self, name: &str) -> Result<Action, RaisedError> {
        let logon = L::LOGON;
        let action = catalog::check(name, logon).map_err(|rejection| {
            let hint = match rejection {
                catalog::Rejection::WrongLogonType { .. } => Some(format!(
                    "{logon} actions are {}",
                    catalog::policy_actions(logon).names().join(", ")
                )),
                _ => rejection.hint(),
            };
            RaisedError::new(rejection, hint)
        })?;
        if let Some((other_key, other)) = self.other {
            if other.contains(&action) {
                return Err(RaisedError::new(
                    format_args!("{action} is in both `{other_key}` and `{}` of {logon}", self.key),
                    Some("an action is either required (`add`) or forbidden (`remove`); keep it in one".to_string()),
                ));
            }
        }
        Ok(action)
    }
}

/// One action name; `None` for the word `None`.
struct ActionNameSeed<'s, 'a, L>(&'s ActionNamesSeed<'a, L>);

impl<'de, L: LogonMarker> DeserializeSeed<'de> for ActionNameSeed<'_, '_, L> {
    type Value = Option<Action>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        from_str(deserializer, "an action name", |text| {
            if text.eq_ignore_ascii_case("None") {
                Ok(None)
            } else {
                self.0.action(text).map(Some)
            }
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
