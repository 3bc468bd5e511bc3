//! The demo gateway's generated operations, compiled for this crate's unit tests: the
//! values and cleanup tests draw from real operations. build.rs generates them from the
//! top-level package's committed snapshot (`generated/`).

// Paths with a single `/` push a one-character string; the generator keeps one form.
#![allow(clippy::single_char_add_str, dead_code)]

include!(concat!(env!("OUT_DIR"), "/demo.rs"));
