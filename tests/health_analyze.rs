//! `health` and `analyze` through the binary: against real demo gateways, a closed port,
//! and real short Goose runs.

use crate::common::{binary, temp_dir, text, Gateway, ATTACK};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

#[test]
fn health_passes_against_the_demo_gateway_live_and_from_the_snapshot() {
    let gateway = Gateway::start();
    let secret = "health-token-never-printed";
    // Live discovery (GATEWAY_URL), with a token that must not be printed.
    let live = binary()
        .arg("health")
        .env("GATEWAY_URL", &gateway.url)
        .env("GATEWAY_TOKEN", secret)
        .output()
        .expect("run health");
    let out = text(&live);
    assert!(live.status.success(), "{out}");
    for row in [
        "root /health ",
        "root /gateway/status ",
        "root openapi.json ",
        "documents openapi.json ",
        "documents health ",
        "docman openapi.json ",
        "docman health ",
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no {row:?} row: {out}"));
        assert!(line.contains("| ok") || line.contains("| skip"), "{line}");
    }
    assert!(out.contains("| /docman/health "), "{out}");
    assert!(out.contains("from the live gateway"), "{out}");
    assert!(out.contains("healthy: all 9 checks passed"), "{out}");
    assert!(!out.contains(secret), "leaked the token: {out}");

    // Without GATEWAY_URL the apps come from generated/; the host from BENCHMARK_HOST.
    let snapshot = binary()
        .arg("health")
        .env("BENCHMARK_HOST", &gateway.url)
        .output()
        .expect("run health");
    let out = text(&snapshot);
    assert!(snapshot.status.success(), "{out}");
    assert!(out.contains("from the snapshot in generated/"), "{out}");
    assert!(out.contains("docman health "), "{out}");
}

#[test]
fn health_against_a_closed_port_fails_fast_in_one_line_naming_the_url() {
    // Bind then drop a listener: the port is then (almost surely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port");
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let output = binary()
        .arg("health")
        .env("GATEWAY_URL", &url)
        .output()
        .expect("run health");
    let elapsed = started.elapsed();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    assert_eq!(out.trim_end().lines().count(), 1, "one line: {out}");
    assert!(
        out.starts_with("error: failed to reach the gateway at "),
        "{out}"
    );
    assert!(out.contains(&url), "{out}");
    assert!(out.contains("GATEWAY_URL"), "says what to do: {out}");
}

/// A short real run of the static scenarios against `url`; its run folder.
fn short_run(url: &str, results: &Path) -> PathBuf {
    let output = binary()
        .args([
            "--users",
            "4",
            "--increase-rate",
            "4",
            "--run-time",
            "4s",
            "--no-telnet",
            "--no-websocket",
            "--no-wait",
            "--quiet",
            "--scenarios",
            "static*",
            "--results-dir",
        ])
        .arg(results)
        .env("GATEWAY_URL", url)
        .output()
        .expect("run a load test");
    assert!(output.status.success(), "{}", text(&output));
    let folders: Vec<PathBuf> = std::fs::read_dir(results)
        .expect("the results folder")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    assert_eq!(folders.len(), 1, "one run folder: {folders:?}");
    assert!(folders[0].join("report.json").is_file());
    folders[0].clone()
}

fn analyze(run: &Path, baseline: &Path) -> Output {
    binary()
        .arg("analyze")
        .arg(run)
        .arg("--baseline")
        .arg(baseline)
        // The regression is +40 ms; a wider floor than the default 10 ms keeps scheduling
        // noise on a busy CI machine from failing the two normal runs.
        .args(["--min-regression-ms", "25"])
        .output()
        .expect("run analyze")
}

#[test]
fn analyze_passes_two_normal_runs_and_fails_a_slower_one() {
    // Goose runs one at a time, in this process or not (a plain test: no runtime here).
    let _one_at_a_time = ATTACK.blocking_lock();
    let results = temp_dir("analyze");
    let gateway = Gateway::start();
    let first = short_run(&gateway.url, &results.join("first"));
    let second = short_run(&gateway.url, &results.join("second"));
    drop(gateway);
    let slow_gateway = Gateway::start_with(&[("DEMO_LATENCY_MS", "40")]);
    let slow = short_run(&slow_gateway.url, &results.join("slow"));
    drop(slow_gateway);

    let same = analyze(&second, &first);
    let out = text(&same);
    assert_eq!(same.status.code(), Some(0), "{out}");
    assert!(out.contains("overall: "), "grades: {out}");
    assert!(out.contains("GET /health "), "{out}");
    assert!(
        out.contains("| baseline |") && out.contains("| change   |"),
        "deltas: {out}"
    );
    assert!(out.contains("comparison: no regression"), "{out}");

    // RUN may be the report file as well as the folder.
    let slower = analyze(&slow.join("report.json"), &first);
    let out = text(&slower);
    assert_eq!(slower.status.code(), Some(4), "{out}");
    let regressed = out
        .lines()
        .find(|l| l.contains("REGRESSED: p95 +"))
        .unwrap_or_else(|| panic!("no regressed endpoint: {out}"));
    assert!(
        ["GET /", "POST /", "DELETE /"]
            .iter()
            .any(|m| regressed.starts_with(m)),
        "the line names the endpoint: {regressed}"
    );
    assert!(out.contains("comparison: REGRESSION in "), "{out}");
    let _ = std::fs::remove_dir_all(results);
}
