//! The typed parse: a normalised document read into `openapiv3` ([`to_openapi`]), and
//! where it fails, named as the JSON pointer of the innermost part openapiv3 refuses
//! (serde_path_to_error loses its place inside openapiv3's flattened and untagged types),
//! found in linear time even in deeply nested schemas.
//!
//! Shared with `build.rs` through `#[path]`: std, serde, serde_json, openapiv3 and
//! serde_path_to_error only, nothing from `crate::`.

use serde_json::{json, Value};

use super::layout::{child, reach, Part, LAYOUT};
use super::normalize::{normalize, NormalizeError, Warning};

/// [`normalize`], then the typed parse.
///
/// # Errors
/// As [`normalize`], or [`NormalizeError::Parse`] naming the JSON pointer of the innermost
/// part that openapiv3 cannot read.
pub fn to_openapi(mut doc: Value) -> Result<(openapiv3::OpenAPI, Vec<Warning>), NormalizeError> {
    let warnings = normalize(&mut doc)?;
    let mut replaced = Vec::new();
    if schema_depth(&mut doc, Part::Document) > DEEP_NESTING {
        replace_failing_schemas(&mut doc, String::new(), Part::Document, &mut replaced);
    }
    match serde_path_to_error::deserialize(&doc) {
        Ok(api) => Ok((api, warnings)),
        Err(err) => {
            let (pointer, message) = innermost_failure(&mut doc, path_to_pointer(err.path()));
            let message = message.unwrap_or_else(|| err.inner().to_string());
            // A replaced schema fails for the reason recorded when it was replaced.
            let (pointer, message) = replaced
                .into_iter()
                .find(|r| within(&pointer, &r.pointer))
                .map_or((pointer, message), |r| r.cause);
            Err(NormalizeError::Parse { pointer, message })
        }
    }
}

/// Documents whose schemas nest deeper than this are read schema by schema first
/// ([`replace_failing_schemas`]); FastAPI's own nest four or five deep.
const DEEP_NESTING: usize = 8;

/// How many schemas deep `value`, a `part` of the document, nests at most.
fn schema_depth(value: &mut Value, part: Part) -> usize {
    let mut deepest = 0;
    for (_, path, child_part) in LAYOUT.iter().filter(|(parent, ..)| *parent == part) {
        for (_, child) in reach(value, "", path) {
            deepest = deepest.max(schema_depth(child, *child_part));
        }
    }
    deepest + usize::from(part == Part::Schema)
}

/// What a schema openapiv3 cannot read is replaced by: a number, which every schema
/// position refuses at once (`null` would not do: an optional `items` reads it as absent).
const FAILS_AS_SCHEMA: i64 = 0;

/// A schema that openapiv3 cannot read, replaced by [`FAILS_AS_SCHEMA`], and why it fails: its own
/// pointer and message, or those of a replaced subschema it reads.
struct Replaced {
    pointer: String,
    cause: (String, String),
}

/// openapiv3's schemas are untagged enums: serde tries each variant in turn, and each
/// variant that reads the subschemas reads them again, so a value it refuses n schemas
/// deep costs about 2^n parses (a bad `type` 20 schemas deep took 36 s to refuse).
/// So this reads every schema on its own, innermost first, and replaces each that fails
/// by [`FAILS_AS_SCHEMA`], which fails wherever a schema is read, at once. The document then
/// parses in linear time, and fails where it did before, reported with the recorded cause.
fn replace_failing_schemas(
    value: &mut Value,
    ptr: String,
    part: Part,
    replaced: &mut Vec<Replaced>,
) {
    let first = replaced.len();
    for (_, path, child_part) in LAYOUT.iter().filter(|(parent, ..)| *parent == part) {
        for (child_ptr, child) in reach(value, &ptr, path) {
            // `additionalProperties: false` is no schema but valid.
            if path.first() != Some(&"additionalProperties") || !child.is_boolean() {
                replace_failing_schemas(child, child_ptr, *child_part, replaced);
            }
        }
    }
    if part != Part::Schema {
        return;
    }
    let Some((at, message)) = parse_error(value, Part::Schema) else {
        return;
    };
    // openapiv3 reads every subschema, whatever the type: a schema fails for the first
    // of its replaced subschemas, if it has one (the innermost failure), else for itself.
    let inherited = replaced[first..].first().map(|r| r.cause.clone());
    let cause = inherited.unwrap_or_else(|| (format!("{ptr}{at}"), message));
    replaced.push(Replaced {
        pointer: ptr,
        cause,
    });
    *value = json!(FAILS_AS_SCHEMA);
}

/// serde_path_to_error loses its place inside `#[serde(flatten)]`, which openapiv3 uses
/// for `paths` and every schema: a broken parameter is reported at `/paths`. Re-parse
/// the parts under the reported pointer one by one and return the innermost that fails.
fn innermost_failure(doc: &mut Value, reported: String) -> (String, Option<String>) {
    match innermost(doc, String::new(), Part::Document, &reported) {
        Some((pointer, message)) if pointer.len() > reported.len() => (pointer, Some(message)),
        _ => (reported, None),
    }
}

/// The innermost part at or below `value` that fails to parse, looking only at or
/// below the `reported` pointer.
fn innermost(
    value: &mut Value,
    ptr: String,
    part: Part,
    reported: &str,
) -> Option<(String, String)> {
    let (at, message) = parse_error(value, part)?;
    for (parent, path, child_part) in LAYOUT {
        if *parent != part {
            continue;
        }
        for (child_ptr, child_value) in reach(value, &ptr, path) {
            if !within(&child_ptr, reported) && !within(reported, &child_ptr) {
                continue;
            }
            if let Some(found) = innermost(child_value, child_ptr, *child_part, reported) {
                return Some(found);
            }
        }
    }
    Some((ptr + &at, message))
}

/// Whether pointer `inner` is `outer` or points inside it.
fn within(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Where in `value`, read as a `part`, and why openapiv3 refuses it, if it does.
fn parse_error(value: &Value, part: Part) -> Option<(String, String)> {
    use openapiv3::{
        Header, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema,
    };
    fn probe<T: serde::de::DeserializeOwned>(value: &Value) -> Option<(String, String)> {
        let err = serde_path_to_error::deserialize::<_, T>(value).err()?;
        Some((path_to_pointer(err.path()), err.inner().to_string()))
    }
    match part {
        Part::Document => probe::<openapiv3::OpenAPI>(value),
        Part::PathItem => probe::<ReferenceOr<PathItem>>(value),
        Part::Operation => probe::<Operation>(value),
        Part::Parameter => probe::<ReferenceOr<Parameter>>(value),
        Part::Header => probe::<ReferenceOr<Header>>(value),
        Part::RequestBody => probe::<ReferenceOr<RequestBody>>(value),
        Part::Response => probe::<ReferenceOr<Response>>(value),
        Part::Schema => probe::<ReferenceOr<Schema>>(value),
    }
}

/// A serde_path_to_error path as a JSON pointer; what it cannot place is left out.
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(String::new(), |ptr, segment| match segment {
            Segment::Seq { index } => child(&ptr, &index.to_string()),
            Segment::Map { key } => child(&ptr, key),
            Segment::Enum { variant } => child(&ptr, variant),
            Segment::Unknown => ptr,
        })
}

#[cfg(test)]
mod tests {
    use super::super::normalize::tests::{
        all_of_ref, component, doc_with_schema, item, pointers, property, MODELS, ROUTES, UPLOAD,
    };
    use super::*;
    use openapiv3::{OpenAPI, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty};

    #[test]
    fn parse_errors_name_the_json_pointer() {
        let doc = json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
                          "paths": { "/a/{id}": { "get": { "parameters": [{ "name": "id" }] } } } });
        let err = to_openapi(doc).unwrap_err();
        let NormalizeError::Parse { pointer, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(pointer, "/paths/~1a~1{id}/get/parameters/0");
        assert_eq!(
            err.to_string(),
            "parse OpenAPI document at /paths/~1a~1{id}/get/parameters/0: missing field `in`"
        );
        let doc = doc_with_schema(
            json!({ "type": "object", "properties": { "a": { "minLength": "x" } } }),
        );
        let Err(NormalizeError::Parse { pointer, .. }) = to_openapi(doc) else {
            panic!()
        };
        assert_eq!(pointer, "/components/schemas/S/properties/a");
        let responses = json!({ "x-note": 5, "200": {} }); // the extension is not a response
        let doc = json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
                          "paths": { "/b": { "get": { "responses": responses } } } });
        let Err(NormalizeError::Parse { pointer, .. }) = to_openapi(doc) else {
            panic!()
        };
        assert_eq!(pointer, "/paths/~1b/get/responses/200");
        let doc = json!({ "openapi": "3.1.0", "info": { "title": "t" } });
        assert_eq!(
            to_openapi(doc).unwrap_err().to_string(),
            "parse OpenAPI document at /info: missing field `version`"
        );
    }

    /// `levels` array schemas around `innermost`.
    fn nested(levels: usize, innermost: Value) -> Value {
        (0..levels).fold(innermost, |s, _| json!({"type": "array", "items": s}))
    }

    #[test]
    fn a_bad_value_deep_in_a_schema_is_refused_at_once_and_named() {
        // openapiv3 alone retries its untagged variants at every level: about 2^n parses
        // for a bad value n schemas deep (36 s at 20 levels; 40 would never finish).
        let doc = doc_with_schema(nested(40, json!({"type": 5})));
        let Err(NormalizeError::Parse { pointer, message }) = to_openapi(doc) else {
            panic!("a numeric type is refused")
        };
        let expected = format!("/components/schemas/S{}", "/items".repeat(40));
        assert_eq!(pointer, expected, "{message}");
        assert!(message.contains("integer `5`"), "{message}");
        // Also beside other schemas, and in a document that is not rewritten (3.0).
        let mut doc = doc_with_schema(json!({"type": "object", "properties": {
            "fine": nested(12, json!({"type": "string"})),
            "bad": {"anyOf": [nested(30, json!({"type": "string", "maxLength": -1}))]}
        }}));
        doc["openapi"] = json!("3.0.3");
        let error = to_openapi(doc)
            .expect_err("a negative maxLength")
            .to_string();
        let expected = format!(
            "/properties/bad/anyOf/0{}: invalid value",
            "/items".repeat(30)
        );
        assert!(error.contains(&expected), "{error}");
    }

    #[test]
    fn deep_schemas_that_parse_come_out_whole() {
        let fine = json!({"type": "object", "properties": {
            "deep": nested(20, json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}))
        }});
        let (api, _) = to_openapi(doc_with_schema(fine)).expect("a deep schema parses");
        let mut deep = property(component(&api, "S"), "deep");
        for _ in 0..20 {
            let SchemaKind::Type(Type::Array(array)) = &deep.schema_kind else {
                panic!("{deep:?}")
            };
            deep = item(array.items.as_ref().unwrap()).as_ref();
        }
        assert!(deep.schema_data.nullable, "{deep:?}");
        assert!(matches!(
            deep.schema_kind,
            SchemaKind::Type(Type::Integer(_))
        ));
    }

    // The normalized document parses, and loses nothing on the way.
    #[test]
    fn adds_missing_paths() {
        let mut doc = json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" } });
        normalize(&mut doc).unwrap();
        assert_eq!(doc["paths"], json!({}));
        to_openapi(doc).expect("parses");
    }

    #[test]
    fn fills_in_operation_responses_and_drops_mutual_tls() {
        let mut doc = json!({
            "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "get": {} } },
            "components": { "securitySchemes": {
                "tls": { "type": "mutualTLS" }, "bearer": { "type": "http", "scheme": "bearer" }
            } }
        });
        let (api, warnings) = to_openapi(doc.take()).unwrap();
        assert_eq!(pointers(&warnings), ["/components/securitySchemes/tls"]);
        assert_eq!(api.components.unwrap().security_schemes.len(), 1);
    }

    #[test]
    fn walks_every_place_a_schema_can_be() {
        let s = json!({ "const": 1 });
        let media = json!({ "application/json": { "schema": s } });
        let form = json!({ "multipart/form-data": { "schema": s,
                                                    "encoding": { "f": { "headers": { "h": { "schema": s } } } } } });
        let mut doc = json!({
            "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
            "paths": { "/a": {
                "parameters": [{ "name": "p", "in": "query", "schema": s }],
                "post": {
                    "parameters": [{ "name": "q", "in": "query", "content": media }],
                    "requestBody": { "content": form },
                    "responses": { "200": { "description": "ok", "headers": { "h": { "schema": s } },
                                            "content": media } },
                    "callbacks": { "cb": { "{$request.body#/url}": { "post": { "requestBody": { "content": media } } } } }
                }
            } },
            "components": {
                "schemas": { "S": { "type": "array", "items": s } },
                "parameters": { "P": { "name": "p", "in": "query", "schema": s } },
                "headers": { "H": { "schema": s } },
                "requestBodies": { "B": { "content": media } },
                "responses": { "R": { "description": "r", "content": media } },
                "callbacks": { "C": { "/x": { "get": { "responses": { "200": { "description": "d", "content": media } } } } } }
            }
        });
        normalize(&mut doc).unwrap();
        let text = doc.to_string();
        assert!(!text.contains("const"), "{text}");
        assert_eq!(text.matches(r#"{"enum":[1]}"#).count(), 13, "{text}");
        to_openapi(doc).expect("parses");
    }

    #[test]
    fn never_panics_on_malformed_input() {
        // As deep as serde_json's parser allows (128 levels): plain recursion is fine.
        let mut text = r#"{ "type": ["integer", "null"], "exclusiveMinimum": 1e300 }"#.to_owned();
        for _ in 0..30 {
            text = format!(r#"{{ "anyOf": [{{ "items": {text} }}, {{ "type": "null" }}] }}"#);
        }
        let deep: Value = serde_json::from_str(&text).expect("within the recursion limit");
        let docs = [
            json!({ "openapi": "3.1.0", "paths": [], "components": [], "info": 1 }),
            json!({ "openapi": "3.1.0", "paths": { "/x": { "get": {
                "parameters": [1, null, { "schema": 5, "content": [] }], "responses": [], "callbacks": 1,
                "requestBody": { "content": { "a/b": { "schema": { "type": [] }, "encoding": 3 } } }
            }, "parameters": "x" } } }),
            doc_with_schema(
                json!({ "type": [1, null], "anyOf": "x", "properties": [true, false],
                                    "prefixItems": 3, "$ref": 5, "x": 1, "const": null, "examples": {},
                                    "minimum": "a", "exclusiveMinimum": 2, "items": [false, true] }),
            ),
            doc_with_schema(
                json!({ "type": "integer", "minimum": 1e300, "maximum": -1e300, "multipleOf": 1e-300,
                                    "minLength": 1e300, "oneOf": [], "anyOf": [{ "type": "null" }] }),
            ),
            doc_with_schema(
                json!({ "type": ["string", "integer"], "enum": [], "anyOf": [{}], "allOf": 1 }),
            ),
            doc_with_schema(deep),
        ];
        for doc in docs {
            let mut copy = doc.clone();
            normalize(&mut copy).expect("normalize never fails on a 3.1 document");
            let _ = to_openapi(doc);
        }
    }

    #[test]
    fn fastapi_models_fail_raw_and_read_faithfully_after_normalizing() {
        let raw: Value = serde_json::from_str(MODELS).unwrap();
        let err = serde_json::from_value::<OpenAPI>(raw.clone()).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");

        let (api, warnings) = to_openapi(raw).expect("normalized models parse");
        let user = component(&api, "UserIn");

        let nickname = property(user, "nickname");
        assert!(nickname.schema_data.nullable);
        assert!(matches!(
            nickname.schema_kind,
            SchemaKind::Type(Type::String(_))
        ));
        assert_eq!(nickname.schema_data.title.as_deref(), Some("Nickname"));

        let age = property(user, "age");
        assert!(age.schema_data.nullable);
        let SchemaKind::Type(Type::Integer(age_type)) = &age.schema_kind else {
            panic!("{age:?}")
        };
        assert_eq!((age_type.minimum, age_type.maximum), (Some(0), Some(150)));

        let SchemaKind::Type(Type::Integer(quota)) = &property(user, "quota").schema_kind else {
            panic!()
        };
        assert_eq!(
            (quota.minimum, quota.maximum, quota.multiple_of),
            (Some(1), Some(1000), Some(5))
        );

        let SchemaKind::Type(Type::Number(score)) = &property(user, "score").schema_kind else {
            panic!()
        };
        assert!(score.exclusive_minimum && score.exclusive_maximum);
        assert_eq!((score.minimum, score.maximum), (Some(0.0), Some(1.0)));

        let settings = property(user, "settings");
        assert_eq!(all_of_ref(settings), "#/components/schemas/Settings");
        assert_eq!(
            settings.schema_data.default,
            Some(json!({ "theme": "light", "page_size": 20 }))
        );
        assert_eq!(
            all_of_ref(property(user, "role")),
            "#/components/schemas/Role"
        );
        let address = property(user, "address");
        assert!(address.schema_data.nullable);
        assert_eq!(all_of_ref(address), "#/components/schemas/Address");

        let SchemaKind::Type(Type::String(kind)) = &property(user, "kind").schema_kind else {
            panic!()
        };
        assert_eq!(kind.enumeration, [Some("user".to_owned())]);
        assert_eq!(
            property(user, "name").schema_data.example,
            Some(json!("Ada"))
        );
        let pet = property(user, "pet");
        assert!(pet.schema_data.nullable && pet.schema_data.discriminator.is_some());
        assert!(matches!(&pet.schema_kind, SchemaKind::OneOf { one_of } if one_of.len() == 2));
        let SchemaKind::Type(Type::Integer(page)) =
            &property(component(&api, "Settings"), "page_size").schema_kind
        else {
            panic!()
        };
        assert_eq!(page.minimum, Some(1));

        let user_in = "/components/schemas/UserIn/properties";
        assert_eq!(
            pointers(&warnings),
            [
                format!("{user_in}/pair/prefixItems"),
                format!("{user_in}/nothing/type")
            ]
        );
    }

    #[test]
    fn fastapi_routes_fail_raw_and_keep_every_operation() {
        let raw: Value = serde_json::from_str(ROUTES).unwrap();
        assert!(serde_json::from_value::<OpenAPI>(raw.clone()).is_err());

        let (api, warnings) = to_openapi(raw).expect("normalized routes parse");
        assert_eq!(pointers(&warnings), ["/webhooks"]);
        assert_eq!(
            api.info.license.as_ref().map(|l| l.name.as_str()),
            Some("MIT")
        );

        let list = api.paths.paths["/items"]
            .as_item()
            .unwrap()
            .get
            .as_ref()
            .unwrap();
        let schema_of = |name: &str| {
            let parameter = list
                .parameters
                .iter()
                .map(item)
                .find(|p| p.parameter_data_ref().name == name);
            match &parameter.expect(name).parameter_data_ref().format {
                openapiv3::ParameterSchemaOrContent::Schema(schema) => item(schema).clone(),
                other => panic!("{other:?}"),
            }
        };
        let SchemaKind::Type(Type::Integer(limit)) = schema_of("limit").schema_kind else {
            panic!()
        };
        assert_eq!(
            (limit.minimum, limit.exclusive_minimum, limit.maximum),
            (Some(0), true, Some(100))
        );
        let q = schema_of("q");
        assert!(
            q.schema_data.nullable
                && matches!(q.schema_kind, SchemaKind::Type(Type::String(ref s)) if s.max_length == Some(50))
        );
        assert_eq!(q.schema_data.example, Some(json!("widget")));
        assert_eq!(all_of_ref(&schema_of("sort")), "#/components/schemas/Sort");

        // FastAPI gives both methods of one route the same operationId; both must survive.
        let item_path = api.paths.paths["/items/{item_id}"].as_item().unwrap();
        let (get, delete) = (
            item_path.get.as_ref().unwrap(),
            item_path.delete.as_ref().unwrap(),
        );
        assert_eq!(get.operation_id, delete.operation_id);
        assert_eq!(api.components.as_ref().unwrap().security_schemes.len(), 2);
    }

    #[test]
    fn fastapi_uploads_lose_nothing_silently_after_normalizing() {
        let raw: Value = serde_json::from_str(UPLOAD).unwrap();
        let body = "Body_upload_session__session_id__upload_post";
        // openapiv3 reads this document raw, but wrongly: no binary file, an untyped int.
        let raw_api: OpenAPI = serde_json::from_value(raw.clone()).expect("raw upload parses");
        let file = property(component(&raw_api, body), "file");
        assert!(
            matches!(&file.schema_kind, SchemaKind::Type(Type::String(s)) if s.format == VariantOrUnknownOrEmpty::Empty)
        );
        assert!(matches!(
            property(component(&raw_api, body), "retries").schema_kind,
            SchemaKind::Any(_)
        ));

        let (api, warnings) = to_openapi(raw).expect("normalized upload parses");
        let form = component(&api, body);
        let binary = VariantOrUnknownOrEmpty::Item(StringFormat::Binary);
        let is_binary = |s: &Schema| matches!(&s.schema_kind, SchemaKind::Type(Type::String(t)) if t.format == binary);
        assert!(is_binary(property(form, "file")));
        let extra = property(form, "extra");
        assert!(extra.schema_data.nullable && is_binary(extra));
        let SchemaKind::Type(Type::Integer(retries)) = &property(form, "retries").schema_kind
        else {
            panic!()
        };
        assert_eq!((retries.minimum, retries.maximum), (Some(0), Some(5)));
        let meta = property(form, "meta");
        assert!(
            meta.schema_data.nullable && !is_binary(meta),
            "Json[..] is a JSON string, not a file"
        );

        let many = component(&api, "Body_upload_many_session__session_id__uploads_post");
        let SchemaKind::Type(Type::Array(files)) = &property(many, "files").schema_kind else {
            panic!()
        };
        assert!(is_binary(item(files.items.as_ref().unwrap()).as_ref()));
        assert!(is_binary(property(many, "raw")));
        assert_eq!(
            pointers(&warnings),
            [format!(
                "/components/schemas/{body}/properties/meta/anyOf/0/contentSchema"
            )]
        );
    }
}
