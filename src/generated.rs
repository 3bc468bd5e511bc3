//! The transactions build.rs generated from the gateway's OpenAPI documents, one module
//! per app (`cargo run -- generated` prints the source).

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

/// The generated source, as compiled into this binary.
pub const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));

/// The plan the source was generated from (apps, operations, exclusions), as JSON.
pub const PLAN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/plan.json"));
