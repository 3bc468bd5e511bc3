//! Exact merging of Goose's `GooseMetrics` (a JSON report's `raw_metrics`): response-time
//! buckets, counts, fastest, slowest and total times, status codes, errors, transactions
//! and scenarios are summed, so the merge reports the percentiles one process with every
//! user would have reported.
//!
//! Goose's buckets have fixed bounds (exact below 128 µs, then 64 per power of two, keyed
//! by lower bound), so adding the counts of equal keys loses nothing. The report's other
//! tables are rounded to whole milliseconds; they are rebuilt from these raw figures when
//! the merged report is rendered, never merged themselves.

use goose::metrics::{
    GooseMetrics, GooseRequestMetricAggregate, GooseRequestMetricTimingData, TimeBuckets,
};

/// Adds `other`'s times to `into`: buckets by key, counts, total, min of fastest, max of
/// slowest. A side without times (counter 0) leaves the other's fastest time as it is.
pub fn merge_timing(into: &mut GooseRequestMetricTimingData, other: &GooseRequestMetricTimingData) {
    if other.counter == 0 {
        return;
    }
    if into.counter == 0 || other.minimum_time_us < into.minimum_time_us {
        into.minimum_time_us = other.minimum_time_us;
    }
    into.maximum_time_us = into.maximum_time_us.max(other.maximum_time_us);
    into.total_time_us += other.total_time_us;
    into.counter += other.counter;
    into.times_us = sum_buckets(&into.times_us, &other.times_us);
}

/// The bucket-by-bucket sum of two sets of buckets.
pub fn sum_buckets(a: &TimeBuckets, b: &TimeBuckets) -> TimeBuckets {
    // Both hold each bucket once, fastest first (as Goose keeps and reads them): one pass
    // of a merge join, whose output arrives in order.
    let mut sum: Vec<(u64, usize)> = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some((&x, &n)), Some((&y, &m))) => match x.cmp(&y) {
                std::cmp::Ordering::Less => {
                    a.next();
                    (x, n)
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                    (y, m)
                }
                std::cmp::Ordering::Equal => {
                    a.next();
                    b.next();
                    (x, n + m)
                }
            },
            (Some((&x, &n)), None) => {
                a.next();
                (x, n)
            }
            (None, Some((&y, &m))) => {
                b.next();
                (y, m)
            }
            (None, None) => break,
        };
        sum.push(next);
    }
    sum.into_iter().collect()
}

/// Goose's bucket for a time of `us` microseconds: its lower bound (exact below 128 µs,
/// then 64 buckets per power of two). Goose keeps its own crate-private; this one is
/// checked against the buckets of a real Goose report in the tests.
pub fn bucket_floor(us: u64) -> u64 {
    if us < 128 {
        return us;
    }
    let power = 63 - u64::from(us.leading_zeros()); // 2^power <= us
    let width = (1u64 << power) / 64;
    us / width * width
}

/// Records one time of `us` microseconds as Goose records it, for building metrics of
/// known times (tests, benchmarks).
pub fn record_time(data: &mut GooseRequestMetricTimingData, us: u64) {
    if data.counter == 0 || us < data.minimum_time_us {
        data.minimum_time_us = us;
    }
    data.maximum_time_us = data.maximum_time_us.max(us);
    data.total_time_us += us;
    data.counter += 1;
    let bucket = bucket_floor(us);
    let count = data.times_us.get(&bucket).copied().unwrap_or(0);
    data.times_us.insert(bucket, count + 1);
}

/// Adds one request's figures from another shard.
fn merge_request(into: &mut GooseRequestMetricAggregate, other: &GooseRequestMetricAggregate) {
    merge_timing(&mut into.raw_data, &other.raw_data);
    match (
        &mut into.coordinated_omission_data,
        &other.coordinated_omission_data,
    ) {
        (Some(into), Some(other)) => merge_timing(into, other),
        (slot @ None, Some(other)) => *slot = Some(other.clone()),
        _ => {}
    }
    for (&code, &count) in &other.status_code_counts {
        *into.status_code_counts.entry(code).or_default() += count;
    }
    for (&code, timing) in &other.status_code_timings {
        let mine = into.status_code_timings.entry(code).or_default();
        if timing.count > 0 {
            if mine.count == 0 || timing.min_time_us < mine.min_time_us {
                mine.min_time_us = timing.min_time_us;
            }
            mine.max_time_us = mine.max_time_us.max(timing.max_time_us);
            mine.total_time_us += timing.total_time_us;
            mine.count += timing.count;
        }
    }
    into.success_count += other.success_count;
    into.fail_count += other.fail_count;
}

/// Merges `other` (one more shard, whose users are numbered from `user_offset` in the
/// whole run) into `into`. Users, requests and errors add up; the run lasted as long as
/// its longest shard.
pub fn merge_into(into: &mut GooseMetrics, other: &GooseMetrics, user_offset: usize) {
    into.duration = into.duration.max(other.duration);
    into.maximum_users += other.maximum_users;
    into.total_users += other.total_users;
    for (key, request) in &other.requests {
        match into.requests.get_mut(key) {
            Some(mine) => merge_request(mine, request),
            None => {
                into.requests.insert(key.clone(), request.clone());
            }
        }
    }
    // The same binary and plan: the same scenarios and transactions at the same indexes.
    for (scenario, transactions) in other.transactions.iter().enumerate() {
        if into.transactions.len() <= scenario {
            into.transactions.push(Vec::new());
        }
        for (index, transaction) in transactions.iter().enumerate() {
            match into.transactions[scenario].get_mut(index) {
                Some(mine) => {
                    merge_timing(&mut mine.run_times, &transaction.run_times);
                    mine.success_count += transaction.success_count;
                    mine.fail_count += transaction.fail_count;
                }
                None => into.transactions[scenario].push(transaction.clone()),
            }
        }
    }
    for scenario in &other.scenarios {
        match into
            .scenarios
            .iter_mut()
            .find(|s| s.index == scenario.index)
        {
            Some(mine) => {
                merge_timing(&mut mine.run_times, &scenario.run_times);
                mine.users
                    .extend(scenario.users.iter().map(|user| user + user_offset));
            }
            None => {
                let mut scenario = scenario.clone();
                scenario.users = scenario.users.iter().map(|u| u + user_offset).collect();
                into.scenarios.push(scenario);
            }
        }
    }
    for (key, error) in &other.errors {
        match into.errors.get_mut(key) {
            Some(mine) => mine.occurrences += error.occurrences,
            None => {
                into.errors.insert(key.clone(), error.clone());
            }
        }
    }
    for (key, error) in &other.transaction_errors {
        match into.transaction_errors.get_mut(key) {
            Some(mine) => mine.occurrences += error.occurrences,
            None => {
                into.transaction_errors.insert(key.clone(), error.clone());
            }
        }
    }
    into.hosts.extend(other.hosts.iter().cloned());
    merge_history(into, other);
}

/// Each shard walked the same steps (increase, maintain, decrease, finished): the whole
/// run's step had the users of every shard's. Shards whose steps differ (one stopped
/// early) keep the first shard's steps.
fn merge_history(into: &mut GooseMetrics, other: &GooseMetrics) {
    let same_steps = into.history.len() == other.history.len()
        && into
            .history
            .iter()
            .zip(&other.history)
            .all(|(a, b)| format!("{:?}", a.action) == format!("{:?}", b.action));
    if same_steps {
        for (mine, theirs) in into.history.iter_mut().zip(&other.history) {
            mine.users += theirs.users;
        }
    }
}

/// Shifts a shard's scenario user numbers by its offset (the first shard's metrics are
/// the start of the merge).
pub fn offset_users(metrics: &mut GooseMetrics, user_offset: usize) {
    for scenario in &mut metrics.scenarios {
        scenario.users = scenario.users.iter().map(|u| u + user_offset).collect();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Timing data of the given microsecond times.
    pub(crate) fn timing(times_us: &[u64]) -> GooseRequestMetricTimingData {
        let mut data = GooseRequestMetricTimingData::default();
        for &t in times_us {
            record_time(&mut data, t);
        }
        data
    }

    #[test]
    fn buckets_are_those_of_a_real_goose_report() {
        let report: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/goose/report-0.19.json"))
                .unwrap();
        let mut checked = 0;
        for request in report["raw_metrics"]["requests"]
            .as_object()
            .unwrap()
            .values()
        {
            let raw = &request["raw_data"];
            let times = raw["times_us"].as_object().unwrap();
            let (min, max) = (
                raw["minimum_time_us"].as_u64().unwrap(),
                raw["maximum_time_us"].as_u64().unwrap(),
            );
            for us in [min, max] {
                assert!(
                    times.contains_key(&bucket_floor(us).to_string()),
                    "{us} in {times:?}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 40, "{checked}");
    }

    #[test]
    fn merged_timing_equals_recording_every_time_in_one_place() {
        let a = [90, 130, 1_500, 2_048, 9_999];
        let b = [5, 130, 70_000, 1_501];
        let mut merged = timing(&a);
        merge_timing(&mut merged, &timing(&b));
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        assert_eq!(merged, timing(&all));
        for p in [0.5f32, 0.9, 0.95, 0.99] {
            assert_eq!(merged.percentile_us(p), timing(&all).percentile_us(p));
        }
    }

    #[test]
    fn bucket_sums_match_a_map_of_sums() {
        let a = timing(&[5, 5, 130, 9_000, 70_000]).times_us;
        let b = timing(&[4, 5, 9_001, 1_000_000]).times_us;
        let mut want = std::collections::BTreeMap::new();
        for (&k, &v) in a.iter().chain(b.iter()) {
            *want.entry(k).or_insert(0) += v;
        }
        let got: Vec<(u64, usize)> = sum_buckets(&a, &b).iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn an_empty_side_keeps_the_others_fastest_time() {
        let mut merged = GooseRequestMetricTimingData::default();
        merge_timing(&mut merged, &timing(&[700]));
        merge_timing(&mut merged, &GooseRequestMetricTimingData::default());
        assert_eq!(merged.minimum_time_us, 700);
        assert_eq!(merged.counter, 1);
    }
}
