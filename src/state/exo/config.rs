//! Where the live tenant is: the tenant, the admin endpoint and the authority, and how hard to
//! push the service.

use std::time::Duration;

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
    #[error("the {what} {url:?} is not an http(s) URL")]
    InvalidUrl { what: &'static str, url: String },
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
            let trimmed = url.trim().trim_end_matches('/').to_string();
            if !(trimmed.starts_with("https://") || trimmed.starts_with("http://")) {
                return Err(ConfigError::InvalidUrl {
                    what,
                    url: url.clone(),
                });
            }
            *url = trimmed;
        }
        self.parallelism = self.parallelism.max(1);
        Ok(self)
    }

    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.authority, self.tenant)
    }

    /// The client-credentials scope: the endpoint's resource, all its app roles.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.endpoint)
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
