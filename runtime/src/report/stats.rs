//! Each endpoint's numbers (requests, failures, times, rate) read out of Goose's
//! `GooseMetrics`, plus the Aggregated row, computed the way Goose's own report does.

use goose::metrics::{GooseMetrics, GooseRequestMetricAggregate, GooseRequestMetricTimingData};

/// One row of numbers: an endpoint (method and templated path) or the Aggregated row.
#[derive(Debug, Clone)]
pub struct EndpointStats {
    /// `GET`, `POST`, ...; empty for the Aggregated row (as in Locust's CSV).
    pub method: String,
    /// The request name, i.e. the templated path; `Aggregated` for the total row.
    pub name: String,
    /// Every request counted, successful or failed (Goose's success + fail counts).
    pub requests: usize,
    /// Failed requests.
    pub failures: usize,
    /// The measured response times: Goose's histogram, in microseconds.
    pub times: GooseRequestMetricTimingData,
}

impl EndpointStats {
    /// The mean response time in milliseconds; 0 without times (Goose shows 0 too).
    pub fn avg_ms(&self) -> f64 {
        match self.times.counter {
            0 => 0.0,
            _ => self.times.average_ms(),
        }
    }

    /// The fastest response time in milliseconds, to the microsecond.
    pub fn min_ms(&self) -> f64 {
        self.times.minimum_time_us as f64 / 1000.0
    }

    /// The slowest response time in milliseconds, to the microsecond.
    pub fn max_ms(&self) -> f64 {
        self.times.maximum_time_us as f64 / 1000.0
    }

    /// The response time `percent` (0.0 to 1.0) of the requests finished within, in
    /// milliseconds: Goose's own `percentile_us`, so the figures match its report.
    pub fn percentile_ms(&self, percent: f32) -> f64 {
        self.times.percentile_us(percent) as f64 / 1000.0
    }

    /// Requests per second over `seconds`; 0 for a run shorter than a rounded second.
    pub fn rps(&self, seconds: usize) -> f64 {
        per_second(self.requests, seconds)
    }

    /// Failures per second over `seconds`.
    pub fn failures_per_second(&self, seconds: usize) -> f64 {
        per_second(self.failures, seconds)
    }

    /// Failed requests as a fraction of all requests (0.0 to 1.0); 0 without requests.
    pub fn failure_rate(&self) -> f64 {
        match self.requests {
            0 => 0.0,
            n => self.failures as f64 / n as f64,
        }
    }
}

/// Goose's `per_second_calculations`: a count over the run's whole seconds.
fn per_second(count: usize, seconds: usize) -> f64 {
    match seconds {
        0 => 0.0,
        s => count as f64 / s as f64,
    }
}

/// Every endpoint of `metrics`, sorted by name then method (Locust's row order), and
/// the Aggregated row of all of them.
pub fn endpoint_stats(metrics: &GooseMetrics) -> (Vec<EndpointStats>, EndpointStats) {
    let mut rows: Vec<EndpointStats> = metrics
        .requests
        .iter()
        .map(|(key, request)| one(key, request))
        .collect();
    rows.sort_by(|a, b| (&a.name, &a.method).cmp(&(&b.name, &b.method)));
    let mut total = EndpointStats {
        method: String::new(),
        name: "Aggregated".to_string(),
        requests: 0,
        failures: 0,
        times: GooseRequestMetricTimingData::default(),
    };
    for row in &rows {
        total.requests += row.requests;
        total.failures += row.failures;
        merge_times(&mut total.times, &row.times);
    }
    (rows, total)
}

/// The row of one `GooseMetrics::requests` entry, whose key is `"{method} {name}"`.
fn one(key: &str, request: &GooseRequestMetricAggregate) -> EndpointStats {
    let method = request.method_label().to_string();
    let name = key
        .strip_prefix(&format!("{method} "))
        .unwrap_or(key)
        .to_string();
    EndpointStats {
        method,
        name,
        requests: request.success_count + request.fail_count,
        failures: request.fail_count,
        times: request.raw_data.clone(),
    }
}

/// Adds `other`'s times into `into`, as Goose's (crate-private) `merge` does, through
/// the public fields: every bucket, the fastest, slowest, total and count.
fn merge_times(into: &mut GooseRequestMetricTimingData, other: &GooseRequestMetricTimingData) {
    for (&bucket, &count) in other.times_us.iter() {
        let held = into.times_us.get(&bucket).copied().unwrap_or(0);
        into.times_us.insert(bucket, held + count);
    }
    // The counters, not a minimum of 0, say whether there are times yet.
    if other.counter > 0 && (into.counter == 0 || other.minimum_time_us < into.minimum_time_us) {
        into.minimum_time_us = other.minimum_time_us;
    }
    into.maximum_time_us = into.maximum_time_us.max(other.maximum_time_us);
    into.total_time_us += other.total_time_us;
    into.counter += other.counter;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use goose::goose::GooseMethod;
    use goose::metrics::GooseErrorMetricAggregate;
    use std::collections::HashMap;

    /// Timing data holding `times` (whole milliseconds), built through Goose's own
    /// deserializer (the whole-millisecond form of its JSON report), so the buckets are
    /// exactly the ones Goose would have recorded.
    pub(crate) fn timings(times_ms: &[u64]) -> GooseRequestMetricTimingData {
        let mut histogram: std::collections::BTreeMap<String, usize> = Default::default();
        for t in times_ms {
            *histogram.entry(t.to_string()).or_default() += 1;
        }
        serde_json::from_value(serde_json::json!({
            "times": histogram,
            "minimum_time": times_ms.iter().min().copied().unwrap_or(0),
            "maximum_time": times_ms.iter().max().copied().unwrap_or(0),
            "total_time": times_ms.iter().sum::<u64>(),
            "counter": times_ms.len(),
        }))
        .expect("goose reads whole millisecond timing data")
    }

    /// A request aggregate for `method name` with these times (ms) and failures.
    pub(crate) fn request(
        method: GooseMethod,
        name: &str,
        times_ms: &[u64],
        failures: usize,
    ) -> (String, GooseRequestMetricAggregate) {
        let aggregate = GooseRequestMetricAggregate {
            path: name.to_string(),
            method,
            raw_data: timings(times_ms),
            coordinated_omission_data: None,
            status_code_counts: HashMap::new(),
            status_code_timings: HashMap::new(),
            success_count: times_ms.len() - failures,
            fail_count: failures,
            load_test_hash: 0,
            custom_method: String::new(),
        };
        (format!("{} {name}", aggregate.method_label()), aggregate)
    }

    /// Metrics of a 10-second run with two users:
    /// - `GET /health`: 100 requests of 10 ms, none failed;
    /// - `POST /items`: 10 requests of 100..=1000 ms, 2 failed (`500 Internal Server Error`).
    pub(crate) fn sample_metrics() -> GooseMetrics {
        let mut metrics = GooseMetrics::default();
        metrics.duration = 10;
        metrics.maximum_users = 2;
        metrics.total_users = 2;
        let health = request(GooseMethod::Get, "/health", &[10; 100], 0);
        let times: Vec<u64> = (1..=10).map(|i| i * 100).collect();
        let items = request(GooseMethod::Post, "/items", &times, 2);
        metrics.requests.insert(health.0, health.1);
        metrics.requests.insert(items.0, items.1);
        metrics.errors.insert(
            "500 Internal Server Error.POST./items".to_string(),
            GooseErrorMetricAggregate {
                method: GooseMethod::Post,
                name: "/items".to_string(),
                error: "500 Internal Server Error: /items".to_string(),
                occurrences: 2,
                custom_method: String::new(),
            },
        );
        metrics
    }

    #[test]
    fn rows_are_sorted_by_name_and_sum_into_aggregated() {
        let (rows, total) = endpoint_stats(&sample_metrics());
        let names: Vec<_> = rows
            .iter()
            .map(|r| (r.method.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(names, [("GET", "/health"), ("POST", "/items")]);
        assert_eq!(
            (total.method.as_str(), total.name.as_str()),
            ("", "Aggregated")
        );
        assert_eq!((total.requests, total.failures), (110, 2));
        assert_eq!(total.times.counter, 110);
        assert_eq!(total.min_ms(), 10.0);
        assert_eq!(total.max_ms(), 1000.0);
        // (100 * 10 + 5500) / 110 ms
        assert!((total.avg_ms() - 6500.0 / 110.0).abs() < 1e-9);
        assert_eq!(total.rps(10), 11.0);
    }

    #[test]
    fn percentiles_are_goose_s_own() {
        let (rows, total) = endpoint_stats(&sample_metrics());
        let items = &rows[1];
        assert_eq!(items.avg_ms(), 550.0);
        assert_eq!(items.percentile_ms(1.0), 1000.0);
        assert_eq!(items.percentile_ms(0.0), 100.0);
        // The 5th of 10 requests is the 500 ms one; a bucket reports its middle, which
        // is within 1/128 of the time.
        assert!((items.percentile_ms(0.5) - 500.0).abs() <= 500.0 / 128.0);
        // Goose's percentile of the merged buckets: the 95th percentile of 110 requests
        // is the 105th, one of POST's 500..1000 ms requests.
        let p95 = total.percentile_ms(0.95);
        assert!((500.0..=1000.0).contains(&p95), "{p95}");
        assert!((total.percentile_ms(0.5) - 10.0).abs() < 0.1);
    }

    #[test]
    fn failure_rate_and_empty_rows() {
        let (rows, _) = endpoint_stats(&sample_metrics());
        assert!((rows[1].failure_rate() - 0.2).abs() < 1e-12);
        let (none, total) = endpoint_stats(&GooseMetrics::default());
        assert!(none.is_empty());
        assert_eq!(total.requests, 0);
        assert_eq!(total.avg_ms(), 0.0);
        assert_eq!(total.failure_rate(), 0.0);
        assert_eq!(total.rps(0), 0.0);
    }
}
