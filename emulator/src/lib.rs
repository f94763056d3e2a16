//! An emulator of the Exchange Online admin REST endpoint (`/adminapi/beta/{tenant}/InvokeCommand`
//! and `$batch`) and of Microsoft Entra ID's token and device-code endpoints, serving a tenant
//! loaded from a snapshot file. It models the service's Set-Mailbox rules on its own, from
//! public evidence (`audit`, `rules`), and can inject latency, throttling, server errors and
//! dropped connections, all repeatable from a seed. In strict mode it refuses any request, and
//! any `$batch` sub-request, that lacks what every public client sends (`Authorization`,
//! `X-AnchorMailbox`).

pub mod audit;
mod cmdlets;
mod device;
pub mod faults;
mod filter;
mod http;
mod mailbox;
mod routes;
pub mod rules;
pub mod tenant;
mod timespan;
mod token;
pub mod wire;

pub use faults::Faults;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;
use tenant::TenantState;

pub use device::{DeviceResponse, DeviceSignIn};

/// The scope a client must ask for.
pub const SCOPE: &str = "https://outlook.office365.com/.default";

/// An app registration the token endpoint knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCredential {
    pub client_id: String,
    /// When set, a `client_secret` must equal it; a signed `client_assertion` is accepted either
    /// way (its signature is not verified).
    pub client_secret: Option<String>,
    /// Federated identity credentials: the `sub` claims of a GitHub Actions ID token (issuer
    /// `https://token.actions.githubusercontent.com`, audience `api://AzureADTokenExchange`)
    /// that this app accepts as a client assertion, such as `repo:contoso/audit:ref:refs/heads/main`.
    pub federated_subjects: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// The tenant, as auditform's snapshot JSON.
    pub tenant: Value,
    /// When set, URLs must name this tenant (compared ignoring case).
    pub tenant_id: Option<String>,
    /// 0 picks a free port.
    pub port: u16,
    /// Objects per page of a Get- cmdlet; `Prefer: odata.maxpagesize=N` lowers it per request.
    pub page_size: usize,
    /// Empty accepts any client id and secret.
    pub clients: Vec<ClientCredential>,
    pub faults: Faults,
    /// How the emulated service answers where it has a choice (see `rules::ServiceModel`).
    pub service: rules::ServiceModel,
    /// Refuses a request or `$batch` sub-request without `Authorization` or `X-AnchorMailbox`.
    pub strict: bool,
    /// Seconds an access token lives (`expires_in`); an expired one is refused with 401.
    pub token_lifetime: u64,
    /// The person who signs in at the device-code page, and what they do.
    pub device: DeviceSignIn,
    /// The host name next-page links name (with the port the request came to), instead of
    /// the one the request was sent to, as a regional front end of the service does.
    pub next_link_host: Option<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            tenant: serde_json::json!({"organization": {"AuditDisabled": false}, "auditBypass": [], "mailboxes": []}),
            tenant_id: None,
            port: 0,
            page_size: 1000,
            clients: Vec::new(),
            faults: Faults::default(),
            service: rules::ServiceModel::default(),
            strict: false,
            token_lifetime: 3599,
            device: DeviceSignIn::default(),
            next_link_host: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("can't read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Snapshot(#[from] tenant::SnapshotError),
    #[error("can't listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
}

/// Reads a tenant snapshot file for [`EmulatorConfig::tenant`].
pub fn read_snapshot(path: &Path) -> Result<Value, EmulatorError> {
    let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| EmulatorError::Json {
        path: path.display().to_string(),
        source,
    })
}

/// What the emulator counted, for tests that check work was neither lost nor repeated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Cmdlets that ran (after any injected fault let them), by lower-cased name.
    pub cmdlets: BTreeMap<String, u64>,
    /// Set-Mailbox calls that succeeded, by the mailbox's immutable key (lower-cased).
    pub set_mailbox: BTreeMap<String, u64>,
    pub http_requests: u64,
    pub throttled: u64,
    pub server_errors: u64,
    pub dropped: u64,
    /// Requests that ran and whose answer was then dropped.
    pub dropped_after_running: u64,
    pub tokens_issued: u64,
    /// Requests (and `$batch` sub-requests) strict mode refused.
    pub strict_refusals: u64,
    /// Polls of the token endpoint for a device code.
    pub device_polls: u64,
    /// Access tokens issued for a refresh token.
    pub refreshes: u64,
    /// `X-AnchorMailbox` values of admin requests and sub-requests, with how often each came.
    pub anchor_mailboxes: BTreeMap<String, u64>,
    /// `X-CmdletName` values, likewise.
    pub cmdlet_names: BTreeMap<String, u64>,
    /// Every `client-request-id` of an admin request or sub-request, in arrival order.
    pub client_request_ids: Vec<String>,
    /// Admin requests and sub-requests that came without a `client-request-id`.
    pub missing_request_ids: u64,
    /// `Prefer` values of admin requests, with how often each came.
    pub preferences: BTreeMap<String, u64>,
    /// The `Host` of every request, with how often each came.
    pub hosts: BTreeMap<String, u64>,
    /// `cmdlet?$select=names` of each request that narrowed its answer, with how often each
    /// came.
    pub selects: BTreeMap<String, u64>,
    /// Every cmdlet that held a concurrency slot, in the order they finished: what the
    /// benchmarks take apart into reading, writing and idle slots.
    pub timeline: Vec<CmdletSpan>,
}

/// When one cmdlet held a concurrency slot, measured from the emulator's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdletSpan {
    /// Lower-cased.
    pub cmdlet: String,
    /// A page of a listing (a Get- cmdlet without Identity), which takes the page latency.
    pub listing: bool,
    pub started: std::time::Duration,
    pub finished: std::time::Duration,
}

pub(crate) struct Shared {
    config: EmulatorConfig,
    state: Mutex<TenantState>,
    counters: Mutex<Counters>,
    /// Access tokens issued, with when each expires.
    tokens: Mutex<HashMap<String, Instant>>,
    /// Refresh tokens issued, with the user and client each was issued to.
    refresh_tokens: Mutex<HashMap<String, (String, String)>>,
    /// Device codes handed out, by device code.
    device_codes: Mutex<HashMap<String, device::Pending>>,
    token_serial: AtomicU64,
    in_flight: AtomicUsize,
    dice: faults::Dice,
    /// The origin of the timeline.
    started: Instant,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The emulated service: its tenant and counters. Cheap to clone.
#[derive(Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl Emulator {
    /// Loads the tenant and starts serving on 127.0.0.1.
    pub fn start(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        let mut state = TenantState::from_snapshot(config.tenant.clone())?;
        state.set_model(config.service.clone());
        let listener = TcpListener::bind(("127.0.0.1", config.port)).map_err(|source| {
            EmulatorError::Bind {
                port: config.port,
                source,
            }
        })?;
        let address = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                port: config.port,
                source,
            })?;
        let emulator = Emulator {
            shared: Arc::new(Shared {
                config,
                state: Mutex::new(state),
                counters: Mutex::new(Counters::default()),
                tokens: Mutex::new(HashMap::new()),
                refresh_tokens: Mutex::new(HashMap::new()),
                device_codes: Mutex::new(HashMap::new()),
                token_serial: AtomicU64::new(0),
                in_flight: AtomicUsize::new(0),
                dice: faults::Dice::default(),
                started: Instant::now(),
            }),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let handler_emulator = emulator.clone();
        let handler: http::Handler =
            Arc::new(move |request| routes::handle(&handler_emulator.shared, request));
        let server_stop = stop.clone();
        let thread = std::thread::spawn(move || {
            let _ = http::serve(listener, server_stop, handler);
        });
        Ok(EmulatorHandle {
            emulator,
            address,
            stop,
            thread: Some(thread),
        })
    }

    /// The tenant as it is now, in snapshot form.
    pub fn snapshot(&self) -> Value {
        lock(&self.shared.state).to_snapshot()
    }

    /// Changes a mailbox behind auditform's back, as an admin in another window would.
    pub fn set_mailbox_property(
        &self,
        identity: &str,
        property: &str,
        value: Value,
    ) -> Result<(), wire::CmdletError> {
        let mut state = lock(&self.shared.state);
        let index = state.resolve_mailbox(identity)?;
        state.mailboxes[index].insert(property.to_string(), value);
        state.forget_names();
        Ok(())
    }

    /// Runs any change on the tenant, for out-of-band edits the property setter can't express.
    pub fn mutate<R>(&self, change: impl FnOnce(&mut TenantState) -> R) -> R {
        let mut state = lock(&self.shared.state);
        let result = change(&mut state);
        state.forget_names();
        result
    }

    /// Revokes every refresh token, as an admin revoking a person's sessions does.
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.shared.refresh_tokens).clear();
    }

    pub fn counters(&self) -> Counters {
        lock(&self.shared.counters).clone()
    }

    /// The instant the timeline's spans are measured from.
    pub fn started(&self) -> Instant {
        self.shared.started
    }

    /// How many times a cmdlet ran, by name, ignoring case.
    pub fn cmdlet_count(&self, cmdlet: &str) -> u64 {
        let counters = lock(&self.shared.counters);
        counters
            .cmdlets
            .get(&cmdlet.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// How many Set-Mailbox calls succeeded on the mailbox an identity names.
    pub fn set_mailbox_count(&self, identity: &str) -> u64 {
        let key = {
            let state = lock(&self.shared.state);
            match state.resolve_mailbox(identity) {
                Ok(index) => tenant::immutable_key(&state.mailboxes[index], index),
                Err(_) => return 0,
            }
        };
        lock(&self.shared.counters)
            .set_mailbox
            .get(&key)
            .copied()
            .unwrap_or(0)
    }
}

/// A running emulator; dropping it stops the server.
pub struct EmulatorHandle {
    emulator: Emulator,
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`, standing in for `https://outlook.office365.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Standing in for `https://login.microsoftonline.com`.
    pub fn authority(&self) -> String {
        self.base_url()
    }

    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.authority())
    }

    pub fn device_code_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/devicecode", self.authority())
    }

    pub fn invoke_url(&self, tenant: &str) -> String {
        format!("{}/adminapi/beta/{tenant}/InvokeCommand", self.base_url())
    }

    pub fn batch_url(&self, tenant: &str) -> String {
        format!("{}/adminapi/beta/{tenant}/$batch", self.base_url())
    }

    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }
}

impl std::ops::Deref for EmulatorHandle {
    type Target = Emulator;
    fn deref(&self) -> &Emulator {
        &self.emulator
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
