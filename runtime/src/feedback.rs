//! FastAPI-aware feedback at run time. A 422 from FastAPI lists what it refused in
//! `detail[]`, each with a `loc` (`["body", "description"]`, `["query", "limit"]`) and a
//! `type`. The first time an optional body property or query parameter is refused, later
//! requests of that operation leave it out; if the app then says it is `missing`, it is
//! required after all and is drawn again as before. Bounded and cheap: nothing is done
//! per request until some request was refused, no extra request is ever sent, and at
//! most [`MAX_PER_OPERATION`] fields are remembered per operation. A field the values
//! file sets is never left out.
//!
//! Not every app says which field it refused: a 400, or a 422 in the app's own shape
//! (`["ValueError", "... The datetime filter only works with ..."]`), names none. When
//! such an answer refused a request that carried optional values, the operation sends
//! half as many from then on, down to [`SPARSEST`] halvings: a list with twenty filters
//! is mostly called as real clients call it, with one or none.

use crate::params::{BodyValue, OperationInfo, RequestParts};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

/// At most this many refused fields are remembered per operation.
pub const MAX_PER_OPERATION: usize = 16;
/// At most this many halvings of how often an operation sends optional values.
pub const SPARSEST: u8 = 4;

/// One refused field of one operation.
#[derive(Clone, Debug, PartialEq)]
struct Refusal {
    /// `body` or `query`.
    location: String,
    /// The property path under the body (`["reporter", "email"]`) or the query name.
    path: Vec<String>,
    /// The app said it is missing: it must be sent.
    required: bool,
}

/// `(method, path template)` → what the app refused.
type Refused = HashMap<(&'static str, &'static str), Vec<Refusal>>;

static ANY: AtomicBool = AtomicBool::new(false);
static REFUSED: RwLock<Option<Refused>> = RwLock::new(None);
static ANY_SPARSE: AtomicBool = AtomicBool::new(false);
/// `(method, path template)` → halvings of its optional values' odds.
static SPARSE: RwLock<Option<HashMap<(&'static str, &'static str), u8>>> = RwLock::new(None);

/// Forgets what earlier runs learned.
pub fn reset() {
    ANY.store(false, Ordering::Release);
    *REFUSED.write().unwrap_or_else(|p| p.into_inner()) = None;
    ANY_SPARSE.store(false, Ordering::Release);
    *SPARSE.write().unwrap_or_else(|p| p.into_inner()) = None;
}

/// Reads a 400 or 422 answer of `info` to a request that carried `optionals` optional
/// values: FastAPI's `detail[]` fields are remembered (see [`learn`]); an answer that
/// names no body or query field makes the operation send fewer optional values.
pub fn refused(info: &'static OperationInfo, status: u16, body: &[u8], optionals: u16) {
    let named = status == 422 && learn(info, body);
    if !named && optionals > 0 {
        let mut sparse = SPARSE.write().unwrap_or_else(|p| p.into_inner());
        let level = sparse
            .get_or_insert_with(HashMap::new)
            .entry((info.method, info.path))
            .or_default();
        *level = (*level + 1).min(SPARSEST);
        ANY_SPARSE.store(true, Ordering::Release);
    }
}

/// How often `info` sends an optional value: `odds`, halved once for each refusal that
/// named no field.
pub fn optional_odds(info: &'static OperationInfo, odds: f64) -> f64 {
    if !ANY_SPARSE.load(Ordering::Acquire) {
        return odds;
    }
    let sparse = SPARSE.read().unwrap_or_else(|p| p.into_inner());
    let level = sparse
        .as_ref()
        .and_then(|s| s.get(&(info.method, info.path)))
        .copied()
        .unwrap_or(0);
    odds / f64::from(1u32 << level)
}

/// Reads a 422 answer of `info`: each body property or query parameter it refused is
/// remembered (a `missing` one as required). Whether it named any.
pub fn learn(info: &'static OperationInfo, body: &[u8]) -> bool {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let Some(details) = answer.get("detail").and_then(Value::as_array) else {
        return false;
    };
    let mut named = false;
    let mut refused = REFUSED.write().unwrap_or_else(|p| p.into_inner());
    let fields = refused
        .get_or_insert_with(HashMap::new)
        .entry((info.method, info.path))
        .or_default();
    for detail in details {
        let Some(loc) = detail.get("loc").and_then(Value::as_array) else {
            continue;
        };
        let mut parts = loc.iter().map(|p| match p {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let Some(location) = parts.next().filter(|l| l == "body" || l == "query") else {
            continue;
        };
        let path: Vec<String> = parts.collect();
        if path.is_empty() {
            continue;
        }
        named = true;
        if user_set(info, &location, &path) {
            continue; // what the values file sets is sent as set
        }
        let missing = detail.get("type").and_then(Value::as_str) == Some("missing");
        let known = fields
            .iter()
            .position(|r| r.location == location && r.path == path);
        match known {
            Some(at) => fields[at].required |= missing,
            None if fields.len() < MAX_PER_OPERATION => fields.push(Refusal {
                location,
                path,
                required: missing,
            }),
            None => {}
        }
    }
    ANY.store(true, Ordering::Release);
    named
}

/// Whether the installed values file sets this field of `info`.
fn user_set(info: &'static OperationInfo, location: &str, path: &[String]) -> bool {
    let overrides = crate::params::overrides::installed();
    !overrides.is_empty()
        && overrides.sets(&format!("{} {}", info.method, info.path), location, path)
}

/// Leaves out of `parts` the optional fields the app refused for `info`.
pub fn apply(info: &'static OperationInfo, parts: &mut RequestParts) {
    if !ANY.load(Ordering::Acquire) {
        return;
    }
    let refused = REFUSED.read().unwrap_or_else(|p| p.into_inner());
    let Some(fields) = refused
        .as_ref()
        .and_then(|r| r.get(&(info.method, info.path)))
    else {
        return;
    };
    for field in fields.iter().filter(|f| !f.required) {
        match field.location.as_str() {
            "query" => parts.query.retain(|(name, _)| *name != field.path[0]),
            _ => {
                if let BodyValue::Json(body)
                | BodyValue::Form(body)
                | BodyValue::Multipart(body, _) = &mut parts.body
                {
                    remove_at(body, &field.path);
                }
            }
        }
    }
}

/// Removes the property at `path` (array indices step into arrays), if there.
fn remove_at(value: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = value;
    for step in parents {
        at = match at {
            Value::Object(map) => match map.get_mut(step) {
                Some(next) => next,
                None => return,
            },
            Value::Array(items) => {
                match step.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(next) => next,
                    None => return,
                }
            }
            _ => return,
        };
    }
    if let Value::Object(map) = at {
        map.remove(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_refused_optional_field_is_left_out_until_the_app_says_it_is_missing() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        let info = crate::deal::tests::op("POST", "/things", Some("thing"), None);
        let parts = || {
            let mut parts = RequestParts::new(goose::goose::GooseMethod::Post, "/things");
            parts.body = BodyValue::Json(json!({"name": "a", "meta": {"note": "x y", "n": 1}}));
            parts.query.push(("dry_run", "true".to_string()));
            parts
        };
        let json = |parts: RequestParts| match parts.body {
            BodyValue::Json(body) => body,
            _ => unreachable!("a JSON body was built"),
        };
        let mut untouched = parts();
        apply(info, &mut untouched);
        assert_eq!(json(untouched), json(parts()), "nothing refused yet");

        let answer = json!({"detail": [
            {"loc": ["body", "meta", "note"], "type": "value_error", "msg": "no spaces"},
            {"loc": ["query", "dry_run"], "type": "bool_parsing", "msg": "x"},
            {"loc": ["path", "id"], "type": "uuid_parsing", "msg": "x"}
        ]});
        learn(info, answer.to_string().as_bytes());
        let mut sent = parts();
        apply(info, &mut sent);
        assert!(sent.query.is_empty());
        assert_eq!(json(sent), json!({"name": "a", "meta": {"n": 1}}));

        // Left out, the note is missing: it is required, and sent again.
        let missing = json!({"detail": [{"loc": ["body", "meta", "note"], "type": "missing"}]});
        learn(info, missing.to_string().as_bytes());
        let mut sent = parts();
        apply(info, &mut sent);
        assert_eq!(
            json(sent),
            json!({"name": "a", "meta": {"note": "x y", "n": 1}})
        );
        // Another operation is not touched, and an answer that is not FastAPI's is ignored.
        let other = crate::deal::tests::op("POST", "/others", None, None);
        learn(other, b"<html>422</html>");
        let mut sent = parts();
        apply(other, &mut sent);
        assert_eq!(sent.query.len(), 1);
        reset();
    }

    #[test]
    fn a_refusal_that_names_no_field_makes_the_operation_send_fewer_optional_values() {
        let _turn = crate::GLOBAL_STATE
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        reset();
        let list = crate::deal::tests::op("GET", "/models", None, None);
        let other = crate::deal::tests::op("GET", "/others", None, None);
        let own_shape = br#"["ValueError", "The datetime filter only works with ..."]"#;
        // A refusal of a request without optional values says nothing about them.
        refused(list, 422, own_shape, 0);
        assert_eq!(optional_odds(list, 0.5), 0.5);
        refused(list, 422, own_shape, 3);
        assert_eq!(optional_odds(list, 0.5), 0.25);
        refused(list, 400, b"{\"message\": \"bad filter\"}", 1);
        assert_eq!(optional_odds(list, 0.5), 0.125);
        // A FastAPI 422 that names its field leaves that field out instead.
        let named = json!({"detail": [{"loc": ["query", "created"], "type": "x", "msg": "x"}]});
        refused(list, 422, named.to_string().as_bytes(), 2);
        assert_eq!(optional_odds(list, 0.5), 0.125);
        for _ in 0..10 {
            refused(list, 400, b"", 1);
        }
        assert_eq!(
            optional_odds(list, 0.5),
            0.5 / 16.0,
            "at most SPARSEST halvings"
        );
        assert_eq!(
            optional_odds(other, 0.5),
            0.5,
            "other operations keep theirs"
        );
        reset();
        assert_eq!(optional_odds(list, 0.5), 0.5);
    }
}
