//! Build script: reads the gateway's OpenAPI documents (live with `GATEWAY_URL`, else the
//! committed snapshot in `generated/`), plans every operation and writes the generated
//! Goose transactions to `OUT_DIR/generated.rs` and the plan to `OUT_DIR/plan.json`;
//! nothing else. The generator is the runtime crate's, shared through `#[path]`, so
//! this package recompiles only the generated code when the API is fetched again.

// Shared with the runtime crate, where the parts build.rs does not call are used.
#[allow(dead_code)]
#[path = "runtime/src/codegen/mod.rs"]
mod codegen;
#[allow(dead_code)]
#[path = "runtime/src/spec/mod.rs"]
mod spec;
use spec::source::{self, Source};
use std::path::{Path, PathBuf};

fn main() {
    if let Err(message) = run() {
        eprintln!("error: failed to {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    for var in source::ENV_VARS {
        println!("cargo::rerun-if-env-changed={var}");
    }
    // The shared modules are not build.rs itself: cargo must be told to watch them.
    println!("cargo::rerun-if-changed=runtime/src/spec");
    println!("cargo::rerun-if-changed=runtime/src/codegen");

    let env = |name: &str| std::env::var(name).ok();
    let config_path = spec::settings::config_path(&crate_dir, env("GATEWAY_LOADTEST_CONFIG"));
    println!("cargo::rerun-if-changed={}", config_path.display());
    let explicit_config = env("GATEWAY_LOADTEST_CONFIG").is_some_and(|v| !v.trim().is_empty());
    let settings =
        spec::settings::read(&config_path, explicit_config).map_err(|e| e.to_string())?;
    // Past its time or memory budget the build stops, naming where it was.
    for var in [spec::budget::SECONDS_VAR, spec::budget::MEMORY_VAR] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    spec::budget::Budget::from(&settings.build, env)?.watch();

    let source = source::choose(env, &crate_dir);
    match &source {
        Source::Live { .. } => {
            // Cargo cannot watch a URL: a path that never exists makes cargo rerun this
            // script on every build, so a changed API is picked up; the generated file is
            // rewritten only when its text changes (docs/live-builds.md).
            println!(
                "cargo::rerun-if-changed={}",
                out_dir.join("always-refetch-live-spec").display()
            );
        }
        Source::Snapshot { dir } => {
            for file in spec::snapshot::files(dir).map_err(|e| e.to_string())? {
                println!("cargo::rerun-if-changed={}", file.display());
            }
        }
    }
    let discovery = source::load(&source, &settings, env).map_err(|e| e.to_string())?;
    let filter = spec::filter::Filter::from_settings(&settings);
    let plan = spec::plan::build(&discovery, &filter).map_err(|e| e.to_string())?;
    spec::budget::at("generate the code");
    for warning in discovery.warnings.iter().chain(&plan.warnings).take(20) {
        println!("cargo::warning={}", warning.replace(['\n', '\r'], " "));
    }
    let hash = codegen::spec_hash(&discovery);
    let code =
        codegen::generate(&plan, &source::label(&source), hash).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("generated.rs"), code.as_bytes())?;
    spec::budget::at("write the generated code and plan");
    let plan_json = serde_json::to_vec_pretty(&plan).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("plan.json"), &plan_json)?;
    Ok(())
}

/// Writes only when the bytes differ, so an unchanged API leaves the file's time alone.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|e| format!("write {}: {e}", path.display()))
}
