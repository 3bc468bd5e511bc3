//! Build script: reads the gateway's OpenAPI documents (live with `GATEWAY_URL`, else the
//! committed snapshot in `generated/`), plans every operation and writes the generated
//! Goose transactions to `OUT_DIR/generated.rs`. For the library's tests it also writes
//! `OUT_DIR/hostile.rs` and `OUT_DIR/fuzz_sample.rs` (and `plan.json`); nothing else.

// Shared with the library, where the parts build.rs does not call are used.
#[allow(dead_code)]
#[path = "src/codegen/mod.rs"]
mod codegen;
#[allow(dead_code)]
#[path = "src/spec/mod.rs"]
mod spec;
// The fuzz generator, which src/spec/mod.rs declares only for the library's tests.
#[allow(dead_code)]
#[path = "src/spec/fuzz/mod.rs"]
mod fuzz;

use spec::source::{self, Source};
use std::path::{Path, PathBuf};

/// The hostile fixture snapshot (tests/fixtures/hostile/make_hostile.py writes it).
const HOSTILE_FIXTURE: &str = "tests/fixtures/hostile";
/// The documents the fuzz sample's mutated cases start from.
const FUZZ_CORPUS: [&str; 3] = [
    "tests/fixtures/fastapi/models.openapi.json",
    "tests/fixtures/fastapi/routes.openapi.json",
    "tests/fixtures/fastapi/upload.openapi.json",
];
/// The fuzz sample: this many accepted cases, from the first seeds, each with at most
/// so many operations (what it adds to build.rs's time and the tests' compile time
/// stays small).
const FUZZ_SAMPLE_CASES: usize = 24;
const FUZZ_SAMPLE_SEEDS: u64 = 200;
const FUZZ_SAMPLE_MAX_OPERATIONS: usize = 10;

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
    println!("cargo::rerun-if-changed=src/spec");
    println!("cargo::rerun-if-changed=src/codegen");

    let env = |name: &str| std::env::var(name).ok();
    let config_path = spec::settings::config_path(&crate_dir, env("GATEWAY_LOADTEST_CONFIG"));
    println!("cargo::rerun-if-changed={}", config_path.display());
    let explicit_config = env("GATEWAY_LOADTEST_CONFIG").is_some_and(|v| !v.trim().is_empty());
    let settings =
        spec::settings::read(&config_path, explicit_config).map_err(|e| e.to_string())?;

    let source = source::choose(env, &crate_dir);
    match &source {
        Source::Live { .. } => {
            // Cargo cannot watch a URL: a path that never exists makes cargo rerun this
            // script on every build, so a changed API is picked up; the generated file is
            // rewritten only when its text changes (README: "Live builds").
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
    let discovery =
        source::load(&source, &settings, source::auth_headers(env)).map_err(|e| e.to_string())?;
    let filter = spec::plan::Filter::from_settings(&settings);
    let plan = spec::plan::build(&discovery, &filter).map_err(|e| e.to_string())?;
    for warning in discovery.warnings.iter().chain(&plan.warnings).take(20) {
        println!("cargo::warning={}", warning.replace(['\n', '\r'], " "));
    }
    let hash = codegen::spec_hash(&discovery);
    let code =
        codegen::generate(&plan, &source::label(&source), hash).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("generated.rs"), code.as_bytes())?;
    let plan_json = serde_json::to_vec_pretty(&plan).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("plan.json"), &plan_json)?;
    generate_hostile(&crate_dir, &out_dir)?;
    generate_fuzz_sample(&crate_dir, &out_dir)
}

/// `OUT_DIR/hostile.rs`, from the hostile fixture snapshot by the same pipeline: the
/// library's tests compile it (src/codegen/hostile_tests.rs).
fn generate_hostile(crate_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let dir = crate_dir.join(HOSTILE_FIXTURE);
    let fail = |e: &dyn std::fmt::Display| format!("generate the hostile test fixture: {e}");
    for file in spec::snapshot::files(&dir).map_err(|e| fail(&e))? {
        println!("cargo::rerun-if-changed={}", file.display());
    }
    let discovery = spec::snapshot::read(&dir).map_err(|e| fail(&e))?;
    let plan =
        spec::plan::build(&discovery, &spec::plan::Filter::default()).map_err(|e| fail(&e))?;
    let label = source::label(&Source::Snapshot { dir });
    let code =
        codegen::generate(&plan, &label, codegen::spec_hash(&discovery)).map_err(|e| fail(&e))?;
    write_if_changed(&out_dir.join("hostile.rs"), code.as_bytes())
}

/// `OUT_DIR/fuzz_sample.rs`: the first `FUZZ_SAMPLE_CASES` tame fuzz cases
/// (src/spec/fuzz/) that the pipeline accepts, each generated by the same pipeline into
/// `OUT_DIR/fuzz_sample/case_<seed>.rs` and included in a module of its own, and `CASES`
/// listing them: the library's tests compile and run them
/// (src/codegen/fuzz_sample_tests.rs). A case the pipeline accepts but cannot generate
/// code for fails the build, naming its seed.
fn generate_fuzz_sample(crate_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("generate the fuzz test sample: {e}");
    let mut corpus = Vec::new();
    for file in FUZZ_CORPUS {
        let path = crate_dir.join(file);
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| fail(&format!("read {}: {e}", path.display())))?;
        corpus.push(serde_json::from_str(&text).map_err(|e| fail(&e))?);
    }
    let dir = out_dir.join("fuzz_sample");
    std::fs::create_dir_all(&dir).map_err(|e| fail(&format!("create {}: {e}", dir.display())))?;
    let mut modules = Vec::new();
    let mut entries = Vec::new();
    for seed in 0..FUZZ_SAMPLE_SEEDS {
        if modules.len() == FUZZ_SAMPLE_CASES {
            break;
        }
        let case = fuzz::tame_case(seed, &corpus);
        let Some(discovery) = case.discovery() else {
            continue;
        };
        let filter = case.filter();
        let Ok(plan) = spec::plan::build(&discovery, &filter) else {
            continue; // refused: nothing to compile
        };
        let operations: usize = plan.apps.iter().map(|a| a.operations.len()).sum();
        if operations == 0 || operations > FUZZ_SAMPLE_MAX_OPERATIONS {
            continue;
        }
        let label = format!("fuzz case {seed}");
        let code = codegen::generate(&plan, &label, codegen::spec_hash(&discovery))
            .map_err(|e| fail(&format!("seed {seed}: {e}")))?;
        let file = format!("/fuzz_sample/case_{seed}.rs");
        write_if_changed(&out_dir.join(&file[1..]), code.as_bytes())?;
        let module = quote::format_ident!("case_{seed}");
        let doc = format!(" Fuzz case {seed} (src/spec/fuzz/): {operations} operation(s).");
        modules.push(quote::quote! {
            #[doc = #doc]
            pub mod #module {
                include!(concat!(env!("OUT_DIR"), #file));
            }
        });
        entries.push(quote::quote! {
            Case {
                seed: #seed,
                operations: #module::OPERATIONS,
                scenarios: #module::scenarios,
                source: include_str!(concat!(env!("OUT_DIR"), #file)),
            }
        });
    }
    let file = quote::quote! {
        /// One compiled case: its seed, its operations, its scenarios and its source.
        pub struct Case {
            pub seed: u64,
            pub operations: &'static [&'static crate::params::OperationInfo],
            pub scenarios: fn() -> ::std::result::Result<::std::vec::Vec<::goose::goose::Scenario>, ::goose::GooseError>,
            pub source: &'static str,
        }

        /// Every compiled case, in seed order.
        pub static CASES: &[Case] = &[#(#entries),*];

        #(#modules)*
    };
    let parsed = syn::parse2::<syn::File>(file).map_err(|e| fail(&e))?;
    let mut out = format!(
        "// @generated by gateway-loadtest's build.rs: {} fuzz cases of src/spec/fuzz/. Do not edit.\n",
        modules.len()
    );
    out.push_str(&prettyplease::unparse(&parsed));
    write_if_changed(&out_dir.join("fuzz_sample.rs"), out.as_bytes())
}

/// Writes only when the bytes differ, so an unchanged API leaves the file's time alone.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|e| format!("write {}: {e}", path.display()))
}
