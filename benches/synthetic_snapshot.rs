//! Writes the synthetic document of `synthetic.rs` as a snapshot of N operations, in the
//! layout build.rs reads (`spec::snapshot`), so `build_cost.sh` can build the crate from
//! it: `cargo run --release --example synthetic_snapshot -- N DIR`.

#[allow(dead_code)] // SIZES and count_operations serve the pipeline bench
#[path = "synthetic.rs"]
mod synthetic;

use anyhow::Context;
use gateway_loadtest_runtime::spec::snapshot;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: synthetic_snapshot OPERATIONS DIR";
    let operations: usize = args
        .next()
        .context(usage)?
        .parse()
        .context("OPERATIONS must be a whole number")?;
    let dir = PathBuf::from(args.next().context(usage)?);
    let discovery = synthetic::discovery(operations);
    let written = snapshot::write(&dir, &discovery)?;
    eprintln!(
        "wrote a snapshot of {operations} operations: {}",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
