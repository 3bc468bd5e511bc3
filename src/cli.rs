//! The command line: our options and subcommands beside every Goose flag, and the exit
//! codes. `anyhow` stops here; every module below returns its own error type.

use crate::run::{self, RunOptions, EXIT_THRESHOLD_FAILED};
use clap::Parser;
use goose::config::GooseConfiguration;
use std::process::ExitCode;

/// Load-test a FastAPI gateway and its mounted services.
///
/// Without a subcommand, runs a load test: every Goose flag works (see the Goose
/// options below), and --profile sets a shape that those flags override.
#[derive(Parser)]
#[command(name = "gateway-loadtest", args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub goose: GooseConfiguration,
}

/// Parses the process's arguments, runs, and maps the outcome to an exit code:
/// 0 run done, 1 error, 2 bad command line, 3 a `--threshold` failed.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return error(anyhow::anyhow!("start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        let scenarios = match crate::scenarios::all(!cli.run.no_wait) {
            Ok(scenarios) => scenarios,
            Err(e) => return error(e.into()),
        };
        match run::run(&cli.run, cli.goose, scenarios).await {
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
