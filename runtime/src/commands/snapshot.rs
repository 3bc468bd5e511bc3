//! `snapshot`: writes `generated/` from the live gateway; `snapshot --check` compares the
//! live gateway with the committed snapshot and fails, saying what changed, when they differ.

use super::CommandError;
use crate::spec::{snapshot, source};
use std::path::Path;

/// The command that refreshes the snapshot, for messages.
pub const FIX: &str = "GATEWAY_URL=<gateway> cargo run --release -- snapshot";

/// Writes the snapshot (or, with `check`, compares it); returns whether it matches.
pub fn run(dir: &Path, check: bool) -> Result<bool, CommandError> {
    let url = super::env("GATEWAY_URL")
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            CommandError::Usage(format!(
                "snapshot the live gateway: GATEWAY_URL is not set; run {FIX}"
            ))
        })?;
    let live_source = source::Source::Live {
        url: url.trim().trim_end_matches('/').to_string(),
    };
    let (live, _) = super::load(&live_source)?;
    if check {
        let committed = snapshot::read(dir)?;
        let differences = snapshot::diff(&committed, &live);
        if differences.is_empty() {
            eprintln!(
                "gateway-loadtest: {} matches {}",
                dir.display(),
                source::label(&live_source)
            );
            return Ok(true);
        }
        eprintln!(
            "gateway-loadtest: the live API differs from the snapshot in {}:",
            dir.display()
        );
        for line in &differences {
            eprintln!("  {line}");
        }
        eprintln!("update the snapshot with: {FIX}");
        return Ok(false);
    }
    for path in snapshot::write(dir, &live)? {
        eprintln!("gateway-loadtest: wrote {}", path.display());
    }
    Ok(true)
}
