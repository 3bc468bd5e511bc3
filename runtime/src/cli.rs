//! The command line: our options and subcommands beside every Goose flag, and the exit
//! codes. `anyhow` stops here; every module below returns its own error type.

use crate::commands;
use crate::run::{self, RunOptions, EXIT_INTERRUPTED, EXIT_THRESHOLD_FAILED};
use crate::Compiled;
use clap::{Parser, Subcommand};
use goose::config::GooseConfiguration;
use std::path::PathBuf;
use std::process::ExitCode;

/// Load-test a FastAPI gateway and its mounted services.
///
/// Without a subcommand, runs a load test: every Goose flag works (see the Goose
/// options below), and --profile sets a shape that those flags override.
#[derive(Parser)]
#[command(name = "gateway-loadtest", args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The configuration file: profiles, grading bands, run defaults, discovery
    /// [default: GATEWAY_LOADTEST_CONFIG, else ./gateway-loadtest.toml when it exists]
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// A values file (TOML) that fixes or lists values for parameters and body fields, and
    /// chooses which generated operations run (see values.example.toml)
    #[arg(long, value_name = "FILE", global = true)]
    pub values: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub shard: crate::shard::ShardOptions,
    #[command(flatten)]
    pub goose: GooseConfiguration,
}

/// Subcommands that inspect the gateway's API, check its health or read saved runs,
/// instead of loading it.
#[derive(Subcommand)]
pub enum Command {
    /// Print the discovered apps, prefixes and operations as JSON (live with GATEWAY_URL,
    /// else from generated/) and save them as results/api_discovery_<timestamp>.json
    Discover {
        /// Folder for the saved JSON
        #[arg(long, value_name = "DIR", default_value = "results")]
        results_dir: PathBuf,
    },
    /// Write generated/ from the live gateway at GATEWAY_URL
    Snapshot {
        /// Compare the live gateway with generated/ instead; exit 1 when they differ
        #[arg(long)]
        check: bool,
        /// The snapshot folder
        #[arg(long, value_name = "DIR", default_value = "generated")]
        dir: PathBuf,
    },
    /// Print the generated Rust source compiled into this binary
    Generated,
    /// Print requests for one operation exactly as they would be sent, sending nothing
    Sample {
        /// The operation, as "METHOD /path" with the app's prefix, e.g. "GET /docman/tickets"
        operation: String,
        /// How many requests to print
        #[arg(short = 'n', long = "count", default_value_t = 3)]
        count: usize,
        /// Seed for the values [default: 0]
        #[arg(long, value_name = "N", default_value_t = 0)]
        seed: u64,
    },
    /// Check the gateway (GATEWAY_URL, else BENCHMARK_HOST): /health, /gateway/status, and
    /// each app's openapi.json and health route; exit 0 only when every check passes
    Health {
        /// Seconds each check may take; all of them together get three times this
        #[arg(long, value_name = "SECS", default_value_t = commands::health::DEFAULT_TIMEOUT_SECS)]
        timeout: f64,
    },
    /// Run several profiles in sequence (light, medium, heavy by default), each into its
    /// own folder after a health check, and write an index of the runs and their grades
    Suite {
        /// The profiles, built-in or from the configuration file's [profiles]
        #[arg(value_name = "PROFILE")]
        profiles: Vec<String>,
        /// The gateway [default: GATEWAY_URL, else the profile's host, else BENCHMARK_HOST]
        #[arg(long, value_name = "URL")]
        host: Option<String>,
        /// Folder that holds the suite's folder
        #[arg(long, value_name = "DIR", default_value = "results")]
        results_dir: PathBuf,
        /// Drop the think time between a persona's transactions
        #[arg(long)]
        no_wait: bool,
        /// Seed for every generated value [default: random]
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Seconds each health check may take
        #[arg(long, value_name = "SECS", default_value_t = commands::health::DEFAULT_TIMEOUT_SECS)]
        health_timeout: f64,
    },
    /// Grade a saved run and compare it with a baseline run; exit 4 on a regression
    Analyze {
        /// The run folder (holding report.json) or a Goose JSON report file
        run: PathBuf,
        /// The run to compare with, as a folder or report file
        #[arg(long, value_name = "RUN")]
        baseline: Option<PathBuf>,
        /// Fail when an endpoint's p95 grew by more than this many percent...
        #[arg(long, value_name = "PCT", default_value_t = 20.0)]
        max_regression: f64,
        /// ...and by more than this many milliseconds (scheduling noise on a fast gateway)
        #[arg(long, value_name = "MS", default_value_t = 10.0)]
        min_regression_ms: f64,
        /// Fail when an endpoint's failure rate grew by more than this many percentage points
        #[arg(long, value_name = "PCT", default_value_t = 1.0)]
        max_failure_increase: f64,
    },
    /// Join the run folders of a sharded run (--shard K/N) into one run folder, merged
    /// exactly; exit 3 when a threshold fails on the whole run
    Merge {
        /// Every shard's run folder
        #[arg(value_name = "RUN", required = true)]
        runs: Vec<PathBuf>,
        /// Folder that holds the merged run's folder
        #[arg(long, value_name = "DIR", default_value = "results")]
        results_dir: PathBuf,
        /// Judge this rule on the whole run instead of those the shards ran with (repeat it)
        #[arg(long = "threshold", value_name = "RULE")]
        thresholds: Vec<String>,
    },
    /// Write Kubernetes manifests (an Indexed Job of N shards, ConfigMaps) and a Dockerfile
    /// that run this load on a cluster
    Kubernetes(commands::kubernetes::KubernetesOptions),
}

/// Parses the process's arguments, runs, and maps the outcome to an exit code:
/// 0 done, 1 error (or `snapshot --check` found differences, or a `health` check
/// failed), 2 bad command line, 3 a `--threshold` failed, 4 `analyze` found a regression,
/// 130 interrupted by Ctrl-C or SIGTERM.
pub fn main(compiled: Compiled) -> ExitCode {
    let mut cli = Cli::parse();
    if let Some(path) = cli.config.clone() {
        crate::spec::settings::set_config_flag(path);
    }
    cli.run.settings = match crate::spec::settings::load() {
        Ok(settings) => settings,
        Err(e) => return error(e.into()),
    };
    if let Some(path) = &cli.values {
        if let Err(e) = install_values(path, compiled.operations) {
            return error(e.into());
        }
    }
    crate::params::set_upload_bytes(
        cli.run
            .upload_bytes
            .or(cli.run.settings.run.upload_bytes)
            .unwrap_or(crate::params::DEFAULT_UPLOAD_BYTES),
    );
    match cli.command {
        Some(command) => inspect(
            &compiled,
            command,
            &cli.goose,
            cli.run,
            (cli.config.clone(), cli.values.clone()),
        ),
        None => load(&compiled, cli.run, cli.goose, cli.shard),
    }
}

fn inspect(
    compiled: &Compiled,
    command: Command,
    goose: &GooseConfiguration,
    run: RunOptions,
    files: (Option<PathBuf>, Option<PathBuf>),
) -> ExitCode {
    let settings = &run.settings;
    let outcome = match command {
        Command::Merge {
            runs,
            results_dir,
            thresholds,
        } => return merge(&runs, &results_dir, &thresholds, &run.settings.grading),
        Command::Kubernetes(options) => {
            let files = commands::kubernetes::Files::read(files.0.as_deref(), files.1.as_deref());
            match files.and_then(|files| commands::kubernetes::run(&options, &files)) {
                Ok(_) => return ExitCode::SUCCESS,
                Err(e) => return error(e.into()),
            }
        }
        Command::Suite {
            profiles,
            host,
            results_dir,
            no_wait,
            seed,
            health_timeout,
        } => {
            let options = RunOptions {
                results_dir,
                no_wait,
                seed,
                ..run
            };
            return suite(compiled, profiles, options, host, health_timeout);
        }
        Command::Discover { results_dir } => commands::discover::run(&results_dir).map(|_| true),
        Command::Snapshot { check, dir } => commands::snapshot::run(&dir, check),
        Command::Generated => match crate::codegen::pretty(compiled.source) {
            Ok(source) => {
                // A closed pipe (`| head`) is not an error.
                let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), source.as_bytes());
                Ok(true)
            }
            Err(e) => Err(e.into()),
        },
        Command::Sample {
            operation,
            count,
            seed,
        } => {
            // Generated paths hold the base they were discovered under: only the origin
            // of the host goes before them.
            let (host, auth) =
                run::credentials(&crate::target::resolve_host(goose.host.as_deref()));
            match crate::target::gateway(&host) {
                Ok(gateway) => {
                    if let Some(warning) = crate::target::base_mismatch(&host, compiled.plan_json) {
                        eprintln!("gateway-loadtest: warning: {warning}");
                    }
                    let client = commands::sample::Client {
                        origin: gateway.origin().clone(),
                        gzip: !goose.no_gzip,
                        auth,
                    };
                    commands::sample::run(compiled.operations, &operation, count, seed, &client)
                        .map(|_| true)
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Health { timeout } => match std::time::Duration::try_from_secs_f64(timeout) {
            Ok(timeout) => commands::health::run(&crate::target::resolve_host(None), timeout),
            Err(_) => Err(commands::CommandError::Usage(format!(
                "run health: --timeout must be a number of seconds, got {timeout}"
            ))),
        },
        Command::Analyze {
            run,
            baseline,
            max_regression,
            min_regression_ms,
            max_failure_increase,
        } => {
            let bounds = commands::analyze::Bounds {
                max_regression_pct: max_regression,
                min_regression_ms,
                max_failure_increase_pct: max_failure_increase,
            };
            match commands::analyze::run(&run, baseline.as_deref(), &bounds, &settings.grading) {
                Ok(false) => return ExitCode::from(commands::analyze::EXIT_REGRESSION),
                other => other,
            }
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => error(e.into()),
    }
}

/// Reads the values file, checks it against the generated operations, and installs it
/// for every user's values (before any starts).
fn install_values(
    path: &std::path::Path,
    operations: &[&'static crate::params::OperationInfo],
) -> Result<(), crate::params::OverridesError> {
    let overrides = crate::params::Overrides::load(path)?;
    overrides.check(operations)?;
    crate::params::overrides::install(overrides);
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| error(anyhow::anyhow!("start the async runtime: {e}")))
}

fn suite(
    compiled: &Compiled,
    profiles: Vec<String>,
    options: RunOptions,
    host: Option<String>,
    health_timeout: f64,
) -> ExitCode {
    let Ok(health_timeout) = std::time::Duration::try_from_secs_f64(health_timeout) else {
        return error(anyhow::anyhow!(
            "run the suite: --health-timeout must be a number of seconds, got {health_timeout}"
        ));
    };
    let profiles = match profiles.is_empty() {
        true => commands::suite::DEFAULT_PROFILES.map(String::from).to_vec(),
        false => profiles,
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        match commands::suite::run(
            compiled,
            &profiles,
            &options,
            host.as_deref(),
            health_timeout,
        )
        .await
        {
            Ok(outcome) => {
                eprint!("{}", commands::suite::index_markdown(&outcome.index));
                eprintln!(
                    "gateway-loadtest: suite index in {}",
                    outcome.folder.join("index.md").display()
                );
                match outcome.index.ended {
                    commands::suite::Ended::Completed => ExitCode::SUCCESS,
                    commands::suite::Ended::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
                    commands::suite::Ended::Unhealthy => ExitCode::FAILURE,
                }
            }
            Err(e) => error(e.into()),
        }
    })
}

fn load(
    compiled: &Compiled,
    options: RunOptions,
    mut goose: GooseConfiguration,
    shard: crate::shard::ShardOptions,
) -> ExitCode {
    if let Some(count) = shard.shards {
        return local_shards(count, &options);
    }
    let sharded = match crate::cli_shard::prepare(compiled, &options, &mut goose, &shard) {
        Ok(sharded) => sharded,
        Err(e) => return error(e),
    };
    crate::logging::install(&goose);
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let scenarios = match run::all_scenarios(compiled, &options, &goose) {
            Ok(scenarios) => scenarios,
            Err(e) => return error(e.into()),
        };
        if run::asks_only_to_print(&goose) {
            return match run::print_only(goose, scenarios).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => error(e.into()),
            };
        }
        match run::run(compiled, &options, goose, scenarios).await {
            Ok(outcome) => {
                if let Some(prepared) = &sharded {
                    if let Err(e) = crate::cli_shard::record(&outcome.folder, prepared, &options) {
                        return error(e);
                    }
                }
                eprintln!("gateway-loadtest: reports in {}", outcome.folder.display());
                if outcome.interrupted {
                    ExitCode::from(EXIT_INTERRUPTED)
                } else if outcome.thresholds_failed && sharded.is_some() {
                    eprintln!(
                        "gateway-loadtest: this shard's thresholds are judged on the whole \
                         run by `merge`"
                    );
                    ExitCode::SUCCESS
                } else if outcome.thresholds_failed {
                    ExitCode::from(EXIT_THRESHOLD_FAILED)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => error(e.into()),
        }
    })
}

/// `merge RUN...`: one run folder from the shards' folders; exit 3 when a threshold fails.
fn merge(
    runs: &[PathBuf],
    results_dir: &std::path::Path,
    thresholds: &[String],
    bands: &crate::report::Bands,
) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let rules = (!thresholds.is_empty()).then_some(thresholds);
    let outcome = runtime.block_on(commands::merge::run(runs, results_dir, rules, bands));
    merged(outcome.map_err(Into::into))
}

/// `--shards N`: N shard processes of this binary, merged.
fn local_shards(count: usize, options: &RunOptions) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = runtime.block_on(commands::shards::run(
        count,
        &args,
        &options.results_dir,
        &options.settings.grading,
    ));
    merged(outcome.map_err(Into::into))
}

/// Prints what a merge found and maps it to the exit code a single run would have.
fn merged(outcome: anyhow::Result<commands::merge::Outcome>) -> ExitCode {
    match outcome {
        Ok(outcome) => {
            eprintln!("{}", outcome.grades.table());
            eprintln!(
                "gateway-loadtest: merged {} request(s); start skew {} ms; {} left behind; \
                 reports in {}",
                outcome.requests,
                outcome.start_skew_ms,
                outcome.left_behind,
                outcome.folder.display()
            );
            match outcome.thresholds_failed {
                true => ExitCode::from(EXIT_THRESHOLD_FAILED),
                false => ExitCode::SUCCESS,
            }
        }
        Err(e) => error(e),
    }
}

/// Prints `error: failed to <what>` with its causes, and returns exit code 1.
fn error(e: anyhow::Error) -> ExitCode {
    eprintln!("error: failed to {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::FAILURE
}
