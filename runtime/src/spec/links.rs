//! Producer → consumer links between operations, inferred from names: an operation that
//! creates a resource and answers its id (`POST /sessions` → `session_id`) feeds the
//! parameters that name that resource (`{session_id}` in `/session/{session_id}/upload`),
//! and the `DELETE` that takes it removes it.

use super::model::{
    AppPlan, IdFrom, LinkTarget, Location, Media, Method, Need, Operation, Plan, Produces,
};
use super::settings::{LinkSettings, DELETE_ROLE};
use std::collections::HashMap;

/// Path segments that name an action on a collection, not a resource (RPC-style routes:
/// `POST /secrets/delete`, `POST /flows/filter`, `GET /artifacts/{key}/latest`).
const READ_VERBS: [&str; 14] = [
    "get", "list", "filter", "count", "search", "query", "paginate", "latest", "find", "read",
    "history", "all", "export", "lookup",
];
const CREATE_VERBS: [&str; 6] = [
    "create",
    "create_or_update",
    "upsert",
    "add",
    "new",
    "register",
];
const DELETE_VERBS: [&str; 5] = ["delete", "remove", "destroy", "delete_many", "bulk_delete"];

/// What an RPC-style verb segment does, if the segment is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Read,
    Create,
    Delete,
}

/// The verb a path segment spells, if any (`create_or_update`, `createOrUpdate` and
/// `create-or-update` alike).
pub fn verb(segment: &str) -> Option<Verb> {
    let spelled: String = segment
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let is = |list: &[&str]| list.iter().any(|v| v.replace('_', "") == spelled);
    if spelled.is_empty() {
        None
    } else if is(&READ_VERBS) {
        Some(Verb::Read)
    } else if is(&CREATE_VERBS) {
        Some(Verb::Create)
    } else if is(&DELETE_VERBS) {
        Some(Verb::Delete)
    } else {
        // A verb with a qualifier (`get-batch`, `get_step`, `delete-many`): the verb's.
        // Only these qualifiers: `read_receipts` is a collection, `get_or_create` no read.
        const QUALIFIERS: [&str; 8] = [
            "batch", "step", "many", "bulk", "multiple", "one", "by", "page",
        ];
        let mut words = segment.split(['-', '_']).filter(|w| !w.is_empty());
        let first = words.next()?;
        let qualifier = words.next()?.to_ascii_lowercase();
        if first.len() == segment.len() || !QUALIFIERS.contains(&qualifier.as_str()) {
            return None;
        }
        verb(first)
    }
}

/// The verb a path ends in (`/secrets/delete` → `Delete`), if its last segment is one.
pub fn final_verb(path: &str) -> Option<Verb> {
    verb(path.trim_end_matches('/').rsplit('/').next()?)
}

/// Suffixes of parameter names that name a resource by one of its keys.
const KEY_SUFFIXES: [&str; 10] = [
    "_id_or_name",
    "_name_or_id",
    "_identifier",
    "_id",
    "-id",
    "_name",
    "-name",
    "_key",
    "_slug",
    "_uuid",
];
/// Bare parameter names that name the resource of the collection before them
/// (`/work_pools/{name}`, `/v2/limits/{id_or_name}`, `/artifacts/{key}/latest`).
const BARE_KEYS: [&str; 8] = [
    "id",
    "name",
    "key",
    "slug",
    "identifier",
    "id_or_name",
    "name_or_id",
    "uuid",
];

/// The resource a parameter or property named `name` refers to, if its name says so:
/// `session_id`, `sessionId`, `work_pool_name`, `project_identifier` → `session`,
/// `workpool`, `project`; a bare key (`id`, `name`, `key`, `id_or_name`...) or the
/// collection's own singular (`/project/{project}`) → the collection before it
/// (`/contacts/{id}` → `contact`).
pub fn resource_of(name: &str, previous_segment: Option<&str>) -> Option<String> {
    // A leading underscore (`{_id}`, kept off a Python builtin) says nothing.
    let name = match name.trim_start_matches('_') {
        "" => name,
        trimmed => trimmed,
    };
    let previous = previous_segment.filter(|s| !is_version_segment(s) && verb(s).is_none());
    let lower = name.to_ascii_lowercase();
    if BARE_KEYS.contains(&lower.as_str()) {
        return resource_key(previous?);
    }
    if let (Some(previous), Some(own)) = (previous, resource_key(name)) {
        if resource_key(previous).as_deref() == Some(own.as_str()) {
            return Some(own);
        }
    }
    for suffix in KEY_SUFFIXES {
        if let Some(base) = lower.strip_suffix(suffix) {
            return resource_key(&name[..base.len()]);
        }
    }
    let camel = ["Id", "Name", "Key"].iter().find_map(|suffix| {
        name.strip_suffix(suffix)
            .filter(|b| b.ends_with(|c: char| c.is_ascii_lowercase()))
    });
    resource_key(camel?)
}

/// The one spelling of a resource name: ASCII letters and digits, lower case, singular
/// (`flow_runs`, `flowRun` and `flow-run` are all `flowrun`).
pub fn resource_key(text: &str) -> Option<String> {
    let key: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    (!key.is_empty()).then(|| singular(&key))
}

/// `api`, `v1`, `v2`…: path segments that name no resource.
fn is_version_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    lower == "api"
        || (lower.starts_with('v')
            && lower.len() > 1
            && lower[1..].chars().all(|c| c.is_ascii_digit()))
}

/// English singular of a resource word, good enough for collection names.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && word.len() > 1 {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// Actions that make a copy of the resource they name.
const COPY_VERBS: [&str; 4] = ["clone", "duplicate", "copy", "fork"];

/// The action a path ends in when its last segment is a singular word right after a
/// path parameter (`/flags/{name}/toggle` → `toggle`, `/users/{id}/sessions/revoke` →
/// no: `sessions` is a collection), spelled in lower-case letters and digits. A plural
/// word there is a collection under the resource (`/projects/{id}/members`); an RPC
/// verb (`.../delete`, `.../get`) is read as one.
fn action_on_element(path: &str) -> Option<String> {
    let mut segments = path.trim_end_matches('/').rsplit('/');
    let last = segments.next()?;
    let before = segments.next()?;
    if !before.starts_with('{') || last.contains('{') || verb(last).is_some() {
        return None;
    }
    let word: String = last
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    (!word.is_empty() && !word.ends_with('s') && singular(&word) == word).then_some(word)
}

/// The literal segment right before each `{name}` in a path, by name.
fn previous_segment<'a>(path: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!("{{{name}}}");
    let at = path.find(&marker)?;
    path[..at]
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty() && !s.contains('{'))
}

/// The collection a path ends in (`/tickets` → `ticket`), past any final verb
/// (`/secrets/create_or_update` → `secret`), if that segment is literal.
fn collection(path: &str) -> Option<String> {
    let mut segments = path.trim_end_matches('/').rsplit('/').peekable();
    if segments.peek().is_some_and(|s| verb(s).is_some()) {
        segments.next();
    }
    let last = segments.next()?;
    if last.is_empty() || last.contains('{') || is_version_segment(last) || verb(last).is_some() {
        return None;
    }
    resource_key(last)
}

/// The resource an operation's answers describe: the last literal segment of its path
/// that is neither a verb nor a version (`/work_pools/filter` → `workpool`,
/// `/artifacts/{key}/latest` → `artifact`, `/projects/{id}/members` → `member`).
pub fn answer_resource(path: &str) -> Option<String> {
    path.trim_end_matches('/')
        .rsplit('/')
        .find(|s| !s.is_empty() && !s.contains('{') && !is_version_segment(s) && verb(s).is_none())
        .and_then(resource_key)
}

/// Sets `resource` on parameters, and `produces`, `deletes` and `needs` on operations:
/// from names, then from the documents' OpenAPI links and `Location` headers, then as
/// the configuration adds or removes links. A configured link that names no operation
/// or parameter is an error naming it.
pub fn infer(plan: &mut Plan, config: &LinkSettings) -> Result<(), String> {
    for app in &mut plan.apps {
        for op in &mut app.operations {
            let path = op.path.clone();
            for param in &mut op.params {
                if matches!(param.location, Location::Path | Location::Query) {
                    param.resource = resource_of(&param.name, previous_segment(&path, &param.name));
                }
            }
            op.produces = producer(op).or_else(|| named_by_its_body(op, &app.schemas));
            op.deletes = match op.method {
                Method::Delete => last_path_param(op).and_then(|p| p.resource.clone()),
                // RPC style: `POST /secrets/delete {"names": [...]}`.
                Method::Post if final_verb(&op.path) == Some(Verb::Delete) => collection(&op.path),
                _ => None,
            };
        }
    }
    undocumented_creates(plan);
    name_elements_by_their_producer(plan);
    unlinks_are_not_deletes(plan);
    apply_spec_links(plan);
    apply_config(plan, config)?;
    // Producers by resource, in plan order (the first one that fits wins).
    let mut producers: HashMap<String, Vec<(Method, String)>> = HashMap::new();
    for op in plan.apps.iter().flat_map(|app| app.operations.iter()) {
        if let Some(produces) = &op.produces {
            producers
                .entry(produces.resource.clone())
                .or_default()
                .push((op.method, op.path.clone()));
        }
    }
    for app in &mut plan.apps {
        set_needs(app, &producers);
    }
    Ok(())
}

/// `/<collection>/{param}` names an element of what `POST /<collection>` creates,
/// whatever the parameter's own name says, wherever it is in the path:
/// `/service_connectors/{connector_id}` is a `serviceconnector`,
/// `/workspaces/{project_name_or_id}` a `workspace` when `POST /workspaces` makes
/// workspaces, and so is `{exp_id}` of `/experiments/{exp_id}/runs` an `experiment`. Its
/// parameter takes that resource, and a DELETE of it deletes that resource, so what the
/// run creates there is what it deletes.
fn name_elements_by_their_producer(plan: &mut Plan) {
    for app in &mut plan.apps {
        let made: HashMap<String, String> = app
            .operations
            .iter()
            .filter_map(|op| {
                let produces = op.produces.as_ref()?;
                // Only a create posted to the collection itself (not an RPC verb path).
                (final_verb(&op.path).is_none()).then(|| {
                    (
                        op.path.trim_end_matches('/').to_string(),
                        produces.resource.clone(),
                    )
                })
            })
            .collect();
        for op in &mut app.operations {
            let path = op.path.trim_end_matches('/').to_string();
            let last = last_path_param(op).map(|p| p.name.clone());
            for param in op.params.iter_mut() {
                if param.location != Location::Path {
                    continue;
                }
                let Some(at) = path.find(&format!("/{{{}}}", param.name)) else {
                    continue;
                };
                let Some(resource) = made.get(&path[..at]) else {
                    continue;
                };
                if param.resource.as_ref() == Some(resource) {
                    continue;
                }
                let before = param.resource.replace(resource.clone());
                if op.method == Method::Delete
                    && op.deletes == before
                    && last.as_deref() == Some(param.name.as_str())
                {
                    op.deletes = Some(resource.clone());
                }
            }
        }
    }
}

/// `DELETE /runs/{run_id}/tags/{tag_id}` beside `DELETE /tags/{tag_id}` takes a tag off
/// a run: the tag stays, and only the top-level route deletes it. Such a nested DELETE
/// deletes nothing the run must account for (the tag stays in the ledger, for the
/// top-level route or the sweep); it still acts on a tag the user holds. A nested route
/// with no top-level twin (`/tenants/{t}/databases/{d}`, a v2 route beside a v1 one with
/// another prefix) deletes.
fn unlinks_are_not_deletes(plan: &mut Plan) {
    for app in &mut plan.apps {
        let deletes: Vec<Vec<String>> = app
            .operations
            .iter()
            .filter(|op| op.method == Method::Delete && op.deletes.is_some())
            .map(|op| shape(&op.path))
            .collect();
        for op in &mut app.operations {
            if op.method != Method::Delete || op.deletes.is_none() {
                continue;
            }
            let Some(twin) = top_level_twin(&op.path) else {
                continue;
            };
            if deletes.contains(&twin) {
                op.deletes = None;
            }
        }
    }
}

/// A path's segments, every `{param}` spelled `{}`.
fn shape(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| match s.starts_with('{') {
            true => "{}".to_string(),
            false => s.to_string(),
        })
        .collect()
}

/// `/runs/{run_id}/tags/{tag_id}` → `/tags/{}` (as [`shape`]): its last collection and
/// element under the literal prefix before its first parent; `None` when the path
/// names no parent.
fn top_level_twin(path: &str) -> Option<Vec<String>> {
    let segments = shape(path);
    let params = segments.iter().filter(|s| *s == "{}").count();
    if params < 2 || segments.last()? != "{}" || segments.len() < 4 {
        return None;
    }
    let first_param = segments.iter().position(|s| s == "{}")?;
    let prefix = &segments[..first_param.checked_sub(1)?];
    let element = &segments[segments.len() - 2..];
    Some(prefix.iter().chain(element).cloned().collect())
}

/// A create whose answer is not documented (`{}`), posted to a collection whose elements
/// have routes of their own (`POST /runs/{run_id}/note` beside
/// `GET|PUT|DELETE /runs/{run_id}/note/{_id}`): it makes an element, keyed by the `id`
/// FastAPI apps answer with (the runtime reads it from the answer; an answer without
/// one is counted as a create it could not follow).
fn undocumented_creates(plan: &mut Plan) {
    for app in &mut plan.apps {
        let elements: Vec<String> = app
            .operations
            .iter()
            .filter(|op| op.method != Method::Post)
            .filter_map(|op| {
                let path = op.path.trim_end_matches('/');
                let (collection, last) = path.rsplit_once('/')?;
                (last.starts_with('{') && last.ends_with('}')).then(|| collection.to_string())
            })
            .collect();
        for op in &mut app.operations {
            // A singular word after a parameter (`/runs/{run_id}/note`) reads as an
            // action, but the element routes under it make it a collection.
            if op.method != Method::Post
                || op.produces.is_some()
                || !op.response_fields.is_empty()
                || final_verb(&op.path).is_some()
                || !elements.iter().any(|c| c == op.path.trim_end_matches('/'))
            {
                continue;
            }
            let own: Vec<&str> = op
                .params
                .iter()
                .filter_map(|p| p.resource.as_deref())
                .collect();
            if let Some(resource) = collection(&op.path).filter(|r| !own.contains(&r.as_str())) {
                op.produces = Some(Produces::field(resource, "id"));
            }
        }
    }
}

/// Where an operation is in the plan: app index, operation index.
type At = (usize, usize);

fn find_key(plan: &Plan, key: &str) -> Option<At> {
    let (method, path) = key.trim().split_once(' ')?;
    find(plan, |op| {
        op.method.as_str().eq_ignore_ascii_case(method.trim()) && op.path == path.trim()
    })
}

fn find(plan: &Plan, test: impl Fn(&Operation) -> bool) -> Option<At> {
    plan.apps.iter().enumerate().find_map(|(a, app)| {
        let o = app.operations.iter().position(&test)?;
        Some((a, o))
    })
}

/// Links `producer`'s answer field to `consumer`'s parameter `name` (qualified names
/// like `path.id` allowed); false when the consumer has no such parameter.
fn link(plan: &mut Plan, producer: At, field: &str, consumer: At, name: &str) -> bool {
    let name = name.rsplit('.').next().unwrap_or(name);
    // A producer already linked by the same field keeps its resource for every consumer.
    let known = plan.apps[producer.0].operations[producer.1]
        .produces
        .as_ref()
        .filter(|p| p.id.field() == Some(field))
        .map(|p| p.resource.clone());
    let op = &mut plan.apps[consumer.0].operations[consumer.1];
    let Some(param) = op.params.iter_mut().find(|p| p.name == name) else {
        return false;
    };
    let resource = known
        .or_else(|| param.resource.clone())
        .or_else(|| resource_key(name))
        .unwrap_or_else(|| name.to_string());
    param.resource = Some(resource.clone());
    plan.apps[producer.0].operations[producer.1].produces = Some(Produces::field(resource, field));
    true
}

/// The documents' OpenAPI links (`$response.body#/field` expressions), and producers
/// whose answers carry a `Location` header. A link into another document or host is
/// ignored with a warning: requests go only to the gateway's origin.
fn apply_spec_links(plan: &mut Plan) {
    let mut found = Vec::new();
    for (a, app) in plan.apps.iter().enumerate() {
        for (o, op) in app.operations.iter().enumerate() {
            for spec_link in &op.spec_links {
                found.push((
                    (a, o),
                    app.prefix.clone(),
                    op.method,
                    op.path.clone(),
                    spec_link.clone(),
                ));
            }
        }
    }
    for (producer, prefix, method, path, spec_link) in found {
        let from = format!("{} {path}: link {:?}", method.as_str(), spec_link.name);
        if let Some(server) = &spec_link.server {
            plan.warnings.push(format!(
                "{from}: names server {server:?}; ignored, requests go only to the gateway"
            ));
            continue;
        }
        let consumer = match &spec_link.target {
            LinkTarget::Id(id) => find(plan, |op| op.operation_id.as_deref() == Some(id.as_str())),
            LinkTarget::Ref(reference) => match operation_ref(reference) {
                Some((ref_path, ref_method)) => {
                    let full = format!("{prefix}{ref_path}");
                    find(plan, |op| {
                        op.path == full && op.method.as_str().eq_ignore_ascii_case(&ref_method)
                    })
                }
                None => {
                    plan.warnings.push(format!(
                        "{from}: operationRef {reference:?} is not a local #/paths reference; ignored"
                    ));
                    continue;
                }
            },
        };
        let Some(consumer) = consumer else {
            plan.warnings
                .push(format!("{from}: leads to no planned operation; ignored"));
            continue;
        };
        for (name, expression) in &spec_link.parameters {
            let field = expression
                .strip_prefix("$response.body#/")
                .filter(|f| !f.is_empty() && !f.contains('/'));
            let Some(field) = field else {
                plan.warnings.push(format!(
                    "{from}: parameter {name:?} takes {expression:?}; only $response.body#/<field> is followed"
                ));
                continue;
            };
            if !link(plan, producer, field, consumer, name) {
                plan.warnings.push(format!(
                    "{from}: the target has no parameter {name:?}; ignored"
                ));
            }
        }
    }
    for app in &mut plan.apps {
        for op in &mut app.operations {
            if op.produces.is_none() && op.answers_location && op.method == Method::Post {
                if let Some(resource) = collection(&op.path) {
                    op.produces = Some(Produces {
                        resource,
                        id: IdFrom::Location,
                    });
                }
            }
        }
    }
}

/// `#/paths/~1users~1{id}/get` → (`/users/{id}`, `get`).
fn operation_ref(reference: &str) -> Option<(String, String)> {
    let rest = reference.strip_prefix("#/paths/")?;
    let (path, method) = rest.rsplit_once('/')?;
    let path = path.replace("~1", "/").replace("~0", "~");
    Some((path, method.to_string()))
}

/// The configuration's `[[links.add]]` and `[[links.remove]]`.
fn apply_config(plan: &mut Plan, config: &LinkSettings) -> Result<(), String> {
    let missing = |key: &str, which: &str| {
        format!(
            "use links.{which} {key:?}: no planned operation is {key:?}; name it as `discover` lists it (METHOD /path with the app's prefix)"
        )
    };
    for add in &config.add {
        let producer =
            find_key(plan, &add.producer).ok_or_else(|| missing(&add.producer, "add"))?;
        let consumer =
            find_key(plan, &add.consumer).ok_or_else(|| missing(&add.consumer, "add"))?;
        let role = add.role.as_deref().map(str::trim);
        if let Some(role) = role.filter(|r| !r.eq_ignore_ascii_case(DELETE_ROLE)) {
            return Err(format!(
                "use links.add {:?} -> {:?}: role {role:?} is not known; the one role is \"{DELETE_ROLE}\" (the consumer deletes the resource), or leave role out",
                add.producer, add.consumer
            ));
        }
        if !link(plan, producer, &add.field, consumer, &add.parameter) {
            return Err(format!(
                "use links.add: {:?} has no parameter {:?}",
                add.consumer, add.parameter
            ));
        }
        if role.is_some() {
            // The consumer deletes the resource its linked parameter names.
            let produced = plan.apps[producer.0].operations[producer.1]
                .produces
                .as_ref()
                .map(|p| p.resource.clone());
            plan.apps[consumer.0].operations[consumer.1].deletes = produced;
        }
    }
    for remove in &config.remove {
        let consumer =
            find_key(plan, &remove.consumer).ok_or_else(|| missing(&remove.consumer, "remove"))?;
        let op = &mut plan.apps[consumer.0].operations[consumer.1];
        let param = op
            .params
            .iter_mut()
            .find(|p| p.name == remove.parameter)
            .ok_or_else(|| {
                format!(
                    "use links.remove: {:?} has no parameter {:?}",
                    remove.consumer, remove.parameter
                )
            })?;
        param.resource = None;
    }
    Ok(())
}

/// What each operation needs made first: the resources its path parameters name, then
/// those its JSON body's required properties name (`"model_id"` of
/// `POST /model_versions`, `"project"` of most creates), when the API has a create for
/// them. A body's own resource (what a create makes) is not one of them. One that
/// existed before the run will do for a body, and for what the API cannot delete.
fn set_needs(app: &mut AppPlan, producers: &HashMap<String, Vec<(Method, String)>>) {
    let AppPlan {
        operations,
        schemas,
        ..
    } = app;
    let mut deleted: Vec<String> = operations
        .iter()
        .filter_map(|op| op.deletes.clone())
        .collect();
    // What is made under a parent that is deleted goes with it (a session's uploads).
    let with_parents: Vec<String> = operations
        .iter()
        .filter_map(|op| {
            let made = op.produces.as_ref()?;
            op.params
                .iter()
                .filter(|p| p.location == Location::Path)
                .any(|p| p.resource.as_ref().is_some_and(|r| deleted.contains(r)))
                .then(|| made.resource.clone())
        })
        .collect();
    deleted.extend(with_parents);
    for op in operations.iter_mut() {
        let mut needs = Vec::new();
        let path_resources = op
            .params
            .iter()
            .filter(|p| p.location == Location::Path)
            .filter_map(|p| p.resource.clone());
        let own = op.produces.as_ref().map(|p| p.resource.clone());
        let body_resources = required_references(op, schemas)
            .into_iter()
            .filter(|r| Some(r) != own.as_ref() && producers.contains_key(r));
        let mut resources: Vec<(String, bool)> = Vec::new();
        let named = path_resources
            .map(|r| (r, false))
            .chain(body_resources.map(|r| (r, true)));
        for (resource, in_body) in named {
            if !resources.iter().any(|(r, _)| *r == resource) {
                resources.push((resource, in_body));
            }
        }
        for (resource, in_body) in &resources {
            // What the API cannot delete would be left behind: one that exists will do.
            let undeletable = !deleted.contains(resource);
            // The operation cannot produce what it needs itself.
            let producer = producers.get(resource).and_then(|all| {
                all.iter()
                    .find(|(m, p)| !(*m == op.method && *p == op.path))
            });
            if let Some((method, path)) = producer {
                needs.push(Need {
                    resource: resource.clone(),
                    producer_method: *method,
                    producer_path: path.clone(),
                    existing_will_do: *in_body || undeletable,
                });
            }
        }
        op.needs = needs;
    }
}

/// The resources a JSON body's required top-level properties refer to by name
/// (`model_id`, `stack_name`, or a bare `project` / `model`).
fn required_references(
    op: &Operation,
    schemas: &serde_json::Map<String, serde_json::Value>,
) -> Vec<String> {
    let Some(body) = op.body.as_ref().filter(|b| b.media == Media::Json) else {
        return Vec::new();
    };
    let schema = crate::spec::shared::resolve(schemas, &body.schema);
    let required = schema.get("required").and_then(serde_json::Value::as_array);
    required
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .filter_map(|name| resource_of(name, None).or_else(|| bare_resource(name)))
        .collect()
}

/// A property named after a resource itself (`project`, `model`), not a field of one.
fn bare_resource(name: &str) -> Option<String> {
    const NEVER: [&str; 10] = [
        "limit", "offset", "page", "size", "sort", "order", "status", "type", "name", "body",
    ];
    (!NEVER.contains(&name))
        .then(|| resource_key(name))
        .flatten()
}

/// What a POST creates: a bare `id` names the collection it was posted to; otherwise the
/// first `*_id` field that is not one of the operation's own path resources; for a
/// resource keyed by its name (`POST /secrets/create_or_update` answering `{"name"}`),
/// its `name`, `key` or `slug`. A POST that reads (`/flows/filter`) or deletes creates
/// nothing.
fn producer(op: &Operation) -> Option<Produces> {
    if op.method != Method::Post || matches!(final_verb(&op.path), Some(Verb::Read | Verb::Delete))
    {
        return None;
    }
    let own: Vec<&str> = op
        .params
        .iter()
        .filter_map(|p| p.resource.as_deref())
        .collect();
    // `POST /flags/{name}/toggle` acts on the flag: `toggle` is no collection. A copy
    // (`POST /chats/{id}/clone`) makes another of the resource it names.
    let action = action_on_element(&op.path);
    if let Some(word) = &action {
        let copied = last_path_param(op);
        let has_id = op.response_fields.iter().any(|f| f == "id");
        if COPY_VERBS.contains(&word.as_str()) && has_id {
            return copied
                .and_then(|p| p.resource.clone())
                .map(|resource| Produces::field(resource, "id"));
        }
    }
    let collection = collection(&op.path).filter(|_| action.is_none());
    // `{"id": <run>, "tag_id": <tag>}` of `POST /runs/{run_id}/tags/new`: the tag's own
    // `tag_id` names what it made; `id` there is the run it was added to.
    if let Some(resource) = collection.clone() {
        let own = op.response_fields.iter().find(|f| {
            f.strip_suffix("_id")
                .is_some_and(|stem| resource_key(stem).as_deref() == Some(resource.as_str()))
        });
        if let Some(field) = own {
            return Some(Produces::field(resource, field));
        }
    }
    if op.response_fields.iter().any(|f| f == "id") {
        if let Some(resource) = collection.clone() {
            return Some(Produces::field(resource, "id"));
        }
    }
    let by_id = op.response_fields.iter().find_map(|field| {
        let resource = resource_of(field, None)?;
        (!own.contains(&resource.as_str())).then(|| Produces::field(resource, field))
    });
    by_id.or_else(|| {
        let resource = collection.filter(|r| !own.contains(&r.as_str()))?;
        let field = ["name", "key", "slug"]
            .into_iter()
            .find(|k| op.response_fields.iter().any(|f| f == k))?;
        Some(Produces::field(resource, field))
    })
}

/// The path parameter that comes last in the path (`{database_name}` of
/// `/tenants/{tenant}/databases/{database_name}`), whatever order the spec lists them in.
fn last_path_param(op: &Operation) -> Option<&crate::spec::model::Param> {
    op.params
        .iter()
        .filter(|p| p.location == Location::Path)
        .max_by_key(|p| op.path.rfind(&format!("{{{}}}", p.name)))
}

/// A create whose answer is not documented (`{}`) but whose JSON body requires the new
/// resource's `name` (or `key`, `slug`): it makes its collection, keyed by that name
/// (the runtime reads it from the answer, or takes what the body sent).
fn named_by_its_body(
    op: &Operation,
    schemas: &serde_json::Map<String, serde_json::Value>,
) -> Option<Produces> {
    if op.method != Method::Post
        || !op.response_fields.is_empty()
        || final_verb(&op.path).is_some()
        || action_on_element(&op.path).is_some()
    {
        return None;
    }
    let body = op.body.as_ref().filter(|b| b.media == Media::Json)?;
    let schema = crate::spec::shared::resolve(schemas, &body.schema);
    let required = schema.get("required")?.as_array()?;
    let field = ["name", "key", "slug"]
        .into_iter()
        .find(|k| required.iter().any(|r| r.as_str() == Some(k)))?;
    let own: Vec<&str> = op
        .params
        .iter()
        .filter_map(|p| p.resource.as_deref())
        .collect();
    let resource = collection(&op.path).filter(|r| !own.contains(&r.as_str()))?;
    Some(Produces::field(resource, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_resources() {
        assert_eq!(resource_of("session_id", None).as_deref(), Some("session"));
        assert_eq!(resource_of("docId", None).as_deref(), Some("doc"));
        assert_eq!(
            resource_of("id", Some("contacts")).as_deref(),
            Some("contact")
        );
        assert_eq!(resource_of("id", Some("v1")), None);
        assert_eq!(resource_of("_id", Some("note")).as_deref(), Some("note"));
        assert_eq!(resource_of("uuid", None), None);
        assert_eq!(resource_of("limit", None), None);
        assert_eq!(resource_of("category_ids", None), None);
    }

    #[test]
    fn names_slugs_keys_and_identifiers_name_resources_too() {
        assert_eq!(
            resource_of("work_pool_name", None).as_deref(),
            Some("workpool")
        );
        assert_eq!(
            resource_of("project_identifier", None).as_deref(),
            Some("project")
        );
        assert_eq!(
            resource_of("name", Some("work_pools")).as_deref(),
            Some("workpool")
        );
        assert_eq!(
            resource_of("id_or_name", Some("limits")).as_deref(),
            Some("limit")
        );
        assert_eq!(
            resource_of("key", Some("artifacts")).as_deref(),
            Some("artifact")
        );
        assert_eq!(
            resource_of("project", Some("project")).as_deref(),
            Some("project")
        );
        assert_eq!(resource_of("flowRunName", None).as_deref(), Some("flowrun"));
        assert_eq!(
            resource_of("project_name_or_id", None).as_deref(),
            Some("project")
        );
        // A bare key needs a collection before it, and a verb is not one.
        assert_eq!(resource_of("name", None), None);
        assert_eq!(resource_of("name", Some("create")), None);
        assert_eq!(resource_of("name", Some("v2")), None);
    }

    #[test]
    fn verbs_are_actions_not_resources() {
        assert_eq!(verb("create_or_update"), Some(Verb::Create));
        assert_eq!(verb("createOrUpdate"), Some(Verb::Create));
        assert_eq!(verb("filter"), Some(Verb::Read));
        assert_eq!(verb("delete"), Some(Verb::Delete));
        assert_eq!(verb("tickets"), None);
        assert_eq!(verb("get-batch"), Some(Verb::Read));
        assert_eq!(verb("get_step"), Some(Verb::Read));
        assert_eq!(verb("delete-many"), Some(Verb::Delete));
        assert_eq!(verb("read_receipts"), None);
        assert_eq!(verb("get_or_create"), None);
        assert_eq!(
            collection("/project/{p}/secrets/create_or_update").as_deref(),
            Some("secret")
        );
        assert_eq!(
            collection("/project/{p}/secrets/delete").as_deref(),
            Some("secret")
        );
        assert_eq!(
            collection("/uploadarchive"),
            Some("uploadarchive".to_string())
        );
        assert_eq!(collection("/create"), None);
        assert_eq!(
            answer_resource("/work_pools/filter").as_deref(),
            Some("workpool")
        );
        assert_eq!(
            answer_resource("/artifacts/{key}/latest").as_deref(),
            Some("artifact")
        );
        assert_eq!(
            answer_resource("/projects/{id}/members").as_deref(),
            Some("member")
        );
        assert_eq!(answer_resource("/v2/limits/").as_deref(), Some("limit"));
    }

    #[test]
    fn a_singular_word_after_a_parameter_is_an_action_not_a_collection() {
        assert_eq!(
            action_on_element("/flags/{flag_name}/toggle").as_deref(),
            Some("toggle")
        );
        assert_eq!(
            action_on_element("/workspaces/{p}/run-metadata").as_deref(),
            Some("runmetadata")
        );
        assert_eq!(action_on_element("/projects/{id}/members"), None);
        assert_eq!(action_on_element("/work_pools/{name}/queues/"), None);
        assert_eq!(action_on_element("/project/{p}/secrets/delete"), None);
        assert_eq!(action_on_element("/chats/new"), None);
        assert_eq!(action_on_element("/users/{id}/sessions/revoke"), None);
    }

    #[test]
    fn singulars() {
        for (plural, one) in [
            ("tickets", "ticket"),
            ("categories", "category"),
            ("boxes", "box"),
            ("status", "status"),
            ("addresses", "address"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }

    #[test]
    fn segments_and_collections() {
        assert_eq!(
            previous_segment("/docman/contacts/{id}", "id"),
            Some("contacts")
        );
        assert_eq!(previous_segment("/{a}/{id}", "id"), None);
        assert_eq!(
            collection("/api/v1/documents/sessions"),
            Some("session".to_string())
        );
        assert_eq!(collection("/a/{x}"), None);
        // Producers and consumers spell a resource the same way.
        assert_eq!(
            collection("/api/flow_runs"),
            resource_of("id", Some("flow_runs"))
        );
        assert_eq!(
            collection("/api/flow_runs"),
            resource_of("flow_run_id", None)
        );
    }
}
