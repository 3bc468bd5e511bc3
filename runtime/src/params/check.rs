//! Checks an answer's JSON body against the documented response schema, compiled into a
//! [`Shape`] as request schemas are: types, `null`, enums, required properties, nested
//! objects and arrays, `oneOf`/`anyOf`. Bounds, patterns and formats are not checked:
//! this runs on a sample of live responses and must stay cheap. [`Shape::fits`] is the
//! strict form, for the spec's own examples and defaults before a draw takes them:
//! bounds, lengths, item counts and the `date`/`date-time` formats too (patterns not).

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
        self.check_at(value, &mut at, 0, &mut RefPath::default(), false)
    }

    /// Whether `value` fits the schema strictly: what [`Shape::check`] checks, and bounds,
    /// lengths, item counts and date formats. Descriptions' examples often do not (a
    /// date-time for a `date`, `"true"` for a boolean, a required property missing).
    pub fn fits(&self, value: &Value) -> bool {
        let mut at = String::new();
        self.check_at(value, &mut at, 0, &mut RefPath::default(), true)
            .is_ok()
    }

    fn check_at(
        &self,
        value: &Value,
        at: &mut String,
        depth: usize,
        refs: &mut RefPath,
        strict: bool,
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
        // A number or string of the right type outside its bounds (any other pair is
        // in bounds, and the type check below names it).
        if strict && !self.in_bounds(value) {
            return Err(mismatch(at, "a value inside the schema's bounds", value));
        }
        match &self.kind {
            Kind::Any | Kind::Recursive => Ok(()),
            // A shared schema, checked as inlining did: recursion cut.
            Kind::Ref { .. } => match refs.enter(self) {
                Follow::Target(target) => {
                    let result = target.check_at(value, at, depth, refs, strict);
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
            Kind::Array {
                items,
                min_items,
                max_items,
                ..
            } => {
                let Some(array) = value.as_array() else {
                    return Err(mismatch(at, "array", value));
                };
                let counted =
                    array.len() >= *min_items && max_items.is_none_or(|m| array.len() <= m);
                expect(!strict || counted, at, "an item count in bounds", value)?;
                for (index, item) in array.iter().take(MAX_ITEMS_CHECKED).enumerate() {
                    let len = at.len();
                    let _ = write!(at, "/{index}");
                    items.check_at(item, at, depth + 1, refs, strict)?;
                    at.truncate(len);
                }
                Ok(())
            }
            Kind::Object {
                properties,
                additional,
                closed,
                min_properties,
                max_properties,
            } => {
                let Some(object) = value.as_object() else {
                    return Err(mismatch(at, "object", value));
                };
                if strict {
                    let counted = object.len() >= *min_properties
                        && max_properties.is_none_or(|m| object.len() <= m);
                    expect(counted, at, "a property count in bounds", value)?;
                    let declared = |name: &String| properties.iter().any(|p| &p.name == name);
                    expect(
                        !closed || object.keys().all(declared),
                        at,
                        "only the declared properties",
                        value,
                    )?;
                }
                for property in properties {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&property.name);
                    match object.get(&property.name) {
                        Some(found) => {
                            property
                                .shape
                                .check_at(found, at, depth + 1, refs, strict)?
                        }
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
                        additional.check_at(found, at, depth + 1, refs, strict)?;
                        at.truncate(len);
                    }
                }
                Ok(())
            }
            Kind::OneOf(variants) => {
                let fits = |v: &Shape| {
                    let mut scratch = String::new();
                    v.check_at(value, &mut scratch, depth, &mut refs.clone(), strict)
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

impl Shape {
    /// A number or string inside the shape's own bounds, lengths and date format.
    fn in_bounds(&self, value: &Value) -> bool {
        match (&self.kind, value) {
            (
                Kind::Integer {
                    min,
                    max,
                    multiple_of,
                },
                Value::Number(n),
            ) => {
                let Some(f) = n.as_f64() else { return true };
                min.is_none_or(|m| f >= m as f64)
                    && max.is_none_or(|m| f <= m as f64)
                    && multiple_of.is_none_or(|m| n.as_i64().is_none_or(|i| i % m == 0))
            }
            (
                Kind::Number {
                    min,
                    max,
                    exclusive_min,
                    exclusive_max,
                    ..
                },
                Value::Number(n),
            ) => {
                let Some(f) = n.as_f64() else { return true };
                min.is_none_or(|m| if *exclusive_min { f > m } else { f >= m })
                    && max.is_none_or(|m| if *exclusive_max { f < m } else { f <= m })
            }
            (
                Kind::String {
                    min_len,
                    max_len,
                    format,
                    ..
                },
                Value::String(s),
            ) => {
                let chars = s.chars().count();
                chars >= *min_len
                    && max_len.is_none_or(|m| chars <= m)
                    && match format.as_deref() {
                        Some("date") => is_date(s),
                        Some("date-time") => is_date_time(s),
                        _ => true,
                    }
            }
            _ => true,
        }
    }
}

/// `YYYY-MM-DD` with a real month and day (RFC 3339's full-date).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(_), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// RFC 3339's date-time: a date, `T`, `hh:mm:ss`, optional fraction, `Z` or an offset.
fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else {
        return false;
    };
    let b = time.as_bytes();
    let two = |i: usize, max: u8| {
        b.get(i..i + 2).is_some_and(|d| {
            d.iter().all(u8::is_ascii_digit) && (d[0] - b'0') * 10 + (d[1] - b'0') <= max
        })
    };
    if !(is_date(date) && two(0, 23) && b.get(2) == Some(&b':') && two(3, 59))
        || b.get(5) != Some(&b':')
        || !two(6, 60)
    {
        return false;
    }
    let mut rest = &time[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
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
    fn fits_is_strict_about_bounds_lengths_counts_and_dates() {
        let fits = |schema: Value, value: Value| shape(schema).fits(&value);
        assert!(fits(
            json!({"type": "integer", "minimum": 1, "maximum": 9}),
            json!(9)
        ));
        assert!(!fits(
            json!({"type": "integer", "minimum": 1, "maximum": 9}),
            json!(10)
        ));
        assert!(!fits(json!({"type": "integer", "multipleOf": 5}), json!(7)));
        assert!(!fits(
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true}),
            json!(0)
        ));
        assert!(!fits(
            json!({"type": "string", "maxLength": 2}),
            json!("abc")
        ));
        assert!(!fits(json!({"type": "array", "minItems": 1}), json!([])));
        assert!(fits(
            json!({"type": "string", "format": "date"}),
            json!("2013-01-15")
        ));
        for bad in ["2013-1-15", "2013-13-01", "2013-01-15T00:00:00Z", "x"] {
            assert!(
                !fits(json!({"type": "string", "format": "date"}), json!(bad)),
                "{bad}"
            );
        }
        for good in [
            "2025-10-15T13:53:36.354Z",
            "2025-10-15T13:53:36+02:00",
            "2025-10-15t13:53:36z",
        ] {
            assert!(
                fits(
                    json!({"type": "string", "format": "date-time"}),
                    json!(good)
                ),
                "{good}"
            );
        }
        for bad in [
            "2025-10-15",
            "2025-10-15T25:00:00Z",
            "2025-10-15T13:53:36",
            "2025-10-15T13:53:36.Z",
        ] {
            assert!(
                !fits(json!({"type": "string", "format": "date-time"}), json!(bad)),
                "{bad}"
            );
        }
        // `check` (answers) stays lenient about all of these.
        assert_eq!(
            shape(json!({"type": "integer", "maximum": 9})).check(&json!(10)),
            Ok(())
        );
    }

    #[test]
    fn an_empty_schema_accepts_anything() {
        let s = Shape::from_json_text("{}");
        for value in [json!(null), json!(1), json!({"a": [1]}), json!("x")] {
            assert_eq!(s.check(&value), Ok(()));
        }
    }
}
