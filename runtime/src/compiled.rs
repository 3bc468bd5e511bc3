//! What the top-level package compiled into the binary: the code build.rs generated from
//! the gateway's API, and the hand-written scenarios with the routes they call. The
//! runtime never names the generated code; it is handed this instead, so one runtime
//! serves any API.

use crate::params::OperationInfo;
use crate::routes::Persona;
use goose::goose::Scenario;
use goose::GooseError;

/// The generated operations and scenarios, and the hand-written scenarios.
#[derive(Clone, Copy)]
pub struct Compiled {
    /// Every generated operation (for `sample`, values-file checks and cleanup).
    pub operations: &'static [&'static OperationInfo],
    /// One `Generated <app>` scenario per app.
    pub generated_scenarios: fn() -> Result<Vec<Scenario>, GooseError>,
    /// The hand-written personas, paced (`true`) or without think time.
    pub static_scenarios: fn(bool) -> Result<Vec<Scenario>, GooseError>,
    /// Each hand-written scenario's name and the routes it calls: a run leaves out those
    /// whose routes the targeted gateway does not document.
    pub personas: &'static [Persona],
    /// The bare Goose baseline, run only when `--scenarios` names it.
    pub bare_scenario: fn() -> Result<Scenario, GooseError>,
    /// The generated Rust source, as build.rs wrote it.
    pub source: &'static str,
    /// The plan the source was generated from (apps, operations, exclusions), as JSON.
    pub plan_json: &'static str,
}
