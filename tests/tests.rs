//! The one integration-test binary: real demo gateways on ephemeral ports, real Goose runs.

mod any_gateway;
mod common;
mod discovery_live;
mod faults;
mod generated_scenarios;
mod golden_file;
mod health_analyze;
mod interrupt;
mod runner;
mod scheduling;
mod spec_commands;
mod static_scenarios;
mod suite_config;
mod validity;
