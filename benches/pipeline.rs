//! Build-time cost of the spec pipeline on synthetic FastAPI specs of 100, 1,000 and
//! 10,000 operations (see `synthetic.rs`): normalise + parse + plan (`spec::plan::build`)
//! and code generation (`codegen::generate`), each also per operation (throughput).
//!
//! Before criterion runs, a plain timed pass prints each build stage at 1,000 and 10,000
//! operations and the ratio time(10k)/time(1k): 10 means linear growth. It prints
//! numbers only; nothing here asserts a time (STYLE.md item 6).

#[path = "synthetic.rs"]
mod synthetic;

use criterion::{criterion_group, BenchmarkId, Criterion, SamplingMode, Throughput};
use gateway_loadtest_runtime::codegen;
use gateway_loadtest_runtime::spec::discovery::Discovery;
use gateway_loadtest_runtime::spec::filter::Filter;
use gateway_loadtest_runtime::spec::model::Plan;
use gateway_loadtest_runtime::spec::plan;
use gateway_loadtest_runtime::spec::{links, normalize, parse};
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The whole of normalise + parse + plan + link inference, as build.rs calls it.
fn plan_of(discovery: &Discovery) -> Plan {
    plan::build(discovery, &Filter::default()).expect("the synthetic spec plans")
}

fn generate(plan: &Plan) -> String {
    codegen::generate(plan, "synthetic spec", 0).expect("the synthetic plan generates")
}

fn operations(plan: &Plan) -> usize {
    plan.apps.iter().map(|a| a.operations.len()).sum()
}

/// Criterion settings that keep the whole run to a few minutes on two cores: flat
/// sampling, fewer samples for the big specs, and a measurement time fitted to the cost
/// of `one` call so that criterion neither warns nor runs longer than it must.
fn sized(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
    one: Duration,
) {
    let samples: u32 = if n <= 100 {
        30
    } else if n <= 1_000 {
        15
    } else {
        10
    };
    let fitted = one.mul_f64(1.1) * samples;
    group
        .throughput(Throughput::Elements(n as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(samples as usize)
        .measurement_time(fitted.max(Duration::from_secs(3)));
}

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.warm_up_time(Duration::from_secs(1));
    for n in synthetic::SIZES {
        let discovery = synthetic::discovery(n);
        let document = &discovery.apps[0].document;
        assert_eq!(
            synthetic::count_operations(document),
            n,
            "the document has n operations"
        );
        let start = Instant::now();
        let planned = operations(&plan_of(&discovery));
        sized(&mut group, n, start.elapsed());
        assert_eq!(planned, n, "every synthetic operation is planned");
        group.bench_with_input(BenchmarkId::from_parameter(n), &discovery, |b, d| {
            b.iter(|| plan_of(black_box(d)))
        });
    }
    group.finish();
}

fn bench_codegen(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    group.warm_up_time(Duration::from_secs(1));
    for n in synthetic::SIZES {
        let plan = plan_of(&synthetic::discovery(n));
        let start = Instant::now();
        black_box(generate(&plan));
        sized(&mut group, n, start.elapsed());
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan, |b, plan| {
            b.iter(|| generate(black_box(plan)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_plan, bench_codegen);

/// The fastest of `runs` timed calls.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Every stage build.rs runs, timed alone, at one size.
fn stages(n: usize, runs: usize) -> Vec<(&'static str, Duration)> {
    let discovery = synthetic::discovery(n);
    let document = &discovery.apps[0].document;
    let mut normalised = document.clone();
    normalize::normalize(&mut normalised).expect("the synthetic spec normalises");
    let plan = plan_of(&discovery);
    let code = generate(&plan);
    let documents: Vec<&Value> = discovery.apps.iter().map(|a| &a.document).collect();
    let parsed = syn::parse_file(&code).expect("the generated code parses");
    let tokens: proc_macro2::TokenStream = code.parse().expect("the generated code lexes");
    eprintln!(
        "  {n} operations: generated source {:.1} MB, {} lines",
        code.len() as f64 / 1e6,
        code.lines().count()
    );
    vec![
        ("clone the document", best_of(runs, || document.clone())),
        (
            "normalise (3.1 -> 3.0)",
            best_of(runs, || normalize::normalize(&mut document.clone())),
        ),
        (
            "parse (openapiv3, normalised input)",
            best_of(runs, || parse::to_openapi(normalised.clone())),
        ),
        (
            "plan::build (all of the above + plan + links)",
            best_of(runs, || plan_of(&discovery)),
        ),
        (
            "  of which links::infer (producer/consumer links)",
            best_of(runs, || {
                links::infer(&mut plan.clone(), &Default::default())
            })
            .saturating_sub(best_of(runs, || plan.clone())),
        ),
        ("codegen::generate", best_of(runs, || generate(&plan))),
        (
            "  ~ lex the output into a TokenStream",
            best_of(runs, || code.parse::<proc_macro2::TokenStream>()),
        ),
        (
            "  ~ syn::parse2 of that TokenStream",
            best_of(runs, || syn::parse2::<syn::File>(tokens.clone())),
        ),
        (
            "  ~ prettyplease::unparse of that syn::File",
            best_of(runs, || prettyplease::unparse(&parsed)),
        ),
        (
            "  (unformatted TokenStream::to_string instead)",
            best_of(runs, || tokens.to_string()),
        ),
        (
            "spec hash (build.rs: fnv1a of the JSON text)",
            best_of(runs, || {
                codegen::fnv1a(
                    serde_json::to_string(&documents)
                        .unwrap_or_default()
                        .as_bytes(),
                )
            }),
        ),
        (
            "plan.json (build.rs: to_vec_pretty)",
            best_of(runs, || serde_json::to_vec_pretty(&plan)),
        ),
    ]
}

/// Prints each stage at 1k and 10k operations and the ratio; linear growth is 10.
fn linearity() {
    eprintln!("pipeline: one plain timed pass (best of 3 at 1k, of 2 at 10k operations)");
    let small = stages(1_000, 3);
    let large = stages(10_000, 2);
    eprintln!(
        "{:<48} {:>12} {:>12} {:>10} {:>14}",
        "stage", "1k ops", "10k ops", "10k/1k", "per op at 10k"
    );
    for ((name, t1), (_, t10)) in small.iter().zip(&large) {
        let ratio = t10.as_secs_f64() / t1.as_secs_f64().max(1e-9);
        let per_op = t10.as_secs_f64() / 10_000.0 * 1e6;
        eprintln!(
            "{name:<48} {:>9.1} ms {:>9.1} ms {ratio:>10.2} {per_op:>11.1} µs",
            t1.as_secs_f64() * 1e3,
            t10.as_secs_f64() * 1e3,
        );
    }
    eprintln!("(a ratio near 10 is linear; well above 10 grows faster than linearly)\n");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then only
    // criterion's one-shot test mode runs. `PIPELINE_LINEARITY=0` skips the pass (when
    // filtering or profiling one benchmark).
    let wanted = std::env::var("PIPELINE_LINEARITY").map_or(true, |v| v != "0");
    if wanted && std::env::args().any(|a| a == "--bench") {
        linearity();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
