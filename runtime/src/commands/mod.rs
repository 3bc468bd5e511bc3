//! The subcommands that inspect the spec rather than load the gateway: `discover`,
//! `snapshot`, `generated` and `sample`; and those that check it or read runs back:
//! `health` and `analyze`; `merge` joins a sharded run's folders, `shards` runs one on
//! this machine and `kubernetes` writes the manifests that run one on a cluster.

pub mod analyze;
pub mod collect;
pub mod discover;
pub mod health;
pub mod kubernetes;
pub mod merge;
pub mod sample;
pub mod shards;
pub mod snapshot;
pub mod suite;

use crate::spec::{self, discovery::Discovery, model::Plan, settings::Settings, source::Source};

/// Why an inspecting subcommand failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Settings(#[from] spec::settings::SettingsError),
    #[error(transparent)]
    Source(#[from] spec::source::SourceError),
    #[error(transparent)]
    Plan(#[from] spec::plan::PlanError),
    #[error(transparent)]
    Snapshot(#[from] spec::snapshot::SnapshotError),
    #[error(transparent)]
    Codegen(#[from] crate::codegen::CodegenError),
    #[error("{0}")]
    Usage(String),
    #[error("write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Target(#[from] crate::target::TargetError),
    /// The report's own message names the file and what to do; its cause is already in
    /// it, so it is not chained (the error would print twice).
    #[error("{0}")]
    Report(crate::report::ReportError),
    /// `health`: nothing answered the first check; `url` is redacted.
    #[error("reach the gateway at {url} ({check}): {reason}; {hint}")]
    Unreachable {
        url: String,
        check: String,
        reason: String,
        hint: &'static str,
    },
    /// `analyze`: the argument names no saved run.
    #[error(
        "read the run {path}: {reason}; give a run folder such as \
         results/<timestamp>-<profile>/ or the Goose JSON report in it"
    )]
    NoRun { path: String, reason: String },
}

/// The environment as build.rs sees it.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The configuration file's settings (see `spec::settings::load`).
pub fn settings() -> Result<Settings, CommandError> {
    Ok(spec::settings::load()?)
}

/// Reads the documents from the source build.rs would use, and plans them.
pub fn load(source: &Source) -> Result<(Discovery, Plan), CommandError> {
    let settings = settings()?;
    let discovery = spec::source::load(source, &settings, env)?;
    let filter = spec::filter::Filter::from_settings(&settings);
    let plan = spec::plan::build(&discovery, &filter)?;
    Ok((discovery, plan))
}
