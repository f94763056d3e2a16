//! Request routing: the token and device-code endpoints, InvokeCommand and `$batch`, with
//! faults, the concurrency limit, latency, paging and strict mode applied the way the service
//! applies them.

use crate::faults::{self, Fault, Roll};
use crate::http::{Reply, Request, Response};
use crate::wire::{self, CmdletError};
use crate::{cmdlets, device, lock, tenant, token, CmdletSpan, Shared};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// The text the service answers, in plain text, when a tenant runs too many cmdlets at once
/// (the words ExoHelper matches: GreyCorbel/ExoHelper, Commands/Public/Invoke-ExoCommand.ps1).
pub const CONCURRENCY_MESSAGE: &str =
    "You have reached the maximum number of concurrent requests per tenant. Please wait and try again.";

/// The most sub-requests one `$batch` may carry.
pub const MAX_BATCH: usize = 10;

pub fn handle(shared: &Shared, request: Request) -> Reply {
    {
        let mut counters = lock(&shared.counters);
        counters.http_requests += 1;
        *counters
            .hosts
            .entry(request.host().to_ascii_lowercase())
            .or_insert(0) += 1;
    }
    let segments: Vec<String> = request
        .path
        .trim_matches('/')
        .split('/')
        .map(wire::percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if request.method != "POST" {
        return respond(CmdletError {
            status: 405,
            code: "MethodNotAllowed",
            exception_type: "System.InvalidOperationException".into(),
            message: format!("The HTTP method '{}' is not allowed here.", request.method),
            retry_after: None,
            plain_text: false,
        });
    }
    match segments.as_slice() {
        [tenant, "oauth2", "v2.0", "token"] => token::issue(shared, tenant, &request),
        [tenant, "oauth2", "v2.0", "devicecode"] => device::start(shared, tenant, &request),
        ["adminapi", "beta", tenant, action] => {
            let headers = |name: &str| request.header(name).map(str::to_string);
            record_headers(shared, &headers);
            if let Some(refusal) = wrong_tenant(shared, tenant)
                .or_else(|| unauthorized(shared, request.header("authorization")))
                .or_else(|| unanchored(shared, request.header("x-anchormailbox")))
            {
                return Reply::Respond(refusal);
            }
            let key = faults::fingerprint(&[
                request.path.as_bytes(),
                request.query.as_deref().unwrap_or("").as_bytes(),
                &work_of(action, &request.body),
            ]);
            let mut roll = shared.dice.next_attempt(shared.config.faults.seed, key);
            if shared.config.faults.network(&mut roll) == Some(Fault::Drop) {
                lock(&shared.counters).dropped += 1;
                return Reply::Drop;
            }
            let host = match &shared.config.next_link_host {
                Some(name) => match request.host().rsplit_once(':') {
                    Some((_, port)) => format!("{name}:{port}"),
                    None => name.clone(),
                },
                None => request.host().to_string(),
            };
            let context = Context {
                base: format!("http://{host}"),
                tenant: tenant.to_string(),
                page_size: page_size(shared, &request),
            };
            let reply = match action.to_ascii_lowercase().as_str() {
                "invokecommand" => {
                    let (status, headers, body) = invoke(
                        shared,
                        &context,
                        request.query.as_deref(),
                        &request.body,
                        &mut roll,
                    );
                    Reply::Respond(Response {
                        status,
                        headers,
                        body: wire::encode(&body),
                    })
                }
                "$batch" => batch(shared, &context, &request.body),
                _ => return respond(not_routed(&request.path)),
            };
            if shared.config.faults.lost_answer(&mut roll) {
                lock(&shared.counters).dropped_after_running += 1;
                return Reply::Drop;
            }
            reply
        }
        _ => respond(not_routed(&request.path)),
    }
}

/// What a request asks to be done, for the fault dice: a `$batch` is its sub-requests' cmdlet
/// bodies, so that the ids and headers a client makes fresh for every attempt do not change
/// which faults meet it.
fn work_of(action: &str, body: &[u8]) -> Vec<u8> {
    if !action.eq_ignore_ascii_case("$batch") {
        return body.to_vec();
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(batch) => batch["requests"]
            .as_array()
            .map(|requests| {
                requests
                    .iter()
                    .map(|request| request["body"].to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes()
            })
            .unwrap_or_else(|| body.to_vec()),
        Err(_) => body.to_vec(),
    }
}

fn respond(error: CmdletError) -> Reply {
    Reply::Respond(Response {
        status: error.status,
        headers: error.headers(),
        body: wire::encode(&error.body()),
    })
}

fn not_routed(path: &str) -> CmdletError {
    CmdletError {
        status: 404,
        code: "NotFound",
        exception_type: "System.InvalidOperationException".into(),
        message: format!("No route matches '{path}'."),
        retry_after: None,
        plain_text: false,
    }
}

/// In strict mode, a 400 for a request without a well-formed `X-AnchorMailbox`: every public
/// client of the endpoint sends one (`APP:SystemMailbox{...}@tenant` for an application,
/// `UPN:user` for a person), so a client that leaves it out is not speaking as they do.
fn unanchored(shared: &Shared, anchor: Option<&str>) -> Option<Response> {
    if !shared.config.strict {
        return None;
    }
    let well_formed = anchor.is_some_and(|anchor| {
        anchor
            .split_once(':')
            .is_some_and(|(kind, value)| !kind.is_empty() && !value.trim().is_empty())
    });
    if well_formed {
        return None;
    }
    lock(&shared.counters).strict_refusals += 1;
    let error = CmdletError::bad_request(
        "System.InvalidOperationException",
        "Strict mode: the request carries no X-AnchorMailbox routing hint (APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@tenant or UPN:user).",
    );
    Some(Response {
        status: error.status,
        headers: error.headers(),
        body: wire::encode(&error.body()),
    })
}

pub(crate) fn wrong_tenant(shared: &Shared, tenant: &str) -> Option<Response> {
    let expected = shared.config.tenant_id.as_deref()?;
    (!expected.eq_ignore_ascii_case(tenant)).then(|| {
        let error = wire::oauth_error(
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
        Response::json(400, &error)
    })
}

/// Counts what the public clients send with every admin request and sub-request.
fn record_headers(shared: &Shared, header: &dyn Fn(&str) -> Option<String>) {
    let mut guard = lock(&shared.counters);
    let counters = &mut *guard;
    for (name, seen) in [
        ("x-anchormailbox", &mut counters.anchor_mailboxes),
        ("x-cmdletname", &mut counters.cmdlet_names),
        ("prefer", &mut counters.preferences),
    ] {
        if let Some(value) = header(name) {
            *seen.entry(value).or_insert(0) += 1;
        }
    }
    match header("client-request-id") {
        Some(id) => counters.client_request_ids.push(id),
        None => counters.missing_request_ids += 1,
    }
}

/// A 401 unless `authorization` carries a token the emulator issued and that has not expired.
fn unauthorized(shared: &Shared, authorization: Option<&str>) -> Option<Response> {
    let token = authorization.and_then(|value| {
        let (scheme, token) = value.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    });
    let valid = token.is_some_and(|token| {
        lock(&shared.tokens)
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    });
    (!valid).then(|| {
        let error = json!({"error": {"code": "Unauthorized", "message": "The access token is missing, expired or invalid."}});
        Response::json(401, &error).with_header(
            "WWW-Authenticate",
            "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", error=\"invalid_token\"",
        )
    })
}

fn page_size(shared: &Shared, request: &Request) -> usize {
    let preferred = request.header("prefer").and_then(|prefer| {
        prefer.split(',').find_map(|part| {
            part.trim()
                .strip_prefix("odata.maxpagesize=")
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
    });
    let size = shared.config.page_size.max(1);
    preferred.map_or(size, |preferred| preferred.clamp(1, size))
}

struct Context {
    base: String,
    tenant: String,
    page_size: usize,
}

/// Frees a concurrency slot however the cmdlet ends, and puts the time it was held on the
/// timeline.
struct Slot<'a> {
    shared: &'a Shared,
    cmdlet: String,
    listing: bool,
    started: Instant,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let finished = Instant::now();
        self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        let epoch = self.shared.started;
        lock(&self.shared.counters).timeline.push(CmdletSpan {
            cmdlet: std::mem::take(&mut self.cmdlet),
            listing: self.listing,
            started: self.started.saturating_duration_since(epoch),
            finished: finished.saturating_duration_since(epoch),
        });
    }
}

fn invoke(
    shared: &Shared,
    context: &Context,
    query: Option<&str>,
    body: &[u8],
    roll: &mut Roll,
) -> (u16, Vec<(String, String)>, Value) {
    match run(shared, context, query, body, roll) {
        Ok(body) => (
            200,
            vec![(
                "Content-Type".into(),
                "application/json; odata.metadata=minimal; charset=utf-8".into(),
            )],
            body,
        ),
        Err(error) => (error.status, error.headers(), error.body()),
    }
}

fn run(
    shared: &Shared,
    context: &Context,
    query: Option<&str>,
    body: &[u8],
    roll: &mut Roll,
) -> Result<Value, CmdletError> {
    let request: Value = serde_json::from_slice(body).map_err(|error| {
        CmdletError::bad_request(
            "Microsoft.OData.ODataException",
            format!("The request body is not valid JSON: {error}"),
        )
    })?;
    let input = request.get("CmdletInput").ok_or_else(|| {
        CmdletError::bad_request(
            "Microsoft.OData.ODataException",
            "The request body must contain CmdletInput.",
        )
    })?;
    let name = input
        .get("CmdletName")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            CmdletError::bad_request(
                "Microsoft.OData.ODataException",
                "CmdletInput must contain CmdletName.",
            )
        })?;
    let parameters = match input.get("Parameters") {
        Some(Value::Object(parameters)) => parameters.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            return Err(CmdletError::bad_request(
                "Microsoft.OData.ODataException",
                "Parameters must be an object.",
            ))
        }
    };
    let faults = &shared.config.faults;
    match faults.service(roll) {
        Some(Fault::RateLimited) => {
            lock(&shared.counters).throttled += 1;
            return Err(CmdletError::throttled(format!("The request was throttled because the tenant sent too many requests. Retry after {} seconds.", faults.retry_after_seconds), Some(faults.retry_after_seconds)));
        }
        Some(Fault::Server(status)) => {
            lock(&shared.counters).server_errors += 1;
            return Err(CmdletError::server(status));
        }
        Some(Fault::Drop) | None => {}
    }
    if shared.in_flight.fetch_add(1, Ordering::SeqCst) >= faults.max_concurrency.max(1) {
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        lock(&shared.counters).throttled += 1;
        return Err(CmdletError::concurrency_limit(CONCURRENCY_MESSAGE));
    }
    let identity = parameters
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("Identity"))
        .and_then(|(_, value)| value.as_str())
        .map(str::to_string);
    let cmdlet = name.to_ascii_lowercase();
    // A listing pages; one object (an Identity, or the organization's one config) does not.
    let listing =
        cmdlet.starts_with("get-") && identity.is_none() && cmdlet != "get-organizationconfig";
    let _slot = Slot {
        shared,
        cmdlet: cmdlet.clone(),
        listing,
        started: Instant::now(),
    };
    // The latency is the time from the request to the answer, the emulator's own work
    // included: the cmdlet runs, then the answer waits for the rest of it.
    let answer_at = Instant::now() + faults.delay(listing);
    let result = run_in_slot(shared, context, query, name, &cmdlet, &parameters, identity);
    let wait = answer_at.saturating_duration_since(Instant::now());
    if !wait.is_zero() {
        std::thread::sleep(wait);
    }
    result
}

/// A cmdlet that holds a concurrency slot: the injected failures and warnings, the cmdlet
/// itself, and the page of its answer.
fn run_in_slot(
    shared: &Shared,
    context: &Context,
    query: Option<&str>,
    name: &str,
    cmdlet: &str,
    parameters: &Map<String, Value>,
    identity: Option<String>,
) -> Result<Value, CmdletError> {
    let faults = &shared.config.faults;
    if let Some(identity) = &identity {
        if names_any(shared, identity, faults.failing_identities.iter()) {
            return Err(CmdletError::bad_request("Microsoft.Exchange.Data.Directory.ADOperationException", format!("Unable to perform the save operation. '{identity}' is not within a valid server write scope.")));
        }
    }
    *lock(&shared.counters)
        .cmdlets
        .entry(cmdlet.to_string())
        .or_insert(0) += 1;
    let injected = |list: &[(String, String)]| -> Vec<String> {
        list.iter()
            .filter(|(who, _)| {
                who == "*"
                    || identity
                        .as_ref()
                        .is_some_and(|identity| names_any(shared, identity, std::iter::once(who)))
            })
            .map(|(_, text)| text.clone())
            .collect()
    };
    let soft_errors = injected(&faults.soft_errors);
    let unapplied = cmdlet == "set-mailbox"
        && identity
            .as_ref()
            .is_some_and(|identity| names_any(shared, identity, faults.unapplied_writes.iter()));
    let output = if unapplied {
        // Answered as a success; the tenant is left as it was.
        cmdlets::Output::default()
    } else if soft_errors.is_empty() {
        let mut output = cmdlets::execute(&mut lock(&shared.state), name, parameters)?;
        output.warnings.extend(injected(&faults.warnings));
        output
    } else {
        // A non-terminating error: the answer is 200 and nothing changed.
        cmdlets::Output {
            errors: soft_errors,
            ..cmdlets::Output::default()
        }
    };
    if let Some(key) = &output.applied_to {
        *lock(&shared.counters)
            .set_mailbox
            .entry(key.clone())
            .or_insert(0) += 1;
    }
    let query = query.map(wire::parse_form).unwrap_or_default();
    let skip = query
        .iter()
        .find(|(key, _)| key == "$skiptoken")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let select = query
        .iter()
        .find(|(key, _)| key == "$select")
        .map(|(_, value)| value.as_str());
    if let Some(select) = select {
        *lock(&shared.counters)
            .selects
            .entry(format!("{cmdlet}?$select={select}"))
            .or_insert(0) += 1;
    }
    // Only the page asked for is turned into wire objects: a listing of a large tenant is
    // paged a thousand at a time, and each page must cost the same.
    let (total, page) = match output.listed {
        Some(listed) => {
            let state = lock(&shared.state);
            let page = listed
                .iter()
                .skip(skip)
                .take(context.page_size)
                .map(|&index| tenant::to_wire(&state.mailboxes[index], &state.operations))
                .collect::<Vec<Value>>();
            (listed.len(), page)
        }
        None => {
            let total = output.values.len();
            let page = output
                .values
                .into_iter()
                .skip(skip)
                .take(context.page_size)
                .collect();
            (total, page)
        }
    };
    let page = match select {
        Some(select) => page
            .into_iter()
            .map(|object| selected(object, select))
            .collect(),
        None => page,
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        wire::context_url(&context.base, &context.tenant).into(),
    );
    body.insert(
        "adminapi.warnings@odata.type".into(),
        "#Collection(String)".into(),
    );
    body.insert("@adminapi.warnings".into(), output.warnings.into());
    if !output.errors.is_empty() {
        body.insert("@adminapi.errors".into(), output.errors.into());
    }
    body.insert("value".into(), Value::Array(page));
    let next = skip + context.page_size;
    if next < total {
        // The next page answers the same request: its link keeps the `$select`, as OData's
        // next links keep a request's query options.
        let select = select
            .map(|select| format!("$select={}&", wire::percent_encode(select)))
            .unwrap_or_default();
        body.insert(
            "@odata.nextLink".into(),
            format!(
                "{}/adminapi/beta/{}/InvokeCommand?{select}$skiptoken={next}",
                context.base, context.tenant
            )
            .into(),
        );
    }
    Ok(Value::Object(body))
}

/// An object with only the properties `$select` names (a comma-separated list, matched
/// ignoring case) and their `Name@odata.type` annotations. The public clients of the
/// endpoint narrow Get-Mailbox this way, in whatever case they please: CIPP-API's
/// `New-ExoRequest -cmdlet 'Get-Mailbox' -Select 'userPrincipalName,GUID'`
/// (Modules/CIPPActivityTriggers/.../Push-ListMailboxRulesQueue.ps1; New-ExoRequest.ps1 appends
/// `?$select=` to the InvokeCommand URL), and ExoHelper's `Invoke-ExoCommand -PropertiesToLoad`
/// (Commands/Public/Invoke-ExoCommand.ps1). A name no object has is left out of the answer.
fn selected(object: Value, select: &str) -> Value {
    let Value::Object(object) = object else {
        return object;
    };
    let wanted: Vec<&str> = select
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let kept = object
        .into_iter()
        .filter(|(key, _)| {
            let property = key.split('@').next().unwrap_or(key);
            wanted
                .iter()
                .any(|name| name.eq_ignore_ascii_case(property))
        })
        .collect();
    Value::Object(kept)
}

/// Whether `identity`, or the mailbox it names, answers to any of `names`.
fn names_any<'a>(
    shared: &Shared,
    identity: &str,
    names: impl Iterator<Item = &'a String> + Clone,
) -> bool {
    if names.clone().next().is_none() {
        return false;
    }
    if names
        .clone()
        .any(|name| name.eq_ignore_ascii_case(identity))
    {
        return true;
    }
    let state = lock(&shared.state);
    match state.resolve_mailbox(identity) {
        Ok(index) => names
            .into_iter()
            .any(|name| tenant::answers_to(&state.mailboxes[index], name)),
        Err(_) => false,
    }
}

fn batch(shared: &Shared, context: &Context, body: &[u8]) -> Reply {
    let requests = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut top)) => match top.remove("requests") {
            Some(Value::Array(requests)) => requests,
            _ => {
                return respond(CmdletError::bad_request(
                    "Microsoft.OData.ODataException",
                    "The batch body must carry a requests array.",
                ))
            }
        },
        _ => {
            return respond(CmdletError::bad_request(
                "Microsoft.OData.ODataException",
                "The batch body is not a JSON object.",
            ))
        }
    };
    if requests.len() > MAX_BATCH {
        return respond(CmdletError::bad_request(
            "Microsoft.OData.ODataException",
            format!(
                "The batch request has {} requests; the limit is {MAX_BATCH}.",
                requests.len()
            ),
        ));
    }
    let mut responses = Vec::with_capacity(requests.len());
    for request in &requests {
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let url = request.get("url").and_then(Value::as_str).unwrap_or("");
        let (path, query) = url
            .split_once('?')
            .map_or((url, None), |(path, query)| (path, Some(query)));
        let method = request.get("method").and_then(Value::as_str).unwrap_or("");
        let sub_headers = request.get("headers").and_then(Value::as_object);
        let header = |name: &str| {
            sub_headers.and_then(|headers| {
                headers
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .and_then(|(_, value)| value.as_str())
                    .map(str::to_string)
            })
        };
        record_headers(shared, &header);
        // Strict mode: each sub-request must carry its own credentials and routing hint.
        let refusal = if shared.config.strict {
            let authorization = header("authorization");
            let refusal = unauthorized(shared, authorization.as_deref())
                .or_else(|| unanchored(shared, header("x-anchormailbox").as_deref()));
            if refusal.is_some() && authorization.is_none() {
                lock(&shared.counters).strict_refusals += 1;
            }
            refusal
        } else {
            None
        };
        let (status, headers, body) = if let Some(refusal) = refusal {
            let body = serde_json::from_slice(&refusal.body).unwrap_or(Value::Null);
            (refusal.status, refusal.headers, body)
        } else if !method.eq_ignore_ascii_case("POST")
            || !path.to_ascii_lowercase().ends_with("invokecommand")
        {
            let error = not_routed(url);
            (error.status, error.headers(), error.body())
        } else {
            let body = match request.get("body") {
                Some(Value::String(text)) => text.clone().into_bytes(),
                Some(value) => value.to_string().into_bytes(),
                None => Vec::new(),
            };
            let key =
                faults::fingerprint(&[path.as_bytes(), query.unwrap_or("").as_bytes(), &body]);
            let mut roll = shared.dice.next_attempt(shared.config.faults.seed, key);
            invoke(shared, context, query, &body, &mut roll)
        };
        let headers: Map<String, Value> = headers
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
        responses.push(json!({"id": id, "status": status, "headers": headers, "body": body}));
    }
    Reply::Respond(Response::json(200, &json!({"responses": responses})))
}
