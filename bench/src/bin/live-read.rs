//! `live-read ENDPOINT`: reads every mailbox of the tenant `contoso.onmicrosoft.com` at
//! ENDPOINT (the emulator: it is also the authority) through auditform's live reader, keeping
//! nothing but a count, and prints the count. Its peak memory is the reader's own. Credentials
//! come from the environment, as for `auditform`.

use auditform::model::{BypassAssociation, Mailbox, Organization, StateVisitor};
use auditform::state::exo::{Credentials, ExoClient, ExoConfig};
use auditform::state::ReadOptions;
use std::process::ExitCode;

#[derive(Default)]
struct Count(u64);

impl StateVisitor for Count {
    fn organization(&mut self, _: Organization) {}
    fn bypass(&mut self, _: BypassAssociation) {}
    fn mailbox(&mut self, _: Mailbox) {
        self.0 += 1;
    }
}

fn main() -> ExitCode {
    let Some(endpoint) = std::env::args().nth(1) else {
        eprintln!("usage: live-read ENDPOINT");
        return ExitCode::FAILURE;
    };
    let mut config = ExoConfig::new("contoso.onmicrosoft.com");
    config.endpoint = endpoint.clone();
    config.authority = endpoint;
    let result = Credentials::from_env()
        .map_err(|e| e.to_string())
        .and_then(|credentials| ExoClient::new(config, credentials).map_err(|e| e.to_string()))
        .and_then(|client| {
            let mut count = Count::default();
            client
                .read(&mut count, &ReadOptions::default())
                .map_err(|e| e.to_string())?;
            Ok(count.0)
        });
    match result {
        Ok(count) => {
            println!("{count}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("live-read: {error}");
            ExitCode::FAILURE
        }
    }
}
