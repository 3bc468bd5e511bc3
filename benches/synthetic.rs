//! A synthetic FastAPI-like OpenAPI 3.1 document with N operations, built in memory for
//! the pipeline benchmarks (nothing is downloaded).
//!
//! Operations come in groups of five over two paths per group `k`, as a FastAPI router
//! per resource would emit them:
//!
//! | operation | parameters | body | answer |
//! |---|---|---|---|
//! | `POST /items{k}` | | `Item{k}In` | 201 `Item{k}` |
//! | `GET /items{k}` | `limit`, `offset`, `status`, `min_price`, `q`, `sort` | | 200 `Item{k}List` |
//! | `GET /items{k}/{item_id}` | `item_id`, header `x-request-id` | | 200 `Item{k}` |
//! | `PUT /items{k}/{item_id}` | `item_id` | `Item{k}In` | 200 `Item{k}` |
//! | `DELETE /items{k}/{item_id}` | `item_id` | | 204 |
//!
//! Every group has its own three component schemas, so the document grows linearly, and
//! they use what the normaliser must rewrite from FastAPI's 3.1 output: `anyOf` with
//! `null` for every `Optional`, numeric `exclusiveMinimum`/`exclusiveMaximum`, float
//! bounds on integers, `const`, `examples` arrays, `$ref` with a `default` beside it;
//! plus nested models (`Address` → `GeoPoint`), arrays of models and enums.

use gateway_loadtest_runtime::spec::discovery::{DiscoveredApp, Discovery};
use serde_json::{json, Map, Value};

/// The document sizes benchmarked, in operations.
pub const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// Operations per group (one collection path and one member path).
const GROUP: usize = 5;

/// A discovery of one mounted app whose document has `operations` operations.
pub fn discovery(operations: usize) -> Discovery {
    let prefix = "/api/v1/synthetic";
    Discovery {
        apps: vec![DiscoveredApp {
            name: "synthetic".to_string(),
            title: "Synthetic Service".to_string(),
            prefix: prefix.to_string(),
            openapi_path: format!("{prefix}/openapi.json"),
            document: document(operations, prefix),
        }],
        warnings: Vec::new(),
    }
}

/// The OpenAPI 3.1 document, as FastAPI would serve it for a sub-app mounted at `prefix`.
pub fn document(operations: usize, prefix: &str) -> Value {
    let mut paths = Map::new();
    let mut schemas = shared_schemas();
    for k in 0..operations.div_ceil(GROUP) {
        let count = (operations - k * GROUP).min(GROUP);
        let mut collection = Map::new();
        let mut member = Map::new();
        for kind in 0..count {
            match kind {
                0 => collection.insert("post".into(), create(k)),
                1 => collection.insert("get".into(), list(k)),
                2 => member.insert("get".into(), read(k)),
                3 => member.insert("put".into(), update(k)),
                _ => member.insert("delete".into(), delete(k)),
            };
        }
        paths.insert(format!("/items{k}"), Value::Object(collection));
        if !member.is_empty() {
            paths.insert(format!("/items{k}/{{item_id}}"), Value::Object(member));
        }
        schemas.extend(group_schemas(k));
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Synthetic Service", "version": "1.0.0",
                 "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"}},
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {"schemas": schemas}
    })
}

/// How many operations a document holds (to check the generator).
pub fn count_operations(document: &Value) -> usize {
    document["paths"].as_object().map_or(0, |paths| {
        paths
            .values()
            .filter_map(Value::as_object)
            .map(Map::len)
            .sum()
    })
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn validation_error() -> Value {
    json!({"description": "Validation Error",
           "content": json_content(schema_ref("HTTPValidationError"))})
}

fn item_id() -> Value {
    json!({"name": "item_id", "in": "path", "required": true,
           "schema": {"type": "integer", "exclusiveMinimum": 0, "title": "Item Id"}})
}

fn create(k: usize) -> Value {
    json!({
        "tags": [format!("items{k}")],
        "summary": "Create Item",
        "operationId": format!("create_item_items{k}_post"),
        "requestBody": {"required": true,
                        "content": json_content(schema_ref(&format!("Item{k}In")))},
        "responses": {
            "201": {"description": "Successful Response",
                    "content": json_content(schema_ref(&format!("Item{k}")))},
            "422": validation_error()
        }
    })
}

fn list(k: usize) -> Value {
    json!({
        "tags": [format!("items{k}")],
        "summary": "List Items",
        "description": "Lists items, newest first, filtered by status, price and text.",
        "operationId": format!("list_items_items{k}_get"),
        "parameters": [
            {"name": "limit", "in": "query", "required": false,
             "schema": {"type": "integer", "maximum": 100.0, "minimum": 1.0, "default": 20, "title": "Limit"}},
            {"name": "offset", "in": "query", "required": false,
             "schema": {"type": "integer", "minimum": 0, "default": 0, "title": "Offset"}},
            {"name": "status", "in": "query", "required": false,
             "schema": {"anyOf": [schema_ref("Status"), {"type": "null"}],
                        "description": "Only items in this status", "title": "Status"},
             "description": "Only items in this status"},
            {"name": "min_price", "in": "query", "required": false,
             "schema": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}],
                        "title": "Min Price"}},
            {"name": "q", "in": "query", "required": false,
             "schema": {"anyOf": [{"type": "string", "maxLength": 50, "minLength": 2}, {"type": "null"}],
                        "title": "Q"}},
            {"name": "sort", "in": "query", "required": false,
             "schema": {"type": "string", "enum": ["name", "-name", "price", "-price"],
                        "default": "name", "title": "Sort"}}
        ],
        "responses": {
            "200": {"description": "Successful Response",
                    "content": json_content(schema_ref(&format!("Item{k}List")))},
            "422": validation_error()
        }
    })
}

fn read(k: usize) -> Value {
    json!({
        "tags": [format!("items{k}")],
        "summary": "Get Item",
        "operationId": format!("get_item_items{k}__item_id__get"),
        "parameters": [
            item_id(),
            {"name": "x-request-id", "in": "header", "required": false,
             "schema": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}],
                        "title": "X-Request-Id"}}
        ],
        "responses": {
            "200": {"description": "Successful Response",
                    "content": json_content(schema_ref(&format!("Item{k}")))},
            "404": {"description": "Not Found",
                    "content": json_content(schema_ref("ErrorMessage"))},
            "422": validation_error()
        }
    })
}

fn update(k: usize) -> Value {
    json!({
        "tags": [format!("items{k}")],
        "summary": "Replace Item",
        "operationId": format!("replace_item_items{k}__item_id__put"),
        "parameters": [item_id()],
        "requestBody": {"required": true,
                        "content": json_content(schema_ref(&format!("Item{k}In")))},
        "responses": {
            "200": {"description": "Successful Response",
                    "content": json_content(schema_ref(&format!("Item{k}")))},
            "422": validation_error()
        }
    })
}

fn delete(k: usize) -> Value {
    json!({
        "tags": [format!("items{k}")],
        "summary": "Delete Item",
        "operationId": format!("delete_item_items{k}__item_id__delete"),
        "parameters": [item_id()],
        "responses": {
            "204": {"description": "Successful Response"},
            "422": validation_error()
        }
    })
}

/// The properties an item is created with (`Item{k}In`), as Pydantic v2 writes them.
fn item_in_properties(k: usize) -> Map<String, Value> {
    let properties = json!({
        "name": {"type": "string", "maxLength": 100, "minLength": 1, "title": "Name",
                 "examples": [format!("Widget {k}")]},
        "price": {"type": "number", "exclusiveMinimum": 0.0, "title": "Price"},
        "quantity": {"type": "integer", "maximum": 1000.0, "minimum": 0.0, "default": 1,
                     "title": "Quantity"},
        "description": {"anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}],
                        "title": "Description"},
        "status": {"$ref": "#/components/schemas/Status", "default": "draft"},
        "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$", "title": "Sku"},
        "tags": {"items": schema_ref("Tag"), "type": "array", "maxItems": 5, "uniqueItems": true,
                 "title": "Tags"},
        "dimensions": {"anyOf": [schema_ref("Dimensions"), {"type": "null"}]},
        "address": schema_ref("Address"),
        "rating": {"anyOf": [{"type": "number", "minimum": 0, "exclusiveMaximum": 5},
                             {"type": "null"}], "title": "Rating"},
        "kind": {"type": "string", "const": format!("item{k}"), "title": "Kind",
                 "default": format!("item{k}")},
    });
    match properties {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// `Item{k}In`, `Item{k}` (the stored item) and `Item{k}List`.
fn group_schemas(k: usize) -> Map<String, Value> {
    let input = item_in_properties(k);
    let mut stored = input.clone();
    stored.insert(
        "id".into(),
        json!({"type": "integer", "exclusiveMinimum": 0, "title": "Id"}),
    );
    stored.insert(
        "created_at".into(),
        json!({"type": "string", "format": "date-time", "title": "Created At"}),
    );
    let schemas = json!({
        format!("Item{k}In"): {"properties": input, "type": "object",
                               "required": ["name", "price", "sku", "address"],
                               "title": format!("Item{k}In")},
        format!("Item{k}"): {"properties": stored, "type": "object",
                             "required": ["name", "price", "sku", "address", "id", "created_at"],
                             "title": format!("Item{k}")},
        format!("Item{k}List"): {"properties": {
                "items": {"items": schema_ref(&format!("Item{k}")), "type": "array", "title": "Items"},
                "total": {"type": "integer", "minimum": 0, "title": "Total"}
            }, "type": "object", "required": ["items", "total"], "title": format!("Item{k}List")}
    });
    match schemas {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// The models every group shares, FastAPI's validation errors among them.
fn shared_schemas() -> Map<String, Value> {
    let schemas = json!({
        "Status": {"type": "string", "enum": ["draft", "active", "archived"], "title": "Status"},
        "Tag": {"properties": {
                "name": {"type": "string", "maxLength": 30, "minLength": 1, "title": "Name"},
                "color": {"type": "string", "enum": ["red", "green", "blue"], "title": "Color"},
                "weight": {"anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "null"}],
                           "title": "Weight"}
            }, "type": "object", "required": ["name"], "title": "Tag"},
        "Dimensions": {"properties": {
                "width": {"type": "number", "exclusiveMinimum": 0, "title": "Width"},
                "height": {"type": "number", "exclusiveMinimum": 0, "title": "Height"},
                "unit": {"type": "string", "enum": ["mm", "cm", "m"], "default": "cm", "title": "Unit"}
            }, "type": "object", "required": ["width", "height"], "title": "Dimensions"},
        "GeoPoint": {"properties": {
                "lat": {"type": "number", "maximum": 90, "minimum": -90, "title": "Lat"},
                "lon": {"type": "number", "maximum": 180, "minimum": -180, "title": "Lon"}
            }, "type": "object", "required": ["lat", "lon"], "title": "GeoPoint"},
        "Address": {"properties": {
                "street": {"type": "string", "title": "Street", "examples": ["1 Main St"]},
                "city": {"type": "string", "title": "City"},
                "postcode": {"type": "string", "pattern": "^[0-9]{4} ?[A-Z]{2}$", "title": "Postcode"},
                "country": {"type": "string", "const": "NL", "title": "Country"},
                "geo": {"anyOf": [schema_ref("GeoPoint"), {"type": "null"}]}
            }, "type": "object", "required": ["street", "city"], "title": "Address"},
        "ErrorMessage": {"properties": {"detail": {"type": "string", "title": "Detail"}},
                         "type": "object", "required": ["detail"], "title": "ErrorMessage"},
        "ValidationError": {"properties": {
                "loc": {"items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        "type": "array", "title": "Location"},
                "msg": {"type": "string", "title": "Message"},
                "type": {"type": "string", "title": "Error Type"},
                "input": {"title": "Input"},
                "ctx": {"type": "object", "title": "Context"}
            }, "type": "object", "required": ["loc", "msg", "type"], "title": "ValidationError"},
        "HTTPValidationError": {"properties": {
                "detail": {"items": schema_ref("ValidationError"), "type": "array", "title": "Detail"}
            }, "type": "object", "title": "HTTPValidationError"}
    });
    match schemas {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}
