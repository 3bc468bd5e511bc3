//! Interrupting a run: Ctrl-C (SIGINT) or SIGTERM (what `kill`, systemd, Docker and CI
//! runners send) stops it within seconds, the users and the final sweep delete what
//! they created, and every report is still written.

use crate::common::{
    assert_every_report, binary, only_run_folder, temp_dir, Gateway, Running, ATTACK,
};
use std::time::Duration;

/// The exit code of an interrupted run, the same for both signals.
const INTERRUPTED_EXIT_CODE: i32 = gateway_loadtest_runtime::run::EXIT_INTERRUPTED as i32;

#[test]
fn sigint_stops_the_run_cleans_up_and_writes_every_report() {
    interrupt_a_run("INT");
}

#[test]
fn sigterm_stops_the_run_cleans_up_and_writes_every_report() {
    interrupt_a_run("TERM");
}

/// Starts a 120 s run of every scenario, sends `signal` after 4 s, and checks the run
/// stops soon, exits as an interrupted run, writes every report and leaves nothing
/// behind on the gateway.
fn interrupt_a_run(signal: &str) {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let before = blocking_live_resources(&gateway.url);
    let dir = temp_dir(&format!("interrupt-{signal}"));
    let results = dir.join("results");
    let mut command = binary();
    command
        .args(["--users", "6", "--increase-rate", "6", "--run-time", "120s"])
        .args(["--no-telnet", "--no-wait", "-q"])
        .arg("--results-dir")
        .arg(&results)
        .env("GATEWAY_URL", &gateway.url);
    let mut run = Running::start(&mut command, dir.join("run.log"));
    let interrupt_at = Duration::from_secs(4);
    run.wait_until(interrupt_at);
    run.signal(signal);
    // Bounded: a run that ignores the signal is killed at 60 s and the test fails.
    let finished = run.finish(interrupt_at + Duration::from_secs(60));
    let log = &finished.excerpt();
    let took = finished.took - interrupt_at;
    eprintln!("SIG{signal}: the run stopped {took:?} after the signal");
    assert!(
        took < Duration::from_secs(40),
        "the run took {took:?} to stop after SIG{signal}: {log}"
    );
    assert_eq!(
        finished.status.code(),
        Some(INTERRUPTED_EXIT_CODE),
        "exit after SIG{signal}: {}: {log}",
        finished.status
    );
    let folder = only_run_folder(&results, log);
    assert_every_report(&folder, log);
    assert_eq!(
        blocking_live_resources(&gateway.url),
        before,
        "a run stopped by SIG{signal} left resources behind: {log}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn blocking_live_resources(url: &str) -> serde_json::Value {
    let status: serde_json::Value = reqwest::blocking::get(format!("{url}/gateway/status"))
        .expect("GET /gateway/status")
        .json()
        .expect("JSON");
    status["live_resources"].clone()
}
