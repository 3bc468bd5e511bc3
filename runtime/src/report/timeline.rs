//! The run over time (requests, errors, users per second; response-time percentiles
//! per column of seconds), read from the `graphs` section of Goose's JSON report.
//!
//! Why this source: `GooseMetrics`, which `execute()` returns, holds only whole-run
//! totals; Goose keeps its per-second data (`GraphData`) private to the attack. The one
//! public way out is the JSON report Goose writes with `--report-file x.json
//! --report-graph-data`: its `graphs` object holds the very series its HTML report
//! charts (requests and errors per second for each `METHOD name`, users per second)
//! and its response-time heatmap, whose columns carry p50/p95/p99 (one second each,
//! widening to 2, 4, ... seconds past 600 columns on long runs). Reading that file is
//! what `--render-report` does too, so it is a format Goose keeps reading back.

use std::collections::BTreeMap;

use goose::metrics::GooseMetrics;
use goose::test_plan::TestPlanStepAction;
use serde::Deserialize;

/// One point of a series: seconds since the run started, and the value.
pub type Point = (f64, f64);

/// Response-time percentiles of the requests in one column of seconds, in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PercentilePoint {
    /// The second the column starts at, since the run started.
    pub second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// The run over time, every series summed over all endpoints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Requests per second (successful and failed).
    pub requests_per_second: Vec<Point>,
    /// Failed requests per second.
    pub errors_per_second: Vec<Point>,
    /// Users running at the end of each second.
    pub users: Vec<Point>,
    /// Percentiles per heatmap column; empty when Goose kept no heatmap (for example
    /// with `--no-percentiles-over-time`).
    pub percentiles: Vec<PercentilePoint>,
    /// Seconds per percentile column (1 on runs up to 600 s).
    pub percentile_width: usize,
    /// The average response time per second, in ms, over all requests: shown when
    /// there are no percentiles.
    pub average_ms: Vec<Point>,
}

/// The `graphs` object of Goose's JSON report, as far as we read it.
#[derive(Deserialize)]
struct Graphs {
    #[serde(default)]
    requests_per_second: BTreeMap<String, Series<u64>>,
    #[serde(default)]
    errors_per_second: BTreeMap<String, Series<u64>>,
    /// Each second as `[count, average ms]`.
    #[serde(default)]
    average_response_time: BTreeMap<String, Series<(u64, f64)>>,
    #[serde(default)]
    users_per_second: Option<Series<u64>>,
    #[serde(default)]
    heatmap: Option<Heatmap>,
}

/// A Goose time series: `data[i]` is second `origin + i`.
#[derive(Deserialize)]
struct Series<T> {
    #[serde(default)]
    origin: usize,
    data: Vec<T>,
}

#[derive(Deserialize)]
struct Heatmap {
    /// The second column 0 starts at.
    #[serde(default)]
    origin: usize,
    series: Vec<HeatmapSeries>,
}

#[derive(Deserialize)]
struct HeatmapSeries {
    /// `All requests`, or `METHOD name`.
    name: String,
    /// Seconds per column.
    width: usize,
    measured: HeatmapView,
}

#[derive(Deserialize)]
struct HeatmapView {
    /// Each column with requests: its index, p50, p95, p99 (µs), then its cells.
    columns: Vec<Vec<u64>>,
}

impl Timeline {
    /// Reads the `graphs` object of Goose's JSON report. `metrics` (the same run's)
    /// says whether the run ended partway through a second: Goose's HTML report leaves
    /// that second out of its per-second counts, which would show a false drop, and so
    /// do we.
    pub fn from_graphs(
        graphs: &serde_json::Value,
        metrics: &GooseMetrics,
    ) -> Result<Timeline, serde_json::Error> {
        let graphs = Graphs::deserialize(graphs)?;
        let partial = partial_final_second(metrics);
        let drop_partial = |mut points: Vec<Point>| {
            if let (Some(partial), Some(&(last, _))) = (partial, points.last()) {
                if last as usize == partial {
                    points.pop();
                }
            }
            points
        };
        let requests_per_second = drop_partial(sum_series(graphs.requests_per_second.values()));
        // Errors are plotted on the requests' clock, zeros included.
        let mut errors_per_second = pad(
            sum_series(graphs.errors_per_second.values()),
            requests_per_second.len(),
        );
        if !requests_per_second.is_empty() {
            errors_per_second.truncate(requests_per_second.len());
        }
        let users = graphs
            .users_per_second
            .map(|users| {
                let values = users.data.iter().map(|&u| u as f64);
                (users.origin..).map(|s| s as f64).zip(values).collect()
            })
            .unwrap_or_default();
        let (percentiles, percentile_width) = graphs
            .heatmap
            .as_ref()
            .and_then(|heatmap| {
                let all = heatmap
                    .series
                    .iter()
                    .find(|series| series.name == "All requests")?;
                let width = all.width.max(1);
                let points = all
                    .measured
                    .columns
                    .iter()
                    .filter(|column| column.len() >= 4)
                    .map(|column| PercentilePoint {
                        second: (heatmap.origin + column[0] as usize * width) as f64,
                        p50_ms: column[1] as f64 / 1000.0,
                        p95_ms: column[2] as f64 / 1000.0,
                        p99_ms: column[3] as f64 / 1000.0,
                    })
                    .collect();
                Some((points, width))
            })
            .unwrap_or((Vec::new(), 1));
        Ok(Timeline {
            requests_per_second,
            errors_per_second,
            users,
            percentiles,
            percentile_width,
            average_ms: average_series(graphs.average_response_time.values()),
        })
    }

    /// Whether there is anything to chart over time.
    pub fn is_empty(&self) -> bool {
        self.requests_per_second.is_empty() && self.percentiles.is_empty()
    }
}

/// Every series added up second by second, from second 0 to the last one held.
fn sum_series<'a>(series: impl Iterator<Item = &'a Series<u64>>) -> Vec<Point> {
    let mut sums: Vec<f64> = Vec::new();
    for one in series {
        for (i, &value) in one.data.iter().enumerate() {
            let second = one.origin + i;
            if sums.len() <= second {
                sums.resize(second + 1, 0.0);
            }
            sums[second] += value as f64;
        }
    }
    sums.into_iter()
        .enumerate()
        .map(|(s, v)| (s as f64, v))
        .collect()
}

/// `points` extended with zeros to `len` seconds.
fn pad(mut points: Vec<Point>, len: usize) -> Vec<Point> {
    while points.len() < len {
        points.push((points.len() as f64, 0.0));
    }
    points
}

/// The average over all requests per second: each endpoint's average weighted by its
/// count. Seconds without requests are left out.
fn average_series<'a>(series: impl Iterator<Item = &'a Series<(u64, f64)>>) -> Vec<Point> {
    let mut sums: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    for one in series {
        for (i, &(count, average)) in one.data.iter().enumerate() {
            if count > 0 {
                let sum = sums.entry(one.origin + i).or_default();
                sum.0 += count as f64;
                sum.1 += count as f64 * average;
            }
        }
    }
    sums.into_iter()
        .map(|(s, (count, total))| (s as f64, total / count))
        .collect()
}

/// The run's last second when the run ended partway through it, counted as Goose's
/// graphs count seconds (from the first history step); `None` otherwise.
fn partial_final_second(metrics: &GooseMetrics) -> Option<usize> {
    let first = metrics.history.first()?;
    let last = metrics.history.last()?;
    if !matches!(last.action, TestPlanStepAction::Finished) {
        return None;
    }
    let ran = (last.timestamp - first.timestamp).num_microseconds()?;
    (ran > 0 && ran % 1_000_000 != 0).then_some((ran / 1_000_000) as usize)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A `graphs` object as Goose 0.19 writes it, for a 4-second run of two endpoints.
    pub(crate) fn sample_graphs() -> serde_json::Value {
        json!({
            "requests_per_second": {
                "GET /health": {"origin": 0, "data": [10, 12, 11, 9]},
                "POST /items": {"origin": 1, "data": [2, 3, 1]}
            },
            "errors_per_second": {
                "POST /items": {"origin": 2, "data": [1]}
            },
            "average_response_time": {
                "GET /health": {"origin": 0, "data": [[10, 10.0], [12, 10.0], [11, 10.0], [9, 10.0]]},
                "POST /items": {"origin": 1, "data": [[2, 100.0], [3, 200.0], [1, 300.0]]}
            },
            "transactions_per_second": {"origin": 0, "data": [10, 14, 14, 10]},
            "scenarios_per_second": {"origin": 0, "data": [0, 0, 0, 0]},
            "users_per_second": {"origin": 0, "data": [1, 2, 2, 2]},
            "heatmap": {
                "start": 1700000000000i64, "offset": 0, "origin": 0,
                "buckets_us": [[10048, 9984, 10112]],
                "series": [
                    {"name": "All requests", "width": 1, "measured": {"min": 1, "max": 12,
                        "columns": [[0, 10048, 10048, 10048, 1, 10, 1000],
                                    [1, 10048, 100352, 100352, 1, 12, 1000],
                                    [3, 10048, 300032, 300032, 1, 9, 1000]]},
                     "adjusted": null},
                    {"name": "GET /health", "width": 1, "measured": {"min": 1, "max": 1, "columns": []}, "adjusted": null}
                ]
            }
        })
    }

    #[test]
    fn series_are_summed_over_endpoints() {
        let timeline = Timeline::from_graphs(&sample_graphs(), &GooseMetrics::default()).unwrap();
        assert_eq!(
            timeline.requests_per_second,
            [(0.0, 10.0), (1.0, 14.0), (2.0, 14.0), (3.0, 10.0)]
        );
        assert_eq!(
            timeline.errors_per_second,
            [(0.0, 0.0), (1.0, 0.0), (2.0, 1.0), (3.0, 0.0)]
        );
        assert_eq!(
            timeline.users,
            [(0.0, 1.0), (1.0, 2.0), (2.0, 2.0), (3.0, 2.0)]
        );
        assert_eq!(timeline.percentile_width, 1);
        assert_eq!(timeline.percentiles.len(), 3);
        assert_eq!(
            timeline.percentiles[1],
            PercentilePoint {
                second: 1.0,
                p50_ms: 10.048,
                p95_ms: 100.352,
                p99_ms: 100.352
            }
        );
        assert_eq!(timeline.percentiles[2].second, 3.0);
        // Second 1: 12 requests of 10 ms and 2 of 100 ms.
        let (second, average) = timeline.average_ms[1];
        assert_eq!(second, 1.0);
        assert!((average - 320.0 / 14.0).abs() < 1e-9);
        assert!(!timeline.is_empty());
    }

    #[test]
    fn graphs_without_heatmap_or_series_still_read() {
        let timeline = Timeline::from_graphs(&json!({}), &GooseMetrics::default()).unwrap();
        assert!(timeline.is_empty());
        assert!(Timeline::from_graphs(
            &json!({"requests_per_second": 3}),
            &GooseMetrics::default()
        )
        .is_err());
    }

    #[test]
    fn a_partial_final_second_is_left_out() {
        use goose::test_plan::TestPlanHistory;
        let start = chrono::Utc::now();
        let step = |action, ms| TestPlanHistory {
            action,
            timestamp: start + chrono::Duration::milliseconds(ms),
            users: 2,
        };
        let mut metrics = GooseMetrics::default();
        metrics.history = vec![
            step(TestPlanStepAction::Increasing, 0),
            step(TestPlanStepAction::Finished, 3_500),
        ];
        let timeline = Timeline::from_graphs(&sample_graphs(), &metrics).unwrap();
        assert_eq!(timeline.requests_per_second.len(), 3);
        assert_eq!(timeline.errors_per_second.len(), 3);
    }
}
