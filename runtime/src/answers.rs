//! The run-wide record of what each request name was answered: how many requests, how
//! many 2xx, the bytes of the bodies read, and the most frequent reasons the others
//! failed. `request::send` records every request here; the validity report and
//! `stats.csv`'s content size read it at the end of the run.
//!
//! Kept cheap and bounded: one entry per `METHOD name` (names are path templates, so
//! their number is the API's, not the traffic's), counted with relaxed atomics under a
//! shared lock; a failed answer's body is parsed for its reason (see `reason`), a 2xx
//! body never is; each entry keeps at most [`MAX_REASONS`] distinct reasons, the rest
//! counted as other.

use crate::reason::Reason;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, RwLock};

/// The most distinct failure reasons kept per request name; later new ones are counted
/// in `other_reasons`.
pub const MAX_REASONS: usize = 8;

/// One request name's counts, shared by every user.
#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    ok: AtomicU64,
    body_bytes: AtomicU64,
    reasons: Mutex<Reasons>,
}

/// The distinct reasons seen, first come first kept, with their counts.
#[derive(Default, Debug, Clone, PartialEq)]
struct Reasons {
    kept: Vec<(Reason, u64)>,
    other: u64,
}

impl Reasons {
    fn count(&mut self, reason: Reason) {
        if let Some((_, n)) = self.kept.iter_mut().find(|(r, _)| *r == reason) {
            *n += 1;
        } else if self.kept.len() < MAX_REASONS {
            self.kept.push((reason, 1));
        } else {
            self.other += 1;
        }
    }
}

/// Request name → its tallies, one per method (a name has few methods).
type Book = HashMap<String, Vec<(&'static str, Tally)>>;

static BOOK: RwLock<Option<Book>> = RwLock::new(None);

/// Forgets every request recorded: each run starts from nothing.
pub fn reset() {
    *BOOK.write().unwrap_or_else(|p| p.into_inner()) = None;
}

/// Records an answer read whole: its status and body. A non-2xx body is parsed for the
/// reason it failed.
pub fn answer(method: &'static str, name: &str, status: u16, body: &[u8]) {
    let ok = (200..300).contains(&status);
    let reasons = match ok {
        true => Vec::new(),
        false => crate::reason::from_answer(status, body),
    };
    record(method, name, ok, body.len() as u64, reasons);
}

/// Records a request that failed without an answer read whole (refused, timed out, a
/// body too large or cut off), with the reason.
pub fn failure(method: &'static str, name: &str, reason: Reason) {
    record(method, name, false, 0, vec![reason]);
}

fn record(method: &'static str, name: &str, ok: bool, bytes: u64, reasons: Vec<Reason>) {
    let count = |tally: &Tally, reasons: Vec<Reason>| {
        tally.requests.fetch_add(1, Relaxed);
        tally.body_bytes.fetch_add(bytes, Relaxed);
        if ok {
            tally.ok.fetch_add(1, Relaxed);
        }
        if !reasons.is_empty() {
            let mut kept = tally.reasons.lock().unwrap_or_else(|p| p.into_inner());
            for reason in reasons {
                kept.count(reason);
            }
        }
    };
    {
        let book = BOOK.read().unwrap_or_else(|p| p.into_inner());
        let tally = book
            .as_ref()
            .and_then(|book| book.get(name))
            .and_then(|methods| methods.iter().find(|(m, _)| *m == method));
        if let Some((_, tally)) = tally {
            count(tally, reasons);
            return;
        }
    }
    // The first request of this name and method: add its entry.
    let mut book = BOOK.write().unwrap_or_else(|p| p.into_inner());
    let methods = book
        .get_or_insert_with(Book::default)
        .entry(name.to_string())
        .or_default();
    let at = match methods.iter().position(|(m, _)| *m == method) {
        Some(at) => at,
        None => {
            methods.push((method, Tally::default()));
            methods.len() - 1
        }
    };
    count(&methods[at].1, reasons);
}

/// One request name's answers, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Answers {
    pub method: String,
    pub name: String,
    pub requests: u64,
    /// Answers with a 2xx status, read whole.
    pub ok: u64,
    /// The bytes of every body read, failed answers' included.
    pub body_bytes: u64,
    /// Distinct reasons with how often each was given, most frequent first. A 422 that
    /// names three fields counts once for each.
    pub reasons: Vec<(Reason, u64)>,
    /// Reasons given after [`MAX_REASONS`] distinct ones were kept.
    pub other_reasons: u64,
}

impl Answers {
    /// `METHOD name`, as Goose keys its request metrics.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.name)
    }

    /// The share of requests answered 2xx, 0 to 1 (0 without requests).
    pub fn ok_share(&self) -> f64 {
        match self.requests {
            0 => 0.0,
            n => self.ok as f64 / n as f64,
        }
    }

    /// The average size of the bodies read, in bytes, over every request (as Locust's
    /// "Average Content Size": a request without an answer counts as 0).
    pub fn average_body_bytes(&self) -> f64 {
        match self.requests {
            0 => 0.0,
            n => self.body_bytes as f64 / n as f64,
        }
    }

    /// The most frequent reason, if any failed.
    pub fn top_reason(&self) -> Option<&(Reason, u64)> {
        self.reasons.first()
    }
}

/// Everything recorded since the last [`reset`], sorted by name then method.
pub fn snapshot() -> Vec<Answers> {
    let book = BOOK.read().unwrap_or_else(|p| p.into_inner());
    let mut all: Vec<Answers> = Vec::new();
    for (name, methods) in book.iter().flatten() {
        for (method, tally) in methods {
            let kept = tally
                .reasons
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let mut reasons = kept.kept;
            // Most frequent first; first seen first among equals (the sort is stable).
            reasons.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            all.push(Answers {
                method: method.to_string(),
                name: name.clone(),
                requests: tally.requests.load(Relaxed),
                ok: tally.ok.load(Relaxed),
                body_bytes: tally.body_bytes.load(Relaxed),
                reasons,
                other_reasons: kept.other,
            });
        }
    }
    all.sort_by(|a, b| (&a.name, &a.method).cmp(&(&b.name, &b.method)));
    all
}

/// Goose's method as its metrics spell it: `GET`, `POST`, ...
pub fn method_label(method: &goose::goose::GooseMethod) -> &'static str {
    use goose::goose::GooseMethod;
    match method {
        GooseMethod::Delete => "DELETE",
        GooseMethod::Get => "GET",
        GooseMethod::Head => "HEAD",
        GooseMethod::Patch => "PATCH",
        GooseMethod::Post => "POST",
        GooseMethod::Put => "PUT",
        GooseMethod::Custom => "CUSTOM",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The book is the process's: these tests take turns (one's reset would wipe
    /// another's requests), and name their requests `/answers-test/...` to read only
    /// theirs, whatever other tests send meanwhile.
    fn lock() -> std::sync::MutexGuard<'static, ()> {
        static TURN: Mutex<()> = Mutex::new(());
        TURN.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn snapshot() -> Vec<Answers> {
        let mut ours = super::snapshot();
        ours.retain(|a| a.name.starts_with("/answers-test/"));
        for a in &mut ours {
            a.name = a.name["/answers-test".len()..].to_string();
        }
        ours
    }

    fn answer(method: &'static str, name: &str, status: u16, body: &[u8]) {
        super::answer(method, &format!("/answers-test{name}"), status, body);
    }

    fn failure(method: &'static str, name: &str, reason: Reason) {
        super::failure(method, &format!("/answers-test{name}"), reason);
    }

    #[test]
    fn counts_statuses_bytes_and_reasons_per_method_and_name() {
        let _one = lock();
        reset();
        answer("GET", "/health", 200, b"{\"status\":\"ok\"}");
        answer("GET", "/health", 200, b"{\"status\":\"ok\"}");
        answer("GET", "/items/{id}", 404, b"{\"detail\":\"Not found\"}");
        answer("POST", "/items/{id}", 201, b"{}");
        let refused = Reason::new(None, None, "connection failed");
        failure("GET", "/items/{id}", refused.clone());
        let all = snapshot();
        let keys: Vec<String> = all.iter().map(Answers::key).collect();
        assert_eq!(keys, ["GET /health", "GET /items/{id}", "POST /items/{id}"]);
        let health = &all[0];
        assert_eq!((health.requests, health.ok, health.body_bytes), (2, 2, 30));
        assert_eq!(health.average_body_bytes(), 15.0);
        assert_eq!(health.ok_share(), 1.0);
        assert!(health.reasons.is_empty(), "a 2xx gives no reason");
        let item = &all[1];
        assert_eq!((item.requests, item.ok), (2, 0));
        assert_eq!(
            item.average_body_bytes(),
            11.0,
            "no answer counts as 0 bytes"
        );
        assert_eq!(
            item.reasons,
            [(Reason::new(Some(404), None, "Not found"), 1), (refused, 1)]
        );
        assert_eq!(all[2].ok_share(), 1.0);
        reset();
        assert!(snapshot().is_empty());
    }

    #[test]
    fn distinct_reasons_are_capped_and_the_rest_counted() {
        let _one = lock();
        reset();
        for i in 0..(MAX_REASONS + 5) {
            let body = format!("{{\"detail\": \"reason {i}\"}}");
            answer("GET", "/x", 400, body.as_bytes());
        }
        // A kept reason seen again counts up and sorts first.
        for _ in 0..3 {
            answer("GET", "/x", 400, b"{\"detail\": \"reason 4\"}");
        }
        let all = snapshot();
        let x = &all[0];
        assert_eq!(x.reasons.len(), MAX_REASONS);
        assert_eq!(x.other_reasons, 5);
        assert_eq!(x.top_reason().unwrap().0.message, "reason 4");
        assert_eq!(x.top_reason().unwrap().1, 4);
        assert_eq!(x.requests, MAX_REASONS as u64 + 8);
        // Every reason text is short, however long the body's.
        let long = format!("{{\"detail\": \"{}\"}}", "z".repeat(100_000));
        answer("GET", "/y", 500, long.as_bytes());
        let all = snapshot();
        let y = all.iter().find(|a| a.name == "/y").unwrap();
        assert!(y.reasons[0].0.message.chars().count() <= crate::reason::MAX_CHARS);
        reset();
    }

    #[test]
    fn users_on_many_threads_lose_no_count() {
        let _one = lock();
        reset();
        std::thread::scope(|scope| {
            for t in 0..8 {
                scope.spawn(move || {
                    for i in 0..500 {
                        let status = if i % 5 == 0 { 422 } else { 200 };
                        answer("GET", &format!("/t{}", t % 2), status, b"{}");
                    }
                });
            }
        });
        let all = snapshot();
        assert_eq!(all.len(), 2);
        for a in &all {
            assert_eq!((a.requests, a.ok), (2000, 1600));
            assert_eq!(a.reasons[0].1, 400);
        }
        reset();
    }
}
