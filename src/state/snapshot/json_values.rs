//! Seeds for single property values, in every form the service and ConvertTo-Json write them.
//! Each borrows from the input where it can and allocates only what the model keeps.

use crate::timespan::TimeSpan;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A string property. `null` reads as absent.
pub(super) struct OptionalText;

impl<'de> DeserializeSeed<'de> for OptionalText {
    type Value = Option<Box<str>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OptionalText {
    type Value = Option<Box<str>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Some(value.into()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// RecipientTypeDetails: its name, or the integer ConvertTo-Json writes for the enum [EV-5.3]
/// (evidence-service.md W6). `null` is absent.
pub(super) struct RecipientTypeValue;

impl<'de> DeserializeSeed<'de> for RecipientTypeValue {
    type Value = Option<crate::model::RecipientType>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecipientTypeValue {
    type Value = Option<crate::model::RecipientType>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a RecipientTypeDetails name such as \"UserMailbox\", or its enum value")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Some(crate::model::RecipientType::parse(value.trim())))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Some(crate::model::RecipientType::from_enum_value(value)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A boolean, also as the strings "True" / "False" that some exports write. `null` is absent.
pub(super) struct Flag;

impl<'de> DeserializeSeed<'de> for Flag {
    type Value = Option<bool>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Flag {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("true or false")
    }
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Some(value))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        let value_trimmed = value.trim();
        if value_trimmed.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if value_trimmed.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(value), &self))
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A .NET TimeSpan: the string `d.hh:mm:ss`, or ConvertTo-Json's object of Days, Hours, ...,
/// Ticks. Ticks win when present because they are exact; the Total* members are ignored.
pub(super) struct TimeSpanValue;

impl<'de> DeserializeSeed<'de> for TimeSpanValue {
    type Value = Option<TimeSpan>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TimeSpanValue {
    type Value = Option<TimeSpan>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TimeSpan such as \"90.00:00:00\" or an object with Ticks")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        match TimeSpan::parse_dotnet(value) {
            Ok(span) if span < TimeSpan::ZERO => Err(E::custom(format_args!(
                "the TimeSpan {value:?} is negative; an AuditLogAgeLimit is never below 00:00:00"
            ))),
            Ok(span) => Ok(Some(span)),
            Err(_) => Err(E::invalid_value(de::Unexpected::Str(value), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        const TICKS_PER_MILLISECOND: i64 = 10_000;
        // Ticks, then the components in milliseconds: days, hours, minutes, seconds, ms.
        let mut ticks: Option<i64> = None;
        let mut components: [Option<i64>; 5] = [None; 5];
        const MILLISECONDS: [(&str, i64); 5] = [
            ("Days", 86_400_000),
            ("Hours", 3_600_000),
            ("Minutes", 60_000),
            ("Seconds", 1_000),
            ("Milliseconds", 1),
        ];
        // Which member a key names: None for Ticks, Some(i) for a component, or not at all.
        let member = |key: &str| -> Option<Option<usize>> {
            if key.eq_ignore_ascii_case("Ticks") {
                return Some(None);
            }
            MILLISECONDS
                .iter()
                .position(|(name, _)| key.eq_ignore_ascii_case(name))
                .map(Some)
        };
        let mut keys = KeyLog::default();
        while let Some(key) = map.next_key_seed(LoggedKey(&mut keys, member))? {
            let key = key.map_err(|repeated| {
                de::Error::custom(format_args!(
                    "the TimeSpan object repeats the key `{repeated}`"
                ))
            })?;
            match key {
                Some(None) => ticks = Some(map.next_value()?),
                Some(Some(at)) => components[at] = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(ticks) = ticks {
            if ticks < 0 {
                return Err(de::Error::custom(format_args!(
                    "the TimeSpan is negative ({ticks} ticks); an AuditLogAgeLimit is never below 00:00:00"
                )));
            }
            return Ok(Some(TimeSpan::from_ticks(ticks)));
        }
        if components.iter().all(Option::is_none) {
            return Err(de::Error::custom(
                "a TimeSpan object needs Ticks, or Days, Hours, Minutes and Seconds",
            ));
        }
        let mut total: i64 = 0;
        for (value, (_, per_unit)) in components.iter().zip(MILLISECONDS) {
            let part = value.unwrap_or(0).checked_mul(per_unit);
            total = part
                .and_then(|part| total.checked_add(part))
                .ok_or_else(|| de::Error::custom("the TimeSpan is out of range"))?;
        }
        if total < 0 {
            return Err(de::Error::custom(
                "the TimeSpan is negative; an AuditLogAgeLimit is never below 00:00:00",
            ));
        }
        total
            .checked_mul(TICKS_PER_MILLISECOND)
            .map(|ticks| Some(TimeSpan::from_ticks(ticks)))
            .ok_or_else(|| de::Error::custom("the TimeSpan is out of range"))
    }
}

/// The keys of one JSON object read so far, to refuse a key the object repeats. Keys compare
/// without case, as the reader matches them: `"AuditEnabled"` and `"auditenabled"` in one
/// object are one key given twice, and a reader could take either value.
///
/// Every key of every mailbox passes through here, so it is a small open-addressing table of
/// hashes, reused from object to object: a key costs a hash of a few words and, almost always,
/// one probe; clearing costs one store per key; nothing is allocated once it has grown.
#[derive(Debug, Default)]
pub(super) struct KeyLog {
    /// The keys' text, one after another.
    text: String,
    /// Per key of the object: its hash, its place in `text`, and its slot in `slots`.
    keys: Vec<(u64, u32, u32, u32)>,
    /// Index + 1 into `keys`, or 0 for an empty slot. Its length is a power of two.
    slots: Vec<u32>,
}

impl KeyLog {
    pub fn clear(&mut self) {
        for &(.., slot) in &self.keys {
            self.slots[slot as usize] = 0;
        }
        self.keys.clear();
        self.text.clear();
    }

    /// Notes a key of the object; `Err` with the key when the object already had it.
    pub fn note(&mut self, key: &str) -> Result<(), Box<str>> {
        if (self.keys.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = hash_ignoring_case(key);
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            match self.slots[slot] {
                0 => break,
                taken => {
                    let (seen, start, end, _) = self.keys[taken as usize - 1];
                    if seen == hash
                        && self.text[start as usize..end as usize].eq_ignore_ascii_case(key)
                    {
                        return Err(key.into());
                    }
                    slot = (slot + 1) & mask;
                }
            }
        }
        let start = self.text.len() as u32;
        self.text.push_str(key);
        self.keys
            .push((hash, start, self.text.len() as u32, slot as u32));
        self.slots[slot] = self.keys.len() as u32;
        Ok(())
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        self.slots = vec![0; size];
        let mask = size - 1;
        for (index, entry) in self.keys.iter_mut().enumerate() {
            let mut slot = entry.0 as usize & mask;
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = index as u32 + 1;
            entry.3 = slot as u32;
        }
    }
}

/// A hash that ignores ASCII case, eight bytes at a time. Setting bit 5 of every byte folds
/// upper into lower case (and merges a few punctuation pairs, which the text comparison then
/// tells apart).
fn hash_ignoring_case(key: &str) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = key.as_bytes();
    let mut hash = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ (u64::from_le_bytes(word) | FOLD))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        hash = (hash ^ (u64::from_le_bytes(word) | FOLD))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    hash ^ (hash >> 32)
}

/// A map key, noted in a [`KeyLog`] and classified while the deserializer lends it: `Err`
/// carries a key the object repeats.
pub(super) struct LoggedKey<'l, F>(pub &'l mut KeyLog, pub F);

impl<'de, T, F: FnOnce(&str) -> T> DeserializeSeed<'de> for LoggedKey<'_, F> {
    type Value = Result<T, Box<str>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let LoggedKey(log, classify) = self;
        ClassifyKey(move |key: &str| log.note(key).map(|()| classify(key)))
            .deserialize(deserializer)
    }
}

/// A map key, classified while the deserializer lends it, so that matching keys never
/// allocates (a key with escapes is lent only for the duration of the call).
pub(super) struct ClassifyKey<F>(pub F);

impl<'de, T, F: FnOnce(&str) -> T> DeserializeSeed<'de> for ClassifyKey<F> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T, F: FnOnce(&str) -> T> Visitor<'_> for ClassifyKey<F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok((self.0)(value))
    }
}

/// Calls `each` with every name of a multi-valued property: an array of strings, one string
/// (split on commas, as "Admin, Delegate, Owner" is written), or `null`.
pub(super) struct EachName<'f, F>(pub &'f mut F);

type NameResult = Result<(), String>;

impl<'de, F: FnMut(&str) -> NameResult> DeserializeSeed<'de> for EachName<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(&str) -> NameResult> Visitor<'de> for EachName<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of names")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        split_names(value, self.0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(EachElement(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct EachElement<'f, F>(&'f mut F);

impl<'de, F: FnMut(&str) -> NameResult> DeserializeSeed<'de> for EachElement<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<F: FnMut(&str) -> NameResult> Visitor<'_> for EachElement<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a name (a string)")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        split_names(value, self.0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

fn split_names<E: de::Error>(
    value: &str,
    each: &mut impl FnMut(&str) -> NameResult,
) -> Result<(), E> {
    // Lists arrive as arrays of single names: only a string with a comma needs splitting.
    if !value.contains(',') {
        let name = value.trim();
        return match name.is_empty() {
            true => Ok(()),
            false => each(name).map_err(E::custom),
        };
    }
    for name in value.split(',') {
        let name = name.trim();
        if !name.is_empty() {
            each(name).map_err(E::custom)?;
        }
    }
    Ok(())
}

/// Any value, for a property kept because a filter reads it. Objects have no place in an
/// OPATH comparison, so they read as null; list members that are not strings are kept as text.
pub(super) struct AnyProperty;

use crate::model::PropertyValue;

impl<'de> DeserializeSeed<'de> for AnyProperty {
    type Value = PropertyValue;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnyProperty {
    type Value = PropertyValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(PropertyValue::Null)
    }
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(PropertyValue::Bool(value))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(PropertyValue::Number(value as f64))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(PropertyValue::Number(value as f64))
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(PropertyValue::Number(value))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(PropertyValue::Text(value.into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(AnyProperty)? {
            match item {
                PropertyValue::Text(text) => items.push(text),
                PropertyValue::Bool(value) => items.push(value.to_string().into()),
                PropertyValue::Number(value) => items.push(value.to_string().into()),
                PropertyValue::Null => {}
                PropertyValue::List(inner) => items.extend(inner),
            }
        }
        Ok(PropertyValue::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(PropertyValue::Null)
    }
}
