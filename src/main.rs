//! The `gateway-loadtest` binary: hands the command line, the generated code and the
//! hand-written scenarios to the runtime.

fn main() -> std::process::ExitCode {
    gateway_loadtest_runtime::cli::main(gateway_loadtest::compiled())
}
