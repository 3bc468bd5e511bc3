//! The generated transactions against the real demo gateway: every operation of every
//! mounted app is reached, named by its template, answered 2xx, and leaves nothing behind.

use crate::common::{goose_config, run_options, temp_dir, Gateway, ATTACK};
use gateway_loadtest::generated::OPERATIONS;
use gateway_loadtest_runtime::run;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread")]
async fn generated_scenarios_reach_every_operation_and_clean_up() {
    let _one_at_a_time = ATTACK.lock().await;
    let gateway = Gateway::start();
    let before = gateway.live_resources().await;
    let results = temp_dir("generated");
    let options = run_options(results.clone());
    let config = goose_config(
        &gateway.url,
        &[
            "--scenarios",
            "generated*",
            "--users",
            "6",
            "--increase-rate",
            "6",
            "--run-time",
            "6s",
        ],
    );
    let scenarios =
        run::all_scenarios(&gateway_loadtest::compiled(), &options, &config).expect("scenarios");
    let outcome = run::run(&gateway_loadtest::compiled(), &options, config, scenarios)
        .await
        .expect("run the generated scenarios");

    let expected: BTreeSet<String> = OPERATIONS
        .iter()
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    assert!(
        expected.len() >= 20,
        "the demo gateway has at least 20 operations: {expected:?}"
    );
    let requests = &outcome.metrics.requests;
    for name in &expected {
        let metric = requests
            .get(name)
            .unwrap_or_else(|| panic!("{name} was never sent; sent: {:?}", requests.keys()));
        assert!(metric.success_count > 0, "{name}: no success");
    }
    let mut total = 0;
    let mut unprocessable = 0;
    let mut not_found_with_path_param = 0;
    let mut with_path_param = 0;
    for (name, metric) in requests.iter() {
        assert!(
            expected.contains(name),
            "request {name:?} is not a generated operation's template"
        );
        let count = metric.success_count + metric.fail_count;
        total += count;
        unprocessable += metric.status_code_counts.get(&422).copied().unwrap_or(0);
        if name.contains('{') {
            with_path_param += count;
            not_found_with_path_param += metric.status_code_counts.get(&404).copied().unwrap_or(0);
        }
        if name.contains("/upload") {
            assert_eq!(
                metric.fail_count, 0,
                "multipart {name}: {:?}",
                metric.status_code_counts
            );
        }
    }
    assert!(
        unprocessable * 100 < total,
        "{unprocessable} of {total} answered 422: {:?}",
        outcome.metrics.errors
    );
    assert!(
        not_found_with_path_param * 100 < with_path_param,
        "{not_found_with_path_param} of {with_path_param} path-parameter requests answered 404"
    );
    assert!(
        outcome.cleanup.left_behind.is_empty(),
        "left behind: {:?}",
        outcome.cleanup.left_behind
    );
    assert_eq!(
        gateway.live_resources().await,
        before,
        "the run left resources on the gateway"
    );
    let _ = std::fs::remove_dir_all(results);
}
