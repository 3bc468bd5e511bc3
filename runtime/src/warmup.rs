//! The warm-up: before the load starts, a bounded pass over the read-only operations
//! that need no input (`GET` lists, RPC-style `POST .../filter`, `.../list`, `.../count`)
//! learns what already exists on the gateway (a default project, built-in types), then
//! reads what those name (the default project's members), so the load's first requests
//! name real resources. Its requests are sent by a plain client,
//! outside Goose: they are not in the load's figures; the run says how many there were.

use crate::params::{OperationInfo, Values};
use crate::spec::links::{final_verb, Verb};
use serde_json::Value;
use std::time::{Duration, Instant};

/// At most this many requests...
pub const MAX_REQUESTS: usize = 200;
/// ...within this long.
pub const BUDGET: Duration = Duration::from_secs(15);
/// An answer longer than this is not read on (nor learned from).
pub const MAX_BODY: usize = 1 << 20;

/// What the warm-up did.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Warmup {
    pub requests: usize,
    /// Of which answered 2xx.
    pub succeeded: usize,
    /// Of those, reads of what an earlier pass found (`/experiments/{exp_id}/runs`).
    pub named_reads: usize,
    /// Records known afterwards, of how many resources.
    pub records: usize,
    pub resources: usize,
}

/// Whether `info` reads without naming anything: a `GET` without path parameters, or an
/// RPC-style read (`POST /flows/filter`) without path parameters.
pub fn is_input_free_read(info: &OperationInfo) -> bool {
    if info.path.contains('{') {
        return false;
    }
    match info.method {
        "GET" => true,
        "POST" => final_verb(info.path) == Some(Verb::Read),
        _ => false,
    }
}

/// How many passes the warm-up makes: the input-free reads, then the reads whose path
/// names only what earlier passes learned (`/experiments/{exp_id}/runs` of an experiment
/// the list showed), then those of what that showed (`/runs/{run_id}/info`).
pub const PASSES: usize = 3;
/// How many records a later pass tries per read: the first may name an empty one.
const TRIES: usize = 8;

/// Calls every input-free read among `operations` once, in order, then each `GET` whose
/// path parameters all take records learned so far, within the bounds, and learns what
/// their answers show.
pub async fn run(
    operations: &[&'static OperationInfo],
    origin: &str,
    headers: &[(String, String)],
) -> Warmup {
    let started = Instant::now();
    let mut done = Warmup::default();
    // The run's client, as the load sends: its headers on every request, no redirect.
    let (Ok(client), Ok(origin)) = (
        crate::target::client(Duration::from_secs(5), true, headers, None),
        url::Url::parse(origin),
    ) else {
        return done;
    };
    let mut values = Values::new(crate::rng::for_user(usize::MAX - 1, 0x0077_6172_6d75));
    // Only what the targeted gateway documents (routes::install ran first), the values
    // file lets run, and the run would send (never a restart route, say).
    let overrides = crate::params::overrides::installed();
    let served: Vec<&'static OperationInfo> = operations
        .iter()
        .copied()
        .filter(|info| {
            crate::routes::serves_operation(info)
                && overrides.allows(&format!("{} {}", info.method, info.path))
                && crate::hazard::reason(info.method, info.path).is_none()
        })
        .collect();
    // What later passes no longer send: reads that showed records, and paths sent.
    let mut learned_from: Vec<&'static str> = Vec::new();
    let mut sent: std::collections::HashSet<String> = std::collections::HashSet::new();
    for pass in 0..PASSES {
        let before = done.succeeded;
        for &info in &served {
            let candidate = match pass {
                0 => is_input_free_read(info),
                _ => is_read_of_named(info) && !learned_from.contains(&info.path),
            };
            let Some(subject) = crate::known::answer_resource(info.path).filter(|_| candidate)
            else {
                continue;
            };
            // A later pass draws again for another learned record when the first one
            // it named showed nothing (the empty default experiment, not the one with runs).
            let tries = if pass == 0 { 1 } else { TRIES };
            for _ in 0..tries {
                if done.requests >= MAX_REQUESTS || started.elapsed() > BUDGET {
                    break;
                }
                let parts = crate::transaction::draw(&mut values, info, None);
                // A later pass sends only what names learned records in every path
                // parameter (a made-up id there would only learn a 404), once per path.
                if pass > 0
                    && (!names_only_learned(info.path, &values) || !sent.insert(parts.path.clone()))
                {
                    continue;
                }
                let target =
                    crate::target::builder_on(&client, &origin, &parts.method, &parts.path);
                let Some(builder) = target else {
                    break;
                };
                let builder = parts.apply(builder, &mut values);
                done.requests += 1;
                let (success, answer) = answer_of(builder).await;
                if success {
                    done.succeeded += 1;
                    done.named_reads += usize::from(pass > 0);
                }
                let showed = answer.is_some_and(|answer| crate::known::learn(subject, &answer));
                if showed || (success && pass == 0) {
                    learned_from.push(info.path);
                    break;
                }
            }
        }
        if pass > 0 && done.succeeded == before {
            break; // nothing new to name
        }
    }
    (done.records, done.resources) = crate::known::size();
    done
}

/// A `GET` of something its path names (`/experiments/{exp_id}/runs`).
fn is_read_of_named(info: &OperationInfo) -> bool {
    info.method == "GET" && info.path.contains('{')
}

/// Whether every path parameter of `path` took a learned record's key in the last draw.
fn names_only_learned(path: &str, values: &Values) -> bool {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .all(|name| values.drawn.iter().any(|(drawn, _)| *drawn == name))
}

/// Whether the answer was a 2xx whose body came whole, and its JSON when it was that
/// and within [`MAX_BODY`].
async fn answer_of(builder: reqwest::RequestBuilder) -> (bool, Option<Value>) {
    let Ok(mut response) = builder.send().await else {
        return (false, None);
    };
    if !response.status().is_success() {
        return (false, None);
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(bytes)) if body.len() + bytes.len() <= MAX_BODY => body.extend(&bytes),
            Ok(Some(_)) => return (true, None),
            Err(_) => return (false, None),
            Ok(None) => break,
        }
    }
    (true, serde_json::from_slice(&body).ok())
}
