//! Where the live tenant is: the tenant, the admin endpoint and the authority, and how hard to
//! push the service.

use super::domain::ServiceDomain;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::{Host, Url};

/// The admin endpoint of the worldwide cloud.
pub const DEFAULT_ENDPOINT: &str = "https://outlook.office365.com";
/// Microsoft Entra ID's authority in the worldwide cloud.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Concurrent `$batch` requests. Sub-requests of one batch run one after another on the
/// service, so this is also the number of cmdlets in flight; the service allows a tenant
/// about 16 before it answers "maximum number of concurrent requests per tenant".
pub const DEFAULT_PARALLELISM: usize = 16;
/// The service takes at most 10 requests in one `$batch`.
pub const MAX_BATCH: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExoConfig {
    /// The tenant id (a GUID) or one of its domains, such as `contoso.onmicrosoft.com`.
    pub tenant: String,
    /// The admin endpoint, without a trailing slash; sovereign clouds and tests change it.
    pub endpoint: String,
    /// The OAuth authority, without a trailing slash.
    pub authority: String,
    pub parallelism: usize,
    pub retry: RetryPolicy,
    /// Where to write the support trace of every request and answer, if anywhere.
    pub trace: Option<PathBuf>,
    /// Host names pinned to addresses, as curl's `--resolve` does: requests to such a host
    /// go to that address, with the host's own name in the URL and the `Host` header. Used to
    /// reach a stand-in for the service under the service's own host names.
    pub resolve: Vec<(String, IpAddr)>,
}

/// How transient failures are retried: exponential backoff with full jitter, or the service's
/// `Retry-After` when it gives one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// How long one HTTP request may take before it counts as a timeout.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            request_timeout: Duration::from_secs(120),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the tenant {0:?} is not a tenant id or domain")]
    InvalidTenant(String),
    #[error("the {what} {url:?} is not an http(s) URL with a host and nothing after it")]
    InvalidUrl { what: &'static str, url: String },
    #[error("the {what} must not carry a user name or password")]
    Credentials { what: &'static str },
    #[error("the {what} {url:?} is plain http; only https carries a token (http is accepted for loopback and .test hosts, which tests use)")]
    Insecure { what: &'static str, url: String },
}

impl ExoConfig {
    /// A configuration for the worldwide cloud.
    pub fn new(tenant: impl Into<String>) -> ExoConfig {
        ExoConfig {
            tenant: tenant.into(),
            endpoint: DEFAULT_ENDPOINT.to_string(),
            authority: DEFAULT_AUTHORITY.to_string(),
            parallelism: DEFAULT_PARALLELISM,
            retry: RetryPolicy::default(),
            trace: None,
            resolve: Vec::new(),
        }
    }

    /// Refuses what would make a wrong URL: the tenant goes into URL paths unescaped.
    pub fn validate(mut self) -> Result<ExoConfig, ConfigError> {
        let tenant_ok = !self.tenant.is_empty()
            && self
                .tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
        if !tenant_ok {
            return Err(ConfigError::InvalidTenant(self.tenant));
        }
        for (what, url) in [
            ("endpoint", &mut self.endpoint),
            ("authority", &mut self.authority),
        ] {
            *url = base_url(what, url)?;
        }
        self.parallelism = self.parallelism.max(1);
        Ok(self)
    }

    /// The hosts that may receive the token (next-page links are checked against it).
    pub fn service_domain(&self) -> ServiceDomain {
        match Url::parse(&self.endpoint) {
            Ok(url) => ServiceDomain::of(&url),
            // Unreachable once validated; an unparsable endpoint admits nothing.
            Err(_) => ServiceDomain::of(&Url::parse("https://invalid.invalid").expect("a URL")),
        }
    }

    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.authority, self.tenant)
    }

    /// The device-code endpoint of the authority, for signing in as a person.
    pub fn device_code_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/devicecode", self.authority, self.tenant)
    }

    /// The client-credentials scope: the endpoint's resource, all its app roles.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.endpoint)
    }

    /// A person's scope: the endpoint's resource, and `offline_access` for a refresh token.
    pub fn device_scope(&self) -> String {
        format!("{}/.default offline_access", self.endpoint)
    }

    pub fn invoke_url(&self) -> String {
        format!(
            "{}/adminapi/beta/{}/InvokeCommand",
            self.endpoint, self.tenant
        )
    }

    pub fn batch_url(&self) -> String {
        format!("{}/adminapi/beta/{}/$batch", self.endpoint, self.tenant)
    }

    /// How the source is named to people and in plan files.
    pub fn describe(&self) -> String {
        if self.endpoint == DEFAULT_ENDPOINT {
            format!("Exchange Online tenant {}", self.tenant)
        } else {
            format!(
                "Exchange Online tenant {} at {}",
                self.tenant, self.endpoint
            )
        }
    }
}

/// A base URL as auditform uses it: http(s), a host, no user, path, query or fragment, and no
/// trailing slash. Plain http only for hosts that never leave the machine or the test lab.
fn base_url(what: &'static str, text: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::InvalidUrl {
        what,
        url: text.to_string(),
    };
    let trimmed = text.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|_| invalid())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::Credentials { what });
    }
    let bare = url.host().is_some()
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none();
    if !bare {
        return Err(invalid());
    }
    match url.scheme() {
        "https" => {}
        "http" if is_local(&url) => {}
        "http" => {
            return Err(ConfigError::Insecure {
                what,
                url: trimmed.to_string(),
            })
        }
        _ => return Err(invalid()),
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Loopback addresses, `localhost`, and the names RFC 6761 reserves for testing and for the
/// local machine (`.test`, `.localhost`).
fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(address)) => address.is_loopback(),
        Some(Host::Ipv6(address)) => address.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost") || name.ends_with(".test")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_endpoint_and_authority_of_the_cloud() {
        let mut config = ExoConfig::new("contoso.onmicrosoft.com");
        config.endpoint = "https://outlook.office365.us/".into();
        config.authority = "https://login.microsoftonline.us".into();
        let config = config.validate().unwrap();
        assert_eq!(
            config.token_url(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(config.scope(), "https://outlook.office365.us/.default");
        assert_eq!(
            config.invoke_url(),
            "https://outlook.office365.us/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand"
        );
        assert_eq!(
            config.batch_url(),
            "https://outlook.office365.us/adminapi/beta/contoso.onmicrosoft.com/$batch"
        );
    }

    #[test]
    fn a_tenant_that_would_change_the_url_path_is_refused() {
        for tenant in ["", "contoso/../x", "a b", "x?y=1"] {
            assert_eq!(
                ExoConfig::new(tenant).validate(),
                Err(ConfigError::InvalidTenant(tenant.into()))
            );
        }
    }

    #[test]
    fn plain_http_is_refused_except_for_hosts_that_stay_local() {
        let with = |endpoint: &str| {
            let mut config = ExoConfig::new("contoso.onmicrosoft.com");
            config.endpoint = endpoint.into();
            config.validate()
        };
        assert!(matches!(
            with("http://outlook.office365.com"),
            Err(ConfigError::Insecure { .. })
        ));
        for local in [
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://localhost:1",
            "http://outlook.office365.test:80",
        ] {
            assert!(with(local).is_ok(), "{local}");
        }
        assert!(matches!(
            with("https://user:pw@outlook.office365.com"),
            Err(ConfigError::Credentials { .. })
        ));
        for other in [
            "https://outlook.office365.com/path",
            "https://outlook.office365.com/?q=1",
            "ftp://outlook.office365.com",
        ] {
            assert!(
                matches!(with(other), Err(ConfigError::InvalidUrl { .. })),
                "{other}"
            );
        }
    }

    #[test]
    fn an_endpoint_that_is_not_a_url_is_refused() {
        let mut config = ExoConfig::new("contoso.onmicrosoft.com");
        config.endpoint = "outlook.office365.com".into();
        assert!(matches!(
            config.validate(),
            Err(ConfigError::InvalidUrl {
                what: "endpoint",
                ..
            })
        ));
    }
}
