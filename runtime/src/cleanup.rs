//! Cleanup of what the generated transactions created: each user deletes its own when it
//! stops, and a final sweep, within a time budget, deletes what remains; what still
//! exists afterwards is reported as left behind, and what was created but never tracked
//! (`untracked`) is reported beside it.

use crate::chain;
use crate::params::{OperationInfo, Values};
use goose::goose::{GooseUser, TransactionResult};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long the final sweep may take.
pub const SWEEP_BUDGET: Duration = Duration::from_secs(30);
/// How long the users' own deletes, when they stop, may take together (from the first
/// user's stop); what is left goes to the sweep, whose time is bounded too.
pub const STOP_BUDGET: Duration = Duration::from_secs(30);
/// A user's delete slower than this says the gateway no longer keeps up (a hung app
/// answers nothing, and each delete waited out the request time-out: 12 minutes for
/// one run's held resources): every user stops deleting and leaves the rest to the
/// sweep.
pub const SLOW_DELETE: Duration = Duration::from_secs(10);

/// When the users' deletes must stop, set by the first user that stops.
static STOP_DEADLINE: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);
/// Set when a user's delete was slower than [`SLOW_DELETE`].
static GATEWAY_SLOW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Starts a run's stop budget afresh.
pub fn reset_stop() {
    *STOP_DEADLINE.lock().unwrap_or_else(|p| p.into_inner()) = None;
    GATEWAY_SLOW.store(false, std::sync::atomic::Ordering::Relaxed);
}

/// Whether a stopping user may send another delete: inside [`STOP_BUDGET`] and the
/// gateway still answering in time.
fn may_delete_on_stop() -> bool {
    let deadline = *STOP_DEADLINE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_or_insert_with(|| Instant::now() + STOP_BUDGET);
    Instant::now() < deadline && !GATEWAY_SLOW.load(std::sync::atomic::Ordering::Relaxed)
}

/// The operation among `operations` that deletes `resource`, if the API has one (and
/// the gateway of the run documents it): of several (an API's v1 and v2 routes), the
/// first that has deleted something in this run, else the first.
pub fn delete_operation(
    operations: &[&'static OperationInfo],
    resource: &str,
) -> Option<&'static OperationInfo> {
    let mut deleters = operations
        .iter()
        .copied()
        .filter(|info| info.deletes == Some(resource) && crate::routes::serves_operation(info));
    let first = deleters.next()?;
    match crate::backoff::has_deleted(first) {
        true => Some(first),
        false => deleters
            .find(|info| crate::backoff::has_deleted(info))
            .or(Some(first)),
    }
}

/// The operation among `operations` that deletes `captured`, a `resource`: of several,
/// one whose path can reach it ([`chain::fits`]: a note made under an experiment is
/// deleted through the experiment's route), else as [`delete_operation`] chooses.
pub fn delete_operation_for(
    operations: &[&'static OperationInfo],
    resource: &str,
    captured: &chain::Captured,
) -> Option<&'static OperationInfo> {
    let first = delete_operation(operations, resource)?;
    let others = operations
        .iter()
        .copied()
        .filter(|info| info.deletes == Some(resource) && crate::routes::serves_operation(info));
    Some(fitting(first, others, captured))
}

/// `preferred` when its path can reach `captured` ([`chain::fits`]), else the first of
/// `others` that can, else `preferred`.
pub fn fitting(
    preferred: &'static OperationInfo,
    mut others: impl Iterator<Item = &'static OperationInfo>,
    captured: &chain::Captured,
) -> &'static OperationInfo {
    if chain::fits(preferred.path, captured) {
        return preferred;
    }
    others
        .find(|info| chain::fits(info.path, captured))
        .unwrap_or(preferred)
}

/// The on-stop transaction of every generated scenario: deletes, newest first, what the
/// user created and still holds, each by the operation among the scenario's `operations`
/// that deletes its kind.
pub async fn user_stop(
    user: &mut GooseUser,
    operations: &'static [&'static OperationInfo],
) -> TransactionResult {
    let held = crate::params::values(user).pool.drain_newest_first();
    for (resource, captured) in held {
        if !chain::is_live(resource, &captured.id) {
            continue; // already gone with its parent
        }
        if !may_delete_on_stop() {
            break; // the sweep deletes the rest, or names them
        }
        if let Some(op) = delete_operation_for(operations, resource, &captured) {
            // A failed delete stays in the ledger for the final sweep.
            let sent = Instant::now();
            let _ = crate::transaction::delete_resource(user, op, resource, captured).await;
            if sent.elapsed() > SLOW_DELETE {
                GATEWAY_SLOW.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
    Ok(())
}

/// What the final sweep did.
#[derive(Debug, Default, serde::Serialize)]
pub struct SweepReport {
    /// Resources the sweep deleted.
    pub deleted: usize,
    /// Children of deleted parents the app had deleted with them (a delete of one of
    /// their kind answered 404).
    pub went_with_parents: usize,
    /// `(resource, id)` of everything still live after the sweep.
    pub left_behind: Vec<(String, String)>,
    /// Why each resource left behind was not deleted.
    pub reasons: Vec<LeftBehind>,
    /// What the run created but could not track, so the sweep could not delete it:
    /// by operation, how many and why (see `untracked`).
    pub untracked: Vec<crate::untracked::Untracked>,
    /// 2xx answers to deletes no link ties to a resource: what they deleted may be
    /// among `left_behind`.
    pub unlinked_deletes: Vec<crate::untracked::Untracked>,
}

impl SweepReport {
    /// How many creates were not tracked, over every operation.
    pub fn untracked_count(&self) -> u64 {
        self.untracked.iter().map(|u| u.count).sum()
    }
}

/// One resource the sweep could not delete, and why.
#[derive(Debug, serde::Serialize)]
pub struct LeftBehind {
    pub resource: String,
    pub id: String,
    pub reason: String,
}

/// Deletes every resource still in the ledger, each with its kind's delete operation
/// among `operations`, until done or `budget` runs out; a 2xx or a 404 counts as gone.
/// Children of deleted parents come first: whether the app deleted them with their
/// parent is asked once per kind (a delete of one; a 404 says it did), and those it kept
/// are deleted like the rest. Every resource left behind is named with why: no delete
/// operation, the answer's status, the send error, or the budget.
pub async fn sweep(
    operations: &[&'static OperationInfo],
    origin: &str,
    headers: &[(String, String)],
    budget: Duration,
) -> SweepReport {
    let started = Instant::now();
    let mut report = SweepReport::default();
    let mut reasons: Vec<(String, Value, String)> = Vec::new();
    // The run's client, as the load sent: its headers on every request, no redirect.
    let client = crate::target::client(Duration::from_secs(5), true, headers, None)
        .map_err(|e| format!("the sweep's HTTP client could not start: {e}"));
    let base =
        url::Url::parse(origin).map_err(|e| format!("the sweep cannot parse {origin:?}: {e}"));
    let (client, origin) = match (client, base) {
        (Ok(client), Ok(origin)) => (client, origin),
        (Err(reason), _) | (_, Err(reason)) => {
            // Nothing can be swept: everything is left, each with why.
            for (resource, captured) in chain::take_orphans() {
                chain::record_created(&resource, &captured);
            }
            for (resource, captured) in chain::live_captured() {
                reasons.push((resource, captured.id, reason.clone()));
            }
            return finish(report, reasons);
        }
    };
    let mut sweeper = Sweeper {
        operations,
        origin,
        client,
        values: Values::new(crate::rng::for_user(usize::MAX, 0x0073_7765_6570)),
    };
    // Kind → whether the app deletes it with its parent: asked, by a read, of the first
    // orphan of a kind nothing deletes; `false` once a delete of one removed it itself.
    let mut cascades: std::collections::HashMap<String, bool> = Default::default();
    for (resource, captured) in chain::take_orphans() {
        match cascades.get(&resource) {
            Some(true) => {
                report.went_with_parents += 1;
                continue;
            }
            Some(false) => {
                chain::record_created(&resource, &captured);
                continue;
            }
            None => {}
        }
        chain::record_created(&resource, &captured);
        if started.elapsed() > budget {
            continue; // the main pass names the budget
        }
        // A kind nobody can delete is read instead: a 404 says it went with its parent.
        if delete_operation(operations, &resource).is_none() {
            let gone = sweeper.read(&resource, captured.clone()).await == Some(404);
            if gone {
                chain::record_deleted(&resource, &captured);
                report.went_with_parents += 1;
            }
            cascades.insert(resource, gone);
            continue;
        }
        // A 404 says this one went (with its parent, or by another route): each orphan
        // of a kind that has a delete is deleted on its own, since one 404 does not say
        // the rest went too (Aim's tags outlive the runs they were added to).
        match sweeper.delete(&resource, captured.clone()).await {
            Ok(404) => {
                report.went_with_parents += 1;
            }
            Ok(_) => {
                cascades.insert(resource, false);
                report.deleted += 1;
            }
            Err(reason) => {
                cascades.insert(resource.clone(), false);
                reasons.push((resource, captured.id, reason));
            }
        }
    }
    for (resource, captured) in chain::live_captured() {
        if started.elapsed() > budget {
            let reason = format!("the sweep's budget of {} s ran out", budget.as_secs());
            reasons.push((resource, captured.id, reason));
            continue;
        }
        let id = captured.id.clone();
        match sweeper.delete(&resource, captured).await {
            Ok(_) => report.deleted += 1,
            Err(reason) => reasons.push((resource, id, reason)),
        }
    }
    finish(report, reasons)
}

/// What the sweep deletes with.
struct Sweeper<'a> {
    operations: &'a [&'static OperationInfo],
    origin: url::Url,
    client: reqwest::Client,
    values: Values,
}

impl Sweeper<'_> {
    /// Reads one resource by a `GET` of its kind, when the API has one: the status.
    async fn read(&mut self, resource: &str, captured: chain::Captured) -> Option<u16> {
        let op = self.operations.iter().copied().find(|op| {
            op.method == "GET"
                && op.path.ends_with('}')
                && crate::known::target_resource(op.path) == Some(resource)
                && crate::routes::serves_operation(op)
        })?;
        let kind = crate::known::target_resource(op.path)?;
        let parts = crate::transaction::draw(&mut self.values, op, Some((kind, captured)));
        let builder =
            crate::target::builder_on(&self.client, &self.origin, &parts.method, &parts.path)?;
        let builder = parts.apply(builder, &mut self.values);
        let response = builder.send().await.ok()?;
        let status = response.status().as_u16();
        let _ = response.bytes().await;
        Some(status)
    }

    /// Deletes one resource by its kind's delete operation: the status when the answer
    /// was a 2xx or a 404 (it is gone, and out of the ledger), else why not.
    async fn delete(&mut self, resource: &str, captured: chain::Captured) -> Result<u16, String> {
        let Some(op) = delete_operation_for(self.operations, resource, &captured) else {
            return Err(format!(
                "the API has no operation that deletes a {resource}"
            ));
        };
        let Some(kind) = op.deletes else {
            return Err(format!("{} {} deletes nothing", op.method, op.path));
        };
        let id = captured.id.clone();
        let deleted = captured.clone();
        let parts = crate::transaction::draw(&mut self.values, op, Some((kind, captured)));
        let target =
            crate::target::builder_on(&self.client, &self.origin, &parts.method, &parts.path);
        let Some(builder) = target else {
            return Err(format!("{} {:?} cannot be sent", op.method, parts.path));
        };
        let builder = parts.apply(builder, &mut self.values);
        let key = format!("{} {}", op.method, op.path);
        match builder.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let _ = response.bytes().await;
                if (200..300).contains(&status) || status == 404 {
                    chain::record_deleted(kind, &deleted);
                    crate::known::forget(kind, &id);
                    Ok(status)
                } else {
                    Err(format!("{key} answered {status}"))
                }
            }
            Err(e) => Err(format!(
                "{key} failed: {}",
                crate::target::describe_reqwest_error(&e)
            )),
        }
    }
}

/// The report, with what is still live and the reasons for those among it.
fn finish(mut report: SweepReport, reasons: Vec<(String, Value, String)>) -> SweepReport {
    report.left_behind = chain::live();
    (report.untracked, report.unlinked_deletes) = crate::untracked::snapshot();
    for (resource, id, reason) in reasons {
        if chain::is_live(&resource, &id) {
            let id = match id {
                Value::String(s) => s,
                other => other.to_string(),
            };
            report.reasons.push(LeftBehind {
                resource,
                id,
                reason,
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_users_stop_deleting_once_the_gateway_is_slow_or_the_budget_is_spent() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset_stop();
        assert!(may_delete_on_stop());
        GATEWAY_SLOW.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(!may_delete_on_stop());
        reset_stop();
        *STOP_DEADLINE.lock().unwrap() = Some(Instant::now());
        assert!(!may_delete_on_stop(), "past the stop budget");
        reset_stop();
    }
}
