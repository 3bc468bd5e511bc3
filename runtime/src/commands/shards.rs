//! `--shards N`: the run as N shard processes of this binary on this machine, through the
//! same code path a cluster uses (each is `--shard K/N --start-at TIME`), merged into one
//! run folder. Each shard's folder and console output (`shard-K.log`) end up in the merged
//! run's `shards/` folder.

use crate::commands::merge::{self, MergeCommandError};
use crate::report::Bands;
use crate::shard::{load_args, now_ms};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How far ahead of now the shards are told to start: time for each to read the
/// gateway's API and warm up on a shared machine.
pub fn lead(shards: usize) -> Duration {
    Duration::from_secs(4 + shards as u64)
}

/// Why the local shards failed; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum ShardsError {
    #[error("run {0} shards: give --shards 2 or more (1 is an ordinary run)")]
    TooFew(usize),
    #[error("start shard {index}: {source}")]
    Spawn {
        index: usize,
        source: std::io::Error,
    },
    #[error("run shard {index}/{count}: it exited with {status}; its output is in {log}")]
    Failed {
        index: usize,
        count: usize,
        status: String,
        log: String,
    },
    #[error(transparent)]
    Results(#[from] crate::results::ResultsError),
    #[error(transparent)]
    Merge(#[from] MergeCommandError),
}

/// Runs `count` shards of the load `args` (this process's arguments without the program)
/// describes, and merges them under `results_dir`.
pub async fn run(
    count: usize,
    args: &[String],
    results_dir: &Path,
    bands: &Bands,
) -> Result<merge::Outcome, ShardsError> {
    if count < 2 {
        return Err(ShardsError::TooFew(count));
    }
    let exe = std::env::current_exe().map_err(|source| ShardsError::Spawn { index: 0, source })?;
    let shards_dir =
        crate::results::create_run_folder(results_dir, &format!("{count}shards-parts"))?;
    let start_at = now_ms() + lead(count).as_millis() as u64;
    let mut base = load_args(args);
    // A controller would steer one shard, not the run; and N processes share the port.
    if !base.iter().any(|a| a == "--no-telnet") {
        base.push("--no-telnet".into());
    }
    // One seed for the whole run, as a single process has.
    if !base
        .iter()
        .any(|a| a == "--seed" || a.starts_with("--seed="))
    {
        base.extend(["--seed".into(), crate::rng::seed().to_string()]);
    }
    let mut children = Vec::new();
    for index in 0..count {
        let dir = shards_dir.join(format!("shard-{index}"));
        let log_path = shards_dir.join(format!("shard-{index}.log"));
        let log = std::fs::File::create(&log_path)
            .map_err(|source| ShardsError::Spawn { index, source })?;
        let err_log = log
            .try_clone()
            .map_err(|source| ShardsError::Spawn { index, source })?;
        let child = Command::new(&exe)
            .args(&base)
            .arg("--shard")
            .arg(format!("{index}/{count}"))
            .arg("--start-at")
            .arg(start_at.to_string())
            .arg("--results-dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err_log)
            .spawn()
            .map_err(|source| ShardsError::Spawn { index, source })?;
        children.push((index, dir, log_path, child));
    }
    eprintln!(
        "gateway-loadtest: {count} shard processes start together in {} s; their folders and \
         logs in {}",
        lead(count).as_secs(),
        shards_dir.display()
    );
    let mut folders = Vec::new();
    let mut failure = None;
    for (index, dir, log, mut child) in children {
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .ok()
            .and_then(Result::ok);
        let code = status.and_then(|s| s.code());
        // 0 done, 130 interrupted (its reports are still written).
        let ok = matches!(code, Some(0) | Some(130));
        match shard_folder(&dir) {
            Some(folder) if ok => folders.push(folder),
            _ if failure.is_none() => {
                failure = Some(ShardsError::Failed {
                    index,
                    count,
                    status: code.map_or("no exit code".into(), |c| format!("exit code {c}")),
                    log: log.display().to_string(),
                })
            }
            _ => {}
        }
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    let outcome = merge::run(&folders, results_dir, None, bands).await?;
    keep_parts_inside(&shards_dir, &outcome.folder);
    Ok(outcome)
}

/// Moves the shards' own folders and logs into the merged run's folder (`shards/`), so
/// the results folder holds one run, and `shards.json` names where they went.
fn keep_parts_inside(parts: &Path, merged: &Path) {
    let inside = merged.join("shards");
    if std::fs::rename(parts, &inside).is_err() {
        return;
    }
    let record = merged.join("shards.json");
    let (from, to) = (parts.display().to_string(), inside.display().to_string());
    if let Ok(text) = std::fs::read_to_string(&record) {
        let _ = std::fs::write(&record, text.replace(&from, &to));
    }
}

/// The run folder a shard made under `dir` (the one holding `shard.json`).
fn shard_folder(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.join(crate::shard::SHARD_FILE).is_file())
}
