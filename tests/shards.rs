//! Sharded runs: the shards of a run with known response times merge, through the
//! binary's `merge`, to exactly what one process with every user reports (buckets, status
//! codes, Goose's own percentile tables, stats.csv); thresholds are judged on the whole
//! run; and a local `--shards 4` run against the demo gateway gives one run folder of the
//! whole run, its start skew, and nothing left behind.

use crate::common::{binary, temp_dir, text, Gateway, ATTACK};
use gateway_loadtest_runtime::merge::metrics::record_time;
use gateway_loadtest_runtime::shard::{split, Shard, ShardRecord};
use goose::metrics::GooseRequestMetricTimingData;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const USERS: usize = 13;
const REQUESTS_PER_USER: usize = 60;
const KEYS: [&str; 3] = ["GET /items", "POST /items", "GET /items/{id}"];

/// User `user`'s `n`th request: which, how long (µs) and its status. Users 9 and up (the
/// last shard of four) are slow, so shards judge thresholds differently from the whole.
fn request(user: usize, n: usize) -> (&'static str, u64, u16) {
    let spread = ((user * 7_919 + n * 104_729) % 4_000) as u64;
    let us = match user >= 9 {
        true => 100_000 + spread * 50,
        false => 150 + spread,
    };
    let status = match (user + n) % 17 {
        0 => 500,
        _ if n % 5 == 0 => 201,
        _ => 200,
    };
    (KEYS[n % KEYS.len()], us, status)
}

/// The Goose JSON report of users `users`, as one process running them would write it,
/// with `rules` judged by that process (`passed` as given).
fn report(users: std::ops::Range<usize>, rules: &[(&str, bool)]) -> Value {
    let mut timing: BTreeMap<&str, GooseRequestMetricTimingData> = BTreeMap::new();
    let mut codes: BTreeMap<&str, BTreeMap<u16, usize>> = BTreeMap::new();
    let mut fails: BTreeMap<&str, usize> = BTreeMap::new();
    for user in users.clone() {
        for n in 0..REQUESTS_PER_USER {
            let (key, us, status) = request(user, n);
            record_time(timing.entry(key).or_default(), us);
            *codes.entry(key).or_default().entry(status).or_default() += 1;
            *fails.entry(key).or_default() += usize::from(status >= 500);
        }
    }
    let requests: serde_json::Map<String, Value> = timing
        .iter()
        .map(|(key, data)| {
            let (method, path) = key.split_once(' ').unwrap();
            let method = if method == "GET" { "Get" } else { "Post" };
            let fail = fails[key];
            (
                key.to_string(),
                json!({
                    "path": path, "method": method, "raw_data": data,
                    "coordinated_omission_data": null, "status_code_counts": codes[key],
                    "status_code_timings": {}, "success_count": data.counter - fail,
                    "fail_count": fail, "load_test_hash": 0, "custom_method": ""
                }),
            )
        })
        .collect();
    let thresholds: Vec<Value> = rules
        .iter()
        .map(|(rule, passed)| {
            json!({"rule": rule, "observed": "", "value": null, "passed": passed,
                   "aborted": false})
        })
        .collect();
    json!({
        "goose_version": "0.19.0", "test": "gateway-loadtest",
        "started": "2026-12-01T10:00:00Z", "ended": "2026-12-01T10:00:20Z",
        "ended_by": "completed", "in_progress": false,
        "raw_metrics": {
            "hash": 0, "history": [], "duration": 20, "maximum_users": users.len(),
            "total_users": users.len(), "requests": requests, "transactions": [],
            "scenarios": [], "errors": {}, "hosts": ["http://127.0.0.1:9/"],
            "coordinated_omission_metrics": null, "thresholds": thresholds,
            "final_metrics": true, "display_status_codes": true, "display_metrics": true
        },
        "raw_request_metrics": [], "raw_response_metrics": [], "co_request_metrics": null,
        "co_response_metrics": null, "scenario_metrics": null, "transaction_metrics": null,
        "status_code_metrics": null, "errors": null, "coordinated_omission_metrics": null
    })
}

/// Writes a shard's run folder: its report and `shard.json`.
fn shard_folder(root: &Path, shard: Shard, rules: &[(&str, bool)]) -> PathBuf {
    let (users, offset) = split(USERS, shard);
    let folder = root.join(format!("shard-{}-of-{}", shard.index, shard.count));
    std::fs::create_dir_all(&folder).unwrap();
    let report = report(offset..offset + users, rules);
    std::fs::write(folder.join("report.json"), report.to_string()).unwrap();
    let record = ShardRecord {
        shard: shard.index,
        shards: shard.count,
        planned_start_ms: Some(1_000_000),
        started_ms: 1_000_000 + shard.index as u64 * 3,
        version: env!("CARGO_PKG_VERSION").to_string(),
        plan_hash: "0123456789abcdef".into(),
        users: Some(users),
        user_offset: offset,
        profile: "custom".into(),
        gateway: "http://127.0.0.1:9".into(),
        seed: Some(1),
    };
    std::fs::write(
        folder.join("shard.json"),
        serde_json::to_string(&record).unwrap(),
    )
    .unwrap();
    std::fs::write(
        folder.join("cleanup.json"),
        json!({"deleted": 1, "left_behind": [], "reasons": []}).to_string(),
    )
    .unwrap();
    folder
}

/// Runs `merge` on `folders` into `out` (with `args`); returns the exit code, the merged
/// folder and the output.
fn merge(folders: &[PathBuf], out: &Path, args: &[&str]) -> (Option<i32>, PathBuf, String) {
    let output = binary()
        .arg("merge")
        .args(folders)
        .arg("--results-dir")
        .arg(out)
        .args(args)
        .output()
        .expect("run merge");
    let log = text(&output);
    let merged: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(merged.len(), 1, "one merged folder in {out:?}: {log}");
    (output.status.code(), merged[0].clone(), log)
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const RULES: [(&str, bool); 2] = [("p50<50ms", true), ("p95<50ms", true)];

#[test]
fn four_shards_merge_to_exactly_what_one_process_with_every_user_reports() {
    let dir = temp_dir("shards-exact");
    let one = shard_folder(&dir, Shard { index: 0, count: 1 }, &RULES);
    let shards: Vec<PathBuf> = (0..4)
        .map(|index| shard_folder(&dir, Shard { index, count: 4 }, &RULES))
        .collect();
    let (one_code, one_run, one_log) = merge(&[one], &dir.join("one"), &[]);
    // Given out of order: merge sorts them by K.
    let reversed: Vec<PathBuf> = shards.iter().rev().cloned().collect();
    let (code, merged, log) = merge(&reversed, &dir.join("merged"), &[]);
    assert_eq!(code, one_code, "{log}\n{one_log}");

    let (a, b) = (
        json_file(&merged.join("report.json")),
        json_file(&one_run.join("report.json")),
    );
    for key in KEYS {
        let (got, want) = (
            &a["raw_metrics"]["requests"][key],
            &b["raw_metrics"]["requests"][key],
        );
        for field in [
            "raw_data",
            "status_code_counts",
            "success_count",
            "fail_count",
        ] {
            assert_eq!(got[field], want[field], "{key} {field}");
        }
        let sum: u64 = shards
            .iter()
            .map(|s| {
                json_file(&s.join("report.json"))["raw_metrics"]["requests"][key]["raw_data"]
                    ["counter"]
                    .as_u64()
                    .unwrap()
            })
            .sum();
        assert_eq!(got["raw_data"]["counter"].as_u64(), Some(sum), "{key}");
    }
    // Goose's own tables, rebuilt from the raw figures: percentiles, counts, codes.
    for table in [
        "raw_response_metrics",
        "raw_request_metrics",
        "status_code_metrics",
    ] {
        assert_eq!(a[table], b[table], "{table}");
    }
    assert_eq!(
        a["raw_request_metrics"].as_array().unwrap().last().unwrap()["number_of_requests"],
        json!(USERS * REQUESTS_PER_USER)
    );
    assert_eq!(
        std::fs::read_to_string(merged.join("stats.csv")).unwrap(),
        std::fs::read_to_string(one_run.join("stats.csv")).unwrap()
    );
    assert_eq!(json_file(&merged.join("shards.json"))["start_skew_ms"], 9);
    assert_eq!(json_file(&merged.join("cleanup.json"))["deleted"], 4);
    for file in [
        "report.html",
        "report.md",
        "summary.html",
        "grades.json",
        "failures.csv",
    ] {
        assert!(merged.join(file).is_file(), "no {file}: {log}");
    }
    assert!(
        std::fs::read_to_string(merged.join("summary.html"))
            .unwrap()
            .contains("start skew 9 ms"),
        "the summary shows the start skew"
    );
    // `analyze` reads the merged run like any other, with a baseline too.
    let analyzed = binary()
        .arg("analyze")
        .arg(&merged)
        .arg("--baseline")
        .arg(&one_run)
        .output()
        .unwrap();
    assert!(analyzed.status.success(), "{}", text(&analyzed));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn thresholds_are_judged_on_the_whole_run_not_the_shards() {
    let dir = temp_dir("shards-thresholds");
    // As each shard judged itself: the fast shards pass both rules, the slow one fails
    // both. On the whole run, p50 passes and p95 fails.
    let shards: Vec<PathBuf> = (0..4)
        .map(|index| {
            let fast = index < 3;
            let rules = [("p50<50ms", fast), ("p95<50ms", fast)];
            shard_folder(&dir, Shard { index, count: 4 }, &rules)
        })
        .collect();
    let one = shard_folder(&dir, Shard { index: 0, count: 1 }, &RULES);
    let (code, merged, log) = merge(&shards, &dir.join("merged"), &[]);
    let (one_code, one_run, _) = merge(&[one], &dir.join("one"), &[]);
    assert_eq!(code, Some(3), "a failed threshold exits 3: {log}");
    assert_eq!(code, one_code);
    let judged =
        |run: &Path| json_file(&run.join("report.json"))["raw_metrics"]["thresholds"].clone();
    let results = judged(&merged);
    assert_eq!(results, judged(&one_run));
    assert_eq!(results[0]["passed"], true, "{results}");
    assert_eq!(results[1]["passed"], false, "{results}");
    // Goose's own report shows the verdict on the whole run.
    let observed = results[1]["observed"].as_str().unwrap();
    let markdown = std::fs::read_to_string(merged.join("report.md")).unwrap();
    assert!(
        markdown.contains(&format!("| p95\\<50ms | {observed} | **FAIL** |")),
        "{markdown}"
    );

    // --threshold replaces the shards' rules.
    let (code, _, log) = merge(&shards, &dir.join("relaxed"), &["--threshold", "p95<2s"]);
    assert_eq!(code, Some(0), "{log}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn shards_of_different_runs_are_refused_naming_the_folder() {
    let dir = temp_dir("shards-mismatch");
    let a = shard_folder(&dir, Shard { index: 0, count: 2 }, &RULES);
    let b = shard_folder(&dir, Shard { index: 1, count: 2 }, &RULES);
    let mut record = json_file(&b.join("shard.json"));
    record["plan_hash"] = json!("ffffffffffffffff");
    std::fs::write(b.join("shard.json"), record.to_string()).unwrap();
    let output = binary()
        .arg("merge")
        .args([&a, &b])
        .arg("--results-dir")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let log = text(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        log.contains(&b.display().to_string()) && log.contains("same options"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn four_local_shards_against_the_demo_gateway_make_one_run_of_the_whole_load() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let dir = temp_dir("shards-local");
    let results = dir.join("results");
    let output = binary()
        .args(["--users", "8", "--increase-rate", "8", "--run-time", "3s"])
        .args([
            "--no-telnet",
            "--no-wait",
            "-q",
            "--seed",
            "5",
            "--shards",
            "4",
        ])
        .args(["--threshold", "error-rate<50%"])
        .arg("--results-dir")
        .arg(&results)
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run the binary");
    let log = text(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    let folder = crate::common::only_run_folder(&results, &log);
    let shards = json_file(&folder.join("shards.json"));
    let skew = shards["start_skew_ms"].as_u64().unwrap();
    eprintln!("4 local shards: start skew {skew} ms");
    assert!(
        skew <= 2_000,
        "shards start within the tolerance: {skew} ms"
    );
    let parts: Vec<Value> = (0..4)
        .map(|k| {
            let folder = shards["folders"][k].as_str().unwrap();
            assert!(
                folder.starts_with(&folder_text(&folder_of(&results))),
                "{folder}"
            );
            json_file(&Path::new(folder).join("report.json"))
        })
        .collect();
    let users: Vec<u64> = shards["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["users"].as_u64().unwrap())
        .collect();
    assert_eq!(users, [2, 2, 2, 2]);
    let total = |report: &Value| {
        report["raw_request_metrics"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["number_of_requests"]
            .as_u64()
            .unwrap()
    };
    let merged = json_file(&folder.join("report.json"));
    let sum: u64 = parts.iter().map(total).sum();
    assert!(sum > 0, "{log}");
    assert_eq!(total(&merged), sum, "the whole run's requests");
    assert_eq!(merged["raw_metrics"]["maximum_users"], 8);
    let stats = std::fs::read_to_string(folder.join("stats.csv")).unwrap();
    assert!(
        stats
            .lines()
            .last()
            .unwrap()
            .starts_with(&format!(",Aggregated,{sum},")),
        "{stats}"
    );
    let summary = std::fs::read_to_string(folder.join("summary.html")).unwrap();
    assert!(
        summary.contains(&format!("start skew {skew} ms")),
        "summary shows the skew"
    );
    assert!(
        summary.contains("0 left behind"),
        "summary shows the cleanup"
    );
    assert_eq!(
        json_file(&folder.join("cleanup.json"))["left_behind"],
        json!([])
    );
    let status: Value = reqwest::blocking::get(format!("{}/gateway/status", gateway.url))
        .unwrap()
        .json()
        .unwrap();
    let live: u64 = status["live_resources"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    assert_eq!(live, 0, "left behind on the gateway: {status}");

    // A shard that reaches a start already 10 s past refuses to run, saying why.
    let past = gateway_loadtest_runtime::shard::now_ms() - 10_000;
    let late = binary()
        .args([
            "--users",
            "2",
            "--run-time",
            "1s",
            "--no-telnet",
            "-q",
            "--no-warmup",
        ])
        .args(["--shard", "1/2", "--start-at", &past.to_string()])
        .arg("--results-dir")
        .arg(dir.join("late"))
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .unwrap();
    let log = text(&late);
    assert_eq!(late.status.code(), Some(1), "{log}");
    assert!(
        log.contains("start shard 1/2: --start-at was") && log.contains("TIME further ahead"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The one run folder under `results`.
fn folder_of(results: &Path) -> PathBuf {
    crate::common::only_run_folder(results, "")
}

fn folder_text(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn kubernetes_manifests_take_the_token_from_a_secret_and_never_hold_it() {
    let dir = temp_dir("shards-k8s");
    let secret = "tok-3f9a-never-printed";
    let output = binary()
        .args([
            "kubernetes",
            "--shards",
            "3",
            "--gateway",
            "http://gw.load.svc:8000",
        ])
        .args(["--token-secret", "gw-token", "--out"])
        .arg(&dir)
        .args(["--", "--users", "30", "--run-time", "1m"])
        .env("GATEWAY_TOKEN", secret)
        .env("GATEWAY_HEADERS", format!("X-Api-Key: {secret}"))
        .output()
        .unwrap();
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains(secret), "{log}");
    let yaml = std::fs::read_to_string(dir.join("gateway-loadtest.yaml")).unwrap();
    assert!(!yaml.contains(secret), "{yaml}");
    assert!(yaml.contains("\"completionMode\": \"Indexed\""), "{yaml}");
    assert!(yaml.contains("\"secretKeyRef\""), "{yaml}");
    // The repository's configuration file travels in the ConfigMap.
    assert!(yaml.contains("\"kind\": \"ConfigMap\""), "{yaml}");
    let _ = std::fs::remove_dir_all(dir);
}
