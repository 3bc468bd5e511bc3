//! The routes a run may call. The hand-written personas declare theirs ([`Persona`]); a
//! generated operation's route is its own. At run start [`read_api`] reads the OpenAPI
//! documents the targeted gateway serves (its root's and those of the compiled apps'
//! prefixes), and [`retain_served`] leaves out each persona and operation whose route the
//! gateway does not document, so a binary built from one gateway's API sends nothing to a
//! route another gateway lacks. [`install`] keeps the checked API for the cold paths that
//! call an operation the scenario did not name: a producer run for what a consumer needs,
//! and cleanup's deletes.

use crate::params::OperationInfo;
use crate::target::{self, TargetError};
use goose::goose::Scenario;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The root app's document, and each mounted app's under its prefix.
const OPENAPI_FILE: &str = "/openapi.json";
/// Documents larger than this are not read.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;
/// All document fetches together may take this many per-fetch time-outs.
const BUDGET_TIMEOUTS: u32 = 3;
/// Left-out operations named in the one line; `routes.json` lists them all.
const LISTED: usize = 8;
/// The methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One route: a method and a templated path with the app's prefix, as in the plan
/// (`GET /api/v1/documents/documents/{doc_id}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
}

impl Route {
    pub const fn get(path: &'static str) -> Route {
        Route {
            method: "GET",
            path,
        }
    }
    pub const fn post(path: &'static str) -> Route {
        Route {
            method: "POST",
            path,
        }
    }
    pub const fn put(path: &'static str) -> Route {
        Route {
            method: "PUT",
            path,
        }
    }
    pub const fn patch(path: &'static str) -> Route {
        Route {
            method: "PATCH",
            path,
        }
    }
    pub const fn delete(path: &'static str) -> Route {
        Route {
            method: "DELETE",
            path,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A hand-written scenario (by its registered name) and every route it calls.
#[derive(Clone, Copy, Debug)]
pub struct Persona {
    pub scenario: &'static str,
    pub routes: &'static [Route],
}

/// What the targeted gateway documents.
#[derive(Clone, Debug)]
pub enum Api {
    /// Read from its documents: every `METHOD /path` (path parameters unnamed), and a
    /// note for each document that could not be read for another reason than a 404.
    Documented {
        routes: BTreeSet<String>,
        notes: Vec<String>,
        /// The OAuth2 password flows the documents declare, first the root's.
        flows: Vec<crate::auth::PasswordFlow>,
    },
    /// Its root serves no OpenAPI document (docs turned off, a mock): nothing can be
    /// checked, so every compiled scenario runs as built.
    Unknown { reason: String },
}

impl Api {
    /// Whether the gateway documents `method path` (always, when its API is unknown).
    pub fn serves(&self, method: &str, path: &str) -> bool {
        match self {
            Api::Documented { routes, .. } => routes.contains(&key(method, path)),
            Api::Unknown { .. } => true,
        }
    }

    /// The routes of one OpenAPI document whose paths sit under `prefix`.
    fn add_document(routes: &mut BTreeSet<String>, prefix: &str, document: &Value) {
        let Some(paths) = document.get("paths").and_then(Value::as_object) else {
            return;
        };
        for (path, item) in paths {
            for method in METHODS {
                if item.get(method).is_some_and(Value::is_object) {
                    routes.insert(key(method, &format!("{prefix}{path}")));
                }
            }
        }
    }
}

/// `METHOD /path` with each `{parameter}` unnamed: a route whose parameter was renamed is
/// the same route.
fn key(method: &str, path: &str) -> String {
    let mut out = format!("{} ", method.to_ascii_uppercase());
    let mut in_parameter = false;
    for c in path.chars() {
        match (c, in_parameter) {
            ('{', _) => {
                in_parameter = true;
                out.push('{');
            }
            ('}', true) => {
                in_parameter = false;
                out.push('}');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out
}

/// Reads the gateway's root document, then `{prefix}/openapi.json` for each of
/// `prefixes`, each within `timeout` and all within three times that. Fails only when
/// nothing answers at all (the run's pre-flight check); a root without a document gives
/// [`Api::Unknown`], a prefix without one documents nothing.
pub async fn read_api(
    host: &str,
    auth: &[(String, String)],
    prefixes: &[String],
    timeout: Duration,
) -> Result<Api, TargetError> {
    let origin = target::validate(host)?;
    let unreachable = |reason: String| TargetError::Unreachable {
        url: crate::spec::gateway_url::redact(host),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(target::USER_AGENT)
        .default_headers(target::auth_header_map(auth)?)
        .build()
        .map_err(|e| TargetError::Client(e.to_string()))?;
    let deadline = Instant::now() + timeout * BUDGET_TIMEOUTS;
    let fetch = |path: String| {
        let client = client.clone();
        let url = target::url_for(&origin, &path);
        async move {
            let url = url.ok_or_else(|| Fetch::Unusable(format!("{path} is not a path")))?;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Fetch::Unusable(format!(
                    "not read: the {} s budget for reading documents was spent",
                    (timeout * BUDGET_TIMEOUTS).as_secs_f64()
                )));
            }
            document(client.get(url).timeout(timeout.min(left))).await
        }
    };
    let root = match fetch(OPENAPI_FILE.to_string()).await {
        Ok(root) => root,
        Err(Fetch::Transport(reason)) => return Err(unreachable(reason)),
        Err(Fetch::Missing(reason) | Fetch::Unusable(reason)) => {
            return Ok(Api::Unknown {
                reason: format!("GET {OPENAPI_FILE} {reason}"),
            })
        }
    };
    let mut routes = BTreeSet::new();
    let mut notes = Vec::new();
    let base = target::gateway(host)?.base().to_string();
    let mut flows: Vec<crate::auth::PasswordFlow> = Vec::new();
    Api::add_document(&mut routes, "", &root);
    flows.extend(crate::auth::password_flow(&root, &base, ""));
    let mut seen = BTreeSet::new();
    for prefix in prefixes {
        let prefix = prefix.trim().trim_end_matches('/');
        if prefix.is_empty() || !prefix.starts_with('/') || !seen.insert(prefix.to_string()) {
            continue;
        }
        let path = format!("{prefix}{OPENAPI_FILE}");
        match fetch(path.clone()).await {
            // A fallback that serves the root's document again is no app of its own.
            Ok(document) if document == root => {}
            Ok(document) => {
                Api::add_document(&mut routes, prefix, &document);
                flows.extend(crate::auth::password_flow(&document, &base, prefix));
            }
            Err(Fetch::Missing(_)) => {}
            Err(Fetch::Transport(reason) | Fetch::Unusable(reason)) => {
                notes.push(format!("{path}: {reason}"))
            }
        }
    }
    Ok(Api::Documented {
        routes,
        notes,
        flows,
    })
}

/// Why a document was not read.
enum Fetch {
    /// Nothing answered.
    Transport(String),
    /// Answered 404 or 410: there is no such document.
    Missing(String),
    /// Any other answer that is not an OpenAPI document.
    Unusable(String),
}

/// Sends the request and reads an OpenAPI document from the answer.
async fn document(request: reqwest::RequestBuilder) -> Result<Value, Fetch> {
    let mut response = request
        .send()
        .await
        .map_err(|e| Fetch::Transport(target::describe_reqwest_error(&e)))?;
    let status = response.status();
    if !status.is_success() {
        let answered = format!(
            "answered {} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or_default()
        );
        return Err(match status.as_u16() {
            404 | 410 => Fetch::Missing(answered),
            _ => Fetch::Unusable(answered),
        });
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_DOCUMENT_BYTES => {
                return Err(Fetch::Unusable(format!(
                    "answered a body over {MAX_DOCUMENT_BYTES} bytes"
                )))
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                return Err(Fetch::Unusable(format!(
                    "answered a body that could not be read ({})",
                    target::describe_reqwest_error(&e)
                )))
            }
        }
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(doc) if crate::spec::discovery::looks_like_openapi(&doc) => Ok(doc),
        Ok(_) => Err(Fetch::Unusable(
            "answered JSON that is not an OpenAPI document".to_string(),
        )),
        Err(_) => Err(Fetch::Unusable(
            "answered a body that is not JSON".to_string(),
        )),
    }
}

/// The prefixes of the compiled plan's apps (`apps[].prefix` of its JSON).
pub fn compiled_prefixes(plan_json: &str) -> Vec<String> {
    let plan: Value = serde_json::from_str(plan_json).unwrap_or(Value::Null);
    plan.get("apps")
        .and_then(Value::as_array)
        .map(|apps| {
            apps.iter()
                .filter_map(|app| app.get("prefix").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// What [`retain_served`] left out of a run, for the lines at its start and `routes.json`.
#[derive(Debug, Default, serde::Serialize)]
pub struct LeftOut {
    /// Why nothing was checked, when the gateway's API could not be read.
    pub unchecked: Option<String>,
    /// Documents that could not be read (their routes count as missing).
    pub notes: Vec<String>,
    /// Each left-out persona (its scenario's name) and the routes it lacks.
    pub personas: Vec<(String, Vec<String>)>,
    /// Every left-out generated operation, `METHOD /path`.
    pub operations: Vec<String>,
    /// Scenarios left with nothing to do: the left-out personas, and the generated
    /// scenarios whose every operation was left out, by name.
    #[serde(skip)]
    emptied: Vec<(String, Arc<str>)>,
}

/// The scenarios with what `api` does not document left out: a persona (a scenario named
/// in `personas`) missing any of its routes, and each generated operation (a transaction
/// named `METHOD /path` after one of `operations`) whose route is missing; a scenario
/// left with only its on-start and on-stop transactions goes too. `selected` are Goose's
/// `--scenarios` patterns: only scenarios they select count as left out.
pub fn retain_served(
    scenarios: Vec<Scenario>,
    personas: &[Persona],
    operations: &[&'static OperationInfo],
    api: &Api,
    selected: &[String],
) -> (Vec<Scenario>, LeftOut) {
    let mut left = LeftOut::default();
    match api {
        Api::Unknown { reason } => {
            left.unchecked = Some(reason.clone());
            return (scenarios, left);
        }
        Api::Documented { notes, .. } => left.notes = notes.clone(),
    }
    let mut kept = Vec::with_capacity(scenarios.len());
    for mut scenario in scenarios {
        let active = is_selected(selected, &scenario.machine_name);
        if let Some(persona) = personas.iter().find(|p| *p.scenario == *scenario.name) {
            let missing: Vec<String> = persona
                .routes
                .iter()
                .filter(|r| !api.serves(r.method, r.path))
                .map(Route::to_string)
                .collect();
            match missing.is_empty() {
                true => kept.push(scenario),
                false if active => {
                    left.personas.push((scenario.name.to_string(), missing));
                    left.emptied
                        .push((scenario.name.to_string(), scenario.machine_name.clone()));
                }
                false => {}
            }
            continue;
        }
        let mut dropped = Vec::new();
        let transactions = std::mem::take(&mut scenario.transactions);
        for transaction in transactions {
            let name = transaction.name.name_for_transaction();
            let missing = operations
                .iter()
                .find(|op| {
                    name.strip_prefix(op.method)
                        .and_then(|p| p.strip_prefix(' '))
                        == Some(op.path)
                })
                .filter(|op| !api.serves(op.method, op.path));
            match missing {
                Some(op) => dropped.push(format!("{} {}", op.method, op.path)),
                None => scenario = scenario.register_transaction(transaction),
            }
        }
        // Emptied: it had operations, and none is left but on-start and on-stop ones.
        let emptied = !dropped.is_empty()
            && scenario
                .transactions
                .iter()
                .all(|t| t.on_start || t.on_stop);
        if active {
            left.operations.extend(dropped.iter().cloned());
            if emptied {
                left.emptied
                    .push((scenario.name.to_string(), scenario.machine_name.clone()));
            }
        }
        if !emptied {
            kept.push(scenario);
        }
    }
    (kept, left)
}

impl LeftOut {
    /// The lines to print at the start of the run, each one line.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(reason) = &self.unchecked {
            lines.push(format!(
                "gateway-loadtest: warning: the routes were not checked against the gateway's \
                 API ({reason}); every scenario runs as built"
            ));
            return lines;
        }
        for note in &self.notes {
            lines.push(format!(
                "gateway-loadtest: warning: {note}; its routes count as not in the API"
            ));
        }
        if !self.personas.is_empty() {
            let names: Vec<&str> = self.personas.iter().map(|(n, _)| n.as_str()).collect();
            lines.push(format!(
                "gateway-loadtest: left out {} static persona{} (their routes are not in the \
                 gateway's API): {}",
                names.len(),
                plural(names.len()),
                names.join(", ")
            ));
        }
        if !self.operations.is_empty() {
            let n = self.operations.len();
            let mut listed = self.operations[..n.min(LISTED)].join(", ");
            if n > LISTED {
                listed.push_str(&format!(
                    " and {} more (routes.json in the run folder lists them)",
                    n - LISTED
                ));
            }
            lines.push(format!(
                "gateway-loadtest: left out {n} generated operation{} (their routes are not in \
                 the gateway's API): {listed}",
                plural(n)
            ));
        }
        lines
    }

    /// For each pattern of `--scenarios` without a wildcard that names a left-out
    /// scenario, a line saying why it does not run.
    pub fn selected_lines(&self, selected: &[String]) -> Vec<String> {
        let mut lines = Vec::new();
        for pattern in selected.iter().filter(|p| !p.contains('*')) {
            for (name, machine) in &self.emptied {
                if **machine != **pattern {
                    continue;
                }
                let missing = self
                    .personas
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, missing)| missing.join(", "))
                    .unwrap_or_else(|| "every one of its operations".to_string());
                lines.push(format!(
                    "gateway-loadtest: --scenarios {pattern}: {name} does not run: the \
                     gateway's API lacks its routes {missing}"
                ));
            }
        }
        lines
    }

    /// The names of the left-out scenarios `selected` chose, when it chose nothing that
    /// is kept: the run would have nothing to do.
    pub fn nothing_left(&self, kept: &[Scenario], selected: &[String]) -> Option<Vec<String>> {
        let any_kept = kept.iter().any(|s| is_selected(selected, &s.machine_name));
        (!any_kept && !self.emptied.is_empty())
            .then(|| self.emptied.iter().map(|(n, _)| n.clone()).collect())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Whether Goose's `--scenarios` patterns (lower case, `*` matching any run) select the
/// scenario's machine name; no patterns select every scenario.
pub fn is_selected(patterns: &[String], machine_name: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| wildcard(p, machine_name))
}

fn wildcard(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut tail) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = rest.split('*').collect();
    let last = parts.pop().unwrap_or_default();
    for part in parts {
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

/// The API the current run checked its routes against; `None` allows every route.
static INSTALLED: RwLock<Option<Arc<Api>>> = RwLock::new(None);

/// Keeps `api` for [`serves_operation`] until the next run installs another.
pub fn install(api: Option<Api>) {
    let mut installed = INSTALLED.write().unwrap_or_else(|p| p.into_inner());
    *installed = api.map(Arc::new);
}

/// Whether the run may send `info`: its route is documented, or nothing was checked.
/// For what a scenario sends without naming it: producers and cleanup's deletes.
pub fn serves_operation(info: &OperationInfo) -> bool {
    let installed = INSTALLED.read().unwrap_or_else(|p| p.into_inner());
    installed
        .as_ref()
        .is_none_or(|api| api.serves(info.method, info.path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api(docs: &[(&str, Value)]) -> Api {
        let mut routes = BTreeSet::new();
        for (prefix, doc) in docs {
            Api::add_document(&mut routes, prefix, doc);
        }
        Api::Documented {
            routes,
            notes: Vec::new(),
            flows: Vec::new(),
        }
    }

    #[test]
    fn routes_match_by_method_prefix_and_template_not_parameter_names() {
        let api = api(&[
            (
                "",
                json!({"paths": {"/health": {"get": {}}, "/": {"get": {}}}}),
            ),
            (
                "/svc",
                json!({"paths": {"/items/{item_id}": {"get": {}, "delete": {}}, "/": {"post": {}}}}),
            ),
        ]);
        assert!(api.serves("GET", "/health"));
        assert!(api.serves("get", "/"));
        assert!(!api.serves("POST", "/health"));
        assert!(api.serves("GET", "/svc/items/{id}"));
        assert!(api.serves("DELETE", "/svc/items/{item_id}"));
        assert!(api.serves("POST", "/svc/"));
        assert!(
            !api.serves("POST", "/svc"),
            "a trailing slash is another route"
        );
        assert!(!api.serves("GET", "/items/{item_id}"), "the prefix counts");
        let unknown = Api::Unknown { reason: "x".into() };
        assert!(unknown.serves("GET", "/anything"));
    }

    #[test]
    fn scenario_patterns_match_as_goose_does() {
        let p = |s: &str| vec![s.to_string()];
        assert!(is_selected(&[], "staticdocumentreader"));
        assert!(is_selected(&p("static*"), "staticdocumentreader"));
        assert!(is_selected(&p("*reader"), "staticdocumentreader"));
        assert!(is_selected(&p("st*doc*er"), "staticdocumentreader"));
        assert!(is_selected(
            &p("staticdocumentreader"),
            "staticdocumentreader"
        ));
        assert!(!is_selected(&p("static"), "staticdocumentreader"));
        assert!(!is_selected(&p("gen*"), "staticdocumentreader"));
        assert!(!is_selected(&p("*x*"), "staticdocumentreader"));
    }

    fn scenario(name: &str) -> Scenario {
        let noop: goose::goose::TransactionFunction = Arc::new(|_| Box::pin(async { Ok(()) }));
        Scenario::new(name)
            .register_transaction(goose::goose::Transaction::new(noop).set_name("GET /a"))
    }

    #[test]
    fn a_persona_missing_a_route_is_left_out_and_others_stay() {
        const PERSONAS: &[Persona] = &[Persona {
            scenario: "Static a",
            routes: &[Route::get("/a"), Route::post("/b")],
        }];
        let api = api(&[("", json!({"paths": {"/a": {"get": {}}}}))]);
        let all = || vec![scenario("Static a"), scenario("Other")];
        let (kept, left) = retain_served(all(), PERSONAS, &[], &api, &[]);
        let names: Vec<&str> = kept.iter().map(|s| &*s.name).collect();
        assert_eq!(names, ["Other"], "a scenario that is no persona stays");
        assert_eq!(
            left.personas,
            vec![("Static a".to_string(), vec!["POST /b".to_string()])]
        );
        assert_eq!(left.nothing_left(&kept, &[]), None);
        // Selected alone, nothing is left to run.
        let only_a = ["statica".to_string()];
        let (kept, left) = retain_served(all(), PERSONAS, &[], &api, &only_a);
        assert_eq!(
            left.nothing_left(&kept, &only_a),
            Some(vec!["Static a".to_string()])
        );
        // Not selected, it is no news.
        let only_other = ["other".to_string()];
        let (_, left) = retain_served(all(), PERSONAS, &[], &api, &only_other);
        assert!(left.lines().is_empty(), "{:?}", left.lines());
        // An API that could not be read leaves everything in, and says so.
        let unknown = Api::Unknown {
            reason: "GET /openapi.json answered 404 Not Found".into(),
        };
        let (kept, left) = retain_served(all(), PERSONAS, &[], &unknown, &[]);
        assert_eq!(kept.len(), 2);
        let lines = left.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("not checked") && lines[0].contains("answered 404"),
            "{lines:?}"
        );
    }

    #[test]
    fn left_out_personas_and_operations_make_one_line_each() {
        let left = LeftOut {
            personas: vec![
                ("Static a".into(), vec!["GET /a".into()]),
                ("Static b".into(), vec!["GET /b".into()]),
            ],
            operations: (0..10).map(|i| format!("GET /op{i}")).collect(),
            emptied: vec![("Static a".into(), Arc::from("statica"))],
            ..LeftOut::default()
        };
        let lines = left.lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0],
            "gateway-loadtest: left out 2 static personas (their routes are not in the \
             gateway's API): Static a, Static b"
        );
        assert!(lines[1].starts_with("gateway-loadtest: left out 10 generated operations"));
        assert!(lines[1].ends_with("and 2 more (routes.json in the run folder lists them)"));
        let selected = left.selected_lines(&["statica".to_string(), "static*".to_string()]);
        assert_eq!(selected.len(), 1, "{selected:?}");
        assert!(selected[0].contains("Static a does not run") && selected[0].contains("GET /a"));
        assert_eq!(
            left.nothing_left(&[], &["statica".to_string()]),
            Some(vec!["Static a".to_string()])
        );
    }
}
