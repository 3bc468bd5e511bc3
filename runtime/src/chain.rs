//! Chaining: each user's bounded pool of the resources it created, drawn from by the
//! parameters that name them, and the run-wide ledger of what still exists (which
//! `cleanup` deletes at the end).

use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// How many created resources of one kind a user remembers.
pub const POOL_CAPACITY: usize = 16;
/// Live resources the ledger holds at most: past it a create is not tracked (the run's
/// cleanup line counts it), so a run whose creates outlive it keeps bounded memory.
pub const MAX_LIVE: usize = 50_000;

/// One created resource: its id, the answer that created it, and the keys its creating
/// request's path named (`work_pool_name` of a queue), which later requests about it
/// must name again (a queue is found only under its own pool).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Captured {
    pub id: Value,
    pub record: Value,
    pub context: Vec<(&'static str, Value)>,
}

/// One user's created resources, by kind, oldest first. Each is shared with the request
/// that picks it (no copy of its record per request).
#[derive(Clone, Debug, Default)]
pub struct Pool {
    by_resource: HashMap<&'static str, VecDeque<Arc<Captured>>>,
}

/// The resource itself: the pool's copy when nothing else shares it.
fn owned(shared: Arc<Captured>) -> Captured {
    Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone())
}

impl Pool {
    /// Whether the user holds no resource of this kind.
    pub fn is_empty(&self, resource: &str) -> bool {
        self.by_resource
            .get(resource)
            .is_none_or(VecDeque::is_empty)
    }

    /// How many resources of this kind the user holds.
    pub fn len(&self, resource: &str) -> usize {
        self.by_resource.get(resource).map_or(0, VecDeque::len)
    }

    /// Remembers a new resource; when the pool is full the oldest is forgotten (it stays
    /// in the ledger, so the final sweep still deletes it).
    pub fn add(&mut self, resource: &'static str, captured: Captured) {
        let queue = self.by_resource.entry(resource).or_default();
        if queue.len() >= POOL_CAPACITY {
            queue.pop_front();
        }
        queue.push_back(Arc::new(captured));
    }

    /// The resource at `index` (modulo the pool's size), if any.
    pub fn peek(&self, resource: &str, index: usize) -> Option<&Captured> {
        let queue = self.by_resource.get(resource).filter(|q| !q.is_empty())?;
        queue.get(index % queue.len()).map(|c| &**c)
    }

    /// The first resource from `index` on (modulo the pool's size) that a request to
    /// `path` can be about ([`fits`]).
    pub fn peek_fitting(&self, resource: &str, index: usize, path: &str) -> Option<&Arc<Captured>> {
        let queue = self.by_resource.get(resource).filter(|q| !q.is_empty())?;
        let start = index % queue.len();
        (0..queue.len())
            .map(|i| &queue[(start + i) % queue.len()])
            .find(|c| fits(path, c))
    }

    /// The oldest resource of this kind a request to `path` can be about, left in the
    /// pool.
    pub fn oldest_fitting(&self, resource: &str, path: &str) -> Option<&Arc<Captured>> {
        self.by_resource
            .get(resource)?
            .iter()
            .find(|c| fits(path, c))
    }

    /// Takes the oldest resource of this kind a request to `path` can be about out of
    /// the pool (for a DELETE).
    pub fn take_oldest_fitting(&mut self, resource: &str, path: &str) -> Option<Captured> {
        let queue = self.by_resource.get_mut(resource)?;
        let at = queue.iter().position(|c| fits(path, c))?;
        queue.remove(at).map(owned)
    }

    /// Whether the user holds a resource of this kind a request to `path` can be about.
    pub fn has_fitting(&self, resource: &str, path: &str) -> bool {
        self.oldest_fitting(resource, path).is_some()
    }

    /// The newest resource of this kind, left in the pool.
    pub fn newest(&self, resource: &str) -> Option<&Captured> {
        self.by_resource.get(resource)?.back().map(|c| &**c)
    }

    /// The oldest resource of this kind, left in the pool.
    pub fn peek_oldest(&self, resource: &str) -> Option<&Captured> {
        self.by_resource.get(resource)?.front().map(|c| &**c)
    }

    /// Takes the oldest resource of this kind out of the pool (for a DELETE).
    pub fn take_oldest(&mut self, resource: &str) -> Option<Captured> {
        self.by_resource.get_mut(resource)?.pop_front().map(owned)
    }

    /// Forgets every resource whose creating path named one of the keys of `parent` (the
    /// documents uploaded under a deleted session, the queues of a deleted pool): they
    /// are reached only through it. A resource whose answer merely names the parent in a
    /// field (a ticket's `contact_id`) is kept: an app may keep it, and if it did not,
    /// the first 404 about it forgets it ([`Pool::forget`]).
    pub fn forget_children(&mut self, parent: &Captured) {
        let keys = keys_of(parent);
        for queue in self.by_resource.values_mut() {
            queue.retain(|c| !c.context.iter().any(|(_, value)| keys.contains(value)));
        }
    }

    /// Forgets one resource (the gateway answered 404 about it).
    pub fn forget(&mut self, resource: &str, id: &Value) {
        if let Some(queue) = self.by_resource.get_mut(resource) {
            queue.retain(|c| c.id != *id);
        }
    }

    /// Everything the user still holds, newest first (children before parents).
    pub fn drain_newest_first(&mut self) -> Vec<(&'static str, Captured)> {
        let mut all: Vec<(&'static str, Captured)> = Vec::new();
        for (resource, queue) in self.by_resource.iter_mut() {
            all.extend(queue.drain(..).map(|c| (*resource, owned(c))));
        }
        all.reverse();
        all
    }
}

/// The index entries of a created resource: each key its creating path named.
fn references(captured: &Captured) -> Vec<Scalar> {
    captured
        .context
        .iter()
        .filter_map(|(_, value)| Scalar::of(value))
        .collect()
}

/// What exists on the gateway because this run created it.
#[derive(Debug, Default)]
pub struct Ledger {
    live: HashMap<(String, String), Value>,
    /// For each key a live resource's creating path named (see [`references`]), the
    /// resources made under it: a delete finds what was made under the deleted resource
    /// without comparing it with every live resource (a scan that took 17% of the
    /// generator's CPU at 1,000 users, whose ledger holds thousands).
    referrers: HashMap<Scalar, HashSet<(String, String)>>,
    /// Each live resource as captured: its id as its answer gave it (a number stays a
    /// number), and the keys its path named.
    ids: HashMap<(String, String), Captured>,
    /// Resources made under a parent the run deleted: the app may have deleted them with
    /// it, or kept them. The final sweep asks which (`take_orphans`).
    orphans: HashMap<(String, String), Captured>,
}

/// A string or number field value, as the `referrers` index keys it. Two values get the
/// same key exactly when they are equal as JSON values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Scalar {
    Str(String),
    Num(String),
}

impl Scalar {
    fn of(value: &Value) -> Option<Scalar> {
        match value {
            Value::String(s) => Some(Scalar::Str(s.clone())),
            // serde_json's Display tells 1 from 1.0 as its equality does; only the float
            // zeros are equal with different texts.
            Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => {
                Some(Scalar::Num("0.0".to_string()))
            }
            Value::Number(n) => Some(Scalar::Num(n.to_string())),
            _ => None,
        }
    }
}

impl Ledger {
    fn insert_captured(&mut self, resource: &str, captured: &Captured) {
        let key = key(resource, &captured.id);
        self.remove(&key);
        self.orphans.remove(&key);
        for entry in references(captured) {
            self.referrers.entry(entry).or_default().insert(key.clone());
        }
        self.live.insert(key.clone(), captured.record.clone());
        self.ids.insert(key, captured.clone());
    }

    fn remove(&mut self, key: &(String, String)) {
        self.live.remove(key);
        let Some(captured) = self.ids.remove(key) else {
            return;
        };
        for entry in references(&captured) {
            if let Some(keys) = self.referrers.get_mut(&entry) {
                keys.remove(key);
                if keys.is_empty() {
                    self.referrers.remove(&entry);
                }
            }
        }
    }

    /// Removes a deleted resource; what was made under it becomes an orphan.
    fn delete(&mut self, resource: &str, deleted: &Captured) {
        let own = key(resource, &deleted.id);
        self.remove(&own);
        self.orphans.remove(&own);
        for parent_key in keys_of(deleted) {
            for child in self.nested_under(&parent_key) {
                if let Some(captured) = self.ids.get(&child).cloned() {
                    self.remove(&child);
                    self.orphans.insert(child, captured);
                }
            }
        }
    }

    /// The live resources whose creating path named `id` (the documents created under
    /// `/session/{session_id}/upload`): they are reached only through their parent, so
    /// they go with it. A resource whose answer merely names the parent in a field (a
    /// ticket's `contact_id`) is not among them: an app may keep it when the parent goes.
    fn nested_under(&self, id: &Value) -> Vec<(String, String)> {
        match Scalar::of(id) {
            Some(scalar) => self
                .referrers
                .get(&scalar)
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            // Objects, arrays, booleans: no index, compare with every live path.
            None => self
                .ids
                .iter()
                .filter(|(_, c)| c.context.iter().any(|(_, value)| value == id))
                .map(|(key, _)| key.clone())
                .collect(),
        }
    }
}

/// The run-wide ledger.
pub static LEDGER: Mutex<Option<Ledger>> = Mutex::new(None);

/// `(resource, id)` as a ledger key.
fn key(resource: &str, id: &Value) -> (String, String) {
    let id = match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (resource.to_string(), id)
}

/// Records a created resource.
/// `false` when the ledger already holds [`MAX_LIVE`] live resources and this is not
/// one of them: it is not tracked.
pub fn record_created(resource: &str, captured: &Captured) -> bool {
    let Ok(mut guard) = LEDGER.lock() else {
        return false;
    };
    let ledger = guard.get_or_insert_with(Ledger::default);
    if ledger.ids.len() >= MAX_LIVE && !ledger.ids.contains_key(&key(resource, &captured.id)) {
        return false;
    }
    ledger.insert_captured(resource, captured);
    true
}

/// Records a deleted resource. Every resource whose creating path named one of its keys
/// (its id, name, key or slug) becomes an orphan: the app may have deleted it with its
/// parent or kept it, which the final sweep asks. Resources whose answer only names it
/// in a field stay live: the sweep deletes them, and a 404 there says they are gone.
pub fn record_deleted(resource: &str, deleted: &Captured) {
    if let Ok(mut guard) = LEDGER.lock() {
        if let Some(ledger) = guard.as_mut() {
            ledger.delete(resource, deleted);
        }
    }
}

/// Takes the orphans out of the ledger, sorted by resource and id: the sweep puts back
/// (`record_created`) those it finds the app kept.
pub fn take_orphans() -> Vec<(String, Captured)> {
    let Ok(mut guard) = LEDGER.lock() else {
        return Vec::new();
    };
    let Some(ledger) = guard.as_mut() else {
        return Vec::new();
    };
    let mut all: Vec<((String, String), Captured)> = ledger.orphans.drain().collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.into_iter()
        .map(|((resource, _), c)| (resource, c))
        .collect()
}

/// Whether a request to `path` can be about `captured`: the parents its path names
/// (every path parameter but the last) include one its creating request named, when
/// both name any. A note made under `/experiments/{exp_id}/note` is not reached through
/// `/runs/{run_id}/note/{_id}`: sent there it only measures a 404 (and a delete's 404
/// would pass for gone while the note stays).
pub fn fits(path: &str, captured: &Captured) -> bool {
    if captured.context.is_empty() {
        return true;
    }
    // The parents: every `{param}` before the last one (no allocation: this runs for
    // each pick of a resource made under another).
    let Some(last) = path.rfind('{') else {
        return true;
    };
    let mut parents = path[..last]
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .peekable();
    if parents.peek().is_none() {
        return true;
    }
    parents.any(|parent| captured.context.iter().any(|(name, _)| *name == parent))
}

/// The keys a resource is named by: its id, and its answer's `name`, `key` and `slug`.
pub fn keys_of(captured: &Captured) -> Vec<Value> {
    let mut keys = vec![captured.id.clone()];
    for field in ["name", "key", "slug"] {
        if let Some(value) = captured.record.get(field).filter(|v| v.is_string()) {
            if !keys.contains(value) {
                keys.push(value.clone());
            }
        }
    }
    keys
}

/// Whether the ledger still holds this resource.
pub fn is_live(resource: &str, id: &Value) -> bool {
    LEDGER.lock().ok().is_some_and(|guard| {
        guard
            .as_ref()
            .is_some_and(|l| l.live.contains_key(&key(resource, id)))
    })
}

/// Every resource still live: `(resource, id)` pairs, sorted.
pub fn live() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = LEDGER
        .lock()
        .ok()
        .and_then(|guard| guard.as_ref().map(|l| l.live.keys().cloned().collect()))
        .unwrap_or_default();
    all.sort();
    all
}

/// Every resource still live, with its id and answer, sorted by resource and id: what
/// the final sweep deletes (a resource keyed by name needs its answer's `name`).
pub fn live_captured() -> Vec<(String, Captured)> {
    let Ok(guard) = LEDGER.lock() else {
        return Vec::new();
    };
    let Some(ledger) = guard.as_ref() else {
        return Vec::new();
    };
    let mut all: Vec<((String, String), Captured)> = ledger
        .live
        .iter()
        .map(|(key, record)| {
            let captured = ledger.ids.get(key).cloned().unwrap_or_else(|| Captured {
                id: Value::String(key.1.clone()),
                record: record.clone(),
                context: Vec::new(),
            });
            (key.clone(), captured)
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.into_iter()
        .map(|((resource, _), c)| (resource, c))
        .collect()
}

/// Empties the ledger (a new run starts from nothing).
pub fn reset() {
    if let Ok(mut guard) = LEDGER.lock() {
        *guard = None;
    }
}

/// The id a `Location` header names: the last segment of its path, when it points at
/// the gateway's origin (`origin` like `http://127.0.0.1:8000`) or is relative. Another
/// host's URL is refused, with why, so nothing is ever sent there.
pub fn capture_location(location: &str, origin: &str) -> Result<Captured, String> {
    let base = url::Url::parse(&format!("{}/", origin.trim_end_matches('/')))
        .map_err(|e| format!("the gateway's origin does not parse ({e})"))?;
    let url = base
        .join(location)
        .map_err(|e| format!("Location {location:?} does not parse ({e})"))?;
    if url.origin() != base.origin() {
        return Err(format!(
            "Location points at another origin ({}); ignored, requests go only to the gateway",
            url.origin().ascii_serialization()
        ));
    }
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .ok_or_else(|| format!("Location {location:?} names no id"))?;
    let id = percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned();
    Ok(Captured {
        id: Value::String(id),
        record: Value::Null,
        context: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_location_gives_its_last_segment_only_on_the_gateways_origin() {
        let origin = "http://127.0.0.1:8000";
        let id = |location| capture_location(location, origin).map(|c| c.id);
        assert_eq!(id("/api/items/42"), Ok(json!("42")));
        assert_eq!(id("http://127.0.0.1:8000/items/a%20b/"), Ok(json!("a b")));
        assert_eq!(id("items/7?x=1"), Ok(json!("7")));
        let err = id("http://evil.example/items/1").unwrap_err();
        assert!(
            err.contains("another origin") && err.contains("evil.example"),
            "{err}"
        );
        assert!(id("http://127.0.0.1:9000/items/1").is_err());
        assert!(id("/").is_err());
    }

    #[test]
    fn the_pool_is_bounded_and_takes_the_oldest() {
        let mut pool = Pool::default();
        for i in 0..(POOL_CAPACITY + 2) {
            pool.add(
                "ticket",
                Captured {
                    id: json!(i),
                    record: json!({"id": i}),
                    context: Vec::new(),
                },
            );
        }
        assert_eq!(pool.take_oldest("ticket").unwrap().id, json!(2));
        assert!(pool.peek("ticket", 0).is_some());
        assert!(pool.is_empty("session"));
    }

    #[test]
    fn a_request_is_about_only_what_was_made_under_a_parent_its_path_names() {
        let note = |id: u64, parent: &'static str| Captured {
            id: json!(id),
            record: json!({"id": id}),
            context: vec![(parent, json!("p"))],
        };
        let (on_run, on_experiment) = (
            "/runs/{run_id}/note/{_id}",
            "/experiments/{exp_id}/note/{_id}",
        );
        assert!(fits(on_run, &note(1, "run_id")));
        assert!(!fits(on_run, &note(1, "exp_id")));
        // Made with no parent, or reached with none named: nothing to tell them apart.
        assert!(fits(
            on_run,
            &Captured {
                id: json!(1),
                ..Default::default()
            }
        ));
        assert!(fits("/notes/{_id}", &note(1, "exp_id")));
        let mut pool = Pool::default();
        pool.add("note", note(1, "exp_id"));
        pool.add("note", note(2, "run_id"));
        pool.add("note", note(3, "exp_id"));
        for index in 0..4 {
            assert_eq!(
                pool.peek_fitting("note", index, on_run).unwrap().id,
                json!(2)
            );
        }
        assert_eq!(
            pool.oldest_fitting("note", on_experiment).unwrap().id,
            json!(1)
        );
        assert_eq!(
            pool.take_oldest_fitting("note", on_run).unwrap().id,
            json!(2)
        );
        assert!(!pool.has_fitting("note", on_run));
        assert!(pool.has_fitting("note", on_experiment));
        assert_eq!(pool.len("note"), 2);
    }

    #[test]
    fn deleting_a_parent_forgets_its_children() {
        let mut pool = Pool::default();
        pool.add(
            "session",
            Captured {
                id: json!("s1"),
                record: json!({"session_id": "s1"}),
                context: Vec::new(),
            },
        );
        for (doc, session) in [("d1", "s1"), ("d2", "s2")] {
            pool.add(
                "doc",
                Captured {
                    id: json!(doc),
                    record: json!({"doc_id": doc, "session_id": session}),
                    context: vec![("session_id", json!(session))],
                },
            );
        }
        // A ticket whose answer names the session in a field stays.
        pool.add(
            "ticket",
            Captured {
                id: json!("t1"),
                record: json!({"id": "t1", "session_id": "s1"}),
                context: Vec::new(),
            },
        );
        let session = pool.take_oldest("session").unwrap();
        pool.forget_children(&session);
        assert_eq!(pool.peek("doc", 0).map(|c| &c.id), Some(&json!("d2")));
        assert_eq!(pool.peek("doc", 1).map(|c| &c.id), Some(&json!("d2")));
        assert_eq!(pool.peek("ticket", 0).map(|c| &c.id), Some(&json!("t1")));
        pool.forget("ticket", &json!("t1"));
        assert!(pool.is_empty("ticket"));
    }

    #[test]
    fn the_ledger_stops_tracking_at_its_cap_and_takes_more_once_some_are_deleted() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        let item = |n: usize| Captured {
            id: json!(n),
            record: json!({"id": n}),
            context: Vec::new(),
        };
        for n in 0..MAX_LIVE {
            assert!(record_created("item", &item(n)));
        }
        assert!(!record_created("item", &item(MAX_LIVE)), "past the cap");
        assert!(
            record_created("item", &item(7)),
            "one already tracked is updated"
        );
        assert_eq!(live().len(), MAX_LIVE);
        record_deleted("item", &item(0));
        assert!(record_created("item", &item(MAX_LIVE)));
        reset();
    }

    #[test]
    fn a_child_named_under_its_parents_key_goes_with_the_parent() {
        let pool_record = Captured {
            id: json!("7d1c"),
            record: json!({"id": "7d1c", "name": "pool-a"}),
            context: Vec::new(),
        };
        let queue = |name: &str, parent: &str| Captured {
            id: json!(name),
            record: json!({"id": name, "name": name}),
            context: vec![("work_pool_name", json!(parent))],
        };
        let mut pool = Pool::default();
        pool.add("queue", queue("q1", "pool-a"));
        pool.add("queue", queue("q2", "pool-b"));
        pool.forget_children(&pool_record);
        assert_eq!(pool.peek("queue", 0).map(|c| &c.id), Some(&json!("q2")));

        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        record_created("workpool", &pool_record);
        record_created("queue", &queue("q1", "pool-a"));
        record_created("queue", &queue("q2", "pool-b"));
        record_deleted("workpool", &pool_record);
        assert_eq!(live(), vec![("queue".to_string(), "q2".to_string())]);
        let swept = live_captured();
        assert_eq!(
            swept[0].1.context,
            vec![("work_pool_name", json!("pool-b"))]
        );
        reset();
    }

    /// What `record_deleted` does, on a ledger of its own.
    fn delete(ledger: &mut Ledger, resource: &str, id: Value) {
        let deleted = ledger
            .ids
            .get(&key(resource, &id))
            .cloned()
            .unwrap_or(Captured {
                id,
                record: Value::Null,
                context: Vec::new(),
            });
        ledger.delete(resource, &deleted);
    }

    fn made(id: Value, record: Value, context: Vec<(&'static str, Value)>) -> Captured {
        Captured {
            id,
            record,
            context,
        }
    }

    fn live_names(ledger: &Ledger) -> Vec<String> {
        let mut live: Vec<_> = ledger
            .live
            .keys()
            .map(|(r, id)| format!("{r} {id}"))
            .collect();
        live.sort();
        live
    }

    #[test]
    fn deleting_a_parent_deletes_what_was_made_under_it_and_nothing_else() {
        let mut ledger = Ledger::default();
        for s in ["s1", "s2"] {
            ledger.insert_captured("session", &made(json!(s), json!({"session_id": s}), vec![]));
        }
        for (doc, session) in [("d1", "s1"), ("d2", "s1"), ("d3", "s2")] {
            let record = json!({"doc_id": doc, "session_id": session, "size": 1024});
            let context = vec![("session_id", json!(session))];
            ledger.insert_captured("doc", &made(json!(doc), record, context));
        }
        // A ticket whose answer names a contact is not made under it: the app may keep
        // it when the contact goes (the demo's `contact_id` is a free reference).
        ledger.insert_captured("contact", &made(json!("c1"), json!({"id": "c1"}), vec![]));
        let ticket = json!({"id": "t1", "contact_id": "c1"});
        ledger.insert_captured("ticket", &made(json!("t1"), ticket, vec![]));
        // Numbers match as JSON values do: 7 is not 7.0, and 0.0 is -0.0.
        ledger.insert_captured(
            "run",
            &made(json!(7), json!({"id": 7}), vec![("flow_id", json!(7.0))]),
        );
        ledger.insert_captured(
            "run",
            &made(json!(8), json!({"id": 8}), vec![("flow_id", json!(0.0))]),
        );
        delete(&mut ledger, "session", json!("s1"));
        delete(&mut ledger, "contact", json!("c1"));
        assert_eq!(
            live_names(&ledger),
            ["doc d3", "run 7", "run 8", "session s2", "ticket t1"]
        );
        delete(&mut ledger, "flow", json!(7));
        assert!(ledger.live.contains_key(&key("run", &json!(7))));
        delete(&mut ledger, "flow", json!(-0.0));
        assert!(!ledger.live.contains_key(&key("run", &json!(8))));
        // Once everything is gone, so is every index entry.
        for (resource, id) in [("session", "s2"), ("ticket", "t1")] {
            delete(&mut ledger, resource, json!(id));
        }
        delete(&mut ledger, "run", json!(7));
        assert!(ledger.live.is_empty(), "{:?}", live_names(&ledger));
        assert!(ledger.referrers.is_empty(), "{:?}", ledger.referrers);
    }

    #[test]
    fn an_object_key_is_compared_with_every_path() {
        let mut ledger = Ledger::default();
        let id = json!({"tenant": 1, "n": 2});
        ledger.insert_captured(
            "thing",
            &made(id.clone(), json!({"key": id.clone()}), vec![]),
        );
        let child = made(json!("c"), json!({}), vec![("thing", id.clone())]);
        ledger.insert_captured("child", &child);
        let other = made(json!("d"), json!({"parent": id.clone()}), vec![]);
        ledger.insert_captured("other", &other);
        delete(&mut ledger, "thing", id);
        assert_eq!(live_names(&ledger), ["other d"]);
    }
}
