//! The gateway under test: where its URL comes from (an origin and an optional base path,
//! see `spec::gateway_url`), the reachability check made before any user starts, and the
//! one HTTP client every user shares. URLs are printed with `spec::gateway_url::redact`.

use crate::spec::gateway_url::{redact, GatewayUrl};
use goose::goose::GooseMethod;
use std::time::Duration;

/// Used when neither `--host`, `GATEWAY_URL` nor `BENCHMARK_HOST` names the gateway.
pub const DEFAULT_GATEWAY_URL: &str = "http://127.0.0.1:8000";

/// Why the gateway cannot be load-tested.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "parse gateway URL {url:?}: {reason}; give a URL such as http://127.0.0.1:8000 \
         or, for a gateway served under a base path, http://127.0.0.1:8000/api"
    )]
    BadUrl { url: String, reason: String },
    #[error("reach the gateway at {url}: {reason}; start the gateway or point GATEWAY_URL (or --host) at it")]
    Unreachable { url: String, reason: String },
    #[error("use header {name:?} from GATEWAY_TOKEN/GATEWAY_HEADERS: its {what} is not valid in HTTP (value not shown); fix the variable")]
    BadHeader { name: String, what: &'static str },
    #[error("build the HTTP client: {0}")]
    Client(String),
}

/// The gateway's URL (origin and any base path): `--host` first, then `GATEWAY_URL`,
/// `BENCHMARK_HOST`, the default.
pub fn resolve_host(flag: Option<&str>) -> String {
    resolve_host_or(flag, None)
}

/// The gateway's URL: `--host` first, then `GATEWAY_URL`, then `profile_host` (a
/// configured profile's `host`), `BENCHMARK_HOST`, the default.
pub fn resolve_host_or(flag: Option<&str>, profile_host: Option<&str>) -> String {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    flag.map(str::to_string)
        .or_else(|| from_env("GATEWAY_URL"))
        .or_else(|| profile_host.map(str::to_string))
        .or_else(|| from_env("BENCHMARK_HOST"))
        .unwrap_or_else(|| DEFAULT_GATEWAY_URL.to_string())
        .trim()
        .trim_end_matches('/')
        .to_string()
}

/// The host without its user name and password, and those as a Basic `authorization`
/// header: Goose prints its host and stores it in its reports, so it must never hold them.
pub fn split_credentials(host: &str) -> (String, Option<(String, String)>) {
    let Ok(mut url) = url::Url::parse(host) else {
        return (host.to_string(), None);
    };
    if url.username().is_empty() && url.password().is_none() {
        return (host.to_string(), None);
    }
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = decode(url.username());
    let password = url.password().map(decode).unwrap_or_default();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let bare = url.as_str().trim_end_matches('/').to_string();
    (
        bare,
        Some(("authorization".to_string(), format!("Basic {token}"))),
    )
}

/// Checks the host is an http(s) URL with at most a base path (no query or fragment).
pub fn validate(host: &str) -> Result<url::Url, TargetError> {
    gateway(host)?;
    url::Url::parse(host.trim()).map_err(|e| TargetError::BadUrl {
        url: redact(host),
        reason: e.to_string(),
    })
}

/// The host split into its origin and base path (`http://127.0.0.1:4200/api` → base `/api`).
pub fn gateway(host: &str) -> Result<GatewayUrl, TargetError> {
    GatewayUrl::parse(host).map_err(|reason| TargetError::BadUrl {
        url: redact(host),
        reason,
    })
}

/// A warning when the host's base path is not the one the generated operations were
/// discovered under (the root app's prefix in `plan_json`): their paths hold that base,
/// so they go to it whatever the host's path says.
pub fn base_mismatch(host: &str, plan_json: &str) -> Option<String> {
    let base = gateway(host).ok()?.base().to_string();
    let plan: serde_json::Value = serde_json::from_str(plan_json).ok()?;
    let apps = plan.get("apps")?.as_array()?;
    let root = apps.iter().find(|a| a["name"] == "root")?;
    let built = root.get("prefix")?.as_str()?;
    (built != base).then(|| {
        let shown = |b: &str| match b {
            "" => "no base path".to_string(),
            b => format!("base path {b}"),
        };
        format!(
            "the gateway URL has {} but the generated operations were discovered under {}, \
             and keep their paths ({built}/...); rebuild with GATEWAY_URL set to this URL \
             to load-test the API under it",
            shown(&base),
            shown(built)
        )
    })
}

/// The base path of the run's hand-written scenarios (see [`on_base`]).
static BASE: std::sync::RwLock<String> = std::sync::RwLock::new(String::new());

/// Sets the base path the hand-written scenarios' paths go under (the host's path).
pub fn set_base(base: &str) {
    *BASE.write().unwrap_or_else(|p| p.into_inner()) = base.to_string();
}

/// A hand-written scenario's path (`/health`) under the run's base path (`/api/health`).
/// Generated paths need no such thing: they hold the base they were discovered under.
pub fn on_base(path: &str) -> String {
    let base = BASE.read().unwrap_or_else(|p| p.into_inner());
    format!("{base}{path}")
}

/// Fails fast, before any user starts, when nothing answers HTTP at the gateway's origin.
///
/// Any HTTP answer counts (even 404): the point is a clear error for a refused connection,
/// an unknown host or a time-out, not a health verdict (that is the `health` command).
pub async fn check_reachable(host: &str, timeout: Duration) -> Result<(), TargetError> {
    let url = validate(host)?;
    let unreachable = |reason: String| TargetError::Unreachable {
        url: redact(host),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| unreachable(describe_reqwest_error(&e)))?;
    // Drain the body so the check itself leaves nothing half-read.
    let _ = response.bytes().await;
    Ok(())
}

/// A short reason for a failed request, without the URL (the caller names it, redacted).
pub fn describe_reqwest_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_string();
    }
    if error.is_connect() {
        // The innermost source says "Connection refused" and the like.
        let mut source: &dyn std::error::Error = error;
        while let Some(next) = source.source() {
            source = next;
        }
        return format!("connection failed ({source})");
    }
    // reqwest's Display appends " for url (...)"; cut it so no credentials leak.
    let text = error.to_string();
    match text.find(" for url (") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Whether the run logged in (`auth`), so [`TOKEN`] is read at all.
static HAS_TOKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// The `authorization` header of the run's login, on every request after it.
static TOKEN: std::sync::RwLock<Option<reqwest::header::HeaderValue>> =
    std::sync::RwLock::new(None);

/// Puts the run's login token on every request from now on (`None`: no login).
pub fn set_token(header: Option<reqwest::header::HeaderValue>) {
    use std::sync::atomic::Ordering;
    HAS_TOKEN.store(header.is_some(), Ordering::Release);
    *TOKEN.write().unwrap_or_else(|p| p.into_inner()) = header;
}

/// The run's login token, when it logged in.
pub fn token() -> Option<reqwest::header::HeaderValue> {
    if !HAS_TOKEN.load(std::sync::atomic::Ordering::Acquire) {
        return None;
    }
    TOKEN.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The client every user's requests go through during a run (see [`init_client`]).
static CLIENT: std::sync::RwLock<Option<reqwest::Client>> = std::sync::RwLock::new(None);

/// The user agent of every request the tool sends.
pub const USER_AGENT: &str = concat!("gateway-loadtest/", env!("CARGO_PKG_VERSION"));

/// Builds the run's one shared client: no cookie store (the generated and hand-written
/// scenarios carry their ids in paths and headers), so a thousand users share one
/// connection pool instead of holding a client each; redirects are never followed,
/// so no request leaves the gateway's origin (a 3xx is counted as a failure);
/// `timeout` (Goose's `--timeout`) bounds every request; and the auth headers go on
/// every request.
/// `max_idle` (the run's user count, when known) bounds the idle connections kept: users
/// starting together open more connections than they ever use at once, and each kept one
/// holds about 20 KB of buffers.
pub fn init_client(
    timeout: Duration,
    gzip: bool,
    auth: &[(String, String)],
    max_idle: Option<usize>,
) -> Result<(), TargetError> {
    let client = client(timeout, gzip, auth, max_idle)?;
    *CLIENT.write().unwrap_or_else(|p| p.into_inner()) = Some(client);
    Ok(())
}

/// The client a run's users share (and `sample` describes): our user agent, the
/// run's auth headers on every request, no redirect followed.
pub fn client(
    timeout: Duration,
    gzip: bool,
    auth: &[(String, String)],
    max_idle: Option<usize>,
) -> Result<reqwest::Client, TargetError> {
    let mut builder = reqwest::Client::builder();
    if let Some(max_idle) = max_idle {
        builder = builder.pool_max_idle_per_host(max_idle.max(1));
    }
    builder
        .user_agent(USER_AGENT)
        .default_headers(auth_header_map(auth)?)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .gzip(gzip)
        .build()
        .map_err(|e| TargetError::Client(describe_reqwest_error(&e)))
}

/// The headers the shared client adds to every request it sends, as `sample` prints
/// them: reqwest's `accept`, our user agent, `accept-encoding` when answers may be
/// gzipped, and the auth headers, whose values are never shown.
pub fn client_headers(gzip: bool, auth: &[(String, String)]) -> Vec<(String, String)> {
    let mut headers = vec![
        ("accept".to_string(), "*/*".to_string()),
        ("user-agent".to_string(), USER_AGENT.to_string()),
    ];
    if gzip {
        headers.push(("accept-encoding".to_string(), "gzip".to_string()));
    }
    for (name, _) in auth {
        headers.push((name.to_ascii_lowercase(), "<not shown>".to_string()));
    }
    headers
}

/// A request builder for `path` on the user's base URL, made by the shared client when
/// a run has built one (else by the user's own Goose client).
pub fn request_builder(
    user: &mut goose::goose::GooseUser,
    method: &GooseMethod,
    path: &str,
) -> Result<reqwest::RequestBuilder, Box<goose::goose::TransactionError>> {
    if let Some(client) = CLIENT.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
        // An Arc clone: the user's Goose-built client is dropped on its first request.
        user.client = client.clone();
    }
    crate::progress::user(user.weighted_users_index);
    let builder = match builder_on(&user.client, &user.base_url, method, path) {
        Some(builder) => builder,
        None => user.get_request_builder(method, path)?, // Custom: Goose's own error
    };
    // The run's login token, when it logged in (it changes when a 401 logs in again).
    Ok(match token() {
        Some(token) => builder.header(reqwest::header::AUTHORIZATION, token),
        None => builder,
    })
}

/// A request builder for `path` on `base`, from `client`: the URL every generated
/// request, the warm-up, the sweep and `sample` go to. `None` only for Goose's `Custom`
/// method, which names no HTTP method.
pub fn builder_on(
    client: &reqwest::Client,
    base: &url::Url,
    method: &GooseMethod,
    path: &str,
) -> Option<reqwest::RequestBuilder> {
    Some(client.request(reqwest_method(method)?, url_on(base, path)))
}

/// The URL of `path` on `base`'s host, whatever the path holds: a plain absolute path
/// (with an optional `?query`) as [`url_for`] makes it; anything else (`//host/x`, a
/// `#` in a spec's path, no leading `/`) becomes the path itself, percent-encoded, so a
/// request never leaves the gateway (Goose's own join would follow `//host` away).
pub fn url_on(base: &url::Url, path: &str) -> url::Url {
    url_for(base, path).unwrap_or_else(|| {
        let mut url = base.clone();
        match path.starts_with('/') {
            true => url.set_path(path),
            false => url.set_path(&format!("/{path}")),
        }
        url.set_query(None);
        url.set_fragment(None);
        url
    })
}

/// The HTTP method of a Goose method; `None` for `Custom`, which names none.
pub fn reqwest_method(method: &GooseMethod) -> Option<reqwest::Method> {
    Some(match method {
        GooseMethod::Delete => reqwest::Method::DELETE,
        GooseMethod::Get => reqwest::Method::GET,
        GooseMethod::Head => reqwest::Method::HEAD,
        GooseMethod::Patch => reqwest::Method::PATCH,
        GooseMethod::Post => reqwest::Method::POST,
        GooseMethod::Put => reqwest::Method::PUT,
        GooseMethod::Custom => return None,
    })
}

/// The URL of an absolute `path` (with an optional `?query`) on `base`: what Goose's
/// `build_url` makes, without its three parses of the whole URL per request (a failed
/// `Url::parse`, `join`, and reqwest parsing the joined text again): only the path and
/// query are parsed, into a copy of the base. `None` for anything but a plain absolute
/// path (a relative path, `//host/...`, a fragment), which Goose resolves.
pub fn url_for(base: &url::Url, path: &str) -> Option<url::Url> {
    if !path.starts_with('/') || path.starts_with("//") || path.contains('#') {
        return None;
    }
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(query);
    url.set_fragment(None);
    Some(url)
}

/// The auth headers (`GATEWAY_TOKEN`, `GATEWAY_HEADERS`, credentials from the URL) as a
/// header map, each value marked sensitive so no log or debug output shows it; a
/// malformed one is an error naming the header (never its value).
pub fn auth_header_map(
    pairs: &[(String, String)],
) -> Result<reqwest::header::HeaderMap, TargetError> {
    let mut headers = reqwest::header::HeaderMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        let bad = |what: &'static str| TargetError::BadHeader {
            name: name.clone(),
            what,
        };
        let header_name =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
        let mut header_value =
            reqwest::header::HeaderValue::from_str(value).map_err(|_| bad("value"))?;
        header_value.set_sensitive(true);
        headers.append(header_name, header_value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_with_a_base_path_is_accepted_and_split() {
        assert!(validate("http://127.0.0.1:4200/api").is_ok());
        assert!(validate("http://127.0.0.1:4200/api/").is_ok());
        let gateway = gateway("http://127.0.0.1:4200/api/").unwrap();
        assert_eq!(gateway.base(), "/api");
        assert_eq!(gateway.origin_text(), "http://127.0.0.1:4200");
        let err = validate("http://127.0.0.1:4200/api?x=1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("query"), "{err}");
        let err = validate("http://u:s3cret@127.0.0.1:4200/api?t=tok")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cret") && !err.contains("tok"), "{err}");
    }

    #[test]
    fn a_base_other_than_the_plan_s_is_a_warning() {
        let plan =
            r#"{"apps": [{"name": "root", "prefix": "/api"}, {"name": "x", "prefix": "/api/x"}]}"#;
        assert_eq!(base_mismatch("http://127.0.0.1:1/api/", plan), None);
        let warning = base_mismatch("http://127.0.0.1:1", plan).expect("a warning");
        assert!(warning.contains("no base path") && warning.contains("base path /api"));
        let demo = r#"{"apps": [{"name": "root", "prefix": ""}]}"#;
        assert_eq!(base_mismatch("http://127.0.0.1:1", demo), None);
        assert!(base_mismatch("http://127.0.0.1:1/gw", demo).is_some());
        assert_eq!(base_mismatch("http://127.0.0.1:1/gw", "not json"), None);
    }

    #[test]
    fn bad_auth_headers_are_named_without_their_value() {
        let err = auth_header_map(&[("X-Key".into(), "bad\nsecret".into())]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("X-Key") && !text.contains("secret"), "{text}");
        let map = auth_header_map(&[("authorization".into(), "Bearer t".into())]).unwrap();
        assert!(map["authorization"].is_sensitive());
    }

    #[test]
    fn credentials_leave_the_host_for_a_basic_header() {
        let (host, header) = split_credentials("http://alice:s%40cret@127.0.0.1:8000/");
        assert_eq!(host, "http://127.0.0.1:8000");
        // base64("alice:s@cret")
        assert_eq!(
            header,
            Some((
                "authorization".to_string(),
                "Basic YWxpY2U6c0BjcmV0".to_string()
            ))
        );
        assert_eq!(
            split_credentials("http://127.0.0.1:8000"),
            ("http://127.0.0.1:8000".to_string(), None)
        );
    }

    #[test]
    fn validate_refuses_other_schemes_and_garbage() {
        assert!(validate("http://127.0.0.1:8000").is_ok());
        let err = validate("ftp://127.0.0.1").unwrap_err().to_string();
        assert!(err.contains("ftp"), "{err}");
        let err = validate("127.0.0.1:8000").unwrap_err().to_string();
        assert!(err.contains("127.0.0.1:8000"), "{err}");
    }

    #[test]
    fn resolve_host_prefers_the_flag_and_trims_the_slash() {
        assert_eq!(
            resolve_host(Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_a_clear_error_naming_the_url() {
        // Bind then drop a listener: the port is then (almost surely) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind an ephemeral port");
        let host = format!("http://127.0.0.1:{port}");
        let err = check_reachable(&host, Duration::from_secs(2))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&host), "{text}");
        assert!(text.contains("connection failed"), "{text}");
    }

    #[test]
    fn a_url_is_what_goose_would_join_and_only_plain_absolute_paths_take_the_fast_way() {
        let bases = [
            "http://127.0.0.1:8000",
            "http://127.0.0.1:8000/",
            "http://localhost:8000/prefix/",
            "https://[::1]:8443/x?old=1#frag",
        ];
        let paths = [
            "/",
            "/health",
            "/api/v1/documents/",
            "/api/v1/documents/?session_id=3f1c&limit=20",
            "/docman/tickets/a%20b/%F0%9F%90%88",
            "/with space/and\u{e9}t\u{e9}/caf\u{e9}?q=\u{e9} &x=a+b",
            "/a/../b/./c",
            "/trailing?",
            "/%2F/%3F?%23",
        ];
        for base in bases {
            let base = url::Url::parse(base).unwrap();
            for path in paths {
                let fast = url_for(&base, path).unwrap_or_else(|| panic!("{path} is plain"));
                let joined = base.join(path).unwrap();
                assert_eq!(fast.as_str(), joined.as_str(), "{base} + {path}");
            }
            for other in [
                "health",
                "//evil.example/x",
                "/x#frag",
                "http://other/x",
                "",
            ] {
                assert_eq!(url_for(&base, other), None, "{other} is not plain");
                // Whatever the path holds, a request stays on the gateway.
                let on = url_on(&base, other);
                assert_eq!(on.host_str(), base.host_str(), "{other}");
                assert_eq!(on.port(), base.port(), "{other}");
                assert!(on.fragment().is_none(), "{other}");
            }
            assert_eq!(url_on(&base, "/x#frag").path(), "/x%23frag");
            assert_eq!(url_on(&base, "//evil.example/x").path(), "//evil.example/x");
        }
    }
}
