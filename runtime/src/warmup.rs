//! The warm-up: before the load starts, a bounded pass over the read-only operations
//! that need no input (`GET` lists, RPC-style `POST .../filter`, `.../list`, `.../count`)
//! learns what already exists on the gateway (a default project, built-in types), so the
//! load's first requests name real resources. Its requests are sent by a plain client,
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

/// Calls every input-free read among `operations` once, in order, within the bounds,
/// and learns what their answers show.
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
    // Only what the targeted gateway documents (routes::install ran first).
    let reads = operations
        .iter()
        .filter(|info| is_input_free_read(info) && crate::routes::serves_operation(info));
    for &info in reads {
        if done.requests >= MAX_REQUESTS || started.elapsed() > BUDGET {
            break;
        }
        let Some(subject) = crate::known::answer_resource(info.path) else {
            continue;
        };
        let parts = crate::transaction::draw(&mut values, info, None);
        let target = crate::target::builder_on(&client, &origin, &parts.method, &parts.path);
        let Some(builder) = target else {
            continue;
        };
        let builder = parts.apply(builder, &mut values);
        done.requests += 1;
        let Ok(mut response) = builder.send().await else {
            continue;
        };
        let success = response.status().is_success();
        let mut body = Vec::new();
        let mut complete = false;
        while let Ok(chunk) = response.chunk().await {
            match chunk {
                Some(bytes) if body.len() + bytes.len() <= MAX_BODY => body.extend(&bytes),
                Some(_) => break,
                None => {
                    complete = true;
                    break;
                }
            }
        }
        if success && complete {
            done.succeeded += 1;
            if let Ok(answer) = serde_json::from_slice::<Value>(&body) {
                crate::known::learn(subject, &answer);
            }
        }
    }
    (done.records, done.resources) = crate::known::size();
    done
}
