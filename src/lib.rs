//! gateway-loadtest: load-tests a FastAPI gateway, and every service mounted on it, with
//! Goose: hand-written scenarios from `scenarios/` and transactions generated at build
//! time from the gateway's OpenAPI documents.

pub mod chain;
pub mod cleanup;
pub mod cli;
pub mod codegen;
pub mod commands;
pub mod generated;
pub mod json;
pub mod logging;
pub mod multipart;
pub mod params;
pub mod profile;
pub mod progress;
pub mod report;
pub mod request;
pub mod results;
pub mod rng;
pub mod run;
pub mod spec;
pub mod target;
pub mod transaction;

#[path = "../scenarios/mod.rs"]
pub mod scenarios;
