//! TEMPORARY placeholder until the reader lands.
use crate::state::{ReadOptions, StateVisitor};
use std::path::PathBuf;
#[derive(Debug, thiserror::Error)]
#[error("state could not be read")]
pub struct StateError;
impl StateError {
    pub fn hint(&self) -> Option<String> {
        None
    }
}
pub struct SnapshotFile {
    path: PathBuf,
}
impl SnapshotFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SnapshotFile { path: path.into() }
    }
    pub fn describe(&self) -> String {
        format!("snapshot {}", self.path.display())
    }
    pub fn read(&self, _v: &mut dyn StateVisitor, _o: &ReadOptions) -> Result<(), StateError> {
        Err(StateError)
    }
}
