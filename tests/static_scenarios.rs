//! The hand-written scenarios against the real demo gateway.

use crate::common::{goose_config, run_options, temp_dir, Gateway, ATTACK};
use gateway_loadtest::scenarios;
use gateway_loadtest_runtime::run;

/// Every request name the static scenarios send, each a path template.
const STATIC_REQUESTS: [&str; 11] = [
    "GET /",
    "GET /health",
    "GET /gateway/status",
    "GET /gateway/services",
    "GET /api/v1/documents/health",
    "GET /api/v1/documents/info",
    "GET /api/v1/documents/",
    "GET /api/v1/documents/documents/{doc_id}",
    "POST /api/v1/documents/sessions",
    "POST /api/v1/documents/session/{session_id}/upload",
    "DELETE /api/v1/documents/session/{session_id}",
];

#[tokio::test(flavor = "multi_thread")]
async fn static_scenarios_succeed_and_leave_nothing_behind() {
    let _one_at_a_time = ATTACK.lock().await;
    let gateway = Gateway::start();
    let before = gateway.live_resources().await;
    let results = temp_dir("static");
    // Keep on-start requests in the metrics, so every request the scenarios make counts.
    let config = goose_config(
        &gateway.url,
        &[
            "--scenarios",
            "static*",
            "--users",
            "5",
            "--increase-rate",
            "5",
            "--run-time",
            "3s",
            "--no-reset-metrics",
        ],
    );
    let outcome = run::run(
        &gateway_loadtest::compiled(),
        &run_options(results.clone()),
        config,
        scenarios::all(false).unwrap(),
    )
    .await
    .expect("run the static scenarios");

    let requests = &outcome.metrics.requests;
    for name in STATIC_REQUESTS {
        let metric = requests
            .get(name)
            .unwrap_or_else(|| panic!("no request named {name:?}; names: {:?}", requests.keys()));
        assert!(metric.success_count > 0, "{name}: no success");
    }
    for (name, metric) in requests.iter() {
        assert_eq!(
            metric.fail_count, 0,
            "{name} failed: {:?}",
            outcome.metrics.errors
        );
        assert!(
            STATIC_REQUESTS.contains(&name.as_str()),
            "unexpected request name {name:?}: requests must be named by their path template"
        );
    }
    assert_eq!(
        gateway.live_resources().await,
        before,
        "the run left resources behind"
    );
    for file in [
        "report.json",
        "report.html",
        "report.md",
        "stats.csv",
        "failures.csv",
        "exceptions.csv",
        "grades.json",
        "summary.html",
        "discovery.json",
        "cleanup.json",
    ] {
        assert!(
            outcome.folder.join(file).is_file(),
            "the run folder has no {file}"
        );
    }
    let stats = std::fs::read_to_string(outcome.folder.join("stats.csv")).unwrap();
    assert!(
        stats.starts_with("Type,Name,Request Count,Failure Count,"),
        "Locust's header: {stats}"
    );
    assert!(stats.contains("GET,/gateway/status,"), "{stats}");
    let _ = std::fs::remove_dir_all(results);
}
