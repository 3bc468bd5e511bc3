//! The binary's command line: errors before load, exit codes.

use std::process::Command;
use std::time::{Duration, Instant};

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gateway-loadtest"))
}

#[test]
fn an_unreachable_gateway_fails_fast_naming_the_url() {
    let results = crate::common::temp_dir("unreachable");
    let started = Instant::now();
    let output = binary()
        .args(["--users", "1", "--run-time", "5s", "--no-telnet"])
        .arg("--results-dir")
        .arg(&results)
        .env("GATEWAY_URL", "http://127.0.0.1:1")
        .output()
        .expect("run the binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "exit status {:?}", output.status);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(stderr.contains("http://127.0.0.1:1"), "stderr: {stderr}");
    assert!(
        stderr.contains("GATEWAY_URL"),
        "the error says what to do: {stderr}"
    );
}

#[test]
fn a_password_in_the_gateway_url_is_never_printed() {
    let results = crate::common::temp_dir("secret");
    let output = binary()
        .args(["--users", "1", "--run-time", "1s", "--results-dir"])
        .arg(&results)
        .env("GATEWAY_URL", "http://alice:hunter2-secret@127.0.0.1:1")
        .output()
        .expect("run the binary");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success());
    assert!(!all.contains("hunter2-secret"), "leaked: {all}");
    assert!(all.contains("127.0.0.1:1"), "{all}");
}
