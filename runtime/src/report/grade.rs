//! The verdict on a run: good, acceptable or poor per endpoint and overall, by
//! configurable bands of throughput, response time and failure rate.
//!
//! The default bands are the original toolkit's: good = RPS > 100 and response time
//! < 200 ms and failure rate < 1%; acceptable = RPS > 50, < 500 ms, < 5%; poor
//! otherwise. Every bound is strict, so exactly 100 RPS is not good. The response time
//! judged is the average, as the original toolkit judged it; the 95th percentile is
//! reported beside it so a slow tail hidden by a fast average is visible. The overall
//! grade is the Aggregated row's: all requests' RPS, average and failure rate together.
//! An endpoint's RPS is its own share of the traffic, so with many endpoints each one
//! can be poor on throughput while the whole is good.

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

impl Band {
    /// Whether `row` beats every bound of this band.
    fn admits(&self, rps: f64, avg_ms: f64, failure_rate: f64) -> bool {
        rps > self.min_rps && avg_ms < self.max_avg_ms && failure_rate < self.max_failure_rate
    }
}

impl Bands {
    /// The grade of a row with these figures.
    pub fn judge(&self, rps: f64, avg_ms: f64, failure_rate: f64) -> Grade {
        if self.good.admits(rps, avg_ms, failure_rate) {
            Grade::Good
        } else if self.acceptable.admits(rps, avg_ms, failure_rate) {
            Grade::Acceptable
        } else {
            Grade::Poor
        }
    }
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
    /// The average response time in milliseconds: what is graded.
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
}

/// Grades every endpoint of `metrics` and the whole run by `bands`.
pub fn grade(metrics: &GooseMetrics, bands: &Bands) -> Grades {
    let (rows, total) = endpoint_stats(metrics);
    let one = |row: &EndpointStats| {
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
            grade: bands.judge(rps, avg_ms, failure_rate),
        }
    };
    Grades {
        endpoints: rows.iter().map(one).collect(),
        overall: one(&total),
        bands: *bands,
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
        let _ = writeln!(out, "overall: {}", self.overall.grade);
        let _ = write!(out, "{}", describe_bands(&self.bands));
        out
    }
}

impl std::fmt::Display for Grades {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.table())
    }
}

/// `good: req/s > 100, avg < 200 ms, failures < 1%; acceptable: ...; poor otherwise`.
pub fn describe_bands(bands: &Bands) -> String {
    let band = |b: &Band| {
        format!(
            "req/s > {}, avg < {} ms, failures < {}%",
            b.min_rps,
            b.max_avg_ms,
            percent(b.max_failure_rate)
        )
    };
    format!(
        "good: {}; acceptable: {}; poor otherwise",
        band(&bands.good),
        band(&bands.acceptable)
    )
}

/// How [`grade`] grades, in words, from the bands it grades by: the note under the
/// summary's grades table. A test reads the bounds back out of this text and checks
/// `grade` against them, so the note cannot drift from the grading.
pub fn grading_note(bands: &Bands) -> String {
    let band = |b: &Band| {
        format!(
            "more than {} req/s, an average response time under {} ms and failures under {}%",
            b.min_rps,
            b.max_avg_ms,
            percent(b.max_failure_rate)
        )
    };
    format!(
        "Each endpoint is graded on three figures over the whole run: its requests per second, \
         its average response time and its failure rate. Good: {}, all three; acceptable: {}, \
         all three; poor otherwise. Every bound is strict. The p95 is shown beside the \
         average, not graded. The overall grade is the Aggregated row's, all requests \
         together; an endpoint's req/s is its own share of the traffic, so each endpoint can \
         be poor on throughput while the whole run is good.",
        band(&bands.good),
        band(&bands.acceptable)
    )
}

/// A failure rate (0.05) as a percentage without float noise (`5`, not `5.000000000000001`).
fn percent(rate: f64) -> f64 {
    (rate * 100.0 * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::tests::{request, sample_metrics};
    use goose::goose::GooseMethod;

    #[test]
    fn default_bands_are_the_original_toolkit_s() {
        let b = Bands::default();
        assert_eq!(b.judge(150.0, 100.0, 0.0), Grade::Good);
        assert_eq!(b.judge(75.0, 100.0, 0.0), Grade::Acceptable);
        assert_eq!(b.judge(150.0, 300.0, 0.0), Grade::Acceptable);
        assert_eq!(b.judge(150.0, 100.0, 0.02), Grade::Acceptable);
        assert_eq!(b.judge(40.0, 100.0, 0.0), Grade::Poor);
        assert_eq!(b.judge(150.0, 600.0, 0.0), Grade::Poor);
        assert_eq!(b.judge(150.0, 100.0, 0.06), Grade::Poor);
    }

    #[test]
    fn every_bound_is_strict() {
        let b = Bands::default();
        assert_eq!(b.judge(100.0, 100.0, 0.0), Grade::Acceptable);
        assert_eq!(b.judge(100.01, 100.0, 0.0), Grade::Good);
        assert_eq!(b.judge(150.0, 200.0, 0.0), Grade::Acceptable);
        assert_eq!(b.judge(150.0, 199.99, 0.0), Grade::Good);
        assert_eq!(b.judge(150.0, 100.0, 0.01), Grade::Acceptable);
        assert_eq!(b.judge(50.0, 100.0, 0.0), Grade::Poor);
        assert_eq!(b.judge(60.0, 500.0, 0.0), Grade::Poor);
        assert_eq!(b.judge(60.0, 100.0, 0.05), Grade::Poor);
    }

    #[test]
    fn exactly_100_rps_from_metrics_is_not_good() {
        let mut metrics = GooseMetrics::default();
        metrics.duration = 10;
        // 1000 requests in 10 s = exactly 100 req/s, 5 ms each, no failures.
        let (key, aggregate) = request(GooseMethod::Get, "/", &[5; 1000], 0);
        metrics.requests.insert(key, aggregate);
        let grades = grade(&metrics, &Bands::default());
        assert_eq!(grades.overall.rps, 100.0);
        assert_eq!(grades.overall.grade, Grade::Acceptable);
        // One more request tips it over.
        let (key, aggregate) = request(GooseMethod::Get, "/", &[5; 1001], 0);
        metrics.requests.insert(key, aggregate);
        assert_eq!(
            grade(&metrics, &Bands::default()).overall.grade,
            Grade::Good
        );
    }

    #[test]
    fn per_endpoint_and_overall_grades() {
        let grades = grade(&sample_metrics(), &Bands::default());
        let health = &grades.endpoints[0];
        assert_eq!(
            (health.method.as_str(), health.name.as_str()),
            ("GET", "/health")
        );
        assert_eq!(health.rps, 10.0);
        assert_eq!(health.avg_ms, 10.0);
        assert_eq!(health.grade, Grade::Poor); // 10 req/s
        let items = &grades.endpoints[1];
        assert_eq!(items.failure_rate, 0.2);
        assert_eq!(items.p95_ms, 1000.0);
        assert_eq!(grades.overall.name, "Aggregated");
        assert_eq!(grades.overall.requests, 110);
        assert_eq!(grades.overall.grade, Grade::Poor);

        let custom = Bands {
            good: Band {
                min_rps: 5.0,
                max_avg_ms: 100.0,
                max_failure_rate: 0.05,
            },
            acceptable: Band {
                min_rps: 1.0,
                max_avg_ms: 1000.0,
                max_failure_rate: 0.5,
            },
        };
        let grades = grade(&sample_metrics(), &custom);
        assert_eq!(grades.endpoints[0].grade, Grade::Good);
        assert_eq!(grades.endpoints[1].grade, Grade::Poor); // exactly 1 req/s
        assert_eq!(grades.overall.grade, Grade::Good);
    }

    #[test]
    fn table_and_json() {
        let grades = grade(&sample_metrics(), &Bands::default());
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
            },
            acceptable: Band {
                min_rps: 10.0,
                max_avg_ms: 300.0,
                max_failure_rate: 0.05,
            },
        };
        let claim = regex::Regex::new(
            r"(Good|acceptable): more than ([\d.]+) req/s, an average response time under ([\d.]+) ms and failures under ([\d.]+)%, all three",
        )
        .unwrap();
        for bands in [Bands::default(), custom] {
            let note = grading_note(&bands);
            let read: Vec<(Grade, f64, f64, f64)> = claim
                .captures_iter(&note)
                .map(|c| {
                    let grade = match &c[1] {
                        "Good" => Grade::Good,
                        _ => Grade::Acceptable,
                    };
                    let number = |i: usize| c[i].parse::<f64>().unwrap();
                    (grade, number(2), number(3), number(4) / 100.0)
                })
                .collect();
            assert_eq!(read.len(), 2, "{note}");
            assert!(
                note.contains("poor otherwise") && note.contains("strict"),
                "{note}"
            );
            assert!(
                note.contains("p95 is shown beside the average, not graded"),
                "{note}"
            );
            assert!(
                note.contains("overall grade is the Aggregated row's"),
                "{note}"
            );
            let seconds = 10usize;
            // `n` requests over `seconds`, `slow` of them at `tail_ms`, the rest at
            // `ms`, `failures` failed; graded alone (endpoint) and as the whole.
            let graded = |n: usize, ms: u64, slow: usize, tail_ms: u64, failures: usize| {
                let mut times = vec![ms; n - slow];
                times.extend(std::iter::repeat_n(tail_ms, slow));
                let mut metrics = GooseMetrics::default();
                metrics.duration = seconds;
                let (key, aggregate) = request(GooseMethod::Get, "/", &times, failures);
                metrics.requests.insert(key, aggregate);
                let grades = grade(&metrics, &bands);
                assert_eq!(grades.endpoints[0].grade, grades.overall.grade);
                grades.overall
            };
            for (expected, rps, avg_ms, rate) in read {
                // Just inside every bound: this grade.
                let n = (rps * seconds as f64) as usize + 1;
                let ms = avg_ms as u64 - 1;
                let failures = ((n as f64 * rate).ceil() as usize).saturating_sub(1);
                let inside = graded(n, ms, 0, 0, failures);
                assert_eq!(inside.grade, expected, "{inside:?} by {note}");
                // Exactly on one bound: worse (every bound strict).
                let on_rps = graded(n - 1, ms, 0, 0, 0);
                assert_eq!(on_rps.rps, rps);
                assert!(on_rps.grade > expected, "{on_rps:?} by {note}");
                let on_avg = graded(n, avg_ms as u64, 0, 0, 0);
                assert_eq!(on_avg.avg_ms, avg_ms);
                assert!(on_avg.grade > expected, "{on_avg:?} by {note}");
                let past_rate = graded(n, ms, 0, 0, failures + 1);
                assert!(past_rate.failure_rate >= rate, "{past_rate:?}");
                assert!(past_rate.grade > expected, "{past_rate:?} by {note}");
                // A slow tail (p95 far past the bound) under a fast average: still this
                // grade, since p95 is not graded.
                let slow = n / 10;
                let fast = 1;
                let tail = (avg_ms as u64 - 2) * (n as u64) / (slow as u64).max(1) / 2;
                let tailed = graded(n, fast, slow, tail, failures);
                assert!(tailed.avg_ms < avg_ms, "{tailed:?}");
                assert!(tailed.p95_ms > avg_ms, "{tailed:?}");
                assert_eq!(tailed.grade, expected, "{tailed:?} by {note}");
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
        assert_eq!(bands.acceptable, Bands::default().acceptable);
        assert!(serde_json::from_str::<Bands>(r#"{"great": {}}"#).is_err());
    }
}
