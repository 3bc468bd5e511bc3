//! The spec pipeline, shared by build.rs (through `#[path]`) and the subcommands:
//! discovery (its requests through fetch) → snapshot → normalise (3.1 → 3.0) → parse
//! (into openapiv3; both walk the document by layout's map) → plan (of the operations
//! the filter keeps). It uses nothing else of the crate.

pub mod budget;
pub mod discovery;
pub mod fetch;
pub mod filter;
#[cfg(test)]
pub mod fuzz;
pub mod gateway_url;
mod layout;
pub mod links;
pub mod model;
pub mod normalize;
pub mod parse;
pub mod pattern;
pub mod plan;
pub mod settings;
pub mod shared;
pub mod snapshot;
pub mod source;
pub mod template;
