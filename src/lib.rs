//! gateway-loadtest: load-tests a FastAPI gateway, and every service mounted on it, with
//! Goose. This package holds what changes with the gateway: the transactions build.rs
//! generated from its OpenAPI documents (`generated`) and the hand-written scenarios
//! (`scenarios/`). Everything else is the runtime crate, `gateway_loadtest_runtime`.

pub mod generated;

#[path = "../scenarios/mod.rs"]
pub mod scenarios;

/// What this package compiled, for the runtime's command line.
pub fn compiled() -> gateway_loadtest_runtime::Compiled {
    gateway_loadtest_runtime::Compiled {
        operations: generated::OPERATIONS,
        generated_scenarios: generated::scenarios,
        static_scenarios: scenarios::all,
        personas: scenarios::PERSONAS,
        bare_scenario: scenarios::bare,
        source: generated::SOURCE,
        plan_json: generated::PLAN_JSON,
    }
}
