//! `health`: is the gateway up? `GET /health` and `GET /gateway/status` on the root app
//! (under the gateway URL's base path, if it has one), then each discovered app's
//! `openapi.json` and health route; prints a table and passes only when every check does.
//!
//! Bounded in time: each request may take `--timeout` seconds, and all of them together
//! three times that (15 s by default); checks left when the budget is spent fail as not
//! run. When the first check cannot reach the gateway at all (refused, unknown host, time
//! out) the command stops with one line naming the URL instead of a table of failures.
//!
//! Discovery is the spec pipeline's own (`spec::source`): the live gateway when
//! `GATEWAY_URL` is set, else the snapshot in `generated/`. It runs on this thread with
//! blocking reqwest, as the discovery module does, so no async runtime is involved.

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

    let mut checks = Vec::new();
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
    checks.push(first.check);
    let status_path = checker.gateway.join("/gateway/status");
    checks.push(
        checker
            .check("root /gateway/status", &status_path, Expect::Healthy)
            .check,
    );

    let source = spec::source::choose(super::env, Path::new("."));
    let started = Instant::now();
    let discovery = discover(&source, &checker);
    let elapsed_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
    let label = spec::source::label(&source);
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
            for app in &discovery.apps {
                checks.extend(app_checks(&checker, app, &root_health));
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

    print!("{}", table(&spec::gateway_url::redact(host), &checks));
    Ok(checks.iter().all(Check::passed))
}

/// The two checks of one app: its document and its health route (`root_health` is
/// checked already).
fn app_checks(
    checker: &Checker,
    app: &spec::discovery::DiscoveredApp,
    root_health: &str,
) -> Vec<Check> {
    let mut checks = vec![
        checker
            .check(
                &format!("{} openapi.json", app.name),
                &app.openapi_path,
                Expect::OpenApi,
            )
            .check,
    ];
    let name = format!("{} health", app.name);
    let path = format!("{}/health", app.prefix);
    let has_health = app
        .document
        .pointer("/paths/~1health/get")
        .is_some_and(serde_json::Value::is_object);
    checks.push(match (has_health, path == root_health) {
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
    checks
}

/// The apps to check, from the source build.rs would use; an error is one failed row.
fn discover(source: &Source, checker: &Checker) -> Result<Discovery, String> {
    let settings = super::settings().map_err(|e| format!("failed to {e}"))?;
    match source {
        Source::Live { url } => {
            // As spec::source::load, but within this command's time budget.
            let left = checker.left().ok_or_else(|| checker.spent())?;
            let mut config = spec::source::discovery_config(url, &settings, super::env);
            config.timeout = checker.timeout.min(left);
            config.total_timeout = left;
            spec::discovery::discover(&config).map_err(|e| format!("failed to {e}"))
        }
        Source::Snapshot { .. } => {
            spec::source::load(source, &settings, super::env).map_err(|e| format!("failed to {e}"))
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

/// A check, and why nothing answered when the gateway could not be reached at all.
struct Outcome {
    check: Check,
    unreachable: Option<String>,
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
            Ok((status, body)) => Outcome {
                check: Check {
                    name: name.to_string(),
                    path: path.to_string(),
                    status: Some(status.as_u16()),
                    latency_ms,
                    verdict: judge(status, &body, expect),
                },
                unreachable: None,
            },
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
            gateway: GatewayUrl::parse("http://127.0.0.1:1/gw").unwrap(),
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
        let with_health = serde_json::json!({"paths": {"/health": {"get": {}}}});
        // Under the base path /gw: the root app's prefix is the base.
        let root_health = checker.gateway.join("/health");
        let checks = app_checks(&checker, &app("/gw/svc", with_health.clone()), &root_health);
        assert_eq!(checks[0].path, "/gw/svc/openapi.json");
        assert_eq!(checks[1].path, "/gw/svc/health");
        assert!(matches!(&checks[1].verdict, Verdict::Fail(why) if why.contains("budget")));
        let root = app_checks(&checker, &app("/gw", with_health), &root_health);
        assert!(matches!(root[1].verdict, Verdict::Skip(_)));
        let empty = serde_json::json!({"paths": {}});
        let none = app_checks(&checker, &app("/gw/svc", empty), &root_health);
        assert!(matches!(&none[1].verdict, Verdict::Skip(why) if why.contains("no GET /health")));
    }
}
