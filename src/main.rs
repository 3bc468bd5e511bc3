//! The `gateway-loadtest` binary: parses the command line and hands it to the library.

fn main() -> std::process::ExitCode {
    gateway_loadtest::cli::main()
}
