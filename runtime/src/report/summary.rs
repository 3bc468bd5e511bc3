//! `summary.html`: one self-contained page a person can read without network access,
//! with the run's facts, the grades, and inline SVG charts of requests per second,
//! response-time percentiles and errors over time, and each endpoint's latency.
//!
//! Nothing in the page is fetched: no script, no font, no stylesheet, no image; the
//! charts are SVG drawn in Rust (see `charts`), the style sheet is inline, and the page
//! holds no `http://` or `https://` URL at all.

use std::fmt::Write as _;
use std::path::Path;

use goose::metrics::GooseMetrics;
use goose::test_plan::TestPlanStepAction;

use super::charts::{self, LatencyBar, Line};
use super::grade::{grading_note, EndpointGrade, Grades};
use super::timeline::{Point, Timeline};
use super::ReportError;

/// What the summary is made of.
pub struct SummaryInput<'a> {
    /// The page's heading, e.g. `gateway-loadtest: 20250101-120000-light`.
    pub title: &'a str,
    pub metrics: &'a GooseMetrics,
    pub grades: &'a Grades,
    /// The run over time; without it the page says why in place of those charts.
    pub timeline: Option<&'a Timeline>,
    /// Why there is no timeline, shown in its place.
    pub timeline_note: Option<&'a str>,
    /// More facts for the run table, in order, such as `("host", ..)`, `("seed", ..)`.
    pub facts: &'a [(String, String)],
    /// Which operations the gateway accepted; shown with links to `validity.md` and
    /// `validity.json`, written beside the page.
    pub validity: Option<&'a super::validity::Validity>,
}

/// Writes the summary page to `path`.
pub fn write(path: &Path, input: &SummaryInput<'_>) -> Result<(), ReportError> {
    let html = render(input)?;
    std::fs::write(path, html).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The summary page's HTML.
pub fn render(input: &SummaryInput<'_>) -> Result<String, ReportError> {
    let mut page = String::with_capacity(64 * 1024);
    let title = escape(input.title);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{}</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
        include_str!("summary.css")
    );
    facts_section(&mut page, input);
    grades_section(&mut page, input.grades);
    if let Some(validity) = input.validity {
        validity_section(&mut page, validity);
    }
    charts_section(&mut page, input)?;
    errors_section(&mut page, input.metrics);
    page.push_str(
        "<p class=\"note\">Written by gateway-loadtest from Goose's metrics. Goose's own \
         report.html has more tables; its charts need internet access, these do not.</p>\n\
         </body>\n</html>\n",
    );
    Ok(page)
}

fn facts_section(page: &mut String, input: &SummaryInput<'_>) {
    let metrics = input.metrics;
    let (rows, total) = super::stats::endpoint_stats(metrics);
    let time = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let mut facts: Vec<(String, String)> = Vec::new();
    if let Some(first) = metrics.history.first() {
        facts.push(("started".into(), time(&first.timestamp)));
    }
    if let Some(last) = metrics
        .history
        .last()
        .filter(|step| matches!(step.action, TestPlanStepAction::Finished))
    {
        facts.push(("ended".into(), time(&last.timestamp)));
    }
    facts.push(("duration".into(), format!("{} s", metrics.duration)));
    facts.push((
        "users (most at once)".into(),
        metrics.maximum_users.to_string(),
    ));
    facts.push(("endpoints".into(), rows.len().to_string()));
    facts.push(("total requests".into(), total.requests.to_string()));
    facts.push((
        "failures".into(),
        format!("{} ({:.2}%)", total.failures, total.failure_rate() * 100.0),
    ));
    facts.push((
        "requests per second".into(),
        format!("{:.1}", total.rps(metrics.duration)),
    ));
    // Never a user name or password from the URL.
    let mut hosts: Vec<String> = metrics
        .hosts
        .iter()
        .map(|h| crate::spec::gateway_url::redact(h))
        .collect();
    hosts.sort();
    if !hosts.is_empty() {
        facts.push(("hosts".into(), hosts.join(", ")));
    }
    facts.extend(input.facts.iter().cloned());
    page.push_str("<h2>Run</h2>\n<table class=\"facts\">\n");
    for (name, value) in &facts {
        let _ = writeln!(
            page,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(name),
            escape(value)
        );
    }
    page.push_str("</table>\n");
}

fn grades_section(page: &mut String, grades: &Grades) {
    let _ = write!(
        page,
        "<h2>Grades</h2>\n<p class=\"overall\">Overall: {}</p>\n<table>\n<tr><th>Method</th>\
         <th>Endpoint</th><th class=\"num\">requests</th><th class=\"num\">req/s</th>\
         <th class=\"num\">avg ms</th><th class=\"num\">p95 ms</th>\
         <th class=\"num\">failures</th><th>grade</th></tr>\n",
        badge(&grades.overall)
    );
    let row = |page: &mut String, g: &EndpointGrade, class: &str| {
        let _ = writeln!(
            page,
            "<tr{class}><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{:.1}</td><td class=\"num\">{:.1}</td><td class=\"num\">{:.1}</td>\
             <td class=\"num\">{} ({:.2}%)</td><td>{}</td></tr>",
            escape(&g.method),
            escape(&g.name),
            g.requests,
            g.rps,
            g.avg_ms,
            g.p95_ms,
            g.failures,
            g.failure_rate * 100.0,
            badge(g)
        );
    };
    for g in &grades.endpoints {
        row(page, g, "");
    }
    row(page, &grades.overall, " class=\"total\"");
    let _ = writeln!(
        page,
        "</table>\n<p class=\"note\">{}</p>",
        escape(&grading_note(&grades.bands, &grades.pacing))
    );
}

/// How many operations had a 2xx answer, those that never did with their top reason,
/// and links to the files that say more.
fn validity_section(page: &mut String, validity: &super::validity::Validity) {
    use super::validity::{JSON_FILE, MARKDOWN_FILE};
    let _ = writeln!(
        page,
        "<h2>Validity</h2>\n<p>{} of {} operations had a 2xx answer; {} never succeeded. \
         <a href=\"{MARKDOWN_FILE}\">{MARKDOWN_FILE}</a> says why each failed (read it to \
         write a values file); <a href=\"{JSON_FILE}\">{JSON_FILE}</a> holds the same data.</p>",
        validity.operations_with_2xx,
        validity.operations_total,
        validity.never_succeeded.len()
    );
    let never: Vec<_> = validity
        .operations
        .iter()
        .filter(|r| !r.succeeded)
        .collect();
    if never.is_empty() {
        return;
    }
    page.push_str(
        "<table>\n<tr><th>Operation</th><th class=\"num\">requests</th>\
         <th>top failure reason</th></tr>\n",
    );
    for row in never.iter().take(50) {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&row.operation),
            row.requests,
            escape(&row.top_reason().unwrap_or_default())
        );
    }
    page.push_str("</table>\n");
    if never.len() > 50 {
        let _ = writeln!(
            page,
            "<p class=\"note\">{} more in {MARKDOWN_FILE}.</p>",
            never.len() - 50
        );
    }
}

fn badge(g: &EndpointGrade) -> String {
    format!("<span class=\"grade {0}\">{0}</span>", g.grade.as_str())
}

fn charts_section(page: &mut String, input: &SummaryInput<'_>) -> Result<(), ReportError> {
    page.push_str("<h2>Over time</h2>\n");
    match input.timeline.filter(|t| !t.is_empty()) {
        Some(timeline) => timeline_charts(page, timeline)?,
        None => {
            let note = input
                .timeline_note
                .unwrap_or("Goose recorded no per-second data for this run.");
            let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(note));
        }
    }
    page.push_str("<h2>Latency per endpoint</h2>\n");
    let bars: Vec<LatencyBar> = input
        .grades
        .endpoints
        .iter()
        .map(|g| LatencyBar {
            label: format!("{} {}", g.method, g.name),
            avg_ms: g.avg_ms,
            p95_ms: g.p95_ms,
        })
        .collect();
    if bars.is_empty() {
        page.push_str("<p class=\"note\">No requests were made.</p>\n");
    } else {
        let svg = charts::latency_bars("Average and p95 response time per endpoint", &bars)?;
        push_chart(page, &svg);
    }
    Ok(())
}

fn timeline_charts(page: &mut String, timeline: &Timeline) -> Result<(), ReportError> {
    let svg = charts::line_chart(
        "Requests per second",
        "requests/s",
        &[Line::new(
            "requests/s",
            charts::BLUE,
            &timeline.requests_per_second,
        )],
    )?;
    push_chart(page, &svg);

    if timeline.percentiles.is_empty() {
        let svg = charts::line_chart(
            "Average response time (no percentiles recorded)",
            "milliseconds",
            &[Line::new("average", charts::BLUE, &timeline.average_ms)],
        )?;
        push_chart(page, &svg);
    } else {
        let column = |f: fn(&super::timeline::PercentilePoint) -> f64| -> Vec<Point> {
            timeline
                .percentiles
                .iter()
                .map(|p| (p.second, f(p)))
                .collect()
        };
        let (p50, p95, p99) = (
            column(|p| p.p50_ms),
            column(|p| p.p95_ms),
            column(|p| p.p99_ms),
        );
        let title = match timeline.percentile_width {
            1 => "Response time percentiles per second".to_string(),
            w => format!("Response time percentiles per {w} seconds"),
        };
        let svg = charts::line_chart(
            &title,
            "milliseconds",
            // With few requests a second the three often coincide: the widest (p99)
            // first, p95 dashed over it, p50 thin on top, so none hides another.
            &[
                Line::new("p99", charts::RED, &p99).width(6),
                Line::new("p95", charts::ORANGE, &p95).width(3).dashed(),
                Line::new("p50", charts::GREEN, &p50),
            ],
        )?;
        push_chart(page, &svg);
    }

    let svg = charts::line_chart(
        "Errors per second",
        "errors/s",
        &[Line::new(
            "failed requests/s",
            charts::RED,
            &timeline.errors_per_second,
        )],
    )?;
    push_chart(page, &svg);

    if !timeline.users.is_empty() {
        let svg = charts::line_chart(
            "Users",
            "users",
            &[Line::new("users", charts::GREY, &timeline.users)],
        )?;
        push_chart(page, &svg);
    }
    Ok(())
}

fn push_chart(page: &mut String, svg: &str) {
    let _ = writeln!(page, "<div class=\"chart\">{svg}</div>");
}

fn errors_section(page: &mut String, metrics: &GooseMetrics) {
    if metrics.errors.is_empty() {
        return;
    }
    let mut errors: Vec<_> = metrics.errors.values().collect();
    errors.sort_by_key(|e| std::cmp::Reverse(e.occurrences));
    page.push_str(
        "<h2>Errors</h2>\n<table>\n<tr><th class=\"num\">occurrences</th><th>Method</th>\
         <th>Endpoint</th><th>Error</th></tr>\n",
    );
    for error in errors.iter().take(50) {
        let _ = writeln!(
            page,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            error.occurrences,
            escape(error.method_label()),
            escape(&error.name),
            escape(&error.error)
        );
    }
    page.push_str("</table>\n");
    if errors.len() > 50 {
        let _ = writeln!(
            page,
            "<p class=\"note\">{} more in failures.csv.</p>",
            errors.len() - 50
        );
    }
}

/// `text` safe in HTML text and attribute values. A URL in run data (the host, an
/// error message naming one) is written with its `://` as `&#58;//`: it reads the same,
/// and the page's source holds no URL a browser or a checker could take for something
/// to fetch.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out.replace("://", "&#58;//")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::grade::{grade, Bands, Pacing};
    use crate::report::stats::tests::sample_metrics;
    use crate::report::timeline::tests::sample_graphs;

    fn page(timeline: Option<&Timeline>, metrics: &GooseMetrics) -> String {
        let grades = grade(metrics, &Bands::default(), &Pacing::NoWait);
        let facts = [("host".to_string(), "http://127.0.0.1:8000".to_string())];
        render(&SummaryInput {
            title: "gateway-loadtest <run>",
            metrics,
            grades: &grades,
            timeline,
            timeline_note: None,
            facts: &facts,
            validity: None,
        })
        .unwrap()
    }

    #[test]
    fn the_page_is_self_contained_html_with_svg_charts() {
        let mut metrics = sample_metrics();
        metrics
            .hosts
            .insert("https://user:secret@gateway.example/".to_string());
        let timeline = Timeline::from_graphs(&sample_graphs(), &metrics).unwrap();
        let html = page(Some(&timeline), &metrics);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.trim_end().ends_with("</html>"));
        // requests/s, percentiles, errors, users, latency per endpoint
        assert_eq!(html.matches("<svg").count(), 5, "five charts");
        assert_eq!(html.matches("</svg>").count(), 5);
        assert!(html.contains("Response time percentiles per second"));
        assert!(!html.contains("http://"), "no URL");
        assert!(!html.contains("https://"), "no URL");
        for fetch in ["<script", "<link", "<img", "@import", "url("] {
            assert!(!html.contains(fetch), "{fetch}");
        }
        assert!(
            html.contains("gateway-loadtest &lt;run&gt;"),
            "the title is escaped"
        );
        assert!(html.contains("<td>/items</td>"));
        assert!(html.contains("Overall: <span class=\"grade poor\">poor</span>"));
        assert!(html.contains("500 Internal Server Error: /items"));
        assert!(html.contains("<th>total requests</th><td>110</td>"));
        assert!(html.contains("<th>host</th><td>http&#58;//127.0.0.1:8000</td>"));
        assert!(
            html.contains("<td>https&#58;//***@gateway.example</td>"),
            "hosts are redacted"
        );
        assert!(!html.contains("secret"));
    }

    #[test]
    fn the_grading_note_is_the_grading_s() {
        let metrics = sample_metrics();
        let mut bands = Bands::default();
        bands.good.max_avg_ms = 123.0;
        let pacing = Pacing::Paced {
            think_secs: [("s".to_string(), 1.0)].into(),
        };
        let grades = grade(&metrics, &bands, &pacing);
        let html = render(&SummaryInput {
            title: "t",
            metrics: &metrics,
            grades: &grades,
            timeline: None,
            timeline_note: None,
            facts: &[],
            validity: None,
        })
        .unwrap();
        let note = escape(&grading_note(&bands, &pacing));
        assert!(note.contains("This run was paced"), "{note}");
        assert!(
            html.contains(&format!("<p class=\"note\">{note}</p>")),
            "{html}"
        );
        assert!(
            note.contains("average response time under 123 ms"),
            "{note}"
        );
        assert!(!html.contains("Graded on the average response time;"));
    }

    #[test]
    fn the_validity_section_links_its_files_and_lists_what_never_succeeded() {
        use crate::answers::Answers;
        use crate::report::validity::{Planned, Validity};
        let refused = Answers {
            method: "POST".into(),
            name: "/docman/tickets".into(),
            requests: 4,
            ok: 0,
            body_bytes: 400,
            reasons: vec![(
                crate::reason::Reason::new(
                    Some(422),
                    Some("body.reporter.email".into()),
                    "bad <email>",
                ),
                4,
            )],
            other_reasons: 0,
        };
        let validity = Validity::build(&[refused], &Planned::default(), &[]);
        let metrics = sample_metrics();
        let grades = grade(&metrics, &Bands::default(), &Pacing::NoWait);
        let html = render(&SummaryInput {
            title: "t",
            metrics: &metrics,
            grades: &grades,
            timeline: None,
            timeline_note: None,
            facts: &[],
            validity: Some(&validity),
        })
        .unwrap();
        assert!(
            html.contains("<a href=\"validity.md\">validity.md</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"validity.json\">validity.json</a>"));
        assert!(html.contains("0 of 1 operations had a 2xx answer; 1 never succeeded."));
        assert!(html.contains(
            "<tr><td>POST /docman/tickets</td><td class=\"num\">4</td><td>422 body.reporter.email: bad &lt;email&gt;</td></tr>"
        ), "{html}");
    }

    #[test]
    fn without_a_timeline_the_page_says_why_and_still_charts_latency() {
        let metrics = sample_metrics();
        let grades = grade(&metrics, &Bands::default(), &Pacing::NoWait);
        let html = render(&SummaryInput {
            title: "t",
            metrics: &metrics,
            grades: &grades,
            timeline: None,
            timeline_note: Some("no JSON report with --report-graph-data"),
            facts: &[],
            validity: None,
        })
        .unwrap();
        assert!(html.contains("no JSON report with --report-graph-data"));
        assert_eq!(html.matches("<svg").count(), 1);
    }

    #[test]
    fn a_timeline_without_percentiles_charts_the_average() {
        let metrics = sample_metrics();
        let mut graphs = sample_graphs();
        graphs.as_object_mut().unwrap().remove("heatmap");
        let timeline = Timeline::from_graphs(&graphs, &metrics).unwrap();
        let html = page(Some(&timeline), &metrics);
        assert!(html.contains("Average response time (no percentiles recorded)"));
    }

    #[test]
    fn an_empty_run_still_renders() {
        let html = page(None, &GooseMetrics::default());
        assert!(html.contains("No requests were made."));
        assert!(!html.contains("<svg"));
    }

    #[test]
    fn write_names_the_file_it_could_not_write() {
        let metrics = GooseMetrics::default();
        let grades = grade(&metrics, &Bands::default(), &Pacing::NoWait);
        let path =
            std::env::temp_dir().join(format!("glt-no-dir-{}/summary.html", std::process::id()));
        let input = SummaryInput {
            title: "t",
            metrics: &metrics,
            grades: &grades,
            timeline: None,
            timeline_note: None,
            facts: &[],
            validity: None,
        };
        let err = write(&path, &input).unwrap_err().to_string();
        assert!(
            err.starts_with("write ") && err.contains("summary.html"),
            "{err}"
        );
    }
}
