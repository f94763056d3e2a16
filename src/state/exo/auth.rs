//! Credentials from the environment and access tokens from them, all through the OAuth 2.0
//! client-credentials flow against `{authority}/{tenant}/oauth2/v2.0/token`.
//!
//! Which credential is used, when `AUDITFORM_AUTH` does not name one:
//! 1. `AUDITFORM_ACCESS_TOKEN`: a ready token, used as it is;
//! 2. `AUDITFORM_CLIENT_ID` + `AUDITFORM_CLIENT_SECRET`;
//! 3. `AUDITFORM_CLIENT_ID` + `AUDITFORM_CERTIFICATE` (a PEM with the key and the certificate);
//! 4. `AUDITFORM_CLIENT_ID` + GitHub Actions OIDC, when `ACTIONS_ID_TOKEN_REQUEST_URL` and
//!    `ACTIONS_ID_TOKEN_REQUEST_TOKEN` are set (the workflow has `id-token: write`).
//!
//! `AUDITFORM_AUTH=token|secret|certificate|github-oidc` chooses one explicitly.

use super::config::ExoConfig;
use super::http::{backoff, Http, RawFailure};
use super::jwt::{CertificateError, SigningCertificate};
use super::secret::Secret;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const ENV_AUTH: &str = "AUDITFORM_AUTH";
pub const ENV_ACCESS_TOKEN: &str = "AUDITFORM_ACCESS_TOKEN";
pub const ENV_CLIENT_ID: &str = "AUDITFORM_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "AUDITFORM_CLIENT_SECRET";
pub const ENV_CERTIFICATE: &str = "AUDITFORM_CERTIFICATE";
pub const ENV_GITHUB_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
pub const ENV_GITHUB_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

/// The audience Entra ID expects of a federated (workload identity) token.
const FEDERATION_AUDIENCE: &str = "api%3A%2F%2FAzureADTokenExchange";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// A token is renewed this long before it expires, so that no request carries a dying one.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(300);
const TOKEN_ATTEMPTS: u32 = 4;

#[derive(Debug)]
pub enum Credentials {
    AccessToken(Secret),
    ClientSecret {
        client_id: String,
        secret: Secret,
    },
    Certificate {
        client_id: String,
        path: PathBuf,
    },
    GithubOidc {
        client_id: String,
        request_url: String,
        request_token: Secret,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials for Exchange Online: set AUDITFORM_ACCESS_TOKEN, or AUDITFORM_CLIENT_ID with AUDITFORM_CLIENT_SECRET or AUDITFORM_CERTIFICATE, or run in GitHub Actions with `permissions: id-token: write`")]
    NoCredentials,
    #[error("{mode} authentication needs {missing}")]
    Missing {
        mode: &'static str,
        missing: &'static str,
    },
    #[error("AUDITFORM_AUTH={0:?} is not one of token, secret, certificate, github-oidc")]
    UnknownMode(String),
    #[error("can't read the certificate {}: {reason}", path.display())]
    Certificate { path: PathBuf, reason: String },
    #[error("Microsoft Entra ID refused the sign-in (HTTP {status}): {description}")]
    Refused { status: u16, description: String },
    #[error("GitHub Actions did not give an ID token (HTTP {status}); does the job have `permissions: id-token: write`?")]
    GithubRefused { status: u16 },
    #[error("can't reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} answered something that is not a token")]
    Malformed { url: String },
}

impl Credentials {
    pub fn from_env() -> Result<Credentials, AuthError> {
        Credentials::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Chooses a credential from variables looked up by name, in the documented precedence.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Credentials, AuthError> {
        let mode = get(ENV_AUTH).map(|m| m.trim().to_ascii_lowercase());
        let client_id = |mode: &'static str| {
            get(ENV_CLIENT_ID).ok_or(AuthError::Missing {
                mode,
                missing:
                    "AUDITFORM_CLIENT_ID (the application (client) id of the app registration)",
            })
        };
        let token = || get(ENV_ACCESS_TOKEN).map(|t| Credentials::AccessToken(Secret::new(t)));
        let secret = || {
            get(ENV_CLIENT_SECRET).map(|secret| {
                Ok(Credentials::ClientSecret {
                    client_id: client_id("client secret")?,
                    secret: Secret::new(secret),
                })
            })
        };
        let certificate = || {
            get(ENV_CERTIFICATE).map(|path| {
                Ok(Credentials::Certificate {
                    client_id: client_id("certificate")?,
                    path: PathBuf::from(path),
                })
            })
        };
        let github = || match (get(ENV_GITHUB_REQUEST_URL), get(ENV_GITHUB_REQUEST_TOKEN)) {
            (Some(request_url), Some(token)) => Some(Ok(Credentials::GithubOidc {
                client_id: match client_id("GitHub Actions OIDC") {
                    Ok(id) => id,
                    Err(error) => return Some(Err(error)),
                },
                request_url,
                request_token: Secret::new(token),
            })),
            _ => None,
        };
        match mode.as_deref() {
            None => token()
                .map(Ok)
                .or_else(secret)
                .or_else(certificate)
                .or_else(github)
                .unwrap_or(Err(AuthError::NoCredentials)),
            Some("token") => token().ok_or(AuthError::Missing {
                mode: "token",
                missing: "AUDITFORM_ACCESS_TOKEN",
            }),
            Some("secret") => secret().unwrap_or(Err(AuthError::Missing {
                mode: "client secret",
                missing: "AUDITFORM_CLIENT_SECRET",
            })),
            Some("certificate") => certificate().unwrap_or(Err(AuthError::Missing {
                mode: "certificate",
                missing: "AUDITFORM_CERTIFICATE (the path of a PEM file with the private key and the certificate)",
            })),
            Some("github-oidc") => github().unwrap_or(Err(AuthError::Missing {
                mode: "GitHub Actions OIDC",
                missing: "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (give the job `permissions: id-token: write`)",
            })),
            Some(other) => Err(AuthError::UnknownMode(other.to_string())),
        }
    }
}

struct Cached {
    token: Secret,
    renew_at: Instant,
}

/// Hands out a valid access token, asking the authority for a new one when needed. Shared by
/// every worker thread.
pub struct TokenSource {
    token_url: String,
    scope: String,
    credentials: Credentials,
    certificate: Option<SigningCertificate>,
    cached: Mutex<Option<Cached>>,
    retry: super::config::RetryPolicy,
}

impl TokenSource {
    pub fn new(config: &ExoConfig, credentials: Credentials) -> Result<TokenSource, AuthError> {
        let certificate =
            match &credentials {
                Credentials::Certificate { path, .. } => {
                    let text =
                        std::fs::read_to_string(path).map_err(|error| AuthError::Certificate {
                            path: path.clone(),
                            reason: error.to_string(),
                        })?;
                    Some(SigningCertificate::from_pem(&text).map_err(
                        |error: CertificateError| AuthError::Certificate {
                            path: path.clone(),
                            reason: error.to_string(),
                        },
                    )?)
                }
                _ => None,
            };
        Ok(TokenSource {
            token_url: config.token_url(),
            scope: config.scope(),
            credentials,
            certificate,
            cached: Mutex::new(None),
            retry: config.retry.clone(),
        })
    }

    pub fn token(&self, http: &Http) -> Result<Secret, AuthError> {
        if let Credentials::AccessToken(token) = &self.credentials {
            return Ok(token.clone());
        }
        let mut cached = match self.cached.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(current) = cached.as_ref() {
            if Instant::now() < current.renew_at {
                return Ok(current.token.clone());
            }
        }
        let (token, lifetime) = self.request(http)?;
        *cached = Some(Cached {
            token: token.clone(),
            renew_at: Instant::now() + lifetime.saturating_sub(RENEW_BEFORE_EXPIRY),
        });
        Ok(token)
    }

    /// Forgets `stale`, after the service refused it, so that the next call gets a new one.
    /// Returns whether a new token can be had at all (a ready token can't be renewed).
    pub fn invalidate(&self, stale: &Secret) -> bool {
        if matches!(self.credentials, Credentials::AccessToken(_)) {
            return false;
        }
        let mut cached = match self.cached.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if cached.as_ref().is_some_and(|c| &c.token == stale) {
            *cached = None;
        }
        true
    }

    fn request(&self, http: &Http) -> Result<(Secret, Duration), AuthError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.request_once(http) {
                Err(AuthError::Unreachable { .. }) if attempt < TOKEN_ATTEMPTS => {
                    std::thread::sleep(backoff(&self.retry, attempt, None));
                }
                Err(AuthError::Refused { status, .. })
                    if (status == 429 || status >= 500) && attempt < TOKEN_ATTEMPTS =>
                {
                    std::thread::sleep(backoff(&self.retry, attempt, None));
                }
                other => return other,
            }
        }
    }

    fn request_once(&self, http: &Http) -> Result<(Secret, Duration), AuthError> {
        let assertion;
        let mut fields: Vec<(&str, &str)> =
            vec![("grant_type", "client_credentials"), ("scope", &self.scope)];
        match &self.credentials {
            Credentials::AccessToken(token) => return Ok((token.clone(), Duration::MAX)),
            Credentials::ClientSecret { client_id, secret } => {
                fields.push(("client_id", client_id));
                fields.push(("client_secret", secret.expose()));
            }
            Credentials::Certificate { client_id, .. } => {
                let Some(certificate) = &self.certificate else {
                    return Err(AuthError::Malformed {
                        url: self.token_url.clone(),
                    });
                };
                assertion = Secret::new(certificate.client_assertion(
                    client_id,
                    &self.token_url,
                    unix_now(),
                    &unique_id(),
                ));
                fields.push(("client_id", client_id));
                fields.push(("client_assertion_type", ASSERTION_TYPE));
                fields.push(("client_assertion", assertion.expose()));
            }
            Credentials::GithubOidc {
                client_id,
                request_url,
                request_token,
            } => {
                assertion = github_id_token(http, request_url, request_token)?;
                fields.push(("client_id", client_id));
                fields.push(("client_assertion_type", ASSERTION_TYPE));
                fields.push(("client_assertion", assertion.expose()));
            }
        }
        let body = http
            .post_form(&self.token_url, &fields)
            .map_err(|failure| match failure {
                RawFailure::Transport(reason) => AuthError::Unreachable {
                    url: self.token_url.clone(),
                    reason,
                },
                RawFailure::Status { status, body } => AuthError::Refused {
                    status,
                    description: entra_description(&body),
                },
            })?;
        let answer: Value = serde_json::from_slice(&body).map_err(|_| AuthError::Malformed {
            url: self.token_url.clone(),
        })?;
        let token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Malformed {
                url: self.token_url.clone(),
            })?;
        let lifetime = answer
            .get("expires_in")
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(3600);
        Ok((Secret::new(token), Duration::from_secs(lifetime)))
    }
}

/// The first line of Entra ID's `error_description` (the rest is trace and correlation ids).
fn entra_description(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error_description")?.as_str().map(str::to_string))
        .and_then(|text| text.lines().next().map(str::to_string))
        .unwrap_or_else(|| "no error description".to_string())
}

/// Asks GitHub Actions for an ID token whose audience Entra ID's federation accepts.
fn github_id_token(
    http: &Http,
    request_url: &str,
    request_token: &Secret,
) -> Result<Secret, AuthError> {
    let separator = if request_url.contains('?') { '&' } else { '?' };
    let url = format!("{request_url}{separator}audience={FEDERATION_AUDIENCE}");
    // The URL names GitHub's endpoint; its query is not shown, as it may identify the run.
    let shown = request_url.split('?').next().unwrap_or("").to_string();
    let body = http
        .get_with_bearer(&url, request_token)
        .map_err(|failure| match failure {
            RawFailure::Transport(reason) => AuthError::Unreachable {
                url: shown.clone(),
                reason,
            },
            RawFailure::Status { status, .. } => AuthError::GithubRefused { status },
        })?;
    serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("value")?.as_str().map(Secret::new))
        .ok_or(AuthError::Malformed { url: shown })
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A `jti` no other assertion shares.
fn unique_id() -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let digest = Sha256::new()
        .chain_update(nanos.to_le_bytes())
        .chain_update(std::process::id().to_le_bytes())
        .chain_update(SERIAL.fetch_add(1, Ordering::Relaxed).to_le_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
