//! Choosing between the state file and a live tenant, for the commands that read state.

use crate::cli::{LiveArgs, StateArgs};
use crate::error::CliError;
use crate::inert::Inert;
use crate::model::StateVisitor;
use crate::redact::scrub;
use crate::state::exo::{Credentials, ExoClient, ExoConfig};
use crate::state::snapshot::SnapshotFile;
use crate::state::ReadOptions;

/// Where a command reads current state from.
pub enum Source {
    File(SnapshotFile),
    Live(Box<ExoClient>),
}

impl Source {
    /// The live tenant when `--tenant` is given, else the state file.
    pub fn choose(state: &StateArgs, live: &LiveArgs) -> Result<Source, CliError> {
        match &live.tenant {
            None => Ok(Source::File(SnapshotFile::new(state.path()))),
            Some(tenant) => Ok(Source::Live(Box::new(live_client(tenant, live)?))),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::File(file) => file.describe(),
            Source::Live(client) => client.describe(),
        }
    }

    /// Reads the state; the service's warnings go to stderr, read or not.
    pub fn read(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<(), CliError> {
        match self {
            Source::File(file) => Ok(file.read(visitor, options)?),
            Source::Live(client) => {
                let read = client.read(visitor, options);
                print_service_warnings(client);
                Ok(read?)
            }
        }
    }
}

/// A client of the tenant, with credentials from the environment. Signing in as a person
/// (`AUDITFORM_AUTH=device`) shows its code on stderr when the first request needs a token.
pub fn live_client(tenant: &str, live: &LiveArgs) -> Result<ExoClient, CliError> {
    let mut config = ExoConfig::new(tenant);
    config.endpoint = live.endpoint.clone();
    config.authority = live.authority.clone();
    config.parallelism = live.parallelism;
    config.trace = live.trace.clone();
    let credentials = Credentials::from_env().map_err(crate::state::exo::ExoError::from)?;
    let client = ExoClient::new(config, credentials)?;
    if client.signs_in_interactively() {
        client.sign_in()?;
    }
    Ok(client)
}

/// The warnings Exchange Online gave (`@adminapi.warnings` while reading), on stderr: the
/// service's words, so scrubbed and made inert (no logging command in a CI log).
pub fn print_service_warnings(client: &ExoClient) {
    for warning in client.take_warnings() {
        eprintln!("warning: {}", Inert(&scrub(&warning)));
    }
}
