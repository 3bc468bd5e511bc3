//! Fetching for discovery: the blocking HTTP client (same-origin redirects only, the
//! configured headers sent as secrets), each `GET` under the per-fetch and total
//! time-outs and the size limits, and [`FetchProblem`], what a failed fetch says and what
//! to do about it. It is set up from [`FetchSettings`], and fails to set up with a
//! [`SetupError`]; what to fetch and what the answers mean is discovery's, which uses
//! this (and never the other way round).
//!
//! Shared with `build.rs` through `#[path]`: std, serde_json and reqwest (blocking) only,
//! nothing from `crate::`. The blocking client must not run on an async runtime's thread.

use std::fmt;
use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::redirect;
use serde_json::Value;

use super::gateway_url::{redact, same_origin, GatewayUrl};

/// Same-origin redirects followed before giving up.
const MAX_REDIRECTS: usize = 5;
/// Larger landing pages are not read.
const MAX_PAGE_BYTES: u64 = 1024 * 1024;
/// The way out when the gateway cannot be read: build from the committed snapshot.
const OFFLINE: &str = "build offline from generated/ with GATEWAY_OFFLINE=true";

/// Why one fetch gave no document; lower-case, it reads after "<url>: ".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchProblem {
    /// Nothing answered: connection refused, host unknown or unreachable.
    Unreachable(String),
    TimedOut(Duration),
    /// Status code and reason of any answer but 200 (a refused redirect lands here).
    Status(u16, String),
    /// The limit, and the length when the answer declared it.
    TooLarge(u64, Option<u64>),
    /// The byte at which the body stops being UTF-8.
    NotUtf8(usize),
    Html,
    NotJson(String),
    NotOpenApi,
    /// Any other transport failure (no URL or secret in it).
    Other(String),
}

impl fmt::Display for FetchProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchProblem::Unreachable(reason) | FetchProblem::Other(reason) => f.write_str(reason),
            FetchProblem::TimedOut(after) => write!(f, "timed out after {}", human(*after)),
            FetchProblem::Status(code @ 300..=399, reason) => write!(
                f,
                "answered {code} {reason} (redirects to another origin are not followed)"
            ),
            FetchProblem::Status(code, reason) => write!(f, "answered {code} {reason}"),
            FetchProblem::TooLarge(limit, Some(length)) => {
                write!(
                    f,
                    "the body is {length} bytes, over the limit of {limit} bytes"
                )
            }
            FetchProblem::TooLarge(limit, None) => {
                write!(f, "the body is over the limit of {limit} bytes")
            }
            FetchProblem::NotUtf8(at) => write!(f, "the body is not valid UTF-8 (at byte {at})"),
            FetchProblem::Html => f.write_str("the body is HTML, not JSON"),
            FetchProblem::NotJson(reason) => write!(f, "the body is not JSON ({reason})"),
            FetchProblem::NotOpenApi => f.write_str(
                "the body is JSON but not an OpenAPI document (no \"openapi\" or \"swagger\" \
                 version beside \"info\" or \"paths\")",
            ),
        }
    }
}

impl FetchProblem {
    /// What the user can do when the root document cannot be fetched.
    pub fn hint(&self) -> String {
        match self {
            FetchProblem::Unreachable(_) | FetchProblem::Other(_) => {
                format!("start the gateway or {OFFLINE}")
            }
            FetchProblem::TimedOut(_) => format!("check that the gateway is healthy or {OFFLINE}"),
            FetchProblem::TooLarge(..) => {
                "raise max_document_bytes if the document really is this large".to_string()
            }
            FetchProblem::Status(401 | 403, _) => {
                format!("send the gateway's auth headers or {OFFLINE}")
            }
            FetchProblem::Status(500..=599, _) => format!("check the gateway's logs or {OFFLINE}"),
            _ => format!(
                "point GATEWAY_URL at the FastAPI gateway's origin, plus its base path when \
                 it is served under one (http://127.0.0.1:8000/api), or {OFFLINE}"
            ),
        }
    }
}

/// Where fetches go and their limits.
pub(super) struct FetchSettings<'a> {
    /// The gateway's origin and optional base path; may hold `user:pass`.
    pub gateway_url: &'a str,
    /// Sent on every fetch (auth); the values are secrets.
    pub headers: &'a [(String, String)],
    /// Limit for each fetch.
    pub timeout: Duration,
    /// Limit for all fetches together.
    pub total_timeout: Duration,
    /// Larger documents are refused.
    pub max_document_bytes: u64,
}

/// Why a fetcher could not be set up; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "use gateway URL {url}: {reason}; give its origin and any base path, such as \
         http://127.0.0.1:8000 or http://127.0.0.1:8000/api"
    )]
    BadUrl { url: String, reason: String },
    /// The header's name; its value is never shown.
    #[error("use header {name:?}: {reason}; give a valid HTTP header name and value")]
    BadHeader { name: String, reason: String },
    #[error("build the HTTP client: {reason}")]
    Client { reason: String },
}

/// The gateway's origin and base, the client and the clock: every fetch goes through here.
pub(super) struct Fetcher {
    pub(super) gateway: GatewayUrl,
    /// Limit for each fetch, and for all of them.
    pub(super) timeout: Duration,
    pub(super) total_timeout: Duration,
    max_document_bytes: u64,
    client: Client,
    /// When probing stops; `None` when the total timeout is too far off to matter.
    deadline: Option<Instant>,
}

impl Fetcher {
    /// The client for `config`'s gateway, its clock started.
    pub(super) fn new(config: &FetchSettings<'_>) -> Result<Self, SetupError> {
        let deadline = Instant::now().checked_add(config.total_timeout);
        let mut gateway = parse_gateway(config.gateway_url)?;
        let headers = header_map(config.headers)?;
        // reqwest sends `user:pass@` as Basic auth over a configured Authorization header.
        if headers.contains_key(AUTHORIZATION) {
            gateway.strip_credentials();
        }
        let allowed = gateway.origin().clone();
        // Same-origin redirects only: requests never go to another host.
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() < MAX_REDIRECTS && same_origin(attempt.url(), &allowed) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let client = Client::builder()
            .timeout(config.timeout)
            .redirect(policy)
            .default_headers(headers)
            .build()
            .map_err(|e| SetupError::Client {
                reason: reason_from_chain(&e),
            })?;
        Ok(Fetcher {
            gateway,
            timeout: config.timeout,
            total_timeout: config.total_timeout,
            max_document_bytes: config.max_document_bytes,
            client,
            deadline,
        })
    }

    /// This fetch's limit: the per-fetch timeout, cut to what is left of the total.
    pub(super) fn fetch_timeout(&self) -> Option<Duration> {
        let left = match self.deadline {
            Some(deadline) => deadline.checked_duration_since(Instant::now())?,
            None => Duration::MAX,
        };
        (!left.is_zero()).then(|| left.min(self.timeout))
    }

    /// `GET path` within this fetch's limit: the answer, when it was sent, and the limit.
    fn get(&self, path: &str) -> Result<(Response, Instant, Duration), FetchProblem> {
        let timeout = self
            .fetch_timeout()
            .ok_or(FetchProblem::TimedOut(self.total_timeout))?;
        let started = Instant::now();
        let request = self.client.get(self.gateway.url(path)).timeout(timeout);
        let response = request.send().map_err(|e| problem_of(&e, timeout))?;
        Ok((response, started, timeout))
    }

    /// `GET path` as a landing page: where same-origin redirects took it, and its body when
    /// it answered 200 with UTF-8 text of at most [`MAX_PAGE_BYTES`].
    pub(super) fn get_page(&self, path: &str) -> Result<Page, FetchProblem> {
        let (mut response, started, timeout) = self.get(path)?;
        let landed = response.url().path().to_string();
        let text = match response.status() {
            reqwest::StatusCode::OK => read_limited(
                &mut response,
                MAX_PAGE_BYTES,
                started.checked_add(timeout),
                timeout,
            )
            .ok()
            .and_then(|body| String::from_utf8(body).ok()),
            _ => None,
        };
        Ok(Page { landed, text })
    }

    /// `GET path` as JSON: a 200 answer of at most `max_document_bytes`, UTF-8, not HTML.
    pub(super) fn get_json(&self, path: &str) -> Result<Value, FetchProblem> {
        let (mut response, started, timeout) = self.get(path)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            let reason = status.canonical_reason().unwrap_or_default().to_lowercase();
            return Err(FetchProblem::Status(status.as_u16(), reason));
        }
        let limit = self.max_document_bytes;
        parse_json_body(&read_limited(
            &mut response,
            limit,
            started.checked_add(timeout),
            timeout,
        )?)
    }
}

/// Parses and checks the gateway URL: http(s), a host, at most a base path.
fn parse_gateway(gateway_url: &str) -> Result<GatewayUrl, SetupError> {
    GatewayUrl::parse(gateway_url).map_err(|reason| SetupError::BadUrl {
        url: redact(gateway_url),
        reason,
    })
}

fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, SetupError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let bad = |reason: &str| SetupError::BadHeader {
            name: name.clone(),
            reason: reason.to_string(),
        };
        let header = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| bad("it is not a valid name"))?;
        let mut value = HeaderValue::from_str(value.trim())
            .map_err(|_| bad("its value is not valid (not shown)"))?;
        value.set_sensitive(true);
        map.append(header, value);
    }
    Ok(map)
}

/// Reads at most `limit` bytes, refusing more, and gives up at `deadline`.
fn read_limited(
    response: &mut Response,
    limit: u64,
    deadline: Option<Instant>,
    timeout: Duration,
) -> Result<Vec<u8>, FetchProblem> {
    if let Some(length) = response.content_length().filter(|&n| n > limit) {
        return Err(FetchProblem::TooLarge(limit, Some(length)));
    }
    let mut body = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = response.read(&mut chunk).map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut => FetchProblem::TimedOut(timeout),
            _ => FetchProblem::Other(format!(
                "reading the body failed ({})",
                reason_from_chain(&e)
            )),
        })?;
        if read == 0 {
            return Ok(body);
        }
        if (body.len() + read) as u64 > limit {
            return Err(FetchProblem::TooLarge(limit, None));
        }
        body.extend_from_slice(&chunk[..read]);
        // Each read has its own timeout; this bounds a body that trickles in.
        if deadline.is_some_and(|deadline| Instant::now() > deadline) {
            return Err(FetchProblem::TimedOut(timeout));
        }
    }
}

/// Checks UTF-8, spots HTML (SPA fallbacks), then parses JSON.
fn parse_json_body(body: &[u8]) -> Result<Value, FetchProblem> {
    let text = std::str::from_utf8(body).map_err(|e| FetchProblem::NotUtf8(e.valid_up_to()))?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        return Err(FetchProblem::Html);
    }
    serde_json::from_str(text).map_err(|e| FetchProblem::NotJson(e.to_string()))
}

/// A transport error as a problem. reqwest's own text names the URL (which may hold
/// credentials), so only the kind and the innermost cause are used.
fn problem_of(error: &reqwest::Error, timeout: Duration) -> FetchProblem {
    let mut io_kind = None;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        io_kind = io_kind.or(e.downcast_ref::<std::io::Error>().map(std::io::Error::kind));
        cause = e.source();
    }
    match io_kind {
        _ if error.is_timeout() => FetchProblem::TimedOut(timeout),
        Some(std::io::ErrorKind::TimedOut) => FetchProblem::TimedOut(timeout),
        Some(std::io::ErrorKind::ConnectionRefused) => {
            FetchProblem::Unreachable("connection refused".to_string())
        }
        _ if error.is_connect() => {
            FetchProblem::Unreachable(format!("connection failed ({})", reason_from_chain(error)))
        }
        _ => FetchProblem::Other(format!("request failed ({})", reason_from_chain(error))),
    }
}

/// The innermost cause's text, never a reqwest error's (which names the URL).
fn reason_from_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    if innermost.is::<reqwest::Error>() {
        "no cause given".to_string()
    } else {
        innermost.to_string()
    }
}

/// A duration as it reads in messages: `300 ms`, `2 s`, `1.5 s`.
pub(super) fn human(duration: Duration) -> String {
    match duration.as_millis() {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
        ms => format!("{:.1} s", ms as f64 / 1000.0),
    }
}

/// A landing page as fetched: the path it landed on after same-origin redirects, and its
/// text when it answered 200.
pub(super) struct Page {
    pub(super) landed: String,
    pub(super) text: Option<String>,
}
