//! Reading the policy format's types from YAML trees. Every node knows where it was written, so
//! a refusal names the node that holds the mistake, and the messages come from here, not from a
//! parser's or serde's wording.
//!
//! A type of the format implements [`FromYaml`]: a mapping lists its keys with [`At::mapping`]
//! and reads each with [`Fields::optional`] or [`Fields::required`]; a scalar is checked by its
//! `TryFrom<&str>` through [`At::checked`].

mod testing;
mod vocabulary;

use super::yaml::{Mark, Node, ScalarStyle, Value};
use crate::catalog;
use crate::english::Echo;
use crate::policy::schema::{checked::did_you_mean, Invalid};
use std::fmt;
use std::rc::Rc;

/// A key path from a document's root, for messages: `spec.audit.owner.add[1]`.
#[derive(Clone, Copy, Debug)]
pub enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => write!(f, "{}", Echo(key)),
            Path::Key(parent, key) => write!(f, "{parent}.{}", Echo(key)),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

impl Path<'_> {
    /// ` in `spec.audit`` for a message, or nothing at the root.
    fn within(&self) -> String {
        match self {
            Path::Root => String::new(),
            path => format!(" in `{path}`"),
        }
    }
}

/// A node refused: where, what is wrong, and what would be right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub mark: Mark,
    pub message: String,
    pub hint: Option<String>,
    /// Where inside the scalar's value the mistake is, when it is inside it.
    pub inside: Option<Inside>,
}

/// A place inside a scalar's value: characters from its start, and how the scalar was written
/// (past an opening quote the value starts a column later).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inside {
    pub offset: usize,
    pub style: ScalarStyle,
}

impl Refusal {
    pub fn new(mark: Mark, message: impl Into<String>, hint: Option<String>) -> Refusal {
        Refusal {
            mark,
            message: message.into(),
            hint,
            inside: None,
        }
    }
}

/// A type of the policy format, read from a node.
pub trait FromYaml: Sized {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal>;
}

/// A node being read, and the path that leads to it.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub node: &'a Node,
    pub path: &'a Path<'a>,
}

/// A scalar as YAML's core schema reads it (plain scalars only; quoted ones are text).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float,
    Text(&'a str),
}

const CORE_TAG: &str = "tag:yaml.org,2002:";

impl<'a> At<'a> {
    pub fn mark(self) -> Mark {
        self.node.mark
    }

    /// Refuses this node with a checked value's reason.
    pub fn refuse(self, invalid: Invalid) -> Refusal {
        let inside = match (&self.node.value, invalid.offset) {
            (Value::Scalar { style, .. }, Some(offset)) => Some(Inside {
                offset,
                style: *style,
            }),
            _ => None,
        };
        Refusal {
            mark: self.node.mark,
            message: invalid.message,
            hint: invalid.hint,
            inside,
        }
    }

    /// What the node is, for a message: `string "x"`, `integer 5`, `sequence`, ...
    pub fn found(self) -> String {
        match (&self.node.value, self.scalar()) {
            (Value::Sequence(_), _) => "sequence".to_string(),
            (Value::Mapping(_), _) => "mapping".to_string(),
            (Value::Scalar { text, .. }, Ok(Some(scalar))) => describe(scalar, text),
            (Value::Scalar { text, .. }, _) => describe(Scalar::Text(text), text),
        }
    }

    /// `wrong type in `path`: expected X, found Y`.
    pub fn wrong_type(self, expected: &str) -> Refusal {
        let found = self.found();
        let message = match self.path {
            Path::Root => format!("wrong type: expected {expected}, found {found}"),
            path => format!("wrong type in `{path}`: expected {expected}, found {found}"),
        };
        Refusal::new(self.node.mark, message, None)
    }

    /// What the node says, as YAML's core schema reads it; `None` for a collection. A tag other
    /// than the core schema's is refused: it means nothing in a policy.
    pub fn scalar(self) -> Result<Option<Scalar<'a>>, Refusal> {
        let tag = self.node.tag.as_deref();
        if let Some(tag) = tag {
            let core = tag.strip_prefix(CORE_TAG);
            if tag != "!"
                && !matches!(
                    core,
                    Some("str" | "int" | "bool" | "null" | "float" | "seq" | "map")
                )
            {
                return Err(Refusal::new(
                    self.node.mark,
                    format!("the tag `{}` means nothing in a policy", Echo(tag)),
                    Some("remove it".to_string()),
                ));
            }
        }
        let Value::Scalar { text, style } = &self.node.value else {
            return Ok(None);
        };
        let forced_text = matches!(tag, Some("!")) || tag == Some("tag:yaml.org,2002:str");
        if *style != ScalarStyle::Plain || forced_text {
            return Ok(Some(Scalar::Text(text)));
        }
        Ok(Some(resolve(text)))
    }

    /// The text of any scalar (a number or a boolean as written); a collection is refused.
    pub fn text(self, expected: &str) -> Result<&'a str, Refusal> {
        match (self.scalar()?, &self.node.value) {
            (Some(_), Value::Scalar { text, .. }) => Ok(text),
            _ => Err(self.wrong_type(expected)),
        }
    }

    /// A scalar checked by its type's `TryFrom<&str>`.
    pub fn checked<T>(self, expected: &str) -> Result<T, Refusal>
    where
        T: for<'s> TryFrom<&'s str, Error = Invalid>,
    {
        let text = self.text(expected)?;
        T::try_from(text).map_err(|invalid| self.refuse(invalid))
    }

    /// Whether the node is null: `~`, `null` or nothing at all.
    pub fn is_null(self) -> bool {
        matches!(self.scalar(), Ok(Some(Scalar::Null)))
    }

    /// The items of a sequence.
    pub fn sequence(self, expected: &str) -> Result<&'a [Rc<Node>], Refusal> {
        self.scalar()?;
        match &self.node.value {
            Value::Sequence(items) => Ok(items),
            _ => Err(self.wrong_type(expected)),
        }
    }

    /// A mapping of these keys: unknown and repeated keys are refused, the unknown ones with the
    /// closest key and the list of valid keys.
    pub fn mapping(self, keys: &'static [&'static str]) -> Result<Fields<'a>, Refusal> {
        let fields = self.fields(keys)?;
        let hint = valid_keys_hint(self.path, keys);
        fields.refuse_unknown(Some(hint))?;
        Ok(fields)
    }

    /// A mapping of these keys, with repeated keys refused but unknown ones not yet looked at.
    pub fn fields(self, keys: &'static [&'static str]) -> Result<Fields<'a>, Refusal> {
        self.scalar()?;
        let Value::Mapping(entries) = &self.node.value else {
            return Err(self.wrong_type("a mapping"));
        };
        let mut names = Vec::with_capacity(entries.len());
        for (key, _) in entries {
            let key_at = At {
                node: key,
                path: self.path,
            };
            let name = match key_at.scalar()? {
                Some(Scalar::Null) | None => {
                    return Err(Refusal::new(
                        key.mark,
                        format!("a key{} is not a name", self.path.within()),
                        Some(valid_keys_hint(self.path, keys)),
                    ))
                }
                Some(_) => key_at.text("a key")?,
            };
            if names.contains(&name) {
                return Err(Refusal::new(
                    key.mark,
                    format!("key `{}` is given twice{}", Echo(name), self.path.within()),
                    None,
                ));
            }
            names.push(name);
        }
        Ok(Fields {
            at: self,
            keys,
            entries,
        })
    }
}

/// `valid keys in `path` are ...`.
fn valid_keys_hint(path: &Path<'_>, keys: &[&str]) -> String {
    let listed: Vec<String> = keys.iter().map(|key| format!("`{key}`")).collect();
    format!("valid keys{} are {}", path.within(), listed.join(", "))
}

/// How YAML's core schema reads a plain scalar.
fn resolve(text: &str) -> Scalar<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Scalar::Float,
        _ => {}
    }
    if let Some(int) = parse_int(text) {
        return Scalar::Int(int);
    }
    let is_float = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && text.parse::<f64>().is_ok();
    if is_float {
        Scalar::Float
    } else {
        Scalar::Text(text)
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(octal) = digits.strip_prefix("0o") {
        (8, octal)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `string "x"`, `integer 5`, ... for a wrong-type message.
fn describe(scalar: Scalar<'_>, written: &str) -> String {
    match scalar {
        Scalar::Null => "null".to_string(),
        Scalar::Bool(value) => format!("boolean {value}"),
        Scalar::Int(value) => format!("integer {value}"),
        Scalar::Float => format!("number {}", Echo(written)),
        Scalar::Text(text) => format!("string \"{}\"", Echo(text)),
    }
}

/// The entries of a mapping, by key.
pub struct Fields<'a> {
    at: At<'a>,
    keys: &'static [&'static str],
    entries: &'a [(Rc<Node>, Rc<Node>)],
}

impl<'a> Fields<'a> {
    /// The path of the mapping these fields are read from.
    pub fn path(&self) -> &'a Path<'a> {
        self.at.path
    }

    fn entry(&self, key: &str) -> Option<&'a (Rc<Node>, Rc<Node>)> {
        self.entries.iter().find(|(name, _)| match &name.value {
            Value::Scalar { text, .. } => text == key,
            _ => false,
        })
    }

    /// The first key not among the known ones, refused with the closest known key.
    pub fn refuse_unknown(&self, hint: Option<String>) -> Result<(), Refusal> {
        for (name, _) in self.entries {
            let Value::Scalar { text, .. } = &name.value else {
                continue;
            };
            if !self.keys.contains(&text.as_str()) {
                let suggestion = catalog::closest(text, self.keys.iter().copied());
                return Err(Refusal::new(
                    name.mark,
                    format!(
                        "unknown key `{}`{}{}",
                        Echo(text),
                        self.at.path.within(),
                        did_you_mean(suggestion)
                    ),
                    hint,
                ));
            }
        }
        Ok(())
    }

    /// The value of `key`, read as `T`; `None` when the key is absent or its value is null.
    pub fn optional<T: FromYaml>(&self, key: &'static str) -> Result<Option<T>, Refusal> {
        match self.entry(key) {
            Some((_, value)) if !self.at_value(value).is_null() => {
                let path = Path::Key(self.at.path, key);
                T::from_yaml(At {
                    node: value,
                    path: &path,
                })
                .map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The value of `key`, read as `T`; refused when the key is absent.
    pub fn required<T: FromYaml>(&self, key: &'static str) -> Result<T, Refusal> {
        let Some((_, value)) = self.entry(key) else {
            return Err(Refusal::new(
                self.at.node.mark,
                format!("missing key `{key}`{}", self.at.path.within()),
                None,
            ));
        };
        let path = Path::Key(self.at.path, key);
        T::from_yaml(At {
            node: value,
            path: &path,
        })
    }

    /// A value node, for looking at it before it is read with its own path.
    fn at_value(&self, value: &'a Node) -> At<'a> {
        At {
            node: value,
            path: self.at.path,
        }
    }

    /// Every entry in the order written, as the key's text and its node pair.
    pub fn in_order(&self) -> impl Iterator<Item = (&'a str, &'a Node, &'a Node)> + 'a {
        self.entries
            .iter()
            .filter_map(|(name, value)| match &name.value {
                Value::Scalar { text, .. } => Some((text.as_str(), &**name, &**value)),
                _ => None,
            })
    }
}

impl FromYaml for bool {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        match at.scalar()? {
            Some(Scalar::Bool(value)) => Ok(value),
            _ => Err(at.wrong_type("a boolean")),
        }
    }
}

impl FromYaml for i64 {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        match at.scalar()? {
            Some(Scalar::Int(value)) => Ok(value),
            _ => Err(at.wrong_type("an integer")),
        }
    }
}

/// Any scalar, as written: YAML reads `name: 123` as a number, a person meant a name.
impl FromYaml for String {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.text("a string").map(str::to_string)
    }
}

impl<T: FromYaml> FromYaml for Vec<T> {
    fn from_yaml(at: At<'_>) -> Result<Self, Refusal> {
        at.sequence("a list")?
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let path = Path::Index(at.path, index);
                T::from_yaml(At {
                    node: item,
                    path: &path,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
