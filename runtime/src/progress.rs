//! The progress line of a run on a terminal: elapsed and remaining time, users that have
//! sent a request, requests per second over the last second, and failures. Quiet when
//! stderr is not a terminal or with `--quiet`; the reports, not this line, are the record.
//!
//! Requests and failures are counted where every request of the hand-written and
//! generated scenarios passes (`request::send`, `request::fail`), with relaxed atomics.

use goose::config::GooseConfiguration;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

static REQUESTS: AtomicU64 = AtomicU64::new(0);
static FAILURES: AtomicU64 = AtomicU64::new(0);
/// One bit per user index that has sent a request (users past 4,096 are not shown).
static USERS: [AtomicU64; 64] = [const { AtomicU64::new(0) }; 64];

/// Counts a request sent.
pub fn request() {
    REQUESTS.fetch_add(1, Relaxed);
}

/// Counts a failed request (an error status, a failed check, a transport error).
pub fn failure() {
    FAILURES.fetch_add(1, Relaxed);
}

/// Notes that user `index` (Goose's `weighted_users_index`) is sending.
pub fn user(index: usize) {
    if let Some(word) = USERS.get(index / 64) {
        let bit = 1u64 << (index % 64);
        // A load first: after its first request a user only reads the shared line.
        if word.load(Relaxed) & bit == 0 {
            word.fetch_or(bit, Relaxed);
        }
    }
}

/// What the line shows at one moment.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub requests: u64,
    pub failures: u64,
    pub users: u32,
}

/// The counters now.
pub fn snapshot() -> Snapshot {
    Snapshot {
        requests: REQUESTS.load(Relaxed),
        failures: FAILURES.load(Relaxed),
        users: USERS.iter().map(|w| w.load(Relaxed).count_ones()).sum(),
    }
}

fn reset() {
    REQUESTS.store(0, Relaxed);
    FAILURES.store(0, Relaxed);
    for word in &USERS {
        word.store(0, Relaxed);
    }
}

/// The line for `now` after `elapsed`, `rps` over the last interval, `planned` seconds.
pub fn line(now: Snapshot, elapsed: Duration, rps: f64, planned: Option<u64>) -> String {
    let clock = |secs: u64| format!("{:02}:{:02}", secs / 60, secs % 60);
    let elapsed = elapsed.as_secs();
    let time = match planned {
        Some(total) => format!(
            "{} / {} ({} left)",
            clock(elapsed),
            clock(total),
            clock(total.saturating_sub(elapsed))
        ),
        None => clock(elapsed),
    };
    let failed_pct = match now.requests {
        0 => 0.0,
        n => now.failures as f64 * 100.0 / n as f64,
    };
    format!(
        "{time} | users {} | {rps:.1} req/s | {} requests | {} failed ({failed_pct:.1}%)",
        now.users, now.requests, now.failures
    )
}

/// The running line; [`Progress::finish`] ends it.
pub struct Progress {
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Resets the counters and, on a terminal without `--quiet`, prints the line each second.
pub fn start(config: &GooseConfiguration, planned_secs: Option<u64>) -> Progress {
    reset();
    let shown = config.quiet == 0 && std::io::stderr().is_terminal();
    let task = shown.then(|| {
        tokio::spawn(async move {
            let started = Instant::now();
            let mut before = (Instant::now(), snapshot());
            let mut ticks = tokio::time::interval(Duration::from_secs(1));
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let now = snapshot();
                let secs = before.0.elapsed().as_secs_f64().max(0.001);
                let rps = now.requests.saturating_sub(before.1.requests) as f64 / secs;
                before = (Instant::now(), now);
                let text = line(now, started.elapsed(), rps, planned_secs);
                // \r and erase-line: the line redraws in place.
                let _ = write!(std::io::stderr().lock(), "\r\x1b[2K{text}");
            }
        })
    });
    Progress { task }
}

impl Progress {
    /// Stops the line and leaves the cursor on a fresh line.
    pub fn finish(self) {
        if let Some(task) = self.task {
            task.abort();
            let _ = writeln!(std::io::stderr().lock());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_time_left_users_rate_and_failures() {
        let now = Snapshot {
            requests: 200,
            failures: 3,
            users: 20,
        };
        let text = line(now, Duration::from_secs(75), 123.45, Some(120));
        assert_eq!(
            text,
            "01:15 / 02:00 (00:45 left) | users 20 | 123.5 req/s | 200 requests | 3 failed (1.5%)"
        );
        let text = line(Snapshot::default(), Duration::from_secs(5), 0.0, None);
        assert!(text.starts_with("00:05 | users 0 |"), "{text}");
        assert!(text.ends_with("0 failed (0.0%)"), "{text}");
    }
}
