//! The load-test plan: every operation of every discovered app, keyed by method and
//! prefixed path (never by operationId, which FastAPI duplicates), with its parameters,
//! body and expected statuses. Schemas keep their `$ref`s: each component schema they
//! reach is held once, in the app's plan (`shared.rs`).

use super::discovery::{DiscoveredApp, Discovery};
use super::filter::Filter;
use super::links;
use super::model::{
    AppPlan, Body, LinkTarget, Location, Media, Method, Operation, Param, Plan, SpecLink,
    StatusRange,
};
use super::normalize;
use super::parse;
use super::shared;
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde_json::{Map, Value};

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Links(String),
    #[error("read the OpenAPI document of app {app:?} ({path}): {source}")]
    Document {
        app: String,
        path: String,
        source: normalize::NormalizeError,
    },
}

/// Builds the plan of every app in `discovery`.
pub fn build(discovery: &Discovery, filter: &Filter) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    for app in &discovery.apps {
        let app_plan = plan_app(app, filter, &mut plan)?;
        plan.apps.push(app_plan);
    }
    if filter.infer_links {
        super::budget::at("infer the links between operations");
        links::infer(&mut plan, &filter.links).map_err(PlanError::Links)?;
    }
    Ok(plan)
}

fn plan_app(app: &DiscoveredApp, filter: &Filter, plan: &mut Plan) -> Result<AppPlan, PlanError> {
    let mut document = app.document.clone();
    let doc_error = |source| PlanError::Document {
        app: app.name.clone(),
        path: app.openapi_path.clone(),
        source,
    };
    super::budget::at(format!(
        "read the OpenAPI document of app {:?} ({})",
        app.name, app.openapi_path
    ));
    let warnings = normalize::normalize(&mut document).map_err(doc_error)?;
    for w in warnings {
        plan.warnings
            .push(format!("{} ({}): {w}", app.name, app.openapi_path));
    }
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (openapi, _) = parse::to_openapi(document).map_err(doc_error)?;
    let mut operations = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for (path, item) in openapi.paths.paths.iter() {
        let Some(item) = item.as_item() else {
            plan.warnings
                .push(format!("{}: path {path:?} is a $ref; skipped", app.name));
            continue;
        };
        for (method_name, op) in item.iter() {
            let full_path = format!("{}{}", app.prefix, path);
            let method = match filter.admit(method_name, &full_path, operations.len()) {
                Ok(method) => method,
                Err(excluded) => {
                    plan.excluded.push(excluded);
                    continue;
                }
            };
            super::budget::at(format!(
                "plan {} {full_path} (app {:?})",
                method.as_str(),
                app.name
            ));
            let context = Context {
                openapi: &openapi,
                schemas: &schemas,
                used: &mut used,
                warnings: &mut plan.warnings,
                where_: format!("{} {full_path}", method.as_str()),
            };
            operations.push(plan_operation(
                context,
                method,
                full_path,
                &item.parameters,
                op,
            ));
        }
    }
    super::budget::at(format!("collect the shared schemas of app {:?}", app.name));
    let shared = shared::reachable(used, &schemas, &mut plan.warnings);
    // The envelope of an answer may sit behind a reference: read through them.
    for op in &mut operations {
        if let Some(schema) = &op.response_schema {
            op.response_fields = top_level_fields(&shared, schema);
        }
    }
    Ok(AppPlan {
        name: app.name.clone(),
        title: app.title.clone(),
        prefix: app.prefix.clone(),
        operations,
        schemas: shared,
    })
}

struct Context<'a> {
    openapi: &'a OpenAPI,
    schemas: &'a Map<String, Value>,
    used: &'a mut std::collections::BTreeSet<String>,
    warnings: &'a mut Vec<String>,
    where_: String,
}

/// Whether `name` is an HTTP token (RFC 9110 `tchar`s): what a header or cookie name
/// may be.
fn is_http_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The component a local `$ref` (`#/components/<kind>/<name>`) names, from the
/// document's `components.<kind>`: the one resolver of parameters, request bodies and
/// responses (schemas keep their `$ref`s: see `shared`). A reference to a reference is
/// not followed (FastAPI writes none).
fn component<'a, T: 'a>(
    reference: &str,
    kind: &str,
    get: impl FnOnce(&str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    let name = reference
        .strip_prefix("#/components/")?
        .strip_prefix(kind)?
        .strip_prefix('/')?;
    get(name)?.as_item()
}

fn plan_operation(
    mut cx: Context<'_>,
    method: Method,
    path: String,
    shared: &[ReferenceOr<Parameter>],
    op: &openapiv3::Operation,
) -> Operation {
    let mut params: Vec<Param> = Vec::new();
    // Operation-level parameters override path-level ones of the same name and location.
    for param in op.parameters.iter().chain(shared) {
        let Some(param) = plan_param(&mut cx, param) else {
            continue;
        };
        if !params
            .iter()
            .any(|p| p.name == param.name && p.location == param.location)
        {
            params.push(param);
        }
    }
    // A `{name}` in the path that no parameter declares still needs a value.
    for name in super::template::names(&path) {
        if !params
            .iter()
            .any(|p| p.location == Location::Path && p.name == name)
        {
            cx.warnings.push(format!(
                "{}: path parameter {name:?} is not declared; sent as a string",
                cx.where_
            ));
            params.push(Param {
                name: name.to_string(),
                location: Location::Path,
                required: true,
                schema: serde_json::json!({"type": "string"}),
                resource: None,
            });
        }
    }
    let body = op
        .request_body
        .as_ref()
        .and_then(|body| plan_body(&mut cx, body));
    let (success, response_media, response_fields, response_schema) =
        plan_responses(&mut cx, &op.responses);
    let (spec_links, answers_location) = response_links(&op.responses);
    Operation {
        method,
        path,
        operation_id: op.operation_id.clone(),
        summary: op.summary.clone(),
        params,
        body,
        success,
        response_media,
        response_fields,
        response_schema,
        spec_links,
        answers_location,
        produces: None,
        deletes: None,
        needs: Vec::new(),
    }
}

fn plan_param(cx: &mut Context<'_>, param: &ReferenceOr<Parameter>) -> Option<Param> {
    let param = match param {
        ReferenceOr::Item(p) => p,
        ReferenceOr::Reference { reference } => {
            let get = |name: &str| cx.openapi.components.as_ref()?.parameters.get(name);
            match component(reference, "parameters", get) {
                Some(p) => p,
                None => {
                    cx.warnings.push(format!(
                        "{}: parameter $ref {reference:?} not found; skipped",
                        cx.where_
                    ));
                    return None;
                }
            }
        }
    };
    let location = match param {
        Parameter::Query { .. } => Location::Query,
        Parameter::Header { .. } => Location::Header,
        Parameter::Path { .. } => Location::Path,
        Parameter::Cookie { .. } => Location::Cookie,
    };
    let data = param.parameter_data_ref();
    // A header or cookie whose name HTTP cannot carry would make every request fail.
    if matches!(location, Location::Header | Location::Cookie) && !is_http_token(&data.name) {
        cx.warnings.push(format!(
            "{}: {} parameter {:?} is not a valid HTTP name; left out",
            cx.where_,
            location.as_str(),
            data.name
        ));
        return None;
    }
    let mut schema = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => schema_json(cx, schema),
        ParameterSchemaOrContent::Content(content) => content
            .values()
            .find_map(|media| media.schema.as_ref())
            .map(|schema| schema_json(cx, schema))
            .unwrap_or_else(|| serde_json::json!({})),
    };
    let example = data.example.clone().or_else(|| {
        data.examples
            .values()
            .find_map(|e| e.as_item().and_then(|e| e.value.clone()))
    });
    if let (Some(example), Some(object)) = (example, schema.as_object_mut()) {
        object.entry("example").or_insert(example);
    }
    Some(Param {
        name: data.name.clone(),
        location,
        required: data.required || location == Location::Path,
        schema,
        resource: None,
    })
}

fn plan_body(cx: &mut Context<'_>, body: &ReferenceOr<openapiv3::RequestBody>) -> Option<Body> {
    let body = match body {
        ReferenceOr::Item(b) => b,
        ReferenceOr::Reference { reference } => {
            let get = |name: &str| cx.openapi.components.as_ref()?.request_bodies.get(name);
            match component(reference, "requestBodies", get) {
                Some(b) => b,
                None => {
                    cx.warnings.push(format!(
                        "{}: requestBody $ref {reference:?} not found; sent without a body",
                        cx.where_
                    ));
                    return None;
                }
            }
        }
    };
    let preferred = [
        ("application/json", Media::Json),
        ("multipart/form-data", Media::Multipart),
        ("application/x-www-form-urlencoded", Media::Form),
    ];
    let chosen = preferred.iter().find_map(|(wanted, media)| {
        body.content
            .iter()
            .find(|(ct, _)| {
                ct.split(';')
                    .next()
                    .is_some_and(|base| base.trim().eq_ignore_ascii_case(wanted))
            })
            .map(|(ct, mt)| (ct.clone(), *media, mt))
    });
    let chosen = chosen.or_else(|| {
        // `application/*+json` is JSON too.
        body.content
            .iter()
            .find(|(ct, _)| ct.contains("json"))
            .map(|(ct, mt)| (ct.clone(), Media::Json, mt))
    });
    // `*/*` and `application/*` take anything: an object or array is sent as JSON.
    let chosen = chosen.or_else(|| {
        body.content
            .iter()
            .find(|(ct, mt)| is_wildcard(ct) && structured(cx, mt))
            .map(|(ct, mt)| (ct.clone(), Media::Json, mt))
    });
    let Some((content_type, media, media_type)) = chosen else {
        let types: Vec<&String> = body.content.keys().collect();
        cx.warnings.push(format!(
            "{}: no JSON, form or multipart body among {types:?}; sent without a body",
            cx.where_
        ));
        return None;
    };
    let mut schema = media_type
        .schema
        .as_ref()
        .map(|s| schema_json(cx, s))
        .unwrap_or_else(|| serde_json::json!({}));
    if let (Some(example), Some(object)) = (media_type.example.clone(), schema.as_object_mut()) {
        object.entry("example").or_insert(example);
    }
    Some(Body {
        media,
        content_type,
        required: body.required,
        schema,
    })
}

/// `*/*` or `application/*` (parameters aside).
fn is_wildcard(content_type: &str) -> bool {
    let base = content_type.split(';').next().unwrap_or("").trim();
    base == "*/*" || base.eq_ignore_ascii_case("application/*")
}

/// Whether a media type's schema is an object or an array (through references).
fn structured(cx: &Context<'_>, media: &openapiv3::MediaType) -> bool {
    let Some(schema) = &media.schema else {
        return false;
    };
    let value = serde_json::to_value(schema).unwrap_or_default();
    let resolved = shared::resolve(cx.schemas, &value);
    matches!(
        resolved.get("type").and_then(Value::as_str),
        Some("object" | "array")
    ) || resolved.get("properties").is_some()
        || resolved.get("items").is_some()
}

fn plan_responses(
    cx: &mut Context<'_>,
    responses: &openapiv3::Responses,
) -> (Vec<StatusRange>, Option<String>, Vec<String>, Option<Value>) {
    let mut success = Vec::new();
    let mut media = None;
    let fields = Vec::new();
    let mut response_schema = None;
    for (code, response) in &responses.responses {
        let range = match code {
            StatusCode::Code(c) => StatusRange { min: *c, max: *c },
            StatusCode::Range(r) => StatusRange {
                min: r * 100,
                max: r * 100 + 99,
            },
        };
        if !(200..400).contains(&range.min) {
            continue;
        }
        success.push(range);
        if media.is_none() {
            let response = match response {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { reference } => {
                    let get = |name: &str| cx.openapi.components.as_ref()?.responses.get(name);
                    component(reference, "responses", get)
                }
            };
            // A JSON answer when one is documented (`+json` too), else the first.
            let first = response.and_then(|r| {
                r.content
                    .iter()
                    .find(|(ct, _)| ct.contains("json"))
                    .or_else(|| r.content.iter().next())
            });
            media = first.map(|(content_type, _)| content_type.clone());
            if let Some(schema) = first.and_then(|(_, media_type)| media_type.schema.as_ref()) {
                // Its fields are read once the shared schemas are known.
                response_schema = Some(schema_json(cx, schema));
            }
        }
    }
    if success.is_empty() {
        // No documented success: any 2xx will do.
        success.push(StatusRange { min: 200, max: 299 });
    }
    (success, media, fields, response_schema)
}

/// The `links` and whether a `Location` header is declared, of the success responses.
fn response_links(responses: &openapiv3::Responses) -> (Vec<SpecLink>, bool) {
    let mut found = Vec::new();
    let mut location = false;
    for (code, response) in &responses.responses {
        let is_success = match code {
            StatusCode::Code(c) => (200..300).contains(c),
            StatusCode::Range(r) => *r == 2,
        };
        let Some(response) = response.as_item().filter(|_| is_success) else {
            continue;
        };
        location |= response
            .headers
            .keys()
            .any(|name| name.eq_ignore_ascii_case("location"));
        for (name, link) in &response.links {
            let Some(link) = link.as_item() else { continue };
            let target = match &link.operation {
                openapiv3::LinkOperation::OperationId(id) => LinkTarget::Id(id.clone()),
                openapiv3::LinkOperation::OperationRef(reference) => {
                    LinkTarget::Ref(reference.clone())
                }
            };
            let parameters = link
                .parameters
                .iter()
                .filter_map(|(param, expression)| {
                    Some((param.clone(), expression.as_str()?.to_string()))
                })
                .collect();
            found.push(SpecLink {
                name: name.clone(),
                target,
                parameters,
                server: link.server.as_ref().map(|server| server.url.clone()),
            });
        }
    }
    (found, location)
}

/// Property names of an object schema, also through a single-member `allOf` and
/// references to `schemas`.
fn top_level_fields(schemas: &Map<String, Value>, schema: &Value) -> Vec<String> {
    let schema = shared::resolve(schemas, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        // An answer wrapped in an envelope (`{"data": {...}}`) describes what it wraps:
        // the runtime reads creates through the same envelopes (known::created).
        if !properties.contains_key("id") {
            for envelope in ["data", "item", "result"] {
                let inner = properties
                    .get(envelope)
                    .map(|inner| top_level_fields(schemas, inner));
                if let Some(inner) = inner.filter(|fields| !fields.is_empty()) {
                    return inner;
                }
            }
        }
        return properties.keys().cloned().collect();
    }
    match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => top_level_fields(schemas, only),
        _ => Vec::new(),
    }
}

/// The schema as JSON, its `$ref`s to component schemas kept (and recorded as used);
/// one that cannot be followed is any value, with a warning naming the operation.
fn schema_json(cx: &mut Context<'_>, schema: &ReferenceOr<openapiv3::Schema>) -> Value {
    let mut raw = serde_json::to_value(schema).unwrap_or_else(|_| serde_json::json!({}));
    shared::check_refs(&mut raw, cx.schemas, cx.used, cx.warnings, &cx.where_);
    raw
}

// Also used by filter.rs's tests.
#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn app(name: &str, prefix: &str, document: Value) -> DiscoveredApp {
        DiscoveredApp {
            name: name.to_string(),
            title: name.to_string(),
            prefix: prefix.to_string(),
            openapi_path: format!("{prefix}/openapi.json"),
            document,
        }
    }

    pub(crate) fn discovery(apps: Vec<DiscoveredApp>) -> Discovery {
        Discovery {
            apps,
            warnings: Vec::new(),
        }
    }

    /// Required string path parameters with these names.
    fn path_params(names: &[&str]) -> Value {
        names
            .iter()
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect()
    }

    pub(crate) fn doc(paths: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": {
                "Item": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "child": {"$ref": "#/components/schemas/Item"}
                }}
            }}
        })
    }

    #[test]
    fn operations_are_keyed_by_method_and_prefixed_path_even_with_duplicate_operation_ids() {
        let d = doc(json!({
            "/ping": {
                "get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}},
                "post": {"operationId": "ping", "responses": {"201": {"description": "ok"}}}
            }
        }));
        let plan = build(
            &discovery(vec![app("docman", "/docman", d)]),
            &Filter::default(),
        )
        .unwrap();
        let ops: Vec<_> = plan.apps[0]
            .operations
            .iter()
            .map(|o| (o.method, o.path.as_str(), o.success[0].min))
            .collect();
        assert_eq!(
            ops,
            vec![
                (Method::Get, "/docman/ping", 200),
                (Method::Post, "/docman/ping", 201)
            ]
        );
    }

    #[test]
    fn refs_are_kept_and_each_schema_is_held_once() {
        let d = doc(json!({
            "/items": {"post": {
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Item"}}}},
                "responses": {"201": {"description": "ok", "content": {"application/json": {}}}}
            }}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let op = &plan.apps[0].operations[0];
        let body = op.body.as_ref().unwrap();
        assert_eq!(body.media, Media::Json);
        assert!(body.required);
        assert_eq!(body.schema["$ref"], "#/components/schemas/Item");
        let item = &plan.apps[0].schemas["Item"];
        assert_eq!(
            item["properties"]["child"]["$ref"],
            "#/components/schemas/Item"
        );
        assert_eq!(plan.apps[0].schemas.len(), 1);
        assert_eq!(op.response_media.as_deref(), Some("application/json"));
    }

    #[test]
    fn wildcard_bodies_of_objects_and_arrays_are_json_and_plus_json_answers_are_read() {
        let body = |content_type: &str, schema: Value| {
            json!({"requestBody": {"content": {content_type: {"schema": schema}}},
                   "responses": {"200": {"description": "ok", "content": {
                       "application/xml": {"schema": {"type": "string"}},
                       "application/problem+json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}})
        };
        let d = doc(json!({
            "/a": {"post": body("*/*", json!({"$ref": "#/components/schemas/Item"}))},
            "/b": {"post": body("application/*", json!({"type": "array", "items": {"type": "integer"}}))},
            "/c": {"post": body("application/merge-patch+json", json!({"type": "object"}))},
            "/d": {"post": body("*/*", json!({"type": "string", "format": "binary"}))}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let media = |path: &str| {
            let op = op(&plan, Method::Post, path);
            op.body.as_ref().map(|b| (b.media, b.content_type.clone()))
        };
        assert_eq!(media("/a"), Some((Media::Json, "*/*".to_string())));
        assert_eq!(
            media("/b"),
            Some((Media::Json, "application/*".to_string()))
        );
        assert_eq!(
            media("/c"),
            Some((Media::Json, "application/merge-patch+json".to_string()))
        );
        assert_eq!(media("/d"), None);
        let a = op(&plan, Method::Post, "/a");
        assert_eq!(
            a.response_media.as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(a.response_fields, ["name", "child"]);
    }

    #[test]
    fn a_ref_to_nothing_is_a_warning_naming_it_and_the_operation_is_kept() {
        let d = doc(json!({
            "/items": {"post": {
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Nope"}}}},
                "responses": {"201": {"description": "ok"}}
            }}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        assert_eq!(plan.apps[0].operations.len(), 1);
        let warnings = plan.warnings.join("\n");
        assert!(warnings.contains("#/components/schemas/Nope"), "{warnings}");
    }

    #[test]
    fn parameters_keep_location_requiredness_and_examples() {
        let d = doc(json!({
            "/items/{item_id}": {"get": {
                "parameters": [
                    {"name": "item_id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}, "example": 5},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}}
            }}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let params = &plan.apps[0].operations[0].params;
        assert_eq!(params[0].location, Location::Path);
        assert!(params[0].required);
        assert_eq!(params[1].location, Location::Query);
        assert!(!params[1].required);
        assert_eq!(params[1].schema["example"], 5);
        assert_eq!(params[2].location, Location::Header);
    }

    /// `POST /orders` answers `{"ref": ...}`; `GET /o/{key}` and `GET /p/{code}` take it only
    /// through the links given (their names say nothing).
    fn linked_doc(links: Value, headers: Value) -> Value {
        doc(json!({
            "/orders": {"post": {"operationId": "makeOrder", "responses": {"201": {
                "description": "made", "headers": headers, "links": links,
                "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"ref": {"type": "string"}}}}}
            }}}},
            "/o/{key}": {"get": {"operationId": "getOrder",
                "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}}}},
            "/p/{code}": {"get": {"operationId": "getP",
                "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}}}}
        }))
    }

    fn op<'a>(plan: &'a Plan, method: Method, path: &str) -> &'a Operation {
        plan.apps[0]
            .operations
            .iter()
            .find(|o| o.method == method && o.path == path)
            .unwrap()
    }

    #[test]
    fn openapi_links_by_id_and_ref_make_producers_and_needs() {
        let d = linked_doc(
            json!({
                "ByKey": {"operationId": "getOrder", "parameters": {"key": "$response.body#/ref"}},
                "ByRef": {"operationRef": "#/paths/~1p~1{code}/get", "parameters": {"path.code": "$response.body#/ref"}},
                "Elsewhere": {"operationId": "getP", "server": {"url": "http://evil.example"},
                              "parameters": {"code": "$response.body#/ref"}},
                "Deep": {"operationId": "getP", "parameters": {"code": "$response.body#/a/b"}}
            }),
            json!({}),
        );
        let plan = build(&discovery(vec![app("root", "/svc", d)]), &Filter::default()).unwrap();
        let producer = op(&plan, Method::Post, "/svc/orders");
        let produces = producer
            .produces
            .as_ref()
            .expect("the link makes POST a producer");
        assert_eq!(produces.id.field(), Some("ref"));
        for path in ["/svc/o/{key}", "/svc/p/{code}"] {
            let consumer = op(&plan, Method::Get, path);
            assert_eq!(
                consumer.params[0].resource.as_deref(),
                Some(produces.resource.as_str()),
                "{path}"
            );
            assert_eq!(consumer.needs.len(), 1, "{path}");
            assert_eq!(consumer.needs[0].producer_path, "/svc/orders");
        }
        let warnings = plan.warnings.join("\n");
        assert!(
            warnings.contains("\"Elsewhere\"") && warnings.contains("evil.example"),
            "{warnings}"
        );
        assert!(warnings.contains("\"Deep\""), "{warnings}");
    }

    #[test]
    fn a_location_header_makes_a_producer_whose_id_comes_from_it() {
        let d = linked_doc(
            json!({}),
            json!({"Location": {"schema": {"type": "string"}}}),
        );
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let produces = op(&plan, Method::Post, "/orders").produces.clone().unwrap();
        assert_eq!(produces.resource, "order");
        assert_eq!(produces.id, crate::spec::model::IdFrom::Location);
    }

    #[test]
    fn an_element_of_a_collection_is_what_posting_to_it_creates_whatever_its_name_says() {
        let created = json!({"201": {"description": "made", "content": {"application/json":
            {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}});
        let gone = json!({"204": {"description": "gone"}});
        let param = |name: &str| {
            json!([{"name": name, "in": "path", "required": true,
            "schema": {"type": "string"}}])
        };
        let d = doc(json!({
            "/service_connectors": {"post": {"responses": created}},
            "/service_connectors/{connector_id}": {
                "get": {"parameters": param("connector_id"), "responses": created},
                "delete": {"parameters": param("connector_id"), "responses": gone}},
            "/workspaces": {"post": {"responses": created}},
            "/workspaces/{project_name_or_id}": {
                "delete": {"parameters": param("project_name_or_id"), "responses": gone}},
            // Nothing is posted to /files/images: its flow stays a flow.
            "/files/images/{flow_id}": {
                "get": {"parameters": param("flow_id"), "responses": created}}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let resource = |method, path| op(&plan, method, path).params[0].resource.clone();
        let connector = "/service_connectors/{connector_id}";
        assert_eq!(
            resource(Method::Get, connector).as_deref(),
            Some("serviceconnector")
        );
        assert_eq!(
            op(&plan, Method::Delete, connector).deletes.as_deref(),
            Some("serviceconnector")
        );
        let workspace = "/workspaces/{project_name_or_id}";
        assert_eq!(
            op(&plan, Method::Delete, workspace).deletes.as_deref(),
            Some("workspace")
        );
        assert_eq!(
            resource(Method::Get, "/files/images/{flow_id}").as_deref(),
            Some("flow")
        );
    }

    #[test]
    fn elements_are_named_by_their_producer_mid_path_and_undocumented_creates_make_them() {
        // Aim's shape: `{exp_id}` of an experiment, notes posted with no documented
        // answer under experiments and runs, read and deleted by `{_id}`.
        let created = json!({"201": {"description": "made", "content": {"application/json":
            {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}});
        let undocumented = json!({"201": {"description": "made", "content": {"application/json":
            {"schema": {}}}}});
        let ok = json!({"200": {"description": "ok"}});
        let d = doc(json!({
            "/experiments": {"post": {"responses": created}},
            "/experiments/{exp_id}": {"get": {"parameters": path_params(&["exp_id"]), "responses": ok}},
            "/experiments/{exp_id}/runs": {"get": {"parameters": path_params(&["exp_id"]), "responses": ok}},
            "/experiments/{exp_id}/note": {"post": {"parameters": path_params(&["exp_id"]), "responses": undocumented}},
            "/experiments/{exp_id}/note/{_id}": {
                "delete": {"parameters": path_params(&["exp_id", "_id"]), "responses": ok}},
            "/runs/{run_id}/note": {"post": {"parameters": path_params(&["run_id"]), "responses": undocumented}},
            "/runs/{run_id}/note/{_id}": {
                "get": {"parameters": path_params(&["run_id", "_id"]), "responses": ok},
                "delete": {"parameters": path_params(&["run_id", "_id"]), "responses": ok}},
            "/runs/{run_id}/tags/new": {"post": {"parameters": path_params(&["run_id"]), "responses":
                {"200": {"description": "tagged", "content": {"application/json": {"schema":
                    {"type": "object", "properties": {"id": {"type": "string"}, "tag_id": {"type": "string"},
                    "status": {"type": "string"}}}}}}}}},
            // Nothing reads or deletes one message by its key: a post there makes nothing
            // the run can name.
            "/runs/{run_id}/messages": {"post": {"parameters": path_params(&["run_id"]), "responses": undocumented}}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let runs = op(&plan, Method::Get, "/experiments/{exp_id}/runs");
        assert_eq!(runs.params[0].resource.as_deref(), Some("experiment"));
        for create in ["/experiments/{exp_id}/note", "/runs/{run_id}/note"] {
            let produces = op(&plan, Method::Post, create).produces.clone();
            assert_eq!(
                produces,
                Some(crate::spec::model::Produces::field(
                    "note".to_string(),
                    "id"
                )),
                "{create}"
            );
        }
        assert!(op(&plan, Method::Post, "/runs/{run_id}/messages")
            .produces
            .is_none());
        // Adding a tag to a run answers the run's `id` and the tag's `tag_id`.
        let tagged = op(&plan, Method::Post, "/runs/{run_id}/tags/new")
            .produces
            .clone();
        assert_eq!(
            tagged,
            Some(crate::spec::model::Produces::field(
                "tag".to_string(),
                "tag_id"
            ))
        );
        for path in [
            "/experiments/{exp_id}/note/{_id}",
            "/runs/{run_id}/note/{_id}",
        ] {
            let delete = op(&plan, Method::Delete, path);
            assert_eq!(delete.deletes.as_deref(), Some("note"), "{path}");
            assert_eq!(delete.params[1].resource.as_deref(), Some("note"), "{path}");
        }
        // The run's own parameter keeps its name's resource.
        let read = op(&plan, Method::Get, "/runs/{run_id}/note/{_id}");
        assert_eq!(read.params[0].resource.as_deref(), Some("run"));
    }

    #[test]
    fn a_nested_delete_beside_a_top_level_one_takes_off_and_deletes_nothing() {
        let created = |field: &str| {
            json!({"201": {"description": "made", "content": {"application/json":
            {"schema": {"type": "object", "properties": {field: {"type": "string"}}}}}}})
        };
        let gone = json!({"204": {"description": "gone"}});
        let d = doc(json!({
            "/tags": {"post": {"responses": created("id")}},
            "/tags/{tag_id}": {"delete": {"parameters": path_params(&["tag_id"]), "responses": gone}},
            "/runs": {"post": {"responses": created("id")}},
            "/runs/{run_id}/tags/{tag_id}": {"delete": {"parameters": path_params(&["run_id", "tag_id"]), "responses": gone}},
            // Under a version prefix, with no twin there: it deletes.
            "/api/v1/collections/{name}": {"delete": {"parameters": path_params(&["name"]), "responses": gone}},
            "/api/v2/databases/{database}/collections/{name}": {
                "delete": {"parameters": path_params(&["database", "name"]), "responses": gone}}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let deletes = |path| op(&plan, Method::Delete, path).deletes.clone();
        assert_eq!(deletes("/tags/{tag_id}").as_deref(), Some("tag"));
        assert_eq!(deletes("/runs/{run_id}/tags/{tag_id}"), None);
        assert_eq!(
            deletes("/api/v2/databases/{database}/collections/{name}").as_deref(),
            Some("collection")
        );
    }

    #[test]
    fn a_configured_link_with_the_delete_role_makes_its_consumer_the_delete() {
        // A catalog keyed by `{sku}`: nothing in the names says `sku` is a resource.
        let d = doc(json!({
            "/products": {"post": {"responses": {"201": {"description": "made", "content": {"application/json":
                {"schema": {"type": "object", "properties": {"sku": {"type": "string"}}}}}}}}},
            "/products/{sku}": {
                "get": {"parameters": [{"name": "sku", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}}},
                "delete": {"parameters": [{"name": "sku", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "gone"}}}}
        }));
        let config = |role: &str| {
            let mut text = String::new();
            for (consumer, role) in [("GET", ""), ("DELETE", role)] {
                text.push_str(&format!(
                    "[[links.add]]\nproducer = \"POST /products\"\nfield = \"sku\"\n\
                     consumer = \"{consumer} /products/{{sku}}\"\nparameter = \"sku\"\n{role}"
                ));
            }
            Filter::from_settings(&super::super::settings::parse(&text).unwrap())
        };
        let plan = build(&discovery(vec![app("root", "", d.clone())]), &config("")).unwrap();
        assert_eq!(op(&plan, Method::Delete, "/products/{sku}").deletes, None);

        let plan = build(
            &discovery(vec![app("root", "", d.clone())]),
            &config("role = \"delete\"\n"),
        )
        .unwrap();
        let produces = op(&plan, Method::Post, "/products")
            .produces
            .clone()
            .unwrap();
        assert_eq!(produces.id.field(), Some("sku"));
        let delete = op(&plan, Method::Delete, "/products/{sku}");
        assert_eq!(delete.deletes.as_deref(), Some(produces.resource.as_str()));
        assert_eq!(delete.needs.len(), 1);
        assert_eq!(op(&plan, Method::Get, "/products/{sku}").deletes, None);

        let err = build(
            &discovery(vec![app("root", "", d)]),
            &config("role = \"remove\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("role \"remove\"") && err.contains("\"delete\""),
            "{err}"
        );
    }

    #[test]
    fn configured_links_are_added_and_removed_and_bad_ones_are_named() {
        let settings = super::super::settings::parse(
            "[[links.add]]\nproducer = \"POST /orders\"\nfield = \"ref\"\nconsumer = \"GET /o/{key}\"\nparameter = \"key\"\n\
             [[links.remove]]\nconsumer = \"GET /o/{key}\"\nparameter = \"nothing\"\n",
        );
        let err = settings
            .map(|s| Filter::from_settings(&s))
            .and_then(|filter| {
                build(
                    &discovery(vec![app("root", "", linked_doc(json!({}), json!({})))]),
                    &filter,
                )
                .map_err(|e| e.to_string())
            });
        let err = err.unwrap_err();
        assert!(
            err.contains("links.remove") && err.contains("\"nothing\""),
            "{err}"
        );

        let settings = super::super::settings::parse(
            "[[links.add]]\nproducer = \"POST /orders\"\nfield = \"ref\"\nconsumer = \"GET /o/{key}\"\nparameter = \"key\"\n",
        )
        .unwrap();
        let d = linked_doc(json!({}), json!({}));
        let plan = build(
            &discovery(vec![app("root", "", d.clone())]),
            &Filter::from_settings(&settings),
        )
        .unwrap();
        assert_eq!(op(&plan, Method::Get, "/o/{key}").needs.len(), 1);
        assert_eq!(
            op(&plan, Method::Post, "/orders")
                .produces
                .as_ref()
                .unwrap()
                .id
                .field(),
            Some("ref")
        );

        let mut filter = Filter::from_settings(&settings);
        filter.links.add[0].producer = "POST /nowhere".to_string();
        let err = build(&discovery(vec![app("root", "", d.clone())]), &filter)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"POST /nowhere\"") && err.contains("discover"),
            "{err}"
        );

        // A link inferred from names is removed by configuration.
        let d = doc(json!({
            "/tickets": {"post": {"responses": {"201": {"description": "ok", "content": {"application/json":
                {"schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}}}}},
            "/tickets/{ticket_id}": {"get": {"parameters": [{"name": "ticket_id", "in": "path", "required": true,
                "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}
        }));
        let plan = build(
            &discovery(vec![app("root", "", d.clone())]),
            &Filter::default(),
        )
        .unwrap();
        assert_eq!(
            op(&plan, Method::Get, "/tickets/{ticket_id}").needs.len(),
            1
        );
        let settings = super::super::settings::parse(
            "[[links.remove]]\nconsumer = \"GET /tickets/{ticket_id}\"\nparameter = \"ticket_id\"\n",
        )
        .unwrap();
        let plan = build(
            &discovery(vec![app("root", "", d)]),
            &Filter::from_settings(&settings),
        )
        .unwrap();
        let consumer = op(&plan, Method::Get, "/tickets/{ticket_id}");
        assert!(consumer.needs.is_empty() && consumer.params[0].resource.is_none());
    }

    #[test]
    fn undeclared_path_names_still_get_a_parameter() {
        let d = doc(json!({"/a/{x}/b/{y_id}": {"get": {
            "parameters": [{"name": "x", "in": "path", "required": true,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}}
        }}}));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let params = &plan.apps[0].operations[0].params;
        let names: Vec<_> = params
            .iter()
            .map(|p| (p.name.as_str(), p.location))
            .collect();
        assert_eq!(names, [("x", Location::Path), ("y_id", Location::Path)]);
        assert_eq!(params[0].schema["type"], "integer");
        assert_eq!(params[1].schema["type"], "string");
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("\"y_id\" is not declared")));
    }

    // What the filter leaves out of a plan.
    #[test]
    fn filters_exclude_by_method_and_glob_and_say_why() {
        let d = doc(json!({
            "/admin/shutdown": {"post": {"responses": {"200": {"description": "ok"}}}},
            "/items": {"get": {"responses": {"200": {"description": "ok"}}},
                       "delete": {"responses": {"204": {"description": "ok"}}}}
        }));
        let filter = Filter {
            include: vec![],
            exclude: vec!["/admin/*".to_string(), "DELETE /items".to_string()],
            ..Filter::default()
        };
        let plan = build(&discovery(vec![app("root", "", d)]), &filter).unwrap();
        let kept: Vec<_> = plan.apps[0]
            .operations
            .iter()
            .map(|o| o.path.as_str())
            .collect();
        assert_eq!(kept, vec!["/items"]);
        assert_eq!(plan.excluded.len(), 2);
        assert!(plan.excluded[0].reason.contains("/admin/*"));
    }

    #[test]
    fn max_per_app_keeps_the_first_operations_and_says_why() {
        let d = doc(json!({
            "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/c": {"get": {"responses": {"200": {"description": "ok"}}}}
        }));
        let filter = Filter {
            exclude: vec!["/a".to_string()],
            max_per_app: Some(1),
            ..Filter::default()
        };
        let plan = build(&discovery(vec![app("root", "", d)]), &filter).unwrap();
        assert_eq!(plan.apps[0].operations.len(), 1);
        assert_eq!(plan.apps[0].operations[0].path, "/b");
        let reasons: Vec<_> = plan.excluded.iter().map(|e| e.reason.as_str()).collect();
        assert!(reasons[0].contains("\"/a\""), "{reasons:?}");
        assert!(
            reasons[1].contains("max_operations_per_app = 1"),
            "{reasons:?}"
        );
    }

    #[test]
    fn options_and_trace_are_excluded_as_unsendable() {
        let d = doc(json!({"/x": {"options": {"responses": {"200": {"description": "ok"}}}}}));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        assert!(plan.apps[0].operations.is_empty());
        assert_eq!(plan.excluded[0].method, "OPTIONS");
    }

    #[test]
    fn a_required_body_reference_needs_its_create_first() {
        let created = |props: Value, required: Value| {
            json!({"requestBody": {"required": true, "content": {"application/json": {"schema":
                {"type": "object", "properties": props, "required": required}}}},
              "responses": {"201": {"description": "ok", "content": {"application/json":
                {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}})
        };
        let d = doc(json!({
            "/projects": {"post": created(json!({"name": {"type": "string"}}), json!(["name"]))},
            "/models": {"post": created(
                json!({"name": {"type": "string"}, "project": {"type": "string"}}),
                json!(["name", "project"]))},
            "/model_versions": {"post": created(
                json!({"model_id": {"type": "string"}, "project": {"type": "string"},
                       "stack_id": {"type": "string"}}),
                // No create makes stacks: nothing to make first.
                json!(["model_id", "project", "stack_id"]))},
            "/tags": {"post": created(
                // Optional: left to the draw.
                json!({"project": {"type": "string"}}), json!([]))}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let needs = |path: &str| {
            op(&plan, Method::Post, path)
                .needs
                .iter()
                .map(|n| {
                    (
                        n.resource.as_str(),
                        n.producer_path.as_str(),
                        n.existing_will_do,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(needs("/projects"), []);
        assert_eq!(needs("/models"), [("project", "/projects", true)]);
        assert_eq!(
            needs("/model_versions"),
            [("model", "/models", true), ("project", "/projects", true)]
        );
        assert_eq!(needs("/tags"), []);
    }

    #[test]
    fn a_create_with_an_undocumented_answer_makes_what_its_body_names() {
        let name_param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
        let d = doc(json!({
            "/tenants/{tenant}/databases": {"post": {
                "parameters": [name_param("tenant")],
                "requestBody": {"required": true, "content": {"application/json": {"schema":
                    {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}}},
            // The spec lists the element's parameter before its parent's.
            "/tenants/{tenant}/databases/{database_name}": {"delete": {
                "parameters": [name_param("database_name"), name_param("tenant")],
                "responses": {"200": {"description": "ok"}}}}
        }));
        let plan = build(&discovery(vec![app("root", "", d)]), &Filter::default()).unwrap();
        let create = op(&plan, Method::Post, "/tenants/{tenant}/databases");
        let produces = create.produces.as_ref().expect("a producer");
        assert_eq!(
            (produces.resource.as_str(), produces.id.field()),
            ("database", Some("name"))
        );
        let delete = op(
            &plan,
            Method::Delete,
            "/tenants/{tenant}/databases/{database_name}",
        );
        assert_eq!(delete.deletes.as_deref(), Some("database"));
        // The delete needs its database made first, by a create it can delete again.
        assert_eq!(delete.needs.len(), 1);
        assert!(!delete.needs[0].existing_will_do);
    }
}
