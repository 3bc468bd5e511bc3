//! Test helpers: start the demo gateway on a free port, read its status, build Goose
//! configurations, and run one attack at a time (Goose keeps process-wide state).

use gateway_loadtest::run::RunOptions;
use goose::config::GooseConfiguration;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

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
        let mut child = Command::new("bash")
            .arg(repo().join("demo-gateway/serve.sh"))
            .arg("0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn demo-gateway/serve.sh");
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
