//! Cleanup of what the generated transactions created: each user deletes its own when it
//! stops, and a final sweep, within a time budget, deletes what remains; what still
//! exists afterwards is reported as left behind.

use crate::chain;
use crate::params::{OperationInfo, Values};
use goose::goose::{GooseUser, TransactionResult};
use std::time::{Duration, Instant};

/// How long the final sweep may take.
pub const SWEEP_BUDGET: Duration = Duration::from_secs(30);

/// The operation among `operations` that deletes `resource`, if the API has one (and
/// the gateway of the run documents it).
pub fn delete_operation(
    operations: &[&'static OperationInfo],
    resource: &str,
) -> Option<&'static OperationInfo> {
    operations
        .iter()
        .copied()
        .find(|info| info.deletes == Some(resource) && crate::routes::serves_operation(info))
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
        if let Some(op) = delete_operation(operations, resource) {
            // A failed delete stays in the ledger for the final sweep.
            let _ = crate::transaction::delete_resource(user, op, resource, captured.id).await;
        }
    }
    Ok(())
}

/// What the final sweep did.
#[derive(Debug, Default, serde::Serialize)]
pub struct SweepReport {
    /// Resources the sweep deleted.
    pub deleted: usize,
    /// `(resource, id)` of everything still live after the sweep.
    pub left_behind: Vec<(String, String)>,
}

/// Deletes every resource still in the ledger, each with its kind's DELETE operation,
/// until done or `budget` runs out; 200, 204 and 404 count as gone.
pub async fn sweep(
    operations: &[&'static OperationInfo],
    origin: &str,
    headers: &[(String, String)],
    budget: Duration,
) -> SweepReport {
    let started = Instant::now();
    let mut report = SweepReport::default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(_) => {
            report.left_behind = chain::live();
            return report;
        }
    };
    let mut values = Values::new(crate::rng::for_user(usize::MAX, 0x0073_7765_6570));
    for (resource, id) in chain::live() {
        if started.elapsed() > budget {
            break;
        }
        let Some(op) = delete_operation(operations, &resource) else {
            continue;
        };
        let Some(kind) = op.deletes else { continue };
        let id = serde_json::Value::String(id);
        values.begin(Some(kind), Some((kind, id.clone())));
        let parts = (op.sample)(&mut values);
        let Some(method) = crate::target::reqwest_method(&parts.method) else {
            continue;
        };
        let mut builder = client.request(method, format!("{origin}{}", parts.path));
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let builder = parts.apply(builder, &mut values);
        if let Ok(response) = builder.send().await {
            let status = response.status().as_u16();
            let _ = response.bytes().await;
            if (200..300).contains(&status) || status == 404 {
                chain::record_deleted(kind, &id);
                report.deleted += 1;
            }
        }
    }
    report.left_behind = chain::live();
    report
}
