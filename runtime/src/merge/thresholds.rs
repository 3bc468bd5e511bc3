//! Judging Goose's `--threshold` rules again on merged metrics, as Goose judges them when a
//! single run ends (`goose::threshold`: percentiles, `avg` and `max` from the requests'
//! raw times, `error-rate` from their counts, all requests together unless `for NAME`).
//!
//! Goose keeps its judge crate-private, so this module reads the rule text the same way
//! (after `Threshold::from_str` has accepted it, so a rule Goose refuses is refused here
//! with Goose's own reason) and judges it on the same figures. Two things a merge cannot
//! see the way one process does: an `rps` rule counts the requests made while the run
//! held its users steady, which only each shard knows, so the whole run's rate is the sum
//! of the shards' rates; and a rule that stopped a shard's run is failed, as Goose fails
//! the rule that stopped its run.

use goose::metrics::{GooseMetrics, GooseRequestMetricTimingData};
use goose::threshold::{Threshold, ThresholdResult};

/// What a rule measures, as Goose's rule text names it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Metric {
    Percentile(f64),
    Average,
    Maximum,
    ErrorRate,
    RequestsPerSecond,
}

/// A rule read from its text.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    text: String,
    metric: Metric,
    operator: &'static str,
    /// Microseconds for a time, a percent for `error-rate`, requests per second for `rps`.
    limit: f64,
    request: Option<String>,
}

/// Why a rule cannot be judged; the message fits after "failed to".
#[derive(Debug, thiserror::Error)]
#[error("judge threshold {rule:?} on the merged run: {detail}")]
pub struct RuleError {
    pub rule: String,
    pub detail: String,
}

fn parse(text: &str) -> Result<Rule, RuleError> {
    let refuse = |detail: String| RuleError {
        rule: text.to_string(),
        detail,
    };
    text.parse::<Threshold>()
        .map_err(|e| refuse(e.to_string()))?;
    let rule = text.trim();
    let at = rule
        .find(['<', '>', '='])
        .ok_or_else(|| refuse("no operator".into()))?;
    let name = rule[..at].trim();
    let metric = match name {
        "avg" => Metric::Average,
        "max" => Metric::Maximum,
        "error-rate" => Metric::ErrorRate,
        "rps" => Metric::RequestsPerSecond,
        other => Metric::Percentile(
            other
                .trim_start_matches('p')
                .parse()
                .map_err(|_| refuse(format!("{other:?} is not a metric")))?,
        ),
    };
    let rest = &rule[at..];
    let operator = ["<=", ">=", "<", ">"]
        .into_iter()
        .find(|op| rest.starts_with(op))
        .ok_or_else(|| refuse("the operator must be <, <=, > or >=".into()))?;
    let rest = format!(" {}", rest[operator.len()..].trim());
    let (value, request) = match rest.find(" for ") {
        Some(at) => (rest[..at].trim(), Some(rest[at + 5..].trim().to_string())),
        None => (rest.trim(), None),
    };
    let number = |v: &str| {
        v.parse::<f64>()
            .map_err(|_| refuse(format!("{v:?} is not a number")))
    };
    let limit = match metric {
        Metric::Percentile(_) | Metric::Average | Metric::Maximum => {
            if let Some(v) = value.strip_suffix("us") {
                number(v)?
            } else if let Some(v) = value.strip_suffix("ms") {
                number(v)? * 1_000.0
            } else if let Some(v) = value.strip_suffix('s') {
                number(v)? * 1_000_000.0
            } else {
                number(value)? * 1_000.0
            }
        }
        Metric::ErrorRate => number(value.strip_suffix('%').unwrap_or(value))?,
        Metric::RequestsPerSecond => number(value)?,
    };
    Ok(Rule {
        text: rule.to_string(),
        metric,
        operator,
        limit,
        request,
    })
}

/// A time as Goose shows it: hundredths of a millisecond under 10 ms, whole above.
fn shown_ms(us: f64) -> String {
    let ms = us / 1_000.0;
    if ms < 10.0 {
        let text = format!("{ms:.2}");
        format!("{}ms", text.trim_end_matches('0').trim_end_matches('.'))
    } else {
        format!("{}ms", ms.round())
    }
}

fn short(number: f64) -> String {
    let text = format!("{number:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Judges `rules` on the merged `metrics`. `shard_results` are each shard's own results
/// (for `rps` rates and rules that stopped a shard).
pub fn judge(
    rules: &[String],
    metrics: &GooseMetrics,
    shard_results: &[Vec<ThresholdResult>],
) -> Result<Vec<ThresholdResult>, RuleError> {
    let mut results = Vec::new();
    for text in rules {
        let rule = parse(text)?;
        let (requests, failures, times) = figures(metrics, rule.request.as_deref());
        let observed: Option<(f64, f64, String)> = match rule.metric {
            Metric::Percentile(p) if times.counter > 0 => {
                let us = times.percentile_us((p / 100.0) as f32) as f64;
                Some((us, us / 1_000.0, shown_ms(us)))
            }
            Metric::Average if times.counter > 0 => {
                let us = times.total_time_us as f64 / times.counter as f64;
                Some((us, us / 1_000.0, shown_ms(us.round())))
            }
            Metric::Maximum if times.counter > 0 => {
                let us = times.maximum_time_us as f64;
                Some((us, us / 1_000.0, shown_ms(us)))
            }
            Metric::ErrorRate if requests > 0 => {
                let percent = failures as f64 / requests as f64 * 100.0;
                Some((percent, percent, format!("{}%", short(percent))))
            }
            Metric::RequestsPerSecond => {
                let rates: Vec<Option<f64>> = shard_results
                    .iter()
                    .map(|results| {
                        results
                            .iter()
                            .find(|r| r.rule.trim() == rule.text)
                            .and_then(|r| r.value)
                    })
                    .collect();
                match rates.iter().all(Option::is_some) && !rates.is_empty() {
                    true => {
                        let rate: f64 = rates.iter().flatten().sum();
                        Some((
                            rate,
                            rate,
                            format!("{} from Maintain, summed over shards", short(rate)),
                        ))
                    }
                    false => None,
                }
            }
            _ => None,
        };
        let aborted = shard_results
            .iter()
            .flatten()
            .any(|r| r.rule.trim() == rule.text && r.aborted);
        let (observed, value, passed) = match observed {
            Some((compared, value, shown)) => {
                let passes = match rule.operator {
                    "<" => compared < rule.limit,
                    "<=" => compared <= rule.limit,
                    ">" => compared > rule.limit,
                    _ => compared >= rule.limit,
                };
                (shown, Some(value), passes)
            }
            None => ("no samples".to_string(), None, false),
        };
        results.push(ThresholdResult {
            rule: rule.text.clone(),
            observed,
            value,
            passed: passed && !aborted,
            aborted,
        });
    }
    Ok(results)
}

/// Requests, failures and times of one request, or of all of them together.
fn figures(
    metrics: &GooseMetrics,
    request: Option<&str>,
) -> (usize, usize, GooseRequestMetricTimingData) {
    let mut requests = 0;
    let mut failures = 0;
    let mut times = GooseRequestMetricTimingData::default();
    for (key, aggregate) in &metrics.requests {
        if request.is_some_and(|name| name != key) {
            continue;
        }
        requests += aggregate.success_count + aggregate.fail_count;
        failures += aggregate.fail_count;
        super::metrics::merge_timing(&mut times, &aggregate.raw_data);
    }
    (requests, failures, times)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::metrics::tests::timing;
    use goose::metrics::GooseRequestMetricAggregate;

    fn metrics_with(times: &[(&str, &[u64], usize)]) -> GooseMetrics {
        let mut requests = serde_json::Map::new();
        for (key, us, fails) in times {
            let mut aggregate: serde_json::Value = serde_json::json!({
                "path": key, "method": "Get", "raw_data": timing(us),
                "coordinated_omission_data": null, "status_code_counts": {},
                "status_code_timings": {}, "success_count": us.len() - fails,
                "fail_count": fails, "load_test_hash": 0, "custom_method": ""
            });
            let _: GooseRequestMetricAggregate =
                serde_json::from_value(aggregate.clone()).expect("aggregate");
            aggregate["path"] = serde_json::json!(key);
            requests.insert(key.to_string(), aggregate);
        }
        serde_json::from_value(serde_json::json!({
            "hash": 0, "duration": 10, "maximum_users": 1, "total_users": 1,
            "requests": requests, "transactions": [], "scenarios": [], "errors": {},
            "hosts": [], "coordinated_omission_metrics": null, "final_metrics": true,
            "display_status_codes": true, "display_metrics": true
        }))
        .expect("metrics")
    }

    #[test]
    fn percentiles_and_error_rates_are_judged_on_every_request_together() {
        let fast: Vec<u64> = vec![1_000; 90];
        let slow: Vec<u64> = vec![800_000; 10];
        let metrics = metrics_with(&[("GET /a", &fast, 0), ("GET /b", &slow, 5)]);
        let rules = [
            "p95<500ms".to_string(),
            "p50<500ms".to_string(),
            "error-rate<1%".to_string(),
            "max<=1s for GET /a".to_string(),
        ];
        let results = judge(&rules, &metrics, &[]).unwrap();
        let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
        assert_eq!(passed, [false, true, false, true]);
        assert_eq!(results[2].observed, "5%");
        assert_eq!(results[3].value, Some(1.0));
    }

    #[test]
    fn rps_sums_the_shards_rates_and_an_aborted_rule_fails() {
        let metrics = metrics_with(&[("GET /a", &[1_000], 0)]);
        let shard = |value, aborted| {
            vec![ThresholdResult {
                rule: "rps>=10".into(),
                observed: String::new(),
                value: Some(value),
                passed: true,
                aborted,
            }]
        };
        let results = judge(
            &["rps>=10".into()],
            &metrics,
            &[shard(6.0, false), shard(5.0, false)],
        )
        .unwrap();
        assert!(results[0].passed, "{results:?}");
        assert_eq!(results[0].value, Some(11.0));
        let results = judge(
            &["rps>=10".into()],
            &metrics,
            &[shard(6.0, true), shard(5.0, false)],
        )
        .unwrap();
        assert!(!results[0].passed && results[0].aborted);
    }

    #[test]
    fn a_rule_goose_refuses_is_refused_with_its_reason() {
        let err = judge(&["p100<1s".into()], &metrics_with(&[]), &[]).unwrap_err();
        assert!(err.to_string().contains("p100<1s"), "{err}");
    }

    #[test]
    fn no_samples_fails_as_at_the_end_of_a_run() {
        let results = judge(&["p95<1s".into()], &metrics_with(&[]), &[]).unwrap();
        assert_eq!(results[0].observed, "no samples");
        assert!(!results[0].passed);
    }
}
