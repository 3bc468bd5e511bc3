//! `analyze RUN [--baseline RUN]`: grades a saved run from its Goose JSON report and,
//! with a baseline, compares them endpoint by endpoint (p50/p95/p99, req/s, failure
//! rate); a regression past the bounds is exit code 4, for CI to act on.
//!
//! An endpoint regresses when its p95 grew by more than `--max-regression` percent *and*
//! more than `--min-regression-ms` milliseconds, or its failure rate grew by more than
//! `--max-failure-increase` percentage points, or it disappeared. The absolute floor is
//! there because a local gateway answers in a few milliseconds, where scheduling noise
//! alone is often more than 20%. Endpoints with fewer than [`MIN_REQUESTS`] requests in
//! either run are shown but never judged: their percentiles are a handful of samples.
//! Req/s and the other percentiles are shown, not judged: they follow the load shape.

use super::CommandError;
use crate::report::{self, goose_json, stats::EndpointStats, Bands, SavedRun};
use goose::metrics::GooseMetrics;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The process exit code when the comparison finds a regression.
pub const EXIT_REGRESSION: u8 = 4;
/// Endpoints with fewer requests than this in either run are reported, not judged.
pub const MIN_REQUESTS: usize = 20;
/// The report's file name inside a run folder.
const REPORT_FILE: &str = "report.json";

/// What counts as a regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The p95 may grow by at most this many percent...
    pub max_regression_pct: f64,
    /// ...or by at most this many milliseconds.
    pub min_regression_ms: f64,
    /// The failure rate may grow by at most this many percentage points.
    pub max_failure_increase_pct: f64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_regression_pct: 20.0,
            min_regression_ms: 10.0,
            max_failure_increase_pct: 1.0,
        }
    }
}

/// One row's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub requests: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub rps: f64,
    /// A fraction (0.01 = 1%).
    pub failure_rate: f64,
}

impl Figures {
    fn of(row: &EndpointStats, seconds: usize) -> Figures {
        Figures {
            requests: row.requests,
            p50_ms: row.percentile_ms(0.50),
            p95_ms: row.percentile_ms(0.95),
            p99_ms: row.percentile_ms(0.99),
            rps: row.rps(seconds),
            failure_rate: row.failure_rate(),
        }
    }
}

/// The verdict on one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ok,
    /// Why, e.g. `p95 +85.0% (+42.1 ms)`.
    Regressed(Vec<String>),
    /// In the baseline with enough requests, not in the run.
    Missing,
    /// Fewer than [`MIN_REQUESTS`] in either run (or missing with few in the baseline).
    NotJudged,
    /// In the run only.
    New,
    /// The Aggregated row: shown for the whole picture, not judged.
    Total,
}

impl Verdict {
    fn fails(&self) -> bool {
        matches!(self, Verdict::Regressed(_) | Verdict::Missing)
    }
}

/// One endpoint (or the Aggregated row) in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// `METHOD name`, or `Aggregated`.
    pub label: String,
    pub run: Option<Figures>,
    pub baseline: Option<Figures>,
    pub verdict: Verdict,
}

/// Compares every endpoint of `run` with `baseline`, matched by `METHOD name`: the
/// run's endpoints in order, then those only the baseline has, then the Aggregated row.
pub fn compare(run: &GooseMetrics, baseline: &GooseMetrics, bounds: &Bounds) -> Vec<Comparison> {
    let (run_rows, run_total) = report::stats::endpoint_stats(run);
    let (base_rows, base_total) = report::stats::endpoint_stats(baseline);
    let label = |row: &EndpointStats| format!("{} {}", row.method, row.name);
    let base_of = |wanted: &str| base_rows.iter().find(|row| label(row) == wanted);
    let mut out: Vec<Comparison> = run_rows
        .iter()
        .map(|row| {
            let now = Figures::of(row, run.duration);
            let before = base_of(&label(row)).map(|b| Figures::of(b, baseline.duration));
            Comparison {
                label: label(row),
                run: Some(now),
                baseline: before,
                verdict: match before {
                    None => Verdict::New,
                    Some(before) => judge(&now, &before, bounds),
                },
            }
        })
        .collect();
    for row in &base_rows {
        if !run_rows.iter().any(|r| label(r) == label(row)) {
            let before = Figures::of(row, baseline.duration);
            out.push(Comparison {
                label: label(row),
                run: None,
                baseline: Some(before),
                verdict: match before.requests >= MIN_REQUESTS {
                    true => Verdict::Missing,
                    false => Verdict::NotJudged,
                },
            });
        }
    }
    out.push(Comparison {
        label: "Aggregated".to_string(),
        run: Some(Figures::of(&run_total, run.duration)),
        baseline: Some(Figures::of(&base_total, baseline.duration)),
        verdict: Verdict::Total,
    });
    out
}

/// The verdict on an endpoint present in both runs.
fn judge(now: &Figures, before: &Figures, bounds: &Bounds) -> Verdict {
    if now.requests < MIN_REQUESTS || before.requests < MIN_REQUESTS {
        return Verdict::NotJudged;
    }
    let mut why = Vec::new();
    let grew_ms = now.p95_ms - before.p95_ms;
    let grew_pct = change_pct(now.p95_ms, before.p95_ms);
    if grew_ms > bounds.min_regression_ms
        && grew_pct.is_none_or(|pct| pct > bounds.max_regression_pct)
    {
        why.push(format!(
            "p95 {} ({grew_ms:+.1} ms) over +{}%",
            pct_text(grew_pct),
            bounds.max_regression_pct
        ));
    }
    let grew_pp = (now.failure_rate - before.failure_rate) * 100.0;
    if grew_pp > bounds.max_failure_increase_pct {
        why.push(format!(
            "failures {grew_pp:+.2} pp over +{} pp",
            bounds.max_failure_increase_pct
        ));
    }
    match why.is_empty() {
        true => Verdict::Ok,
        false => Verdict::Regressed(why),
    }
}

/// The change from `before` to `now` in percent; `None` from zero to something.
fn change_pct(now: f64, before: f64) -> Option<f64> {
    match (before == 0.0, now == 0.0) {
        (true, true) => Some(0.0),
        (true, false) => None,
        (false, _) => Some((now - before) / before * 100.0),
    }
}

fn pct_text(pct: Option<f64>) -> String {
    pct.map_or("new".to_string(), |p| format!("{p:+.1}%"))
}

/// The delta table: per endpoint a `run`, a `baseline` and a `change` line; the
/// verdict on the run line, so one line names the endpoint and what went wrong.
pub fn delta_table(comparisons: &[Comparison]) -> String {
    let name_w = comparisons
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .max("Endpoint".len());
    let mut out = String::new();
    let header = format!(
        "{:<name_w$} | {:<8} | {:>8} | {:>9} | {:>9} | {:>9} | {:>8} | {:>9} | verdict",
        "Endpoint", "", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s", "failures"
    );
    let rule = "-".repeat(header.len() + 10);
    let _ = writeln!(out, "{header}\n{rule}");
    let figures = |f: &Option<Figures>| match f {
        Some(f) => format!(
            "{:>8} | {:>9.1} | {:>9.1} | {:>9.1} | {:>8.1} | {:>8.2}%",
            f.requests,
            f.p50_ms,
            f.p95_ms,
            f.p99_ms,
            f.rps,
            f.failure_rate * 100.0
        ),
        None => format!(
            "{:>8} | {:>9} | {:>9} | {:>9} | {:>8} | {:>9}",
            "-", "-", "-", "-", "-", "-"
        ),
    };
    for c in comparisons {
        if c.verdict == Verdict::Total {
            let _ = writeln!(out, "{rule}");
        }
        let verdict = match &c.verdict {
            Verdict::Ok => "ok".to_string(),
            Verdict::Regressed(why) => format!("REGRESSED: {}", why.join("; ")),
            Verdict::Missing => format!(
                "MISSING: not in this run (baseline: {} requests)",
                c.baseline.map_or(0, |b| b.requests)
            ),
            Verdict::NotJudged => format!("not judged: fewer than {MIN_REQUESTS} requests"),
            Verdict::New => "new: not in the baseline".to_string(),
            Verdict::Total => "not judged: all endpoints together".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<name_w$} | {:<8} | {} | {verdict}",
            c.label,
            "run",
            figures(&c.run)
        );
        let _ = writeln!(
            out,
            "{:<name_w$} | {:<8} | {} |",
            "",
            "baseline",
            figures(&c.baseline)
        );
        if let (Some(now), Some(before)) = (c.run, c.baseline) {
            let pct = |a: f64, b: f64| pct_text(change_pct(a, b));
            let _ = writeln!(
                out,
                "{:<name_w$} | {:<8} | {:>8} | {:>9} | {:>9} | {:>9} | {:>8} | {:>+6.2} pp |",
                "",
                "change",
                pct(now.requests as f64, before.requests as f64),
                pct(now.p50_ms, before.p50_ms),
                pct(now.p95_ms, before.p95_ms),
                pct(now.p99_ms, before.p99_ms),
                pct(now.rps, before.rps),
                (now.failure_rate - before.failure_rate) * 100.0
            );
        }
    }
    out
}

/// The closing lines: the verdict, the bounds, and what was not judged.
pub fn verdict_lines(comparisons: &[Comparison], bounds: &Bounds) -> (bool, String) {
    let failed: Vec<&str> = comparisons
        .iter()
        .filter(|c| c.verdict.fails())
        .map(|c| c.label.as_str())
        .collect();
    let not_judged = comparisons
        .iter()
        .filter(|c| c.verdict == Verdict::NotJudged)
        .count();
    let mut out = format!(
        "bounds: an endpoint regresses when its p95 grows by more than {}% and more than \
         {} ms, its failure rate by more than {} pp, or it disappears\n",
        bounds.max_regression_pct, bounds.min_regression_ms, bounds.max_failure_increase_pct
    );
    if not_judged > 0 {
        let _ = writeln!(
            out,
            "{not_judged} endpoint(s) with fewer than {MIN_REQUESTS} requests in either run \
             are shown but never fail the check"
        );
    }
    let _ = match failed.is_empty() {
        true => writeln!(out, "comparison: no regression"),
        false => writeln!(
            out,
            "comparison: REGRESSION in {} endpoint(s): {}",
            failed.len(),
            failed.join(", ")
        ),
    };
    (failed.is_empty(), out)
}

/// The report a command-line argument names: a run folder's `report.json`, or the file.
pub fn report_path(arg: &Path) -> Result<PathBuf, CommandError> {
    let missing = |reason: &str| CommandError::NoRun {
        path: arg.display().to_string(),
        reason: reason.to_string(),
    };
    if arg.is_dir() {
        let report = arg.join(REPORT_FILE);
        return match report.is_file() {
            true => Ok(report),
            false => Err(missing(
                "the folder holds no report.json (a run made with --report-file keeps its \
                 JSON report where that flag said)",
            )),
        };
    }
    match arg.exists() {
        true => Ok(arg.to_path_buf()),
        false => Err(missing("no such file or folder")),
    }
}

/// Reads a run from a folder or report file.
pub fn load(arg: &Path) -> Result<(PathBuf, SavedRun), CommandError> {
    let path = report_path(arg)?;
    let run = goose_json::read(&path).map_err(CommandError::Report)?;
    Ok((path, run))
}

/// The `grades.json` beside a run's `report.json`, when there is one: how the run was
/// paced, which decides how it is graded.
fn saved_grades(report: &Path) -> Option<report::Grades> {
    let text = std::fs::read(report.parent()?.join(report::GRADES_FILE)).ok()?;
    serde_json::from_slice(&text).ok()
}

fn describe(path: &Path, run: &SavedRun) -> String {
    format!(
        "{} ({} s{}{})",
        path.display(),
        run.metrics.duration,
        run.started
            .as_deref()
            .map_or(String::new(), |s| format!(", started {s}")),
        run.ended_by
            .as_deref()
            .map_or(String::new(), |s| format!(", {s}"))
    )
}

/// Grades `run`, compares it with `baseline` when given, and prints both; `Ok(false)`
/// when the comparison found a regression.
pub fn run(
    run: &Path,
    baseline: Option<&Path>,
    bounds: &Bounds,
    bands: &Bands,
) -> Result<bool, CommandError> {
    for (flag, value) in [
        ("--max-regression", bounds.max_regression_pct),
        ("--min-regression-ms", bounds.min_regression_ms),
        ("--max-failure-increase", bounds.max_failure_increase_pct),
    ] {
        if !value.is_finite() || value < 0.0 {
            return Err(CommandError::Usage(format!(
                "run analyze: {flag} must be a number of 0 or more, got {value}"
            )));
        }
    }
    let (run_path, saved) = load(run)?;
    let baseline = baseline.map(load).transpose()?;
    let grades = report::grade::regrade(&saved.metrics, bands, saved_grades(&run_path).as_ref());
    let mut out = format!("run: {}\n{}\n", describe(&run_path, &saved), grades.table());
    let mut passed = true;
    if let Some((base_path, base)) = baseline {
        let base_grade =
            report::grade::regrade(&base.metrics, bands, saved_grades(&base_path).as_ref())
                .overall
                .grade;
        let comparisons = compare(&saved.metrics, &base.metrics, bounds);
        let (ok, verdict) = verdict_lines(&comparisons, bounds);
        passed = ok;
        let _ = write!(
            out,
            "\nbaseline: {} (overall: {base_grade})\n{}{verdict}",
            describe(&base_path, &base),
            delta_table(&comparisons)
        );
    }
    // A closed pipe (`| head`) is not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes());
    Ok(passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::tests::{request, sample_metrics};
    use goose::goose::GooseMethod;

    /// A 10-second run: `GET /a` (40 requests at `a_ms`, `a_fail` failed), `GET /b`
    /// (5 requests), and `GET /c` (30 requests) when `with_c`.
    fn metrics(a_ms: u64, a_fail: usize, with_c: bool) -> GooseMetrics {
        let mut m = GooseMetrics::default();
        m.duration = 10;
        let mut add = |(k, v)| {
            m.requests.insert(k, v);
        };
        add(request(GooseMethod::Get, "/a", &vec![a_ms; 40], a_fail));
        add(request(GooseMethod::Get, "/b", &[900; 5], 0));
        if with_c {
            add(request(GooseMethod::Get, "/c", &[5; 30], 0));
        }
        m
    }

    fn verdict_of<'a>(c: &'a [Comparison], label: &str) -> &'a Verdict {
        &c.iter().find(|c| c.label == label).unwrap().verdict
    }

    #[test]
    fn the_same_run_passes() {
        let m = metrics(50, 0, true);
        let c = compare(&m, &m, &Bounds::default());
        assert_eq!(verdict_of(&c, "GET /a"), &Verdict::Ok);
        assert_eq!(verdict_of(&c, "GET /b"), &Verdict::NotJudged);
        assert_eq!(c.last().unwrap().label, "Aggregated");
        let (ok, text) = verdict_lines(&c, &Bounds::default());
        assert!(ok, "{text}");
        assert!(text.contains("1 endpoint(s) with fewer than 20"), "{text}");
    }

    #[test]
    fn a_slower_p95_regresses_only_past_both_bounds() {
        let before = metrics(50, 0, true);
        let c = compare(&metrics(100, 0, true), &before, &Bounds::default());
        assert!(
            matches!(verdict_of(&c, "GET /a"), Verdict::Regressed(why) if why[0].starts_with("p95 +")),
            "{c:?}"
        );
        // +40% but only +4 ms: noise on a fast endpoint.
        let fast = compare(
            &metrics(14, 0, true),
            &metrics(10, 0, true),
            &Bounds::default(),
        );
        assert_eq!(verdict_of(&fast, "GET /a"), &Verdict::Ok);
        // +10%: within 20%.
        let c = compare(&metrics(55, 0, true), &before, &Bounds::default());
        assert_eq!(verdict_of(&c, "GET /a"), &Verdict::Ok);
        let strict = Bounds {
            max_regression_pct: 5.0,
            min_regression_ms: 0.0,
            ..Bounds::default()
        };
        let c = compare(&metrics(55, 0, true), &before, &strict);
        assert!(matches!(verdict_of(&c, "GET /a"), Verdict::Regressed(_)));
        // Faster is never a regression.
        let c = compare(&metrics(10, 0, true), &before, &Bounds::default());
        assert_eq!(verdict_of(&c, "GET /a"), &Verdict::Ok);
    }

    #[test]
    fn more_failures_and_a_missing_endpoint_regress() {
        let before = metrics(50, 0, true);
        // 1 of 40 = 2.5 pp.
        let c = compare(&metrics(50, 1, false), &before, &Bounds::default());
        assert!(
            matches!(verdict_of(&c, "GET /a"), Verdict::Regressed(why) if why[0].contains("+2.50 pp")),
            "{c:?}"
        );
        assert_eq!(verdict_of(&c, "GET /c"), &Verdict::Missing);
        let (ok, text) = verdict_lines(&c, &Bounds::default());
        assert!(!ok);
        assert!(
            text.contains("REGRESSION in 2 endpoint(s): GET /a, GET /c"),
            "{text}"
        );
        // A new endpoint is not a regression.
        let c = compare(&before, &metrics(50, 0, false), &Bounds::default());
        assert_eq!(verdict_of(&c, "GET /c"), &Verdict::New);
        assert!(verdict_lines(&c, &Bounds::default()).0);
    }

    #[test]
    fn the_delta_table_names_the_endpoint_on_its_verdict_line() {
        let c = compare(
            &metrics(100, 0, true),
            &metrics(50, 0, true),
            &Bounds::default(),
        );
        let table = delta_table(&c);
        let line = table
            .lines()
            .find(|l| l.contains("REGRESSED"))
            .unwrap_or_else(|| panic!("{table}"));
        assert!(line.starts_with("GET /a "), "{table}");
        assert!(table.contains("| baseline |"), "{table}");
        assert!(table.contains("+100.0%"), "{table}");
        assert!(
            table.contains("not judged: fewer than 20 requests"),
            "{table}"
        );
    }

    #[test]
    fn a_run_is_a_folder_or_a_report_file_and_errors_say_what_to_do() {
        let dir = std::env::temp_dir().join(format!("glt-analyze-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let err = report_path(&dir).unwrap_err().to_string();
        assert!(
            err.contains(&dir.display().to_string()) && err.contains("report.json"),
            "{err}"
        );
        let err = report_path(&dir.join("nope")).unwrap_err().to_string();
        assert!(err.contains("nope") && err.contains("results/"), "{err}");
        let report = serde_json::json!({"raw_metrics": sample_metrics()}).to_string();
        std::fs::write(dir.join("report.json"), report).unwrap();
        assert_eq!(report_path(&dir).unwrap(), dir.join("report.json"));
        let (_, run) = load(&dir.join("report.json")).unwrap();
        assert_eq!(run.metrics.requests.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
