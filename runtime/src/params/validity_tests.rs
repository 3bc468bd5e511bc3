//! Every constraint kind the generator honours, checked with an independent JSON-Schema
//! validator: drawn values must validate against their (normalised, OpenAPI 3.0 / draft 4
//! style) schema, and a seed must replay the same values.

use super::{Shape, Values};
use crate::rng;
use serde_json::{json, Value};

/// One schema per constraint kind, as they look after normalisation.
fn cases() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "minimum/maximum",
            "score",
            json!({"type": "integer", "minimum": -5, "maximum": 5}),
        ),
        (
            "exclusive bounds",
            "severity",
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 6, "exclusiveMaximum": true}),
        ),
        (
            "exclusive number bounds",
            "ratio",
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true}),
        ),
        (
            "multipleOf",
            "quota",
            json!({"type": "integer", "minimum": 1, "maximum": 1000, "multipleOf": 5}),
        ),
        (
            "number multipleOf",
            "step",
            json!({"type": "number", "minimum": 0, "maximum": 10, "multipleOf": 0.5}),
        ),
        (
            "minLength/maxLength",
            "title",
            json!({"type": "string", "minLength": 3, "maxLength": 8}),
        ),
        (
            "pattern",
            "code",
            json!({"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}),
        ),
        (
            "pattern with classes",
            "phone",
            json!({"type": "string", "pattern": "^\\+?[0-9][0-9 ()-]{5,19}$"}),
        ),
        (
            "format email",
            "contact",
            json!({"type": "string", "format": "email"}),
        ),
        (
            "format uuid",
            "ref",
            json!({"type": "string", "format": "uuid", "pattern": "^[0-9a-f-]{36}$"}),
        ),
        (
            "format date-time",
            "when",
            json!({"type": "string", "format": "date-time"}),
        ),
        (
            "minItems/maxItems",
            "tags",
            json!({"type": "array", "minItems": 2, "maxItems": 4, "items": {"type": "string", "maxLength": 12}}),
        ),
        (
            "uniqueItems",
            "ids",
            json!({"type": "array", "uniqueItems": true, "minItems": 3, "items": {"type": "integer", "minimum": 1, "maximum": 4}}),
        ),
        (
            "enum",
            "status",
            json!({"type": "string", "enum": ["open", "in_progress", "closed"]}),
        ),
        (
            "const (as a one-value enum)",
            "kind",
            json!({"type": "string", "enum": ["user"]}),
        ),
        (
            "required vs optional",
            "person",
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}, "nickname": {"type": "string"}}, "additionalProperties": false}),
        ),
        (
            "nullable",
            "note",
            json!({"type": "string", "nullable": true, "maxLength": 5}),
        ),
        (
            "nested objects and arrays",
            "ticket",
            json!({"type": "object", "required": ["reporter", "tags"], "properties": {
            "reporter": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}, "name": {"type": "string", "maxLength": 20}}},
            "tags": {"type": "array", "maxItems": 3, "items": {"type": "string", "minLength": 1, "maxLength": 10}}}}),
        ),
        (
            "allOf",
            "merged",
            json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 3}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "boolean"}}}]}),
        ),
        (
            "oneOf",
            "either",
            json!({"oneOf": [{"type": "integer", "minimum": 10, "maximum": 20}, {"type": "string", "pattern": "^x+$", "minLength": 1}]}),
        ),
        (
            "anyOf",
            "any",
            json!({"anyOf": [{"type": "string", "maxLength": 3}, {"type": "boolean"}]}),
        ),
        (
            "additionalProperties",
            "labels",
            json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 9}}),
        ),
        (
            "recursive (cut off)",
            "node",
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "child": {"x-recursive": "Node"}}}),
        ),
        (
            "example",
            "city",
            json!({"type": "string", "example": "Lisbon"}),
        ),
        (
            "default",
            "priority",
            json!({"type": "string", "enum": ["low", "medium"], "default": "medium"}),
        ),
    ]
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(schema)
        .expect("a valid draft-4 schema")
}

#[test]
fn drawn_values_validate_against_their_schema_for_every_constraint_kind() {
    let mut values = Values::new(rng::from_seed(11));
    for (kind, name, schema) in cases() {
        let shape = Shape::compile(&schema);
        let check = validator(&schema);
        // The validator is not vacuous: fifty equal numbers fit none of these schemas.
        assert!(
            !check.is_valid(&Value::Array(vec![json!(1); 50])),
            "{kind}: the validator accepts anything"
        );
        for _ in 0..200 {
            let value = values.value(&shape, name);
            assert!(
                check.is_valid(&value),
                "{kind}: {value} does not validate against {schema}"
            );
        }
    }
}

#[test]
fn optional_properties_are_sometimes_left_out() {
    let (_, name, schema) = cases()
        .into_iter()
        .find(|(k, _, _)| *k == "required vs optional")
        .unwrap();
    let shape = Shape::compile(&schema);
    let mut values = Values::new(rng::from_seed(3));
    let drawn: Vec<Value> = (0..100).map(|_| values.value(&shape, name)).collect();
    assert!(drawn.iter().any(|v| v.get("nickname").is_some()));
    assert!(drawn.iter().any(|v| v.get("nickname").is_none()));
}

#[test]
fn a_seed_replays_the_same_values() {
    let draw = |seed| {
        let mut values = Values::new(rng::from_seed(seed));
        cases()
            .iter()
            .map(|(_, name, schema)| values.value(&Shape::compile(schema), name))
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(42), draw(42));
    assert_ne!(draw(42), draw(43));
}
