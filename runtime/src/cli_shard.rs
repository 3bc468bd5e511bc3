//! What the command line does for `--shard K/N`: splits the whole run's load into this
//! shard's share before the run, and writes `shard.json` into its folder after.

use crate::profile::Profile;
use crate::run::RunOptions;
use crate::shard::{self, ShardOptions};
use crate::Compiled;
use goose::config::GooseConfiguration;
use std::path::Path;

/// A shard about to run: what `shard.json` will say of its load.
pub struct Prepared {
    pub plan_hash: String,
    pub gateway: String,
}

/// With `--shard`, replaces the load shape in `config` by this shard's share and returns
/// what `shard.json` needs; without it, leaves everything as it is.
pub fn prepare(
    compiled: &Compiled,
    options: &RunOptions,
    config: &mut GooseConfiguration,
    flags: &ShardOptions,
) -> anyhow::Result<Option<Prepared>> {
    let Some(which) = flags.shard else {
        if flags.start_at.is_some() {
            anyhow::bail!(
                "use --start-at: it starts a shard of a split run; add --shard K/N \
                 (--shard 0/1 for a single process)"
            );
        }
        return Ok(None);
    };
    let profile = options
        .profile
        .as_deref()
        .map(|name| Profile::resolve(name, &options.settings))
        .transpose()?;
    let whole = shard::whole_shape(config, profile.as_ref())?;
    shard::activate(which, flags.start_at, config, &whole)?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let host = crate::target::resolve_host_or(
        config.host.as_deref(),
        profile.as_ref().and_then(|p| p.host.as_deref()),
    );
    Ok(Some(Prepared {
        plan_hash: shard::plan_hash(compiled.plan_json, &args),
        gateway: crate::spec::gateway_url::redact(&host),
    }))
}

/// Writes `shard.json` into the shard's run folder.
pub fn record(folder: &Path, prepared: &Prepared, options: &RunOptions) -> anyhow::Result<()> {
    // The folder is named `<YYYYmmdd-HHMMSS>-<profile>`.
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let profile = name.get(16..).unwrap_or("").to_string();
    let seed = options.seed.or(Some(crate::rng::seed()));
    let record = shard::record(
        folder,
        &prepared.plan_hash,
        &profile,
        &prepared.gateway,
        seed,
    )?;
    // On a cluster: the files go to the pod's log, for `kubectl logs` and `merge`.
    let print = std::env::var(crate::commands::kubernetes::PRINT_ENV).is_ok_and(|v| v == "1");
    if let (true, Some(record)) = (print, record) {
        crate::commands::collect::print(folder, record.shard, record.shards)?;
    }
    Ok(())
}
