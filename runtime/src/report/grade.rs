//! The verdict on a run: good, acceptable or poor per endpoint and overall, by
//! configurable bands.
//!
//! Grades judge the gateway, not the load's shape. An endpoint is graded on what the
//! gateway decides for it: its average response time and its failure rate (its req/s is
//! only its share of the mix). The overall grade adds throughput where throughput says
//! something about the gateway:
//! - without think time (`--no-wait`), users send as fast as the gateway answers, so the
//!   run's req/s is graded by the original toolkit's bands (> 100 good, > 50 acceptable);
//! - in a paced run the users' think time sets the rate, so what is graded is whether the
//!   gateway kept up with the load offered: the rate achieved against the rate the users
//!   would make if every answer were instant, which for a user thinking W seconds between
//!   transactions that take T is W / (W + T).
//!
//! Every bound is strict. The 95th percentile is reported beside the average, not graded.

use std::fmt::Write as _;

use goose::metrics::GooseMetrics;
use serde::{Deserialize, Serialize};

use super::stats::{endpoint_stats, EndpointStats};

/// The verdict of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Good,
    Acceptable,
    Poor,
}

impl Grade {
    /// `good`, `acceptable` or `poor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Good => "good",
            Grade::Acceptable => "acceptable",
            Grade::Poor => "poor",
        }
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use crate::spec::settings::{Band, Bands};

/// What the overall grade's throughput bound reads, by how the run was paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Throughput {
    /// The run's requests per second (a run without think time).
    Rps(f64),
    /// The fraction of the offered rate achieved (a paced run).
    KeptUp(f64),
    /// Nothing to judge it by (a paced run without a transaction): not graded.
    None,
}

impl Band {
    /// Whether a row beats this band's response-time and failure bounds.
    fn admits(&self, avg_ms: f64, failure_rate: f64) -> bool {
        avg_ms < self.max_avg_ms && failure_rate < self.max_failure_rate
    }

    /// Whether the run's throughput beats this band's bound for it.
    fn admits_throughput(&self, throughput: Throughput, default_kept_up: f64) -> bool {
        match throughput {
            Throughput::Rps(rps) => rps > self.min_rps,
            Throughput::KeptUp(kept) => kept > self.min_kept_up.unwrap_or(default_kept_up),
            Throughput::None => true,
        }
    }
}

impl Bands {
    /// The grade of an endpoint: its average response time and failure rate.
    pub fn judge_endpoint(&self, avg_ms: f64, failure_rate: f64) -> Grade {
        self.judge(Throughput::None, avg_ms, failure_rate)
    }

    /// The grade of a row with these figures.
    pub fn judge(&self, throughput: Throughput, avg_ms: f64, failure_rate: f64) -> Grade {
        let (good, ok) = Bands::default_kept_up();
        if self.good.admits(avg_ms, failure_rate) && self.good.admits_throughput(throughput, good) {
            Grade::Good
        } else if self.acceptable.admits(avg_ms, failure_rate)
            && self.acceptable.admits_throughput(throughput, ok)
        {
            Grade::Acceptable
        } else {
            Grade::Poor
        }
    }
}

/// How the users were paced, which decides what the overall grade's throughput bound
/// reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pacing {
    /// No think time: users send as fast as the gateway answers.
    NoWait,
    /// Users think between transactions: the mean think time in seconds, by scenario.
    Paced {
        think_secs: std::collections::BTreeMap<String, f64>,
    },
    /// Not recorded (a run saved before grades knew): graded as a run without think time.
    #[default]
    Unknown,
}

impl Pacing {
    /// The pacing of `scenarios`: each one's mean think time, or `NoWait` when none
    /// thinks.
    pub fn of(scenarios: &[goose::goose::Scenario]) -> Pacing {
        let think_secs: std::collections::BTreeMap<String, f64> = scenarios
            .iter()
            .filter_map(|s| {
                let (min, max) = s.transaction_wait?;
                Some((s.name.to_string(), (min + max).as_secs_f64() / 2.0))
            })
            .filter(|(_, secs)| *secs > 0.0)
            .collect();
        match think_secs.is_empty() {
            true => Pacing::NoWait,
            false => Pacing::Paced { think_secs },
        }
    }

    /// The throughput the overall grade reads from `metrics` (whose Aggregated row makes
    /// `rps` requests per second).
    pub fn throughput(&self, metrics: &GooseMetrics, rps: f64) -> Throughput {
        match self {
            Pacing::NoWait | Pacing::Unknown => Throughput::Rps(rps),
            Pacing::Paced { think_secs } => kept_up(metrics, think_secs)
                .map(Throughput::KeptUp)
                .unwrap_or(Throughput::None),
        }
    }
}

/// The fraction of the offered rate the paced users achieved: over every transaction of
/// a paced scenario, W / (W + T) with W its scenario's mean think time and T its own
/// average run time, weighed by how often it ran.
pub fn kept_up(
    metrics: &GooseMetrics,
    think_secs: &std::collections::BTreeMap<String, f64>,
) -> Option<f64> {
    let (mut sum, mut count) = (0.0, 0.0);
    for transaction in metrics.transactions.iter().flatten() {
        let Some(&think) = think_secs.get(&*transaction.scenario_name) else {
            continue;
        };
        let runs = transaction.run_times.counter;
        if runs == 0 {
            continue;
        }
        let busy = transaction.run_times.total_time_us as f64 / runs as f64 / 1e6;
        sum += runs as f64 * think / (think + busy);
        count += runs as f64;
    }
    (count > 0.0).then(|| sum / count)
}

/// One endpoint's figures and grade (or the Aggregated row's, for the overall grade).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointGrade {
    /// `GET`, `POST`, ...; empty for the overall row.
    pub method: String,
    /// The templated path; `Aggregated` for the overall row.
    pub name: String,
    pub requests: usize,
    pub failures: usize,
    /// Requests per second over the run's duration.
    pub rps: f64,
    /// The average response time in milliseconds.
    pub avg_ms: f64,
    /// The 95th percentile response time in milliseconds: reported, not graded.
    pub p95_ms: f64,
    /// Failed requests as a fraction of all requests (0.01 = 1%).
    pub failure_rate: f64,
    pub grade: Grade,
}

/// Every endpoint's grade and the overall one, with the bands they were judged by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grades {
    /// By name, then method.
    pub endpoints: Vec<EndpointGrade>,
    /// The Aggregated row: all requests together.
    pub overall: EndpointGrade,
    pub bands: Bands,
    /// How the users were paced.
    #[serde(default)]
    pub pacing: Pacing,
    /// In a paced run, the fraction of the offered rate achieved.
    #[serde(default)]
    pub kept_up: Option<f64>,
}

/// Grades every endpoint of `metrics` and the whole run by `bands`, reading throughput
/// as `pacing` says.
pub fn grade(metrics: &GooseMetrics, bands: &Bands, pacing: &Pacing) -> Grades {
    let (_, total) = endpoint_stats(metrics);
    let throughput = pacing.throughput(metrics, total.rps(metrics.duration));
    grade_by(metrics, bands, pacing, throughput)
}

/// Grades a saved run again, by `bands`, with the pacing and the kept-up fraction its
/// `grades.json` recorded (`saved`; a saved report keeps no transaction times); a run
/// without one is graded as one without think time.
pub fn regrade(metrics: &GooseMetrics, bands: &Bands, saved: Option<&Grades>) -> Grades {
    let Some(saved) = saved else {
        return grade(metrics, bands, &Pacing::Unknown);
    };
    match (&saved.pacing, saved.kept_up) {
        (Pacing::Paced { .. }, Some(kept)) => {
            grade_by(metrics, bands, &saved.pacing, Throughput::KeptUp(kept))
        }
        (pacing, _) => grade(metrics, bands, pacing),
    }
}

fn grade_by(
    metrics: &GooseMetrics,
    bands: &Bands,
    pacing: &Pacing,
    throughput: Throughput,
) -> Grades {
    let (rows, total) = endpoint_stats(metrics);
    let one = |row: &EndpointStats, throughput: Option<Throughput>| {
        let (rps, avg_ms, failure_rate) =
            (row.rps(metrics.duration), row.avg_ms(), row.failure_rate());
        EndpointGrade {
            method: row.method.clone(),
            name: row.name.clone(),
            requests: row.requests,
            failures: row.failures,
            rps,
            avg_ms,
            p95_ms: row.percentile_ms(0.95),
            failure_rate,
            grade: match throughput {
                Some(throughput) => bands.judge(throughput, avg_ms, failure_rate),
                None => bands.judge_endpoint(avg_ms, failure_rate),
            },
        }
    };
    Grades {
        endpoints: rows.iter().map(|row| one(row, None)).collect(),
        overall: one(&total, Some(throughput)),
        bands: *bands,
        pacing: pacing.clone(),
        kept_up: match throughput {
            Throughput::KeptUp(kept) => Some(kept),
            _ => None,
        },
    }
}

impl Grades {
    /// A plain-text table for the console: one line per endpoint, then the overall
    /// line, then the bands.
    pub fn table(&self) -> String {
        let label = |g: &EndpointGrade| match g.method.is_empty() {
            true => g.name.clone(),
            false => format!("{} {}", g.method, g.name),
        };
        let width = self
            .endpoints
            .iter()
            .chain(std::iter::once(&self.overall))
            .map(|g| label(g).chars().count())
            .max()
            .unwrap_or(0)
            .max("Endpoint".len());
        let mut out = String::new();
        let header = format!(
            "{:<width$} | {:>9} | {:>9} | {:>9} | {:>9} | {:>8} | grade",
            "Endpoint", "requests", "req/s", "avg ms", "p95 ms", "failures"
        );
        let rule = "-".repeat(header.len());
        let _ = writeln!(out, "{header}\n{rule}");
        let line = |out: &mut String, g: &EndpointGrade| {
            let _ = writeln!(
                out,
                "{:<width$} | {:>9} | {:>9.1} | {:>9.1} | {:>9.1} | {:>7.2}% | {}",
                label(g),
                g.requests,
                g.rps,
                g.avg_ms,
                g.p95_ms,
                g.failure_rate * 100.0,
                g.grade
            );
        };
        for g in &self.endpoints {
            line(&mut out, g);
        }
        let _ = writeln!(out, "{rule}");
        line(&mut out, &self.overall);
        let kept = self
            .kept_up
            .map(|k| format!(" ({}% of the offered rate kept up)", percent_1(k)))
            .unwrap_or_default();
        let _ = writeln!(out, "overall: {}{kept}", self.overall.grade);
        let _ = write!(out, "{}", describe_bands(&self.bands, &self.pacing));
        out
    }
}

impl std::fmt::Display for Grades {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.table())
    }
}

/// The bands as applied to this run's overall grade, on one line:
/// `good: req/s > 100, avg < 200 ms, failures < 1%; acceptable: ...; poor otherwise`,
/// with `kept up > 80%` in place of req/s for a paced run.
pub fn describe_bands(bands: &Bands, pacing: &Pacing) -> String {
    let (kept_good, kept_ok) = bands.kept_up_bounds();
    let band = |b: &Band, kept: f64| {
        let throughput = match pacing {
            Pacing::Paced { .. } => format!("kept up > {}%", percent(kept)),
            _ => format!("req/s > {}", b.min_rps),
        };
        format!(
            "{throughput}, avg < {} ms, failures < {}%",
            b.max_avg_ms,
            percent(b.max_failure_rate)
        )
    };
    format!(
        "overall {}: good: {}; acceptable: {}; poor otherwise; endpoints: the same \
         without the throughput bound",
        match pacing {
            Pacing::Paced { .. } => "(paced run)",
            Pacing::NoWait => "(no think time)",
            Pacing::Unknown => "(pacing not recorded)",
        },
        band(&bands.good, kept_good),
        band(&bands.acceptable, kept_ok)
    )
}

/// How [`grade`] grades, in words, from the bands it grades by and the run's pacing: the
/// note under the summary's grades table. A test reads the bounds back out of this text
/// and checks `grade` against them, so the note cannot drift from the grading.
pub fn grading_note(bands: &Bands, pacing: &Pacing) -> String {
    let latency = |b: &Band| {
        format!(
            "an average response time under {} ms and failures under {}%",
            b.max_avg_ms,
            percent(b.max_failure_rate)
        )
    };
    let (kept_good, kept_ok) = bands.kept_up_bounds();
    let overall = match pacing {
        Pacing::Paced { .. } => format!(
            "This run was paced: its users' think time set the request rate, so the overall \
             grade reads throughput as whether the gateway kept up with the load offered \
             (the rate achieved against the rate the users would make if every answer \
             were instant). Overall good: more than {}% kept up and {}; overall \
             acceptable: more than {}% kept up and {}.",
            percent(kept_good),
            latency(&bands.good),
            percent(kept_ok),
            latency(&bands.acceptable)
        ),
        _ => format!(
            "This run {}, so the overall grade reads throughput as the run's requests per \
             second. Overall good: more than {} req/s and {}; overall acceptable: more \
             than {} req/s and {}.",
            match pacing {
                Pacing::NoWait => "had no think time: users sent as fast as the gateway answered",
                _ => "did not record its pacing: it is graded as a run without think time",
            },
            bands.good.min_rps,
            latency(&bands.good),
            bands.acceptable.min_rps,
            latency(&bands.acceptable)
        ),
    };
    format!(
        "Each endpoint is graded on its average response time and failure rate over the \
         whole run. Endpoint good: {}; endpoint acceptable: {}; poor otherwise. An \
         endpoint's req/s is its share of the mix and is not graded. {overall} The overall \
         grade is the Aggregated row's, all requests together. Every bound is strict. The \
         p95 is shown beside the average, not graded.",
        latency(&bands.good),
        latency(&bands.acceptable)
    )
}

/// A fraction as a percentage with one decimal (`99.8`).
fn percent_1(fraction: f64) -> f64 {
    (fraction * 1000.0).round() / 10.0
}

/// A failure rate (0.05) as a percentage without float noise (`5`, not `5.000000000000001`).
fn percent(rate: f64) -> f64 {
    (rate * 100.0 * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::tests::{request, sample_metrics, timings};
    use goose::goose::{GooseMethod, TransactionName};
    use goose::metrics::TransactionMetricAggregate;

    fn no_wait(bands: &Bands, rps: f64, avg_ms: f64, rate: f64) -> Grade {
        bands.judge(Throughput::Rps(rps), avg_ms, rate)
    }

    #[test]
    fn a_run_without_think_time_keeps_the_original_toolkit_s_bands() {
        let b = Bands::default();
        assert_eq!(no_wait(&b, 150.0, 100.0, 0.0), Grade::Good);
        assert_eq!(no_wait(&b, 75.0, 100.0, 0.0), Grade::Acceptable);
        assert_eq!(no_wait(&b, 150.0, 300.0, 0.0), Grade::Acceptable);
        assert_eq!(no_wait(&b, 150.0, 100.0, 0.02), Grade::Acceptable);
        assert_eq!(no_wait(&b, 40.0, 100.0, 0.0), Grade::Poor);
        assert_eq!(no_wait(&b, 150.0, 600.0, 0.0), Grade::Poor);
        assert_eq!(no_wait(&b, 150.0, 100.0, 0.06), Grade::Poor);
    }

    #[test]
    fn every_bound_is_strict() {
        let b = Bands::default();
        assert_eq!(no_wait(&b, 100.0, 100.0, 0.0), Grade::Acceptable);
        assert_eq!(no_wait(&b, 100.01, 100.0, 0.0), Grade::Good);
        assert_eq!(no_wait(&b, 150.0, 200.0, 0.0), Grade::Acceptable);
        assert_eq!(no_wait(&b, 150.0, 199.99, 0.0), Grade::Good);
        assert_eq!(no_wait(&b, 150.0, 100.0, 0.01), Grade::Acceptable);
        assert_eq!(no_wait(&b, 50.0, 100.0, 0.0), Grade::Poor);
        assert_eq!(no_wait(&b, 60.0, 500.0, 0.0), Grade::Poor);
        assert_eq!(no_wait(&b, 60.0, 100.0, 0.05), Grade::Poor);
        assert_eq!(
            b.judge(Throughput::KeptUp(0.8), 10.0, 0.0),
            Grade::Acceptable
        );
        assert_eq!(b.judge(Throughput::KeptUp(0.81), 10.0, 0.0), Grade::Good);
        assert_eq!(b.judge(Throughput::KeptUp(0.5), 10.0, 0.0), Grade::Poor);
    }

    #[test]
    fn exactly_100_rps_from_metrics_is_not_good() {
        let mut metrics = GooseMetrics::default();
        metrics.duration = 10;
        // 1000 requests in 10 s = exactly 100 req/s, 5 ms each, no failures.
        let (key, aggregate) = request(GooseMethod::Get, "/", &[5; 1000], 0);
        metrics.requests.insert(key, aggregate);
        let grades = grade(&metrics, &Bands::default(), &Pacing::NoWait);
        assert_eq!(grades.overall.rps, 100.0);
        assert_eq!(grades.overall.grade, Grade::Acceptable);
        // The endpoint is not graded on its rate.
        assert_eq!(grades.endpoints[0].grade, Grade::Good);
        // One more request tips it over.
        let (key, aggregate) = request(GooseMethod::Get, "/", &[5; 1001], 0);
        metrics.requests.insert(key, aggregate);
        let grades = grade(&metrics, &Bands::default(), &Pacing::NoWait);
        assert_eq!(grades.overall.grade, Grade::Good);
    }

    /// `metrics` with one transaction of scenario `scenario` run `runs` times at `ms`.
    fn with_transaction(
        mut metrics: GooseMetrics,
        scenario: &str,
        runs: usize,
        ms: u64,
    ) -> GooseMetrics {
        metrics.transactions.push(vec![TransactionMetricAggregate {
            scenario_index: 0,
            scenario_name: scenario.into(),
            transaction_index: 0,
            transaction_name: TransactionName::TransactionOnly("next operation".into()),
            run_times: timings(&vec![ms; runs]),
            success_count: runs,
            fail_count: 0,
        }]);
        metrics
    }

    #[test]
    fn a_paced_run_is_graded_on_keeping_up_not_on_its_rate() {
        let pacing = Pacing::Paced {
            think_secs: [("Generated app".to_string(), 1.25)].into(),
        };
        // The demo's first run: 249 requests in 32 s (7.8 req/s), 2 ms each.
        let mut metrics = GooseMetrics::default();
        metrics.duration = 32;
        let (key, aggregate) = request(GooseMethod::Get, "/", &[2; 249], 0);
        metrics.requests.insert(key, aggregate);
        let fast = with_transaction(metrics.clone(), "Generated app", 249, 2);
        let grades = grade(&fast, &Bands::default(), &pacing);
        assert_eq!(grades.overall.grade, Grade::Good, "{}", grades.table());
        let kept = grades.kept_up.unwrap();
        assert!((kept - 1.25 / 1.252).abs() < 1e-9, "{kept}");
        assert!(grades.table().contains("99.8% of the offered rate kept up"));
        // The same rate without think time is poor: the gateway made only 7.8 req/s.
        let grades = grade(&fast, &Bands::default(), &Pacing::NoWait);
        assert_eq!(grades.overall.grade, Grade::Poor);
        // Transactions of 600 ms: the users make 1.25 / 1.85 = 68% of the offered rate.
        let slow = with_transaction(metrics.clone(), "Generated app", 249, 600);
        let grades = grade(&slow, &Bands::default(), &pacing);
        assert_eq!(grades.overall.grade, Grade::Acceptable);
        // Saved and graded again: the recorded fraction is kept (no transaction times).
        let saved = grades.clone();
        let again = regrade(&metrics, &Bands::default(), Some(&saved));
        assert_eq!(
            (again.overall.grade, again.kept_up),
            (Grade::Acceptable, saved.kept_up)
        );
        assert_eq!(
            regrade(&metrics, &Bands::default(), None).overall.grade,
            Grade::Poor
        );
        // A scenario without think time does not count towards keeping up.
        let other = with_transaction(metrics, "Static bare", 10, 5000);
        assert_eq!(grade(&other, &Bands::default(), &pacing).kept_up, None);
    }

    #[test]
    fn endpoints_are_graded_on_response_time_and_failures_only() {
        let grades = grade(&sample_metrics(), &Bands::default(), &Pacing::NoWait);
        let health = &grades.endpoints[0];
        assert_eq!(
            (health.method.as_str(), health.name.as_str()),
            ("GET", "/health")
        );
        assert_eq!(health.rps, 10.0);
        assert_eq!(health.avg_ms, 10.0);
        assert_eq!(health.grade, Grade::Good); // 10 req/s, not graded
        let items = &grades.endpoints[1];
        assert_eq!(items.failure_rate, 0.2);
        assert_eq!(items.p95_ms, 1000.0);
        assert_eq!(items.grade, Grade::Poor);
        assert_eq!(grades.overall.name, "Aggregated");
        assert_eq!(grades.overall.requests, 110);
        assert_eq!(grades.overall.grade, Grade::Poor);

        let custom = Bands {
            good: Band {
                min_rps: 5.0,
                max_avg_ms: 100.0,
                max_failure_rate: 0.05,
                min_kept_up: None,
            },
            acceptable: Band {
                min_rps: 1.0,
                max_avg_ms: 1000.0,
                max_failure_rate: 0.5,
                min_kept_up: None,
            },
        };
        let grades = grade(&sample_metrics(), &custom, &Pacing::NoWait);
        assert_eq!(grades.endpoints[0].grade, Grade::Good);
        assert_eq!(grades.endpoints[1].grade, Grade::Acceptable); // avg 550 ms, 20%
        assert_eq!(grades.overall.grade, Grade::Good); // 11 req/s, 59 ms, 1.8%
    }

    #[test]
    fn table_and_json() {
        let grades = grade(&sample_metrics(), &Bands::default(), &Pacing::NoWait);
        let table = grades.table();
        assert!(table.contains("GET /health"), "{table}");
        assert!(table.contains("POST /items"), "{table}");
        assert!(table.contains("20.00% | poor"), "{table}");
        assert!(table.contains("overall: poor"), "{table}");
        assert!(
            table.contains("good: req/s > 100, avg < 200 ms, failures < 1%"),
            "{table}"
        );
        let json = serde_json::to_value(&grades).unwrap();
        assert_eq!(json["overall"]["grade"], "poor");
        assert_eq!(json["endpoints"][0]["name"], "/health");
        assert_eq!(json["bands"]["good"]["min_rps"], 100.0);
        assert_eq!(json["pacing"]["kind"], "no_wait");
        let back: Grades = serde_json::from_value(json).unwrap();
        assert_eq!(back, grades);
    }

    /// Reads the bounds back out of the note, as a reader would, and checks `grade`
    /// against each claim: it fails when the grading changes (another figure graded, a
    /// bound no longer strict, p95 graded) and the note does not.
    #[test]
    fn the_grading_note_says_how_grade_grades() {
        let custom = Bands {
            good: Band {
                min_rps: 30.0,
                max_avg_ms: 80.0,
                max_failure_rate: 0.02,
                min_kept_up: Some(0.9),
            },
            acceptable: Band {
                min_rps: 10.0,
                max_avg_ms: 300.0,
                max_failure_rate: 0.05,
                min_kept_up: None,
            },
        };
        let endpoint = regex::Regex::new(
            r"[Ee]ndpoint (good|acceptable): an average response time under ([\d.]+) ms and failures under ([\d.]+)%",
        )
        .unwrap();
        let overall = regex::Regex::new(
            r"[Oo]verall (good|acceptable): more than ([\d.]+)( req/s|% kept up) and an average response time under ([\d.]+) ms and failures under ([\d.]+)%",
        )
        .unwrap();
        let paced = Pacing::Paced {
            think_secs: [("s".to_string(), 1.0)].into(),
        };
        let as_grade = |word: &str| match word {
            "good" => Grade::Good,
            _ => Grade::Acceptable,
        };
        for bands in [Bands::default(), custom] {
            for pacing in [Pacing::NoWait, paced.clone()] {
                let note = grading_note(&bands, &pacing);
                assert!(
                    note.contains("poor otherwise") && note.contains("strict"),
                    "{note}"
                );
                assert!(
                    note.contains("p95 is shown beside the average, not graded"),
                    "{note}"
                );
                let seconds = 10usize;
                // `n` requests of `ms` over `seconds`, `failures` failed, the users'
                // transactions taking `busy_ms` after 1 s of thinking.
                let graded = |n: usize, ms: u64, failures: usize, busy_ms: u64| {
                    let mut metrics = GooseMetrics::default();
                    metrics.duration = seconds;
                    let (key, aggregate) = request(GooseMethod::Get, "/", &vec![ms; n], failures);
                    metrics.requests.insert(key, aggregate);
                    let metrics = with_transaction(metrics, "s", n, busy_ms);
                    grade(&metrics, &bands, &pacing)
                };
                let claims: Vec<_> = endpoint.captures_iter(&note).collect();
                assert_eq!(claims.len(), 2, "{note}");
                for c in claims {
                    let (expected, avg_ms, rate) = (
                        as_grade(&c[1]),
                        c[2].parse::<f64>().unwrap(),
                        c[3].parse::<f64>().unwrap() / 100.0,
                    );
                    // An endpoint is graded without a rate: 11 requests in 10 s.
                    let n = 100;
                    let failures = ((n as f64 * rate).ceil() as usize).saturating_sub(1);
                    let inside = graded(n, avg_ms as u64 - 1, failures, 0);
                    assert_eq!(inside.endpoints[0].grade, expected, "{note}");
                    let on_avg = graded(n, avg_ms as u64, 0, 0);
                    assert!(on_avg.endpoints[0].grade > expected, "{note}");
                    let past = graded(n, avg_ms as u64 - 1, failures + 1, 0);
                    assert!(past.endpoints[0].grade > expected, "{note}");
                }
                let claims: Vec<_> = overall.captures_iter(&note).collect();
                assert_eq!(claims.len(), 2, "{note}");
                for c in claims {
                    let expected = as_grade(&c[1]);
                    let bound: f64 = c[2].parse().unwrap();
                    let (avg_ms, rate): (f64, f64) =
                        (c[4].parse().unwrap(), c[5].parse::<f64>().unwrap() / 100.0);
                    let by_rate = &c[3] == " req/s";
                    assert_eq!(by_rate, pacing == Pacing::NoWait, "{note}");
                    // Enough requests to pass a rate bound; transactions that keep up.
                    let n = (bound * seconds as f64) as usize + 1;
                    let n = n.max(200);
                    let failures = ((n as f64 * rate).ceil() as usize).saturating_sub(1);
                    let ms = avg_ms as u64 - 1;
                    // Kept up exactly at the bound: busy = think·(1 − k)/k.
                    let on_bound_busy = |k: f64| (1000.0 * (1.0 - k) / k).round() as u64;
                    let inside = graded(n, ms, failures, 1);
                    assert_eq!(
                        inside.overall.grade, expected,
                        "{:?} by {note}",
                        inside.overall
                    );
                    if by_rate {
                        let n_on = (bound * seconds as f64) as usize;
                        let on = graded(n_on, ms, 0, 1);
                        assert_eq!(on.overall.rps, bound);
                        assert!(on.overall.grade > expected, "{note}");
                    } else {
                        let k = bound / 100.0;
                        let behind = graded(n, ms, 0, on_bound_busy(k) + 1);
                        assert!(behind.kept_up.unwrap() <= k, "{:?}", behind.kept_up);
                        assert!(behind.overall.grade > expected, "{note}");
                    }
                    let on_avg = graded(n, avg_ms as u64, 0, 1);
                    assert!(on_avg.overall.grade > expected, "{note}");
                    let past = graded(n, ms, failures + 1, 1);
                    assert!(past.overall.grade > expected, "{note}");
                }
            }
        }
    }

    #[test]
    fn bands_read_from_partial_config() {
        let bands: Bands = serde_json::from_str(
            r#"{"good": {"min_rps": 10, "max_avg_ms": 50, "max_failure_rate": 0.001}}"#,
        )
        .unwrap();
        assert_eq!(bands.good.min_rps, 10.0);
        assert_eq!(bands.kept_up_bounds(), (0.8, 0.5));
        assert_eq!(bands.acceptable, Bands::default().acceptable);
        assert!(serde_json::from_str::<Bands>(r#"{"great": {}}"#).is_err());
    }
}
