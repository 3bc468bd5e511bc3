//! The subcommands that inspect the spec rather than load the gateway: `discover`,
//! `snapshot`, `generated` and `sample`.

pub mod discover;
pub mod sample;
pub mod snapshot;

use crate::spec::{self, discovery::Discovery, plan::Plan, settings::Settings, source::Source};
use std::path::Path;

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
    #[error("{0}")]
    Usage(String),
    #[error("write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The environment as build.rs sees it.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The configuration file's settings, as build.rs reads them (from the current folder).
pub fn settings() -> Result<Settings, CommandError> {
    let explicit = env("GATEWAY_LOADTEST_CONFIG").is_some_and(|v| !v.trim().is_empty());
    let path = spec::settings::config_path(Path::new("."), env("GATEWAY_LOADTEST_CONFIG"));
    Ok(spec::settings::read(&path, explicit)?)
}

/// Reads the documents from the source build.rs would use, and plans them.
pub fn load(source: &Source) -> Result<(Discovery, Plan), CommandError> {
    let settings = settings()?;
    let discovery = spec::source::load(source, &settings, spec::source::auth_headers(env))?;
    let filter = spec::plan::Filter {
        include: settings.operations.include.clone(),
        exclude: settings.operations.exclude.clone(),
    };
    let plan = spec::plan::build(&discovery, &filter)?;
    Ok((discovery, plan))
}
