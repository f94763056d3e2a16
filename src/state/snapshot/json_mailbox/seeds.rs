//! The seeds that walk a state file's arrays and objects, handing each mailbox, bypass
//! association and the organization to the visitor as soon as it is read.

use super::*;

/// One element of a mailbox array.
pub(crate) struct MailboxSeed<'c, 'v>(pub &'c mut Context<'v>);

impl<'de> DeserializeSeed<'de> for MailboxSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MailboxSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mailbox object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.keys.clear();
        MailboxBuilder::default().read_rest(&mut map, self.0)
    }
}

/// An array of mailboxes; each is handed to the visitor as soon as it is read.
pub(crate) struct MailboxArray<'c, 'v>(pub &'c mut Context<'v>);

impl<'de> DeserializeSeed<'de> for MailboxArray<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MailboxArray<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of mailboxes")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let context = self.0;
        loop {
            let index = context.mailboxes_read;
            match seq.next_element_seed(MailboxSeed(&mut *context)) {
                Ok(Some(())) => {}
                Ok(None) => return Ok(()),
                Err(error) => {
                    // An element that is not an object at all.
                    context.record(Problem::Shape {
                        subject: format!("mailbox at index {index}"),
                        message: error.to_string(),
                    });
                    return Err(error);
                }
            }
        }
    }
}

/// The snapshot's `organization` object. A missing AuditDisabled is the service default, false.
pub(crate) struct OrganizationSeed<'c, 'v>(pub &'c mut Context<'v>);

impl<'de> DeserializeSeed<'de> for OrganizationSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OrganizationSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an organization object such as {\"AuditDisabled\": false}")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut organization = Organization::default();
        let is_audit_disabled = |key: &str| key.eq_ignore_ascii_case("AuditDisabled");
        self.0.keys.clear();
        while let Some(audit_disabled) =
            map.next_key_seed(LoggedKey(&mut self.0.keys, is_audit_disabled))?
        {
            let audit_disabled = match audit_disabled {
                Ok(audit_disabled) => audit_disabled,
                Err(repeated) => return Err(self.0.repeated("organization".into(), repeated)),
            };
            if !audit_disabled {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match map.next_value_seed(Flag) {
                Ok(value) => organization.audit_disabled = value.unwrap_or(false),
                Err(error) => {
                    self.0.record(Problem::Property {
                        subject: "organization".to_string(),
                        property: "AuditDisabled".to_string(),
                        message: error.to_string(),
                        hint: Field::AuditEnabled.hint(),
                    });
                    return Err(error);
                }
            }
        }
        self.0.visitor.organization(organization);
        Ok(())
    }
}

/// The snapshot's `auditBypass` array of Get-MailboxAuditBypassAssociation entries.
pub(crate) struct BypassArray<'c, 'v>(pub &'c mut Context<'v>);

impl<'de> DeserializeSeed<'de> for BypassArray<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BypassArray<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of bypass associations")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(BypassSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct BypassSeed<'c, 'v>(&'c mut Context<'v>);

impl<'de> DeserializeSeed<'de> for BypassSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BypassSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a bypass association object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let context = self.0;
        let index = context.bypass_read;
        context.bypass_read += 1;
        let mut names = NamesBuilder::default();
        let mut bypass_enabled = false;
        context.keys.clear();
        while let Some(field) = map.next_key_seed(LoggedKey(&mut context.keys, Field::lookup))? {
            let field = match field {
                Ok(field) => field,
                Err(repeated) => {
                    let subject = subject("bypass association", index, &names);
                    return Err(context.repeated(subject, repeated));
                }
            };
            let result = match field {
                Some(Field::AuditBypassEnabled) => map
                    .next_value_seed(Flag)
                    .map(|value| bypass_enabled = value.unwrap_or(false)),
                Some(field) => names.read(field, &mut map).and_then(|was_name| {
                    if !was_name {
                        map.next_value::<IgnoredAny>()?;
                    }
                    Ok(())
                }),
                None => map.next_value::<IgnoredAny>().map(drop),
            };
            if let (Err(error), Some(field)) = (&result, field) {
                context.record(Problem::Property {
                    subject: subject("bypass association", index, &names),
                    property: field.name().to_string(),
                    message: error.to_string(),
                    hint: field.hint(),
                });
            }
            result?;
        }
        let Some(names) = names.finish() else {
            let problem = Problem::Unnamed {
                subject: format!("bypass association at index {index}"),
            };
            let message = problem.to_string();
            context.record(problem);
            return Err(de::Error::custom(message));
        };
        context.visitor.bypass(BypassAssociation {
            names,
            bypass_enabled,
        });
        Ok(())
    }
}
