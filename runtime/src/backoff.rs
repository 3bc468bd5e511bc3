//! Producers that never succeed are called less for what others need. A consumer whose
//! user holds none of what its path needs sends the producer first (`transaction.rs`);
//! when that producer has failed every time so far (Chroma's deprecated v1 create
//! answers 400 to all), each consumer would send it again, and a failing producer
//! became 45% of a run's requests. After [`FREE_TRIES`] failures and no success, a
//! consumer tries the producer once in [`RETRY_EVERY`] and otherwise is not sent (it
//! would only measure a 404 with a drawn id); one success ends the back-off. The
//! producer's own turns in the deal are not affected: validity.md still shows why it
//! fails. Likewise, of two operations that delete one kind, the clean-up uses one that
//! has deleted something in the run ([`has_deleted`]).

use crate::params::OperationInfo;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};

/// Failures a producer gets before consumers back off from it.
pub const FREE_TRIES: u32 = 3;
/// Once backed off, consumers try the producer once in this many.
pub const RETRY_EVERY: u32 = 16;

#[derive(Clone, Copy, Default)]
struct State {
    succeeded: bool,
    failures: u32,
    /// Consumers that asked since the back-off began.
    asked: u32,
}

/// Per producer (by address).
static STATES: Mutex<Option<HashMap<usize, State>>> = Mutex::new(None);
/// Delete operations (by address) that answered a 2xx in this run.
static DELETED: RwLock<Option<HashSet<usize>>> = RwLock::new(None);

fn address(info: &OperationInfo) -> usize {
    info as *const OperationInfo as usize
}

/// Forgets every producer's record (a new run).
pub fn reset() {
    *STATES.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *DELETED.write().unwrap_or_else(|p| p.into_inner()) = None;
}

/// Records that the delete operation `info` answered a 2xx: a shared read after its
/// first, since every 2xx delete of a run comes here.
pub fn deleted(info: &'static OperationInfo) {
    if has_deleted(info) {
        return;
    }
    let mut guard = DELETED.write().unwrap_or_else(|p| p.into_inner());
    guard.get_or_insert_with(HashSet::new).insert(address(info));
}

/// Whether the delete operation `info` has answered a 2xx in this run.
pub fn has_deleted(info: &OperationInfo) -> bool {
    let guard = DELETED.read().unwrap_or_else(|p| p.into_inner());
    guard.as_ref().is_some_and(|d| d.contains(&address(info)))
}

/// Whether a consumer should send `producer` now: always until it has failed
/// [`FREE_TRIES`] times without a success, then once in [`RETRY_EVERY`] asks.
pub fn should_try(producer: &'static OperationInfo) -> bool {
    let mut guard = STATES.lock().unwrap_or_else(|p| p.into_inner());
    let state = guard
        .get_or_insert_with(HashMap::new)
        .entry(address(producer))
        .or_default();
    if state.succeeded || state.failures < FREE_TRIES {
        return true;
    }
    state.asked = state.asked.wrapping_add(1);
    state.asked % RETRY_EVERY == 0
}

/// Records how a producer sent for a consumer fared.
pub fn record(producer: &'static OperationInfo, succeeded: bool) {
    let mut guard = STATES.lock().unwrap_or_else(|p| p.into_inner());
    let state = guard
        .get_or_insert_with(HashMap::new)
        .entry(address(producer))
        .or_default();
    if succeeded {
        state.succeeded = true;
    } else {
        state.failures = state.failures.saturating_add(1);
    }
}

/// The producers consumers backed off from, as `METHOD /path`, for the run's end.
pub fn backed_off(operations: &[&'static OperationInfo]) -> Vec<String> {
    let guard = STATES.lock().unwrap_or_else(|p| p.into_inner());
    let Some(states) = guard.as_ref() else {
        return Vec::new();
    };
    operations
        .iter()
        .filter(|info| {
            states
                .get(&address(info))
                .is_some_and(|s| !s.succeeded && s.failures >= FREE_TRIES)
        })
        .map(|info| format!("{} {}", info.method, info.path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An operation of a vector store's API.
    const fn op(
        method: &'static str,
        path: &'static str,
        deletes: Option<&'static str>,
    ) -> OperationInfo {
        OperationInfo::for_test("vectors", method, path, None, deletes)
    }

    static CREATE: OperationInfo = op("POST", "/api/v1/collections", None);

    #[test]
    fn a_producer_that_always_fails_is_tried_once_in_sixteen_until_it_succeeds() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        for _ in 0..FREE_TRIES {
            assert!(should_try(&CREATE));
            record(&CREATE, false);
        }
        let tried = (0..10 * RETRY_EVERY)
            .filter(|_| should_try(&CREATE))
            .count();
        assert_eq!(tried, 10);
        assert_eq!(backed_off(&[&CREATE]), vec!["POST /api/v1/collections"]);
        record(&CREATE, true);
        assert!((0..5).all(|_| should_try(&CREATE)));
        assert!(backed_off(&[&CREATE]).is_empty());
        reset();
    }

    static DELETE_V1: OperationInfo = op(
        "DELETE",
        "/api/v1/collections/{collection_name}",
        Some("collection"),
    );
    static DELETE_V2: OperationInfo = op(
        "DELETE",
        "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_name}",
        Some("collection"),
    );

    #[test]
    fn the_clean_up_deletes_with_an_operation_that_has_deleted() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        let both: [&'static OperationInfo; 2] = [&DELETE_V1, &DELETE_V2];
        let chosen = |ops: &[&'static OperationInfo]| {
            crate::cleanup::delete_operation(ops, "collection").map(|op| op.path)
        };
        assert_eq!(chosen(&both), Some(DELETE_V1.path), "the first, by default");
        deleted(&DELETE_V2);
        assert_eq!(chosen(&both), Some(DELETE_V2.path));
        deleted(&DELETE_V1);
        assert_eq!(chosen(&both), Some(DELETE_V1.path));
        reset();
    }
}
