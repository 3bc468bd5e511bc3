//! What a run leaves behind besides Goose's own reports: Locust-style CSV files, the
//! grades (`grades.json`), which operations the gateway accepted (`validity.md`,
//! `validity.json`), and a self-contained `summary.html` with charts.
//!
//! | file | module |
//! |---|---|
//! | `stats.csv`, `failures.csv`, `exceptions.csv` | [`locust_csv`] |
//! | `grades.json` (and the console table) | [`grade`] |
//! | `validity.md`, `validity.json` (and the console line) | [`validity`], from `answers` |
//! | `coverage.md`, `coverage.json` (and the console lines) | [`coverage`], from `deal` |
//! | `summary.html` | [`summary`], drawn by [`charts`] |
//!
//! Totals come from the `GooseMetrics` that `GooseAttack::execute()` returns (see
//! [`stats`]); the charts over time come from the JSON report Goose wrote for the same
//! run with `--report-graph-data` (see [`timeline`] for why), read by [`goose_json`],
//! which also reads a saved run back for grading later.

pub mod charts;
pub mod coverage;
pub mod goose_json;
pub mod grade;
pub mod locust_csv;
pub mod stats;
pub mod summary;
pub mod timeline;
pub mod validity;

use std::path::{Path, PathBuf};

use goose::metrics::GooseMetrics;

pub use goose_json::SavedRun;
pub use grade::{grade, Band, Bands, EndpointGrade, Grade, Grades, Pacing};
pub use summary::SummaryInput;
pub use timeline::Timeline;

/// The grades' file name in the run folder.
pub const GRADES_FILE: &str = "grades.json";
/// The summary page's file name in the run folder.
pub const SUMMARY_FILE: &str = "summary.html";

/// Why a report could not be written or read; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("write {}: {source}", .path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("write {}: {source}", .path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "read {} as a Goose JSON report: {source}; give the report.json Goose wrote for the run",
        .path.display()
    )]
    NotGooseReport {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("draw the {chart:?} chart: {message}")]
    Chart { chart: String, message: String },
}

/// What the reports need besides the metrics.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// The summary page's heading, e.g. `gateway-loadtest: 20250101-120000-light`.
    pub title: String,
    /// More facts for the summary's run table, in order: profile, host, seed, ...
    pub facts: Vec<(String, String)>,
    /// The JSON report Goose wrote for this run; with `--report-graph-data` it holds
    /// the per-second data the summary charts over time. `None`: no such charts.
    pub goose_json: Option<PathBuf>,
    /// What each request name was answered (`answers::snapshot`): `stats.csv`'s content
    /// sizes.
    pub answers: Vec<crate::answers::Answers>,
    /// The run's validity, written before (`validity::write`): the summary shows it and
    /// links to `validity.md`.
    pub validity: Option<validity::Validity>,
    /// How the users were paced: what the overall grade reads as throughput.
    pub pacing: grade::Pacing,
}

/// What [`write_run_reports`] wrote.
#[derive(Debug, Clone)]
pub struct RunReports {
    /// Every file written: `stats.csv`, `failures.csv`, `exceptions.csv`,
    /// `grades.json`, `summary.html`.
    pub files: Vec<PathBuf>,
    pub summary: PathBuf,
    pub grades: Grades,
    /// Why the summary has no charts over time, when it has none: worth a warning.
    pub timeline_note: Option<String>,
}

/// Writes the CSV files, `grades.json` and `summary.html` into `dir` (the run folder,
/// which must exist), after Goose has written its own reports.
pub fn write_run_reports(
    dir: &Path,
    metrics: &GooseMetrics,
    bands: &Bands,
    context: &RunContext,
) -> Result<RunReports, ReportError> {
    let mut files = locust_csv::write_all(dir, metrics, &context.answers)?;

    let grades = grade::grade(metrics, bands, &context.pacing);
    let grades_path = dir.join(GRADES_FILE);
    write_json(&grades_path, &grades)?;
    files.push(grades_path);

    let (timeline, timeline_note) = load_timeline(context.goose_json.as_deref());
    let summary_path = dir.join(SUMMARY_FILE);
    summary::write(
        &summary_path,
        &SummaryInput {
            title: &context.title,
            metrics,
            grades: &grades,
            timeline: timeline.as_ref(),
            timeline_note: timeline_note.as_deref(),
            facts: &context.facts,
            validity: context.validity.as_ref(),
        },
    )?;
    files.push(summary_path.clone());

    Ok(RunReports {
        files,
        summary: summary_path,
        grades,
        timeline_note,
    })
}

/// The run over time from Goose's JSON report, or why there is none. A missing or
/// unreadable report costs the summary its charts over time, not the run its reports.
fn load_timeline(goose_json: Option<&Path>) -> (Option<Timeline>, Option<String>) {
    let Some(path) = goose_json else {
        return (
            None,
            Some(
                "No charts over time: the run wrote no Goose JSON report \
                 (--report-file with a .json path, and --report-graph-data)."
                    .to_string(),
            ),
        );
    };
    match goose_json::read(path) {
        Ok(SavedRun {
            timeline: Some(timeline),
            ..
        }) if !timeline.is_empty() => (Some(timeline), None),
        Ok(_) => (
            None,
            Some(format!(
                "No charts over time: {} holds no per-second data; run with \
                 --report-graph-data to record it.",
                path.display()
            )),
        ),
        Err(e) => (None, Some(format!("No charts over time: failed to {e}."))),
    }
}

/// Writes `value` as pretty JSON with a trailing newline.
pub(crate) fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), ReportError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::tests::sample_metrics;
    use crate::report::timeline::tests::sample_graphs;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("glt-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn every_file_is_written_into_the_run_folder() {
        let dir = temp_dir("all");
        let metrics = sample_metrics();
        let goose_json = dir.join("report.json");
        let report = serde_json::json!({"raw_metrics": &metrics, "graphs": sample_graphs()});
        std::fs::write(&goose_json, report.to_string()).unwrap();
        let context = RunContext {
            title: "gateway-loadtest: test".into(),
            facts: vec![("profile".into(), "light".into())],
            goose_json: Some(goose_json),
            ..Default::default()
        };
        let reports = write_run_reports(&dir, &metrics, &Bands::default(), &context).unwrap();
        let names: Vec<_> = reports
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "stats.csv",
                "failures.csv",
                "exceptions.csv",
                "grades.json",
                "summary.html"
            ]
        );
        assert!(reports
            .files
            .iter()
            .all(|p| p.starts_with(&dir) && p.is_file()));
        assert_eq!(reports.timeline_note, None);
        let grades: Grades =
            serde_json::from_str(&std::fs::read_to_string(dir.join(GRADES_FILE)).unwrap()).unwrap();
        assert_eq!(grades, reports.grades);
        let html = std::fs::read_to_string(&reports.summary).unwrap();
        assert!(html.contains("Requests per second"));
        assert!(html.contains("<th>profile</th><td>light</td>"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_goose_report_costs_only_the_charts_over_time() {
        let dir = temp_dir("nojson");
        let context = RunContext {
            title: "t".into(),
            goose_json: Some(dir.join("report.json")),
            ..Default::default()
        };
        let reports =
            write_run_reports(&dir, &sample_metrics(), &Bands::default(), &context).unwrap();
        let note = reports.timeline_note.unwrap();
        assert!(
            note.contains("failed to read") && note.contains("report.json"),
            "{note}"
        );
        assert!(std::fs::read_to_string(&reports.summary)
            .unwrap()
            .contains(&note[..20]));

        let report = serde_json::json!({"raw_metrics": sample_metrics()});
        std::fs::write(dir.join("report.json"), report.to_string()).unwrap();
        let reports =
            write_run_reports(&dir, &sample_metrics(), &Bands::default(), &context).unwrap();
        assert!(reports
            .timeline_note
            .unwrap()
            .contains("--report-graph-data"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A real Goose 0.19 JSON report, cut to what we read: a 20-second run of 10 users
    /// against the demo gateway with `--report-graph-data`. Guards the format we read
    /// against a Goose upgrade.
    const REAL_REPORT: &str = include_str!("../../tests/fixtures/goose/report-0.19.json");

    #[test]
    fn a_real_goose_report_reads_and_renders() {
        let run = goose_json::parse(REAL_REPORT).unwrap();
        assert_eq!(run.ended_by.as_deref(), Some("completed"));
        assert_eq!(run.metrics.requests.len(), 24);
        assert_eq!(run.metrics.maximum_users, 10);
        let timeline = run.timeline.as_ref().unwrap();
        // 22 whole seconds; the run's partial last second is left out, as Goose does.
        assert_eq!(timeline.requests_per_second.len(), 22);
        let counted: f64 = timeline.requests_per_second.iter().map(|p| p.1).sum();
        assert!(counted > 150.0 && counted <= 178.0, "{counted}");
        assert_eq!(timeline.users[2], (2.0, 10.0));
        assert_eq!(timeline.percentile_width, 1);
        assert!(timeline.percentiles.len() >= 20);
        assert!(timeline
            .percentiles
            .iter()
            .all(|p| p.p50_ms <= p.p95_ms && p.p95_ms <= p.p99_ms));

        let dir = temp_dir("real");
        let goose_json = dir.join("report.json");
        std::fs::write(&goose_json, REAL_REPORT).unwrap();
        let context = RunContext {
            title: "gateway-loadtest: real run".into(),
            goose_json: Some(goose_json),
            ..Default::default()
        };
        let reports = write_run_reports(&dir, &run.metrics, &Bands::default(), &context).unwrap();
        assert_eq!(reports.timeline_note, None);
        assert_eq!(reports.grades.overall.requests, 178);
        assert_eq!(reports.grades.endpoints.len(), 24);
        let stats = std::fs::read_to_string(dir.join("stats.csv")).unwrap();
        assert_eq!(
            stats.lines().count(),
            26,
            "header, 24 endpoints, Aggregated"
        );
        assert!(
            stats
                .lines()
                .last()
                .unwrap()
                .starts_with(",Aggregated,178,0,"),
            "{stats}"
        );
        let html = std::fs::read_to_string(&reports.summary).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg").count(), 5);
        assert!(!html.contains("http://") && !html.contains("https://"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_fit_after_failed_to() {
        let err = ReportError::Chart {
            chart: "Users".into(),
            message: "out of range".into(),
        };
        assert_eq!(err.to_string(), "draw the \"Users\" chart: out of range");
    }
}
