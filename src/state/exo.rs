//! Live Exchange Online through the admin REST endpoint that the ExchangeOnlineManagement
//! module itself uses (DESIGN §1.4): configuration, authentication, reading state into a
//! [`StateVisitor`](crate::model::StateVisitor), and writing a plan's changes in `$batch`
//! requests with retries.
//!
//! Every cmdlet request carries the headers the public clients of the endpoint send:
//! - `Authorization: Bearer {token}`;
//! - `X-AnchorMailbox`, the routing hint ([`anchor`]);
//! - `X-CmdletName` (CIPP's New-ExoBulkRequest.ps1, ExoHelper's Invoke-ExoCommand.ps1,
//!   M365Permissions' new-ExOQuery.ps1);
//! - `client-request-id`, fresh for every request ([`http`]);
//! - `connection-id`, one per run, as the module and ExoHelper send one per connection
//!   (GreyCorbel/ExoHelper, Commands/Public/New-ExoConnection.ps1);
//! - `X-ResponseFormat: json`: the module itself asks for CliXml, and clients that read JSON
//!   say so (jflieben/M365Permissions, private/new-ExOQuery.ps1; cisagov/ScubaGear,
//!   EXORestHelper.psm1);
//! - `X-ClientApplication: auditform`: the client names itself, as ExoHelper does with its own
//!   name (Invoke-ExoCommand.ps1);
//! - `Prefer: odata.maxpagesize=1000` on reads (CIPP's New-ExoRequest.ps1, ExoHelper,
//!   M365Permissions, ScubaGear all send it);
//! - `Accept` and `Content-Type: application/json`.

pub mod anchor;
pub mod answer;
pub mod auth;
pub mod config;
pub mod device;
pub mod domain;
pub mod entra;
pub mod http;
pub mod jwt;
pub mod live_sink;
pub mod secret;
pub mod sink;
pub mod source;
pub mod trace;

pub use auth::{AccessToken, AuthError, Credentials};
pub use config::{ConfigError, ExoConfig, RetryPolicy};
pub use device::{DeviceCode, DevicePolling, DevicePrompt, EXCHANGE_MODULE_CLIENT_ID};
pub use live_sink::ExoSink;
pub use secret::Secret;
pub use sink::{Settled, Slots, WriteReport, WriteResult};
pub use trace::TraceError;

use crate::state::snapshot::StateError;
use answer::{outcome, with_request_id, Annotations, Failure};
use auth::TokenSource;
use domain::ServiceDomain;
use http::{backoff, Answer, Http, Request};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Mutex;

/// How auditform names itself to the service.
pub const CLIENT_APPLICATION: &str = "auditform";
/// The page size asked for on reads; the most the service gives.
pub const PAGE_SIZE_PREFERENCE: &str = "odata.maxpagesize=1000";

#[derive(Debug, thiserror::Error)]
pub enum ExoError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Trace(#[from] TraceError),
    #[error(
        "{cmdlet} was refused (HTTP {status}): {}",
        with_request_id(message, request_id)
    )]
    Refused {
        cmdlet: String,
        status: u16,
        message: String,
        request_id: String,
    },
    #[error(
        "Exchange Online refused the access token: {}",
        with_request_id(message, request_id)
    )]
    Unauthorized { message: String, request_id: String },
    #[error(
        "{cmdlet} still failed after {attempts} attempts: {}",
        with_request_id(reason, request_id)
    )]
    GaveUp {
        cmdlet: String,
        attempts: u32,
        reason: String,
        request_id: String,
    },
    #[error("{cmdlet} reported {}, so what it returned may be incomplete: {}", if errors.len() == 1 { "an error" } else { "errors" }, with_request_id(&errors.join("; "), request_id))]
    Errors {
        cmdlet: String,
        errors: Vec<String>,
        request_id: String,
    },
    #[error("the answer to {cmdlet} can't be read: {source}")]
    Answer {
        cmdlet: String,
        source: Box<StateError>,
    },
    #[error("the answer to {cmdlet} is not what the endpoint sends: {reason}")]
    Malformed { cmdlet: String, reason: String },
    #[error("the answer to {cmdlet} puts its next page where the token must not go ({reason}); nothing was sent there, and reading stopped")]
    NextPage { cmdlet: String, reason: String },
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
            ExoError::Auth(AuthError::DeviceDeclined | AuthError::DeviceCodeExpired { .. }) => {
                Some("run the command again, open the page shown, and enter the code there")
            }
            ExoError::Unauthorized { .. } | ExoError::Refused { status: 403, .. } => Some(
                "the app needs the Exchange.ManageAsApp permission with admin consent, and an Exchange role (docs/live.md)",
            ),
            ExoError::GaveUp { .. } => {
                Some("the service is busy or unreachable; try again later, or lower --parallelism")
            }
            ExoError::NextPage { .. } => Some(
                "the endpoint answered with a link outside its own service; check --endpoint, and send the support trace (--trace) with a bug report",
            ),
            ExoError::Trace(_) => Some("--trace (or AUDITFORM_TRACE) names the file to write"),
            _ => None,
        }
    }
}

/// A client of one tenant's admin endpoint. Shared by reference between worker threads.
pub struct ExoClient {
    config: ExoConfig,
    http: Http,
    tokens: TokenSource,
    domain: ServiceDomain,
    connection_id: String,
    /// Warnings the service gave while reading, for the command to show.
    warnings: Mutex<Vec<String>>,
}

impl ExoClient {
    pub fn new(config: ExoConfig, credentials: Credentials) -> Result<ExoClient, ExoError> {
        let config = config.validate()?;
        let tokens = TokenSource::new(&config, credentials)?;
        Ok(ExoClient {
            http: Http::new(&config)?,
            domain: config.service_domain(),
            connection_id: http::new_request_id(),
            config,
            tokens,
            warnings: Mutex::new(Vec::new()),
        })
    }

    pub fn config(&self) -> &ExoConfig {
        &self.config
    }

    /// Signs in now rather than at the first request: a person signing in with a device code
    /// sees the code before any progress indicator, and a declined or expired sign-in ends the
    /// command before anything is read.
    pub fn sign_in(&self) -> Result<(), ExoError> {
        self.tokens.token(&self.http)?;
        Ok(())
    }

    /// Whether signing in waits for a person.
    pub fn signs_in_interactively(&self) -> bool {
        self.tokens.is_interactive()
    }

    /// How the tenant is named to people and in plan files.
    pub fn describe(&self) -> String {
        self.config.describe()
    }

    /// The warnings the service gave while reading (each once), and any trouble writing the
    /// trace, since the last call.
    pub fn take_warnings(&self) -> Vec<String> {
        let mut warnings = std::mem::take(
            &mut *self
                .warnings
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        warnings.extend(self.http.trace_failure());
        warnings
    }

    fn warn(&self, cmdlet: &str, texts: &[String]) {
        let mut warnings = self
            .warnings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for text in texts {
            let warning = format!("Exchange Online ({cmdlet}): {text}");
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    }

    /// The body of an InvokeCommand request.
    fn cmdlet_body(cmdlet: &str, parameters: Value) -> Value {
        json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}})
    }

    /// The headers of a cmdlet request (and of each `$batch` sub-request), as the module's
    /// public clients send them.
    fn cmdlet_headers(
        &self,
        cmdlet: &str,
        token: &AccessToken,
        read: bool,
    ) -> Vec<(String, String)> {
        let mut headers = vec![
            (
                "Authorization".to_string(),
                format!("Bearer {}", token.secret.expose()),
            ),
            ("X-AnchorMailbox".to_string(), token.anchor.clone()),
            ("X-CmdletName".to_string(), cmdlet.to_string()),
            ("X-ResponseFormat".to_string(), "json".to_string()),
            (
                "X-ClientApplication".to_string(),
                CLIENT_APPLICATION.to_string(),
            ),
            ("connection-id".to_string(), self.connection_id.clone()),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        if read {
            headers.push(("Prefer".to_string(), PAGE_SIZE_PREFERENCE.to_string()));
        }
        headers
    }

    /// POSTs `body` to `url` for `cmdlet`, once.
    fn send_cmdlet(
        &self,
        url: &str,
        body: &[u8],
        cmdlet: &str,
        token: &AccessToken,
        read: bool,
    ) -> Result<Answer, Failure> {
        let mut request = Request::new("POST", url).body("application/json", body);
        request
            .headers
            .extend(self.cmdlet_headers(cmdlet, token, read));
        self.http
            .send(request)
            .map_err(|none| Failure::Transient {
                reason: none.reason,
                retry_after: None,
                request_id: none.request_id,
            })
            .and_then(outcome)
    }

    /// POSTs `body` to `url`, retrying transient failures with backoff and a refused token
    /// once with a new one. `cmdlet` names the work in errors.
    fn post(&self, url: &str, body: &[u8], cmdlet: &str, read: bool) -> Result<Answer, ExoError> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let token = self.tokens.token(&self.http)?;
            match self.send_cmdlet(url, body, cmdlet, &token, read) {
                Ok(answer) => return Ok(answer),
                Err(Failure::Transient {
                    reason,
                    retry_after,
                    request_id,
                }) => {
                    if attempt >= self.config.retry.max_attempts {
                        return Err(ExoError::GaveUp {
                            cmdlet: cmdlet.to_string(),
                            attempts: attempt,
                            reason,
                            request_id,
                        });
                    }
                    std::thread::sleep(backoff(&self.config.retry, attempt, retry_after));
                }
                Err(Failure::Unauthorized {
                    message,
                    request_id,
                }) => {
                    if renewed || !self.tokens.invalidate(&token.secret) {
                        return Err(ExoError::Unauthorized {
                            message,
                            request_id,
                        });
                    }
                    renewed = true;
                }
                Err(Failure::Permanent {
                    status,
                    message,
                    request_id,
                }) => {
                    return Err(ExoError::Refused {
                        cmdlet: cmdlet.to_string(),
                        status,
                        message,
                        request_id,
                    })
                }
            }
        }
    }

    /// Runs a cmdlet that reads and hands each page of its answer to `page`, following
    /// `@odata.nextLink` to any host of the endpoint's service domain, and to no other. The
    /// service's warnings are kept for the command to show; its errors fail the read, since a
    /// page that comes with errors may be incomplete.
    fn invoke_pages(
        &self,
        cmdlet: &'static str,
        parameters: Value,
        select: Option<&str>,
        page: &mut dyn FnMut(&[u8]) -> Result<(), ExoError>,
    ) -> Result<(), ExoError> {
        let mut pages = Pages::new(self, cmdlet, parameters, select);
        while let Some(answer) = pages.next_page() {
            page(&answer?)?;
        }
        Ok(())
    }

    /// Runs a cmdlet whose answer fits one page and returns its `value` array.
    fn invoke_values(
        &self,
        cmdlet: &'static str,
        parameters: Value,
        select: Option<&str>,
    ) -> Result<Vec<Value>, ExoError> {
        let mut values = Vec::new();
        self.invoke_pages(cmdlet, parameters, select, &mut |page| {
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

    /// Runs a cmdlet that changes something; returns the warnings and errors its answer
    /// reports, with the request's id.
    fn invoke(&self, cmdlet: &str, parameters: Value) -> Result<(Annotations, String), ExoError> {
        let body = Self::cmdlet_body(cmdlet, parameters)
            .to_string()
            .into_bytes();
        let answer = self.post(&self.config.invoke_url(), &body, cmdlet, false)?;
        Ok((Annotations::of_bytes(&answer.body), answer.request_id))
    }
}

/// The pages of one reading cmdlet's answer, fetched one at a time: the request goes to
/// InvokeCommand, then, with the same body, to each `@odata.nextLink`, which must name a host
/// of the endpoint's service domain and a page not read yet. The service's warnings are kept
/// for the command to show; its errors end the pages with an error, since a page that comes
/// with errors may be incomplete.
pub(crate) struct Pages<'c> {
    client: &'c ExoClient,
    cmdlet: &'static str,
    body: Vec<u8>,
    /// The page to fetch next; `None` once the last page was read or a page failed.
    url: Option<String>,
    visited: HashSet<String>,
}

impl<'c> Pages<'c> {
    /// `select` narrows the answer to the properties named (comma-separated) with OData's
    /// `$select`, as the public clients narrow Get-Mailbox: CIPP-API's New-ExoRequest.ps1
    /// appends `?$select=` to the InvokeCommand URL (`New-ExoRequest -cmdlet 'Get-Mailbox'
    /// -Select 'UserPrincipalName,PersistedCapabilities,LitigationHoldEnabled'`, in
    /// Invoke-CIPPStandardEnableLitigationHold.ps1), and ExoHelper's Invoke-ExoCommand does
    /// the same with `-PropertiesToLoad` (GreyCorbel/ExoHelper, Commands/Public/Invoke-ExoCommand.ps1).
    pub(crate) fn new(
        client: &'c ExoClient,
        cmdlet: &'static str,
        parameters: Value,
        select: Option<&str>,
    ) -> Pages<'c> {
        let mut url = client.config.invoke_url();
        if let Some(select) = select {
            url.push_str("?$select=");
            let names: Vec<String> = select
                .split(',')
                .map(|name| url::form_urlencoded::byte_serialize(name.trim().as_bytes()).collect())
                .collect();
            url.push_str(&names.join(","));
        }
        Pages {
            client,
            cmdlet,
            body: ExoClient::cmdlet_body(cmdlet, parameters)
                .to_string()
                .into_bytes(),
            url: Some(url),
            visited: HashSet::new(),
        }
    }

    /// The next page's body, `None` after the last one. After an error there are no more.
    pub(crate) fn next_page(&mut self) -> Option<Result<Vec<u8>, ExoError>> {
        let url = self.url.take()?;
        Some(self.fetch(url))
    }

    fn fetch(&mut self, url: String) -> Result<Vec<u8>, ExoError> {
        #[derive(serde::Deserialize)]
        struct PageInfo {
            #[serde(rename = "@odata.nextLink")]
            next: Option<String>,
            #[serde(rename = "@adminapi.warnings")]
            warnings: Option<Value>,
            #[serde(rename = "@adminapi.errors")]
            errors: Option<Value>,
        }
        let cmdlet = self.cmdlet;
        let malformed = |reason: String| ExoError::Malformed {
            cmdlet: cmdlet.to_string(),
            reason,
        };
        let answer = self.client.post(&url, &self.body, cmdlet, true)?;
        let info: PageInfo = serde_json::from_slice(&answer.body)
            .map_err(|error| malformed(with_request_id(&error.to_string(), &answer.request_id)))?;
        let mut annotations = json!({});
        for (name, value) in [
            ("@adminapi.warnings", info.warnings),
            ("@adminapi.errors", info.errors),
        ] {
            if let Some(value) = value {
                annotations[name] = value;
            }
        }
        let annotations = Annotations::of(&annotations);
        if !annotations.errors.is_empty() {
            return Err(ExoError::Errors {
                cmdlet: cmdlet.to_string(),
                errors: annotations.errors,
                request_id: answer.request_id,
            });
        }
        self.client.warn(cmdlet, &annotations.warnings);
        if let Some(next) = info.next {
            let current = url::Url::parse(&url).map_err(|error| malformed(error.to_string()))?;
            let next = current
                .join(&next)
                .map_err(|_| malformed("its next-page link is not a URL".into()))?;
            self.client
                .domain
                .admits(&next)
                .map_err(|reason| ExoError::NextPage {
                    cmdlet: cmdlet.to_string(),
                    reason: with_request_id(&reason, &answer.request_id),
                })?;
            self.visited.insert(url);
            let next = next.to_string();
            if self.visited.contains(&next) {
                return Err(malformed("its next page is a page already read".into()));
            }
            self.url = Some(next);
        }
        Ok(answer.body)
    }
}
