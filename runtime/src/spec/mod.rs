//! The spec pipeline, shared by build.rs (through `#[path]`) and the subcommands:
//! discovery → snapshot → normalise → plan. It uses nothing else of the crate.

pub mod budget;
pub mod discovery;
#[cfg(test)]
pub mod fuzz;
pub mod gateway_url;
pub mod links;
pub mod normalize;
pub mod plan;
pub mod settings;
pub mod shared;
pub mod snapshot;
pub mod source;
pub mod template;
