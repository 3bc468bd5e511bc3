//! Merging the per-second graph data of Goose's JSON report (`graphs`, written with
//! `--report-graph-data`): second `i` of every shard is second `i` of the whole run, since
//! the shards start together (their start skew is reported beside the merge).
//!
//! Counts per second (requests, errors, transactions, scenarios, users) add up; the
//! average response time of a second is the request-weighted mean of the shards'. The
//! heatmap is left out: its columns hold each shard's own bucket encoding, which has no
//! exact sum, and Goose draws the report without it.

use serde_json::{json, Map, Value};

/// The merged `graphs` of every shard's report that has them; `None` when none has.
pub fn merge(graphs: &[&Value]) -> Option<Value> {
    if graphs.is_empty() {
        return None;
    }
    let mut out = Map::new();
    for name in ["requests_per_second", "errors_per_second"] {
        out.insert(name.to_string(), keyed(graphs, name, add_counts));
    }
    out.insert(
        "average_response_time".to_string(),
        keyed(graphs, "average_response_time", add_averages),
    );
    for name in [
        "transactions_per_second",
        "scenarios_per_second",
        "users_per_second",
    ] {
        let series: Vec<&Value> = graphs.iter().filter_map(|g| g.get(name)).collect();
        out.insert(name.to_string(), merge_series(&series, add_counts));
    }
    Some(Value::Object(out))
}

/// A series per request key: each key's series merged over the shards that have it.
fn keyed(graphs: &[&Value], name: &str, add: fn(&mut Value, &Value)) -> Value {
    let mut by_key: Map<String, Value> = Map::new();
    let mut keys: Vec<String> = Vec::new();
    for graph in graphs {
        if let Some(Value::Object(map)) = graph.get(name) {
            for key in map.keys() {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
    }
    keys.sort();
    for key in keys {
        let series: Vec<&Value> = graphs
            .iter()
            .filter_map(|g| g.get(name).and_then(|m| m.get(&key)))
            .collect();
        by_key.insert(key, merge_series(&series, add));
    }
    Value::Object(by_key)
}

/// One `{origin, data}` series from several: absolute second `origin + i` of each adds
/// into the same second of the result.
fn merge_series(series: &[&Value], add: fn(&mut Value, &Value)) -> Value {
    let origin = series
        .iter()
        .filter_map(|s| s.get("origin").and_then(Value::as_u64))
        .min()
        .unwrap_or(0);
    let mut data: Vec<Value> = Vec::new();
    for s in series {
        let start = s.get("origin").and_then(Value::as_u64).unwrap_or(0) - origin;
        let Some(points) = s.get("data").and_then(Value::as_array) else {
            continue;
        };
        for (i, point) in points.iter().enumerate() {
            let at = start as usize + i;
            if data.len() <= at {
                data.resize(at + 1, Value::Null);
            }
            if data[at].is_null() {
                data[at] = point.clone();
            } else {
                add(&mut data[at], point);
            }
        }
    }
    // A second no shard reached stays empty: zero of the point's kind.
    let zero = data
        .iter()
        .find(|p| !p.is_null())
        .map(|p| match p {
            Value::Array(_) => json!([0, 0.0]),
            _ => json!(0),
        })
        .unwrap_or(json!(0));
    for point in &mut data {
        if point.is_null() {
            *point = zero.clone();
        }
    }
    json!({"origin": origin, "data": data})
}

/// Adds a count to a count.
fn add_counts(into: &mut Value, other: &Value) {
    let sum = into.as_u64().unwrap_or(0) + other.as_u64().unwrap_or(0);
    *into = json!(sum);
}

/// Adds `[count, average]` to `[count, average]`: counts add, averages weigh by them.
fn add_averages(into: &mut Value, other: &Value) {
    let parts = |v: &Value| {
        let count = v.get(0).and_then(Value::as_u64).unwrap_or(0);
        let average = v.get(1).and_then(Value::as_f64).unwrap_or(0.0);
        (count, average)
    };
    let (a_count, a_avg) = parts(into);
    let (b_count, b_avg) = parts(other);
    let count = a_count + b_count;
    let average = match count {
        0 => 0.0,
        _ => (a_count as f64 * a_avg + b_count as f64 * b_avg) / count as f64,
    };
    *into = json!([count, average]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_by_second_and_averages_weigh_by_requests() {
        let a = json!({
            "requests_per_second": {"GET /a": {"origin": 0, "data": [1, 2, 3]}},
            "errors_per_second": {},
            "average_response_time": {"GET /a": {"origin": 0, "data": [[1, 2.0], [2, 4.0]]}},
            "users_per_second": {"origin": 0, "data": [1, 2]},
            "transactions_per_second": {"origin": 0, "data": [1]},
            "scenarios_per_second": {"origin": 0, "data": []},
            "heatmap": {"start": 1}
        });
        let b = json!({
            "requests_per_second": {"GET /a": {"origin": 0, "data": [1]},
                                    "GET /b": {"origin": 0, "data": [0, 5]}},
            "average_response_time": {"GET /a": {"origin": 0, "data": [[3, 6.0]]}},
            "users_per_second": {"origin": 0, "data": [3, 3, 3]},
        });
        let merged = merge(&[&a, &b]).unwrap();
        assert_eq!(
            merged["requests_per_second"]["GET /a"]["data"],
            json!([2, 2, 3])
        );
        assert_eq!(
            merged["requests_per_second"]["GET /b"]["data"],
            json!([0, 5])
        );
        assert_eq!(merged["users_per_second"]["data"], json!([4, 5, 3]));
        assert_eq!(
            merged["average_response_time"]["GET /a"]["data"],
            json!([[4, 5.0], [2, 4.0]])
        );
        assert!(merged.get("heatmap").is_none());
    }

    #[test]
    fn a_later_origin_lands_on_its_own_seconds() {
        let a = json!({"origin": 0, "data": [1, 1]});
        let b = json!({"origin": 2, "data": [5]});
        assert_eq!(
            merge_series(&[&a, &b], add_counts),
            json!({"origin": 0, "data": [1, 1, 5]})
        );
    }
}
