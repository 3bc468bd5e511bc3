//! The gateway misbehaving during a run (issue #7): 5xx answers mid-run, connection
//! resets, answers slower than `--timeout`, a body far larger than any API answer, the
//! gateway dying mid-run, a redirect to another host; and a password in the gateway's
//! URL kept out of what failing requests print and write.
//!
//! Each case is a real run of the binary, with the gateway monitor persona, against a
//! mock on loopback (httpmock, or the small hand-written server below where httpmock
//! cannot misbehave enough) or the demo gateway. Each asserts the exit code, that the
//! run lasted its run time and ended on time, that every report was written, and that
//! `failures.csv` and `report.json` count the failures with a reason naming the cause.
//! The gateway down at start is in `runner.rs`; SIGTERM is in `interrupt.rs`.

use crate::common::{
    assert_every_report, binary, failures_csv, only_run_folder, report_errors, report_json,
    request_counts, temp_dir, FailureRow, Finished, Gateway, Running, ATTACK,
};
use httpmock::prelude::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The run time of every case but the gateway dying (which needs longer).
const RUN_SECS: u64 = 6;

/// What the gateway monitor persona expects from each of its four routes.
const MONITOR_ROUTES: [(&str, &str); 4] = [
    ("/", r#"{"name":"mock gateway"}"#),
    ("/health", r#"{"status":"ok"}"#),
    ("/gateway/status", r#"{"status":"ok","live_resources":{}}"#),
    ("/gateway/services", r#"{"services":[]}"#),
];

/// Starts a run of the gateway monitor persona (`GET /`, `/health`, `/gateway/status`,
/// `/gateway/services`) against `host` with 2 users and no think time, writing into
/// `dir`.
fn start_monitor_run(host: &str, dir: &Path, run_secs: u64, extra: &[&str]) -> Running {
    let mut command = binary();
    command
        .args(["--host", host, "--scenarios", "staticgatewaymonitor"])
        .args(["--users", "2", "--increase-rate", "2", "--run-time"])
        .arg(format!("{run_secs}s"))
        .args(["--no-telnet", "--no-wait", "--seed", "7", "--quiet"])
        .arg("--results-dir")
        .arg(dir.join("results"))
        .args(extra);
    Running::start(&mut command, dir.join("run.log"))
}

/// Waits for the run, then checks what every case shares: exit 0 (failed requests go
/// to the reports, not the exit code), the whole run time and not much more, a run
/// that Goose saw complete, and every report in the run folder. Returns the folder.
fn finished_on_time(run: Running, dir: &Path, run_secs: u64) -> (Finished, PathBuf) {
    let finished = run.finish(Duration::from_secs(run_secs + 60));
    let log = &finished.excerpt();
    eprintln!(
        "run took {:?}, peak RSS {} KiB",
        finished.took, finished.peak_rss_kib
    );
    assert!(
        finished.status.success(),
        "a run with failed requests exits 0, got {}: {log}",
        finished.status
    );
    assert!(
        finished.took >= Duration::from_secs(run_secs),
        "the run stopped early, after {:?}: {log}",
        finished.took
    );
    assert!(
        finished.took < Duration::from_secs(run_secs + 15),
        "the run took {:?} for a {run_secs} s run time: {log}",
        finished.took
    );
    let folder = only_run_folder(&dir.join("results"), log);
    assert_every_report(&folder, log);
    assert_eq!(
        report_json(&folder)["ended_by"],
        "completed",
        "Goose ran to the run time: {log}"
    );
    (finished, folder)
}

/// The `failures.csv` rows of the requests `names`, checked against `report.json`:
/// both count the same failures of each, and each has some. No other request failed.
fn failures_of(folder: &Path, names: &[&str]) -> Vec<FailureRow> {
    let rows = failures_csv(folder);
    let (mine, others): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|row| names.contains(&row.name.as_str()));
    assert!(others.is_empty(), "only {names:?} fail: {others:?}");
    assert!(mine.iter().all(|row| row.method == "GET"), "{mine:?}");
    let report = report_json(folder);
    for name in names {
        let (successes, failures) = request_counts(&report, &format!("GET {name}"));
        let mut in_rows: Vec<_> = mine
            .iter()
            .filter(|row| row.name == *name)
            .map(|row| (row.error.clone(), row.occurrences))
            .collect();
        assert!(!in_rows.is_empty(), "failures.csv has no failure of {name}");
        let in_csv: u64 = in_rows.iter().map(|(_, n)| n).sum();
        assert_eq!(
            in_csv, failures,
            "failures.csv and report.json count the same failures of {name} \
             ({successes} successes): {in_rows:?}"
        );
        let mut in_json = report_errors(&report, name);
        in_json.sort();
        in_rows.sort();
        assert_eq!(
            in_json, in_rows,
            "report.json's errors are failures.csv's rows"
        );
    }
    mine
}

/// Asserts every failure's reason satisfies `names_cause`, saying what it should name.
fn assert_reasons(rows: &[FailureRow], what: &str, names_cause: impl Fn(&str) -> bool) {
    for row in rows {
        assert!(
            names_cause(&row.error.to_lowercase()),
            "the reason {:?} ({} times) should name the cause: {what}",
            row.error,
            row.occurrences
        );
    }
}

/// Mocks the monitor's routes on `server` that are in `paths`, each answering its JSON.
fn mock_routes<'a>(server: &'a MockServer, paths: &[&str]) -> Vec<httpmock::Mock<'a>> {
    MONITOR_ROUTES
        .iter()
        .filter(|(path, _)| paths.contains(path))
        .map(|(path, body)| {
            server.mock(|when, then| {
                when.method(GET).path(*path);
                then.status(200)
                    .header("content-type", "application/json")
                    .body(*body);
            })
        })
        .collect()
}

#[test]
fn a_gateway_answering_503_mid_run_counts_failures_naming_the_status() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let server = MockServer::start();
    let others = mock_routes(&server, &["/", "/gateway/status", "/gateway/services"]);
    let mut healthy = mock_routes(&server, &["/health"]).remove(0);
    let dir = temp_dir("faults-5xx");

    let mut run = start_monitor_run(&server.base_url(), &dir, RUN_SECS, &[]);
    run.wait_until(Duration::from_secs(3));
    // httpmock answers with the oldest matching mock: the 503 mock waits behind the
    // healthy one until that is deleted, so no request falls between them onto a 404.
    let unavailable = server.mock(|when, then| {
        when.method(GET).path("/health");
        then.status(503)
            .header("content-type", "application/json")
            .body(r#"{"detail":"upstream unavailable"}"#);
    });
    let healthy_hits = healthy.calls();
    healthy.delete();
    let status_hits_at_switch = others[1].calls();
    let (_, folder) = finished_on_time(run, &dir, RUN_SECS);

    assert!(healthy_hits > 0, "/health answered 200 before the switch");
    assert!(unavailable.calls() > 0, "/health answered 503 after it");
    assert!(
        others[1].calls() > status_hits_at_switch,
        "the run went on after the 503s began"
    );
    let rows = failures_of(&folder, &["/health"]);
    let (successes, failures) = request_counts(&report_json(&folder), "GET /health");
    assert!(
        successes > 0 && failures > 0,
        "{successes} ok, {failures} failed"
    );
    assert_reasons(&rows, "status 503", |reason| reason.contains("503"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn connection_resets_count_as_failures_and_the_run_ends_on_time() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let server = RawServer::start("127.0.0.1", |path| match path {
        "/health" => Answer::Reset,
        other => Answer::monitor(other),
    });
    let dir = temp_dir("faults-reset");

    let run = start_monitor_run(&server.url(), &dir, RUN_SECS, &[]);
    let (_, folder) = finished_on_time(run, &dir, RUN_SECS);

    assert!(
        server.resets.load(Ordering::SeqCst) > 0,
        "no connection reset"
    );
    let rows = failures_of(&folder, &["/health"]);
    // Goose words a transport failure from reqwest's outer error only: a request that
    // failed on an open connection reads "client error (SendRequest)".
    assert_reasons(&rows, "the connection was reset or closed", |reason| {
        reason.contains("reset") || reason.contains("closed") || reason.contains("(sendrequest)")
    });
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_password_in_the_gateway_url_stays_out_of_a_failing_runs_output_and_reports() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let server = RawServer::start("127.0.0.1", |path| match path {
        "/health" => Answer::Reset,
        other => Answer::monitor(other),
    });
    let secret = "hunter2-secret";
    let host = format!("http://alice:{secret}@{}", server.address);
    let dir = temp_dir("faults-secret");

    let run = start_monitor_run(&host, &dir, RUN_SECS, &[]);
    let (finished, folder) = finished_on_time(run, &dir, RUN_SECS);

    assert!(
        server.resets.load(Ordering::SeqCst) > 0,
        "no request failed"
    );
    let printed: Vec<&str> = finished
        .log
        .lines()
        .filter(|line| line.contains(secret))
        .take(3)
        .collect();
    assert!(printed.is_empty(), "the password was printed: {printed:?}");
    for entry in std::fs::read_dir(&folder).unwrap().flatten() {
        let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
        assert!(
            !text.contains(secret),
            "{:?} holds the password",
            entry.file_name()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn answers_slower_than_the_timeout_fail_as_timed_out() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let server = MockServer::start();
    let _others = mock_routes(&server, &["/", "/gateway/status", "/gateway/services"]);
    let slow = server.mock(|when, then| {
        when.method(GET).path("/health");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"status":"ok"}"#)
            .delay(Duration::from_secs(3));
    });
    let dir = temp_dir("faults-timeout");

    let run = start_monitor_run(&server.base_url(), &dir, RUN_SECS, &["--timeout", "1"]);
    let (_, folder) = finished_on_time(run, &dir, RUN_SECS);

    assert!(slow.calls() > 0, "/health was asked");
    let rows = failures_of(&folder, &["/health"]);
    let (successes, _) = request_counts(&report_json(&folder), "GET /health");
    assert_eq!(successes, 0, "no 3 s answer beat a 1 s time-out");
    assert_reasons(&rows, "a time-out", |reason| reason.contains("timed out"));
    let _ = std::fs::remove_dir_all(dir);
}

/// What a huge answer is: four times the cap, so a client without one holds 64 MiB a
/// user.
const HUGE_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The peak memory a run with 2 users may reach while answers are 64 MiB. Measured on
/// this test: about 49 MiB (the binary alone peaks near 17 MiB; each user holds at most
/// the 16 MiB cap). Without a cap the same run peaked at 337 MiB; gathering the body in
/// one doubling buffer, at 105-134 MiB.
const HUGE_RUN_PEAK_KIB: u64 = 96 * 1024;

#[test]
fn a_huge_body_is_cut_off_at_the_cap_and_memory_stays_bounded() {
    let _one_at_a_time = ATTACK.blocking_lock();
    // One declares its length, one streams without (chunked): both are cut off.
    let server = RawServer::start("127.0.0.1", |path| match path {
        "/gateway/services" => Answer::Huge {
            size: HUGE_BODY_BYTES,
            chunked: false,
        },
        "/gateway/status" => Answer::Huge {
            size: HUGE_BODY_BYTES,
            chunked: true,
        },
        other => Answer::monitor(other),
    });
    let dir = temp_dir("faults-huge");

    let run = start_monitor_run(&server.url(), &dir, RUN_SECS, &[]);
    let (finished, folder) = finished_on_time(run, &dir, RUN_SECS);

    let written = server.huge_written.lock().unwrap().clone();
    let most = written.iter().copied().max().unwrap_or(0);
    eprintln!(
        "{} huge answers; the most written of one: {most} bytes; peak RSS {} KiB",
        written.len(),
        finished.peak_rss_kib
    );
    assert!(!written.is_empty(), "no huge answer was asked for");
    // The server writes what the client reads plus what the sockets buffer (a few MiB).
    assert!(
        most < 40 * 1024 * 1024,
        "the client read on far past the cap: {most} of {HUGE_BODY_BYTES} bytes written"
    );
    let rows = failures_of(&folder, &["/gateway/services", "/gateway/status"]);
    assert_reasons(&rows, "the body was larger than the cap", |reason| {
        reason.contains("larger than 16 mib")
    });
    assert!(finished.peak_rss_kib > 0, "memory was sampled");
    assert!(
        finished.peak_rss_kib < HUGE_RUN_PEAK_KIB,
        "peak RSS {} KiB, bound {HUGE_RUN_PEAK_KIB} KiB",
        finished.peak_rss_kib
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_gateway_that_dies_mid_run_counts_refused_connections_and_exits_0() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let mut gateway = Gateway::start();
    let dir = temp_dir("faults-dies");
    let run_secs = 8;

    let mut run = start_monitor_run(&gateway.url, &dir, run_secs, &[]);
    run.wait_until(Duration::from_secs(3));
    gateway.kill();
    let (_, folder) = finished_on_time(run, &dir, run_secs);

    let report = report_json(&folder);
    for name in ["/", "/health", "/gateway/status", "/gateway/services"] {
        let (successes, failures) = request_counts(&report, &format!("GET {name}"));
        assert!(
            successes > 0,
            "GET {name} succeeded before the gateway died"
        );
        assert!(failures > 0, "GET {name} failed after the gateway died");
    }
    let rows = failures_csv(&folder);
    let in_csv: u64 = rows.iter().map(|row| row.occurrences).sum();
    let failed: u64 = report["raw_metrics"]["requests"]
        .as_object()
        .unwrap()
        .values()
        .map(|request| request["fail_count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        in_csv, failed,
        "failures.csv counts every failure: {rows:?}"
    );
    // Requests in flight when it died see their connection closed; later ones cannot
    // connect. Goose words a transport failure from reqwest's outer error only:
    // "client error (Connect)" for a refused connection, "(SendRequest)" for a closed one.
    assert_reasons(
        &rows,
        "the connection was refused, reset or closed",
        |reason| {
            // A request whose answer was cut mid-body fails in our reading of it.
            [
                "refused",
                "reset",
                "closed",
                "(connect)",
                "(sendrequest)",
                "read body",
            ]
            .iter()
            .any(|cause| reason.contains(cause))
        },
    );
    assert!(
        rows.iter().any(|row| {
            let reason = row.error.to_lowercase();
            reason.contains("refused") || reason.contains("(connect)")
        }),
        "a failure names the refused connection: {rows:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_redirect_to_another_host_is_not_followed_and_counts_as_a_failure() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let elsewhere = RawServer::start("127.0.0.2", Answer::monitor);
    let server = MockServer::start();
    let _others = mock_routes(&server, &["/", "/gateway/status", "/gateway/services"]);
    let location = format!("{}/health", elsewhere.url());
    let redirect = server.mock(|when, then| {
        when.method(GET).path("/health");
        then.status(302).header("location", location.as_str());
    });
    let dir = temp_dir("faults-redirect");

    let run = start_monitor_run(&server.base_url(), &dir, RUN_SECS, &[]);
    let (_, folder) = finished_on_time(run, &dir, RUN_SECS);

    assert!(redirect.calls() > 0, "/health was asked");
    assert_eq!(
        elsewhere.hits.load(Ordering::SeqCst),
        0,
        "the redirect to {location} was followed"
    );
    let rows = failures_of(&folder, &["/health"]);
    assert_reasons(&rows, "status 302", |reason| reason.contains("302"));
    let _ = std::fs::remove_dir_all(dir);
}

/// What [`RawServer`] does with a request, by its path.
#[derive(Clone, Copy)]
enum Answer {
    /// `200` with this JSON body.
    Json(&'static str),
    /// Closes the connection with the request unread, so the kernel sends a reset.
    Reset,
    /// `200` with a body of `size` bytes, streamed in small pieces, with a
    /// `content-length` or, `chunked`, without.
    Huge { size: usize, chunked: bool },
}

impl Answer {
    /// The gateway monitor's JSON for `path` (`{}` for any other path).
    fn monitor(path: &str) -> Answer {
        let body = MONITOR_ROUTES
            .iter()
            .find(|(route, _)| *route == path)
            .map_or("{}", |(_, body)| body);
        Answer::Json(body)
    }
}

/// A tiny HTTP/1.1 server on an ephemeral port, a thread per connection, for what
/// httpmock cannot do: reset connections, stream a body larger than memory should
/// hold, listen on 127.0.0.2. It keeps connections alive and counts what it did.
struct RawServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Requests received.
    hits: Arc<AtomicUsize>,
    /// Connections reset.
    resets: Arc<AtomicUsize>,
    /// For each huge answer, the bytes written before the client stopped reading.
    huge_written: Arc<Mutex<Vec<usize>>>,
}

impl RawServer {
    fn start(ip: &str, answer: fn(&str) -> Answer) -> RawServer {
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback port");
        let server = RawServer {
            address: listener.local_addr().expect("local address"),
            stop: Arc::default(),
            hits: Arc::default(),
            resets: Arc::default(),
            huge_written: Arc::default(),
        };
        let (stop, hits, resets, huge_written) = (
            server.stop.clone(),
            server.hits.clone(),
            server.resets.clone(),
            server.huge_written.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let counters = (hits.clone(), resets.clone(), huge_written.clone());
                std::thread::spawn(move || serve(stream, answer, counters));
            }
        });
        server
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

type Counters = (Arc<AtomicUsize>, Arc<AtomicUsize>, Arc<Mutex<Vec<usize>>>);

/// Answers the requests of one connection until the client closes it.
fn serve(mut stream: TcpStream, answer: fn(&str) -> Answer, (hits, resets, huge): Counters) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head = [0u8; 8192];
    // Peek, not read: a reset must leave the request unread.
    while let Some((head_len, path)) = peek_head(&stream, &mut head) {
        hits.fetch_add(1, Ordering::SeqCst);
        let answer = answer(&path);
        if let Answer::Reset = answer {
            resets.fetch_add(1, Ordering::SeqCst);
            return; // closed with unread data: the kernel answers with RST
        }
        // The monitor only sends GETs: the head is the whole request.
        if stream.read_exact(&mut head[..head_len]).is_err() {
            return;
        }
        match answer {
            Answer::Json(body) => {
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if stream.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            Answer::Huge { size, chunked } => {
                let written = write_huge(&mut stream, size, chunked);
                huge.lock().unwrap().push(written);
                if written < size {
                    return;
                }
            }
            Answer::Reset => unreachable!(),
        }
    }
}

/// Writes a `200` with a `size`-byte body of spaces, with its length or `chunked`;
/// returns the body bytes written before the client went away.
fn write_huge(stream: &mut TcpStream, size: usize, chunked: bool) -> usize {
    let framing = match chunked {
        true => "transfer-encoding: chunked".to_string(),
        false => format!("content-length: {size}"),
    };
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{framing}\r\n\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    let piece = [b' '; 64 * 1024];
    let mut written = 0;
    while written < size {
        let n = piece.len().min(size - written);
        let sent = match chunked {
            true => stream
                .write_all(format!("{n:x}\r\n").as_bytes())
                .and_then(|()| stream.write_all(&piece[..n]))
                .and_then(|()| stream.write_all(b"\r\n")),
            false => stream.write_all(&piece[..n]),
        };
        if sent.is_err() {
            return written;
        }
        written += n;
    }
    if chunked && stream.write_all(b"0\r\n\r\n").is_err() {
        return written;
    }
    written
}

/// The length of the next request's head and its path, without consuming it; `None`
/// when the client closed the connection.
fn peek_head(stream: &TcpStream, buffer: &mut [u8]) -> Option<(usize, String)> {
    for _ in 0..1000 {
        let n = stream.peek(buffer).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = buffer[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end]).ok()?;
            let path = head.lines().next()?.split(' ').nth(1)?;
            return Some((end + 4, path.to_string()));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}
