//! Joining the run folders of a sharded run (`--shard K/N`) into one run: checking that
//! the shards belong together, merging their Goose JSON reports exactly ([`metrics`],
//! [`graphs`]), their cleanup records, and judging the thresholds again ([`thresholds`]).
//!
//! The result is a Goose JSON report for the whole run whose tables are placeholders
//! that Goose's own `--render-report` rebuilds from the merged raw figures (it rebuilds
//! the request, response, transaction and scenario rows of a report with microsecond
//! buckets); the status-code and error tables, which it does not rebuild, are written
//! here as Goose writes them.

pub mod graphs;
pub mod metrics;
pub mod thresholds;

use crate::shard::{ShardRecord, SHARD_FILE};
use goose::metrics::GooseMetrics;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One shard's run folder, read.
#[derive(Debug, Clone)]
pub struct ShardRun {
    pub folder: PathBuf,
    pub record: ShardRecord,
    /// The Goose JSON report, its `raw_metrics` taken out into `metrics`.
    pub report: Value,
    pub metrics: GooseMetrics,
    /// `cleanup.json`, when the folder has one.
    pub cleanup: Option<Value>,
}

/// Why shards cannot be merged; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("read {path}: {source}; give the run folders the shards wrote (each holds report.json and shard.json)")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("read {path}: {detail}")]
    Parse { path: String, detail: String },
    #[error("merge the shards: {0}")]
    Mismatch(String),
    #[error(transparent)]
    Threshold(#[from] thresholds::RuleError),
}

fn read_json(path: &Path) -> Result<Value, MergeError> {
    let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| MergeError::Parse {
        path: path.display().to_string(),
        detail: format!("not JSON: {e}"),
    })
}

/// A Goose JSON report as `load` reads it: the raw figures typed, the tables Goose
/// rebuilds skipped, and the few other fields (version, times, graphs) kept as they are.
#[derive(Deserialize)]
struct ReportIn {
    raw_metrics: GooseMetrics,
    goose_version: Option<Value>,
    test: Option<Value>,
    started: Option<Value>,
    ended: Option<Value>,
    ended_by: Option<Value>,
    in_progress: Option<Value>,
    graphs: Option<Value>,
    scenario_metrics: Option<Value>,
    transaction_metrics: Option<Value>,
    co_request_metrics: Option<Value>,
    co_response_metrics: Option<Value>,
    coordinated_omission_metrics: Option<Value>,
}

impl ReportIn {
    /// The report without its raw figures or the tables Goose rebuilds; fields the shard's
    /// report did not have stay out.
    fn rest(self) -> (GooseMetrics, Value) {
        let mut map = serde_json::Map::new();
        for (name, value) in [
            ("goose_version", self.goose_version),
            ("test", self.test),
            ("started", self.started),
            ("ended", self.ended),
            ("ended_by", self.ended_by),
            ("in_progress", self.in_progress),
            ("raw_metrics", Some(Value::Null)),
            ("co_request_metrics", self.co_request_metrics),
            ("co_response_metrics", self.co_response_metrics),
            ("scenario_metrics", self.scenario_metrics),
            ("transaction_metrics", self.transaction_metrics),
            (
                "coordinated_omission_metrics",
                self.coordinated_omission_metrics,
            ),
            ("graphs", self.graphs),
        ] {
            if let Some(value) = value {
                map.insert(name.to_string(), value);
            }
        }
        (self.raw_metrics, Value::Object(map))
    }
}

/// Reads a shard's run folder: its `shard.json`, `report.json` and `cleanup.json`.
pub fn load(folder: &Path) -> Result<ShardRun, MergeError> {
    let record_path = folder.join(SHARD_FILE);
    if !record_path.is_file() {
        return Err(MergeError::Mismatch(format!(
            "{} has no {SHARD_FILE}: it is not the folder of a shard run (run each shard with \
             --shard K/N)",
            folder.display()
        )));
    }
    let record: ShardRecord =
        serde_json::from_value(read_json(&record_path)?).map_err(|e| MergeError::Parse {
            path: record_path.display().to_string(),
            detail: format!("not a shard record: {e}"),
        })?;
    let report_path = folder.join("report.json");
    let text = std::fs::read_to_string(&report_path).map_err(|source| MergeError::Read {
        path: report_path.display().to_string(),
        source,
    })?;
    // Typed in one pass (no intermediate JSON tree for the buckets, most of the report);
    // the tables Goose rebuilds are skipped.
    let parsed: ReportIn = serde_json::from_str(&text).map_err(|e| MergeError::Parse {
        path: report_path.display().to_string(),
        detail: format!("not a Goose JSON report: {e}"),
    })?;
    let (metrics, report) = parsed.rest();
    let cleanup_path = folder.join("cleanup.json");
    let cleanup = match cleanup_path.is_file() {
        true => Some(read_json(&cleanup_path)?),
        false => None,
    };
    Ok(ShardRun {
        folder: folder.to_path_buf(),
        record,
        report,
        metrics,
        cleanup,
    })
}

/// Reads every folder (see [`load`]), on every core: parsing the reports is most of a
/// merge's time.
pub fn load_all(folders: &[PathBuf]) -> Result<Vec<ShardRun>, MergeError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = folders.len().div_ceil(cores).max(1);
    let loaded: Vec<Result<Vec<ShardRun>, MergeError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = folders
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|f| load(f)).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(MergeError::Mismatch("a reader thread panicked".into()))
                })
            })
            .collect()
    });
    let mut runs = Vec::with_capacity(folders.len());
    for part in loaded {
        runs.extend(part?);
    }
    Ok(runs)
}

/// Checks that `shards` are the N shards of one run, each once, from one binary and plan;
/// sorts them by K.
pub fn check(shards: &mut [ShardRun]) -> Result<(), MergeError> {
    let Some(first) = shards.first() else {
        return Err(MergeError::Mismatch(
            "no run folders given; name the folder of every shard".into(),
        ));
    };
    let (version, hash, count) = (
        first.record.version.clone(),
        first.record.plan_hash.clone(),
        first.record.shards,
    );
    let name = |s: &ShardRun| s.folder.display().to_string();
    for shard in shards.iter() {
        let r = &shard.record;
        if r.version != version {
            return Err(MergeError::Mismatch(format!(
                "{} was run by version {}, {} by version {}; run every shard with the same binary",
                name(shard),
                r.version,
                name(first),
                version
            )));
        }
        if r.plan_hash != hash {
            return Err(MergeError::Mismatch(format!(
                "{} ran another load than {} (plan hash {} and {}); give every shard the same \
                 options and build",
                name(shard),
                name(first),
                r.plan_hash,
                hash
            )));
        }
        if r.shards != count {
            return Err(MergeError::Mismatch(format!(
                "{} is a shard of {} but {} of {}; merge the shards of one run",
                name(shard),
                r.shards,
                name(first),
                count
            )));
        }
    }
    shards.sort_by_key(|s| s.record.shard);
    for pair in shards.windows(2) {
        if pair[0].record.shard == pair[1].record.shard {
            return Err(MergeError::Mismatch(format!(
                "{} and {} are both shard {} of {count}; give each shard once",
                name(&pair[0]),
                name(&pair[1]),
                pair[0].record.shard
            )));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|k| !shards.iter().any(|s| s.record.shard == *k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Mismatch(format!(
            "shard(s) {} of {count} are missing; give the folder of every shard",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// The whole run, merged.
#[derive(Debug, Clone)]
pub struct Merged {
    /// A Goose JSON report of the whole run, for Goose to render (see the module docs).
    pub report: Value,
    pub metrics: GooseMetrics,
    /// What the shards' sweeps deleted and left behind, together.
    pub cleanup: Value,
    /// The latest shard's start minus the earliest's, in milliseconds.
    pub start_skew_ms: u64,
    pub thresholds_failed: bool,
}

/// Merges checked shards (see [`check`]). `rules` replaces the thresholds the shards ran
/// with, when given.
pub fn merge(shards: &[ShardRun], rules: Option<&[String]>) -> Result<Merged, MergeError> {
    let mut merged = shards[0].metrics.clone();
    metrics::offset_users(&mut merged, shards[0].record.user_offset);
    for shard in &shards[1..] {
        metrics::merge_into(&mut merged, &shard.metrics, shard.record.user_offset);
    }
    let shard_results: Vec<_> = shards
        .iter()
        .map(|s| s.metrics.thresholds.clone())
        .collect();
    let rules: Vec<String> = match rules {
        Some(rules) => rules.to_vec(),
        None => shards[0]
            .metrics
            .thresholds
            .iter()
            .map(|t| t.rule.clone())
            .collect(),
    };
    merged.thresholds = thresholds::judge(&rules, &merged, &shard_results)?;
    let thresholds_failed = merged.thresholds.iter().any(|t| !t.passed);

    let starts: Vec<u64> = shards.iter().map(|s| s.record.started_ms).collect();
    let start_skew_ms = starts.iter().max().unwrap_or(&0) - starts.iter().min().unwrap_or(&0);

    let report = report(shards, &merged)?;
    Ok(Merged {
        report,
        metrics: merged,
        cleanup: cleanup(shards),
        start_skew_ms,
        thresholds_failed,
    })
}

/// The whole run's Goose JSON report: the first shard's, with the merged raw figures and
/// graphs, the earliest start and latest end, and every row key any shard has.
fn report(shards: &[ShardRun], merged: &GooseMetrics) -> Result<Value, MergeError> {
    let mut report = shards[0].report.clone();
    report["raw_metrics"] = serde_json::to_value(merged).map_err(|e| MergeError::Parse {
        path: "the merged metrics".into(),
        detail: e.to_string(),
    })?;
    let texts = |field: &str| -> Vec<String> {
        shards
            .iter()
            .filter_map(|s| s.report.get(field).and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    };
    if let Some(started) = texts("started").into_iter().min() {
        report["started"] = json!(started);
    }
    if let Some(ended) = texts("ended").into_iter().max() {
        report["ended"] = json!(ended);
    }
    // A shard that did not complete makes the whole run one that did not.
    if let Some(ended_by) = texts("ended_by").into_iter().find(|e| e != "completed") {
        report["ended_by"] = json!(ended_by);
    }
    let graphs: Vec<&Value> = shards
        .iter()
        .filter_map(|s| s.report.get("graphs").filter(|g| g.is_object()))
        .collect();
    if let Some(graphs) = graphs::merge(&graphs) {
        report["graphs"] = graphs;
    }
    report["raw_request_metrics"] = request_rows(merged, &REQUEST_FIGURES);
    report["raw_response_metrics"] = request_rows(merged, &RESPONSE_FIGURES);
    for table in ["co_request_metrics", "co_response_metrics"] {
        report[table] = union_rows(shards, table, &["method", "name"], merged);
    }
    report["transaction_metrics"] = union_rows(
        shards,
        "transaction_metrics",
        &["transaction", "name"],
        merged,
    );
    report["scenario_metrics"] = union_rows(shards, "scenario_metrics", &["name"], merged);
    report["status_code_metrics"] = status_code_rows(merged);
    report["errors"] = error_rows(merged);
    match transaction_error_rows(merged) {
        Some(rows) => report["transaction_errors"] = rows,
        None => {
            if let Some(map) = report.as_object_mut() {
                map.remove("transaction_errors");
            }
        }
    }
    Ok(report)
}

/// Every row of `table` in any shard, once per key: request rows in the order of the
/// merged requests, the rest (Aggregated) after. Goose rebuilds their figures.
fn union_rows(shards: &[ShardRun], table: &str, key: &[&str], merged: &GooseMetrics) -> Value {
    let row_key = |row: &Value| -> Vec<String> {
        key.iter()
            .map(|k| {
                row.get(*k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    let mut rows: Vec<Value> = Vec::new();
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    let mut any = false;
    for shard in shards {
        let Some(list) = shard.report.get(table).and_then(Value::as_array) else {
            continue;
        };
        any = true;
        for row in list {
            if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(row_key(row)) {
                slot.insert(rows.len());
                rows.push(row.clone());
            }
        }
    }
    if !any {
        return Value::Null;
    }
    if key == ["method", "name"] {
        let mut keys: Vec<&String> = merged.requests.keys().collect();
        keys.sort();
        let order: HashMap<Vec<String>, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let request = &merged.requests[*key];
                let method = request.method_label().to_string();
                let name = key
                    .strip_prefix(&format!("{method} "))
                    .unwrap_or(key)
                    .to_string();
                (vec![method, name], i)
            })
            .collect();
        rows.sort_by_key(|row| order.get(&row_key(row)).copied().unwrap_or(usize::MAX));
    }
    Value::Array(rows)
}

/// The figures of a request row and of a response (percentile) row.
const REQUEST_FIGURES: [&str; 7] = [
    "number_of_requests",
    "number_of_failures",
    "response_time_average",
    "response_time_minimum",
    "response_time_maximum",
    "requests_per_second",
    "failures_per_second",
];
const RESPONSE_FIGURES: [&str; 8] = [
    "percentile_50",
    "percentile_60",
    "percentile_70",
    "percentile_80",
    "percentile_90",
    "percentile_95",
    "percentile_99",
    "percentile_100",
];

/// A row per merged request, in key order, then Aggregated, every figure 0: Goose
/// rebuilds each row of a key it has from the raw figures when it renders the report.
fn request_rows(merged: &GooseMetrics, figures: &[&str]) -> Value {
    let mut keys: Vec<&String> = merged.requests.keys().collect();
    keys.sort();
    let row = |method: &str, name: &str| {
        let mut row = json!({"method": method, "name": name});
        for figure in figures {
            row[*figure] = json!(0);
        }
        row
    };
    let mut rows: Vec<Value> = keys
        .iter()
        .map(|key| {
            let method = merged.requests[*key].method_label();
            row(
                method,
                key.strip_prefix(&format!("{method} ")).unwrap_or(key),
            )
        })
        .collect();
    rows.push(row("", "Aggregated"));
    Value::Array(rows)
}

/// `1,234` as Goose writes counts.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2 [204], 13 [200]`, as Goose writes a request's status codes.
fn codes_text(counts: &HashMap<u16, usize>) -> String {
    let mut codes: Vec<(&u16, &usize)> = counts.iter().collect();
    codes.sort();
    codes
        .iter()
        .map(|(code, count)| format!("{} [{code}]", thousands(**count)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The status-code table as Goose builds it: one row per request, then Aggregated.
fn status_code_rows(merged: &GooseMetrics) -> Value {
    let mut keys: Vec<&String> = merged.requests.keys().collect();
    keys.sort();
    let mut all: HashMap<u16, usize> = HashMap::new();
    let mut rows = Vec::new();
    for key in keys {
        let request = &merged.requests[key];
        let method = request.method_label();
        for (&code, &count) in &request.status_code_counts {
            *all.entry(code).or_default() += count;
        }
        rows.push(json!({
            "method": method,
            "name": key.strip_prefix(&format!("{method} ")).unwrap_or(key),
            "status_codes": codes_text(&request.status_code_counts),
        }));
    }
    rows.push(json!({"method": "", "name": "Aggregated", "status_codes": codes_text(&all)}));
    Value::Array(rows)
}

/// The errors table as Goose builds it, or null without errors.
fn error_rows(merged: &GooseMetrics) -> Value {
    if merged.errors.is_empty() {
        return Value::Null;
    }
    Value::Array(
        merged
            .errors
            .values()
            .map(|e| {
                json!({"method": e.method_label(), "name": e.name, "error": e.error,
                       "occurrences": e.occurrences})
            })
            .collect(),
    )
}

/// The transaction errors table as Goose builds it, most frequent first.
fn transaction_error_rows(merged: &GooseMetrics) -> Option<Value> {
    if merged.transaction_errors.is_empty() {
        return None;
    }
    let mut errors: Vec<_> = merged.transaction_errors.values().collect();
    errors.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then_with(|| a.scenario_index.cmp(&b.scenario_index))
            .then_with(|| a.transaction_index.cmp(&b.transaction_index))
            .then_with(|| a.error.cmp(&b.error))
    });
    Some(Value::Array(
        errors
            .iter()
            .map(|e| {
                json!({"transaction": e.transaction_number(), "scenario": e.scenario_name,
                       "name": e.transaction_name, "error": e.error,
                       "occurrences": e.occurrences})
            })
            .collect(),
    ))
}

/// The shards' `cleanup.json` together: deleted adds up, what was left behind and why
/// are listed from every shard.
fn cleanup(shards: &[ShardRun]) -> Value {
    let mut deleted = 0;
    let mut left = Vec::new();
    let mut reasons = Vec::new();
    for cleanup in shards.iter().filter_map(|s| s.cleanup.as_ref()) {
        deleted += cleanup.get("deleted").and_then(Value::as_u64).unwrap_or(0);
        for (field, into) in [("left_behind", &mut left), ("reasons", &mut reasons)] {
            if let Some(items) = cleanup.get(field).and_then(Value::as_array) {
                into.extend(items.iter().cloned());
            }
        }
    }
    json!({"deleted": deleted, "left_behind": left, "reasons": reasons})
}

#[cfg(test)]
mod tests;
