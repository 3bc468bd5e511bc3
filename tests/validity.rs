//! The validity report of a real run: the generated scenarios against the demo gateway,
//! with a values file that makes `POST /docman/tickets` send an email the demo refuses;
//! `validity.json` and `validity.md` name that operation, its 422 share and the field,
//! the operations it blocked, and `stats.csv` carries the real size of the bodies read.

use crate::common::{binary, only_run_folder, temp_dir, text, Gateway, ATTACK};
use serde_json::Value;

/// The values file: every ticket's reporter gets an address without an `@`.
const VALUES: &str = r#"
[operations."POST /docman/tickets"]
"/body/reporter/email" = "not-an-email"
"#;

#[test]
fn validity_names_the_refused_field_and_stats_carry_body_sizes() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::start();
    let dir = temp_dir("validity");
    let values = dir.join("values.toml");
    std::fs::write(&values, VALUES).unwrap();
    let results = dir.join("results");
    let output = binary()
        .args([
            "--scenarios",
            "generated*",
            "--users",
            "6",
            "--increase-rate",
            "6",
        ])
        .args(["--run-time", "6s", "--no-telnet", "--no-wait", "-q"])
        .arg("--values")
        .arg(&values)
        .arg("--results-dir")
        .arg(&results)
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run the binary");
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    let folder = only_run_folder(&results, &log);

    let validity: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("validity.json")).unwrap())
            .expect("validity.json is JSON");
    let row = |key: &str| -> &Value {
        validity["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["operation"] == key)
            .unwrap_or_else(|| panic!("validity.json has no {key}: {validity:#}"))
    };
    let tickets = row("POST /docman/tickets");
    let requests = tickets["requests"].as_u64().unwrap();
    assert!(requests > 0, "{tickets:#}");
    assert_eq!(tickets["ok"], 0, "{tickets:#}");
    assert_eq!(tickets["succeeded"], false);
    let top = &tickets["reasons"][0];
    assert_eq!(top["status"], 422, "{tickets:#}");
    assert_eq!(top["loc"], "body.reporter.email", "{tickets:#}");
    assert_eq!(top["values_key"], "/body/reporter/email");
    assert!(
        top["message"].as_str().unwrap().contains("email"),
        "{top:#}"
    );
    // Every answer named the field: its share is the operation's 422 share, all of it.
    assert_eq!(top["count"].as_u64(), Some(requests), "{tickets:#}");
    assert_eq!(top["share"], 1.0);

    // What needs a ticket was never sent, and says why.
    let get = row("GET /docman/tickets/{ticket_id}");
    assert_eq!(get["requests"], 0, "{get:#}");
    assert!(
        get["not_sent"]
            .as_str()
            .unwrap()
            .contains("made by POST /docman/tickets, which never succeeded"),
        "{get:#}"
    );
    let never: Vec<&str> = validity["never_succeeded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(never[0], "POST /docman/tickets", "worst first: {never:?}");
    assert!(
        never.contains(&"GET /docman/tickets/{ticket_id}"),
        "{never:?}"
    );
    let health = row("GET /health");
    assert_eq!(health["ok_share"], 1.0, "{health:#}");
    assert!(health["reasons"].as_array().unwrap().is_empty());
    let total = validity["operations_total"].as_u64().unwrap();
    let with_2xx = validity["operations_with_2xx"].as_u64().unwrap();
    assert_eq!(total - with_2xx, never.len() as u64);
    assert!(
        log.contains(&format!(
            "gateway-loadtest: operations with a 2xx: {with_2xx}/{total}; {} never succeeded: see ",
            never.len()
        )),
        "{log}"
    );

    let markdown = std::fs::read_to_string(folder.join("validity.md")).unwrap();
    assert!(markdown.contains("values file"), "{markdown}");
    assert!(
        markdown.contains("| `POST /docman/tickets` | ")
            && markdown.contains("`body.reporter.email`"),
        "{markdown}"
    );
    let summary = std::fs::read_to_string(folder.join("summary.html")).unwrap();
    assert!(
        summary.contains("<a href=\"validity.md\">"),
        "summary links validity.md"
    );

    // stats.csv's content size is the size of the bodies read: GET /health's body.
    let health_body = reqwest::blocking::get(format!("{}/health", gateway.url))
        .and_then(|r| r.bytes())
        .expect("GET /health");
    let mut reader = csv::Reader::from_path(folder.join("stats.csv")).expect("stats.csv");
    let header = reader.headers().unwrap().clone();
    let size_at = header
        .iter()
        .position(|h| h == "Average Content Size")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let size = |method: &str, name: &str| -> f64 {
        let row = rows
            .iter()
            .find(|r| &r[0] == method && &r[1] == name)
            .unwrap_or_else(|| panic!("stats.csv has no {method} {name}"));
        row[size_at].parse().unwrap()
    };
    assert_eq!(size("GET", "/health"), health_body.len() as f64);
    assert_eq!(health["average_body_bytes"], health_body.len() as f64);
    assert!(
        size("POST", "/docman/tickets") > 0.0,
        "422 bodies are read too"
    );
    assert!(size("", "Aggregated") > 0.0);
    let _ = std::fs::remove_dir_all(dir);
}
