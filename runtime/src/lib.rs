//! gateway-loadtest's runtime: everything the binary does that does not change with the
//! gateway's API. The spec pipeline and the code generator (shared with build.rs), what
//! the generated transactions call (params, chain, transaction, request, answers,
//! target, cleanup), the run, the reports and the subcommands. The top-level package compiles the
//! generated code and the hand-written scenarios against it and hands them to
//! [`cli::main`] as a [`Compiled`].

// Generated code names this crate by its absolute path, also in this crate's own tests.
extern crate self as gateway_loadtest_runtime;

pub mod answers;
pub mod auth;
pub mod backoff;
pub mod chain;
pub mod cleanup;
pub mod cli;
mod cli_shard;
pub mod codegen;
pub mod commands;
mod compiled;
pub mod deal;
#[cfg(test)]
mod demo;
pub mod feedback;
pub mod hazard;
pub mod json;
pub mod known;
pub mod logging;
pub mod merge;
pub mod multipart;
pub mod params;
pub mod profile;
pub mod progress;
#[cfg(test)]
mod realistic_tests;
pub mod reason;
pub mod report;
pub mod request;
pub mod results;
pub mod rng;
pub mod routes;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod spec;
pub mod target;
pub mod transaction;
pub mod untracked;
pub mod warmup;

pub use compiled::Compiled;

/// The run-wide state (the ledger, what is known) is process-wide: unit tests that
/// touch it, and the one that runs a load, take turns.
#[cfg(test)]
pub(crate) static GLOBAL_STATE: std::sync::Mutex<()> = std::sync::Mutex::new(());
