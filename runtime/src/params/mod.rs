//! Request values for the generated transactions: each user's generator, typed draws
//! from compiled shapes, and how values become path segments, query pairs, headers,
//! cookies, forms and in-memory multipart uploads.

mod check;
mod draw;
pub mod fake;
mod generate;
pub mod overrides;
mod parts;
pub mod refs;
pub mod shape;
mod unique;

pub use crate::spec::model::IdFrom;
pub use draw::{Drawer, Drawn, DrawnBody, Field, Fields};
pub use overrides::{BodyField, FromOverride, Location, Overrides, OverridesError};
pub use parts::{BodyValue, Derived, Facts, Need, OperationInfo, RequestParts, ResponseSchema};
pub use shape::{Kind, Schemas, Shape};

use goose::goose::GooseUser;
use rand::rngs::SmallRng;
use rand::RngExt;
use reqwest::RequestBuilder;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Default size of an uploaded file, as in the original toolkit.
pub const DEFAULT_UPLOAD_BYTES: usize = 1024;
static UPLOAD_BYTES: AtomicUsize = AtomicUsize::new(DEFAULT_UPLOAD_BYTES);

/// The content of every uploaded file, made once per size and shared by every upload
/// (a clone is a reference count, not a copy).
static UPLOAD_CONTENT: std::sync::RwLock<Option<bytes::Bytes>> = std::sync::RwLock::new(None);

/// Sets the size of every in-memory file sent to a multipart field.
pub fn set_upload_bytes(bytes: usize) {
    UPLOAD_BYTES.store(bytes, Ordering::Relaxed);
}

/// The content of an uploaded file: `upload_bytes()` of plain text lines.
fn upload_content() -> bytes::Bytes {
    let size = upload_bytes();
    if let Some(content) = UPLOAD_CONTENT
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .filter(|c| c.len() == size)
    {
        return content.clone();
    }
    let line = b"gateway-loadtest upload line of plain text.\n";
    let content: bytes::Bytes = line.iter().copied().cycle().take(size).collect();
    *UPLOAD_CONTENT.write().unwrap_or_else(|p| p.into_inner()) = Some(content.clone());
    content
}

/// The size of every uploaded in-memory file.
pub fn upload_bytes() -> usize {
    UPLOAD_BYTES.load(Ordering::Relaxed)
}

/// How often an optional parameter or property is sent.
pub const OPTIONAL_SENT: f64 = 0.5;

/// One user's source of values: its generator (from the run's seed), the user's
/// overrides (the values file) and the pool of resources it created, which parameters
/// naming them draw from.
#[derive(Clone)]
pub struct Values {
    rng: SmallRng,
    pub pool: crate::chain::Pool,
    /// A resource to use, whatever else is known (cleanup deletes this one).
    forced: Option<(&'static str, crate::chain::Captured)>,
    /// The resource whose records the current operation's answers describe; RPC bodies
    /// (`{"name": ...}`, `{"names": [...]}`) name one of these.
    subject: Option<&'static str>,
    /// The resource the current operation changes (its last path parameter's, for a PUT,
    /// PATCH, DELETE or an RPC-style POST action): never one that existed before the run.
    writes: Option<&'static str>,
    /// The current operation is an RPC-style read or delete (`POST /secrets/get`): its
    /// body's `name`/`names` are keys of existing resources.
    rpc_keys: bool,
    /// The resource this operation is about, picked before its parameters are drawn
    /// (shared with the pool). Its parents' parameters take the keys its creating path
    /// named (its pool's name, for a queue).
    picked: Option<(&'static str, Arc<crate::chain::Captured>)>,
    /// The keys this operation's parameters took, by parameter: what a resource it
    /// creates was created under.
    pub drawn: Vec<(&'static str, Value)>,
    /// The current operation creates (a POST that neither reads nor deletes): its body's
    /// name-like fields get values unique to the run and the user.
    pub creating: bool,
    /// The answer field holding what the current create makes (a linked `sku`): made
    /// unique like a name, since it identifies the resource.
    id_field: Option<&'static str>,
    /// The resource the current operation deletes: drawn by taking it out of the pool.
    taking: Option<&'static str>,
    /// The current operation's path: what it picks from the pool must fit it
    /// ([`crate::chain::fits`]).
    path: &'static str,
    /// What the current operation took out of the pool.
    pub taken: Option<crate::chain::Captured>,
    /// The value the current create's id field (its `name`, a linked `sku`) was made
    /// unique to: the key of what it makes, which only this run and user could have sent.
    pub made_unique: Option<Value>,
    /// Values the user gave, first in the value order.
    overrides: Arc<Overrides>,
    /// The operation being drawn (`POST /docman/tickets`), and its own table in `overrides`.
    operation: &'static str,
    scope: Option<usize>,
    /// Drawing a body: its properties take overridden values by name.
    in_body: bool,
    /// The next optional value is sent (a body that pointers set parts of).
    send_optional: bool,
    /// How often the current operation sends an optional value (fewer once the app
    /// refused requests that carried some without saying which: `feedback`).
    optional_odds: f64,
    /// Optional values drawn into the current request (beyond what pointers set).
    pub optionals_sent: u16,
    /// `Overrides::check`: `(key, problem)` for each value a parameter cannot take.
    probe: Option<Vec<(String, String)>>,
}

/// The stream of each user's generator that its values are drawn from.
pub const VALUES_STREAM: u64 = 0x0067_656e;

/// The user's `Values`, created on first use from the run's seed and the user's index.
pub fn values(user: &mut GooseUser) -> &mut Values {
    if user.get_session_data::<Values>().is_none() {
        let rng = crate::rng::for_user(user.weighted_users_index, VALUES_STREAM);
        user.set_session_data(Values::new(rng));
    }
    user.get_session_data_unchecked_mut::<Values>()
}

impl Values {
    /// Values from a given generator, with the installed overrides (`overrides::install`).
    pub fn new(rng: SmallRng) -> Values {
        Values::with_overrides(rng, overrides::installed())
    }

    /// Values from a given generator and overrides (for `sample`, checks and tests).
    pub fn with_overrides(rng: SmallRng, overrides: Arc<Overrides>) -> Values {
        Values {
            rng,
            pool: crate::chain::Pool::default(),
            forced: None,
            subject: None,
            writes: None,
            rpc_keys: false,
            creating: false,
            id_field: None,
            picked: None,
            drawn: Vec::new(),
            taking: None,
            taken: None,
            made_unique: None,
            overrides,
            operation: "",
            path: "",
            scope: None,
            in_body: false,
            send_optional: false,
            optional_odds: OPTIONAL_SENT,
            optionals_sent: 0,
            probe: None,
        }
    }

    /// Starts drawing the parameters of `operation` (`POST /docman/tickets`): its own
    /// overrides apply until the next one. The generated `sample` calls it.
    pub fn enter(&mut self, operation: &'static str) {
        self.operation = operation;
        self.scope = match self.overrides.is_empty() {
            true => None,
            false => self.overrides.scope_of(operation),
        };
    }

    /// A parameter's value: the user's override (by pointer, then name; the operation's
    /// own first), else `draw()` (captured id, example, default, enum, fake). An
    /// overridden optional parameter is always sent. While cleanup deletes a resource it
    /// created, path parameters are never overridden: they address that resource.
    pub fn param<T: FromOverride>(
        &mut self,
        at: Location,
        name: &str,
        draw: impl FnOnce(&mut Values) -> T,
    ) -> T {
        // The closure makes every call site its own instance of this fn; the work is
        // in `param_override`, one instance per parameter type, so generated code for
        // thousands of parameters stays small.
        match self.param_override(at, name) {
            Some(value) => value,
            None => draw(self),
        }
    }

    /// The user's override for a parameter, converted to its type; `None` draws it.
    fn param_override<T: FromOverride>(&mut self, at: Location, name: &str) -> Option<T> {
        if self.overrides.is_empty() || (at == Location::Path && self.forced.is_some()) {
            return None;
        }
        let rule = self.overrides.param_rule(self.scope, at, name)?;
        if let Some(problems) = &mut self.probe {
            for candidate in rule.candidates(&mut self.rng) {
                if T::from_override(&candidate).is_none() {
                    problems.push((
                        rule.key().to_string(),
                        format!(
                            "{} cannot be sent as {} parameter `{name}` of {}, which takes {}; \
                             give {} there, or set it for other operations only under \
                             [operations.\"METHOD /path\"]",
                            overrides::shown(&candidate),
                            at.as_str(),
                            self.operation,
                            T::TAKES,
                            T::TAKES
                        ),
                    ));
                }
            }
        }
        let given = rule.pick(&mut self.rng);
        // `check` refuses what cannot be converted; unchecked, the schema's value is sent.
        T::from_override(&given)
    }

    /// A request body: the operation's `/body` pointer, else `draw()` with every property
    /// the user named (at any depth) overridden; then each deeper `/body/...` pointer sets
    /// its place. An optional body that pointers set is always sent.
    pub fn body<T: BodyField>(&mut self, draw: impl FnOnce(&mut Values) -> T) -> T {
        if self.overrides.is_empty() {
            return draw(self);
        }
        let overrides = Arc::clone(&self.overrides);
        let pointers = overrides.body_rules(self.scope);
        let (mut body, rest) = match pointers.split_first() {
            Some(((tokens, whole), rest)) if tokens.is_empty() => {
                let given = whole.pick(&mut self.rng);
                match T::from_override(&given) {
                    Some(body) => (body, rest),
                    None => (draw(self), rest),
                }
            }
            _ => {
                self.in_body = true;
                self.send_optional = !pointers.is_empty();
                let body = draw(self);
                self.in_body = false;
                self.send_optional = false;
                (body, pointers)
            }
        };
        if let Some(json) = body.body_mut() {
            for (tokens, rule) in rest {
                let given = rule.pick(&mut self.rng);
                overrides::set_at(json, tokens, given);
            }
        }
        body
    }

    /// Sends each optional value of the next draw with these odds (feedback lowers them
    /// for an operation whose refusals named no field).
    pub fn send_optionals_at(&mut self, odds: f64) {
        self.optional_odds = odds;
    }

    /// Prepares to draw the parameters of `info`: a DELETE takes what it deletes out of
    /// the pool; `forced` pins one resource (cleanup deleting what it created).
    pub fn begin(
        &mut self,
        info: &'static OperationInfo,
        forced: Option<(&'static str, crate::chain::Captured)>,
    ) {
        self.taking = info.deletes;
        self.path = info.path;
        self.forced = forced;
        self.taken = None;
        self.made_unique = None;
        let derived = info.derived();
        self.subject = derived.subject;
        let verb = derived.verb;
        use crate::spec::links::Verb;
        self.writes = match info.method {
            "PUT" | "PATCH" | "DELETE" => derived.target,
            // An RPC-style action on one resource (`POST /users/{id}/sessions/revoke`,
            // `.../toggle`) changes it: neither a create nor a read or delete by name.
            "POST"
                if info.produces.is_none()
                    && !matches!(verb, Some(Verb::Read | Verb::Delete))
                    && !info.path.ends_with('}') =>
            {
                derived.target
            }
            _ => None,
        };
        self.rpc_keys = info.method == "POST" && matches!(verb, Some(Verb::Read | Verb::Delete));
        // A PATCH that renames must not collide either.
        self.creating = (info.method == "POST" && !self.rpc_keys) || info.method == "PATCH";
        self.id_field = info.produces.and_then(|(_, id)| id.into_field());
        self.drawn.clear();
        self.picked = None;
        self.optionals_sent = 0;
        self.optional_odds = OPTIONAL_SENT;
        // The resource the operation is about is picked first, so its parents'
        // parameters can name the ones it was created under.
        let about = match self.rpc_keys {
            true => self.subject,
            false => derived.target,
        };
        let picked = match (&self.forced, about) {
            (Some((pinned, captured)), _) => Some((*pinned, Arc::new(captured.clone()))),
            // A DELETE takes it out of the pool only when its parameter is drawn
            // (an overridden one takes nothing).
            (None, Some(about)) if self.taking == Some(about) => self
                .pool
                .oldest_fitting(about, info.path)
                .map(|c| (about, Arc::clone(c))),
            (None, Some(about)) => {
                let index = self.rng.random_range(0..crate::chain::POOL_CAPACITY);
                self.pool
                    .peek_fitting(about, index, info.path)
                    .map(|c| (about, Arc::clone(c)))
            }
            (None, None) => None,
        };
        self.picked = picked;
    }

    /// The resource the current operation was about, when it came from the user's pool
    /// and one of its keys went into the request.
    pub fn take_picked(&mut self) -> Option<(&'static str, Arc<crate::chain::Captured>)> {
        if self.forced.is_some() {
            return None;
        }
        let (_, captured) = self.picked.as_ref()?;
        let keys = crate::chain::keys_of(captured);
        let used = self.drawn.iter().any(|(_, value)| keys.contains(value));
        used.then(|| self.picked.take()).flatten()
    }

    /// A value for a parameter `param` naming `resource`: the pinned resource's, else one
    /// from the pool (taken out for a DELETE), else one the run saw exist, else `draw()`
    /// from the schema. Which of the resource's keys it takes (id, name, key, slug), the
    /// parameter's name says.
    pub fn chained<T: FromJson>(
        &mut self,
        resource: &'static str,
        param: &'static str,
        draw: impl FnOnce(&mut Values) -> T,
    ) -> T {
        match self.chained_key(resource, param) {
            Some(key) => {
                let value = T::from_json(&key);
                self.drawn.push((param, key));
                value
            }
            None => draw(self),
        }
    }

    /// The key `chained` uses for `resource`, when one is known.
    fn chained_key(&mut self, resource: &str, param: &str) -> Option<Value> {
        use crate::known::key_for;
        if let Some((_, captured)) = &self.picked {
            if let Some((_, key)) = captured.context.iter().find(|(name, _)| *name == param) {
                return Some(key.clone());
            }
        }
        if let Some((about, captured)) = &self.picked {
            // The resource's own record names its parent (`{"name": "db1", "tenant":
            // "default_tenant"}` for `/tenants/{tenant}/databases/{database_name}`):
            // made where the create's defaults put it, not under one of the user's.
            if *about != resource {
                let bare = param
                    .strip_suffix("_name")
                    .or_else(|| param.strip_suffix("_id"))
                    .unwrap_or(param);
                let named = [param, bare]
                    .into_iter()
                    .find_map(|field| captured.record.get(field));
                if let Some(key) = named.filter(|v| v.is_string() || v.is_number()) {
                    return Some(key.clone());
                }
            }
            if *about == resource {
                let key = key_for(param, captured).or_else(|| Some(captured.id.clone()));
                if self.forced.is_none() && self.taking == Some(resource) && self.taken.is_none() {
                    self.taken = self.pool.take_oldest_fitting(resource, self.path);
                }
                return key;
            }
        }
        if self.taking == Some(resource) {
            if let Some(captured) = self.pool.take_oldest_fitting(resource, self.path) {
                let key = key_for(param, &captured).or_else(|| Some(captured.id.clone()));
                self.taken = Some(captured);
                return key;
            }
        }
        let index = self.rng.random_range(0..crate::chain::POOL_CAPACITY);
        if let Some(key) = self
            .pool
            .peek(resource, index)
            .and_then(|c| key_for(param, c))
        {
            return Some(key);
        }
        // What existed before the run is read, never changed or deleted.
        if self.taking == Some(resource) || self.writes == Some(resource) {
            return None;
        }
        crate::known::pick(resource, &mut self.rng).and_then(|c| key_for(param, &c))
    }

    /// A body's top-level properties that name resources (`contact_id`,
    /// `work_pool_name`) take keys the user holds (or the run saw); an RPC body's own
    /// keys (`{"name": ...}`, `{"names": [...]}` of `POST /secrets/get` or `.../delete`)
    /// take those of the operation's resource.
    pub fn chained_body(&mut self, mut body: Value) -> Value {
        let Value::Object(fields) = &mut body else {
            return body;
        };
        for (name, value) in fields.iter_mut() {
            // The user's value wins over a captured one.
            if self.in_body && self.overrides.property_rule(self.scope, name).is_some() {
                continue;
            }
            let resource = crate::spec::links::resource_of(name, None)
                .or_else(|| self.bare_reference(name, value));
            if let Some(resource) = resource {
                let index = self.rng.random_range(0..crate::chain::POOL_CAPACITY);
                let key = match self.pool.peek(&resource, index) {
                    Some(captured) => crate::known::key_for(name, captured),
                    None => crate::known::pick(&resource, &mut self.rng)
                        .and_then(|c| crate::known::key_for(name, &c)),
                };
                if let Some(key) = key {
                    *value = key;
                }
                continue;
            }
            let Some(subject) = self.subject else {
                continue;
            };
            let (single, many) = match name.as_str() {
                "name" | "id" | "key" | "slug" => (name.clone(), false),
                "names" | "ids" | "keys" | "slugs" => (name[..name.len() - 1].to_string(), true),
                _ => continue,
            };
            // Only an RPC read or delete names an existing one in its body; a create's
            // `name` is the new resource's own.
            if !self.rpc_keys {
                continue;
            }
            let Some(key) = self.chained_key(subject, &single) else {
                continue;
            };
            *value = match many {
                true => Value::Array(vec![key]),
                false => key,
            };
        }
        body
    }

    /// The resource a body property named after it refers to (`"project": <uuid>`,
    /// `"model": "..."`), when the property holds a string and the user or the run knows
    /// such a resource; never the one a create is making.
    fn bare_reference(&self, name: &str, value: &Value) -> Option<String> {
        // Paging and ordering words are never references, whatever the API calls a
        // resource (`/v2/limits/` makes `limit` one).
        const NEVER: [&str; 8] = [
            "limit", "offset", "page", "size", "sort", "order", "status", "type",
        ];
        if !value.is_string() || NEVER.contains(&name) {
            return None;
        }
        let resource = crate::spec::links::resource_key(name)?;
        if self.creating && self.subject == Some(resource.as_str()) {
            return None;
        }
        (!self.pool.is_empty(&resource) || crate::known::has(&resource)).then_some(resource)
    }

    /// A create's body with its name-like properties made unique to the run and user
    /// (those the user set are kept).
    pub fn unique_names(&mut self, mut body: Value, shape: &Shape) -> Value {
        if !self.creating {
            return body;
        }
        let (overrides, scope) = (&self.overrides, self.scope);
        let id_before = self.id_field.and_then(|f| body.get(f).cloned());
        unique::apply(&mut body, shape, &mut self.rng, self.id_field, |name| {
            overrides.property_rule(scope, name).is_some()
        });
        let id_after = self.id_field.and_then(|f| body.get(f).cloned());
        self.made_unique = id_after.filter(|after| Some(after) != id_before.as_ref());
        body
    }

    /// Any JSON value for `shape`; `name` steers the fake. In a body, properties the user
    /// named take the user's values.
    pub fn value(&mut self, shape: &Shape, name: &str) -> Value {
        if !self.in_body {
            return generate::value(shape, name, &mut self.rng);
        }
        let (overrides, scope) = (&self.overrides, self.scope);
        let by_name = |property: &str, rng: &mut SmallRng| {
            overrides
                .property_rule(scope, property)
                .map(|rule| rule.pick(rng))
        };
        generate::value_with(shape, name, &mut self.rng, Some(&by_name))
    }

    /// An integer for an `integer` shape.
    pub fn integer(&mut self, shape: &Shape, name: &str) -> i64 {
        match self.value(shape, name) {
            Value::Number(n) => n
                .as_i64()
                .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
            Value::String(s) => s.parse().unwrap_or(0),
            _ => 0,
        }
    }

    /// A number for a `number` shape.
    pub fn number(&mut self, shape: &Shape, name: &str) -> f64 {
        match self.value(shape, name) {
            Value::Number(n) => n.as_f64().unwrap_or(0.0),
            Value::String(s) => s.parse().unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// A boolean for a `boolean` shape.
    pub fn boolean(&mut self, shape: &Shape, name: &str) -> bool {
        match self.value(shape, name) {
            Value::Bool(b) => b,
            other => other.as_str() == Some("true"),
        }
    }

    /// A string for a `string` shape.
    pub fn string(&mut self, shape: &Shape, name: &str) -> String {
        match self.value(shape, name) {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    /// `Some(draw())` for a required value; for an optional one, sometimes `None`.
    pub fn optional<T>(
        &mut self,
        required: bool,
        draw: impl FnOnce(&mut Values) -> T,
    ) -> Option<T> {
        let sent = std::mem::take(&mut self.send_optional);
        if required || sent {
            return Some(draw(self));
        }
        let odds = self.optional_odds;
        self.rng.random_bool(odds).then(|| {
            self.optionals_sent = self.optionals_sent.saturating_add(1);
            draw(self)
        })
    }

    /// A number for naming an uploaded file.
    fn file_number(&mut self) -> u32 {
        self.rng.random_range(1..100_000)
    }
}

/// A typed value from a captured JSON id.
pub trait FromJson {
    fn from_json(value: &Value) -> Self;
}

impl FromJson for String {
    fn from_json(value: &Value) -> Self {
        scalar_text(value)
    }
}
impl FromJson for i64 {
    fn from_json(value: &Value) -> Self {
        value
            .as_i64()
            .or_else(|| value.as_str()?.parse().ok())
            .unwrap_or(0)
    }
}
impl FromJson for f64 {
    fn from_json(value: &Value) -> Self {
        value
            .as_f64()
            .or_else(|| value.as_str()?.parse().ok())
            .unwrap_or(0.0)
    }
}
impl FromJson for bool {
    fn from_json(value: &Value) -> Self {
        value.as_bool().unwrap_or(false)
    }
}
impl FromJson for Value {
    fn from_json(value: &Value) -> Self {
        value.clone()
    }
}

/// How a value is written into a URL, header or form: strings as they are, numbers and
/// booleans in JSON notation, arrays as one text per item, objects as JSON.
pub trait ParamText {
    fn texts(&self) -> Vec<String>;
}

impl ParamText for i64 {
    fn texts(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}
impl ParamText for f64 {
    fn texts(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}
impl ParamText for bool {
    fn texts(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}
impl ParamText for String {
    fn texts(&self) -> Vec<String> {
        vec![self.clone()]
    }
}
impl ParamText for Value {
    fn texts(&self) -> Vec<String> {
        match self {
            Value::Array(items) => items.iter().map(scalar_text).collect(),
            other => vec![scalar_text(other)],
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A value as one text: arrays joined with commas (headers, cookies).
pub fn joined(value: &impl ParamText) -> String {
    value.texts().join(",")
}

/// `text` as a header can carry it: line breaks and other control characters (a
/// spec's example may hold them) become spaces, so a value never ends the header.
pub fn header_text(text: String) -> String {
    match text.bytes().any(|b| (b < 32 && b != b'\t') || b == 127) {
        true => text
            .chars()
            .map(|c| match c.is_control() && c != '\t' {
                true => ' ',
                false => c,
            })
            .collect(),
        false => text,
    }
}

/// Appends one percent-encoded path segment (arrays are joined with commas).
pub fn push_path_segment(path: &mut String, value: &impl ParamText) {
    let text = value.texts().join(",");
    path.extend(percent_encoding::utf8_percent_encode(&text, SEGMENT));
}

/// Characters that must be escaped inside a path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `name=value` query pairs, one per array item (FastAPI's `explode` form).
pub fn push_query(
    query: &mut Vec<(&'static str, String)>,
    name: &'static str,
    value: &impl ParamText,
) {
    for text in value.texts() {
        query.push((name, text));
    }
}

/// Adds one `Cookie` header holding every `name=value` pair given.
pub fn cookies(builder: RequestBuilder, pairs: &[(&'static str, String)]) -> RequestBuilder {
    if pairs.is_empty() {
        return builder;
    }
    let text: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    builder.header(reqwest::header::COOKIE, text.join("; "))
}

/// Sends an object as an `application/x-www-form-urlencoded` body.
pub fn form(builder: RequestBuilder, body: &Value) -> RequestBuilder {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Value::Object(object) = body {
        for (name, value) in object {
            for text in value.texts() {
                pairs.push((name.clone(), text));
            }
        }
    }
    builder.form(&pairs)
}

/// Sends an object as `multipart/form-data`: properties whose schema is a binary string
/// (an `UploadFile`) become in-memory files of the configured size, the rest text fields.
pub fn multipart(
    builder: RequestBuilder,
    body: &Value,
    shape: &Shape,
    values: &mut Values,
) -> RequestBuilder {
    let mut form = crate::multipart::Multipart::new();
    if let Value::Object(object) = body {
        for (name, value) in object {
            if is_file_field(shape, name) {
                let count = match value {
                    Value::Array(items) => items.len().max(1),
                    _ => 1,
                };
                for _ in 0..count {
                    let file_name = format!("document-{}.txt", values.file_number());
                    form.file(name, &file_name, "text/plain", &upload_content());
                }
            } else {
                for text in value.texts() {
                    form.text(name, &text);
                }
            }
        }
    }
    form.send_with(builder)
}

/// Whether property `name` of an object shape is a file (a binary string, or an array of them).
fn is_file_field(shape: &Shape, name: &str) -> bool {
    let Kind::Object { properties, .. } = &shape.resolved().kind else {
        return false;
    };
    properties.iter().any(|p| {
        p.name == name
            && match &p.shape.resolved().kind {
                Kind::Array { items, .. } => is_binary(items),
                _ => is_binary(&p.shape),
            }
    })
}

fn is_binary(shape: &Shape) -> bool {
    let shape = shape.resolved();
    match &shape.kind {
        Kind::OneOf(members) => members.iter().any(is_binary),
        _ => shape.format() == Some("binary"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_segments_are_percent_encoded() {
        let mut path = String::from("/a/");
        push_path_segment(&mut path, &"x y/../z".to_string());
        assert_eq!(path, "/a/x%20y%2F..%2Fz");
    }

    #[test]
    fn arrays_explode_into_repeated_query_pairs() {
        let mut query = Vec::new();
        push_query(&mut query, "tag", &json!(["a", "b"]));
        push_query(&mut query, "limit", &5i64);
        assert_eq!(
            query,
            vec![
                ("tag", "a".to_string()),
                ("tag", "b".to_string()),
                ("limit", "5".to_string())
            ]
        );
    }

    static DELETE_DATABASE: OperationInfo = OperationInfo::for_test(
        "vectors",
        "DELETE",
        "/tenants/{tenant}/databases/{database_name}",
        None,
        Some("database"),
    );

    static CREATE_DATABASE: OperationInfo = OperationInfo::for_test(
        "vectors",
        "POST",
        "/databases",
        Some(("database", IdFrom::Field("name"))),
        None,
    );

    static CREATE_DATABASE_FIELDS: Fields = Fields::new(
        "POST /databases",
        &[Field::param(
            Location::Query,
            "tenant",
            "{\"type\":\"string\",\"default\":\"default_tenant\"}",
        )],
    );

    #[test]
    fn a_create_that_leaves_its_parent_to_the_default_records_the_default_parent() {
        let mut values = Values::new(crate::rng::from_seed(5));
        // The create may leave `?tenant=` out (a query parameter names no resource):
        // the app puts the database in `default_tenant`, and its context must say so
        // for its delete, whose path names the tenant.
        let mut left_out = 0;
        for _ in 0..40 {
            values.begin(&CREATE_DATABASE, None);
            let tenant: Option<String> = CREATE_DATABASE_FIELDS.drawer(&mut values).param();
            let recorded = values.drawn.iter().find(|(name, _)| *name == "tenant");
            match tenant {
                None => {
                    left_out += 1;
                    assert_eq!(recorded.map(|(_, v)| v), Some(&json!("default_tenant")));
                }
                Some(sent) => assert_eq!(recorded.map(|(_, v)| v), Some(&json!(sent))),
            }
        }
        assert!(left_out > 0, "the optional parameter was always sent");
    }

    #[test]
    fn a_parent_parameter_takes_what_the_resource_s_own_record_names() {
        let mut values = Values::new(crate::rng::from_seed(3));
        values.pool.add(
            "tenant",
            crate::chain::Captured {
                id: json!("mine"),
                record: json!({"name": "mine"}),
                context: Vec::new(),
            },
        );
        // Made by a create that put it in the default tenant: its record says so.
        let database = crate::chain::Captured {
            id: json!("db1"),
            record: json!({"id": "7f", "name": "db1", "tenant": "default_tenant"}),
            context: Vec::new(),
        };
        values.begin(&DELETE_DATABASE, Some(("database", database)));
        let tenant: String = values.chained("tenant", "tenant", |_| "drawn".to_string());
        let name: String = values.chained("database", "database_name", |_| "drawn".to_string());
        assert_eq!((tenant.as_str(), name.as_str()), ("default_tenant", "db1"));
        // Without such a field, the user's own parent is used, as before.
        let bare = crate::chain::Captured {
            id: json!("db2"),
            record: json!({"name": "db2"}),
            context: Vec::new(),
        };
        values.begin(&DELETE_DATABASE, Some(("database", bare)));
        let tenant: String = values.chained("tenant", "tenant", |_| "drawn".to_string());
        assert_eq!(tenant, "mine");
    }

    #[test]
    fn file_fields_are_found_by_binary_format() {
        let shape = Shape::compile(&json!({"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"},
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "title": {"type": "string"}}}));
        assert!(is_file_field(&shape, "file"));
        assert!(is_file_field(&shape, "files"));
        assert!(!is_file_field(&shape, "title"));
    }
}

#[cfg(test)]
mod overrides_tests;
#[cfg(test)]
mod validity_tests;
