//! Property tests of the whole spec pipeline over the cases of `src/spec/fuzz/`: each
//! document goes through normalise → parse → plan → codegen as build.rs sends it, under
//! `catch_unwind`, and then:
//!
//! - nothing panicked, and a refused document is an error value with a message;
//! - an accepted plan is sound (prefixed paths, every `{name}` a path parameter) and
//!   always generates code: an `@generated` line, then a file `syn` parses, whose spec
//!   text sits only in literals (no macro but `vec!`, no attribute but `derive` and
//!   `doc`), one registry entry per operation with its path verbatim in a literal, no
//!   item, field or method defined twice, no carriage return or bidirectional control
//!   rustc would refuse, and the same code on a second run;
//! - the generated code's embedded schemas compile to shapes and draw values;
//! - no case takes longer than [`HANG`].
//!
//! That the generated code also compiles is checked on a fixed sample that build.rs
//! compiles into these tests (`fuzz_sample_tests.rs`). The short run here is part of
//! `cargo test`; a long one runs for `FUZZ_SECONDS` (docs/fuzzing.md):
//!
//!     FUZZ_SECONDS=600 cargo test --release --lib fuzz_long_run -- --ignored --nocapture
//!
//! A failing case prints its seed and is saved as JSON; `FUZZ_SEED=N cargo test --release
//! --lib fuzz_replay -- --ignored --nocapture` replays it.

use super::hostile_tests::Inventory;
use crate::params::{Shape, Values};
use crate::spec::fuzz::{self, Case};
use crate::spec::model::{Location, Plan};
use crate::spec::plan;
use serde_json::Value;
use std::cell::Cell;
use std::collections::{BTreeSet, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use syn::visit::Visit;

/// Cases in the short run of the normal test suite (a few seconds in release).
const SHORT_RUN_CASES: u64 = 1_500;
/// Distinct findings kept (and printed) before the rest are only counted.
const MAX_FINDINGS: usize = 20;
/// A case that takes longer than this is a finding: not a speed limit (the inputs are
/// small documents, done in milliseconds), but the sign of a hang or an explosion.
const HANG: Duration = Duration::from_secs(20);
/// The worker's stack: the main thread's size, where build.rs and the subcommands plan.
const STACK_BYTES: usize = 8 << 20;

/// Real documents that mutations start from: the demo snapshot, FastAPI's own output and
/// the hostile fixture (whose bulk app the generator cuts to a few paths).
const CORPUS: &[&str] = &[
    include_str!("../../../generated/root.openapi.json"),
    include_str!("../../../generated/docman.openapi.json"),
    include_str!("../../../generated/documents.openapi.json"),
    include_str!("../../tests/fixtures/fastapi/models.openapi.json"),
    include_str!("../../tests/fixtures/fastapi/routes.openapi.json"),
    include_str!("../../tests/fixtures/fastapi/upload.openapi.json"),
    include_str!("../../tests/fixtures/hostile/root.openapi.json"),
    include_str!("../../tests/fixtures/hostile/type.openapi.json"),
    include_str!("../../tests/fixtures/hostile/Self.openapi.json"),
    include_str!("../../tests/fixtures/hostile/scenarios.openapi.json"),
    include_str!("../../tests/fixtures/hostile/bulk.openapi.json"),
];

fn corpus() -> &'static [Value] {
    static PARSED: OnceLock<Vec<Value>> = OnceLock::new();
    PARSED.get_or_init(|| {
        CORPUS
            .iter()
            .map(|text| serde_json::from_str(text).expect("a corpus fixture is JSON"))
            .collect()
    })
}

/// What the pipeline did with one case.
enum Outcome {
    Accepted { operations: usize },
    Rejected,
}

/// A broken property: a panic, or output that breaks a rule above.
struct Finding {
    seed: u64,
    stage: &'static str,
    message: String,
}

/// Runs one case through the pipeline and checks every property; `stage` names the step
/// under way, for a panic's report.
fn check(case: &Case, stage: &Cell<&'static str>) -> Result<Outcome, String> {
    stage.set("read");
    let Some(discovery) = case.discovery() else {
        return Ok(Outcome::Rejected);
    };
    let filter = case.filter();
    stage.set("normalise, parse and plan");
    let plan = match plan::build(&discovery, &filter) {
        Ok(plan) => plan,
        Err(error) if error.to_string().trim().is_empty() => {
            return Err(format!("an error without a message: {error:?}"));
        }
        Err(_) => return Ok(Outcome::Rejected),
    };
    stage.set("check the plan");
    check_plan(&plan)?;
    stage.set("codegen");
    let label = format!("fuzz case {}", case.seed);
    let hash = super::spec_hash(&discovery);
    let code = super::generate(&plan, &label, hash)
        .map_err(|e| format!("an accepted plan generates no code: {e}"))?;
    stage.set("check the generated code");
    check_code(&plan, &code)?;
    if case.seed % 8 == 0 {
        stage.set("codegen again");
        let again = super::generate(&plan, &label, hash).map_err(|e| e.to_string())?;
        if again != code {
            return Err("a second run generates different code".to_string());
        }
    }
    stage.set("draw values");
    draw_values(&plan, case.seed);
    let operations = plan.apps.iter().map(|a| a.operations.len()).sum();
    Ok(Outcome::Accepted { operations })
}

fn check_plan(plan: &Plan) -> Result<(), String> {
    if let Some(empty) = plan.warnings.iter().find(|w| w.trim().is_empty()) {
        return Err(format!("an empty warning: {empty:?}"));
    }
    for app in &plan.apps {
        for op in &app.operations {
            let name = format!("{} {:?}", op.method.as_str(), op.path);
            if !op.path.starts_with(&app.prefix) {
                return Err(format!("{name} lacks its app's prefix {:?}", app.prefix));
            }
            for wanted in crate::spec::template::names(&op.path) {
                let declared = op
                    .params
                    .iter()
                    .any(|p| p.location == Location::Path && p.name == wanted);
                if !declared {
                    return Err(format!("{name}: no path parameter for {{{wanted}}}"));
                }
            }
            if op.success.is_empty() || op.success.iter().any(|s| s.min > s.max) {
                return Err(format!("{name}: success statuses {:?}", op.success));
            }
        }
    }
    serde_json::to_vec_pretty(plan).map_err(|e| format!("the plan does not serialise: {e}"))?;
    Ok(())
}

/// The code rules of the module docs, on one generated file.
fn check_code(plan: &Plan, code: &str) -> Result<(), String> {
    // (prettyplease writes a doc with line breaks as a `/** .. */` block, whose lines may
    // start with `//`: a comment swallowing code shows below as missing operations.)
    let first = code.lines().next().unwrap_or_default();
    if !first.starts_with("// @generated") {
        return Err(format!(
            "the code does not start with `// @generated`: {first:?}"
        ));
    }
    if let Some(bad) = code
        .chars()
        .find(|c| *c == '\r' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(format!("the code holds {bad:?}, which rustc refuses"));
    }
    let file = syn::parse_file(code).map_err(|e| format!("syn does not parse the code: {e}"))?;
    let mut inventory = Inventory::default();
    inventory.visit_file(&file);
    let macros: Vec<&String> = inventory.macros.iter().filter(|m| *m != "vec").collect();
    let attributes: Vec<&String> = inventory
        .attributes
        .iter()
        .filter(|a| !matches!(a.as_str(), "derive" | "doc"))
        .collect();
    if !macros.is_empty() || !attributes.is_empty() {
        return Err(format!(
            "spec text became code: macros {macros:?}, attributes {attributes:?}"
        ));
    }
    let strings: HashSet<&str> = inventory.strings.iter().map(String::as_str).collect();
    for op in plan.apps.iter().flat_map(|a| &a.operations) {
        if !strings.contains(op.path.as_str()) {
            return Err(format!("no literal holds the path {:?} verbatim", op.path));
        }
    }
    let mut names = UniqueNames::default();
    names.visit_file(&file);
    if let Some(twice) = names.twice {
        return Err(format!("defined twice: {twice}"));
    }
    let operations: usize = plan.apps.iter().map(|a| a.operations.len()).sum();
    if names.operation_infos != operations {
        return Err(format!(
            "{} OperationInfo statics for {operations} operations",
            names.operation_infos
        ));
    }
    Ok(())
}

/// Finds names defined twice in one scope (items of a module, fields of a struct,
/// functions of an impl), and counts the `OperationInfo` statics.
#[derive(Default)]
struct UniqueNames {
    twice: Option<String>,
    operation_infos: usize,
}

impl UniqueNames {
    fn once(&mut self, scope: &str, names: impl IntoIterator<Item = String>) {
        let mut seen = BTreeSet::new();
        for name in names {
            if !seen.insert(name.clone()) && self.twice.is_none() {
                self.twice = Some(format!("{name} in {scope}"));
            }
        }
    }
}

impl<'ast> Visit<'ast> for UniqueNames {
    fn visit_file(&mut self, file: &'ast syn::File) {
        self.once("the file", file.items.iter().filter_map(item_name));
        syn::visit::visit_file(self, file);
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if let Some((_, items)) = &module.content {
            let scope = format!("mod {}", module.ident);
            self.once(&scope, items.iter().filter_map(item_name));
        }
        syn::visit::visit_item_mod(self, module);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let fields = item.fields.iter().filter_map(|f| f.ident.as_ref());
        let scope = format!("struct {}", item.ident);
        self.once(&scope, fields.map(ToString::to_string));
        syn::visit::visit_item_struct(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let fns = item.items.iter().filter_map(|i| match i {
            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        });
        self.once("an impl", fns);
        syn::visit::visit_item_impl(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        if let syn::Type::Path(path) = &*item.ty {
            if path
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "OperationInfo")
            {
                self.operation_infos += 1;
            }
        }
        syn::visit::visit_item_static(self, item);
    }
}

/// The name an item defines in its module (types and values share one list here: the
/// generator never reuses a name across namespaces).
fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Mod(i) => &i.ident,
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// What the generated code does at run time with its embedded schemas: compile each
/// from its JSON text and draw values.
fn draw_values(plan: &Plan, seed: u64) {
    let mut values = Values::new(crate::rng::from_seed(seed));
    for op in plan.apps.iter().flat_map(|a| &a.operations) {
        let schemas = op
            .params
            .iter()
            .map(|p| (p.name.as_str(), &p.schema))
            .chain(op.body.iter().map(|b| ("body", &b.schema)));
        for (name, schema) in schemas {
            let shape = Shape::from_json_text(&schema.to_string());
            for _ in 0..2 {
                let _ = values.value(&shape, name);
            }
        }
    }
}

/// Counts of a run, and what it found.
#[derive(Default)]
struct Tally {
    tried: u64,
    accepted: u64,
    rejected: u64,
    operations: u64,
    panics: u64,
    violations: u64,
    findings: Vec<Finding>,
}

impl Tally {
    fn summary(&self, elapsed: Duration) -> String {
        format!(
            "fuzz: {} inputs in {:.1} s ({:.0}/s): {} accepted ({} operations), {} rejected; \
             {} panics, {} broken properties",
            self.tried,
            elapsed.as_secs_f64(),
            self.tried as f64 / elapsed.as_secs_f64().max(1e-9),
            self.accepted,
            self.operations,
            self.rejected,
            self.panics,
            self.violations
        )
    }
}

/// Where failing cases are saved: `FUZZ_FAILURES`, else a folder in the temp dir.
fn failures_dir() -> PathBuf {
    std::env::var_os("FUZZ_FAILURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("gateway-loadtest-fuzz"))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Runs `seeds` until they run out or `deadline` passes, on a worker thread with the
/// main thread's stack. With `watch`, the seed under way is written to a file first,
/// so even a stack overflow (which aborts the process) leaves it behind, and progress
/// is printed every `watch` interval.
fn run(
    seeds: impl Iterator<Item = u64> + Send + 'static,
    deadline: Option<Instant>,
    watch: Option<Duration>,
) -> Tally {
    let worker = std::thread::Builder::new()
        .name("fuzz".to_string())
        .stack_size(STACK_BYTES)
        .spawn(move || run_here(seeds, deadline, watch))
        .expect("spawn the fuzz worker");
    worker
        .join()
        .expect("the fuzz worker itself does not panic")
}

fn run_here(
    seeds: impl Iterator<Item = u64>,
    deadline: Option<Instant>,
    watch: Option<Duration>,
) -> Tally {
    let started = Instant::now();
    let mut next_report = watch.map(|every| started + every);
    let current = failures_dir().join("current-seed");
    if watch.is_some() {
        let _ = std::fs::create_dir_all(failures_dir());
        println!(
            "fuzz: the seed under way is in {} (if the process dies)",
            current.display()
        );
    }
    let mut tally = Tally::default();
    let mut seen_messages = HashSet::new();
    for seed in seeds {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if watch.is_some() {
            let _ = std::fs::write(&current, seed.to_string());
        }
        let case = fuzz::case(seed, corpus());
        let stage = Cell::new("generate");
        let case_started = Instant::now();
        let result = panic::catch_unwind(AssertUnwindSafe(|| check(&case, &stage)));
        let took = case_started.elapsed();
        let result = match result {
            Ok(_) if took > HANG => Ok(Err(format!(
                "took {:.1} s, more than {} s",
                took.as_secs_f64(),
                HANG.as_secs()
            ))),
            other => other,
        };
        tally.tried += 1;
        let finding = match result {
            Ok(Ok(Outcome::Accepted { operations })) => {
                tally.accepted += 1;
                tally.operations += operations as u64;
                None
            }
            Ok(Ok(Outcome::Rejected)) => {
                tally.rejected += 1;
                None
            }
            Ok(Err(message)) => {
                tally.violations += 1;
                Some(message)
            }
            Err(payload) => {
                tally.panics += 1;
                Some(format!("panicked: {}", panic_message(&*payload)))
            }
        };
        if let Some(message) = finding {
            record(&mut tally, &mut seen_messages, &case, stage.get(), message);
        }
        if let (Some(at), Some(every)) = (next_report, watch) {
            if Instant::now() >= at {
                println!("{}", tally.summary(started.elapsed()));
                next_report = Some(at + every);
            }
        }
    }
    if watch.is_some() {
        let _ = std::fs::remove_file(&current);
    }
    println!("{}", tally.summary(started.elapsed()));
    tally
}

/// Prints and saves a finding; only the first case of each message and stage is kept.
fn record(
    tally: &mut Tally,
    seen: &mut HashSet<String>,
    case: &Case,
    stage: &'static str,
    message: String,
) {
    // Messages differ by the names in them; the first line up to a colon groups them.
    let key = format!("{stage}: {}", message.lines().next().unwrap_or_default());
    if tally.findings.len() >= MAX_FINDINGS || !seen.insert(key) {
        return;
    }
    let dir = failures_dir();
    let path = dir.join(format!("seed-{}.json", case.seed));
    let saved = std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, format!("{:#}\n", case.to_json())));
    let saved = match saved {
        Ok(()) => format!("saved as {}", path.display()),
        Err(e) => format!("not saved ({e})"),
    };
    println!(
        "fuzz: seed {} failed in {stage}: {message}\n  {saved}\n  replay: FUZZ_SEED={} \
         cargo test --release --lib fuzz_replay -- --ignored --nocapture",
        case.seed, case.seed
    );
    tally.findings.push(Finding {
        seed: case.seed,
        stage,
        message,
    });
}

fn assert_clean(tally: &Tally) {
    let findings: Vec<String> = tally
        .findings
        .iter()
        .map(|f| format!("seed {} ({}): {}", f.seed, f.stage, f.message))
        .collect();
    assert!(
        findings.is_empty() && tally.panics == 0 && tally.violations == 0,
        "{} panics and {} broken properties; first findings:\n{}",
        tally.panics,
        tally.violations,
        findings.join("\n")
    );
}

#[test]
fn fuzz_short_run_finds_nothing() {
    let tally = run(0..SHORT_RUN_CASES, None, None);
    assert_clean(&tally);
    // The generator must keep reaching code generation, not only the error paths.
    assert!(
        tally.accepted * 4 > tally.tried,
        "only {} of {} accepted",
        tally.accepted,
        tally.tried
    );
    assert!(tally.rejected > 0, "nothing was rejected");
}

/// The long run: `FUZZ_SECONDS` (default 600) from seed `FUZZ_START` (default: from the
/// clock, printed, so each run explores new cases).
#[test]
#[ignore = "minutes long: FUZZ_SECONDS=600 cargo test --release --lib fuzz_long_run -- --ignored --nocapture"]
fn fuzz_long_run() {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let seconds = env("FUZZ_SECONDS").unwrap_or(600);
    let start = env("FUZZ_START").unwrap_or_else(|| {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        now.map(|d| d.as_secs() << 20).unwrap_or_default()
    });
    println!("fuzz: {seconds} s from seed {start} (FUZZ_START={start} repeats this run)");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tally = run(start.., Some(deadline), Some(Duration::from_secs(60)));
    assert_clean(&tally);
}

/// Replays the seeds in `FUZZ_SEED` (comma-separated), printing each case's JSON when
/// `FUZZ_PRINT=1`.
#[test]
#[ignore = "replays FUZZ_SEED=N"]
fn fuzz_replay() {
    let seeds: Vec<u64> = std::env::var("FUZZ_SEED")
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    assert!(!seeds.is_empty(), "set FUZZ_SEED to the seed(s) to replay");
    if std::env::var_os("FUZZ_PRINT").is_some_and(|v| v == "1") {
        for seed in &seeds {
            println!("{:#}", fuzz::case(*seed, corpus()).to_json());
        }
    }
    let tally = run(seeds.into_iter(), None, None);
    assert_clean(&tally);
}
