//! Reading a live tenant: the organization, the bypass associations and every mailbox, page by
//! page, each page parsed by the snapshot reader (the one mailbox parser) straight into the
//! visitor.

use super::{ExoClient, ExoError};
use crate::model::StateVisitor;
use crate::model::{Mailbox, Tenant};
use crate::state::snapshot::read_snapshot_bytes;
use crate::state::ReadOptions;
use serde_json::{json, Value};

/// Get-Mailbox rather than Get-EXOMailbox: it is the cmdlet the endpoint's InvokeCommand
/// serves in every cloud, and it returns every property an OPATH selector might name.
const GET_MAILBOX: &str = "Get-Mailbox";

impl ExoClient {
    /// Reads the tenant in the order of a snapshot file: organization, bypass associations,
    /// then mailboxes, Microsoft 365 Group mailboxes last (the service lists them only when
    /// asked, and the plan shows them as skipped).
    pub fn read(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<(), ExoError> {
        self.read_organization(visitor, options)?;
        self.read_bypass(visitor, options)?;
        for groups in [false, true] {
            let mut parameters = json!({"ResultSize": "Unlimited"});
            if groups {
                parameters["GroupMailbox"] = Value::Bool(true);
            }
            self.invoke_pages(GET_MAILBOX, parameters, &mut |page| {
                read_snapshot_bytes(page, GET_MAILBOX, visitor, options).map_err(|source| {
                    ExoError::Answer {
                        cmdlet: GET_MAILBOX.into(),
                        source: Box::new(source),
                    }
                })
            })?;
        }
        Ok(())
    }

    /// One mailbox by its immutable key, as it is now; `None` when the service knows no such
    /// mailbox.
    pub fn read_mailbox(&self, id: &str) -> Result<Option<Mailbox>, ExoError> {
        self.read_one_mailbox(id, false)
    }

    /// One mailbox by its immutable id. A Microsoft 365 Group mailbox is found only with
    /// `-GroupMailbox`: without it Get-Mailbox answers that there is no such object.
    pub fn read_one_mailbox(&self, id: &str, group: bool) -> Result<Option<Mailbox>, ExoError> {
        let mut tenant = Tenant::default();
        let mut parameters = json!({"Identity": id});
        if group {
            parameters["GroupMailbox"] = Value::Bool(true);
        }
        let result = self.invoke_pages(GET_MAILBOX, parameters, &mut |page| {
            read_snapshot_bytes(page, GET_MAILBOX, &mut tenant, &ReadOptions::default()).map_err(
                |source| ExoError::Answer {
                    cmdlet: GET_MAILBOX.into(),
                    source: Box::new(source),
                },
            )
        });
        match result {
            Ok(()) => Ok(tenant.mailboxes.into_iter().next()),
            Err(ExoError::Refused { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn read_organization(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<(), ExoError> {
        const CMDLET: &str = "Get-OrganizationConfig";
        let values = self.invoke_values(CMDLET, json!({}))?;
        let Some(organization) = values.into_iter().next() else {
            return Err(ExoError::Malformed {
                cmdlet: CMDLET.into(),
                reason: "it returned no organization".into(),
            });
        };
        let document = json!({"organization": organization}).to_string();
        read_snapshot_bytes(document.as_bytes(), CMDLET, visitor, options).map_err(|source| {
            ExoError::Answer {
                cmdlet: CMDLET.into(),
                source: Box::new(source),
            }
        })
    }

    fn read_bypass(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<(), ExoError> {
        const CMDLET: &str = "Get-MailboxAuditBypassAssociation";
        let mut read_page = |page: &[u8]| {
            let answer: Value =
                serde_json::from_slice(page).map_err(|error| ExoError::Malformed {
                    cmdlet: CMDLET.into(),
                    reason: error.to_string(),
                })?;
            let entries = answer
                .get("value")
                .cloned()
                .unwrap_or(Value::Array(Vec::new()));
            let document = json!({"auditBypass": entries}).to_string();
            read_snapshot_bytes(document.as_bytes(), CMDLET, visitor, options).map_err(|source| {
                ExoError::Answer {
                    cmdlet: CMDLET.into(),
                    source: Box::new(source),
                }
            })
        };
        self.invoke_pages(CMDLET, json!({"ResultSize": "Unlimited"}), &mut read_page)
    }
}
