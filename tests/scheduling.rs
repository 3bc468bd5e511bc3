//! Scheduling and grades against the real demo gateway: a paced run reaches every
//! operation of an app within a few think times per user, a configured mix is met, and
//! the overall grade judges the gateway (fast and correct: good; slow or failing: poor),
//! not the rate the users' think time set.

use crate::common::{goose_config, run_options, temp_dir, Gateway, ATTACK};
use gateway_loadtest_runtime::report::coverage::Coverage;
use gateway_loadtest_runtime::report::Grade;
use gateway_loadtest_runtime::run::{self, RunOptions, RunOutcome};
use gateway_loadtest_runtime::spec::settings::MixSettings;

/// Runs the selected scenarios with `args` (Goose flags) and `options` adjusted by
/// `adjust`; returns the outcome.
async fn run_with(
    gateway: &Gateway,
    name: &str,
    args: &[&str],
    adjust: impl FnOnce(&mut RunOptions),
) -> RunOutcome {
    let mut options = run_options(temp_dir(name));
    adjust(&mut options);
    let config = goose_config(&gateway.url, args);
    let compiled = gateway_loadtest::compiled();
    let scenarios = run::all_scenarios(&compiled, &options, &config).expect("scenarios");
    run::run(&compiled, &options, config, scenarios)
        .await
        .expect("run against the demo gateway")
}

fn app<'a>(
    coverage: &'a Coverage,
    scenario: &str,
) -> &'a gateway_loadtest_runtime::report::coverage::AppCoverage {
    coverage
        .apps
        .iter()
        .find(|a| a.scenario == scenario)
        .unwrap_or_else(|| panic!("no {scenario} in {coverage:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn three_paced_users_reach_every_operation_of_an_app_in_five_seconds() {
    let _one_at_a_time = ATTACK.lock().await;
    let gateway = Gateway::start();
    // 8 operations, 3 users thinking 0.5-2 s: every user runs at least 3 transactions
    // in 5 s, so 9 cards are dealt; one pass is 8.
    let outcome = run_with(
        &gateway,
        "paced-reach",
        &[
            "--scenarios",
            "generateddocuments",
            "--users",
            "3",
            "--increase-rate",
            "3",
            "--run-time",
            "5s",
        ],
        |options| options.no_wait = false,
    )
    .await;
    let documents = app(&outcome.coverage, "Generated documents");
    assert_eq!(documents.planned, 8, "{documents:?}");
    assert_eq!(
        documents.reached, documents.planned,
        "not reached: {:?}",
        documents.not_reached
    );
    assert!(documents.needs.is_none());
    // What each user used, it had made first: no path parameter answered 404.
    for (name, metric) in &outcome.metrics.requests {
        assert_eq!(
            metric.status_code_counts.get(&404),
            None,
            "{name}: {:?}",
            metric.status_code_counts
        );
    }
    assert!(outcome.folder.join("coverage.md").is_file());
    assert!(outcome.cleanup.left_behind.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_mix_is_met_over_a_run_without_think_time() {
    let _one_at_a_time = ATTACK.lock().await;
    let gateway = Gateway::start();
    let mix = MixSettings {
        methods: [("GET".to_string(), 4.0)].into(),
        operations: [("POST /docman/ping".to_string(), 0.0)].into(),
        ..MixSettings::default()
    };
    let outcome = run_with(
        &gateway,
        "mix",
        &[
            "--scenarios",
            "generateddocman",
            "--users",
            "4",
            "--increase-rate",
            "4",
            "--run-time",
            "4s",
        ],
        |options| options.settings.mix = mix,
    )
    .await;
    let docman = app(&outcome.coverage, "Generated docman");
    assert_eq!(docman.weighed_zero, ["POST /docman/ping"]);
    assert_eq!(outcome.metrics.requests.get("POST /docman/ping"), None);
    assert_eq!(docman.reached, docman.planned, "{:?}", docman.not_reached);
    // Reads need nothing made for them but the first time: their share of the app's
    // requests is the configured one, within a point and a half.
    let mut reads = 0.0;
    for op in docman
        .operations
        .iter()
        .filter(|o| o.name.starts_with("GET "))
    {
        assert_eq!(op.weight, 4.0);
        assert!(
            (op.achieved - op.configured).abs() < 0.015,
            "{}: configured {:.3}, achieved {:.3}",
            op.name,
            op.configured,
            op.achieved
        );
        reads += op.achieved;
    }
    // 5 reads at 4, 6 writes at 1: 20 of 26 cards.
    assert!((reads - 20.0 / 26.0).abs() < 0.04, "reads {reads:.3}");
    assert!(docman.dealt > 1_000, "{} cards", docman.dealt);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fast_gateway_grades_good_and_a_slow_or_failing_one_poor() {
    let _one_at_a_time = ATTACK.lock().await;
    // The README's first run, shortened: 10 paced users against the demo. Its rate is
    // the users' (a few req/s), which must not make a fast gateway poor.
    let shape = ["--users", "10", "--increase-rate", "10", "--run-time", "5s"];
    let paced = |options: &mut RunOptions| options.no_wait = false;
    let fast = Gateway::start();
    let outcome = run_with(&fast, "grade-fast", &shape, paced).await;
    let grades = gateway_loadtest_runtime::report::grade(
        &outcome.metrics,
        &Default::default(),
        &outcome.pacing,
    );
    assert_eq!(grades.overall.grade, Grade::Good, "{}", grades.table());
    assert!(
        grades.overall.rps < 100.0,
        "a paced run: {}",
        grades.table()
    );
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outcome.folder.join("grades.json")).unwrap())
            .unwrap();
    assert_eq!(saved["overall"]["grade"], "good");
    assert_eq!(saved["pacing"]["kind"], "paced");
    drop(fast);

    let slow = Gateway::start_with(&[("DEMO_LATENCY_MS", "600")]);
    let outcome = run_with(&slow, "grade-slow", &shape, paced).await;
    let grades = gateway_loadtest_runtime::report::grade(
        &outcome.metrics,
        &Default::default(),
        &outcome.pacing,
    );
    assert_eq!(grades.overall.grade, Grade::Poor, "{}", grades.table());
    assert!(grades.overall.avg_ms > 500.0, "{}", grades.table());
    drop(slow);

    let failing = Gateway::start_with(&[("DEMO_FAIL_EVERY", "10")]);
    let outcome = run_with(&failing, "grade-failing", &shape, paced).await;
    let grades = gateway_loadtest_runtime::report::grade(
        &outcome.metrics,
        &Default::default(),
        &outcome.pacing,
    );
    assert_eq!(grades.overall.grade, Grade::Poor, "{}", grades.table());
    assert!(
        (0.08..0.12).contains(&grades.overall.failure_rate),
        "{}",
        grades.table()
    );
}
