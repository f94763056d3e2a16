//! Saved plans on disk: written atomically, read whole, and the state file a plan was made from
//! resolved to the absolute path that the plan file records. The bytes are `plan::planfile`'s.

use crate::plan::document::Layout;
use crate::plan::planfile::{decode, encode, PlanFileError, PlanFileInfo, PlannedState, SavedPlan};
use crate::plan::Plan;
use crate::state::atomic_write::write_atomically_with;
use std::path::{Path, PathBuf};

/// A plan file that could not be saved or loaded, with its path.
#[derive(Debug, thiserror::Error)]
#[error("plan file {}: {error}", path.display())]
pub struct PlanFileFailure {
    pub path: PathBuf,
    #[source]
    pub error: PlanFileError,
}

fn at(path: &Path) -> impl FnOnce(PlanFileError) -> PlanFileFailure + '_ {
    move |error| PlanFileFailure {
        path: path.to_path_buf(),
        error,
    }
}

/// Writes the plan file atomically, so that a crash leaves either the old file or the new one,
/// and as it is encoded, so that a plan of a million changes is never held twice.
pub fn save(
    path: &Path,
    plan: &Plan,
    info: PlanFileInfo,
    layout: Layout,
) -> Result<(), PlanFileFailure> {
    write_atomically_with(path, |out| encode(plan, info, layout, out))
        .map_err(PlanFileError::Write)
        .map_err(at(path))
}

pub fn load(path: &Path) -> Result<SavedPlan, PlanFileFailure> {
    let bytes = std::fs::read(path)
        .map_err(PlanFileError::Read)
        .map_err(at(path))?;
    decode(&bytes).map_err(at(path))
}

/// The state file at `path`, by its canonical absolute path; `None` when the file can't be
/// resolved or its path is not UTF-8, since a recorded path must name exactly it.
pub fn planned_snapshot(path: &Path) -> Option<PlannedState> {
    let canonical = path.canonicalize().ok()?;
    Some(PlannedState::Snapshot {
        path: canonical.into_os_string().into_string().ok()?,
    })
}

#[cfg(test)]
mod tests;
