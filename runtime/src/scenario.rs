//! The scenario of one generated app: its operations as transactions, in the order that
//! creates, uses and deletes, and the cleanup when a user stops.

use crate::cleanup;
use crate::params::OperationInfo;
use crate::transaction;
use goose::goose::{Scenario, Transaction, TransactionFunction};
use std::sync::Arc;

/// An app's `Generated <app>` scenario: one transaction per operation, named
/// `METHOD /path`, and a cleanup when the user stops. Built in a loop over the app's
/// registry rather than one `register_transaction` call per operation in generated
/// code, so the generated code stays flat however many operations an app has.
pub fn generated(name: &str, operations: &'static [&'static OperationInfo]) -> Scenario {
    let mut scenario = Scenario::new(name);
    for &info in operations {
        let send: TransactionFunction =
            Arc::new(move |user| transaction::send_operation(user, info));
        scenario = scenario.register_transaction(
            Transaction::new(send)
                .set_name(&format!("{} {}", info.method, info.path))
                .set_sequence(sequence(info)),
        );
    }
    let stop: TransactionFunction =
        Arc::new(move |user| Box::pin(cleanup::user_stop(user, operations)));
    scenario.register_transaction(Transaction::new(stop).set_name("cleanup").set_on_stop())
}

/// Where an operation runs in its scenario's sequence: producers first, then the
/// operations that use what they made, deletes last, so each iteration creates, uses and
/// deletes and the pool of resources stays steady.
fn sequence(info: &OperationInfo) -> usize {
    if info.produces.is_some() {
        1
    } else if info.deletes.is_some() {
        3
    } else {
        2
    }
}
