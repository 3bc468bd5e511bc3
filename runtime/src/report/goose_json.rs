//! Reading a run back from the JSON report Goose wrote (`report.json`): its metrics,
//! its start, end and how it ended, and its per-second graphs when it has them.
//!
//! Goose's JSON report holds the whole `GooseMetrics` (`raw_metrics`), so a saved run
//! can be graded and charted again (`analyze`) exactly as it was at the end of the run.

use std::path::Path;

use goose::metrics::GooseMetrics;
use serde::Deserialize;

use super::timeline::Timeline;
use super::ReportError;

/// A run as its Goose JSON report records it.
#[derive(Debug, Clone)]
pub struct SavedRun {
    /// When the run started and ended, RFC 3339, UTC, as Goose wrote them.
    pub started: Option<String>,
    pub ended: Option<String>,
    /// `completed`, `stopped`, `canceled` (Ctrl-C) or `users_exited`.
    pub ended_by: Option<String>,
    pub metrics: GooseMetrics,
    /// `None` unless the run was made with `--report-graph-data`.
    pub timeline: Option<Timeline>,
}

#[derive(Deserialize)]
struct JsonReport {
    #[serde(default)]
    started: Option<String>,
    #[serde(default)]
    ended: Option<String>,
    #[serde(default)]
    ended_by: Option<String>,
    raw_metrics: GooseMetrics,
    #[serde(default)]
    graphs: Option<serde_json::Value>,
}

/// Reads the Goose JSON report at `path`.
pub fn read(path: &Path) -> Result<SavedRun, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|source| ReportError::NotGooseReport {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses the text of a Goose JSON report.
pub fn parse(text: &str) -> Result<SavedRun, serde_json::Error> {
    let report: JsonReport = serde_json::from_str(text)?;
    let timeline = report
        .graphs
        .as_ref()
        .map(|graphs| Timeline::from_graphs(graphs, &report.raw_metrics))
        .transpose()?;
    Ok(SavedRun {
        started: report.started,
        ended: report.ended,
        ended_by: report.ended_by,
        metrics: report.raw_metrics,
        timeline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::tests::sample_metrics;
    use crate::report::timeline::tests::sample_graphs;

    #[test]
    fn a_report_with_graphs_reads_back_metrics_and_timeline() {
        let text = serde_json::json!({
            "goose_version": "0.19.0",
            "started": "2025-01-01T10:00:00Z",
            "ended": "2025-01-01T10:00:04Z",
            "ended_by": "completed",
            "raw_metrics": sample_metrics(),
            "raw_request_metrics": [],
            "graphs": sample_graphs(),
        })
        .to_string();
        let run = parse(&text).unwrap();
        assert_eq!(run.ended_by.as_deref(), Some("completed"));
        assert_eq!(run.metrics.requests.len(), 2);
        assert_eq!(run.metrics.requests["POST /items"].fail_count, 2);
        assert_eq!(
            run.metrics.requests["GET /health"].raw_data,
            sample_metrics().requests["GET /health"].raw_data
        );
        assert_eq!(run.timeline.unwrap().requests_per_second.len(), 4);
    }

    #[test]
    fn a_report_without_graphs_has_no_timeline() {
        let text = serde_json::json!({"raw_metrics": sample_metrics()}).to_string();
        let run = parse(&text).unwrap();
        assert!(run.timeline.is_none());
        assert!(run.started.is_none());
    }

    #[test]
    fn errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("glt-goose-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.json");
        let err = read(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with("read ") && err.contains("missing.json"),
            "{err}"
        );
        let bad = dir.join("bad.json");
        std::fs::write(&bad, "{\"raw_metrics\": 1}").unwrap();
        let err = read(&bad).unwrap_err().to_string();
        assert!(
            err.contains("bad.json") && err.contains("Goose JSON report"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
