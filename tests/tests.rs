//! The one integration-test binary: real demo gateways on ephemeral ports, real Goose runs.

mod common;
mod runner;
mod static_scenarios;
