//! Which mailboxes a policy applies to.
//!
//! A selector is a conjunction: every condition it gives must hold, and a list inside one
//! condition is a disjunction. A selector that gives no condition selects everything, but an
//! `exclude` that gives no condition excludes nothing (see [`Selector::excludes`]).

use crate::catalog::LicenceTier;
use crate::english::Echo;
use crate::model::{BypassAssociation, Mailbox, MailboxNames, PropertyValue, RecipientType};
use crate::policy::opath::{eq_ignore_case, Filter, FilterTrace, Properties};
use crate::policy::Untraced;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Watches a selector decide, so that `explain` can say which conditions held and which
/// failed. Every method does nothing by default; the planner selects with [`Untraced`].
pub trait SelectTrace: FilterTrace {
    /// Whether every condition is tested even after one has failed, so that an explanation
    /// names each failing condition. The selection is the same.
    const EVERY_CONDITION: bool = false;
    /// One condition was tested. A filter's own events come before its condition.
    fn condition(&mut self, _condition: Condition<'_>, _held: bool) {}
    /// The selector's `exclude` is tested next (only when the conditions held); its events
    /// follow, then [`Self::leave_exclude`].
    fn enter_exclude(&mut self) {}
    fn leave_exclude(&mut self, _excluded: bool) {}
}

impl SelectTrace for Untraced {}

/// A condition of a selector, with what it was tested against.
#[derive(Clone, Copy, Debug)]
pub enum Condition<'a> {
    Licence {
        wanted: LicenceTier,
        actual: Option<LicenceTier>,
    },
    RecipientType {
        wanted: &'a [RecipientType],
        actual: Option<&'a RecipientType>,
    },
    /// `matched` is the selector's identity and the target's name that answered to it.
    Identities {
        wanted: &'a [String],
        matched: Option<(&'a str, &'a str)>,
    },
    /// `matched` is the address that a pattern matched.
    Match {
        globs: &'a Globs,
        matched: Option<&'a str>,
    },
    Filter {
        filter: &'a Filter,
    },
}

/// Something a selector can test: a mailbox, or a bypass association. Its properties are what an
/// OPATH filter reads.
pub trait Selectable: Properties {
    fn names(&self) -> &MailboxNames;
    /// `None` when the object has no RecipientTypeDetails (a bypass association may not).
    fn recipient_type(&self) -> Option<&RecipientType>;
    fn licence(&self) -> Option<LicenceTier>;
}

impl Selectable for Mailbox {
    fn names(&self) -> &MailboxNames {
        &self.names
    }
    fn recipient_type(&self) -> Option<&RecipientType> {
        Some(&self.recipient_type)
    }
    fn licence(&self) -> Option<LicenceTier> {
        Some(self.licence)
    }
}

impl Properties for Mailbox {
    fn property(&self, name: &str) -> Option<PropertyValue> {
        Mailbox::property(self, name)
    }
}

/// A bypass association names an account, not a mailbox: it has no RecipientTypeDetails and no
/// licence, so a `recipientTypeDetails` or `licence` condition never matches one (and, inside
/// an `exclude`, never excludes one). Its filterable properties are its names and
/// AuditBypassEnabled.
impl Selectable for BypassAssociation {
    fn names(&self) -> &MailboxNames {
        &self.names
    }
    fn recipient_type(&self) -> Option<&RecipientType> {
        None
    }
    fn licence(&self) -> Option<LicenceTier> {
        None
    }
}

impl Properties for BypassAssociation {
    fn property(&self, name: &str) -> Option<PropertyValue> {
        if name.eq_ignore_ascii_case("AuditBypassEnabled") {
            return Some(PropertyValue::Bool(self.bypass_enabled));
        }
        name_property(&self.names, name)
    }
}

/// The name properties of [`MailboxNames`] by their Get-Mailbox names; unset names read `$null`.
fn name_property(names: &MailboxNames, property: &str) -> Option<PropertyValue> {
    if property.eq_ignore_ascii_case("Identity") {
        return Some(PropertyValue::Text(names.identity.clone()));
    }
    let value = [
        ("Name", &names.name),
        ("Alias", &names.alias),
        ("DisplayName", &names.display_name),
        ("UserPrincipalName", &names.user_principal_name),
        ("PrimarySmtpAddress", &names.primary_smtp_address),
        (
            "ExternalDirectoryObjectId",
            &names.external_directory_object_id,
        ),
        ("Guid", &names.guid),
        ("ExchangeGuid", &names.exchange_guid),
    ]
    .into_iter()
    .find(|(key, _)| key.eq_ignore_ascii_case(property))?
    .1;
    Some(value.as_ref().map_or(PropertyValue::Null, |value| {
        PropertyValue::Text(value.clone())
    }))
}

/// A validated selector. All given conditions must hold; a list inside one condition is an OR.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    /// Empty means any type.
    pub recipient_types: Vec<RecipientType>,
    /// Matched case-insensitively against every name of [`MailboxNames::all`]. Empty means any.
    pub identities: Vec<String>,
    /// Globs on UPN and PrimarySmtpAddress, case-insensitive. Empty means any.
    pub match_globs: Option<Globs>,
    pub filter: Option<Filter>,
    pub licence: Option<LicenceTier>,
    pub exclude: Option<Box<Selector>>,
}

impl Selector {
    /// Whether the selector picks the target: every condition holds and `exclude` does not
    /// exclude it. Allocates nothing unless a filter reads a property.
    pub fn matches(&self, target: &(impl Selectable + ?Sized)) -> bool {
        self.matches_traced(target, &mut Untraced)
    }

    /// [`Self::matches`], telling `trace` how each condition went.
    pub fn matches_traced<T: SelectTrace>(
        &self,
        target: &(impl Selectable + ?Sized),
        trace: &mut T,
    ) -> bool {
        self.conditions_hold(target, trace)
            && !self
                .exclude
                .as_deref()
                .is_some_and(|exclude| exclude.excludes_traced(target, trace))
    }

    /// Whether this selector, used as an `exclude`, removes the target. An exclude that gives no
    /// condition of its own excludes nothing: `exclude: {}` is more likely an unfinished edit
    /// than a request to select no mailbox at all, and the safe reading of an unfinished
    /// exclusion is to leave the selection as it was. Its own nested exclude still carves
    /// exceptions out of what it excludes.
    pub fn excludes(&self, target: &(impl Selectable + ?Sized)) -> bool {
        self.excludes_traced(target, &mut Untraced)
    }

    fn excludes_traced<T: SelectTrace>(
        &self,
        target: &(impl Selectable + ?Sized),
        trace: &mut T,
    ) -> bool {
        trace.enter_exclude();
        let excluded = self.has_conditions() && self.matches_traced(target, trace);
        trace.leave_exclude(excluded);
        excluded
    }

    /// Whether the selector gives any condition of its own (its `exclude` does not count).
    pub fn has_conditions(&self) -> bool {
        !self.recipient_types.is_empty()
            || !self.identities.is_empty()
            || self
                .match_globs
                .as_ref()
                .is_some_and(|globs| !globs.patterns.is_empty())
            || self.filter.is_some()
            || self.licence.is_some()
    }

    fn conditions_hold<T: SelectTrace>(
        &self,
        target: &(impl Selectable + ?Sized),
        trace: &mut T,
    ) -> bool {
        let mut held = true;
        // Records one condition; says whether to stop testing.
        let mut tested = |trace: &mut T, condition: Condition<'_>, ok: bool| {
            trace.condition(condition, ok);
            held &= ok;
            !held && !T::EVERY_CONDITION
        };
        if let Some(wanted) = self.licence {
            let actual = target.licence();
            if tested(
                trace,
                Condition::Licence { wanted, actual },
                actual == Some(wanted),
            ) {
                return false;
            }
        }
        if !self.recipient_types.is_empty() {
            let actual = target.recipient_type();
            let ok = actual.is_some_and(|actual| {
                self.recipient_types
                    .iter()
                    .any(|wanted| same_recipient_type(wanted, actual))
            });
            let condition = Condition::RecipientType {
                wanted: &self.recipient_types,
                actual,
            };
            if tested(trace, condition, ok) {
                return false;
            }
        }
        if !self.identities.is_empty() {
            let names = target.names();
            let matched = self.identities.iter().find_map(|wanted| {
                names
                    .all()
                    .find(|name| eq_ignore_case(wanted, name))
                    .map(|name| (wanted.as_str(), name))
            });
            let condition = Condition::Identities {
                wanted: &self.identities,
                matched,
            };
            if tested(trace, condition, matched.is_some()) {
                return false;
            }
        }
        if let Some(globs) = self
            .match_globs
            .as_ref()
            .filter(|globs| !globs.patterns.is_empty())
        {
            let matched = globs.matching_address(target.names());
            if tested(
                trace,
                Condition::Match { globs, matched },
                matched.is_some(),
            ) {
                return false;
            }
        }
        if let Some(filter) = &self.filter {
            let ok = filter.matches_traced(target, trace);
            tested(trace, Condition::Filter { filter }, ok);
        }
        held
    }

    /// Property names the filter (and the exclude's filter) reads.
    pub fn filter_properties(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .filter
            .as_ref()
            .map(Filter::properties)
            .unwrap_or_default();
        if let Some(exclude) = &self.exclude {
            for name in exclude.filter_properties() {
                if !names.iter().any(|seen| seen.eq_ignore_ascii_case(name)) {
                    names.push(name);
                }
            }
        }
        names
    }
}

/// Known types compare as enum values; types this version does not know compare by name,
/// ignoring case, as the service does.
fn same_recipient_type(a: &RecipientType, b: &RecipientType) -> bool {
    match (a, b) {
        (RecipientType::Other(a), RecipientType::Other(b)) => eq_ignore_case(a, b),
        _ => a == b,
    }
}

/// Compiled `match` globs.
#[derive(Clone, Debug)]
pub struct Globs {
    pub patterns: Vec<String>,
    compiled: GlobSet,
}

impl Globs {
    /// Compiles the patterns; the error names the bad pattern and why.
    pub fn new(patterns: Vec<String>) -> Result<Globs, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            let glob = GlobBuilder::new(pattern)
                .case_insensitive(true)
                .build()
                .map_err(|error| format!("bad glob `{}`: {}", Echo(pattern), error.kind()))?;
            builder.add(glob);
        }
        let compiled = builder
            .build()
            .map_err(|error| format!("bad glob pattern: {error}"))?;
        Ok(Globs { patterns, compiled })
    }

    /// Whether any pattern matches the text, ignoring case.
    pub fn is_match(&self, text: &str) -> bool {
        self.compiled.is_match(text)
    }

    /// Whether any pattern matches the UPN or the PrimarySmtpAddress.
    pub fn matches_names(&self, names: &MailboxNames) -> bool {
        self.matching_address(names).is_some()
    }

    /// The UPN, else the PrimarySmtpAddress, when a pattern matches it.
    pub fn matching_address<'n>(&self, names: &'n MailboxNames) -> Option<&'n str> {
        let upn = names.user_principal_name.as_deref();
        let smtp = names.primary_smtp_address.as_deref();
        // Most mailboxes' UPN is their address: match it once.
        let smtp = smtp.filter(|smtp| Some(*smtp) != upn);
        [upn, smtp]
            .into_iter()
            .flatten()
            .find(|address| self.is_match(address))
    }

    /// The patterns that match the text, for an explanation.
    pub fn patterns_matching(&self, text: &str) -> Vec<&str> {
        self.compiled
            .matches(text)
            .into_iter()
            .filter_map(|index| self.patterns.get(index).map(String::as_str))
            .collect()
    }
}

#[cfg(test)]
mod tests;
