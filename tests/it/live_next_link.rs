//! Next-page links may name another host of the service's domain (a regional front end);
//! auditform follows them there, and never sends the token to a host outside the domain.
//! The emulator is reached under the service's own kind of host names (`*.office365.test`,
//! pinned to 127.0.0.1 as curl's `--resolve` does), and records every host it was asked for.

use crate::support::live::*;
use auditform::model::Tenant;
use auditform::state::exo::{Credentials, ExoClient, ExoConfig, ExoError, Secret};
use auditform::state::ReadOptions;
use auditform_emulator::{EmulatorConfig, EmulatorHandle};
use std::net::{IpAddr, Ipv4Addr};

const ENDPOINT_HOST: &str = "outlook.office365.test";
const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn emulator_with_links_on(host: &str) -> EmulatorHandle {
    start_with(EmulatorConfig {
        page_size: 3,
        next_link_host: Some(host.into()),
        ..strict_config()
    })
}

/// A client of the emulator as `http://outlook.office365.test:PORT`, with the other names
/// pinned to the emulator too, so that a link to any of them would reach it and be seen.
fn client(emulator: &EmulatorHandle, other_hosts: &[&str]) -> ExoClient {
    let port = emulator.address().port();
    let mut config = ExoConfig::new(TENANT);
    config.endpoint = format!("http://{ENDPOINT_HOST}:{port}");
    config.authority = emulator.authority();
    config.resolve = std::iter::once(ENDPOINT_HOST)
        .chain(other_hosts.iter().copied())
        .map(|host| (host.to_string(), LOCALHOST))
        .collect();
    let credentials = Credentials::ClientSecret {
        client_id: CLIENT_ID.into(),
        secret: Secret::new(CLIENT_SECRET),
    };
    ExoClient::new(config, credentials).unwrap()
}

fn hosts_asked(emulator: &EmulatorHandle) -> Vec<String> {
    emulator
        .counters()
        .hosts
        .keys()
        .map(|host| host.split(':').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_next_page_on_another_host_of_the_service_domain_is_followed() {
    const REGIONAL: &str = "nam12b.outlook.office365.test";
    let emulator = emulator_with_links_on(REGIONAL);
    let client = client(&emulator, &[REGIONAL]);
    let mut tenant = Tenant::default();
    client.read(&mut tenant, &ReadOptions::default()).unwrap();
    let expected = auditform_emulator::read_snapshot(std::path::Path::new("examples/tenant.json"))
        .unwrap()["mailboxes"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(tenant.mailboxes.len(), expected, "every page was read");
    let hosts = hosts_asked(&emulator);
    assert!(hosts.contains(&REGIONAL.to_string()), "{hosts:?}");
    assert_strictly_spoken(&emulator);
}

#[test]
fn a_next_page_outside_the_domain_is_refused_and_nothing_is_sent_there() {
    for outside in ["office365.test.evil.test", "evil.test", "xoffice365.test"] {
        let emulator = emulator_with_links_on(outside);
        let client = client(&emulator, &[outside]);
        let mut tenant = Tenant::default();
        let error = client
            .read(&mut tenant, &ReadOptions::default())
            .unwrap_err();
        assert!(
            matches!(error, ExoError::NextPage { .. }),
            "{outside}: {error}\n{:?}",
            emulator.counters()
        );
        let shown = error.to_string();
        assert!(
            shown.contains(&format!(
                "{outside} is outside the service's domain office365.test"
            )),
            "{shown}"
        );
        assert!(error.hint().is_some());
        let hosts = hosts_asked(&emulator);
        assert!(
            !hosts.contains(&outside.to_string()),
            "{outside}: {hosts:?}"
        );
    }
}
