//! The binary built from the demo gateway's snapshot, pointed at other FastAPI apps (the
//! realistic fixture, a newcomer's own gateway): the personas and generated operations
//! whose routes the target does not document are left out, and said so in one line;
//! `health` and `suite` pass on an app without the demo gateway's routes.

use crate::common::{binary, only_run_folder, temp_dir, text, Gateway, ATTACK};
use gateway_loadtest::{generated, scenarios};
use std::path::Path;

/// The line a run prints when every hand-written persona is left out.
const ALL_PERSONAS_LEFT_OUT: &str = "gateway-loadtest: left out 3 static personas (their \
     routes are not in the gateway's API): Static gateway monitor, Static document reader, \
     Static document uploader";

/// `GET path` on the gateway as JSON, blocking.
fn get_json(url: &str, path: &str) -> serde_json::Value {
    reqwest::blocking::get(format!("{url}{path}"))
        .and_then(|r| r.json())
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// A short default run (every scenario) of the binary against `host`, into `results`.
fn short_run(host: &str, results: &Path, extra: &[&str]) -> std::process::Output {
    binary()
        .args(["--host", host, "--users", "3", "--increase-rate", "3"])
        .args([
            "--run-time",
            "4s",
            "--no-telnet",
            "--no-websocket",
            "--no-wait",
        ])
        .args(["--quiet", "--seed", "7", "--results-dir"])
        .arg(results)
        .args(extra)
        .output()
        .expect("run the binary")
}

#[test]
fn every_persona_route_is_a_route_of_the_compiled_plan() {
    // A declaration with a typo would leave its persona out against every gateway.
    for persona in scenarios::PERSONAS {
        for route in persona.routes {
            assert!(
                generated::OPERATIONS
                    .iter()
                    .any(|op| op.method == route.method && op.path == route.path),
                "{}: {route} is not an operation of the demo gateway's plan",
                persona.scenario
            );
        }
    }
    // Every registered hand-written scenario is declared.
    for scenario in scenarios::all(true).unwrap() {
        assert!(
            scenarios::PERSONAS
                .iter()
                .any(|p| *p.scenario == *scenario.name),
            "{} declares no routes in scenarios::PERSONAS",
            scenario.name
        );
    }
}

#[test]
fn the_demo_build_against_another_app_calls_only_routes_it_documents() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::realistic(&[], &[("REALISTIC_AUTH", "0")]);
    let dir = temp_dir("any-realistic");
    let results = dir.join("results");
    let output = short_run(&gateway.url, &results, &[]);
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    assert!(log.contains(ALL_PERSONAS_LEFT_OUT), "{log}");
    let generated_line = log
        .lines()
        .find(|l| l.starts_with("gateway-loadtest: left out ") && l.contains("generated"))
        .unwrap_or_else(|| panic!("no left-out line for generated operations: {log}"));
    assert!(
        generated_line.contains("GET /gateway/status"),
        "{generated_line}"
    );
    assert!(
        !generated_line.contains("GET /health,"),
        "the app documents GET /health: {generated_line}"
    );

    let seen = get_json(&gateway.url, "/_fixture/requests");
    let routes = seen["routes"].as_array().expect("routes");
    // The load went to documented routes only; the one undocumented route asked is the
    // root's document, which the run reads at start.
    for route in routes {
        assert!(
            route["in_schema"] == true || route["route"] == "/openapi.json",
            "a request to a route the app does not document: {route}; all: {seen}"
        );
    }
    let health = routes
        .iter()
        .find(|r| r["method"] == "GET" && r["route"] == "/health")
        .unwrap_or_else(|| panic!("the generated GET /health ran: {seen}"));
    assert!(health["count"].as_u64().unwrap_or(0) > 0, "{seen}");
    // Nothing else reached a path the app has no route for, but the documents of the
    // compiled apps' prefixes, read (and found missing) at start.
    for miss in seen["unmatched"].as_array().expect("unmatched") {
        let path = miss["path"].as_str().unwrap_or_default();
        assert!(
            miss["method"] == "GET" && path.ends_with("/openapi.json"),
            "a request to a path the app has no route for: {miss}; all: {seen}"
        );
        assert_eq!(miss["count"], 1, "each document is read once: {miss}");
    }

    let folder = only_run_folder(&results, &log);
    let routes_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("routes.json")).unwrap())
            .unwrap();
    assert_eq!(
        routes_json["personas"].as_array().map(Vec::len),
        Some(3),
        "{routes_json}"
    );
    assert!(
        routes_json["operations"]
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "POST /docman/tickets")),
        "{routes_json}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_left_out_persona_selected_by_name_is_an_error_that_says_why() {
    let gateway = Gateway::own_gateway();
    let dir = temp_dir("any-selected");
    let results = dir.join("results");
    let output = short_run(
        &gateway.url,
        &results,
        &["--scenarios", "staticdocumentreader"],
    );
    let log = text(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        log.contains("the gateway at ")
            && log.contains("does not document the routes of Static document reader")
            && log.contains("--scenarios-list")
            && log.contains("cargo build --release"),
        "{log}"
    );
    assert!(
        !results.exists(),
        "no run folder for a run that never started"
    );

    // Selected beside one that runs: it runs, and the left-out one is named with why.
    let _one_at_a_time = ATTACK.blocking_lock();
    let output = short_run(
        &gateway.url,
        &results,
        &["--scenarios", "staticdocumentreader,generatedroot"],
    );
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("--scenarios staticdocumentreader:"))
        .unwrap_or_else(|| panic!("no line about the selected persona: {log}"));
    assert!(
        line.contains("Static document reader does not run")
            && line.contains("POST /api/v1/documents/sessions"),
        "{line}"
    );
    assert_eq!(
        get_json(&gateway.url, "/_fixture/inventory"),
        serde_json::json!({"users": 0, "products": 0}),
        "nothing reached the mounted apps"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The row of the health table that starts with `name`.
fn row<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no {name:?} row: {out}"))
}

#[test]
fn health_passes_on_an_app_without_the_demo_gateways_routes() {
    let gateway = Gateway::own_gateway();
    // Live discovery of the app itself.
    let live = binary()
        .arg("health")
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run health");
    let out = text(&live);
    assert_eq!(live.status.code(), Some(0), "{out}");
    assert!(row(&out, "root /health ").contains("|    200 |"), "{out}");
    assert!(
        row(&out, "root openapi.json ").contains("| ok (1 path(s))"),
        "{out}"
    );
    assert!(
        row(&out, "root /gateway/status ").contains("skip (not in the gateway's API)"),
        "{out}"
    );
    assert!(out.contains("healthy: all "), "{out}");

    // From the snapshot: the demo gateway's apps are not on this one.
    let snapshot = binary()
        .arg("health")
        .env("BENCHMARK_HOST", &gateway.url)
        .output()
        .expect("run health");
    let out = text(&snapshot);
    assert_eq!(snapshot.status.code(), Some(0), "{out}");
    assert!(
        row(&out, "documents openapi.json ").contains("|    404 |")
            && row(&out, "documents openapi.json ").contains("skip (not on this gateway"),
        "{out}"
    );
    assert!(row(&out, "docman health ").contains("skip"), "{out}");

    // The demo gateway documents /gateway/status: it is checked there.
    let demo = Gateway::start();
    let output = binary()
        .arg("health")
        .env("GATEWAY_URL", &demo.url)
        .output()
        .expect("run health");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let status = row(&out, "root /gateway/status ");
    assert!(
        status.contains("| /gateway/status ") && status.contains("|    200 |"),
        "{out}"
    );
}

#[test]
fn a_suite_runs_against_an_app_without_the_demo_gateways_routes() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::own_gateway();
    let dir = temp_dir("any-suite");
    let config = dir.join("gateway-loadtest.toml");
    std::fs::write(&config, "[profiles.light]\nusers = 2\nrun_time = 3\n").unwrap();
    let results = dir.join("results");
    let output = binary()
        .args(["suite", "light", "--no-wait", "--host", &gateway.url])
        .arg("--config")
        .arg(&config)
        .arg("--results-dir")
        .arg(&results)
        .output()
        .expect("run the suite");
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    assert!(log.contains(ALL_PERSONAS_LEFT_OUT), "{log}");
    let suite = only_run_folder(&results, &log);
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(suite.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["ended"], "completed", "{index}");
    assert_eq!(index["runs"][0]["health"], "ok", "{index}");
    assert!(
        index["runs"][0]["requests"].as_u64().unwrap_or(0) > 0,
        "{index}"
    );
    assert_eq!(
        get_json(&gateway.url, "/_fixture/inventory"),
        serde_json::json!({"users": 0, "products": 0}),
        "nothing reached the mounted apps"
    );
    let _ = std::fs::remove_dir_all(dir);
}
