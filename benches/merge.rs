//! Time to merge a sharded run: 100 shard folders of 200 endpoints each (Goose JSON
//! reports with microsecond buckets, status codes and 60 s of per-second graph data),
//! written to a temporary folder first. Prints, not criterion: one merge is the unit.
//!
//!     cargo bench --bench merge
//!     MERGE_SHARDS=20 MERGE_ENDPOINTS=50 MERGE_SECONDS=300 cargo bench --bench merge
//!
//! Lines: the size of the input, then `read+check+merge` (the library: reading every
//! folder, checking, merging metrics, graphs, cleanup and thresholds), then the whole
//! `merge` command (that, plus Goose rendering report.json/html/md and our CSVs, grades
//! and summary.html).

use gateway_loadtest_runtime::merge::{self, metrics::record_time};
use gateway_loadtest_runtime::shard::ShardRecord;
use goose::metrics::GooseRequestMetricTimingData;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A shard's report: `endpoints` requests of 300 times each, spread over 1 ms–1 s.
fn report(shard: usize, endpoints: usize, seconds: usize) -> Value {
    let mut requests = serde_json::Map::new();
    let mut per_second = serde_json::Map::new();
    let mut averages = serde_json::Map::new();
    for e in 0..endpoints {
        let key = format!("GET /app{}/items{e}/{{id}}", e % 7);
        let mut data = GooseRequestMetricTimingData::default();
        for n in 0..300u64 {
            let us = 1_000 + (n * 7_919 + e as u64 * 104_729 + shard as u64 * 31) % 1_000_000;
            record_time(&mut data, us);
        }
        let path = key.split_once(' ').unwrap().1;
        requests.insert(
            key.clone(),
            json!({"path": path, "method": "Get", "raw_data": data,
                   "coordinated_omission_data": null,
                   "status_code_counts": {"200": 290, "404": 10},
                   "status_code_timings": {}, "success_count": 290, "fail_count": 10,
                   "load_test_hash": 0, "custom_method": ""}),
        );
        let counts: Vec<u64> = (0..seconds).map(|s| ((s + e) % 9) as u64).collect();
        let avgs: Vec<Value> = counts.iter().map(|c| json!([c, 12.5])).collect();
        per_second.insert(key.clone(), json!({"origin": 0, "data": counts}));
        averages.insert(key, json!({"origin": 0, "data": avgs}));
    }
    json!({
        "goose_version": "0.19.0", "started": "2026-12-01T10:00:00Z",
        "ended": "2026-12-01T10:01:00Z", "ended_by": "completed", "in_progress": false,
        "raw_metrics": {"hash": 0, "history": [], "duration": seconds, "maximum_users": 10,
            "total_users": 10, "requests": requests, "transactions": [], "scenarios": [],
            "errors": {}, "hosts": ["http://127.0.0.1:9/"],
            "coordinated_omission_metrics": null, "final_metrics": true,
            "display_status_codes": true, "display_metrics": true,
            "thresholds": [{"rule": "p95<500ms", "observed": "", "value": null,
                            "passed": true, "aborted": false}]},
        "raw_request_metrics": [], "raw_response_metrics": [], "co_request_metrics": null,
        "co_response_metrics": null, "scenario_metrics": null, "transaction_metrics": null,
        "status_code_metrics": null, "errors": null, "coordinated_omission_metrics": null,
        "graphs": {"requests_per_second": per_second, "errors_per_second": {},
                   "average_response_time": averages,
                   "users_per_second": {"origin": 0, "data": vec![10; seconds]},
                   "transactions_per_second": {"origin": 0, "data": vec![5; seconds]},
                   "scenarios_per_second": {"origin": 0, "data": vec![1; seconds]}}
    })
}

fn write_shards(root: &Path, shards: usize, endpoints: usize, seconds: usize) -> Vec<PathBuf> {
    (0..shards)
        .map(|k| {
            let folder = root.join(format!("shard-{k}"));
            std::fs::create_dir_all(&folder).unwrap();
            let text = report(k, endpoints, seconds).to_string();
            std::fs::write(folder.join("report.json"), text).unwrap();
            let record = ShardRecord {
                shard: k,
                shards,
                planned_start_ms: Some(0),
                started_ms: k as u64,
                version: "0.1.0".into(),
                plan_hash: "bench".into(),
                users: Some(10),
                user_offset: k * 10,
                profile: "bench".into(),
                gateway: "http://127.0.0.1:9".into(),
                seed: None,
            };
            std::fs::write(
                folder.join("shard.json"),
                serde_json::to_string(&record).unwrap(),
            )
            .unwrap();
            folder
        })
        .collect()
}

/// This process's CPU time (user + system) so far, in seconds, from /proc (Linux): less
/// noisy than the wall clock on a shared machine.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let shards = env("MERGE_SHARDS", 100);
    let endpoints = env("MERGE_ENDPOINTS", 200);
    let seconds = env("MERGE_SECONDS", 60);
    let root = std::env::temp_dir().join(format!("glt-bench-merge-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let folders = write_shards(&root.join("in"), shards, endpoints, seconds);
    let bytes: u64 = folders
        .iter()
        .map(|f| std::fs::metadata(f.join("report.json")).unwrap().len())
        .sum();
    println!(
        "merge: {shards} shards x {endpoints} endpoints, {seconds} s of graph data, {:.1} MB of report.json",
        bytes as f64 / 1e6
    );

    for round in 1..=3 {
        let cpu = cpu_secs();
        let started = Instant::now();
        let mut runs = merge::load_all(&folders).unwrap();
        let read = started.elapsed();
        merge::check(&mut runs).unwrap();
        let merged = merge::merge(&runs, None).unwrap();
        let total = started.elapsed();
        assert_eq!(merged.metrics.requests.len(), endpoints);
        println!(
            "round {round}: read+check+merge {:.3} s wall (reading {:.3} s), {:.2} s CPU",
            total.as_secs_f64(),
            read.as_secs_f64(),
            cpu_secs() - cpu
        );
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    for round in 1..=2 {
        let out = root.join(format!("out-{round}"));
        let cpu = cpu_secs();
        let started = Instant::now();
        let outcome = runtime
            .block_on(gateway_loadtest_runtime::commands::merge::run(
                &folders,
                &out,
                None,
                &Default::default(),
            ))
            .unwrap();
        println!(
            "round {round}: the merge command, with every report written: {:.3} s wall, {:.2} s CPU ({} requests)",
            started.elapsed().as_secs_f64(),
            cpu_secs() - cpu,
            outcome.requests
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
