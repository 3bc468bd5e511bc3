//! What the run has learned exists on the gateway: the records its 2xx JSON answers
//! showed (lists, gets, filters, creates, RPC reads), by resource, read through the
//! common envelopes (`{"data": ...}`, `{"items": [...]}`, `{"results": [...]}`).
//! Parameters that name a resource draw from here when the user holds none of its own,
//! so the first request for `/work_pools/{name}` names a pool that exists. Read-only and
//! shared by every user: nothing here is ever deleted by the run.

use crate::chain::Captured;
use rand::rngs::SmallRng;
use rand::RngExt;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// How many records of one resource are remembered (the newest).
pub const PER_RESOURCE: usize = 32;
/// How many resources are remembered at most (a huge API cannot grow this without end).
pub const MAX_RESOURCES: usize = 512;
/// Once a resource's records are all known, one answer in this many is read.
pub const SAMPLE_EVERY: u64 = 16;
/// Records read from one answer at most.
const PER_ANSWER: usize = 8;

/// Envelope keys that wrap an answer's record or records.
const ENVELOPES: [&str; 6] = ["data", "items", "results", "result", "item", "records"];

static KNOWN: Mutex<Option<Known>> = Mutex::new(None);

#[derive(Default)]
struct Known {
    by_resource: HashMap<String, VecDeque<Captured>>,
    /// When each record was first learned, by resource and id: a count of answers
    /// learned from (`moment`).
    learned_at: HashMap<(String, String), u64>,
}

/// Counts the answers learned from: a moment in the run's learning.
static MOMENT: AtomicU64 = AtomicU64::new(0);

/// The present moment of the run's learning: a create that reads it before it is sent
/// can tell a record learned since (another user listed what it just made) from one
/// that existed before ([`existed_before`]).
pub fn moment() -> u64 {
    MOMENT.load(Ordering::SeqCst)
}

/// The records an answer holds: itself when it is an object with an id-like field, the
/// elements of an array, or what an envelope wraps (one level deep).
pub fn records(answer: &Value) -> Vec<&Value> {
    match answer {
        Value::Array(items) => items
            .iter()
            .filter(|v| v.is_object())
            .take(PER_ANSWER)
            .collect(),
        Value::Object(fields) => {
            for key in ENVELOPES {
                match fields.get(key) {
                    Some(Value::Array(items)) => {
                        return items
                            .iter()
                            .filter(|v| v.is_object())
                            .take(PER_ANSWER)
                            .collect()
                    }
                    Some(inner @ Value::Object(_)) if identity(inner).is_some() => {
                        return vec![inner]
                    }
                    _ => {}
                }
            }
            match identity(answer) {
                Some(_) => vec![answer],
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The field that identifies a record: `id`, else `name`, `key` or `slug`.
pub fn identity(record: &Value) -> Option<&Value> {
    ["id", "name", "key", "slug", "uuid"]
        .into_iter()
        .find_map(|k| record.get(k).filter(|v| v.is_string() || v.is_number()))
}

/// The first record of a creating answer and its `id_field`, read through an envelope
/// (`{"data": {"id": ...}}`).
pub fn created(answer: &Value, id_field: &str) -> Option<Captured> {
    let direct = answer.get(id_field).filter(|v| !v.is_null());
    let (record, id) = match direct {
        Some(id) => (answer, id),
        None => records(answer)
            .into_iter()
            .find_map(|r| Some((r, r.get(id_field).filter(|v| !v.is_null())?)))?,
    };
    Some(Captured {
        id: id.clone(),
        record: record.clone(),
        context: Vec::new(),
    })
}

/// The value a parameter named `param` takes from a record of its resource: the field
/// its name says (`work_pool_name` → `name`, `{key}` → `key`), else the record's id.
/// `None` when the record lacks a field the name asks for (a `name` of a record that
/// has none would be made up).
pub fn key_for(param: &str, captured: &Captured) -> Option<Value> {
    let lower = param.to_ascii_lowercase();
    let either = ["id_or_name", "name_or_id", "identifier"];
    let wants = if either.iter().any(|e| lower.ends_with(e)) {
        None
    } else if lower == "name" || lower.ends_with("_name") || param.ends_with("Name") {
        Some("name")
    } else if lower == "key" || lower.ends_with("_key") || param.ends_with("Key") {
        Some("key")
    } else if lower == "slug" || lower.ends_with("_slug") {
        Some("slug")
    } else {
        None
    };
    match wants {
        Some(field) => captured.record.get(field).filter(|v| !v.is_null()).cloned(),
        // An `_id` takes the record's own `id` where the resource is keyed by something
        // else (Chroma's collections are deleted by name, read by UUID).
        None if lower == "id" || lower.ends_with("_id") || param.ends_with("Id") => captured
            .record
            .get("id")
            .filter(|v| v.is_string() || v.is_number())
            .cloned()
            .or_else(|| Some(captured.id.clone())),
        None => Some(captured.id.clone()),
    }
}

/// The records of `resource` an answer holds: the elements of a list field named after
/// it (`{"id": "e1", "runs": [...]}` of `/experiments/{id}/runs` holds runs, not the
/// experiment it names), else what [`records`] finds.
pub fn records_of<'a>(resource: &str, answer: &'a Value) -> Vec<&'a Value> {
    if let Value::Object(fields) = answer {
        let named = fields.iter().find_map(|(key, value)| match value {
            Value::Array(items)
                if crate::spec::links::resource_key(key).as_deref() == Some(resource) =>
            {
                Some(items)
            }
            _ => None,
        });
        if let Some(items) = named {
            return items
                .iter()
                .filter(|v| v.is_object())
                .take(PER_ANSWER)
                .collect();
        }
    }
    records(answer)
}

/// The field that identifies a record of `resource`: its `id`, else its own
/// `<resource>_id` (`run_id` of a run, `runId`: a run's `name` is only a label), else
/// what [`identity`] finds.
pub fn identity_of<'a>(resource: &str, record: &'a Value) -> Option<&'a Value> {
    let Value::Object(fields) = record else {
        return None;
    };
    let usable = |v: &&Value| v.is_string() || v.is_number();
    if let Some(id) = fields.get("id").filter(usable) {
        return Some(id);
    }
    let own = fields.iter().find_map(|(key, value)| {
        let stem = key.strip_suffix("_id").or_else(|| key.strip_suffix("Id"))?;
        (usable(&value) && crate::spec::links::resource_key(stem).as_deref() == Some(resource))
            .then_some(value)
    });
    own.or_else(|| identity(record))
}

/// Learns the records of a 2xx JSON answer of an operation whose answers describe
/// `resource`; whether the answer showed any.
pub fn learn(resource: &str, answer: &Value) -> bool {
    let found = records_of(resource, answer);
    if found.is_empty() {
        return false;
    }
    let Ok(mut guard) = KNOWN.lock() else {
        return true;
    };
    let known = guard.get_or_insert_with(Known::default);
    if !known.by_resource.contains_key(resource) && known.by_resource.len() >= MAX_RESOURCES {
        return true;
    }
    let at = MOMENT.fetch_add(1, Ordering::SeqCst);
    let queue = known.by_resource.entry(resource.to_string()).or_default();
    for record in found {
        let Some(id) = identity_of(resource, record) else {
            continue;
        };
        if known.learned_at.len() < MAX_RESOURCES * PER_RESOURCE * 4 {
            known
                .learned_at
                .entry((resource.to_string(), id.to_string()))
                .or_insert(at);
        }
        if queue.iter().any(|c| &c.id == id) {
            continue;
        }
        if queue.len() >= PER_RESOURCE {
            queue.pop_front();
        }
        queue.push_back(Captured {
            id: id.clone(),
            record: record.clone(),
            context: Vec::new(),
        });
    }
    true
}

/// Whether an answer about `resource` is worth reading: always while fewer than
/// [`PER_RESOURCE`] of its records are known, then one answer in [`SAMPLE_EVERY`] (to
/// follow what changes without parsing every answer).
pub fn wants(resource: &str) -> bool {
    static SEEN: AtomicU64 = AtomicU64::new(0);
    let full = KNOWN.lock().ok().is_some_and(|guard| {
        guard
            .as_ref()
            .and_then(|k| k.by_resource.get(resource))
            .is_some_and(|q| q.len() >= PER_RESOURCE)
    });
    !full || SEEN.fetch_add(1, Ordering::Relaxed) % SAMPLE_EVERY == 0
}

/// Whether some record of `resource` is known.
pub fn has(resource: &str) -> bool {
    KNOWN.lock().ok().is_some_and(|guard| {
        guard
            .as_ref()
            .and_then(|k| k.by_resource.get(resource))
            .is_some_and(|q| !q.is_empty())
    })
}

/// Whether the record of `resource` with this id was seen in an answer learned before
/// `moment` (read just before a create was sent): what a "create" answers with such an
/// id existed before it (`POST /groups/{id}/users/add` answers the users it added), so
/// it is not the user's to change or delete. One first seen later is the create's own,
/// though another user's list showed it before its answer came.
pub fn existed_before(resource: &str, id: &Value, moment: u64) -> bool {
    KNOWN.lock().ok().is_some_and(|guard| {
        guard.as_ref().is_some_and(|k| {
            k.learned_at
                .get(&(resource.to_string(), id.to_string()))
                .is_some_and(|at| *at < moment)
        })
    })
}

/// A known record of `resource`, drawn with `rng`.
pub fn pick(resource: &str, rng: &mut SmallRng) -> Option<Captured> {
    let guard = KNOWN.lock().ok()?;
    let queue = guard.as_ref()?.by_resource.get(resource)?;
    if queue.is_empty() {
        return None;
    }
    queue.get(rng.random_range(0..queue.len())).cloned()
}

/// Forgets a record that was deleted (by the run, so nobody draws it again).
pub fn forget(resource: &str, id: &Value) {
    if let Ok(mut guard) = KNOWN.lock() {
        if let Some(known) = guard.as_mut() {
            known
                .learned_at
                .remove(&(resource.to_string(), id.to_string()));
            if let Some(queue) = known.by_resource.get_mut(resource) {
                queue.retain(|c| &c.id != id && c.record.get("name") != Some(id));
            }
        }
    }
}

/// How many records of how many resources are known: `(records, resources)`.
pub fn size() -> (usize, usize) {
    KNOWN.lock().ok().map_or((0, 0), |guard| {
        guard.as_ref().map_or((0, 0), |k| {
            (
                k.by_resource.values().map(VecDeque::len).sum(),
                k.by_resource.len(),
            )
        })
    })
}

/// Forgets everything (a new run starts from nothing).
pub fn reset() {
    if let Ok(mut guard) = KNOWN.lock() {
        *guard = None;
    }
}

/// The resource an operation's answers describe, worked out once per path.
pub fn answer_resource(path: &'static str) -> Option<&'static str> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<&'static str>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock().ok()?;
    *guard.entry(path).or_insert_with(|| {
        crate::spec::links::answer_resource(path).map(|r| &*Box::leak(r.into_boxed_str()))
    })
}

/// The resource a path's last parameter names (`/work_pools/{name}` → `workpool`),
/// worked out once per path: what a PUT, PATCH or DELETE of it changes.
pub fn target_resource(path: &'static str) -> Option<&'static str> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<&'static str>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock().ok()?;
    *guard.entry(path).or_insert_with(|| {
        let (before, rest) = path.rsplit_once('{')?;
        let name = rest.split_once('}')?.0;
        let previous = before
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty() && !s.contains('}'));
        let resource = crate::spec::links::resource_of(name, previous)?;
        Some(&*Box::leak(resource.into_boxed_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_are_read_through_envelopes_and_lists() {
        let list = json!([{"id": 1}, {"id": 2}, "x"]);
        assert_eq!(records(&list).len(), 2);
        let wrapped = json!({"data": {"id": "UHJvamVjdDox", "name": "default"}});
        assert_eq!(records(&wrapped), vec![&wrapped["data"]]);
        let paged = json!({"items": [{"name": "a"}], "total": 1});
        assert_eq!(records(&paged)[0]["name"], "a");
        let rpc = json!({"results": [{"name": "API_KEY"}]});
        assert_eq!(records(&rpc)[0]["name"], "API_KEY");
        let plain = json!({"id": 5, "title": "t"});
        assert_eq!(records(&plain), vec![&plain]);
        // A status answer identifies nothing.
        assert!(records(&json!({"status": "ok"})).is_empty());
        // A list named after the resource is read, not the record that holds it.
        let runs = json!({"id": "e1", "runs": [{"run_id": "r1"}, {"run_id": "r2"}]});
        let found = records_of("run", &runs);
        assert_eq!(found.len(), 2);
        assert_eq!(identity_of("run", found[0]), Some(&json!("r1")));
        assert_eq!(records_of("experiment", &runs), vec![&runs]);
        assert_eq!(identity_of("run", &json!({"runId": 7})), Some(&json!(7)));
        assert_eq!(identity_of("run", &json!({"experiment_id": "e1"})), None);
        let labelled = json!({"run_id": "r1", "name": "Run: r1"});
        assert_eq!(identity_of("run", &labelled), Some(&json!("r1")));
        assert!(records(&json!(3)).is_empty());
    }

    #[test]
    fn a_create_is_captured_through_its_envelope() {
        let answer = json!({"data": {"id": "UHJvamVjdDoy", "name": "p"}});
        let captured = created(&answer, "id").expect("captured");
        assert_eq!(captured.id, json!("UHJvamVjdDoy"));
        assert_eq!(captured.record["name"], "p");
        assert_eq!(created(&json!({"id": 3}), "id").unwrap().id, json!(3));
        assert!(created(&json!({"other": 3}), "id").is_none());
    }

    #[test]
    fn a_parameter_takes_the_key_its_name_asks_for() {
        let pool = Captured {
            id: json!("7d1c"),
            record: json!({"id": "7d1c", "name": "pool-a"}),
            context: Vec::new(),
        };
        assert_eq!(key_for("work_pool_name", &pool), Some(json!("pool-a")));
        assert_eq!(key_for("name", &pool), Some(json!("pool-a")));
        assert_eq!(key_for("work_pool_id", &pool), Some(json!("7d1c")));
        assert_eq!(key_for("id_or_name", &pool), Some(json!("7d1c")));
        assert_eq!(key_for("key", &pool), None);
        // Keyed by its name (deleted by name), read by its id.
        let collection = Captured {
            id: json!("docs-a1b2c3"),
            record: json!({"id": "0b6f2c1e-uuid", "name": "docs-a1b2c3"}),
            context: Vec::new(),
        };
        assert_eq!(
            key_for("collection_id", &collection),
            Some(json!("0b6f2c1e-uuid"))
        );
        assert_eq!(
            key_for("collection_name", &collection),
            Some(json!("docs-a1b2c3"))
        );
        let no_id = Captured {
            record: json!({"sku": "A-1"}),
            ..collection
        };
        assert_eq!(key_for("product_id", &no_id), Some(json!("docs-a1b2c3")));
    }

    #[test]
    fn learning_is_bounded_and_deduplicated_and_forgets_deleted_records() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        let many: Vec<Value> = (0..100).map(|i| json!({"id": i})).collect();
        for chunk in many.chunks(8) {
            learn("thing", &Value::Array(chunk.to_vec()));
        }
        learn("thing", &json!([{"id": 99}]));
        // What an answer showed existed; a create answering it made nothing new.
        let now = moment();
        let existed = |id: i64| existed_before("thing", &json!(id), now);
        assert!(existed(99) && !existed(100));
        assert!(!existed_before("other", &json!(99), now));
        // A record another user's list showed after the create was sent is the create's.
        let sent = moment();
        learn("thing", &json!([{"id": 100}]));
        assert!(!existed_before("thing", &json!(100), sent));
        assert!(existed_before("thing", &json!(100), moment()));
        let (records, resources) = size();
        assert_eq!((records, resources), (PER_RESOURCE, 1));
        let mut rng = crate::rng::from_seed(1);
        for _ in 0..20 {
            let id = pick("thing", &mut rng).unwrap().id.as_i64().unwrap();
            assert!(
                id >= 100 - PER_RESOURCE as i64,
                "{id} should have been forgotten"
            );
        }
        for i in 0..=100 {
            forget("thing", &json!(i));
        }
        assert!(pick("thing", &mut rng).is_none());
        assert!(!existed_before("thing", &json!(99), moment()));
        reset();
    }
}
