//! What the fuzz targets share: reading a state file the way `auditform` does, and the checks
//! that tell a reader's outcome apart.

use auditform::model::{
    BypassAssociation, Mailbox, Organization, SplitVisitor, StateVisitor, Tenant,
};
use auditform::state::snapshot::{Shape, SnapshotFile, StateError};
use auditform::state::ReadOptions;
use std::path::PathBuf;

/// Reads `bytes` as a state file on disk, through the very path `--state FILE` takes: the
/// encoding sniffed, UTF-16 transcoded as it streams, an array streamed in blocks.
pub fn read_as_file(bytes: &[u8], options: &ReadOptions) -> Result<(Tenant, Shape), StateError> {
    let path = scratch_file();
    std::fs::write(&path, bytes).expect("the scratch file is writable");
    let mut tenant = Tenant::default();
    let shape = SnapshotFile::new(&path).read_with_shape(&mut tenant, options)?;
    Ok((tenant, shape))
}

/// The same file read with a visitor that splits, so that workers parse and visit.
pub fn read_as_file_split(bytes: &[u8], options: &ReadOptions) -> Result<Tenant, StateError> {
    let path = scratch_file();
    std::fs::write(&path, bytes).expect("the scratch file is writable");
    let mut parts = Parts::default();
    SnapshotFile::new(&path).read_split(&mut parts, options)?;
    Ok(parts.0)
}

/// One file per fuzzing process, in memory where the machine has a tmpfs. Its path is the label
/// that errors name.
pub fn scratch_file() -> PathBuf {
    let directory = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    directory.join(format!("auditform-fuzz-{}.json", std::process::id()))
}

/// A tenant collected in parts, merged back in file order.
#[derive(Default)]
pub struct Parts(pub Tenant);

impl StateVisitor for Parts {
    fn organization(&mut self, organization: Organization) {
        self.0.organization(organization);
    }
    fn bypass(&mut self, association: BypassAssociation) {
        self.0.bypass(association);
    }
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.0.mailbox(mailbox);
    }
}

impl SplitVisitor for Parts {
    fn split(&self) -> Self {
        Parts::default()
    }
    fn merge(&mut self, later: Self) {
        let Tenant {
            organization,
            bypass,
            mailboxes,
        } = later.0;
        if organization.is_some() {
            self.0.organization = organization;
        }
        self.0.bypass.extend(bypass);
        self.0.mailboxes.extend(mailboxes);
    }
}

/// A state error as a person reads it: place, message, hint.
pub fn shown(error: &StateError) -> String {
    auditform::diagnostic::Diagnostic::from(error).to_string()
}

/// The kind of a state error, which two readers of the same bytes must agree on.
pub fn error_kind(error: &StateError) -> &'static str {
    match error {
        StateError::NotFound { .. } => "NotFound",
        StateError::Unreadable { .. } => "Unreadable",
        StateError::Encoding { .. } => "Encoding",
        StateError::Malformed { .. } => "Malformed",
        StateError::Shape { .. } => "Shape",
        StateError::Property { .. } => "Property",
        StateError::Missing { .. } => "Missing",
        StateError::Unnamed { .. } => "Unnamed",
    }
}

/// Text shown to a person holds no line break or other control character that input put
/// there: no byte of input may start a line of output (a CI workflow command, say).
pub fn assert_one_line(what: &str, text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}'),
        "{what} holds a control character: {text:?}"
    );
}
