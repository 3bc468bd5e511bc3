//! Where the parts of an OpenAPI document that hold schemas sit, as openapiv3 models
//! them (`Part`, `LAYOUT`), how to reach them in a JSON value (`reach`) and how their
//! JSON pointers (RFC 6901) are spelt (`child`): the map that both the 3.1 → 3.0 rewrite
//! (`normalize.rs`) and the typed parse (`parse.rs`) walk.
//!
//! Shared with `build.rs` through `#[path]`: std and serde_json only.

use serde_json::Value;

/// The keys of a path item that hold an operation.
#[rustfmt::skip]
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `ptr` extended by one RFC 6901 reference token (`~` → `~0`, `/` → `~1`).
pub(super) fn child(ptr: &str, token: &str) -> String {
    format!("{ptr}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// The typed parts of a document that hold schemas, as openapiv3 models them.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Part {
    Document,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Response,
    Schema,
}

/// Where each part sits inside its parent: `*` is every member, `*!x-` every member but
/// `x-` extensions (in objects that allow them), `$method` every HTTP method of a path
/// item. The normaliser walks this down to each schema (recursing into schemas itself);
/// `innermost_failure` in [`super::parse`] also uses the `Schema` rows.
/// A parameter's or media type's `examples` is a map of Example objects, valid 3.0, so
/// it is no schema and stays as it is.
#[rustfmt::skip]
pub(super) const LAYOUT: &[(Part, &[&str], Part)] = &[
    (Part::Document, &["paths", "*!x-"], Part::PathItem),
    (Part::Document, &["components", "schemas", "*"], Part::Schema),
    (Part::Document, &["components", "parameters", "*"], Part::Parameter),
    (Part::Document, &["components", "headers", "*"], Part::Header),
    (Part::Document, &["components", "requestBodies", "*"], Part::RequestBody),
    (Part::Document, &["components", "responses", "*"], Part::Response),
    (Part::Document, &["components", "callbacks", "*", "*!x-"], Part::PathItem),
    (Part::PathItem, &["parameters", "*"], Part::Parameter),
    (Part::PathItem, &["$method"], Part::Operation),
    (Part::Operation, &["parameters", "*"], Part::Parameter),
    (Part::Operation, &["requestBody"], Part::RequestBody),
    (Part::Operation, &["responses", "*!x-"], Part::Response),
    (Part::Operation, &["callbacks", "*", "*!x-"], Part::PathItem),
    (Part::Parameter, &["schema"], Part::Schema),
    (Part::Parameter, &["content", "*", "schema"], Part::Schema),
    (Part::Header, &["schema"], Part::Schema),
    (Part::Header, &["content", "*", "schema"], Part::Schema),
    (Part::RequestBody, &["content", "*", "schema"], Part::Schema),
    (Part::RequestBody, &["content", "*", "encoding", "*", "headers", "*"], Part::Header),
    (Part::Response, &["headers", "*"], Part::Header),
    (Part::Response, &["content", "*", "schema"], Part::Schema),
    (Part::Schema, &["items"], Part::Schema),
    (Part::Schema, &["not"], Part::Schema),
    (Part::Schema, &["additionalProperties"], Part::Schema),
    (Part::Schema, &["properties", "*"], Part::Schema),
    (Part::Schema, &["allOf", "*"], Part::Schema),
    (Part::Schema, &["anyOf", "*"], Part::Schema),
    (Part::Schema, &["oneOf", "*"], Part::Schema),
];

/// The values at `path` below `value` (see [`LAYOUT`]), with their JSON pointers.
pub(super) fn reach<'a>(
    value: &'a mut Value,
    ptr: &str,
    path: &[&str],
) -> Vec<(String, &'a mut Value)> {
    let mut current = vec![(ptr.to_owned(), value)];
    for token in path {
        let mut next = Vec::new();
        for (ptr, value) in current {
            let wanted = |key: &String| match *token {
                "*" => true,
                "*!x-" => !key.starts_with("x-"),
                "$method" => METHODS.contains(&key.as_str()),
                _ => key == token,
            };
            match value {
                Value::Object(map) => next.extend(
                    map.iter_mut()
                        .filter(|(k, _)| wanted(k))
                        .map(|(k, v)| (child(&ptr, k), v)),
                ),
                Value::Array(list) if token.starts_with('*') => next.extend(
                    list.iter_mut()
                        .enumerate()
                        .map(|(i, v)| (child(&ptr, &i.to_string()), v)),
                ),
                _ => {}
            }
        }
        current = next;
    }
    current
}
