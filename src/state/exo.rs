//! Live Exchange Online through the admin REST endpoint that the ExchangeOnlineManagement
//! module itself uses (DESIGN §1.4): configuration, authentication, reading state into a
//! [`StateVisitor`](crate::model::StateVisitor), and writing a plan's changes in `$batch`
//! requests with retries.

pub mod auth;
pub mod config;
pub mod http;
pub mod jwt;
pub mod live_sink;
pub mod secret;
pub mod sink;
pub mod source;

pub use auth::{AuthError, Credentials};
pub use config::{ConfigError, ExoConfig, RetryPolicy};
pub use live_sink::ExoSink;
pub use secret::Secret;
pub use sink::{WriteReport, WriteResult};

use crate::state::snapshot::StateError;
use auth::TokenSource;
use http::{backoff, Failure, Http};
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ExoError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("{cmdlet} was refused (HTTP {status}): {message}")]
    Refused {
        cmdlet: String,
        status: u16,
        message: String,
    },
    #[error("Exchange Online refused the access token: {message}")]
    Unauthorized { message: String },
    #[error("{cmdlet} still failed after {attempts} attempts: {reason}")]
    GaveUp {
        cmdlet: String,
        attempts: u32,
        reason: String,
    },
    #[error("the answer to {cmdlet} can't be read: {source}")]
    Answer {
        cmdlet: String,
        source: Box<StateError>,
    },
    #[error("the answer to {cmdlet} is not what the endpoint sends: {reason}")]
    Malformed { cmdlet: String, reason: String },
}

impl ExoError {
    /// What to try next, for the message a person reads.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ExoError::Auth(AuthError::NoCredentials) | ExoError::Auth(AuthError::Missing { .. }) => {
                Some("see docs/live.md for registering the app and each way to sign in")
            }
            ExoError::Auth(AuthError::Refused { .. }) => Some(
                "check AUDITFORM_CLIENT_ID, the secret or certificate, and --tenant; a federated credential's subject must match the workflow (docs/live.md)",
            ),
            ExoError::Unauthorized { .. } | ExoError::Refused { status: 403, .. } => Some(
                "the app needs the Exchange.ManageAsApp permission with admin consent, and an Exchange role (docs/live.md)",
            ),
            ExoError::GaveUp { .. } => {
                Some("the service is busy or unreachable; try again later, or lower --parallelism")
            }
            _ => None,
        }
    }
}

/// A client of one tenant's admin endpoint. Shared by reference between worker threads.
pub struct ExoClient {
    config: ExoConfig,
    http: Http,
    tokens: TokenSource,
}

impl ExoClient {
    pub fn new(config: ExoConfig, credentials: Credentials) -> Result<ExoClient, ExoError> {
        let config = config.validate()?;
        let tokens = TokenSource::new(&config, credentials)?;
        Ok(ExoClient {
            http: Http::new(&config.retry),
            config,
            tokens,
        })
    }

    pub fn config(&self) -> &ExoConfig {
        &self.config
    }

    /// How the tenant is named to people and in plan files.
    pub fn describe(&self) -> String {
        self.config.describe()
    }

    /// The body of an InvokeCommand request.
    fn cmdlet_body(cmdlet: &str, parameters: Value) -> Value {
        json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}})
    }

    /// POSTs `body` to `url`, retrying transient failures with backoff and a refused token
    /// once with a new one. `cmdlet` names the work in errors.
    fn post(&self, url: &str, body: &[u8], cmdlet: &str) -> Result<Vec<u8>, ExoError> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let token = self.tokens.token(&self.http)?;
            match self.http.post_json(url, &token, body) {
                Ok(answer) => return Ok(answer),
                Err(Failure::Transient {
                    reason,
                    retry_after,
                }) => {
                    if attempt >= self.config.retry.max_attempts {
                        return Err(ExoError::GaveUp {
                            cmdlet: cmdlet.to_string(),
                            attempts: attempt,
                            reason,
                        });
                    }
                    std::thread::sleep(backoff(&self.config.retry, attempt, retry_after));
                }
                Err(Failure::Unauthorized { message }) => {
                    if renewed || !self.tokens.invalidate(&token) {
                        return Err(ExoError::Unauthorized { message });
                    }
                    renewed = true;
                }
                Err(Failure::Permanent { status, message }) => {
                    return Err(ExoError::Refused {
                        cmdlet: cmdlet.to_string(),
                        status,
                        message,
                    })
                }
            }
        }
    }

    /// Runs a cmdlet and hands each page of its answer to `page`, following
    /// `@odata.nextLink`.
    fn invoke_pages(
        &self,
        cmdlet: &str,
        parameters: Value,
        page: &mut dyn FnMut(&[u8]) -> Result<(), ExoError>,
    ) -> Result<(), ExoError> {
        #[derive(serde::Deserialize)]
        struct NextLink {
            #[serde(rename = "@odata.nextLink")]
            next: Option<String>,
        }
        let body = Self::cmdlet_body(cmdlet, parameters)
            .to_string()
            .into_bytes();
        let mut url = self.config.invoke_url();
        loop {
            let answer = self.post(&url, &body, cmdlet)?;
            let link: NextLink =
                serde_json::from_slice(&answer).map_err(|error| ExoError::Malformed {
                    cmdlet: cmdlet.to_string(),
                    reason: error.to_string(),
                })?;
            page(&answer)?;
            match link.next {
                // The token goes only to the endpoint it was issued for.
                Some(next) if next.starts_with(&format!("{}/", self.config.endpoint)) => {
                    url = next;
                }
                Some(_) => {
                    return Err(ExoError::Malformed {
                        cmdlet: cmdlet.to_string(),
                        reason: "its next page is on another host".into(),
                    })
                }
                None => return Ok(()),
            }
        }
    }

    /// Runs a cmdlet whose answer fits one page and returns its `value` array.
    fn invoke_values(&self, cmdlet: &str, parameters: Value) -> Result<Vec<Value>, ExoError> {
        let mut values = Vec::new();
        self.invoke_pages(cmdlet, parameters, &mut |page| {
            let mut answer: Value =
                serde_json::from_slice(page).map_err(|error| ExoError::Malformed {
                    cmdlet: cmdlet.to_string(),
                    reason: error.to_string(),
                })?;
            match answer.get_mut("value").map(Value::take) {
                Some(Value::Array(items)) => values.extend(items),
                _ => {
                    return Err(ExoError::Malformed {
                        cmdlet: cmdlet.to_string(),
                        reason: "it has no value array".into(),
                    })
                }
            }
            Ok(())
        })?;
        Ok(values)
    }

    /// Runs a cmdlet that changes something; its answer is not needed.
    fn invoke(&self, cmdlet: &str, parameters: Value) -> Result<(), ExoError> {
        let body = Self::cmdlet_body(cmdlet, parameters)
            .to_string()
            .into_bytes();
        self.post(&self.config.invoke_url(), &body, cmdlet)
            .map(drop)
    }
}
