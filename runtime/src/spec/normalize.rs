//! Normalises FastAPI's OpenAPI 3.1 documents into the OpenAPI 3.0 that `openapiv3` reads.
//!
//! `openapiv3` models only OpenAPI 3.0. On FastAPI's 3.1 output it either fails outright
//! (numeric `exclusiveMinimum`, `type` arrays, boolean schemas, a missing `paths`) or
//! parses silently wrong (`anyOf: [X, {type: null}]`, `$ref` with siblings, integer
//! bounds written as `1.0`, `const`, ...). [`normalize`] rewrites the JSON value in
//! place so that the typed parse in [`super::parse::to_openapi`] is both possible and
//! faithful. What 3.0 cannot express is dropped with a [`Warning`] naming its JSON pointer.
//! Where schemas sit in a document is `layout.rs`'s.
//!
//! This file is shared with `build.rs` through `#[path]`: it uses only std, serde_json
//! and thiserror, and nothing from `crate::`.

use std::fmt;

use serde_json::{json, Map, Value};

use super::layout::{child, reach, Part, LAYOUT};

/// Something the normaliser dropped or approximated, at a JSON pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.pointer, self.message)
    }
}

/// Why a document cannot be normalised or read; messages fit after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("read OpenAPI document: not an OpenAPI document (no top-level `openapi` field); serve the JSON from FastAPI's /openapi.json")]
    NotOpenApi,
    #[error("read OpenAPI document: Swagger {0} is not supported; serve an OpenAPI 3.x document (FastAPI does by default)")]
    Swagger(String),
    #[error(
        "read OpenAPI document: OpenAPI version {0} is not supported; serve OpenAPI 3.0 or 3.1"
    )]
    UnsupportedVersion(String),
    /// Where and why the typed parse ([`super::parse::to_openapi`]) failed.
    #[error("parse OpenAPI document at {}: {message}", display_pointer(pointer))]
    Parse { pointer: String, message: String },
}

/// Rewrites a 3.1 document into 3.0 in place; a 3.0 document is left untouched.
///
/// # Errors
/// If `doc` is not an OpenAPI document, or is Swagger 2.0 or an OpenAPI other than 3.0/3.1.
pub fn normalize(doc: &mut Value) -> Result<Vec<Warning>, NormalizeError> {
    if !needs_rewrite(doc)? {
        return Ok(Vec::new());
    }
    let mut normalizer = Normalizer::default();
    normalizer.document(doc);
    Ok(normalizer.warnings)
}

/// `Ok(false)` for 3.0 (pass through), `Ok(true)` for 3.1, an error for anything else.
fn needs_rewrite(doc: &Value) -> Result<bool, NormalizeError> {
    let version = match (doc.get("openapi"), doc.get("swagger")) {
        (Some(Value::String(v)), _) => v.as_str(),
        (Some(other), _) => return Err(NormalizeError::UnsupportedVersion(other.to_string())),
        (None, Some(swagger)) => {
            let v = swagger
                .as_str()
                .map_or_else(|| swagger.to_string(), str::to_owned);
            return Err(NormalizeError::Swagger(v));
        }
        (None, None) => return Err(NormalizeError::NotOpenApi),
    };
    let is = |minor: &str| version == minor || version.starts_with(&format!("{minor}."));
    if is("3.0") {
        Ok(false)
    } else if is("3.1") {
        Ok(true)
    } else {
        Err(NormalizeError::UnsupportedVersion(version.to_owned()))
    }
}

/// Keywords that only describe a schema; they may sit beside `allOf`/`anyOf` freely.
#[rustfmt::skip]
const ANNOTATIONS: &[&str] = &[
    "title", "description", "default", "example", "deprecated", "readOnly", "writeOnly",
    "nullable", "externalDocs",
];

/// JSON Schema keywords that OpenAPI 3.0 (and so `openapiv3`) cannot represent.
#[rustfmt::skip]
const UNSUPPORTED: &[&str] = &[
    "if", "then", "else", "dependentRequired", "dependentSchemas", "patternProperties",
    "propertyNames", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
    "contains", "minContains", "maxContains", "contentSchema", "$defs", "definitions",
    "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
];

/// Keywords dropped without a warning: they never change which values are valid.
const HARMLESS: &[&str] = &["$schema", "$comment"];

#[derive(Default)]
struct Normalizer {
    warnings: Vec<Warning>,
}

impl Normalizer {
    fn warn(&mut self, pointer: String, message: impl Into<String>) {
        let message = message.into();
        self.warnings.push(Warning { pointer, message });
    }

    fn document(&mut self, doc: &mut Value) {
        let Some(root) = doc.as_object_mut() else {
            return;
        };
        root.insert("openapi".into(), "3.0.3".into());
        if root.get("paths").is_none_or(Value::is_null) {
            root.insert("paths".into(), json!({}));
        }
        self.drop_field(root, "", "webhooks");
        self.drop_field(root, "", "jsonSchemaDialect");
        if let Some(Value::Object(license)) =
            root.get_mut("info").and_then(|i| i.get_mut("license"))
        {
            // 3.1 allows an SPDX `identifier` instead of the `name` that 3.0 requires.
            if let Some(id) = take(license, "identifier") {
                license.entry("name").or_insert(id);
            }
        }
        if let Some(Value::Object(components)) = root.get_mut("components") {
            self.drop_field(components, "/components", "pathItems");
            if let Some(Value::Object(schemes)) = components.get_mut("securitySchemes") {
                self.drop_mutual_tls(schemes);
            }
        }
        self.walk(doc, "", Part::Document);
    }

    /// Drops a 3.1-only field, warning only if it held something.
    fn drop_field(&mut self, map: &mut Map<String, Value>, ptr: &str, key: &str) {
        if take(map, key).is_some_and(|v| !is_empty(&v)) {
            self.warn(child(ptr, key), "dropped: OpenAPI 3.0 has no such field");
        }
    }

    /// `mutualTLS` (3.1) is unknown to openapiv3's tagged enum and would fail the parse.
    fn drop_mutual_tls(&mut self, schemes: &mut Map<String, Value>) {
        schemes.retain(|name, scheme| {
            let tls = scheme.get("type").and_then(Value::as_str) == Some("mutualTLS");
            if tls {
                let message = "dropped a mutualTLS security scheme: OpenAPI 3.0 has no such type";
                self.warn(child("/components/securitySchemes", name), message);
            }
            !tls
        });
    }

    /// Visits every schema in the document, following [`LAYOUT`].
    fn walk(&mut self, value: &mut Value, ptr: &str, part: Part) {
        match (part, value.as_object_mut()) {
            (Part::Schema, _) => return self.schema(value, ptr),
            // `responses` became optional in 3.1; openapiv3 still requires the field.
            (Part::Operation, Some(op)) => {
                op.entry("responses").or_insert_with(|| json!({}));
            }
            _ => {}
        }
        for (parent, path, child_part) in LAYOUT {
            if *parent == part {
                for (child_ptr, child_value) in reach(value, ptr, path) {
                    self.walk(child_value, &child_ptr, *child_part);
                }
            }
        }
    }

    /// Normalises one schema: its own keywords first, then its subschemas, then the
    /// rewrites that look at normalised subschemas (`anyOf` collapse, `$ref` siblings).
    fn schema(&mut self, schema: &mut Value, ptr: &str) {
        match schema {
            Value::Bool(true) => *schema = json!({}),
            Value::Bool(false) => *schema = json!({ "not": {} }),
            Value::Object(map) => self.rewrite_keywords(map, ptr),
            _ => return,
        }
        for (_, path, _) in LAYOUT.iter().filter(|(parent, ..)| *parent == Part::Schema) {
            for (sub_ptr, sub) in reach(schema, ptr, path) {
                // `additionalProperties: false` is valid 3.0. Null members of anyOf/oneOf
                // are stripped below; visiting them would warn about a lone null.
                let skip = match path.first() {
                    Some(&"additionalProperties") => sub.is_boolean(),
                    Some(&("anyOf" | "oneOf")) => is_null_schema(sub),
                    _ => false,
                };
                if !skip {
                    self.schema(sub, &sub_ptr);
                }
            }
        }
        let Value::Object(map) = schema else {
            return;
        };
        // Stripped after the visit so that warnings point at the original array indices.
        if strip_null_members(map) {
            self.lone_null(map, ptr);
            collapse_single_member(map);
        }
        ref_siblings(map);
    }

    /// The rewrites that need only the schema's own keywords, in dependency order.
    fn rewrite_keywords(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        self.drop_unsupported(map, ptr);
        self.prefix_items(map, ptr);
        const_to_enum(map);
        examples_to_example(map);
        content_media_type(map);
        self.type_array(map, ptr);
        self.lone_null(map, ptr);
        exclusive_bound(map, "exclusiveMinimum", "minimum", |excl, incl| {
            excl >= incl
        });
        exclusive_bound(map, "exclusiveMaximum", "maximum", |excl, incl| {
            excl <= incl
        });
        self.integer_bounds(map, ptr);
        count_bounds(map);
    }

    fn drop_unsupported(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        for key in HARMLESS {
            take(map, key);
        }
        for key in UNSUPPORTED {
            if take(map, key).is_some() {
                self.warn(
                    child(ptr, key),
                    "dropped: OpenAPI 3.0 cannot express this keyword",
                );
            }
        }
    }

    /// Tuples (`prefixItems`) become `items: anyOf` of the member schemas: every
    /// position then accepts every member type, which is looser but still parses.
    fn prefix_items(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        let Some(tuple) = take(map, "prefixItems") else {
            return;
        };
        let mut options: Vec<Value> = Vec::new();
        let rest = take(map, "items").filter(|v| *v != Value::Bool(false));
        for option in as_array(tuple).into_iter().chain(rest) {
            if !options.contains(&option) {
                options.push(option);
            }
        }
        match options.len() {
            0 => {}
            1 => {
                map.insert("items".into(), options.remove(0));
            }
            _ => {
                map.insert("items".into(), json!({ "anyOf": options }));
            }
        }
        let message =
            "tuple positions are lost: items now accepts any of the tuple's member schemas";
        self.warn(child(ptr, "prefixItems"), message);
    }

    /// `type: [..]`: "null" becomes `nullable`; one type stays; several become `anyOf`.
    fn type_array(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        let Some(Value::Array(types)) = map.get("type") else {
            return;
        };
        let mut names: Vec<String> = types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let had_null = names.iter().any(|t| t == "null");
        names.retain(|t| t != "null");
        names.dedup();
        take(map, "type");
        match names.as_slice() {
            [] if had_null => {
                map.insert("type".into(), "null".into());
            }
            [] => self.warn(child(ptr, "type"), "dropped an empty type list"),
            [one] => {
                map.insert("type".into(), one.as_str().into());
            }
            _ => split_types(map, &names),
        }
        if had_null && !names.is_empty() {
            map.insert("nullable".into(), true.into());
        }
    }

    /// `{type: "null"}` on its own: 3.0 has no null type; `enum: [null]` keeps the meaning.
    fn lone_null(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        if map.get("type").and_then(Value::as_str) != Some("null") {
            return;
        }
        take(map, "type");
        map.insert("nullable".into(), true.into());
        map.insert("enum".into(), json!([null]));
        let message = "`type: null` has no 3.0 equivalent; now `nullable: true, enum: [null]`";
        self.warn(child(ptr, "type"), message);
    }

    /// Pydantic writes `ge=1` on an `int` as `minimum: 1.0`; openapiv3 then reads the
    /// schema as untyped. Bounds on integers become integers (rounded inwards).
    fn integer_bounds(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        if map.get("type").and_then(Value::as_str) != Some("integer") {
            return;
        }
        for (bound, exclusive, round) in [
            ("minimum", "exclusiveMinimum", f64::ceil as fn(f64) -> f64),
            ("maximum", "exclusiveMaximum", f64::floor),
        ] {
            let Some(x) = float_value(map, bound) else {
                continue;
            };
            let Some(n) = to_i64(round(x)) else {
                continue;
            };
            if round(x) != x {
                // No integer equals a fractional bound, so the rounded bound is inclusive.
                take(map, exclusive);
            }
            map.insert(bound.into(), n.into());
        }
        if let Some(x) = float_value(map, "multipleOf") {
            match to_i64(x).filter(|n| *n > 0 && x.fract() == 0.0) {
                Some(n) => {
                    map.insert("multipleOf".into(), n.into());
                }
                None => {
                    take(map, "multipleOf");
                    let message = "dropped a fractional multipleOf on an integer";
                    self.warn(child(ptr, "multipleOf"), message);
                }
            }
        }
    }
}

/// `const: v` → `enum: [v]` (3.0 has no `const`).
fn const_to_enum(map: &mut Map<String, Value>) {
    if let Some(value) = take(map, "const") {
        map.insert("enum".into(), json!([value]));
    }
}

/// A schema's `examples: [..]` (JSON Schema) → `example: <first>` (3.0).
fn examples_to_example(map: &mut Map<String, Value>) {
    let Some(examples) = take(map, "examples") else {
        return;
    };
    if let Some(first) = as_array(examples).into_iter().next() {
        map.entry("example").or_insert(first);
    }
}

/// `contentMediaType`/`contentEncoding` (3.1) → the 3.0 string formats `binary`/`byte`.
/// FastAPI ≥ 0.129 writes `UploadFile` as `contentMediaType: application/octet-stream`.
fn content_media_type(map: &mut Map<String, Value>) {
    let media = take(map, "contentMediaType");
    let encoding = take(map, "contentEncoding");
    if map.get("format").and_then(Value::as_str) == Some("base64") {
        map.insert("format".into(), "byte".into()); // Pydantic's Base64Bytes
    }
    if map.contains_key("format") {
        return;
    }
    let format = if encoding.as_ref().and_then(Value::as_str) == Some("base64") {
        "byte"
    } else if media
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(is_binary_media)
    {
        "binary"
    } else {
        return; // e.g. `Json[..]` fields: a string holding JSON, not bytes
    };
    map.insert("format".into(), format.into());
    map.entry("type").or_insert_with(|| "string".into());
}

fn is_binary_media(media: &str) -> bool {
    let textual = ["json", "xml", "x-www-form-urlencoded"];
    !(media.starts_with("text/") || textual.iter().any(|t| media.contains(t)))
}

/// Several types → `anyOf: [{type: a}, {type: b}]`. The other keywords stay on the outer
/// schema, which openapiv3 then reads as an untyped schema that keeps every one of them.
fn split_types(map: &mut Map<String, Value>, types: &[String]) {
    let branches: Vec<Value> = types.iter().map(|t| json!({ "type": t })).collect();
    if map.contains_key("anyOf") {
        if let Value::Array(list) = map.entry("allOf").or_insert_with(|| json!([])) {
            list.push(json!({ "anyOf": branches }));
        }
    } else {
        map.insert("anyOf".into(), branches.into());
    }
}

/// Removes `{type: "null"}` members of `anyOf`/`oneOf` and sets `nullable` instead.
fn strip_null_members(map: &mut Map<String, Value>) -> bool {
    let mut stripped = false;
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(list)) = map.get_mut(key) else {
            continue;
        };
        let before = list.len();
        list.retain(|member| !is_null_schema(member));
        if list.len() == before {
            continue;
        }
        stripped = true;
        if list.is_empty() {
            take(map, key);
            map.entry("type").or_insert_with(|| "null".into()); // only null was allowed
        } else {
            map.insert("nullable".into(), true.into());
        }
    }
    stripped
}

fn is_null_schema(schema: &Value) -> bool {
    let Value::Object(map) = schema else {
        return false;
    };
    map.get("type").and_then(Value::as_str) == Some("null")
        && map
            .keys()
            .all(|k| k == "type" || ANNOTATIONS.contains(&k.as_str()))
}

/// After null stripping, `anyOf: [X]` + `nullable` → X merged into the outer schema,
/// whose own annotations (title, default, description) win. A bare `$ref` X becomes
/// `allOf: [X]`. If X and the outer schema both constrain the same keyword, the
/// single-member `anyOf` stays: it parses fine and means the same.
fn collapse_single_member(map: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let inner = match map.get(key) {
            Some(Value::Array(list)) if list.len() == 1 => match list.first() {
                Some(Value::Object(inner)) if inner.contains_key("$ref") => {
                    let mut wrapper = Map::new();
                    wrapper.insert("allOf".into(), json!([inner]));
                    wrapper
                }
                Some(Value::Object(inner)) => inner.clone(),
                _ => continue,
            },
            _ => continue,
        };
        let clash = |k: &String| k != key && map.contains_key(k) && !is_annotation(k);
        if inner.keys().any(clash) {
            continue;
        }
        take(map, key);
        for (k, v) in inner {
            map.entry(k).or_insert(v);
        }
    }
}

/// `{$ref, default, ..}` → `{allOf: [{$ref}], default, ..}`: 3.0 ignores `$ref` siblings.
fn ref_siblings(map: &mut Map<String, Value>) {
    if map.len() < 2 {
        return;
    }
    let Some(reference) = take(map, "$ref") else {
        return;
    };
    let target = json!({ "$ref": reference });
    match map.get_mut("allOf") {
        Some(Value::Array(list)) => list.insert(0, target),
        _ => {
            map.insert("allOf".into(), json!([target]));
        }
    }
}

/// Numeric `exclusiveMinimum: n` (3.1) → `minimum: n, exclusiveMinimum: true` (3.0),
/// keeping whichever of `minimum` and `exclusiveMinimum` is tighter (same for maximum).
fn exclusive_bound(
    map: &mut Map<String, Value>,
    exclusive: &str,
    inclusive: &str,
    tighter: fn(f64, f64) -> bool,
) {
    let Some(Value::Number(bound)) = map.get(exclusive).cloned() else {
        return; // absent, or already the 3.0 boolean form
    };
    let replaces = match (bound.as_f64(), map.get(inclusive).and_then(Value::as_f64)) {
        (Some(excl), Some(incl)) => tighter(excl, incl),
        _ => true,
    };
    if replaces {
        map.insert(inclusive.into(), Value::Number(bound));
        map.insert(exclusive.into(), true.into());
    } else {
        take(map, exclusive);
    }
}

/// Length, item and property counts written as floats (`1.0`) → non-negative integers.
fn count_bounds(map: &mut Map<String, Value>) {
    for (key, round) in [
        ("minLength", f64::ceil as fn(f64) -> f64),
        ("minItems", f64::ceil),
        ("minProperties", f64::ceil),
        ("maxLength", f64::floor),
        ("maxItems", f64::floor),
        ("maxProperties", f64::floor),
    ] {
        if let Some(n) = float_value(map, key).and_then(|x| to_i64(round(x).max(0.0))) {
            map.insert(key.into(), n.into());
        }
    }
}

/// The value at `key` if it is a number that is not already an integer.
fn float_value(map: &Map<String, Value>, key: &str) -> Option<f64> {
    match map.get(key) {
        Some(Value::Number(n)) if n.is_f64() => n.as_f64(),
        _ => None,
    }
}

fn to_i64(x: f64) -> Option<i64> {
    // `i64::MAX as f64` rounds up to 2^63, so `<` keeps the cast exact and in range.
    (x.is_finite() && x >= i64::MIN as f64 && x < i64::MAX as f64).then_some(x as i64)
}

fn is_annotation(key: &str) -> bool {
    key.starts_with("x-") || ANNOTATIONS.contains(&key)
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(list) => list.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn as_array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(list) => list,
        _ => Vec::new(),
    }
}

/// Removes a key keeping the order of the others (the project enables `preserve_order`).
fn take(map: &mut Map<String, Value>, key: &str) -> Option<Value> {
    map.shift_remove(key)
}

/// A JSON pointer as an error names it: the empty one is the document root.
fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the document root"
    } else {
        pointer
    }
}

// Also used by parse.rs's tests.
#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

    pub(crate) const MODELS: &str =
        include_str!("../../tests/fixtures/fastapi/models.openapi.json");
    pub(crate) const ROUTES: &str =
        include_str!("../../tests/fixtures/fastapi/routes.openapi.json");
    pub(crate) const UPLOAD: &str =
        include_str!("../../tests/fixtures/fastapi/upload.openapi.json");

    pub(crate) fn doc_with_schema(schema: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": { "S": schema } }
        })
    }

    /// Normalises `schema` as `components.schemas.S`; returns it and the warnings.
    fn norm(schema: Value) -> (Value, Vec<Warning>) {
        let mut doc = doc_with_schema(schema);
        let warnings = normalize(&mut doc).expect("normalize");
        (doc["components"]["schemas"]["S"].take(), warnings)
    }

    pub(crate) fn pointers(warnings: &[Warning]) -> Vec<&str> {
        warnings.iter().map(|w| w.pointer.as_str()).collect()
    }

    fn typed(schema: Value) -> Schema {
        serde_json::from_value(schema).expect("openapiv3 schema")
    }

    pub(crate) fn item<T>(r: &ReferenceOr<T>) -> &T {
        r.as_item().expect("an inline item, not a $ref")
    }

    pub(crate) fn component<'a>(api: &'a OpenAPI, name: &str) -> &'a Schema {
        item(&api.components.as_ref().expect("components").schemas[name])
    }

    pub(crate) fn property<'a>(schema: &'a Schema, name: &str) -> &'a Schema {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => item(&object.properties[name]).as_ref(),
            other => panic!("not an object schema: {other:?}"),
        }
    }

    pub(crate) fn all_of_ref(schema: &Schema) -> &str {
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [ReferenceOr::Reference { reference }] => reference,
                other => panic!("allOf is not one $ref: {other:?}"),
            },
            other => panic!("not allOf: {other:?}"),
        }
    }

    // Rule 1: the version decides what happens.

    #[test]
    fn rejects_values_that_are_not_openapi_documents() {
        for doc in [json!([1]), json!("x"), json!({ "info": {} })] {
            let err = normalize(&mut doc.clone()).unwrap_err();
            assert!(matches!(err, NormalizeError::NotOpenApi), "{doc}");
        }
    }

    #[test]
    fn rejects_swagger_2_with_a_clear_message() {
        let err = normalize(&mut json!({ "swagger": "2.0", "paths": {} })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "read OpenAPI document: Swagger 2.0 is not supported; \
             serve an OpenAPI 3.x document (FastAPI does by default)"
        );
    }

    #[test]
    fn rejects_other_versions_naming_them() {
        for (version, shown) in [
            (json!("3.2.0"), "3.2.0"),
            (json!("3.10.0"), "3.10.0"),
            (json!(3.1), "3.1"),
        ] {
            let err = normalize(&mut json!({ "openapi": version })).unwrap_err();
            assert!(
                err.to_string().contains(&format!("version {shown} is not")),
                "{err}"
            );
        }
    }

    #[test]
    fn passes_openapi_3_0_through_untouched() {
        let original = json!({
            "openapi": "3.0.2",
            "info": { "title": "t", "version": "1" },
            "components": { "schemas": { "S": {
                "anyOf": [{ "type": "string" }, { "type": "null" }],
                "exclusiveMinimum": 3, "const": 1, "examples": [1]
            } } }
        });
        let mut doc = original.clone();
        assert_eq!(normalize(&mut doc).unwrap(), vec![]);
        assert_eq!(
            serde_json::to_string(&doc).unwrap(),
            serde_json::to_string(&original).unwrap()
        );
    }

    #[test]
    fn sets_version_to_3_0_3() {
        let mut doc = doc_with_schema(json!({}));
        normalize(&mut doc).unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
    }

    // Rule 2: top-level fields.

    #[test]
    fn drops_webhooks_and_json_schema_dialect_warning_only_when_non_empty() {
        let mut doc = json!({
            "openapi": "3.1.0", "info": { "title": "t", "version": "1" }, "paths": {},
            "webhooks": { "new": { "post": {} } }, "jsonSchemaDialect": ""
        });
        let warnings = normalize(&mut doc).unwrap();
        assert_eq!(pointers(&warnings), ["/webhooks"]);
        assert!(doc.get("webhooks").is_none() && doc.get("jsonSchemaDialect").is_none());
        assert_eq!(
            warnings[0].to_string(),
            "at /webhooks: dropped: OpenAPI 3.0 has no such field"
        );
    }

    #[test]
    fn drops_license_identifier_keeping_a_name() {
        let mut doc = json!({
            "openapi": "3.1.0", "paths": {},
            "info": { "title": "t", "version": "1", "license": { "identifier": "MIT" } }
        });
        normalize(&mut doc).unwrap();
        assert_eq!(doc["info"]["license"], json!({ "name": "MIT" }));
    }

    // Rule 3: schemas.

    #[test]
    fn numeric_exclusive_bounds_become_booleans() {
        let (s, _) =
            norm(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5 }));
        assert_eq!(
            s,
            json!({ "type": "number", "exclusiveMinimum": true, "exclusiveMaximum": true,
                    "minimum": 0, "maximum": 1.5 })
        );
    }

    #[test]
    fn exclusive_bounds_keep_the_tighter_of_both_forms() {
        let (s, _) = norm(
            json!({ "minimum": 5, "exclusiveMinimum": 3, "maximum": 5, "exclusiveMaximum": 5 }),
        );
        assert_eq!(
            s,
            json!({ "minimum": 5, "maximum": 5, "exclusiveMaximum": true })
        );
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let (s, _) = norm(json!({ "type": ["string", "null"], "maxLength": 3 }));
        assert_eq!(
            s,
            json!({ "maxLength": 3, "type": "string", "nullable": true })
        );
        let (s, _) = norm(json!({ "properties": { "x-id": { "type": ["integer", "null"] } } }));
        assert_eq!(
            s["properties"]["x-id"],
            json!({ "type": "integer", "nullable": true })
        );
    }

    #[test]
    fn type_array_with_several_types_becomes_any_of() {
        let (s, _) =
            norm(json!({ "type": ["integer", "string", "null"], "title": "T", "maxLength": 9 }));
        assert_eq!(
            s,
            json!({ "title": "T", "maxLength": 9, "anyOf": [{ "type": "integer" }, { "type": "string" }],
                    "nullable": true })
        );
        let typed = typed(s);
        assert!(typed.schema_data.nullable);
        assert!(
            matches!(typed.schema_kind, SchemaKind::Any(ref any) if any.any_of.len() == 2 && any.max_length == Some(9))
        );
    }

    #[test]
    fn type_array_with_only_null_is_a_null_enum() {
        let (s, warnings) = norm(json!({ "type": ["null"] }));
        assert_eq!(s, json!({ "nullable": true, "enum": [null] }));
        assert_eq!(pointers(&warnings), ["/components/schemas/S/type"]);
    }

    #[test]
    fn boolean_schemas_become_objects() {
        let (s, _) = norm(
            json!({ "type": "object", "properties": { "a": true, "b": false },
                                  "additionalProperties": false }),
        );
        assert_eq!(s["properties"], json!({ "a": {}, "b": { "not": {} } }));
        assert_eq!(
            s["additionalProperties"], false,
            "a boolean here is valid 3.0"
        );
        assert_eq!(norm(json!(true)).0, json!({}));
        assert_eq!(
            norm(json!({ "type": "array", "items": true })).0["items"],
            json!({})
        );
        typed(s);
    }

    #[test]
    fn optional_any_of_null_merges_into_its_member() {
        let (s, warnings) = norm(json!({
            "anyOf": [{ "type": "null" }, { "type": "integer", "maximum": 150.0, "title": "inner" }],
            "title": "Age", "default": null
        }));
        assert_eq!(
            s,
            json!({ "title": "Age", "default": null, "nullable": true, "type": "integer", "maximum": 150 })
        );
        assert!(warnings.is_empty());
        let typed = typed(s);
        assert!(typed.schema_data.nullable);
        assert!(
            matches!(typed.schema_kind, SchemaKind::Type(Type::Integer(ref i)) if i.maximum == Some(150))
        );
    }

    #[test]
    fn optional_ref_becomes_nullable_all_of() {
        let (s, _) = norm(
            json!({ "oneOf": [{ "$ref": "#/components/schemas/A" }, { "type": "null" }],
                                  "description": "d" }),
        );
        assert_eq!(
            s,
            json!({ "description": "d", "nullable": true, "allOf": [{ "$ref": "#/components/schemas/A" }] })
        );
    }

    #[test]
    fn optional_union_keeps_any_of_and_adds_nullable() {
        let (s, _) = norm(
            json!({ "anyOf": [{ "type": "integer" }, { "type": "string" }, { "type": "null" }] }),
        );
        assert_eq!(
            s,
            json!({ "anyOf": [{ "type": "integer" }, { "type": "string" }], "nullable": true })
        );
    }

    #[test]
    fn optional_member_that_clashes_with_the_outer_schema_stays_wrapped() {
        let (s, _) =
            norm(json!({ "type": "object", "anyOf": [{ "type": "string" }, { "type": "null" }] }));
        assert_eq!(
            s,
            json!({ "type": "object", "anyOf": [{ "type": "string" }], "nullable": true })
        );
    }

    #[test]
    fn lone_null_type_becomes_a_null_enum_with_a_warning() {
        let (s, warnings) = norm(json!({ "type": "object",
                                         "properties": { "nothing": { "type": "null", "title": "N" } } }));
        assert_eq!(
            s["properties"]["nothing"],
            json!({ "title": "N", "nullable": true, "enum": [null] })
        );
        assert_eq!(
            pointers(&warnings),
            ["/components/schemas/S/properties/nothing/type"]
        );
    }

    #[test]
    fn integer_bounds_written_as_floats_become_integers() {
        let (s, _) = norm(
            json!({ "type": "integer", "minimum": 1.0, "maximum": 1000.0, "multipleOf": 5.0 }),
        );
        assert_eq!(
            s,
            json!({ "type": "integer", "minimum": 1, "maximum": 1000, "multipleOf": 5 })
        );
        let (s, warnings) = norm(
            json!({ "type": "integer", "exclusiveMinimum": 0.5, "maximum": 9.9,
                                         "multipleOf": 0.5 }),
        );
        assert_eq!(s, json!({ "type": "integer", "minimum": 1, "maximum": 9 }));
        assert_eq!(pointers(&warnings), ["/components/schemas/S/multipleOf"]);
        let (s, _) = norm(json!({ "type": "number", "minimum": 1.0 }));
        assert_eq!(s["minimum"], 1.0, "number bounds stay as written");
    }

    #[test]
    fn count_bounds_written_as_floats_become_integers() {
        let (s, _) = norm(
            json!({ "minLength": 1.0, "maxLength": 64.0, "minItems": 0.5, "maxItems": 2.0,
                                  "minProperties": -1.0, "maxProperties": 3.0 }),
        );
        assert_eq!(
            s,
            json!({ "minLength": 1, "maxLength": 64, "minItems": 1, "maxItems": 2,
                              "minProperties": 0, "maxProperties": 3 })
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        let (s, _) = norm(json!({ "type": "string", "const": "user", "default": "user" }));
        assert_eq!(
            s,
            json!({ "type": "string", "default": "user", "enum": ["user"] })
        );
    }

    #[test]
    fn ref_with_siblings_becomes_all_of() {
        let (s, _) = norm(json!({ "$ref": "#/components/schemas/Role", "default": "member" }));
        assert_eq!(
            s,
            json!({ "default": "member", "allOf": [{ "$ref": "#/components/schemas/Role" }] })
        );
        let (s, _) = norm(json!({ "$ref": "#/components/schemas/Role" }));
        assert_eq!(
            s,
            json!({ "$ref": "#/components/schemas/Role" }),
            "a bare $ref stays"
        );
    }

    #[test]
    fn schema_examples_become_example_but_parameter_examples_stay() {
        let mut doc = json!({
            "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "get": {
                "parameters": [{ "name": "q", "in": "query",
                                 "schema": { "type": "string", "examples": ["x", "y"] },
                                 "examples": { "one": { "value": "z" } } }],
                "responses": {}
            } } }
        });
        normalize(&mut doc).unwrap();
        let parameter = &doc["paths"]["/a"]["get"]["parameters"][0];
        assert_eq!(
            parameter["schema"],
            json!({ "type": "string", "example": "x" })
        );
        assert_eq!(parameter["examples"], json!({ "one": { "value": "z" } }));
    }

    #[test]
    fn content_media_types_become_string_formats() {
        let (s, warnings) = norm(json!({ "type": "object", "properties": {
            "file": { "type": "string", "contentMediaType": "application/octet-stream" },
            "b64": { "type": "string", "format": "base64", "contentMediaType": "application/octet-stream" },
            "enc": { "contentEncoding": "base64" },
            "json": { "type": "string", "contentMediaType": "application/json",
                      "contentSchema": { "type": "object" } }
        } }));
        assert_eq!(
            s["properties"],
            json!({
                "file": { "type": "string", "format": "binary" },
                "b64": { "type": "string", "format": "byte" },
                "enc": { "format": "byte", "type": "string" },
                "json": { "type": "string" }
            })
        );
        assert_eq!(
            pointers(&warnings),
            ["/components/schemas/S/properties/json/contentSchema"]
        );
    }

    #[test]
    fn unsupported_keywords_are_dropped_with_escaped_pointers() {
        let (s, warnings) = norm(json!({ "type": "object", "properties": { "a/b~c": {
            "type": "object", "patternProperties": { "^x": {} }, "$defs": {}, "if": {}, "then": {},
            "unevaluatedProperties": false, "$comment": "harmless", "additionalProperties": { "type": "integer" }
        } } }));
        assert_eq!(
            s["properties"]["a/b~c"],
            json!({ "type": "object", "additionalProperties": { "type": "integer" } })
        );
        let prefix = "/components/schemas/S/properties/a~1b~0c/";
        let expected: Vec<String> = [
            "if",
            "then",
            "patternProperties",
            "unevaluatedProperties",
            "$defs",
        ]
        .iter()
        .map(|k| format!("{prefix}{k}"))
        .collect();
        assert_eq!(pointers(&warnings), expected);
    }

    #[test]
    fn prefix_items_become_items_any_of_with_a_warning() {
        let (s, warnings) = norm(json!({ "type": "array", "minItems": 2, "maxItems": 2,
                                         "prefixItems": [{ "type": "integer" }, { "type": "string" }] }));
        assert_eq!(
            s,
            json!({ "type": "array", "minItems": 2, "maxItems": 2,
                    "items": { "anyOf": [{ "type": "integer" }, { "type": "string" }] } })
        );
        assert_eq!(pointers(&warnings), ["/components/schemas/S/prefixItems"]);
    }

    #[test]
    fn warnings_point_at_original_positions_inside_optional_members() {
        let (_, warnings) =
            norm(json!({ "anyOf": [{ "type": "null" }, { "type": "string", "if": {} }] }));
        assert_eq!(pointers(&warnings), ["/components/schemas/S/anyOf/1/if"]);
    }

    // Rule 4: never panic; typed-parse errors name their JSON pointer.

    // Real FastAPI 0.165 / Pydantic 2.14 output: each fixture is `app.openapi()` of a small
    // app, verbatim. models: Optional, EmailStr, UUID, str Enum, nested and default models,
    // lists, ge/le, gt/lt, pattern, examples, Literal, tuple, discriminated union, Decimal.
    // routes: query/path/header parameters, a Query enum, one function on GET and DELETE
    // (duplicate operationId), security schemes, a webhook, license identifier.
    // upload: UploadFile, Form fields with bounds, optional and repeated files, bytes, Json.
}
