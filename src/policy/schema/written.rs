//! How the format's values are written: each as the loader reads it back, in the spelling a
//! person would write (canonical action and type names, days as a number where they are whole).

use super::*;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_struct("PolicyDocument", 4)?;
        document.serialize_field("apiVersion", API_VERSION)?;
        document.serialize_field("kind", self.spec.kind().name())?;
        document.serialize_field("metadata", &self.metadata)?;
        document.serialize_field("spec", &self.spec)?;
        document.end()
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Serialize for PolicyName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Whole days as a number, where the loader reads that number back as the same span; else the
/// TimeSpan text.
impl Serialize for LogAgeLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.whole_days() {
            Some(days) if TimeSpan::parse_policy(&days.to_string()) == Ok(self.0) => {
                serializer.serialize_i64(days)
            }
            _ => serializer.collect_str(&self.0),
        }
    }
}

impl Serialize for DeclaredName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl Serialize for LogonTypeName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl Serialize for RecipientTypeName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl Serialize for MatchGlobs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.patterns.serialize(serializer)
    }
}

impl Serialize for FilterText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl Serialize for Licence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self.0 {
            LicenceTier::E5 => "E5",
            LicenceTier::NonE5 => "nonE5",
        })
    }
}

/// `default`, `{exactly: [...]}`, or `{add: [...], remove: [...]}` without an empty list (but
/// `{add: []}` when both are empty, since a mapping must name a change).
impl<L> Serialize for LogonListSpec<L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn names(actions: &[PolicyAction]) -> Vec<&str> {
            actions.iter().map(PolicyAction::name).collect()
        }
        match self {
            LogonListSpec::Default(_) => serializer.serialize_str("default"),
            LogonListSpec::Exactly(actions) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("exactly", &names(actions))?;
                map.end()
            }
            LogonListSpec::Change { add, remove } => {
                let write_add = !add.is_empty() || remove.is_empty();
                let mut map = serializer.serialize_map(None)?;
                if write_add {
                    map.serialize_entry("add", &names(add))?;
                }
                if !remove.is_empty() {
                    map.serialize_entry("remove", &names(remove))?;
                }
                map.end()
            }
        }
    }
}
