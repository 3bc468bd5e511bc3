//! `health`: is the gateway up? `GET /health` on the root (under the gateway URL's base
//! path, if it has one), then each discovered app's
//! `openapi.json` and health route, and the root's other status routes (the demo
//! gateway's `/gateway/status`) where its API documents them or the configuration's
//! `[health] routes` names them; prints a table and passes only when every check does.
//! So it fits any FastAPI app: what an app does not have is a skipped row, not a failure.
//!
//! Bounded in time: each request may take `--timeout` seconds, and all of them together
//! three times that (15 s by default); checks left when the budget is spent fail as not
//! run. When the first check cannot reach the gateway at all (refused, unknown host, time
//! out) the command stops with one line naming the URL instead of a table of failures.
//!
//! Discovery is the spec pipeline's own (`spec::source`): the live gateway being checked
//! when `GATEWAY_URL` is set, else the snapshot in `generated/`. A snapshot app whose
//! document the gateway does not serve (404) is skipped when the gateway is another than
//! the snapshot's (its root document differs), and fails when it is the same one. It runs
//! on this thread with blocking reqwest, as the discovery module does, so no async
//! runtime is involved.

use super::CommandError;
use crate::spec::{self, discovery::Discovery, gateway_url::GatewayUrl, source::Source};
use crate::target;
use reqwest::blocking::Client;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// Each check's default limit, in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 5.0;
/// All checks together may take this many per-check time-outs.
pub const BUDGET_TIMEOUTS: u32 = 3;

/// The `status` values of a JSON health answer that mean healthy (case-insensitive).
const HEALTHY: &[&str] = &["ok", "healthy", "up", "pass", "passing", "green", "running"];

/// Status routes of the root app checked where its API documents them (the demo
/// gateway's), beside those the configuration's `[health] routes` names.
const STATUS_ROUTES: &[&str] = &["/gateway/status"];

/// How one check ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ok(String),
    /// Not a failure: nothing to check (the reason says why).
    Skip(String),
    Fail(String),
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked, e.g. `docman health`.
    pub name: String,
    /// The URL's path on the gateway (never its origin, which may hold credentials).
    pub path: String,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub verdict: Verdict,
}

impl Check {
    fn passed(&self) -> bool {
        !matches!(self.verdict, Verdict::Fail(_))
    }

    fn without_request(name: &str, path: &str, verdict: Verdict) -> Check {
        Check {
            name: name.to_string(),
            path: path.to_string(),
            status: None,
            latency_ms: None,
            verdict,
        }
    }
}

/// What an answer must look like to pass.
#[derive(Clone, Copy)]
enum Expect {
    /// 2xx; when the body is a JSON object with a string `status`, a healthy one.
    Healthy,
    /// 2xx and an OpenAPI document.
    OpenApi,
}

/// Runs every check against the gateway at `host` and prints the
/// table; `Ok(true)` when all passed.
pub fn run(host: &str, timeout: Duration) -> Result<bool, CommandError> {
    if timeout.is_zero() {
        return Err(CommandError::Usage(
            "run health: --timeout must be more than 0 seconds".to_string(),
        ));
    }
    let gateway = target::gateway(host)?;
    let auth = spec::source::auth_headers(super::env);
    let client = Client::builder()
        .default_headers(target::auth_header_map(&auth)?)
        .connect_timeout(timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        // A fresh connection per check, as a monitor probes: an idle kept-alive one adds
        // ~40 ms (delayed ACK) to small answers from uvicorn, and a timed-out check
        // leaves nothing behind for the next.
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| CommandError::Usage(format!("build the HTTP client: {e}")))?;
    let budget = timeout * BUDGET_TIMEOUTS;
    let checker = Checker {
        client,
        gateway,
        timeout,
        budget,
        deadline: Instant::now() + budget,
    };

    // The first check tells "the gateway is down" from "something is unhealthy".
    let root_health = checker.gateway.join("/health");
    let first = checker.check("root /health", &root_health, Expect::Healthy);
    if let Some(reason) = first.unreachable {
        let hint = match reason.contains("timed out") {
            true => "check that the gateway is healthy or point GATEWAY_URL at it",
            false => "start the gateway or point GATEWAY_URL at it",
        };
        return Err(CommandError::Unreachable {
            url: spec::gateway_url::redact(host),
            check: format!("GET {root_health}"),
            reason,
            hint,
        });
    }
    let mut checks = vec![first.check];

    // Live discovery reads the gateway being checked (`suite --host` may name another
    // than GATEWAY_URL).
    let source = match spec::source::choose(super::env, Path::new(".")) {
        Source::Live { .. } => Source::Live {
            url: host.to_string(),
        },
        snapshot => snapshot,
    };
    let settings = super::settings().map_err(|e| format!("failed to {e}"));
    let configured = settings
        .as_ref()
        .map(|s| s.health.routes.clone())
        .unwrap_or_default();
    let started = Instant::now();
    let discovery = settings.and_then(|settings| discover(&source, &checker, &settings));
    let elapsed_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
    let label = spec::source::label(&source);
    let mut root_document = None;
    match discovery {
        Ok(discovery) => {
            checks.push(Check {
                latency_ms: elapsed_ms,
                ..Check::without_request(
                    "discovery",
                    "",
                    Verdict::Ok(format!("{} app(s) from {label}", discovery.apps.len())),
                )
            });
            let mut context = Context {
                from_snapshot: matches!(source, Source::Snapshot { .. }),
                snapshot_root: discovery
                    .apps
                    .iter()
                    .find(|app| app.prefix.is_empty())
                    .map(|app| app.document.clone()),
                same_gateway: true,
                configured: &configured,
            };
            for app in &discovery.apps {
                let (app_rows, document) = app_checks(&checker, app, &mut context);
                checks.extend(app_rows);
                if app.prefix.is_empty() {
                    root_document = document;
                }
            }
        }
        Err(reason) => checks.push(Check {
            latency_ms: elapsed_ms,
            ..Check::without_request(
                "discovery",
                "",
                Verdict::Fail(format!("from {label}: {reason}")),
            )
        }),
    }
    // A root without /health (answered 404) passes when its API does not document one.
    let documents_health = |doc: &serde_json::Value| documents_get(doc, "/health");
    if checks[0].status == Some(404)
        && !configured.iter().any(|r| r == "/health")
        && root_document
            .as_ref()
            .is_some_and(|doc| !documents_health(doc))
    {
        checks[0].verdict =
            Verdict::Skip("answered 404; the gateway's API has no GET /health".to_string());
    }

    print!("{}", table(&spec::gateway_url::redact(host), &checks));
    Ok(checks.iter().all(Check::passed))
}

/// What the checks of one app depend on beyond the app.
struct Context<'a> {
    /// The apps come from the snapshot in `generated/`, not from the gateway checked.
    from_snapshot: bool,
    /// The snapshot's root document, to tell whether the gateway checked is its gateway.
    snapshot_root: Option<serde_json::Value>,
    /// Whether the gateway's live root document is the snapshot's (set by the root app's
    /// check, which comes first).
    same_gateway: bool,
    /// `[health] routes`: root routes checked even when not documented.
    configured: &'a [String],
}

/// Whether an OpenAPI document has `GET path`.
fn documents_get(document: &serde_json::Value, path: &str) -> bool {
    document
        .get("paths")
        .and_then(|paths| paths.get(path))
        .and_then(|item| item.get("get"))
        .is_some_and(serde_json::Value::is_object)
}

/// The checks of one app: its document, its health route, and for the root its status
/// routes; and the document the gateway served (`None` when it served none).
fn app_checks(
    checker: &Checker,
    app: &spec::discovery::DiscoveredApp,
    context: &mut Context,
) -> (Vec<Check>, Option<serde_json::Value>) {
    let is_root = app.prefix == checker.gateway.base().trim_end_matches('/');
    let fetched = checker.check(
        &format!("{} openapi.json", app.name),
        &app.openapi_path,
        Expect::OpenApi,
    );
    let mut document_check = fetched.check;
    let served = fetched.document;
    if is_root && context.from_snapshot {
        context.same_gateway = served.is_some() && served == context.snapshot_root;
    }
    let name = format!("{} health", app.name);
    // An app of the snapshot that another gateway does not have: nothing to check.
    if context.from_snapshot
        && !context.same_gateway
        && !is_root
        && document_check.status == Some(404)
    {
        document_check.verdict = Verdict::Skip(
            "not on this gateway, whose API is not the snapshot's; a load run leaves its \
             routes out"
                .to_string(),
        );
        let health = Check::without_request(
            &name,
            "",
            Verdict::Skip("its app is not on this gateway".to_string()),
        );
        return (vec![document_check, health], None);
    }
    let mut checks = vec![document_check];
    let document = served.as_ref().unwrap_or(&app.document);
    if is_root {
        let mut routes: Vec<&str> = STATUS_ROUTES.to_vec();
        for route in context.configured {
            if route != "/health" && !routes.contains(&route.as_str()) {
                routes.push(route);
            }
        }
        for route in routes {
            let row = format!("root {route}");
            let named = context.configured.iter().any(|r| r == route);
            checks.push(match named || documents_get(document, route) {
                true => {
                    checker
                        .check(&row, &checker.gateway.join(route), Expect::Healthy)
                        .check
                }
                false => Check::without_request(
                    &row,
                    &checker.gateway.join(route),
                    Verdict::Skip("not in the gateway's API".to_string()),
                ),
            });
        }
    }
    let path = format!("{}/health", app.prefix);
    checks.push(match (documents_get(document, "/health"), is_root) {
        (false, _) => Check::without_request(
            &name,
            "",
            Verdict::Skip("its document has no GET /health".to_string()),
        ),
        (true, true) => Check::without_request(
            &name,
            &path,
            Verdict::Skip("the root /health check above".to_string()),
        ),
        (true, false) => checker.check(&name, &path, Expect::Healthy).check,
    });
    (checks, served)
}

/// The apps to check, from the source build.rs would use; an error is one failed row.
fn discover(
    source: &Source,
    checker: &Checker,
    settings: &spec::settings::Settings,
) -> Result<Discovery, String> {
    match source {
        Source::Live { url } => {
            // As spec::source::load, but within this command's time budget.
            let left = checker.left().ok_or_else(|| checker.spent())?;
            let mut config = spec::source::discovery_config(url, settings, super::env);
            config.timeout = checker.timeout.min(left);
            config.total_timeout = left;
            spec::discovery::discover(&config).map_err(|e| format!("failed to {e}"))
        }
        Source::Snapshot { .. } => {
            spec::source::load(source, settings, super::env).map_err(|e| format!("failed to {e}"))
        }
    }
}

/// Sends the checks, each within its own limit and all within the budget.
struct Checker {
    client: Client,
    /// Paths of checks are absolute on its origin (they hold the base).
    gateway: GatewayUrl,
    timeout: Duration,
    budget: Duration,
    deadline: Instant,
}

/// A check, why nothing answered when the gateway could not be reached at all, and the
/// OpenAPI document it read.
struct Outcome {
    check: Check,
    unreachable: Option<String>,
    document: Option<serde_json::Value>,
}

impl Checker {
    /// Time left in the budget; `None` once it is spent.
    fn left(&self) -> Option<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    fn spent(&self) -> String {
        format!(
            "not run: the {} s budget for all checks was spent",
            self.budget.as_secs_f64()
        )
    }

    /// `GET path` on the gateway, judged by `expect`.
    fn check(&self, name: &str, path: &str, expect: Expect) -> Outcome {
        let fail = |reason: String| Check::without_request(name, path, Verdict::Fail(reason));
        let Some(left) = self.left() else {
            return Outcome {
                check: fail(self.spent()),
                unreachable: None,
                document: None,
            };
        };
        let url = self.gateway.url(path);
        let started = Instant::now();
        let answer = self
            .client
            .get(url)
            .timeout(self.timeout.min(left))
            .send()
            .and_then(|response| {
                let status = response.status();
                response.bytes().map(|body| (status, body))
            });
        let latency_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
        match answer {
            Ok((status, body)) => {
                let verdict = judge(status, &body, expect);
                let document = match (expect, &verdict) {
                    (Expect::OpenApi, Verdict::Ok(_)) => serde_json::from_slice(&body).ok(),
                    _ => None,
                };
                Outcome {
                    check: Check {
                        name: name.to_string(),
                        path: path.to_string(),
                        status: Some(status.as_u16()),
                        latency_ms,
                        verdict,
                    },
                    unreachable: None,
                    document,
                }
            }
            Err(e) => {
                let reason = match e.is_timeout() {
                    true => format!("timed out after {} s", self.timeout.min(left).as_secs_f64()),
                    false => target::describe_reqwest_error(&e),
                };
                let unreachable = (e.is_connect() || e.is_timeout()).then(|| reason.clone());
                Outcome {
                    check: Check {
                        latency_ms,
                        ..fail(reason)
                    },
                    unreachable,
                    document: None,
                }
            }
        }
    }
}

/// Whether an answer passes.
fn judge(status: reqwest::StatusCode, body: &[u8], expect: Expect) -> Verdict {
    if !status.is_success() {
        let reason = status.canonical_reason().unwrap_or("");
        let note = match status.is_redirection() {
            true => " (redirects are not followed)",
            false => "",
        };
        return Verdict::Fail(format!("answered {} {reason}{note}", status.as_u16()));
    }
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    match expect {
        Expect::OpenApi => match json {
            Some(doc) if spec::discovery::looks_like_openapi(&doc) => {
                let paths = doc
                    .get("paths")
                    .and_then(serde_json::Value::as_object)
                    .map_or(0, |p| p.len());
                Verdict::Ok(format!("{paths} path(s)"))
            }
            Some(_) => Verdict::Fail("the body is JSON but not an OpenAPI document".to_string()),
            None => Verdict::Fail("the body is not JSON".to_string()),
        },
        Expect::Healthy => match json
            .as_ref()
            .and_then(|v| v.get("status"))
            .and_then(serde_json::Value::as_str)
        {
            Some(said) if !HEALTHY.iter().any(|h| h.eq_ignore_ascii_case(said.trim())) => {
                Verdict::Fail(format!("it says status {said:?}"))
            }
            _ => Verdict::Ok(String::new()),
        },
    }
}

/// The table: check, path, status, latency, result; then a one-line verdict.
pub fn table(origin: &str, checks: &[Check]) -> String {
    let width = |f: &dyn Fn(&Check) -> usize, title: &str| {
        checks.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let name_w = width(&|c| c.name.chars().count(), "check");
    let path_w = width(&|c| c.path.chars().count(), "path");
    let mut out = format!("gateway {origin}\n");
    let header = format!(
        "{:<name_w$} | {:<path_w$} | {:>6} | {:>8} | result",
        "check", "path", "status", "ms"
    );
    let _ = writeln!(out, "{header}\n{}", "-".repeat(header.len() + 8));
    for check in checks {
        let status = check.status.map_or("-".to_string(), |s| s.to_string());
        let ms = check
            .latency_ms
            .map_or("-".to_string(), |ms| format!("{ms:.1}"));
        let result = match &check.verdict {
            Verdict::Ok(note) if note.is_empty() => "ok".to_string(),
            Verdict::Ok(note) => format!("ok ({note})"),
            Verdict::Skip(why) => format!("skip ({why})"),
            Verdict::Fail(why) => format!("FAIL: {why}"),
        };
        let _ = writeln!(
            out,
            "{:<name_w$} | {:<path_w$} | {status:>6} | {ms:>8} | {result}",
            check.name, check.path
        );
    }
    let failed = checks.iter().filter(|c| !c.passed()).count();
    let _ = match failed {
        0 => writeln!(out, "healthy: all {} checks passed", checks.len()),
        n => writeln!(out, "unhealthy: {n} of {} checks failed", checks.len()),
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn answers_are_judged_by_status_and_body() {
        let ok = |v: &Verdict| matches!(v, Verdict::Ok(_));
        assert!(ok(&judge(
            StatusCode::OK,
            br#"{"status":"ok"}"#,
            Expect::Healthy
        )));
        assert!(ok(&judge(StatusCode::OK, b"fine", Expect::Healthy)));
        assert!(ok(&judge(
            StatusCode::OK,
            br#"{"status":"UP"}"#,
            Expect::Healthy
        )));
        assert_eq!(
            judge(StatusCode::OK, br#"{"status":"degraded"}"#, Expect::Healthy),
            Verdict::Fail("it says status \"degraded\"".to_string())
        );
        assert_eq!(
            judge(StatusCode::SERVICE_UNAVAILABLE, b"", Expect::Healthy),
            Verdict::Fail("answered 503 Service Unavailable".to_string())
        );
        let redirect = judge(StatusCode::TEMPORARY_REDIRECT, b"", Expect::Healthy);
        assert!(format!("{redirect:?}").contains("not followed"));
        let doc = br#"{"openapi":"3.1.0","info":{},"paths":{"/a":{},"/b":{}}}"#;
        assert_eq!(
            judge(StatusCode::OK, doc, Expect::OpenApi),
            Verdict::Ok("2 path(s)".to_string())
        );
        assert!(!ok(&judge(StatusCode::OK, b"<html>", Expect::OpenApi)));
        assert!(!ok(&judge(StatusCode::OK, br#"{"a":1}"#, Expect::OpenApi)));
    }

    #[test]
    fn the_table_shows_every_check_and_the_verdict() {
        let checks = vec![
            Check {
                name: "root /health".into(),
                path: "/health".into(),
                status: Some(200),
                latency_ms: Some(1.25),
                verdict: Verdict::Ok(String::new()),
            },
            Check::without_request("root health", "/health", Verdict::Skip("above".into())),
            Check {
                name: "docman health".into(),
                path: "/docman/health".into(),
                status: Some(500),
                latency_ms: Some(3.0),
                verdict: Verdict::Fail("answered 500 Internal Server Error".into()),
            },
        ];
        let text = table("http://127.0.0.1:8000", &checks);
        assert!(
            text.starts_with("gateway http://127.0.0.1:8000\n"),
            "{text}"
        );
        assert!(
            text.contains("root /health  | /health        |    200 |      1.2 | ok"),
            "{text}"
        );
        assert!(text.contains("skip (above)"), "{text}");
        assert!(text.contains("FAIL: answered 500"), "{text}");
        assert!(
            text.ends_with("unhealthy: 1 of 3 checks failed\n"),
            "{text}"
        );
        assert!(table("x", &checks[..2]).ends_with("healthy: all 2 checks passed\n"));
    }

    #[test]
    fn app_checks_follow_the_document() {
        let checker = Checker {
            client: Client::new(),
            gateway: GatewayUrl::parse("http://127.0.0.1:1").unwrap(),
            timeout: Duration::from_secs(1),
            budget: Duration::ZERO,
            // Spent: any request would be reported as not run, so none is sent.
            deadline: Instant::now(),
        };
        let app = |prefix: &str, doc: serde_json::Value| spec::discovery::DiscoveredApp {
            name: "svc".into(),
            title: "Svc".into(),
            prefix: prefix.into(),
            openapi_path: format!("{prefix}/openapi.json"),
            document: doc,
        };
        let configured = Vec::new();
        let mut context = Context {
            from_snapshot: false,
            snapshot_root: None,
            same_gateway: true,
            configured: &configured,
        };
        let with_health = serde_json::json!({"paths": {"/health": {"get": {}}}});
        let (checks, served) =
            app_checks(&checker, &app("/svc", with_health.clone()), &mut context);
        assert_eq!(served, None, "nothing was fetched");
        assert_eq!(checks[0].path, "/svc/openapi.json");
        assert_eq!(checks[1].path, "/svc/health");
        assert!(matches!(&checks[1].verdict, Verdict::Fail(why) if why.contains("budget")));
        let (root, _) = app_checks(&checker, &app("", with_health.clone()), &mut context);
        let row = |rows: &[Check], name: &str| {
            rows.iter()
                .find(|c| c.name == name)
                .cloned()
                .unwrap_or_else(|| panic!("no {name} row: {rows:?}"))
        };
        assert!(matches!(row(&root, "svc health").verdict, Verdict::Skip(_)));
        // The demo gateway's status route is checked only where the API documents it.
        assert!(matches!(
            row(&root, "root /gateway/status").verdict,
            Verdict::Skip(why) if why.contains("not in the gateway's API")
        ));
        let demo =
            serde_json::json!({"paths": {"/health": {"get": {}}, "/gateway/status": {"get": {}}}});
        let (root, _) = app_checks(&checker, &app("", demo), &mut context);
        assert!(matches!(
            row(&root, "root /gateway/status").verdict,
            Verdict::Fail(why) if why.contains("budget")
        ));
        // ... or where the configuration names it.
        let configured = vec!["/gateway/status".to_string(), "/ready".to_string()];
        context.configured = &configured;
        let (root, _) = app_checks(&checker, &app("", with_health), &mut context);
        assert!(matches!(
            row(&root, "root /gateway/status").verdict,
            Verdict::Fail(_)
        ));
        assert!(matches!(
            row(&root, "root /ready").verdict,
            Verdict::Fail(_)
        ));
        let (none, _) = app_checks(
            &checker,
            &app("/svc", serde_json::json!({"paths": {}})),
            &mut context,
        );
        assert!(matches!(&none[1].verdict, Verdict::Skip(why) if why.contains("no GET /health")));
    }
}
