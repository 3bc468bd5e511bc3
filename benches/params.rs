//! Per-request cost of the generated operations of the demo gateway's committed spec
//! (`generated/`): drawing one operation's parameters (`sample`), and turning the
//! resulting `RequestParts` into a reqwest `RequestBuilder` (`apply`), as a generated
//! transaction does before it sends. Nothing is sent.
//!
//! Groups: `sample/<METHOD path>` and `apply/<METHOD path>` (the builder made in setup,
//! so only `parts.apply` is timed) per operation, and `round/*`: one call of every
//! operation per iteration (throughput = operations), also with the URL join and
//! `client.request` that Goose's `get_request_builder` adds, and with the copy of the
//! base URL (`target::url_for`) that the tool uses instead.
//! The user's pool is empty, so chained ids are drawn from the schema (the costlier path).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use gateway_loadtest::generated::OPERATIONS;
use gateway_loadtest_runtime::params::{RequestParts, Values};
use gateway_loadtest_runtime::rng;
use reqwest::{Client, RequestBuilder};
use std::hint::black_box;
use std::time::Duration;
use url::Url;

/// Where the (unsent) requests would go.
const BASE: &str = "http://127.0.0.1:8000/";

fn values() -> Values {
    Values::new(rng::from_seed(1))
}

/// What `GooseUser::get_request_builder` does: join the path onto the base URL, then a
/// builder for the method. This part is Goose's and reqwest's, not ours.
fn request(client: &Client, base: &Url, parts: &RequestParts) -> RequestBuilder {
    let method = gateway_loadtest_runtime::target::reqwest_method(&parts.method)
        .expect("generated operations never use Custom");
    let url = base
        .join(&parts.path)
        .expect("a generated path joins")
        .to_string();
    client.request(method, url)
}

/// The generated transaction's own step: query, headers, cookies and body onto the builder.
fn apply(parts: RequestParts, builder: RequestBuilder, values: &mut Values) -> RequestBuilder {
    parts.apply(builder, values)
}

fn name(op: &gateway_loadtest_runtime::params::OperationInfo) -> String {
    format!("{} {}", op.method, op.path)
}

fn quick(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(50);
}

fn bench_sample(c: &mut Criterion) {
    let mut group = c.benchmark_group("sample");
    quick(&mut group);
    let mut values = values();
    for op in OPERATIONS {
        group.bench_function(BenchmarkId::from_parameter(name(op)), |b| {
            b.iter(|| (op.sample)(black_box(&mut values)))
        });
    }
    group.finish();
}

fn bench_apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply");
    quick(&mut group);
    let client = Client::new();
    let base = Url::parse(BASE).expect("the base URL parses");
    let mut drawn = values();
    let mut applying = values();
    for op in OPERATIONS {
        group.bench_function(BenchmarkId::from_parameter(name(op)), |b| {
            b.iter_batched(
                || {
                    let parts = (op.sample)(&mut drawn);
                    let builder = request(&client, &base, &parts);
                    (parts, builder)
                },
                |(parts, builder)| apply(parts, builder, &mut applying),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn bench_round(c: &mut Criterion) {
    let mut group = c.benchmark_group("round");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(OPERATIONS.len() as u64));
    let client = Client::new();
    let base = Url::parse(BASE).expect("the base URL parses");
    let mut values = values();
    group.bench_function("sample every operation", |b| {
        b.iter(|| {
            for op in OPERATIONS {
                black_box((op.sample)(&mut values));
            }
        })
    });
    let drawn: Vec<RequestParts> = OPERATIONS
        .iter()
        .map(|op| (op.sample)(&mut values))
        .collect();
    group.bench_function("url + client.request every operation (Goose's part)", |b| {
        b.iter(|| {
            for parts in &drawn {
                let _ = black_box(request(&client, &base, parts));
            }
        })
    });
    group.bench_function(
        "url_for + client.request every operation (this tool's)",
        |b| {
            b.iter(|| {
                for parts in &drawn {
                    let url = gateway_loadtest_runtime::target::url_for(&base, &parts.path)
                        .expect("a generated path is absolute");
                    let method = gateway_loadtest_runtime::target::reqwest_method(&parts.method)
                        .expect("generated operations never use Custom");
                    let _ = black_box(client.request(method, url));
                }
            })
        },
    );
    group.bench_function(
        "sample + url + client.request + apply every operation",
        |b| {
            b.iter(|| {
                for op in OPERATIONS {
                    let parts = (op.sample)(&mut values);
                    let builder = request(&client, &base, &parts);
                    let _ = black_box(apply(parts, builder, &mut values));
                }
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_round, bench_sample, bench_apply);
criterion_main!(benches);
