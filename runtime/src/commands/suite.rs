//! `suite`: runs several profiles one after another (light, medium, heavy by default),
//! each into its own folder inside one suite folder, with a health check before each,
//! and writes an index of the runs and their grades (`index.md`, `index.json`).

use crate::profile::Profile;
use crate::run::{self, RunOptions};
use crate::{report, results, target, Compiled};
use goose::config::GooseConfiguration;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The profiles a suite runs when none are named.
pub const DEFAULT_PROFILES: [&str; 3] = ["light", "medium", "heavy"];

/// How the suite ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ended {
    /// Every profile ran.
    Completed,
    /// A health check failed; the profiles after it did not run.
    Unhealthy,
    /// Ctrl-C or SIGTERM stopped a run; the profiles after it did not run.
    Interrupted,
}

/// One row of the index.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub profile: String,
    pub description: String,
    /// The run's folder, relative to the suite folder; empty when it did not run.
    pub folder: String,
    pub health: String,
    pub requests: usize,
    pub failures: usize,
    pub rps: f64,
    pub avg_ms: f64,
    /// good, acceptable or poor; `not run` when it did not run.
    pub grade: String,
    pub thresholds_failed: bool,
}

/// The suite's index, also saved as `index.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    pub gateway: String,
    pub ended: Ended,
    pub runs: Vec<Entry>,
}

/// The outcome of [`run`].
pub struct SuiteOutcome {
    pub folder: PathBuf,
    pub index: Index,
}

/// Runs `profiles` in order against the gateway (`--host`, `GATEWAY_URL`, the profile's
/// host, `BENCHMARK_HOST`), each after a health check bounded by `health_timeout`.
/// Every profile name is checked before any load starts.
pub async fn run(
    compiled: &Compiled,
    profiles: &[String],
    options: &RunOptions,
    host: Option<&str>,
    health_timeout: Duration,
) -> Result<SuiteOutcome, super::CommandError> {
    let resolved = profiles
        .iter()
        .map(|name| Profile::resolve(name, &options.settings))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| super::CommandError::Usage(e.to_string()))?;
    let folder = results::create_run_folder(&options.results_dir, "suite")
        .map_err(|e| super::CommandError::Usage(e.to_string()))?;
    let mut index = Index {
        gateway: String::new(),
        ended: Ended::Completed,
        runs: Vec::new(),
    };
    for profile in &resolved {
        let gateway = target::resolve_host_or(host, profile.host.as_deref());
        index.gateway = crate::spec::gateway_url::redact(&gateway);
        let mut entry = Entry::not_run(profile);
        if index.ended != Ended::Completed {
            index.runs.push(entry);
            continue;
        }
        eprintln!(
            "gateway-loadtest: suite: health check before {}",
            profile.name
        );
        let checked = {
            let gateway = gateway.clone();
            tokio::task::spawn_blocking(move || super::health::run(&gateway, health_timeout))
                .await
                .unwrap_or_else(|e| Err(super::CommandError::Usage(format!("run health: {e}"))))
        };
        match checked {
            Ok(true) => entry.health = "ok".to_string(),
            Ok(false) => {
                entry.health = "failed".to_string();
                index.ended = Ended::Unhealthy;
            }
            Err(e) => {
                entry.health = format!("failed: {e}");
                index.ended = Ended::Unhealthy;
            }
        }
        if index.ended != Ended::Completed {
            index.runs.push(entry);
            continue;
        }
        let mut run_options = options.clone();
        run_options.profile = Some(profile.name.clone());
        run_options.results_dir = folder.clone();
        let config = suite_config(&gateway)?;
        crate::logging::install(&config);
        let scenarios = run::all_scenarios(compiled, &run_options, &config)
            .map_err(|e| super::CommandError::Usage(format!("register the scenarios: {e}")))?;
        let outcome = run::run(compiled, &run_options, config, scenarios)
            .await
            .map_err(|e| super::CommandError::Usage(e.to_string()))?;
        let grades = report::grade(&outcome.metrics, &options.settings.grading, &outcome.pacing);
        entry.folder = relative(&outcome.folder, &folder);
        entry.requests = grades.overall.requests;
        entry.failures = grades.overall.failures;
        entry.rps = grades.overall.rps;
        entry.avg_ms = grades.overall.avg_ms;
        entry.grade = grades.overall.grade.to_string();
        entry.thresholds_failed = outcome.thresholds_failed;
        index.runs.push(entry);
        if outcome.interrupted {
            index.ended = Ended::Interrupted;
        }
    }
    write_index(&folder, &index)?;
    Ok(SuiteOutcome { folder, index })
}

/// A suite's runs: no controllers (each run would rebind their ports), quiet Goose.
fn suite_config(host: &str) -> Result<GooseConfiguration, super::CommandError> {
    GooseConfiguration::parse_args_default(&["--host", host, "--no-telnet", "--no-websocket", "-q"])
        .map_err(|e| super::CommandError::Usage(format!("configure the suite's runs: {e}")))
}

impl Entry {
    fn not_run(profile: &Profile) -> Entry {
        Entry {
            profile: profile.name.clone(),
            description: profile.description.clone(),
            folder: String::new(),
            health: "not checked".to_string(),
            requests: 0,
            failures: 0,
            rps: 0.0,
            avg_ms: 0.0,
            grade: "not run".to_string(),
            thresholds_failed: false,
        }
    }
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `index.json` and `index.md` in the suite folder.
fn write_index(folder: &Path, index: &Index) -> Result<(), super::CommandError> {
    let write = |name: &str, bytes: &[u8]| {
        let path = folder.join(name);
        std::fs::write(&path, bytes).map_err(|source| super::CommandError::Write {
            path: path.display().to_string(),
            source,
        })
    };
    let json = serde_json::to_vec_pretty(index).unwrap_or_default();
    write("index.json", &json)?;
    write("index.md", index_markdown(index).as_bytes())
}

/// The index as a Markdown table, also printed at the end of the suite.
pub fn index_markdown(index: &Index) -> String {
    let mut md = format!(
        "# gateway-loadtest suite\n\nGateway: {}. Ended: {}.\n\n",
        index.gateway,
        serde_json::to_value(index.ended)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    md.push_str(
        "| profile | health | requests | failures | req/s | avg ms | grade | folder |\n\
         |---|---|---:|---:|---:|---:|---|---|\n",
    );
    for run in &index.runs {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.1} | {:.1} | {}{} | {} |",
            run.profile,
            run.health.replace('|', "/"),
            run.requests,
            run.failures,
            run.rps,
            run.avg_ms,
            run.grade,
            if run.thresholds_failed {
                " (threshold failed)"
            } else {
                ""
            },
            run.folder
        );
    }
    md
}
