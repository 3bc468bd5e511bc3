//! What the run created but could not track for cleanup: a 2xx answer to a create whose
//! id was not captured (no id field, a body that is not JSON, no usable `Location`), and
//! a `201 Created` to a `POST` that no link makes a producer. Counted per operation and
//! reason; the sweep's report names them (`cleanup.json`'s `untracked`, the run's last
//! lines), since the sweep cannot delete what it never knew of. Beside them, the 2xx
//! answers to a `DELETE` no link ties to a resource (`unlinked_deletes`): what those
//! deleted the ledger may still count as left behind.
//!
//! Cheap on the hot path: the run installs one table of atomic counters for the compiled
//! operations, read without a lock; only an operation outside that table (unit tests)
//! goes through a mutex.

use crate::params::OperationInfo;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

/// Why a create was not tracked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The answer is JSON but holds no value in the producer's id field.
    NoIdField,
    /// The answer is not JSON.
    NotJson,
    /// The producer's id comes from `Location`, and the answer had none.
    NoLocation,
    /// The `Location` points at another origin or does not parse.
    BadLocation,
    /// A `201 Created` to a `POST` that produces nothing the tool links.
    NotLinked,
    /// Not a create: a 2xx to a `DELETE` that no link ties to a resource, which may have
    /// deleted something the ledger still counts as left behind.
    UnlinkedDelete,
    /// Captured, but the ledger already held [`crate::chain::MAX_LIVE`] live resources.
    LedgerFull,
}

const WHYS: [Why; 7] = [
    Why::NoIdField,
    Why::NotJson,
    Why::NoLocation,
    Why::BadLocation,
    Why::NotLinked,
    Why::UnlinkedDelete,
    Why::LedgerFull,
];

impl Why {
    fn index(self) -> usize {
        WHYS.iter().position(|w| *w == self).unwrap_or(0)
    }

    /// Why, in words, for `info`.
    fn text(self, info: &OperationInfo) -> String {
        let field = info
            .produces
            .and_then(|(_, id)| id.into_field())
            .unwrap_or("id");
        match self {
            Why::NoIdField => format!("the 2xx answer had no {field:?} field to capture"),
            Why::NotJson => "the 2xx answer was not JSON, so no id was captured".to_string(),
            Why::NoLocation => "the 2xx answer had no Location header to capture".to_string(),
            Why::BadLocation => {
                "the Location answered points at another origin or does not parse".to_string()
            }
            Why::NotLinked => "answered 201 Created, but no link says which field is the new \
                 resource's id; name it with [[links.add]] (and its delete with role = \"delete\")"
                .to_string(),
            Why::UnlinkedDelete => "answered 2xx, but no link says which resource it deletes, \
                 so what it deleted may be counted as left behind; name it with [[links.add]] \
                 and role = \"delete\""
                .to_string(),
            Why::LedgerFull => format!(
                "the run already tracked {} live resources, its most: what it made past them \
                 and never deleted is not swept",
                crate::chain::MAX_LIVE
            ),
        }
    }
}

/// One operation's counters.
struct Counters {
    info: &'static OperationInfo,
    counts: [AtomicU64; WHYS.len()],
}

impl Counters {
    fn new(info: &'static OperationInfo) -> Counters {
        Counters {
            info,
            counts: Default::default(),
        }
    }
}

/// The compiled operations' counters, sorted by the operation's address.
static TABLE: OnceLock<Vec<Counters>> = OnceLock::new();
/// Counters of operations outside the table (unit tests' own operations).
static OTHERS: Mutex<Vec<Counters>> = Mutex::new(Vec::new());

fn address(info: &OperationInfo) -> usize {
    info as *const OperationInfo as usize
}

/// Starts a run: makes the table for `operations` (once per process; the compiled
/// operations never change) and zeroes every count.
pub fn reset(operations: &'static [&'static OperationInfo]) {
    let table = TABLE.get_or_init(|| {
        let mut table: Vec<Counters> = operations.iter().copied().map(Counters::new).collect();
        table.sort_by_key(|c| address(c.info));
        table
    });
    for counters in table {
        for count in &counters.counts {
            count.store(0, Relaxed);
        }
    }
    OTHERS.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

/// Counts one create of `info` that was not tracked, and why.
pub fn count(info: &'static OperationInfo, why: Why) {
    let table = TABLE.get().map(Vec::as_slice).unwrap_or_default();
    if let Ok(at) = table.binary_search_by_key(&address(info), |c| address(c.info)) {
        table[at].counts[why.index()].fetch_add(1, Relaxed);
        return;
    }
    let mut others = OTHERS.lock().unwrap_or_else(|p| p.into_inner());
    let at = match others.iter().position(|c| std::ptr::eq(c.info, info)) {
        Some(at) => at,
        None => {
            others.push(Counters::new(info));
            others.len() - 1
        }
    };
    others[at].counts[why.index()].fetch_add(1, Relaxed);
}

/// Creates not tracked by one operation, for one reason.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Untracked {
    /// `METHOD /path`, as `discover` and the reports name it.
    pub operation: String,
    pub count: u64,
    pub reason: String,
}

/// Everything counted since the last reset, in operation order: the creates not
/// tracked, and the 2xx deletes no link ties to a resource.
pub fn snapshot() -> (Vec<Untracked>, Vec<Untracked>) {
    let mut found = Vec::new();
    let mut deletes = Vec::new();
    let mut add = |counters: &Counters| {
        for (why, count) in WHYS.iter().zip(&counters.counts) {
            let count = count.load(Relaxed);
            if count > 0 {
                let list = match why {
                    Why::UnlinkedDelete => &mut deletes,
                    _ => &mut found,
                };
                list.push(Untracked {
                    operation: format!("{} {}", counters.info.method, counters.info.path),
                    count,
                    reason: why.text(counters.info),
                });
            }
        }
    };
    TABLE.get().into_iter().flatten().for_each(&mut add);
    OTHERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .for_each(add);
    found.sort_by(|a, b| a.operation.cmp(&b.operation));
    deletes.sort_by(|a, b| a.operation.cmp(&b.operation));
    (found, deletes)
}

/// `: 17 POST /catalog/products (the 2xx answer had no "id" field to capture)`, for the
/// run's cleanup line; empty when everything was tracked.
pub fn describe(untracked: &[Untracked]) -> String {
    if untracked.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = untracked
        .iter()
        .map(|u| format!("{} {} ({})", u.count, u.operation, u.reason))
        .collect();
    format!(": {}", listed.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    static CREATE: OperationInfo = OperationInfo::for_test(
        "catalog",
        "POST",
        "/catalog/products",
        Some(("sku", crate::params::IdFrom::Field("sku"))),
        None,
    );

    #[test]
    fn counts_by_operation_and_reason_and_says_why() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset(&[]);
        count(&CREATE, Why::NoIdField);
        count(&CREATE, Why::NoIdField);
        count(&CREATE, Why::NotJson);
        count(&CREATE, Why::UnlinkedDelete);
        let (found, deletes) = snapshot();
        assert_eq!(deletes.len(), 1, "{deletes:?}");
        assert!(deletes[0].reason.contains("left behind"), "{deletes:?}");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].operation, "POST /catalog/products");
        assert_eq!(found[0].count, 2);
        assert!(found[0].reason.contains("\"sku\" field"), "{found:?}");
        assert_eq!(found[1].count, 1);
        let line = describe(&found);
        assert!(
            line.starts_with(": 2 POST /catalog/products (the 2xx"),
            "{line}"
        );
        reset(&[]);
        assert_eq!(snapshot(), (Vec::new(), Vec::new()));
        assert_eq!(describe(&[]), "");
    }
}
