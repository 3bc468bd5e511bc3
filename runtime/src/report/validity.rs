//! `validity.md` and `validity.json`: for each generated operation and each hand-written
//! request name, how many requests it sent, what share the gateway answered 2xx, whether
//! it ever succeeded, and why the others failed, worst first; the one line the run
//! prints about it. Made from what `answers` recorded during the run.
//!
//! An operation the run was to send but never sent (its producer never made what it
//! needs, say) is listed too, once the run reached its scenario: `Planned` tells which
//! operations each scenario sends.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use goose::goose::Scenario;
use serde::{Deserialize, Serialize};

use super::ReportError;
use crate::answers::{Answers, MAX_REASONS};
use crate::params::OperationInfo;
use crate::reason::{self, Reason};

/// The Markdown report's file name in the run folder.
pub const MARKDOWN_FILE: &str = "validity.md";
/// The JSON report's file name in the run folder.
pub const JSON_FILE: &str = "validity.json";

/// The generated operations each registered scenario sends, by scenario.
#[derive(Clone, Default)]
pub struct Planned {
    scenarios: Vec<Vec<&'static OperationInfo>>,
}

impl Planned {
    /// The operations among `operations` that each of `scenarios` registers as a
    /// transaction (named `METHOD /path`), leaving out on-start and on-stop ones.
    pub fn from_scenarios(
        scenarios: &[Scenario],
        operations: &[&'static OperationInfo],
    ) -> Planned {
        let scenarios = scenarios
            .iter()
            .map(|scenario| {
                scenario
                    .transactions
                    .iter()
                    .filter(|t| !t.on_start && !t.on_stop)
                    .filter_map(|t| {
                        let name = t.name.name_for_transaction();
                        operations
                            .iter()
                            .copied()
                            .find(|op| name == format!("{} {}", op.method, op.path))
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|ops| !ops.is_empty())
            .collect();
        Planned { scenarios }
    }

    /// Leaves out the operations `keep` refuses (those the mix weighs 0: never meant to
    /// be sent, so never counted as failing).
    pub fn retain(&mut self, keep: impl Fn(&OperationInfo) -> bool) {
        for scenario in &mut self.scenarios {
            scenario.retain(|op| keep(op));
        }
    }
}

/// The validity of a run: one row per operation, worst first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validity {
    /// Rows: operations sent, and operations planned but never sent.
    pub operations_total: usize,
    /// Rows with at least one 2xx answer.
    pub operations_with_2xx: usize,
    /// `METHOD name` of every row without a 2xx answer, worst first.
    pub never_succeeded: Vec<String>,
    pub limits: Limits,
    /// Worst first: the lowest share of 2xx, then the most requests.
    pub operations: Vec<Row>,
}

/// How much of each answer the run kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Distinct reasons kept per operation; later new ones are counted as other.
    pub reasons_per_operation: usize,
    /// Characters kept of a reason's message and field.
    pub reason_chars: usize,
    /// Fields of one 422 answer taken as reasons.
    pub fields_per_answer: usize,
}

/// One operation's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// `METHOD name`, as Goose's metrics key it.
    pub operation: String,
    pub method: String,
    pub name: String,
    /// Whether a generated operation (else a hand-written scenario's request).
    pub generated: bool,
    pub requests: u64,
    /// Answers with a 2xx status, read whole.
    pub ok: u64,
    /// `ok` over `requests`, 0 to 1.
    pub ok_share: f64,
    /// Whether any answer was 2xx.
    pub succeeded: bool,
    /// The average size of the bodies read, in bytes.
    pub average_body_bytes: f64,
    /// Why the others failed, most frequent first.
    pub reasons: Vec<ReasonRow>,
    /// Failures whose reason was not kept (past the distinct reasons kept).
    pub other_reasons: u64,
    /// Why it was never sent, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_sent: Option<String>,
}

/// One failure reason of an operation, with how often it was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonRow {
    #[serde(flatten)]
    pub reason: Reason,
    pub count: u64,
    /// `count` over the operation's requests.
    pub share: f64,
    /// Where a values file sets the field a 422 named (`/body/reporter/email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_key: Option<String>,
}

impl Row {
    fn from_answers(answers: &Answers, generated: bool) -> Row {
        let share = |count: u64| match answers.requests {
            0 => 0.0,
            n => count as f64 / n as f64,
        };
        Row {
            operation: answers.key(),
            method: answers.method.clone(),
            name: answers.name.clone(),
            generated,
            requests: answers.requests,
            ok: answers.ok,
            ok_share: answers.ok_share(),
            succeeded: answers.ok > 0,
            average_body_bytes: answers.average_body_bytes(),
            reasons: answers
                .reasons
                .iter()
                .map(|(reason, count)| ReasonRow {
                    values_key: reason.values_key(),
                    reason: reason.clone(),
                    count: *count,
                    share: share(*count),
                })
                .collect(),
            other_reasons: answers.other_reasons,
            not_sent: None,
        }
    }

    /// The row of an operation that was never sent, and why.
    fn not_sent(method: &str, name: &str, generated: bool, why: String) -> Row {
        Row {
            operation: format!("{method} {name}"),
            method: method.to_string(),
            name: name.to_string(),
            generated,
            requests: 0,
            ok: 0,
            ok_share: 0.0,
            succeeded: false,
            average_body_bytes: 0.0,
            reasons: Vec::new(),
            other_reasons: 0,
            not_sent: Some(why),
        }
    }

    /// Adds another run's answers of the same operation (see [`Validity::merge`]);
    /// [`Row::refresh`] makes the shares again.
    fn absorb(&mut self, other: &Row) {
        let bytes = self.average_body_bytes * self.requests as f64
            + other.average_body_bytes * other.requests as f64;
        self.requests += other.requests;
        self.ok += other.ok;
        self.average_body_bytes = match self.requests {
            0 => 0.0,
            n => bytes / n as f64,
        };
        self.generated |= other.generated;
        self.other_reasons += other.other_reasons;
        for reason in &other.reasons {
            let kept = self.reasons.len();
            match self.reasons.iter_mut().find(|r| r.reason == reason.reason) {
                Some(same) => same.count += reason.count,
                None if kept < MAX_REASONS => self.reasons.push(reason.clone()),
                None => self.other_reasons += reason.count,
            }
        }
        self.not_sent = match self.requests {
            0 => self.not_sent.take().or_else(|| other.not_sent.clone()),
            _ => None,
        };
    }

    /// The shares and `succeeded` from the counts, reasons most frequent first.
    fn refresh(&mut self) {
        let requests = self.requests;
        let share = |count: u64| match requests {
            0 => 0.0,
            n => count as f64 / n as f64,
        };
        self.ok_share = share(self.ok);
        self.succeeded = self.ok > 0;
        for reason in &mut self.reasons {
            reason.share = share(reason.count);
        }
        self.reasons.sort_by_key(|r| std::cmp::Reverse(r.count));
    }

    /// The row's top reason, in one line: `422 body.reporter.email: ...`.
    pub fn top_reason(&self) -> Option<String> {
        match (&self.not_sent, self.reasons.first()) {
            (Some(why), _) => Some(format!("never sent: {why}")),
            (None, Some(top)) => Some(top.reason.to_string()),
            (None, None) => None,
        }
    }
}

impl Validity {
    /// The rows for `answers` (every request name recorded) and for the operations of
    /// `planned` that were never sent, in a scenario that sent any of its operations.
    pub fn build(
        answers: &[Answers],
        planned: &Planned,
        operations: &[&'static OperationInfo],
    ) -> Validity {
        let key = |op: &OperationInfo| format!("{} {}", op.method, op.path);
        let is_generated = |a: &Answers| {
            operations
                .iter()
                .any(|op| op.method == a.method && op.path == a.name)
        };
        let mut rows: Vec<Row> = answers
            .iter()
            .map(|a| Row::from_answers(a, is_generated(a)))
            .collect();
        let sent = |op: &OperationInfo| {
            answers
                .iter()
                .any(|a| a.method == op.method && a.name == op.path)
        };
        let succeeded = |op: &OperationInfo| {
            answers
                .iter()
                .any(|a| a.method == op.method && a.name == op.path && a.ok > 0)
        };
        for scenario in &planned.scenarios {
            if !scenario.iter().any(|op| sent(op)) {
                continue; // the run never reached it (no user, or not selected)
            }
            for op in scenario {
                if sent(op) || rows.iter().any(|r| r.operation == key(op)) {
                    continue;
                }
                let blocked: Vec<String> = op
                    .needs
                    .iter()
                    .filter(|need| !succeeded(need.producer))
                    .map(|need| {
                        format!(
                            "it needs a {}, made by {}, which never succeeded",
                            need.resource,
                            key(need.producer)
                        )
                    })
                    .collect();
                let why = match blocked.is_empty() {
                    true => {
                        "its scenario ran, but not this transaction (a longer run may reach it)"
                            .to_string()
                    }
                    false => blocked.join("; "),
                };
                rows.push(Row::not_sent(op.method, op.path, true, why));
            }
        }
        Validity::from_rows(rows)
    }

    /// The validity of one run made of several (the shards of a sharded run, each with
    /// its own `validity.json`): each operation's requests, 2xx answers and reasons add
    /// up; one sent by any shard was sent.
    pub fn merge(parts: &[Validity]) -> Validity {
        let mut rows: Vec<Row> = Vec::new();
        for row in parts.iter().flat_map(|part| &part.operations) {
            match rows.iter_mut().find(|r| r.operation == row.operation) {
                Some(merged) => merged.absorb(row),
                None => rows.push(row.clone()),
            }
        }
        for row in &mut rows {
            row.refresh();
        }
        Validity::from_rows(rows)
    }

    /// The rows worst first, with the totals.
    fn from_rows(mut rows: Vec<Row>) -> Validity {
        // Worst first: the lowest share of 2xx; among those, sent before never sent,
        // then the most requests; then by name.
        rows.sort_by(|a, b| {
            a.ok_share
                .total_cmp(&b.ok_share)
                .then(a.not_sent.is_some().cmp(&b.not_sent.is_some()))
                .then(b.requests.cmp(&a.requests))
                .then(a.operation.cmp(&b.operation))
        });
        Validity {
            operations_total: rows.len(),
            operations_with_2xx: rows.iter().filter(|r| r.succeeded).count(),
            never_succeeded: rows
                .iter()
                .filter(|r| !r.succeeded)
                .map(|r| r.operation.clone())
                .collect(),
            limits: Limits {
                reasons_per_operation: MAX_REASONS,
                reason_chars: reason::MAX_CHARS,
                fields_per_answer: reason::MAX_FIELDS_PER_ANSWER,
            },
            operations: rows,
        }
    }

    /// The line the run prints: `operations with a 2xx: 171/188; 17 never succeeded:
    /// see results/.../validity.md`.
    pub fn line(&self, markdown: &Path) -> String {
        let see = format!("see {}", markdown.display());
        if self.operations_total == 0 {
            return format!("gateway-loadtest: no request was sent: {see}");
        }
        let counts = format!(
            "gateway-loadtest: operations with a 2xx: {}/{}",
            self.operations_with_2xx, self.operations_total
        );
        match self.never_succeeded.len() {
            0 => format!("{counts}: {see}"),
            n => format!("{counts}; {n} never succeeded: {see}"),
        }
    }

    /// `validity.md`: what a person reads to write a values file.
    pub fn markdown(&self, title: &str) -> String {
        let mut md = String::with_capacity(4096);
        let _ = writeln!(md, "# Validity: what the gateway accepted\n");
        let _ = writeln!(
            md,
            "{}: {} of {} operations had a 2xx answer; {} never succeeded.\n",
            cell(title),
            self.operations_with_2xx,
            self.operations_total,
            self.never_succeeded.len()
        );
        let _ = writeln!(
            md,
            "Read this page to write a values file (`--values FILE`; `values.example.toml` is \
             one for the demo gateway): it says, per operation, what the gateway refused and \
             why. A FastAPI 422 names the field it refused (`body.reporter.email`); the \
             *values key* column says where a values file sets that field, in the table of \
             the one operation, e.g. `[operations.\"POST /docman/tickets\"]` then \
             `\"/body/reporter/email\" = \"ada@example.com\"`, or in `[values]` by its bare \
             name for every operation. A 404 on a path with an id usually means the id was \
             not one the gateway knows: give one in the values file, or let an operation \
             that creates it run first.\n"
        );
        let _ = writeln!(
            md,
            "Counts are answers; a 422 that names several fields counts once for each (up to \
             {} fields). At most {} distinct reasons are kept per operation, each cut to {} \
             characters; `validity.json` holds the same data.\n",
            self.limits.fields_per_answer,
            self.limits.reasons_per_operation,
            self.limits.reason_chars
        );
        md.push_str("## Operations, worst first\n\n");
        if self.operations.is_empty() {
            md.push_str("No request was sent.\n");
            return md;
        }
        md.push_str(
            "| operation | requests | 2xx | top failure reason | its share |\n\
             |---|--:|--:|---|--:|\n",
        );
        for row in &self.operations {
            let (two_xx, share) = match (&row.not_sent, row.reasons.first()) {
                (Some(_), _) => ("–".to_string(), String::new()),
                (None, top) => (
                    percent(row.ok_share),
                    top.map(|t| percent(t.share)).unwrap_or_default(),
                ),
            };
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} |",
                code(&row.operation),
                row.requests,
                two_xx,
                cell(&row.top_reason().unwrap_or_default()),
                share
            );
        }
        let never: Vec<&Row> = self.operations.iter().filter(|r| !r.succeeded).collect();
        let sometimes: Vec<&Row> = self
            .operations
            .iter()
            .filter(|r| r.succeeded && !r.reasons.is_empty())
            .collect();
        if !never.is_empty() {
            md.push_str("\n## Never succeeded\n");
            for row in never {
                reasons_section(&mut md, row);
            }
        }
        if !sometimes.is_empty() {
            md.push_str("\n## Sometimes refused\n");
            for row in sometimes {
                reasons_section(&mut md, row);
            }
        }
        md
    }
}

/// One operation's heading and its reasons' table.
fn reasons_section(md: &mut String, row: &Row) {
    let _ = writeln!(md, "\n### `{}`\n", code(&row.operation));
    if let Some(why) = &row.not_sent {
        let _ = writeln!(md, "Never sent: {}.", cell(why));
        return;
    }
    let _ = writeln!(
        md,
        "{} requests, {} answered 2xx ({}).\n",
        row.requests,
        row.ok,
        percent(row.ok_share)
    );
    md.push_str("| answers | status | field | values key | message |\n|--:|---|---|---|---|\n");
    for r in &row.reasons {
        let status = r
            .reason
            .status
            .map_or("no answer".to_string(), |s| s.to_string());
        let field = r.reason.loc.as_deref().map(|l| format!("`{}`", code(l)));
        let key = r
            .values_key
            .as_deref()
            .map(|k| format!("`\"{}\"`", code(k)));
        let _ = writeln!(
            md,
            "| {} ({}) | {} | {} | {} | {} |",
            r.count,
            percent(r.share),
            status,
            field.unwrap_or_default(),
            key.unwrap_or_default(),
            cell(&r.reason.message)
        );
    }
    if row.other_reasons > 0 {
        let _ = writeln!(
            md,
            "\n{} more failures had other reasons (only the first {} distinct ones are kept).",
            row.other_reasons, MAX_REASONS
        );
    }
}

/// `0.25` as `25.0%`.
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Text safe in a Markdown table cell: `|` escaped, on one line.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Text safe in a Markdown code span inside a table: no backtick, `|` escaped.
fn code(text: &str) -> String {
    cell(&text.replace('`', "'"))
}

/// Writes `validity.md` and `validity.json` into `dir` (the run folder) and returns their
/// paths, the Markdown's first.
pub fn write(dir: &Path, validity: &Validity, title: &str) -> Result<[PathBuf; 2], ReportError> {
    let markdown = dir.join(MARKDOWN_FILE);
    std::fs::write(&markdown, validity.markdown(title)).map_err(|source| ReportError::Write {
        path: markdown.clone(),
        source,
    })?;
    let json = dir.join(JSON_FILE);
    super::write_json(&json, validity)?;
    Ok([markdown, json])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(
        method: &str,
        name: &str,
        requests: u64,
        ok: u64,
        reasons: &[(Reason, u64)],
    ) -> Answers {
        Answers {
            method: method.into(),
            name: name.into(),
            requests,
            ok,
            body_bytes: requests * 10,
            reasons: reasons.to_vec(),
            other_reasons: 0,
        }
    }

    fn email() -> Reason {
        Reason::new(
            Some(422),
            Some("body.reporter.email".into()),
            "value is not a valid email address | oops",
        )
    }

    #[test]
    fn rows_worst_first_with_reasons_and_values_keys() {
        let all = [
            answers("GET", "/health", 50, 50, &[]),
            answers("POST", "/tickets", 20, 0, &[(email(), 20)]),
            answers(
                "GET",
                "/tickets/{id}",
                10,
                8,
                &[(Reason::new(Some(404), None, "Not found"), 2)],
            ),
        ];
        let validity = Validity::build(&all, &Planned::default(), &[]);
        let order: Vec<&str> = validity
            .operations
            .iter()
            .map(|r| r.operation.as_str())
            .collect();
        assert_eq!(order, ["POST /tickets", "GET /tickets/{id}", "GET /health"]);
        assert_eq!(validity.operations_total, 3);
        assert_eq!(validity.operations_with_2xx, 2);
        assert_eq!(validity.never_succeeded, ["POST /tickets"]);
        let tickets = &validity.operations[0];
        assert_eq!(tickets.reasons[0].share, 1.0);
        assert_eq!(
            tickets.reasons[0].values_key.as_deref(),
            Some("/body/reporter/email")
        );
        assert_eq!(
            validity.line(Path::new("r/validity.md")),
            "gateway-loadtest: operations with a 2xx: 2/3; 1 never succeeded: see r/validity.md"
        );
        let md = validity.markdown("run 1");
        assert!(md.contains("values file"), "{md}");
        assert!(md.contains(
            "| `POST /tickets` | 20 | 0.0% | 422 body.reporter.email: value is not a valid email address \\| oops | 100.0% |"
        ), "{md}");
        assert!(
            md.contains("## Never succeeded\n\n### `POST /tickets`"),
            "{md}"
        );
        assert!(
            md.contains(
                "| 20 (100.0%) | 422 | `body.reporter.email` | `\"/body/reporter/email\"` |"
            ),
            "{md}"
        );
        assert!(
            md.contains("## Sometimes refused\n\n### `GET /tickets/{id}`"),
            "{md}"
        );
        let json = serde_json::to_value(&validity).unwrap();
        assert_eq!(
            json["operations"][0]["reasons"][0]["loc"],
            "body.reporter.email"
        );
        assert_eq!(json["operations"][0]["reasons"][0]["status"], 422);
        let back: Validity = serde_json::from_value(json).unwrap();
        assert_eq!(back, validity);
    }

    #[test]
    fn shards_merge_to_the_validity_of_one_run_with_every_answer() {
        let not_found = || Reason::new(Some(404), None, "Not found");
        let one = Validity::build(
            &[
                answers("POST", "/tickets", 20, 0, &[(email(), 20)]),
                answers("GET", "/tickets/{id}", 10, 10, &[]),
            ],
            &Planned::default(),
            &[],
        );
        let mut two = Validity::build(
            &[
                answers("POST", "/tickets", 10, 5, &[(email(), 5)]),
                answers("GET", "/tickets/{id}", 10, 6, &[(not_found(), 4)]),
            ],
            &Planned::default(),
            &[],
        );
        // A row the other shard never sent is sent in the whole run.
        let why = "its scenario ran, but not this transaction".to_string();
        two.operations
            .push(Row::not_sent("GET", "/health", false, why));
        let three = Validity::build(
            &[answers("GET", "/health", 4, 4, &[])],
            &Planned::default(),
            &[],
        );
        let whole = Validity::build(
            &[
                answers("POST", "/tickets", 30, 5, &[(email(), 25)]),
                answers("GET", "/tickets/{id}", 20, 16, &[(not_found(), 4)]),
                answers("GET", "/health", 4, 4, &[]),
            ],
            &Planned::default(),
            &[],
        );
        assert_eq!(Validity::merge(&[one, two, three]), whole);
    }

    #[test]
    fn an_operation_never_sent_says_which_producer_blocked_it() {
        let scenarios = crate::demo::scenarios().unwrap();
        let planned = Planned::from_scenarios(&scenarios, crate::demo::OPERATIONS);
        assert_eq!(planned.scenarios.len(), 3, "one per demo app");
        let refused = answers("POST", "/docman/tickets", 5, 0, &[(email(), 5)]);
        let validity = Validity::build(&[refused], &planned, crate::demo::OPERATIONS);
        let row = |key: &str| {
            validity
                .operations
                .iter()
                .find(|r| r.operation == key)
                .unwrap_or_else(|| panic!("no row {key}: {validity:?}"))
        };
        let get = row("GET /docman/tickets/{ticket_id}");
        assert_eq!(get.requests, 0);
        assert!(!get.succeeded);
        assert_eq!(
            get.not_sent.as_deref(),
            Some("it needs a ticket, made by POST /docman/tickets, which never succeeded")
        );
        // Sent rows come before never-sent ones; other apps were never reached.
        assert_eq!(validity.operations[0].operation, "POST /docman/tickets");
        assert!(validity
            .operations
            .iter()
            .all(|r| r.name.starts_with("/docman")));
        assert_eq!(validity.operations_with_2xx, 0);
        let md = validity.markdown("t");
        assert!(
            md.contains("Never sent: it needs a ticket, made by POST /docman/tickets"),
            "{md}"
        );
    }

    #[test]
    fn nothing_sent_and_all_good_lines() {
        let empty = Validity::build(&[], &Planned::default(), &[]);
        assert_eq!(
            empty.line(Path::new("v.md")),
            "gateway-loadtest: no request was sent: see v.md"
        );
        assert!(empty.markdown("t").contains("No request was sent."));
        let good = Validity::build(&[answers("GET", "/", 1, 1, &[])], &Planned::default(), &[]);
        assert_eq!(
            good.line(Path::new("v.md")),
            "gateway-loadtest: operations with a 2xx: 1/1: see v.md"
        );
    }

    #[test]
    fn write_names_the_file_it_could_not_write() {
        let dir =
            std::env::temp_dir().join(format!("glt-validity-missing-{}/x", std::process::id()));
        let empty = Validity::build(&[], &Planned::default(), &[]);
        let err = write(&dir, &empty, "t").unwrap_err().to_string();
        assert!(
            err.starts_with("write ") && err.contains("validity.md"),
            "{err}"
        );
    }
}
