//! `stats.csv`, `failures.csv` and `exceptions.csv` in Locust's `--csv` layout, so the
//! scripts people wrote to read Locust's files read ours.
//!
//! Checked against Locust 2.47's `locust/stats.py` (`StatsCSV`): the same column names
//! and order, one stats row per (method, name) sorted by name then method and a final
//! `Aggregated` row with an empty Type, percentiles as whole milliseconds (`N/A` for a
//! row without requests), Python's CSV dialect (minimal quoting, `\r\n` line ends) and
//! Python's float spelling (`12.0`, not `12`). Locust 2.44 added `First Seen` and
//! `Last Seen` to `failures.csv`; we write the current layout, and leave both empty, as
//! Locust does when it has no time: Goose's error summary does not keep when an error
//! happened. Scripts written for the older four columns read them by name and still
//! work.
//!
//! Where Goose's data differ from Locust's:
//! - times come from Goose's histogram (`percentile_us`, as Goose's own report),
//!   rounded to whole milliseconds where Locust writes integers;
//! - `Requests/s` and `Failures/s` are counts over `GooseMetrics::duration`, the run's
//!   whole seconds, as in Goose's report (Locust divides by first-to-last request);
//! - `Average Content Size` comes from our own record (`answers`), since Goose keeps no
//!   response sizes: the bytes of the bodies read over the requests recorded, a request
//!   without an answer counting as 0, as Locust counts it; a name sent outside
//!   `request::send` (the bare Goose baseline) shows 0.0;
//! - `exceptions.csv` holds the errors transactions returned (Goose's
//!   `transaction_errors`): the error as `Message`, the transaction that returned it
//!   as `Traceback` (Goose has no stack trace), and `local` as `Nodes`, as a
//!   stand-alone Locust writes.

use std::path::{Path, PathBuf};

use goose::metrics::GooseMetrics;

use crate::answers::Answers;

use super::stats::{endpoint_stats, EndpointStats};
use super::ReportError;

/// `stats.csv`'s header, as Locust writes it.
pub const STATS_HEADER: [&str; 22] = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
    "50%",
    "66%",
    "75%",
    "80%",
    "90%",
    "95%",
    "98%",
    "99%",
    "99.9%",
    "99.99%",
    "100%",
];

/// Locust's `PERCENTILES_TO_REPORT`, the last eleven columns of `stats.csv`.
pub const PERCENTILES: [f32; 11] = [
    0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// `failures.csv`'s header, as Locust (2.44 and later) writes it.
pub const FAILURES_HEADER: [&str; 6] = [
    "Method",
    "Name",
    "Error",
    "Occurrences",
    "First Seen",
    "Last Seen",
];

/// `exceptions.csv`'s header, as Locust writes it.
pub const EXCEPTIONS_HEADER: [&str; 4] = ["Count", "Message", "Traceback", "Nodes"];

/// File names, as `locust --csv PREFIX` names them without the prefix.
pub const STATS_FILE: &str = "stats.csv";
pub const FAILURES_FILE: &str = "failures.csv";
pub const EXCEPTIONS_FILE: &str = "exceptions.csv";

/// Writes `stats.csv`, `failures.csv` and `exceptions.csv` into `dir` (which must
/// exist) and returns their paths in that order; `answers` gives the content sizes.
pub fn write_all(
    dir: &Path,
    metrics: &GooseMetrics,
    answers: &[Answers],
) -> Result<Vec<PathBuf>, ReportError> {
    let files = [
        (STATS_FILE, stats_rows(metrics, answers)),
        (FAILURES_FILE, failures_rows(metrics)),
        (EXCEPTIONS_FILE, exceptions_rows(metrics)),
    ];
    let mut written = Vec::with_capacity(files.len());
    for (name, rows) in files {
        let path = dir.join(name);
        write_rows(&path, &rows)?;
        written.push(path);
    }
    Ok(written)
}

/// `stats.csv`: the header, each endpoint, then `Aggregated`; each row's content size
/// from `answers` (0.0 for a name they do not hold).
pub fn stats_rows(metrics: &GooseMetrics, answers: &[Answers]) -> Vec<Vec<String>> {
    let (rows, total) = endpoint_stats(metrics);
    let mut out = vec![STATS_HEADER.iter().map(|s| s.to_string()).collect()];
    for row in &rows {
        let size = answers
            .iter()
            .find(|a| a.method == row.method && a.name == row.name)
            .map_or(0.0, Answers::average_body_bytes);
        out.push(stats_row(row, metrics.duration, size));
    }
    let (bytes, requests) = answers
        .iter()
        .fold((0u64, 0u64), |(b, r), a| (b + a.body_bytes, r + a.requests));
    let size = match requests {
        0 => 0.0,
        n => bytes as f64 / n as f64,
    };
    out.push(stats_row(&total, metrics.duration, size));
    out
}

/// One `stats.csv` row, in Locust's types: integers where Locust writes `int`, Python
/// floats where it writes `float`; `content_size` is the average body in bytes.
fn stats_row(row: &EndpointStats, seconds: usize, content_size: f64) -> Vec<String> {
    let has_requests = row.requests > 0;
    let has_times = row.times.counter > 0;
    let mut fields = vec![
        row.method.clone(),
        row.name.clone(),
        row.requests.to_string(),
        row.failures.to_string(),
        match has_times {
            true => whole_ms(row.times.percentile_us(0.5)).to_string(),
            false => "0".to_string(),
        },
        py_float(row.avg_ms()),
        // Locust: `min_response_time or 0`, an int 0 before any time.
        match has_times {
            true => py_float(row.min_ms()),
            false => "0".to_string(),
        },
        match has_times {
            true => py_float(row.max_ms()),
            false => "0".to_string(),
        },
        // Locust: total size / requests, an int 0 without requests.
        match has_requests {
            true => py_float(content_size),
            false => "0".to_string(),
        },
        py_float(row.rps(seconds)),
        py_float(row.failures_per_second(seconds)),
    ];
    for percent in PERCENTILES {
        fields.push(match has_requests {
            true => whole_ms(row.times.percentile_us(percent)).to_string(),
            false => "N/A".to_string(),
        });
    }
    fields
}

/// `failures.csv`: one row per (method, name, error), sorted by name, method, error.
pub fn failures_rows(metrics: &GooseMetrics) -> Vec<Vec<String>> {
    let mut errors: Vec<_> = metrics.errors.values().collect();
    errors.sort_by(|a, b| {
        (&a.name, a.method_label(), &a.error).cmp(&(&b.name, b.method_label(), &b.error))
    });
    let mut out = vec![FAILURES_HEADER.iter().map(|s| s.to_string()).collect()];
    for error in errors {
        out.push(vec![
            error.method_label().to_string(),
            error.name.clone(),
            error.error.clone(),
            error.occurrences.to_string(),
            String::new(),
            String::new(),
        ]);
    }
    out
}

/// `exceptions.csv`: one row per error a transaction returned, most frequent first.
pub fn exceptions_rows(metrics: &GooseMetrics) -> Vec<Vec<String>> {
    let mut errors: Vec<_> = metrics.transaction_errors.values().collect();
    errors.sort_by_key(|e| std::cmp::Reverse(e.occurrences));
    let mut out = vec![EXCEPTIONS_HEADER.iter().map(|s| s.to_string()).collect()];
    for error in errors {
        out.push(vec![
            error.occurrences.to_string(),
            error.error.clone(),
            format!("transaction {}", error.transaction_label()),
            "local".to_string(),
        ]);
    }
    out
}

/// Writes `rows` as Python's `csv.writer` would: minimal quoting, `\r\n` line ends.
fn write_rows(path: &Path, rows: &[Vec<String>]) -> Result<(), ReportError> {
    let csv_error = |source| ReportError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .flexible(false)
        .from_path(path)
        .map_err(csv_error)?;
    for row in rows {
        writer.write_record(row).map_err(csv_error)?;
    }
    writer.flush().map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Microseconds as whole milliseconds, rounded half up (Locust rounds its times).
fn whole_ms(us: u64) -> u64 {
    (us + 500) / 1000
}

/// A float as Python's `repr` spells it in the usual range: `12.0`, `0.5`, `0.1`.
fn py_float(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e16 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::tests::sample_metrics;
    use goose::metrics::GooseTransactionErrorMetricAggregate;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("glt-csv-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn headers_are_exactly_locust_s() {
        let dir = temp_dir("headers");
        let files = write_all(&dir, &GooseMetrics::default(), &[]).unwrap();
        assert_eq!(
            files,
            [
                dir.join("stats.csv"),
                dir.join("failures.csv"),
                dir.join("exceptions.csv")
            ]
        );
        let first_line = |p: &Path| read(p).split("\r\n").next().unwrap().to_string();
        assert_eq!(
            first_line(&files[0]),
            "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
             Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,\
             50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
        );
        assert_eq!(
            first_line(&files[1]),
            "Method,Name,Error,Occurrences,First Seen,Last Seen"
        );
        assert_eq!(first_line(&files[2]), "Count,Message,Traceback,Nodes");
        // No requests: only the Aggregated row, with N/A percentiles, as Locust writes.
        assert_eq!(
            read(&files[0]).split("\r\n").nth(1).unwrap(),
            ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// What `answers` recorded for the sample: `/health` bodies of 15 bytes; `/items`
    /// answered 10 bytes in all over 4 requests (those without an answer count as 0).
    fn sizes() -> Vec<Answers> {
        let answers = |method: &str, name: &str, requests, body_bytes| Answers {
            method: method.into(),
            name: name.into(),
            requests,
            ok: requests,
            body_bytes,
            reasons: Vec::new(),
            other_reasons: 0,
        };
        vec![
            answers("GET", "/health", 2, 30),
            answers("POST", "/items", 4, 10),
            answers("GET", "/never-in-goose", 2, 0),
        ]
    }

    #[test]
    fn a_row_per_endpoint_then_aggregated_with_consistent_numbers() {
        let dir = temp_dir("rows");
        let files = write_all(&dir, &sample_metrics(), &sizes()).unwrap();
        let text = read(&files[0]);
        assert!(text.ends_with("\r\n"));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
        let col = |row: &csv::StringRecord, name: &str| {
            let at = STATS_HEADER.iter().position(|h| *h == name).unwrap();
            row[at].to_string()
        };
        let health = &rows[0];
        assert_eq!(
            (col(health, "Type"), col(health, "Name")),
            ("GET".into(), "/health".into())
        );
        assert_eq!(col(health, "Request Count"), "100");
        assert_eq!(col(health, "Failure Count"), "0");
        assert_eq!(col(health, "Median Response Time"), "10");
        assert_eq!(col(health, "Average Response Time"), "10.0");
        assert_eq!(col(health, "Min Response Time"), "10.0");
        assert_eq!(col(health, "Max Response Time"), "10.0");
        assert_eq!(col(health, "Average Content Size"), "15.0");
        assert_eq!(col(health, "Requests/s"), "10.0");
        assert_eq!(col(health, "Failures/s"), "0.0");
        assert_eq!(col(health, "100%"), "10");

        let items = &rows[1];
        assert_eq!(
            (col(items, "Type"), col(items, "Name")),
            ("POST".into(), "/items".into())
        );
        assert_eq!(col(items, "Request Count"), "10");
        assert_eq!(col(items, "Failure Count"), "2");
        assert_eq!(col(items, "Average Response Time"), "550.0");
        assert_eq!(col(items, "Min Response Time"), "100.0");
        assert_eq!(col(items, "Max Response Time"), "1000.0");
        assert_eq!(
            col(items, "Average Content Size"),
            "2.5",
            "10 bytes over 4 requests"
        );
        assert_eq!(col(items, "Requests/s"), "1.0");
        assert_eq!(col(items, "Failures/s"), "0.2");
        assert_eq!(col(items, "100%"), "1000");
        // The 9th of 10 requests (900 ms), to within Goose's bucket width (1/128).
        let p90: f64 = col(items, "90%").parse().unwrap();
        assert!((p90 - 900.0).abs() <= 900.0 / 128.0 + 0.5, "{p90}");

        let total = &rows[2];
        assert_eq!(
            (col(total, "Type"), col(total, "Name")),
            ("".into(), "Aggregated".into())
        );
        assert_eq!(col(total, "Request Count"), "110");
        assert_eq!(col(total, "Failure Count"), "2");
        assert_eq!(col(total, "Median Response Time"), "10");
        assert_eq!(
            col(total, "Average Content Size"),
            "5.0",
            "40 bytes over 8 requests"
        );
        assert_eq!(col(total, "Requests/s"), "11.0");
        assert_eq!(col(total, "Min Response Time"), "10.0");
        assert_eq!(col(total, "100%"), "1000");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn failures_and_exceptions_rows() {
        let mut metrics = sample_metrics();
        metrics.transaction_errors.insert(
            "0.1.boom".to_string(),
            GooseTransactionErrorMetricAggregate {
                scenario_index: 0,
                scenario_name: "Static uploader".to_string(),
                transaction_index: 1,
                transaction_name: "upload_file".to_string(),
                error: "error sending request, \"quoted\"".to_string(),
                occurrences: 3,
            },
        );
        let dir = temp_dir("failures");
        let files = write_all(&dir, &metrics, &[]).unwrap();
        assert_eq!(
            read(&files[1]),
            "Method,Name,Error,Occurrences,First Seen,Last Seen\r\n\
             POST,/items,500 Internal Server Error: /items,2,,\r\n"
        );
        assert_eq!(
            read(&files[2]),
            "Count,Message,Traceback,Nodes\r\n\
             3,\"error sending request, \"\"quoted\"\"\",transaction 1.2 Static uploader upload_file,local\r\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn floats_are_spelled_as_python_does() {
        assert_eq!(py_float(0.0), "0.0");
        assert_eq!(py_float(12.0), "12.0");
        assert_eq!(py_float(0.2), "0.2");
        assert_eq!(py_float(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(whole_ms(1499), 1);
        assert_eq!(whole_ms(1500), 2);
    }

    #[test]
    fn an_unwritable_folder_is_an_error_naming_the_file() {
        let missing =
            std::env::temp_dir().join(format!("glt-csv-missing-{}/x", std::process::id()));
        let err = write_all(&missing, &GooseMetrics::default(), &[])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("write "), "{err}");
        assert!(err.contains("stats.csv"), "{err}");
    }
}
