//! Checks an answer's JSON body against the documented response schema, compiled into a
//! [`Shape`] as request schemas are: types, `null`, enums, required properties, nested
//! objects and arrays, `oneOf`/`anyOf`. Bounds, patterns and formats are not checked:
//! this runs on a sample of live responses and must stay cheap.

use super::refs::{Follow, RefPath};
use super::shape::{Kind, Shape};
use serde_json::Value;
use std::fmt::Write as _;

/// How many items of an array are checked (the first ones).
const MAX_ITEMS_CHECKED: usize = 20;
/// How deep a body is followed.
const MAX_DEPTH: usize = 32;

impl Shape {
    /// `Ok` when `value` fits the schema; else where and how it does not, e.g.
    /// `at /items/0/id: expected integer, got string "x1"`.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let mut at = String::new();
        self.check_at(value, &mut at, 0, &mut RefPath::default())
    }

    fn check_at(
        &self,
        value: &Value,
        at: &mut String,
        depth: usize,
        refs: &mut RefPath,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        if value.is_null() && (self.nullable || matches!(self.kind, Kind::Null)) {
            return Ok(());
        }
        if !self.enumeration.is_empty() && !self.enumeration.contains(value) {
            return Err(mismatch(at, "one of the documented enum values", value));
        }
        match &self.kind {
            Kind::Any | Kind::Recursive => Ok(()),
            // A shared schema, checked as inlining did: recursion cut.
            Kind::Ref { .. } => match refs.enter(self) {
                Follow::Target(target) => {
                    let result = target.check_at(value, at, depth, refs);
                    refs.leave();
                    result
                }
                _ => Ok(()),
            },
            Kind::Null => Err(mismatch(at, "null", value)),
            Kind::Bool => expect(value.is_boolean(), at, "boolean", value),
            Kind::Integer { .. } => {
                let whole = value.is_i64()
                    || value.is_u64()
                    || value.as_f64().is_some_and(|f| f.fract() == 0.0);
                expect(whole, at, "integer", value)
            }
            Kind::Number { .. } => expect(value.is_number(), at, "number", value),
            Kind::String { .. } => expect(value.is_string(), at, "string", value),
            Kind::Array { items, .. } => {
                let Some(array) = value.as_array() else {
                    return Err(mismatch(at, "array", value));
                };
                for (index, item) in array.iter().take(MAX_ITEMS_CHECKED).enumerate() {
                    let len = at.len();
                    let _ = write!(at, "/{index}");
                    items.check_at(item, at, depth + 1, refs)?;
                    at.truncate(len);
                }
                Ok(())
            }
            Kind::Object {
                properties,
                additional,
            } => {
                let Some(object) = value.as_object() else {
                    return Err(mismatch(at, "object", value));
                };
                for property in properties {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&property.name);
                    match object.get(&property.name) {
                        Some(found) => property.shape.check_at(found, at, depth + 1, refs)?,
                        None if property.required => {
                            return Err(format!("at {at}: required property is missing"));
                        }
                        None => {}
                    }
                    at.truncate(len);
                }
                if let Some(additional) = additional {
                    for (name, found) in object {
                        if properties.iter().any(|p| &p.name == name) {
                            continue;
                        }
                        let len = at.len();
                        at.push('/');
                        at.push_str(name);
                        additional.check_at(found, at, depth + 1, refs)?;
                        at.truncate(len);
                    }
                }
                Ok(())
            }
            Kind::OneOf(variants) => {
                let fits = |v: &Shape| {
                    let mut scratch = String::new();
                    v.check_at(value, &mut scratch, depth, &mut refs.clone())
                        .is_ok()
                };
                if variants.is_empty() || variants.iter().any(fits) {
                    return Ok(());
                }
                Err(mismatch(
                    at,
                    "a value of one of the documented variants",
                    value,
                ))
            }
        }
    }
}

fn expect(fits: bool, at: &str, wanted: &str, value: &Value) -> Result<(), String> {
    match fits {
        true => Ok(()),
        false => Err(mismatch(at, wanted, value)),
    }
}

/// `at /a/0: expected integer, got string "x"` (the value cut short).
fn mismatch(at: &str, wanted: &str, value: &Value) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut shown = value.to_string();
    if shown.len() > 60 {
        let cut = (0..=60)
            .rev()
            .find(|i| shown.is_char_boundary(*i))
            .unwrap_or(0);
        shown.truncate(cut);
        shown.push('…');
    }
    let at = if at.is_empty() { "/" } else { at };
    format!("at {at}: expected {wanted}, got {kind} {shown}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(schema: Value) -> Shape {
        Shape::compile(&schema)
    }

    #[test]
    fn a_fitting_body_passes() {
        let s = shape(json!({
            "type": "object",
            "required": ["id", "tags"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string", "nullable": true},
                "tags": {"type": "array", "items": {"type": "string"}},
                "status": {"type": "string", "enum": ["open", "closed"]},
                "owner": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
            }
        }));
        let body =
            json!({"id": 3, "name": null, "tags": ["a"], "status": "open", "owner": 7, "extra": 1});
        assert_eq!(s.check(&body), Ok(()));
    }

    #[test]
    fn mismatches_name_the_place_and_the_difference() {
        let s = shape(json!({
            "type": "object",
            "required": ["id", "items"],
            "properties": {
                "id": {"type": "integer"},
                "items": {"type": "array", "items": {
                    "type": "object", "required": ["n"], "properties": {"n": {"type": "number"}}
                }},
                "status": {"type": "string", "enum": ["open"]}
            }
        }));
        let err = s.check(&json!({"items": []})).unwrap_err();
        assert_eq!(err, "at /id: required property is missing");
        let err = s.check(&json!({"id": "x1", "items": []})).unwrap_err();
        assert_eq!(err, "at /id: expected integer, got string \"x1\"");
        let err = s
            .check(&json!({"id": 1, "items": [{"n": 1}, {"n": "2"}]}))
            .unwrap_err();
        assert_eq!(err, "at /items/1/n: expected number, got string \"2\"");
        let err = s
            .check(&json!({"id": 1, "items": [], "status": "gone"}))
            .unwrap_err();
        assert!(
            err.starts_with("at /status: expected one of the documented enum"),
            "{err}"
        );
        let err = s.check(&json!([1])).unwrap_err();
        assert_eq!(err, "at /: expected object, got array [1]");
    }

    #[test]
    fn one_answer_in_check_every_is_sampled_the_first_included() {
        let schema = crate::params::ResponseSchema::new(r#"{"type": "integer"}"#);
        let every = crate::params::ResponseSchema::CHECK_EVERY as usize;
        let sampled: Vec<usize> = (0..2 * every + 1)
            .filter(|_| schema.sampled().is_some())
            .collect();
        assert_eq!(sampled, vec![0, every, 2 * every]);
        assert!(schema.shape().check(&json!("x")).is_err());
        assert!(crate::params::ResponseSchema::new("").sampled().is_none());
    }

    #[test]
    fn an_empty_schema_accepts_anything() {
        let s = Shape::from_json_text("{}");
        for value in [json!(null), json!(1), json!({"a": [1]}), json!("x")] {
            assert_eq!(s.check(&value), Ok(()));
        }
    }
}
