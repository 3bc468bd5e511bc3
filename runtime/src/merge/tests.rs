//! Unit tests of checking and merging shards (the merge module's own, kept beside it).

use super::*;
use crate::merge::metrics::record_time;
use goose::metrics::GooseRequestMetricTimingData;

/// Metrics of requests `(key, times in µs, status code)`, each time one request.
pub(crate) fn metrics_of(requests: &[(&str, Vec<u64>, u16)]) -> GooseMetrics {
    let mut map = serde_json::Map::new();
    for (key, times, code) in requests {
        let mut data = GooseRequestMetricTimingData::default();
        for &t in times {
            record_time(&mut data, t);
        }
        let fails = if *code >= 400 { times.len() } else { 0 };
        let (method, path) = key.split_once(' ').unwrap();
        let method = match method {
            "GET" => "Get",
            "POST" => "Post",
            _ => "Delete",
        };
        map.insert(
            key.to_string(),
            json!({
                "path": path, "method": method, "raw_data": data,
                "coordinated_omission_data": null,
                "status_code_counts": {code.to_string(): times.len()},
                "status_code_timings": {}, "success_count": times.len() - fails,
                "fail_count": fails, "load_test_hash": 0, "custom_method": ""
            }),
        );
    }
    serde_json::from_value(json!({
        "hash": 0, "duration": 10, "maximum_users": 2, "total_users": 2,
        "requests": map, "transactions": [], "scenarios": [], "errors": {},
        "hosts": ["http://127.0.0.1:1/"], "coordinated_omission_metrics": null,
        "final_metrics": true, "display_status_codes": true, "display_metrics": true
    }))
    .expect("metrics")
}

fn record(shard: usize, shards: usize, started_ms: u64) -> ShardRecord {
    ShardRecord {
        shard,
        shards,
        planned_start_ms: Some(1_000),
        started_ms,
        version: "0.1.0".into(),
        plan_hash: "abc".into(),
        users: Some(2),
        user_offset: shard * 2,
        profile: "custom".into(),
        gateway: "http://127.0.0.1:1".into(),
        seed: Some(1),
    }
}

fn shard_run(shard: usize, shards: usize, metrics: GooseMetrics) -> ShardRun {
    let rows: Vec<Value> = metrics
        .requests
        .iter()
        .map(|(key, r)| {
            let method = r.method_label().to_string();
            json!({"method": method, "name": key.strip_prefix(&format!("{method} ")).unwrap()})
        })
        .chain([json!({"method": "", "name": "Aggregated"})])
        .collect();
    ShardRun {
        folder: PathBuf::from(format!("/runs/shard-{shard}")),
        record: record(shard, shards, 1_000 + shard as u64 * 7),
        report: json!({
            "started": format!("2026-01-01T00:00:0{shard}Z"), "ended": "2026-01-01T00:00:10Z",
            "ended_by": "completed", "raw_metrics": metrics,
            "raw_request_metrics": rows, "raw_response_metrics": rows,
            "errors": null, "status_code_metrics": []
        }),
        metrics,
        cleanup: Some(
            json!({"deleted": shard, "left_behind": [["doc", format!("{shard}")]],
                             "reasons": []}),
        ),
    }
}

#[test]
fn shards_merge_to_what_one_process_with_every_request_records() {
    let times = |from: u64| (0..50).map(|i| from + i * 997).collect::<Vec<u64>>();
    let one = metrics_of(&[
        ("GET /a", [times(100), times(300)].concat(), 200),
        ("POST /b", times(5_000), 201),
        ("GET /c", times(40), 404),
    ]);
    let mut shards = vec![
        shard_run(
            1,
            2,
            metrics_of(&[("GET /a", times(300), 200), ("GET /c", times(40), 404)]),
        ),
        shard_run(
            0,
            2,
            metrics_of(&[("GET /a", times(100), 200), ("POST /b", times(5_000), 201)]),
        ),
    ];
    check(&mut shards).unwrap();
    assert_eq!(shards[0].record.shard, 0, "sorted by K");
    let merged = merge(&shards, Some(&["p95<10ms".to_string()])).unwrap();
    for (key, request) in &one.requests {
        let got = &merged.metrics.requests[key];
        assert_eq!(got.raw_data, request.raw_data, "{key}");
        assert_eq!(got.status_code_counts, request.status_code_counts, "{key}");
        assert_eq!(got.fail_count, request.fail_count, "{key}");
        for p in [0.5f32, 0.95, 0.99] {
            assert_eq!(
                got.raw_data.percentile_us(p),
                request.raw_data.percentile_us(p)
            );
        }
    }
    assert_eq!(merged.metrics.maximum_users, 4);
    assert_eq!(merged.start_skew_ms, 7);
    // Every request row of either shard, in key order, then Aggregated.
    let names: Vec<&str> = merged.report["raw_request_metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["/a", "/c", "/b", "Aggregated"]);
    assert_eq!(
        merged.report["status_code_metrics"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["status_codes"],
        "100 [200], 50 [201], 50 [404]"
    );
    assert_eq!(merged.report["started"], "2026-01-01T00:00:00Z");
    assert_eq!(merged.cleanup["deleted"], 1);
    assert_eq!(merged.cleanup["left_behind"].as_array().unwrap().len(), 2);
    // p95 of all: among the 40..49k 404s and 5-55 ms POSTs, above 10 ms.
    assert!(merged.thresholds_failed);
    assert!(!merged.metrics.thresholds[0].passed);
}

#[test]
fn shards_that_do_not_belong_together_are_refused_naming_the_folder() {
    let metrics = || metrics_of(&[("GET /a", vec![100], 200)]);
    let mut twice = vec![shard_run(0, 2, metrics()), shard_run(0, 2, metrics())];
    let err = check(&mut twice).unwrap_err().to_string();
    assert!(
        err.contains("both shard 0") && err.contains("/runs/shard-0"),
        "{err}"
    );

    let mut missing = vec![shard_run(0, 3, metrics()), shard_run(2, 3, metrics())];
    let err = check(&mut missing).unwrap_err().to_string();
    assert!(err.contains("shard(s) 1 of 3 are missing"), "{err}");

    let mut other_plan = vec![shard_run(0, 2, metrics()), shard_run(1, 2, metrics())];
    other_plan[1].record.plan_hash = "def".into();
    let err = check(&mut other_plan).unwrap_err().to_string();
    assert!(
        err.contains("/runs/shard-1") && err.contains("another load"),
        "{err}"
    );

    let mut other_version = vec![shard_run(0, 2, metrics()), shard_run(1, 2, metrics())];
    other_version[1].record.version = "9.9.9".into();
    let err = check(&mut other_version).unwrap_err().to_string();
    assert!(err.contains("version 9.9.9"), "{err}");

    let mut other_count = vec![shard_run(0, 2, metrics()), shard_run(1, 3, metrics())];
    let err = check(&mut other_count).unwrap_err().to_string();
    assert!(err.contains("a shard of 3"), "{err}");
}

#[test]
fn a_folder_without_shard_json_is_named() {
    let dir = std::env::temp_dir().join(format!("glt-merge-noshard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = load(&dir).unwrap_err().to_string();
    assert!(
        err.contains(&dir.display().to_string()) && err.contains("--shard"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn counts_in_status_tables_have_thousands_separators() {
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(thousands(999), "999");
}
