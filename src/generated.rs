//! The transactions build.rs generated from the gateway's OpenAPI documents, one module
//! per app (`cargo run -- generated` prints the source).

// Paths with a single `/` push a one-character string; the generator keeps one form.
#[allow(clippy::single_char_add_str)]
mod code {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}
pub use code::*;

/// The generated source, as compiled into this binary.
pub const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));

/// The plan the source was generated from (apps, operations, exclusions), as JSON.
pub const PLAN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/plan.json"));
