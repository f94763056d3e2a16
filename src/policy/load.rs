//! TEMPORARY placeholder until the loader lands.
use crate::policy::PolicySet;
#[derive(Debug, thiserror::Error)]
#[error("policies could not be loaded")]
pub struct LoadError;
pub struct LoadOutput {
    pub policies: PolicySet,
    pub warnings: Vec<String>,
}
pub fn load_dir(_dir: &std::path::Path) -> Result<LoadOutput, LoadError> {
    Err(LoadError)
}
