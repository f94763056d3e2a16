//! Where the catalog's facts come from, and how new they are. Each catalog row names the tags
//! of its evidence; `auditform catalog` prints them, so that an admin can set the table beside
//! Microsoft's own page and see whether this version of auditform is current.

/// One piece of public evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// The tag rows and code comments cite, such as `EV-1.1`.
    pub tag: &'static str,
    /// What it establishes.
    pub fact: &'static str,
    /// Where to read it.
    pub citation: &'static str,
}

/// The date of the newest Microsoft source that states the catalog's facts: the last change to
/// the default lists in Microsoft's Security Optimization Assessment script.
pub const FACTS_AS_OF: &str = "2025-04-13";

/// The newest public sources the catalog was checked against (Microsoft's Set-Mailbox
/// reference and CISA ScubaGear, as published on that day).
pub const CHECKED_AGAINST_SOURCES_OF: &str = "2026-08-21";

/// Microsoft's own page, to set beside `auditform catalog`.
pub const MICROSOFT_PAGE: &str =
    "https://learn.microsoft.com/purview/audit-mailboxes#mailbox-actions-for-user-mailboxes-and-shared-mailboxes";

pub const SOURCES: [Source; 12] = [
    Source {
        tag: "EV-1.1",
        fact: "which actions each logon type accepts, and which are defaults",
        citation: "Microsoft, \"Manage mailbox auditing\" (audit-mailboxes.md, MicrosoftDocs/microsoft-365-docs @4c0d057, 2023-06-20), with o365soa/Scripts Configure-MailboxAuditLogging.ps1 @f219db7 (2024-12-30)",
    },
    Source {
        tag: "EV-1.2",
        fact: "Microsoft's managed default lists for Admin, Delegate and Owner",
        citation: "o365soa/Scripts Configure-MailboxAuditLogging.ps1 @f219db7 (2024-12-30), unchanged @8fac894 (2025-04-13); CIS Microsoft 365 Foundations v5 6.1.2 \"Default Value\"",
    },
    Source {
        tag: "EV-1.3",
        fact: "the same defaults on every licence: MailItemsAccessed and Send no longer need E5",
        citation: "o365soa/Scripts commit f219db7 \"Update default audit actions\" (removed the E5/non-E5 split); CISA ScubaGear removedpolicies.md (da9e9fbb, 2025-04-08: MS.EXO.17.2v1 removed, Audit (Standard) carries the events)",
    },
    Source {
        tag: "EV-1.4",
        fact: "SearchQueryInitiated: Owner only, not a default, needs Audit (Premium)",
        citation: "audit-mailboxes.md @4c0d057; Microsoft, \"Set up Microsoft Purview Audit (Premium)\", step 2",
    },
    Source {
        tag: "EV-1.5",
        fact: "UpdateComplianceTag is accepted for every logon type, not a default",
        citation: "audit-mailboxes.md @4c0d057; Search-MailboxAuditLog.md (office-docs-powershell)",
    },
    Source {
        tag: "EV-1.6",
        fact: "Add/Modify/RemoveFolderPermissions are accepted but covered by UpdateFolderPermissions",
        citation: "audit-mailboxes.md @4c0d057: \"it's already included in the UpdateFolderPermissions action ... don't use this value\"",
    },
    Source {
        tag: "EV-1.7",
        fact: "FolderBind records by delegates are merged to one per folder per 24 hours",
        citation: "audit-mailboxes.md @4c0d057",
    },
    Source {
        tag: "EV-1.8",
        fact: "MessageBind is deprecated: Admin only, no longer logged, refused with Audit (Premium)",
        citation: "Set-Mailbox.md (office-docs-powershell, 2026-05-15): \"deprecated in the cloud-based service\"; audit-mailboxes.md @4c0d057; o365soa/Scripts @7d829cb (2022-07-13)",
    },
    Source {
        tag: "EV-1.9",
        fact: "the service's enum of action names, in its bit order (None and Default are members, not actions)",
        citation: "enumeration error text of Exchange Online quoted in a public script; on-premises MailboxAuditOperations enum; live REST capture (2024-04)",
    },
    Source {
        tag: "EV-3.1",
        fact: "the service's fixed texts for an action a logon type refuses",
        citation: "Exchange Online texts quoted in public scripts; Exchange resource strings ErrorInvalidAudit{Admin,Delegate,Owner}OperationType",
    },
    Source {
        tag: "EV-3.3",
        fact: "the service's text when a licence is missing",
        citation: "MicrosoftDocs/microsoft-365-docs issue #1195 (2020-02-05)",
    },
    Source {
        tag: "EV-4.7",
        fact: "Audit (Premium) is `M365Auditing` in PersistedCapabilities",
        citation: "o365soa/Scripts commit db8e522 \"Removed Adv eD as service plan for UAL ingestion\"",
    },
];

/// The source a tag names.
pub fn source(tag: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|source| source.tag == tag)
}
