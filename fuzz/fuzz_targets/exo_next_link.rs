//! `@odata.nextLink` from a server's answer, which decides where the access token goes next:
//! any text, joined to the current page's URL as the client joins it. A link is admitted only
//! on the endpoint's scheme and port, without a user name, to a host inside the service's
//! domain; and the URL the client then requests names the same host when read again.
#![no_main]

use auditform::state::exo::domain::ServiceDomain;
use libfuzzer_sys::fuzz_target;
use url::{Host, Url};

const ENDPOINTS: [(&str, &str); 5] = [
    ("https://outlook.office365.com", "office365.com"),
    ("https://outlook.office365.us", "office365.us"),
    ("https://partner.outlook.cn", "outlook.cn"),
    // The host without its first label, as for the service's own hosts (state/exo/domain.rs).
    ("https://exchange.contoso.co.uk", "contoso.co.uk"),
    ("http://127.0.0.1:8080", "127.0.0.1"),
];

/// The host as the client would connect to it: lower case, no trailing dot.
fn host_of(url: &Url) -> Option<String> {
    Some(match url.host()? {
        Host::Domain(name) => name.trim_end_matches('.').to_ascii_lowercase(),
        Host::Ipv4(address) => address.to_string(),
        Host::Ipv6(address) => format!("[{address}]"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(link) = std::str::from_utf8(data) else {
        return;
    };
    for (endpoint, domain) in ENDPOINTS {
        let endpoint_url = Url::parse(endpoint).expect("a URL");
        let service = ServiceDomain::of(&endpoint_url);
        let current =
            Url::parse(&format!("{endpoint}/adminapi/beta/t/InvokeCommand")).expect("a URL");
        let Ok(next) = current.join(link) else {
            continue;
        };
        match service.admits(&next) {
            Ok(()) => {
                assert_eq!(next.scheme(), endpoint_url.scheme(), "{next}");
                assert_eq!(
                    next.port_or_known_default(),
                    endpoint_url.port_or_known_default()
                );
                assert!(
                    next.username().is_empty() && next.password().is_none(),
                    "{next}"
                );
                let host = host_of(&next).expect("an admitted link has a host");
                assert!(!host.split('.').any(str::is_empty), "{next}");
                assert!(
                    host == domain || host.ends_with(&format!(".{domain}")),
                    "{link:?} -> {next} leaves {domain}"
                );
                // The client requests `next.to_string()`: read again, it names the same place.
                let requested = Url::parse(next.as_str()).expect("a URL reads back");
                assert_eq!(
                    host_of(&requested).as_deref(),
                    Some(host.as_str()),
                    "{next}"
                );
                assert_eq!(
                    requested.port_or_known_default(),
                    next.port_or_known_default()
                );
                assert!(service.admits(&requested).is_ok(), "{next}");
            }
            Err(reason) => {
                auditform_fuzz::assert_one_line("refusal", &reason);
            }
        }
    }
});
