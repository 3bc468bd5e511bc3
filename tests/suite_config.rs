//! The configuration file, the `suite` command and the progress line, each through the
//! real binary against a real demo gateway; the summary page drawn offline in headless
//! Chromium; and no secret in anything a run leaves behind.

use crate::common::{binary, repo, temp_dir, text, Gateway, ATTACK, RUN_FILES};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Two short custom profiles and bands a fast demo gateway earns `good` with.
const CONFIG: &str = r#"
[profiles.tiny-a]
users = 2
run_time = "3s"
description = "two users, three seconds"

[profiles.tiny-b]
users = 3
increase_rate = 3
run_time = 3

[grading.good]
min_rps = 5
max_avg_ms = 400
max_failure_rate = 0.01

[grading.acceptable]
min_rps = 1
max_avg_ms = 800
max_failure_rate = 0.05
"#;

fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("gateway-loadtest.toml");
    std::fs::write(&path, CONFIG).expect("write the config");
    path
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {path:?}: {e}"))
}

#[test]
fn a_suite_runs_each_profile_into_its_own_folder_and_indexes_their_grades() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let dir = temp_dir("suite");
    let config = write_config(&dir);
    let results = dir.join("results");
    let output = binary()
        .args(["suite", "tiny-a", "tiny-b", "--no-wait", "--config"])
        .arg(&config)
        .arg("--results-dir")
        .arg(&results)
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run the suite");
    let log = text(&output);
    assert!(output.status.success(), "{log}");

    let suites: Vec<PathBuf> = std::fs::read_dir(&results)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(suites.len(), 1, "one suite folder: {suites:?}");
    let suite = &suites[0];
    assert!(suite.to_string_lossy().ends_with("-suite"), "{suite:?}");
    let index = json(&suite.join("index.json"));
    assert_eq!(index["ended"], "completed", "{index}");
    let runs = index["runs"].as_array().unwrap();
    let profiles: Vec<&str> = runs
        .iter()
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["tiny-a", "tiny-b"]);
    for run in runs {
        assert_eq!(run["health"], "ok", "{run}");
        assert!(run["requests"].as_u64().unwrap() > 0, "{run}");
        assert_eq!(run["grade"], "good", "the configured bands grade it: {run}");
        let folder = suite.join(run["folder"].as_str().unwrap());
        for file in RUN_FILES {
            assert!(folder.join(file).is_file(), "{folder:?} lacks {file}");
        }
        // The run was graded by the configured bands, not the defaults.
        let grades = json(&folder.join("grades.json"));
        assert_eq!(grades["bands"]["good"]["max_avg_ms"], 400.0, "{grades}");
    }
    assert_eq!(
        runs[0]["description"], "two users, three seconds",
        "{index}"
    );
    let md = std::fs::read_to_string(suite.join("index.md")).unwrap();
    assert!(
        md.contains("| tiny-a | ok |") && md.contains("| tiny-b | ok |"),
        "{md}"
    );

    // The summary page draws its charts with networking off (CI installs chromium).
    render_offline(&suite.join(runs[0]["folder"].as_str().unwrap()));
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs tests/render_summary.sh; without chromium it is skipped, unless
/// GATEWAY_LOADTEST_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
fn render_offline(folder: &Path) {
    let has_chromium = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .any(|name| {
            Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if !has_chromium {
        assert!(
            std::env::var("GATEWAY_LOADTEST_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "chromium is required here (apt-get install chromium)"
        );
        eprintln!("skipped: the summary.html screenshot needs chromium");
        return;
    }
    let png = folder.join("summary.png");
    let output = Command::new("bash")
        .arg(repo().join("tests/render_summary.sh"))
        .arg(folder)
        .arg(&png)
        .arg("4")
        .output()
        .expect("run tests/render_summary.sh");
    assert!(output.status.success(), "{}", text(&output));
    assert!(png.is_file());
}

#[test]
fn an_unknown_profile_or_config_key_is_an_error_before_any_load() {
    let dir = temp_dir("config-errors");
    let config = write_config(&dir);
    let results = dir.join("results");
    // The gateway's port is closed: an error about it would mean the profile came second.
    let output = binary()
        .args(["--profile", "tiny-c", "--config"])
        .arg(&config)
        .arg("--results-dir")
        .arg(&results)
        .args(["--host", "http://127.0.0.1:1"])
        .output()
        .expect("run");
    let log = text(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        log.contains("\"tiny-c\"") && log.contains("tiny-a") && log.contains("heavy"),
        "{log}"
    );
    assert!(
        !results.exists(),
        "no run folder for a run that never started"
    );

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[profiles.x]\nusers = 2\nrun_time = 3\nspeed = 9\n").unwrap();
    let output = binary()
        .args(["--profile", "x", "--config"])
        .arg(&bad)
        .output()
        .expect("run");
    let log = text(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(log.contains("speed") && log.contains("bad.toml"), "{log}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_suite_stops_at_a_failed_health_check_and_says_so_in_its_index() {
    let dir = temp_dir("suite-unhealthy");
    let config = write_config(&dir);
    let results = dir.join("results");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let started = Instant::now();
    let output = binary()
        .args([
            "suite",
            "tiny-a",
            "tiny-b",
            "--health-timeout",
            "2",
            "--config",
        ])
        .arg(&config)
        .arg("--results-dir")
        .arg(&results)
        .args(["--host", &format!("http://127.0.0.1:{port}")])
        .output()
        .expect("run the suite");
    let log = text(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(started.elapsed() < Duration::from_secs(20), "{log}");
    let suite = std::fs::read_dir(&results)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let index = json(&suite.join("index.json"));
    assert_eq!(index["ended"], "unhealthy", "{index}");
    assert!(
        index["runs"][0]["health"]
            .as_str()
            .unwrap()
            .starts_with("failed"),
        "{index}"
    );
    assert_eq!(index["runs"][1]["grade"], "not run", "{index}");
    let folders = std::fs::read_dir(&suite)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .count();
    assert_eq!(folders, 0, "no run folder when no run started");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_progress_line_shows_on_a_terminal_only() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let dir = temp_dir("progress");
    let exe = env!("CARGO_BIN_EXE_gateway-loadtest");
    let args = format!(
        "{exe} --scenarios 'static*' --users 2 --increase-rate 2 --run-time 4s --no-telnet --no-websocket --no-wait --results-dir {}",
        dir.join("results").display()
    );
    // `script` gives the run a pseudo-terminal, as a person's shell would.
    let on_terminal = Command::new("script")
        .args(["-qec", &args, "/dev/null"])
        .current_dir(repo())
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run under script (util-linux)");
    let log = text(&on_terminal);
    assert!(on_terminal.status.success(), "{log}");
    assert!(
        log.contains("/ 00:04 (") && log.contains("left) | users 2 |") && log.contains(" req/s |"),
        "the progress line shows elapsed/planned time, users and rate: {log}"
    );
    let piped = binary()
        .args([
            "--scenarios",
            "static*",
            "--users",
            "2",
            "--increase-rate",
            "2",
            "--run-time",
            "3s",
        ])
        .args([
            "--no-telnet",
            "--no-websocket",
            "--no-wait",
            "--results-dir",
        ])
        .arg(dir.join("results"))
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run");
    let log = text(&piped);
    assert!(piped.status.success(), "{log}");
    assert!(
        !log.contains("left) | users"),
        "no progress line into a pipe: {log}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_secret_appears_in_any_output_or_file_of_a_run() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let dir = temp_dir("secrets");
    let secrets = ["tok-3f9a7c1e", "hdr-8b2d4e6f", "pw-5c7e9a1b"];
    let url = gateway
        .url
        .replacen("http://", &format!("http://loadtester:{}@", secrets[2]), 1);
    let env = |command: &mut Command| {
        command
            .env("GATEWAY_URL", &url)
            .env("GATEWAY_TOKEN", secrets[0])
            .env("GATEWAY_HEADERS", format!("X-Api-Key: {}", secrets[1]));
    };
    let mut outputs = Vec::new();
    let mut run = binary();
    run.args([
        "--users",
        "4",
        "--increase-rate",
        "4",
        "--run-time",
        "4s",
        "--no-telnet",
    ])
    .args(["--no-websocket", "--no-wait", "--results-dir"])
    .arg(dir.join("results"))
    .args(["--goose-log"])
    .arg(dir.join("goose.log"));
    env(&mut run);
    let output = run.output().expect("run");
    assert!(output.status.success(), "{}", text(&output));
    outputs.push(("the run's output", text(&output)));
    for args in [
        vec!["discover", "--results-dir"],
        vec!["health"],
        vec!["sample", "POST /docman/tickets", "-n", "2"],
        vec!["generated"],
    ] {
        let mut command = binary();
        command.args(&args);
        if args[0] == "discover" {
            command.arg(dir.join("results"));
        }
        env(&mut command);
        let output = command.output().expect("run a subcommand");
        outputs.push((args[0], text(&output)));
    }
    for (what, out) in &outputs {
        for secret in secrets {
            assert!(!out.contains(secret), "{what} shows a secret: {out}");
        }
    }
    let mut files = Vec::new();
    collect_files(&dir, &mut files);
    assert!(files.len() > RUN_FILES.len(), "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        for secret in secrets {
            assert!(!content.contains(secret), "{file:?} holds a secret");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        match path.is_dir() {
            true => collect_files(&path, out),
            false => out.push(path),
        }
    }
}
