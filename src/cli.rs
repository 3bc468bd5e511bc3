//! The command line: our options and subcommands beside every Goose flag, and the exit
//! codes. `anyhow` stops here; every module below returns its own error type.

use crate::commands;
use crate::run::{self, RunOptions, EXIT_THRESHOLD_FAILED};
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
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub goose: GooseConfiguration,
}

/// Subcommands that inspect the gateway's API instead of loading it.
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
}

/// Parses the process's arguments, runs, and maps the outcome to an exit code:
/// 0 done, 1 error (or `snapshot --check` found differences), 2 bad command line,
/// 3 a `--threshold` failed.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::params::set_upload_bytes(cli.run.upload_bytes);
    match cli.command {
        Some(command) => inspect(command, &cli.goose),
        None => load(cli.run, cli.goose),
    }
}

fn inspect(command: Command, goose: &GooseConfiguration) -> ExitCode {
    let outcome = match command {
        Command::Discover { results_dir } => commands::discover::run(&results_dir).map(|_| true),
        Command::Snapshot { check, dir } => commands::snapshot::run(&dir, check),
        Command::Generated => {
            // A closed pipe (`| head`) is not an error.
            let _ = std::io::Write::write_all(
                &mut std::io::stdout().lock(),
                crate::generated::SOURCE.as_bytes(),
            );
            Ok(true)
        }
        Command::Sample {
            operation,
            count,
            seed,
        } => {
            let origin = crate::target::redact(&crate::target::resolve_host(goose.host.as_deref()));
            commands::sample::run(&operation, count, seed, &origin).map(|_| true)
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => error(e.into()),
    }
}

fn load(options: RunOptions, goose: GooseConfiguration) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return error(anyhow::anyhow!("start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        let scenarios = match run::all_scenarios(&options) {
            Ok(scenarios) => scenarios,
            Err(e) => return error(e.into()),
        };
        match run::run(&options, goose, scenarios).await {
            Ok(outcome) => {
                eprintln!("gateway-loadtest: reports in {}", outcome.folder.display());
                if outcome.thresholds_failed {
                    ExitCode::from(EXIT_THRESHOLD_FAILED)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => error(e.into()),
        }
    })
}

/// Prints `error: failed to <what>` with its causes, and returns exit code 1.
fn error(e: anyhow::Error) -> ExitCode {
    eprintln!("error: failed to {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::FAILURE
}
