//! Reading a live tenant: the organization, the bypass associations and every mailbox, page by
//! page, each page parsed by the snapshot reader (the one mailbox parser) straight into the
//! visitor.
//!
//! The service takes about a second per page of a thousand mailboxes (KelvinTegelaar/CIPP
//! issue #820: 2,500 in about 3 s), so a read is pipelined: fetchers on their own threads keep
//! the next request in flight while the page before is parsed and planned on the caller's
//! thread, and run at most [`PAGES_AHEAD`] pages ahead of it, so that memory stays the same
//! whatever the tenant's size. The organization, the bypass associations and the mailboxes
//! are fetched at once and visited in that order. Each request asks only for the properties
//! the reader reads and the policies' filters name (`$select`).

use super::{ExoClient, ExoError, Pages};
use crate::model::StateVisitor;
use crate::model::{Mailbox, Tenant};
use crate::state::snapshot::{properties_read, read_snapshot_bytes};
use crate::state::ReadOptions;
use serde_json::{json, Value};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Get-Mailbox rather than Get-EXOMailbox: it is the cmdlet the endpoint's InvokeCommand
/// serves in every cloud, and it returns every property an OPATH selector might name.
const GET_MAILBOX: &str = "Get-Mailbox";
const GET_ORGANIZATION: &str = "Get-OrganizationConfig";
const GET_BYPASS: &str = "Get-MailboxAuditBypassAssociation";

/// Pages fetched and not yet visited, per fetcher: one waiting while the next is in flight,
/// and one more to absorb a slow answer.
pub const PAGES_AHEAD: usize = 2;

/// Which parts of a tenant to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub organization: bool,
    pub bypass: bool,
    /// Every mailbox but Microsoft 365 Group mailboxes.
    pub mailboxes: bool,
    /// Microsoft 365 Group mailboxes, which the service lists only when asked.
    pub group_mailboxes: bool,
}

impl Parts {
    pub const NONE: Parts = Parts {
        organization: false,
        bypass: false,
        mailboxes: false,
        group_mailboxes: false,
    };
    pub const ALL: Parts = Parts {
        organization: true,
        bypass: true,
        mailboxes: true,
        group_mailboxes: true,
    };
}

/// `$select` of a mailbox listing: the properties the reader reads, and those a filter names
/// (`ReadOptions::extra_properties`). The service matches the names ignoring case (CIPP-API
/// selects `userPrincipalName,GUID`). `None`, asking for every property, when the reader keeps
/// every property ([`ReadOptions::every_property`]).
pub(crate) fn mailbox_select(options: &ReadOptions) -> Option<String> {
    let mut names: Vec<&str> = properties_read().collect();
    for extra in &options.extra_properties {
        if extra == ReadOptions::EVERY_PROPERTY {
            return None;
        }
        if !names.iter().any(|name| name.eq_ignore_ascii_case(extra)) {
            names.push(extra);
        }
    }
    Some(names.join(","))
}

/// What a fetcher hands on: a page's body, or why there are no more.
type Fetched = Result<Vec<u8>, ExoError>;

impl ExoClient {
    /// Reads the tenant in the order of a snapshot file: organization, bypass associations,
    /// then mailboxes, Microsoft 365 Group mailboxes last (the service lists them only when
    /// asked, and the plan shows them as skipped).
    pub fn read(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<(), ExoError> {
        self.read_parts(visitor, options, Parts::ALL)
    }

    /// Reads `parts` of the tenant, in the order of [`ExoClient::read`].
    pub fn read_parts(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
        parts: Parts,
    ) -> Result<(), ExoError> {
        let select = mailbox_select(options);
        let mut listings = Vec::new();
        if parts.mailboxes {
            listings.push(json!({"ResultSize": "Unlimited"}));
        }
        if parts.group_mailboxes {
            listings.push(json!({"ResultSize": "Unlimited", "GroupMailbox": true}));
        }
        std::thread::scope(|scope| {
            let organization = parts.organization.then(|| {
                scope.spawn(|| {
                    self.invoke_values(GET_ORGANIZATION, json!({}), Some("AuditDisabled"))
                })
            });
            let bypass = parts.bypass.then(|| {
                let pages = vec![Pages::new(
                    self,
                    GET_BYPASS,
                    json!({"ResultSize": "Unlimited"}),
                    select.as_deref(),
                )];
                fetch_ahead(scope, pages)
            });
            let mailboxes = fetch_ahead(
                scope,
                listings
                    .into_iter()
                    .map(|parameters| Pages::new(self, GET_MAILBOX, parameters, select.as_deref()))
                    .collect(),
            );
            // Visited in order, each as soon as it and everything before it has come.
            if let Some(organization) = organization {
                let values = organization
                    .join()
                    .unwrap_or_else(|_| Err(stopped(GET_ORGANIZATION)))?;
                read_organization(values, visitor, options)?;
            }
            if let Some(bypass) = bypass {
                for page in bypass {
                    read_bypass_page(&page?, visitor, options)?;
                }
            }
            for page in mailboxes {
                read_snapshot_bytes(&page?, GET_MAILBOX, visitor, options).map_err(|source| {
                    ExoError::Answer {
                        cmdlet: GET_MAILBOX.into(),
                        source: Box::new(source),
                    }
                })?;
            }
            Ok(())
        })
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
        let options = ReadOptions::default();
        let select = mailbox_select(&options);
        let mut parameters = json!({"Identity": id});
        if group {
            parameters["GroupMailbox"] = Value::Bool(true);
        }
        let result = self.invoke_pages(GET_MAILBOX, parameters, select.as_deref(), &mut |page| {
            read_snapshot_bytes(page, GET_MAILBOX, &mut tenant, &options).map_err(|source| {
                ExoError::Answer {
                    cmdlet: GET_MAILBOX.into(),
                    source: Box::new(source),
                }
            })
        });
        match result {
            Ok(()) => Ok(tenant.mailboxes.into_iter().next()),
            Err(ExoError::Refused { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Fetches every page of `listings`, one listing after the other, on a thread of `scope`,
/// and hands them over at most [`PAGES_AHEAD`] ahead of the reader. A failure is handed over
/// in place of the page, and ends the fetching; so does the reader's going away.
fn fetch_ahead<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    listings: Vec<Pages<'env>>,
) -> Receiver<Fetched>
where
    Pages<'env>: Send,
{
    let (sender, receiver) = sync_channel(PAGES_AHEAD);
    scope.spawn(move || {
        for mut pages in listings {
            if !hand_over(&mut pages, &sender) {
                return;
            }
        }
    });
    receiver
}

/// Sends every page of `pages`; `false` when it stopped on a failure or the reader left.
fn hand_over(pages: &mut Pages<'_>, sender: &SyncSender<Fetched>) -> bool {
    while let Some(page) = pages.next_page() {
        let failed = page.is_err();
        if sender.send(page).is_err() || failed {
            return false;
        }
    }
    true
}

/// A fetcher that ended without a word: it panicked.
fn stopped(cmdlet: &str) -> ExoError {
    ExoError::Malformed {
        cmdlet: cmdlet.to_string(),
        reason: "reading it stopped unexpectedly".into(),
    }
}

fn read_organization(
    values: Vec<Value>,
    visitor: &mut dyn StateVisitor,
    options: &ReadOptions,
) -> Result<(), ExoError> {
    let Some(organization) = values.into_iter().next() else {
        return Err(ExoError::Malformed {
            cmdlet: GET_ORGANIZATION.into(),
            reason: "it returned no organization".into(),
        });
    };
    let document = json!({ "organization": organization }).to_string();
    read_snapshot_bytes(document.as_bytes(), GET_ORGANIZATION, visitor, options).map_err(|source| {
        ExoError::Answer {
            cmdlet: GET_ORGANIZATION.into(),
            source: Box::new(source),
        }
    })
}

fn read_bypass_page(
    page: &[u8],
    visitor: &mut dyn StateVisitor,
    options: &ReadOptions,
) -> Result<(), ExoError> {
    let answer: Value = serde_json::from_slice(page).map_err(|error| ExoError::Malformed {
        cmdlet: GET_BYPASS.into(),
        reason: error.to_string(),
    })?;
    let entries = answer
        .get("value")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let document = json!({ "auditBypass": entries }).to_string();
    read_snapshot_bytes(document.as_bytes(), GET_BYPASS, visitor, options).map_err(|source| {
        ExoError::Answer {
            cmdlet: GET_BYPASS.into(),
            source: Box::new(source),
        }
    })
}
