//! `merge RUN... [--results-dir DIR]`: joins the run folders of a sharded run into one
//! ordinary run folder (Goose's report.json/html/md rendered by Goose from the merged
//! report, the Locust CSVs, grades and summary.html, cleanup.json, and `shards.json`
//! with each shard's start and the start skew), which `analyze`, `--baseline` and `suite`
//! read like any other run.

use crate::merge::{self, MergeError, ShardRun};
use crate::report::{self, Bands, RunContext};
use std::path::{Path, PathBuf};

/// What a merge wrote and found.
#[derive(Debug)]
pub struct Outcome {
    pub folder: PathBuf,
    pub start_skew_ms: u64,
    pub thresholds_failed: bool,
    pub requests: usize,
    pub left_behind: usize,
    pub grades: report::Grades,
}

/// Why a merge failed; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum MergeCommandError {
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Results(#[from] crate::results::ResultsError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error(transparent)]
    Collect(#[from] crate::commands::collect::CollectError),
    #[error("render the merged Goose reports in {folder}: {detail}")]
    Render { folder: String, detail: String },
}

/// Reads, checks and merges the shards in `runs` into a new folder under `results_dir`.
pub async fn run(
    runs: &[PathBuf],
    results_dir: &Path,
    rules: Option<&[String]>,
    bands: &Bands,
) -> Result<Outcome, MergeCommandError> {
    // A log file (kubectl logs of every pod) holds shard folders between markers.
    let mut folders = Vec::new();
    for run in runs {
        match run.is_file() {
            true => {
                let into = crate::results::create_run_folder(results_dir, "collected")?;
                folders.extend(crate::commands::collect::extract(run, &into)?);
            }
            false => folders.push(run.clone()),
        }
    }
    let mut shards: Vec<ShardRun> = merge::load_all(&folders)?;
    merge::check(&mut shards)?;
    let merged = merge::merge(&shards, rules)?;
    let first = &shards[0].record;
    let label = match first.profile.is_empty() {
        true => format!("{}shards", first.shards),
        false => format!("{}-{}shards", first.profile, first.shards),
    };
    let folder = crate::results::create_run_folder(results_dir, &label)?;
    let write = |name: &str, value: &serde_json::Value| -> Result<(), MergeCommandError> {
        report::write_json(&folder.join(name), value).map_err(Into::into)
    };
    let seed_path = folder.join("report.merged-seed.json");
    write("report.merged-seed.json", &merged.report)?;
    render(&seed_path, &folder).await?;
    let _ = std::fs::remove_file(&seed_path);
    write("cleanup.json", &merged.cleanup)?;
    let records: Vec<_> = shards.iter().map(|s| &s.record).collect();
    let folders: Vec<String> = shards
        .iter()
        .map(|s| s.folder.display().to_string())
        .collect();
    write(
        "shards.json",
        &serde_json::json!({
            "start_skew_ms": merged.start_skew_ms,
            "shards": records,
            "folders": folders,
        }),
    )?;
    if let Ok(plan) = std::fs::read(shards[0].folder.join("discovery.json")) {
        let _ = std::fs::write(folder.join("discovery.json"), plan);
    }
    let left_behind = merged.cleanup["left_behind"].as_array().map_or(0, Vec::len);
    let deleted = merged.cleanup["deleted"].as_u64().unwrap_or(0);
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut facts = vec![
        ("Profile".to_string(), first.profile.clone()),
        ("Gateway".to_string(), first.gateway.clone()),
    ];
    if let Some(seed) = first.seed {
        facts.push(("Seed".to_string(), seed.to_string()));
    }
    facts.push((
        "Shards".to_string(),
        format!(
            "{} processes merged exactly; start skew {} ms",
            first.shards, merged.start_skew_ms
        ),
    ));
    facts.push((
        "Cleanup".to_string(),
        format!("{deleted} swept, {left_behind} left behind"),
    ));
    let validity = merged_validity(&shards);
    if let Some(validity) = &validity {
        report::validity::write(&folder, validity, &folder_name)?;
    }
    let context = RunContext {
        title: format!("gateway-loadtest: {folder_name}"),
        facts,
        goose_json: Some(folder.join("report.json")),
        answers: Vec::new(),
        validity,
        // Every shard ran the same scenarios: the first one's grades say how they were
        // paced, and the merged transactions say whether the gateway kept up.
        pacing: std::fs::read(shards[0].folder.join(report::GRADES_FILE))
            .ok()
            .and_then(|text| serde_json::from_slice::<report::Grades>(&text).ok())
            .map(|grades| grades.pacing)
            .unwrap_or_default(),
    };
    let reports = report::write_run_reports(&folder, &merged.metrics, bands, &context)?;
    let requests = merged
        .metrics
        .requests
        .values()
        .map(|r| r.success_count + r.fail_count)
        .sum();
    Ok(Outcome {
        folder,
        start_skew_ms: merged.start_skew_ms,
        thresholds_failed: merged.thresholds_failed,
        requests,
        left_behind,
        grades: reports.grades,
    })
}

/// The shards' `validity.json` as one run's, when every shard wrote one.
fn merged_validity(shards: &[ShardRun]) -> Option<report::validity::Validity> {
    let parts: Option<Vec<report::validity::Validity>> = shards
        .iter()
        .map(|shard| {
            let path = shard.folder.join(report::validity::JSON_FILE);
            let text = std::fs::read(path).ok()?;
            serde_json::from_slice(&text).ok()
        })
        .collect();
    parts.map(|parts| report::validity::Validity::merge(&parts))
}

/// Goose's `--render-report`: report.json, report.html and report.md from the merged
/// report, with the request tables rebuilt from its raw figures.
async fn render(seed: &Path, folder: &Path) -> Result<(), MergeCommandError> {
    let failed = |detail: String| MergeCommandError::Render {
        folder: folder.display().to_string(),
        detail,
    };
    let seed = seed.display().to_string();
    let mut args: Vec<String> = vec![
        "--render-report".into(),
        seed,
        "--quiet".into(),
        "--no-telnet".into(),
    ];
    for name in ["report.json", "report.html", "report.md"] {
        args.push("--report-file".into());
        args.push(folder.join(name).display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let config = goose::config::GooseConfiguration::parse_args_default(&args)
        .map_err(|e| failed(e.to_string()))?;
    // Goose checks for a scenario before it sees --render-report; this one never runs.
    let never =
        goose::prelude::Transaction::new(std::sync::Arc::new(|_user| Box::pin(async { Ok(()) })));
    goose::GooseAttack::initialize_with_config(config)
        .map_err(|e| failed(e.to_string()))?
        .register_scenario(goose::prelude::Scenario::new("merge").register_transaction(never))
        .execute()
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(())
}
