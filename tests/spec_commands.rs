//! The spec subcommands against real demo gateways: `snapshot`, `snapshot --check`,
//! `discover` and `sample`.

use crate::common::{binary, temp_dir, text, Gateway};
use std::process::Output;

fn run(args: &[&str], gateway: Option<&str>) -> Output {
    let mut command = binary();
    command.args(args);
    if let Some(url) = gateway {
        command.env("GATEWAY_URL", url);
    }
    command.output().expect("run the binary")
}

#[test]
fn snapshot_check_passes_after_snapshot_and_fails_when_the_api_changes() {
    let gateway = Gateway::start();
    let dir = temp_dir("snapshot");
    let dir_arg = dir.to_str().expect("utf-8 temp dir");
    let written = run(&["snapshot", "--dir", dir_arg], Some(&gateway.url));
    assert!(written.status.success(), "{}", text(&written));
    let first = std::fs::read(dir.join("docman.openapi.json")).expect("snapshot written");
    let again = run(&["snapshot", "--dir", dir_arg], Some(&gateway.url));
    assert!(again.status.success());
    assert_eq!(
        first,
        std::fs::read(dir.join("docman.openapi.json")).unwrap(),
        "snapshot bytes are stable"
    );
    let check = run(
        &["snapshot", "--check", "--dir", dir_arg],
        Some(&gateway.url),
    );
    assert!(check.status.success(), "{}", text(&check));
    // The committed snapshot is the demo gateway's.
    let committed = run(&["snapshot", "--check"], Some(&gateway.url));
    assert!(
        committed.status.success(),
        "generated/ is stale: {}",
        text(&committed)
    );
    drop(gateway);

    let changed = Gateway::start_with(&[("DEMO_API_VARIANT", "v2")]);
    let check = run(
        &["snapshot", "--check", "--dir", dir_arg],
        Some(&changed.url),
    );
    let out = text(&check);
    assert!(
        !check.status.success(),
        "a changed API must fail the check: {out}"
    );
    assert!(
        out.contains("GET /tickets/{ticket_id}/history added in docman"),
        "{out}"
    );
    assert!(
        out.contains("cargo run --release -- snapshot"),
        "the message names the fix: {out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn snapshot_without_a_gateway_url_says_what_to_do() {
    let output = run(&["snapshot", "--check"], None);
    assert!(!output.status.success());
    assert!(text(&output).contains("GATEWAY_URL"), "{}", text(&output));
}

#[test]
fn discover_lists_every_app_with_its_prefix_and_saves_the_result() {
    let gateway = Gateway::start();
    let results = temp_dir("discover");
    let output = run(
        &["discover", "--results-dir", results.to_str().unwrap()],
        Some(&gateway.url),
    );
    assert!(output.status.success(), "{}", text(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("discover prints JSON");
    let apps: Vec<(String, String, usize)> = report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let ops = a["operations"].as_array().map_or(0, Vec::len);
            (
                a["name"].as_str().unwrap().to_string(),
                a["prefix"].as_str().unwrap().to_string(),
                ops,
            )
        })
        .collect();
    let names: Vec<(&str, &str)> = apps
        .iter()
        .map(|(n, p, _)| (n.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("root", ""),
            ("documents", "/api/v1/documents"),
            ("docman", "/docman")
        ]
    );
    assert!(apps.iter().all(|(_, _, ops)| *ops >= 4), "{apps:?}");
    assert!(report["source"].as_str().unwrap().contains("live gateway"));
    // The inferred links are shown: POST /sessions makes the session the upload needs.
    let documents = &report["apps"][1]["operations"];
    let op = |method: &str, path: &str| {
        documents
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["method"] == method && o["path"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("{method} {path} not listed"))
    };
    assert_eq!(
        op("POST", "/api/v1/documents/sessions")["produces"]["resource"],
        "session"
    );
    let upload = op("POST", "/api/v1/documents/session/{session_id}/upload");
    assert_eq!(
        upload["needs"][0]["producer_path"],
        "/api/v1/documents/sessions"
    );
    assert_eq!(
        op("DELETE", "/api/v1/documents/session/{session_id}")["deletes"],
        "session"
    );
    let saved: Vec<_> = std::fs::read_dir(&results).unwrap().flatten().collect();
    assert_eq!(saved.len(), 1);
    assert!(saved[0]
        .file_name()
        .to_string_lossy()
        .starts_with("api_discovery_"));
    let _ = std::fs::remove_dir_all(results);
}

#[test]
fn sample_replays_the_same_requests_for_the_same_seed() {
    let draw = |seed: &str| {
        let output = run(
            &["sample", "POST /docman/tickets", "-n", "3", "--seed", seed],
            None,
        );
        assert!(output.status.success(), "{}", text(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let first = draw("5");
    assert!(
        first.starts_with("POST http://127.0.0.1:8000/docman/tickets"),
        "{first}"
    );
    assert!(first.contains("\"reporter\""), "the body is shown: {first}");
    assert_eq!(first, draw("5"));
    assert_ne!(first, draw("6"));
    let unknown = run(&["sample", "GET /nope"], None);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("discover"), "{}", text(&unknown));
}

#[test]
fn discover_shows_the_weight_the_mix_gives_each_app_and_operation() {
    let gateway = Gateway::start();
    let dir = temp_dir("discover-mix");
    let config = dir.join("mix.toml");
    std::fs::write(
        &config,
        "[mix]\nmethods = { GET = 4 }\noperations = { \"DELETE /docman/*\" = 0.5 }\napps = { docman = 3 }\n",
    )
    .unwrap();
    let output = binary()
        .args(["discover", "--results-dir", dir.to_str().unwrap()])
        .env("GATEWAY_URL", &gateway.url)
        .env("GATEWAY_LOADTEST_CONFIG", &config)
        .output()
        .expect("run discover");
    assert!(output.status.success(), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let app = |name: &str| {
        report["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(app("docman")["weight"], 3);
    assert_eq!(app("root")["weight"], 1);
    let weight = |method: &str, path: &str| {
        app("docman")["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["method"] == method && o["path"] == path)
            .map(|o| o["weight"].clone())
            .unwrap()
    };
    assert_eq!(weight("GET", "/docman/tickets"), 4.0);
    assert_eq!(weight("POST", "/docman/tickets"), 1.0);
    assert_eq!(weight("DELETE", "/docman/tickets/{ticket_id}"), 0.5);

    // A weight that is not a number of 0 or more is refused, naming the key.
    std::fs::write(&config, "[mix]\nmethods = { GET = -1 }\n").unwrap();
    let output = binary()
        .args(["discover", "--results-dir", dir.to_str().unwrap()])
        .env("GATEWAY_URL", &gateway.url)
        .env("GATEWAY_LOADTEST_CONFIG", &config)
        .output()
        .expect("run discover");
    assert!(!output.status.success());
    assert!(
        text(&output).contains("mix.methods.GET"),
        "{}",
        text(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}
