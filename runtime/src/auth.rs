//! Logging in the way FastAPI apps do. When `GATEWAY_USERNAME` and `GATEWAY_PASSWORD`
//! are set (and `GATEWAY_TOKEN` is not) and an app's document declares an OAuth2
//! password flow (FastAPI's `OAuth2PasswordBearer(tokenUrl=...)`), the run gets a bearer
//! token from the flow's token operation before the load, form-encoded as
//! `OAuth2PasswordRequestForm` expects (or JSON where the operation's body says so),
//! sends it on every request, and logs in again after a 401 (at most once a second).
//! The token operation itself, when dealt as load, is sent with the same credentials.
//! Credentials and tokens are never printed or written.

use reqwest::header::HeaderValue;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a login may take.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);
/// At most one login again per this long, however many requests answered 401.
const RELOGIN_EVERY: Duration = Duration::from_secs(1);

/// An app's OAuth2 password flow: where its token operation is, and how it reads its
/// body.
#[derive(Clone, Debug, PartialEq)]
pub struct PasswordFlow {
    /// The token operation's path from the origin (the gateway's base, the app's
    /// prefix, the operation's path), e.g. `/api/auth/token`.
    pub path: String,
    /// The documented template of the token operation (`/auth/token` under its app's
    /// prefix), as the generated operation names it; empty when it is not documented.
    pub template: String,
    /// The operation's body is JSON rather than a form.
    pub json: bool,
}

/// Why the run could not log in; no message holds a credential or a token.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AuthError {
    #[error(
        "log in: GATEWAY_USERNAME and GATEWAY_PASSWORD are set, but no app's OpenAPI \
         document declares an OAuth2 password flow (a tokenUrl); set GATEWAY_TOKEN instead, \
         or unset them"
    )]
    NoFlow,
    #[error(
        "log in: GATEWAY_USERNAME is set without GATEWAY_PASSWORD (or the other way round); \
         set both"
    )]
    HalfCredentials,
    #[error("log in at POST {path}: {reason}; check GATEWAY_USERNAME and GATEWAY_PASSWORD")]
    Refused { path: String, reason: String },
}

/// The credentials from the environment: `None` when neither is set.
pub fn credentials(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<(String, String)>, AuthError> {
    let read = |name: &str| var(name).filter(|v| !v.is_empty());
    match (read("GATEWAY_USERNAME"), read("GATEWAY_PASSWORD")) {
        (Some(user), Some(password)) => Ok(Some((user, password))),
        (None, None) => Ok(None),
        _ => Err(AuthError::HalfCredentials),
    }
}

/// The password flow an app's `document` declares, with its token operation located:
/// the documented `POST` whose path the `tokenUrl` ends with (`auth/token` is
/// `/auth/token`), else the `tokenUrl` read relative to the document's folder
/// (`{base}{prefix}/`), as Swagger UI reads it. `base` is the gateway's base path and
/// `prefix` the app's mount. A `tokenUrl` on another origin is never used.
pub fn password_flow(document: &Value, base: &str, prefix: &str) -> Option<PasswordFlow> {
    let schemes = document
        .pointer("/components/securitySchemes")?
        .as_object()?;
    let token_url = schemes.values().find_map(|scheme| {
        (scheme.get("type")?.as_str()? == "oauth2")
            .then(|| scheme.pointer("/flows/password/tokenUrl")?.as_str())
            .flatten()
    })?;
    let relative = match token_url.split_once("://") {
        // An absolute URL: only its path, and only on a loopback host (this gateway).
        Some((_, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = host.rsplit('@').next().unwrap_or(host);
            if !(host.starts_with("127.0.0.1") || host.starts_with("localhost")) {
                return None;
            }
            format!("/{path}")
        }
        None => token_url.to_string(),
    };
    let wanted = relative.trim_start_matches("./").trim_start_matches('/');
    let wanted = wanted.split(['?', '#']).next().unwrap_or_default();
    let documented = document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(path, item)| {
            item.get("post").is_some()
                && path.trim_start_matches('/') == wanted
                && !wanted.is_empty()
        })
        .map(|(path, item)| (path.clone(), item))
        .next();
    match documented {
        Some((path, item)) => {
            let json = item
                .pointer("/post/requestBody/content")
                .and_then(Value::as_object)
                .is_some_and(|content| {
                    content.keys().any(|media| media.contains("json"))
                        && !content
                            .keys()
                            .any(|media| media.starts_with("application/x-www-form-urlencoded"))
                });
            Some(PasswordFlow {
                path: format!("{base}{prefix}{path}"),
                template: format!("{prefix}{path}"),
                json,
            })
        }
        None if relative.starts_with('/') => Some(PasswordFlow {
            path: format!("{base}{relative}"),
            template: String::new(),
            json: false,
        }),
        None => Some(PasswordFlow {
            path: format!("{base}{prefix}/{wanted}"),
            template: String::new(),
            json: false,
        }),
    }
}

/// The run's login: the flow and the credentials (the current token is `target`'s).
struct Session {
    origin: String,
    flow: PasswordFlow,
    username: String,
    password: String,
    logged_in: Instant,
}

static ACTIVE: AtomicBool = AtomicBool::new(false);
static SESSION: RwLock<Option<Session>> = RwLock::new(None);
static RELOGIN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Logs in at `flow` on `origin` (`http://127.0.0.1:8000`) and makes the token the run's:
/// every request the run sends carries it from now on. Returns the `authorization`
/// header for the requests sent outside Goose (warm-up, sweep).
pub async fn start(
    origin: &str,
    flow: PasswordFlow,
    username: String,
    password: String,
) -> Result<(String, String), AuthError> {
    let header = login(origin, &flow, &username, &password).await?;
    let text = header.to_str().unwrap_or_default().to_string();
    *SESSION.write().unwrap_or_else(|p| p.into_inner()) = Some(Session {
        origin: origin.to_string(),
        flow,
        username,
        password,
        logged_in: Instant::now(),
    });
    ACTIVE.store(true, Ordering::Release);
    crate::target::set_token(Some(header));
    Ok(("authorization".to_string(), text))
}

/// Forgets the run's login (a new run starts without one).
pub fn reset() {
    ACTIVE.store(false, Ordering::Release);
    *SESSION.write().unwrap_or_else(|p| p.into_inner()) = None;
    crate::target::set_token(None);
}

/// Whether `template` is the token operation of the run's login.
pub fn is_token_operation(template: &str) -> bool {
    ACTIVE.load(Ordering::Acquire)
        && SESSION
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|s| !s.flow.template.is_empty() && s.flow.template == template)
}

/// The token operation's body with the run's credentials: `(form, json)`.
pub fn login_body() -> Option<(Vec<(&'static str, String)>, bool)> {
    let session = SESSION.read().unwrap_or_else(|p| p.into_inner());
    let s = session.as_ref()?;
    Some((
        vec![
            ("grant_type", "password".to_string()),
            ("username", s.username.clone()),
            ("password", s.password.clone()),
        ],
        s.flow.json,
    ))
}

/// A request answered 401: logs in again, unless someone did within the last second.
/// A failed login keeps the old token (the next 401 tries again).
pub async fn unauthorized() {
    if !ACTIVE.load(Ordering::Acquire) {
        return;
    }
    let _one = RELOGIN.lock().await;
    let (origin, flow, username, password) = {
        let session = SESSION.read().unwrap_or_else(|p| p.into_inner());
        let Some(s) = session.as_ref() else { return };
        if s.logged_in.elapsed() < RELOGIN_EVERY {
            return;
        }
        (
            s.origin.clone(),
            s.flow.clone(),
            s.username.clone(),
            s.password.clone(),
        )
    };
    let fresh = login(&origin, &flow, &username, &password).await;
    let mut session = SESSION.write().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = session.as_mut() {
        s.logged_in = Instant::now();
        if let Ok(header) = fresh {
            crate::target::set_token(Some(header));
        }
    }
}

/// Logs in again now and returns the fresh header (before the final sweep: the token
/// may have expired during the load).
pub async fn refresh() -> Option<(String, String)> {
    if !ACTIVE.load(Ordering::Acquire) {
        return None;
    }
    if let Ok(mut session) = SESSION.write() {
        if let Some(s) = session.as_mut() {
            s.logged_in = Instant::now() - RELOGIN_EVERY;
        }
    }
    unauthorized().await;
    crate::target::token().map(|h| {
        let text = h.to_str().unwrap_or_default().to_string();
        ("authorization".to_string(), text)
    })
}

/// One login: the token operation's answer's `access_token`, as a bearer header.
async fn login(
    origin: &str,
    flow: &PasswordFlow,
    username: &str,
    password: &str,
) -> Result<HeaderValue, AuthError> {
    let refused = |reason: String| AuthError::Refused {
        path: flow.path.clone(),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(LOGIN_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(crate::target::USER_AGENT)
        .build()
        .map_err(|e| refused(crate::target::describe_reqwest_error(&e)))?;
    let fields = [
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ];
    let request = client.post(format!("{origin}{}", flow.path));
    let request = match flow.json {
        true => request.json(&serde_json::json!({"username": username, "password": password})),
        false => request.form(&fields),
    };
    let response = request
        .send()
        .await
        .map_err(|e| refused(crate::target::describe_reqwest_error(&e)))?;
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    if !status.is_success() {
        return Err(refused(format!("answered {}", status.as_u16())));
    }
    let answer: Value = serde_json::from_slice(&body)
        .map_err(|_| refused("answered something that is not JSON".to_string()))?;
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| refused("answered no access_token".to_string()))?;
    let mut header = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| refused("answered a token that is not a header value".to_string()))?;
    header.set_sensitive(true);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(token_url: &str, paths: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": paths,
            "components": {"securitySchemes": {"OAuth2PasswordBearer": {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": token_url, "scopes": {}}}
            }}}
        })
    }

    fn form_post() -> Value {
        json!({"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {}}}}})
    }

    #[test]
    fn the_token_operation_is_found_where_the_app_documents_it() {
        let doc = document("auth/token", json!({"/auth/token": form_post()}));
        assert_eq!(
            password_flow(&doc, "/api", "/users"),
            Some(PasswordFlow {
                path: "/api/users/auth/token".to_string(),
                template: "/users/auth/token".to_string(),
                json: false,
            })
        );
        let json_body = json!({"post": {"requestBody": {"content": {"application/json": {}}}}});
        let doc = document("/login", json!({"/login": json_body}));
        let flow = password_flow(&doc, "", "").unwrap();
        assert_eq!((flow.path.as_str(), flow.json), ("/login", true));
        // Not documented: relative to the document's folder, or from the base.
        let doc = document("token", json!({}));
        assert_eq!(
            password_flow(&doc, "", "/users").unwrap().path,
            "/users/token"
        );
        let doc = document("/token", json!({}));
        assert_eq!(
            password_flow(&doc, "/api", "/users").unwrap().path,
            "/api/token"
        );
        // Another host is never used; no flow, no login.
        let doc = document("https://idp.example/token", json!({}));
        assert_eq!(password_flow(&doc, "", ""), None);
        assert_eq!(password_flow(&json!({"paths": {}}), "", ""), None);
    }

    #[test]
    fn credentials_come_in_pairs() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(credentials(env(&[])), Ok(None));
        assert_eq!(
            credentials(env(&[("GATEWAY_USERNAME", "a"), ("GATEWAY_PASSWORD", "b")])),
            Ok(Some(("a".to_string(), "b".to_string())))
        );
        let half = credentials(env(&[("GATEWAY_USERNAME", "a")])).unwrap_err();
        assert_eq!(half, AuthError::HalfCredentials);
        assert!(!half.to_string().contains("\"a\""));
    }
}
