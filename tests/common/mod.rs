//! Test helpers: start the demo gateway on a free port, read its status, build Goose
//! configurations, and run one attack at a time (Goose keeps process-wide state); run
//! the binary with a time limit and read back the run folder it wrote.

use gateway_loadtest_runtime::run::RunOptions;
use goose::config::GooseConfiguration;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A demo gateway served by uvicorn on 127.0.0.1 and an ephemeral port; killed on drop.
pub struct Gateway {
    child: Child,
    pub url: String,
}

impl Gateway {
    /// Starts `demo-gateway/serve.sh 0` (which creates its venv when missing).
    pub fn start() -> Gateway {
        Gateway::start_with(&[])
    }

    /// Starts it with extra environment variables, e.g. `DEMO_LATENCY_MS`.
    pub fn start_with(env: &[(&str, &str)]) -> Gateway {
        Gateway::serve("demo-gateway/serve.sh", &[], env)
    }

    /// Starts the realistic fixture (`tests/realistic/`: name-keyed resources, RPC-style
    /// routes, opaque ids, unique fields, OAuth2 password login) with `args` for its
    /// serve.py (e.g. `--root-path /api`) and environment (e.g. `REALISTIC_AUTH=0`).
    pub fn realistic(args: &[&str], env: &[(&str, &str)]) -> Gateway {
        Gateway::serve("tests/realistic/serve.sh", args, env)
    }

    /// Starts a newcomer's own gateway (`tests/own_gateway/`): a root with `/health`
    /// only, and `/users` and `/catalog` mounted but listed nowhere.
    pub fn own_gateway() -> Gateway {
        Gateway::serve("tests/own_gateway/serve.sh", &[], &[])
    }

    /// `GET path` on the gateway as JSON (a fixture's out-of-band routes, e.g.
    /// `/_fixture/inventory`).
    #[allow(dead_code)] // until the tests against the fixtures land
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        reqwest::get(format!("{}{path}", self.url))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {path} is not JSON: {e}"))
    }

    /// Runs `script 0 args...` (a serve.sh that prints `listening on URL` first).
    fn serve(script: &str, args: &[&str], env: &[(&str, &str)]) -> Gateway {
        let mut child = Command::new("bash")
            .arg(repo().join(script))
            .arg("0")
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {script}: {e}"));
        let stdout = child.stdout.take().expect("serve.sh stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        // The first start may create the venv and install packages.
        let line = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("demo gateway printed no 'listening on' line within 300 s");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from serve.sh: {line:?}"))
            .to_string();
        Gateway { child, url }
    }

    /// `GET /gateway/status` as JSON.
    pub async fn status(&self) -> serde_json::Value {
        reqwest::get(format!("{}/gateway/status", self.url))
            .await
            .expect("GET /gateway/status")
            .json()
            .await
            .expect("status is JSON")
    }

    /// `live_resources` of `/gateway/status`.
    pub async fn live_resources(&self) -> serde_json::Value {
        self.status().await["live_resources"].clone()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Goose options for a short, quiet test run with no controllers, plus `args`.
pub fn goose_config(host: &str, args: &[&str]) -> GooseConfiguration {
    let mut all = vec!["--host", host, "--no-telnet", "--quiet"];
    all.extend_from_slice(args);
    GooseConfiguration::parse_args_default(&all).expect("valid Goose options")
}

/// Our options for a test run: results in the given folder, no think time, a fixed seed.
pub fn run_options(results_dir: PathBuf) -> RunOptions {
    RunOptions {
        profile: None,
        seed: Some(7),
        results_dir,
        no_wait: true,
        upload_bytes: None,
        connect_timeout: 5,
        no_warmup: false,
        settings: Default::default(),
    }
}

/// A fresh, empty temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("glt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Goose keeps process-wide state (its kill switch, its logger): one attack at a time.
pub static ATTACK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The binary, run from the repository (for `generated/` and the config file), with no
/// gateway or secret in its environment unless a test sets one.
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gateway-loadtest"));
    command
        .current_dir(repo())
        .env_remove("GATEWAY_URL")
        .env_remove("BENCHMARK_HOST")
        .env_remove("GATEWAY_OFFLINE")
        .env_remove("GATEWAY_TOKEN")
        .env_remove("GATEWAY_HEADERS");
    command
}

/// Everything a run of the binary printed, stdout then stderr.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

impl Gateway {
    /// Kills the gateway now, as a crash would (its port then refuses connections).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file a finished (or interrupted) run writes into its run folder.
pub const RUN_FILES: [&str; 12] = [
    "report.html",
    "report.json",
    "report.md",
    "stats.csv",
    "failures.csv",
    "exceptions.csv",
    "summary.html",
    "grades.json",
    "discovery.json",
    "cleanup.json",
    "validity.md",
    "validity.json",
];

/// A run of the binary whose output goes to a log file (a full pipe cannot stall it),
/// whose peak memory is sampled while it runs, and which is killed if the test ends
/// first.
pub struct Running {
    child: Child,
    started: Instant,
    log: PathBuf,
    peak_rss_kib: u64,
}

/// How a run of the binary ended.
pub struct Finished {
    pub status: ExitStatus,
    /// From start to exit.
    pub took: Duration,
    /// Everything it printed, stdout and stderr together (search it; show
    /// [`Finished::excerpt`]).
    pub log: String,
    /// The highest resident set size seen (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
}

impl Running {
    /// Starts `command`, its stdout and stderr both going to `log`.
    pub fn start(command: &mut Command, log: PathBuf) -> Running {
        let file = std::fs::File::create(&log).expect("create the run's log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("clone the log file"))
            .stderr(file)
            .spawn()
            .expect("start the binary");
        Running {
            child,
            started: Instant::now(),
            log,
            peak_rss_kib: 0,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`INT`, `TERM`, ...) to the run.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} {}", self.pid());
    }

    /// Waits until `at` after the start, sampling memory; panics if the run exits first.
    pub fn wait_until(&mut self, at: Duration) {
        while self.started.elapsed() < at {
            if let Some(status) = self.child.try_wait().expect("poll the run") {
                panic!(
                    "the run exited early ({status}) after {:?}:\n{}",
                    self.started.elapsed(),
                    excerpt(&self.log_text())
                );
            }
            self.sample_memory();
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the run to exit; kills it and panics when `limit` after the start passes.
    pub fn finish(mut self, limit: Duration) -> Finished {
        loop {
            self.sample_memory();
            if let Some(status) = self.child.try_wait().expect("poll the run") {
                return Finished {
                    status,
                    took: self.started.elapsed(),
                    log: self.log_text(),
                    peak_rss_kib: self.peak_rss_kib,
                };
            }
            if self.started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "the run was still going after {limit:?}; killed it:\n{}",
                    excerpt(&self.log_text())
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `VmHWM` (peak resident set size) from /proc, kept as the highest seen.
    fn sample_memory(&mut self) {
        let path = format!("/proc/{}/status", self.pid());
        let Ok(status) = std::fs::read_to_string(path) else {
            return;
        };
        let peak = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok());
        if let Some(peak) = peak {
            self.peak_rss_kib = self.peak_rss_kib.max(peak);
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Finished {
    /// The start and the end of the log, for assertion messages: a run whose every
    /// request fails can print a line per request.
    pub fn excerpt(&self) -> String {
        excerpt(&self.log)
    }
}

/// The first 10 and the last 30 lines of `log`.
pub fn excerpt(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    if lines.len() <= 40 {
        return log.to_string();
    }
    format!(
        "{}\n[... {} lines ...]\n{}",
        lines[..10].join("\n"),
        lines.len() - 40,
        lines[lines.len() - 30..].join("\n")
    )
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one run folder a run made in `results`.
pub fn only_run_folder(results: &Path, log: &str) -> PathBuf {
    let folders: Vec<PathBuf> = std::fs::read_dir(results)
        .map(|dir| dir.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    assert_eq!(folders.len(), 1, "one run folder in {results:?}: {log}");
    folders.into_iter().next().unwrap()
}

/// Asserts the run folder holds every file of [`RUN_FILES`].
pub fn assert_every_report(folder: &Path, log: &str) {
    for file in RUN_FILES {
        assert!(
            folder.join(file).is_file(),
            "the run folder {folder:?} has no {file}: {log}"
        );
    }
}

/// One row of `failures.csv`.
#[derive(Debug, Clone)]
pub struct FailureRow {
    pub method: String,
    pub name: String,
    pub error: String,
    pub occurrences: u64,
}

/// The rows of the run folder's `failures.csv`.
pub fn failures_csv(folder: &Path) -> Vec<FailureRow> {
    let mut reader = csv::Reader::from_path(folder.join("failures.csv")).expect("failures.csv");
    reader
        .records()
        .map(|record| {
            let record = record.expect("a failures.csv row");
            FailureRow {
                method: record[0].to_string(),
                name: record[1].to_string(),
                error: record[2].to_string(),
                occurrences: record[3].parse().expect("Occurrences is a count"),
            }
        })
        .collect()
}

/// The run folder's Goose JSON report.
pub fn report_json(folder: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(folder.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// `(successes, failures)` of the request `key` (`GET /health`) in a Goose JSON report.
pub fn request_counts(report: &serde_json::Value, key: &str) -> (u64, u64) {
    let request = &report["raw_metrics"]["requests"][key];
    (
        request["success_count"].as_u64().unwrap_or(0),
        request["fail_count"].as_u64().unwrap_or(0),
    )
}

/// `(error, occurrences)` of each error a Goose JSON report holds for the request `name`.
pub fn report_errors(report: &serde_json::Value, name: &str) -> Vec<(String, u64)> {
    report["raw_metrics"]["errors"]
        .as_object()
        .map(|errors| {
            errors
                .values()
                .filter(|error| error["name"] == name)
                .map(|error| {
                    (
                        error["error"].as_str().unwrap_or_default().to_string(),
                        error["occurrences"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
