//! Which hosts may receive the access token: the endpoint's own service domain, and nothing
//! else.
//!
//! The service hands out next-page links on other hosts of its own domain: a tenant is served
//! by a regional front end (`https://<prefix>.outlook.office365.com`, which is what CISA
//! ScubaGear resolves before it calls the endpoint: cisagov/ScubaGear,
//! PowerShell/ScubaGear/Modules/Providers/ProviderHelpers/EXORestHelper.psm1,
//! `Get-ExchangeOnlineApiEndpoint`). So a link need not name the configured host, but the token
//! must never leave the service.
//!
//! The domain is the endpoint's host without its first label (`outlook.office365.com` gives
//! `office365.com`, `outlook.office365.us` gives `office365.us`, `partner.outlook.cn` gives
//! `outlook.cn`), unless that would leave a public suffix such as `co.uk`, or the host has
//! only two labels: then it is the host itself. A host is inside when it is the domain or
//! ends in `.` and the domain; `office365.com.evil.com` is not, nor is a name with an empty
//! label (`a..office365.com`). An IP address or a one-label host (`localhost`) allows only
//! itself. The scheme and the port must stay those of the endpoint: no link can move the token
//! to plain HTTP or to another service on the host.

use url::{Host, Url};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceDomain {
    scheme: String,
    port: Option<u16>,
    scope: Scope,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    /// An IP address or a single-label name: that host only.
    Exactly(String),
    /// A DNS domain and all its subdomains.
    Domain(String),
}

/// Second-level labels that, under a two-letter country code, make a public suffix
/// (`co.uk`, `com.au`, `gov.cn`): the domain is never widened to one of them.
const SECOND_LEVEL_SUFFIXES: [&str; 11] = [
    "ac", "co", "com", "edu", "go", "gob", "gov", "mil", "ne", "net", "org",
];

impl ServiceDomain {
    /// The domain of an endpoint URL (already validated to have a host).
    pub fn of(endpoint: &Url) -> ServiceDomain {
        let host = normalized_host(endpoint).unwrap_or_default();
        let scope = match endpoint.host() {
            Some(Host::Domain(_)) if host.contains('.') => Scope::Domain(widen(&host)),
            _ => Scope::Exactly(host),
        };
        ServiceDomain {
            scheme: endpoint.scheme().to_string(),
            port: endpoint.port_or_known_default(),
            scope,
        }
    }

    /// Whether `url` may receive the token; otherwise why not, naming only the parsed host.
    pub fn admits(&self, url: &Url) -> Result<(), String> {
        let Some(host) = normalized_host(url) else {
            return Err("it names no host".into());
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("it carries a user name for {host}"));
        }
        if url.scheme() != self.scheme {
            return Err(format!("it changes the scheme to {}", url.scheme()));
        }
        if url.port_or_known_default() != self.port {
            return Err(format!("it names another port on {host}"));
        }
        // A link such as `\\\....contoso.com` joins to the host `....contoso.com`: it ends in
        // the domain, but no resolver can look it up, so it is refused here, with its reason,
        // rather than as a failed connection.
        if matches!(url.host(), Some(Host::Domain(_))) && host.split('.').any(str::is_empty) {
            return Err(format!("{host} has an empty label"));
        }
        let inside = match &self.scope {
            Scope::Exactly(only) => host == *only,
            Scope::Domain(domain) => {
                host == *domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
        };
        if inside {
            Ok(())
        } else {
            Err(format!("{host} is outside {}", self.describe()))
        }
    }

    /// How the domain is named to people.
    pub fn describe(&self) -> String {
        match &self.scope {
            Scope::Exactly(host) => format!("the endpoint's host {host}"),
            Scope::Domain(domain) => format!("the service's domain {domain}"),
        }
    }
}

/// The host in lower case without a trailing dot; IPv6 addresses in brackets.
fn normalized_host(url: &Url) -> Option<String> {
    let host = match url.host()? {
        Host::Domain(name) => name.trim_end_matches('.').to_ascii_lowercase(),
        Host::Ipv4(address) => address.to_string(),
        Host::Ipv6(address) => format!("[{address}]"),
    };
    (!host.is_empty()).then_some(host)
}

/// The host without its first label, unless that leaves fewer than two labels or a public
/// suffix.
fn widen(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 3 {
        return host.to_string();
    }
    let rest = &labels[1..];
    let public_suffix =
        rest.len() == 2 && rest[1].len() == 2 && SECOND_LEVEL_SUFFIXES.contains(&rest[0]);
    if public_suffix {
        host.to_string()
    } else {
        rest.join(".")
    }
}

#[cfg(test)]
mod tests;
