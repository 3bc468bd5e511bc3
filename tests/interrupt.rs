//! Interrupting a run: Ctrl-C (SIGINT) stops it within seconds, the users and the final
//! sweep delete what they created, and every report is still written.

use crate::common::{repo, temp_dir, Gateway, ATTACK};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigint_stops_the_run_cleans_up_and_writes_every_report() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let before = blocking_live_resources(&gateway.url);
    let results = temp_dir("interrupt");
    let child = Command::new(env!("CARGO_BIN_EXE_gateway-loadtest"))
        .args([
            "--users",
            "6",
            "--increase-rate",
            "6",
            "--run-time",
            "120s",
            "--no-telnet",
            "--no-wait",
            "-q",
        ])
        .arg("--results-dir")
        .arg(&results)
        .current_dir(repo())
        .env("GATEWAY_URL", &gateway.url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a run");
    std::thread::sleep(Duration::from_secs(4));
    let interrupted = Instant::now();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait for the run");
    let took = interrupted.elapsed();
    assert!(
        took < Duration::from_secs(40),
        "the run took {took:?} to stop after SIGINT"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}: {stderr}",
        output.status
    );

    let folders: Vec<_> = std::fs::read_dir(&results).unwrap().flatten().collect();
    assert_eq!(folders.len(), 1, "one run folder");
    let folder = folders[0].path();
    for file in [
        "report.json",
        "report.html",
        "stats.csv",
        "summary.html",
        "grades.json",
        "cleanup.json",
    ] {
        assert!(
            folder.join(file).is_file(),
            "an interrupted run still writes {file}: {stderr}"
        );
    }
    assert_eq!(
        blocking_live_resources(&gateway.url),
        before,
        "an interrupted run left resources behind: {stderr}"
    );
    let _ = std::fs::remove_dir_all(results);
}

fn blocking_live_resources(url: &str) -> serde_json::Value {
    let status: serde_json::Value = reqwest::blocking::get(format!("{url}/gateway/status"))
        .expect("GET /gateway/status")
        .json()
        .expect("JSON");
    status["live_resources"].clone()
}
