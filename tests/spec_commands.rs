//! The spec subcommands against real demo gateways: `snapshot`, `snapshot --check`,
//! `discover` and `sample`.

use crate::common::{binary, temp_dir, text, Gateway};
use std::process::Output;

fn run(args: &[&str], gateway: Option<&str>) -> Output {
    let mut command = binary();
    command.args(args);
    if let Some(url) = gateway {
        command.env("GATEWAY_URL", url);
    }
    command.output().expect("run the binary")
}

#[test]
fn snapshot_check_passes_after_snapshot_and_fails_when_the_api_changes() {
    let gateway = Gateway::start();
    let dir = temp_dir("snapshot");
    let dir_arg = dir.to_str().expect("utf-8 temp dir");
    let written = run(&["snapshot", "--dir", dir_arg], Some(&gateway.url));
    assert!(written.status.success(), "{}", text(&written));
    let first = std::fs::read(dir.join("docman.openapi.json")).expect("snapshot written");
    let again = run(&["snapshot", "--dir", dir_arg], Some(&gateway.url));
    assert!(again.status.success());
    assert_eq!(
        first,
        std::fs::read(dir.join("docman.openapi.json")).unwrap(),
        "snapshot bytes are stable"
    );
    let check = run(
        &["snapshot", "--check", "--dir", dir_arg],
        Some(&gateway.url),
    );
    assert!(check.status.success(), "{}", text(&check));
    // The committed snapshot is the demo gateway's.
    let committed = run(&["snapshot", "--check"], Some(&gateway.url));
    assert!(
        committed.status.success(),
        "generated/ is stale: {}",
        text(&committed)
    );
    drop(gateway);

    let changed = Gateway::start_with(&[("DEMO_API_VARIANT", "v2")]);
    let check = run(
        &["snapshot", "--check", "--dir", dir_arg],
        Some(&changed.url),
    );
    let out = text(&check);
    assert!(
        !check.status.success(),
        "a changed API must fail the check: {out}"
    );
    assert!(
        out.contains("GET /tickets/{ticket_id}/history added in docman"),
        "{out}"
    );
    assert!(
        out.contains("cargo run --release -- snapshot"),
        "the message names the fix: {out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn snapshot_without_a_gateway_url_says_what_to_do() {
    let output = run(&["snapshot", "--check"], None);
    assert!(!output.status.success());
    assert!(text(&output).contains("GATEWAY_URL"), "{}", text(&output));
}

#[test]
fn discover_lists_every_app_with_its_prefix_and_saves_the_result() {
    let gateway = Gateway::start();
    let results = temp_dir("discover");
    let output = run(
        &["discover", "--results-dir", results.to_str().unwrap()],
        Some(&gateway.url),
    );
    assert!(output.status.success(), "{}", text(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("discover prints JSON");
    let apps: Vec<(String, String, usize)> = report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let ops = a["operations"].as_array().map_or(0, Vec::len);
            (
                a["name"].as_str().unwrap().to_string(),
                a["prefix"].as_str().unwrap().to_string(),
                ops,
            )
        })
        .collect();
    let names: Vec<(&str, &str)> = apps
        .iter()
        .map(|(n, p, _)| (n.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("root", ""),
            ("documents", "/api/v1/documents"),
            ("docman", "/docman")
        ]
    );
    assert!(apps.iter().all(|(_, _, ops)| *ops >= 4), "{apps:?}");
    assert!(report["source"].as_str().unwrap().contains("live gateway"));
    // The inferred links are shown: POST /sessions makes the session the upload needs.
    let documents = &report["apps"][1]["operations"];
    let op = |method: &str, path: &str| {
        documents
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["method"] == method && o["path"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("{method} {path} not listed"))
    };
    assert_eq!(
        op("POST", "/api/v1/documents/sessions")["produces"]["resource"],
        "session"
    );
    let upload = op("POST", "/api/v1/documents/session/{session_id}/upload");
    assert_eq!(
        upload["needs"][0]["producer_path"],
        "/api/v1/documents/sessions"
    );
    assert_eq!(
        op("DELETE", "/api/v1/documents/session/{session_id}")["deletes"],
        "session"
    );
    let saved: Vec<_> = std::fs::read_dir(&results).unwrap().flatten().collect();
    assert_eq!(saved.len(), 1);
    assert!(saved[0]
        .file_name()
        .to_string_lossy()
        .starts_with("api_discovery_"));
    let _ = std::fs::remove_dir_all(results);
}

#[test]
fn sample_replays_the_same_requests_for_the_same_seed() {
    let draw = |seed: &str| {
        let output = run(
            &["sample", "POST /docman/tickets", "-n", "3", "--seed", seed],
            None,
        );
        assert!(output.status.success(), "{}", text(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let first = draw("5");
    assert!(
        first.starts_with("POST http://127.0.0.1:8000/docman/tickets"),
        "{first}"
    );
    assert!(first.contains("\"reporter\""), "the body is shown: {first}");
    assert_eq!(first, draw("5"));
    assert_ne!(first, draw("6"));
    let unknown = run(&["sample", "GET /nope"], None);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("discover"), "{}", text(&unknown));
}

#[test]
fn discover_shows_the_weight_the_mix_gives_each_app_and_operation() {
    let gateway = Gateway::start();
    let dir = temp_dir("discover-mix");
    let config = dir.join("mix.toml");
    std::fs::write(
        &config,
        "[mix]\nmethods = { GET = 4 }\noperations = { \"DELETE /docman/*\" = 0.5 }\napps = { docman = 3 }\n",
    )
    .unwrap();
    let output = binary()
        .args(["discover", "--results-dir", dir.to_str().unwrap()])
        .env("GATEWAY_URL", &gateway.url)
        .env("GATEWAY_LOADTEST_CONFIG", &config)
        .output()
        .expect("run discover");
    assert!(output.status.success(), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let app = |name: &str| {
        report["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(app("docman")["weight"], 3);
    assert_eq!(app("root")["weight"], 1);
    let weight = |method: &str, path: &str| {
        app("docman")["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["method"] == method && o["path"] == path)
            .map(|o| o["weight"].clone())
            .unwrap()
    };
    assert_eq!(weight("GET", "/docman/tickets"), 4.0);
    assert_eq!(weight("POST", "/docman/tickets"), 1.0);
    assert_eq!(weight("DELETE", "/docman/tickets/{ticket_id}"), 0.5);

    // A weight that is not a number of 0 or more is refused, naming the key.
    std::fs::write(&config, "[mix]\nmethods = { GET = -1 }\n").unwrap();
    let output = binary()
        .args(["discover", "--results-dir", dir.to_str().unwrap()])
        .env("GATEWAY_URL", &gateway.url)
        .env("GATEWAY_LOADTEST_CONFIG", &config)
        .output()
        .expect("run discover");
    assert!(!output.status.success());
    assert!(
        text(&output).contains("mix.methods.GET"),
        "{}",
        text(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// One HTTP/1.1 request as a capture server read it off the socket.
struct Captured {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Answers every request on `listener` with `200 {}` and hands each one, as read, to
/// `sent`; stops when the receiver is gone.
fn capture(listener: std::net::TcpListener, sent: std::sync::mpsc::Sender<Captured>) {
    use std::io::{BufRead, BufReader, Read, Write};
    for stream in listener.incoming() {
        let Ok(stream) = stream else { return };
        let sent = sent.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream.try_clone().expect("clone the socket"));
            let mut writer = stream;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let mut headers = Vec::new();
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).expect("read a header");
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    let (name, value) = header.split_once(':').expect("a header line");
                    headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
                }
                let length = headers
                    .iter()
                    .find(|(name, _)| name == "content-length")
                    .map_or(0, |(_, value)| value.parse().expect("a length"));
                let mut body = vec![0; length];
                reader.read_exact(&mut body).expect("read the body");
                let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                writer.write_all(answer.as_bytes()).expect("answer");
                let line = line.trim_end().to_string();
                if sent
                    .send(Captured {
                        line,
                        headers,
                        body,
                    })
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

/// `sample` prints what the generated transaction sends: for the same seed, each request
/// it prints (request line, every header, the body's bytes) is what a capture server
/// receives from the transaction of user 0, and nothing else is sent but `host`.
#[test]
fn sample_prints_exactly_what_the_transaction_sends() {
    use gateway_loadtest_runtime::commands::sample;
    use gateway_loadtest_runtime::{chain, feedback, known, rng, target, transaction};
    // The run-wide state is the process's: no in-process run beside this one.
    let _one_at_a_time = crate::common::ATTACK.blocking_lock();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a capture port");
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || capture(listener, sent));
    let seed = rng::init(Some(11)); // the process's run seed, whoever fixed it first
    let operations = gateway_loadtest::compiled().operations;
    let client = sample::Client {
        origin: url::Url::parse(&origin).unwrap(),
        gzip: true,
        auth: Vec::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for selector in [
        "POST /docman/tickets",
        "GET /docman/tickets",
        "POST /api/v1/documents/sessions",
    ] {
        known::reset();
        chain::reset();
        feedback::reset();
        let info = sample::find(operations, selector).unwrap();
        let printed = sample::requests(info, 3, seed, &client).unwrap();
        // User 0 of a run with that seed, through the run's shared client.
        target::init_client(std::time::Duration::from_secs(5), true, &[], None).unwrap();
        let config = crate::common::goose_config(&origin, &[]);
        let mut user =
            goose::goose::GooseUser::single(url::Url::parse(&origin).unwrap(), &config).unwrap();
        let wire: Vec<Captured> = runtime.block_on(async {
            let mut wire = Vec::new();
            for _ in 0..3 {
                // Its own check fails on `{}`; what was sent is what counts here.
                let _ = transaction::send_operation(&mut user, info).await;
                let got = received.recv_timeout(std::time::Duration::from_secs(5));
                wire.push(got.expect("the transaction sent a request"));
            }
            wire
        });
        let requests = split_requests(&printed);
        assert_eq!(requests.len(), 3, "{selector}: {printed:?}");
        for (text, sent) in requests.iter().zip(&wire) {
            let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
            let mut lines = head.lines();
            let request_line = lines.next().unwrap_or_default();
            let (method, url) = request_line.split_once(' ').unwrap();
            let target = url.strip_prefix(origin.as_str()).unwrap_or(url);
            assert_eq!(
                sent.line,
                format!("{method} {target} HTTP/1.1"),
                "{selector}"
            );
            let shown: Vec<(String, String)> = lines
                .map(|l| {
                    let (n, v) = l.split_once(": ").unwrap();
                    (n.to_string(), v.to_string())
                })
                .collect();
            for header in &shown {
                assert!(
                    sent.headers.contains(header),
                    "{selector}: {header:?} not sent: {:?}",
                    sent.headers
                );
            }
            for (name, value) in &sent.headers {
                assert!(
                    name == "host" || shown.iter().any(|(n, _)| n == name),
                    "{selector}: {name}: {value} was sent but not printed:\n{text}"
                );
            }
            let body = body.strip_suffix('\n').unwrap_or(body);
            assert_eq!(body.as_bytes(), &sent.body[..], "{selector}");
        }
    }
}

/// The requests of a `sample` printout: each starts with its request line.
fn split_requests(text: &str) -> Vec<String> {
    let mut requests: Vec<String> = Vec::new();
    for line in text.lines() {
        let starts = ["GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD "]
            .iter()
            .any(|m| line.starts_with(m) && line.contains("://"));
        match requests.last_mut() {
            Some(last) if !starts => {
                last.push('\n');
                last.push_str(line);
            }
            _ => requests.push(line.to_string()),
        }
    }
    requests
        .into_iter()
        .map(|r| r.trim_end_matches('\n').to_string())
        .collect()
}
