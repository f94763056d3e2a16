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
/// Every key of every mailbox passes through here, so the log keeps no text: it is a small
/// open-addressing table of 64-bit hashes of the lower-cased keys, reused from object to
/// object. A key costs a hash of a few words and, almost always, one probe; clearing costs one
/// store per key; nothing is allocated once the table has grown. Two different keys of one
/// object share a hash with a chance of about one in 10^17, which a reader of a state file can
/// afford (a false refusal names the key, and says where it is).
#[derive(Debug, Default)]
pub(super) struct KeyLog {
    /// Per key of the object: the slot its hash sits in.
    used: Vec<u32>,
    /// Hashes, 0 for an empty slot (a key hashing to 0 is stored as 1). A power of two long.
    slots: Vec<u64>,
}

impl KeyLog {
    pub fn clear(&mut self) {
        for &slot in &self.used {
            self.slots[slot as usize] = 0;
        }
        self.used.clear();
    }

    /// Notes a key of the object; `Err` with the key when the object already had it.
    pub fn note(&mut self, key: &str) -> Result<(), Box<str>> {
        if (self.used.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = hash_ignoring_case(key).max(1);
        let mask = self.slots.len() - 1;
        let mut slot = (hash >> 7) as usize & mask;
        loop {
            match self.slots[slot] {
                0 => break,
                seen if seen == hash => return Err(key.into()),
                _ => slot = (slot + 1) & mask,
            }
        }
        self.slots[slot] = hash;
        self.used.push(slot as u32);
        Ok(())
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        let hashes: Vec<u64> = self
            .used
            .iter()
            .map(|&slot| self.slots[slot as usize])
            .collect();
        self.slots = vec![0; size];
        self.used.clear();
        let mask = size - 1;
        for hash in hashes {
            let mut slot = (hash >> 7) as usize & mask;
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = hash;
            self.used.push(slot as u32);
        }
    }
}

/// A 64-bit hash of the key with ASCII letters lower-cased, eight bytes at a time. Only the
/// bytes `A` to `Z` are folded, so keys that differ otherwise hash apart.
fn hash_ignoring_case(key: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = key.as_bytes();
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    let mut mix = |word: u64| {
        hash = (hash ^ lower_ascii(word)).wrapping_mul(K);
        hash ^= hash >> 29;
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        mix(u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        mix(u64::from_le_bytes(word));
    }
    hash = (hash ^ (hash >> 32)).wrapping_mul(K);
    hash ^ (hash >> 29)
}

/// Each byte `A`..=`Z` of the word made lower case; every other byte as it is.
fn lower_ascii(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Per byte, with the high bit cleared so that no borrow or carry crosses bytes: the high
    // bit of `above` is set where the byte is >= 'A', of `beyond` where it is > 'Z'.
    let low = word & !HIGH;
    let above = low + ONES * (0x80 - b'A' as u64);
    let beyond = low + ONES * (0x80 - b'Z' as u64 - 1);
    let upper = above & !beyond & !word & HIGH;
    word | (upper >> 2)
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
