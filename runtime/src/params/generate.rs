//! Draws a value for a shape: the spec's examples first, then its default, then its enum,
//! then a format- and name-aware fake that stays inside every bound.

use super::fake;
use super::refs::{Follow, RefPath};
use super::shape::{Kind, Shape};
use rand::rngs::SmallRng;
use rand::RngExt;
use serde_json::{Map, Number, Value};
use std::collections::HashSet;

/// How deep objects and arrays nest before optional parts are left out.
const MAX_DEPTH: usize = 8;
/// Arrays get at most this many items more than their minimum.
const EXTRA_ITEMS: usize = 3;
/// The most values and string characters one draw makes, at any depth. Each count is
/// capped (`shape::MAX_COUNT`), but arrays of arrays that ask for 10,000 items each made
/// 10^8 values and hung the user for minutes (found by the fuzzer); past the budget,
/// arrays and strings stop short of their minimum.
const BUDGET: usize = 100_000;

/// A value a user gave for a property name (from a values file), which wins over the
/// schema and makes an optional property present.
pub type ByName<'a> = Option<&'a dyn Fn(&str, &mut SmallRng) -> Option<Value>>;

/// A value for `shape`; `name` (a parameter or property name) steers the fake.
pub fn value(shape: &Shape, name: &str, rng: &mut SmallRng) -> Value {
    value_with(shape, name, rng, None)
}

/// A value for `shape` whose object properties, at any depth, take `by_name`'s value
/// when it has one.
pub fn value_with(shape: &Shape, name: &str, rng: &mut SmallRng, by_name: ByName<'_>) -> Value {
    let mut draw = Draw {
        rng,
        by_name,
        budget: BUDGET,
        refs: RefPath::default(),
        parallel: None,
    };
    draw.value_at(shape, name, 0)
}

/// One draw under way: the generator, the user's values by name, and what is left of
/// the budget, shared by every level of the value.
struct Draw<'a> {
    rng: &'a mut SmallRng,
    by_name: ByName<'a>,
    budget: usize,
    /// The shared schemas followed down to here: a recursive one is cut as inlining did.
    refs: RefPath,
    /// The length the object being drawn gave its first array: its other arrays take it
    /// where their bounds allow (`ids`, `documents`, `metadatas` are columns of one
    /// batch, and apps refuse them at unequal lengths).
    parallel: Option<usize>,
}

impl Draw<'_> {
    fn value_at(&mut self, shape: &Shape, name: &str, depth: usize) -> Value {
        self.budget = self.budget.saturating_sub(1);
        self.suggested_or_fresh(shape, name, depth)
    }

    /// The spec's suggestion for `shape`, else a fresh value (no budget spent: a
    /// reference and what it stands for are one value).
    fn suggested_or_fresh(&mut self, shape: &Shape, name: &str, depth: usize) -> Value {
        let Some(mut suggested) = suggested(shape, self.rng) else {
            return self.fresh(shape, name, depth);
        };
        // The spec's own example of an object still takes the user's values.
        if let Some(by_name) = self.by_name {
            overlay(&mut suggested, Some(shape), self.rng, by_name);
        }
        suggested
    }

    /// A made-up value that satisfies the shape's type and constraints.
    fn fresh(&mut self, shape: &Shape, name: &str, depth: usize) -> Value {
        if let Kind::Ref { .. } = shape.kind {
            return match self.refs.enter(shape) {
                Follow::Target(target) => {
                    let value = self.suggested_or_fresh(target, name, depth);
                    self.refs.leave();
                    value
                }
                _ => Value::Null,
            };
        }
        let rng = &mut *self.rng;
        match &shape.kind {
            Kind::Ref { .. } => Value::Null,
            Kind::Any if fake::is_vector_name(name) => fake::vector(rng),
            Kind::Any => Value::String(fake::text_for(name, rng)),
            Kind::Null | Kind::Recursive => Value::Null,
            Kind::Bool => Value::Bool(rng.random_bool(0.5)),
            Kind::Integer {
                min,
                max,
                multiple_of,
            } => Value::from(integer(name, *min, *max, *multiple_of, rng)),
            Kind::Number {
                min,
                max,
                exclusive_min,
                exclusive_max,
                multiple_of,
            } => number(
                *min,
                *max,
                *exclusive_min,
                *exclusive_max,
                *multiple_of,
                rng,
            ),
            Kind::String {
                min_len,
                max_len,
                format,
                pattern,
            } => {
                let text = match pattern {
                    Some(pattern) => rng.sample::<String, _>(&**pattern),
                    None => {
                        let made = fake::string_for(name, format.as_deref(), rng);
                        fit_length(made, (*min_len).min(self.budget), *max_len, rng)
                    }
                };
                self.budget = self.budget.saturating_sub(text.len());
                Value::String(text)
            }
            Kind::Array {
                items,
                min_items,
                max_items,
                unique,
            } => self.array(items, name, (*min_items, *max_items), *unique, depth),
            Kind::Object {
                properties,
                additional,
                min_properties,
                max_properties,
                ..
            } => {
                let mut object = Map::new();
                let outer = self.parallel.take();
                // Room for optional properties under `maxProperties`, after the required.
                let required = properties.iter().filter(|p| p.required).count();
                let mut room = max_properties.map_or(usize::MAX, |m| m.saturating_sub(required));
                for property in properties {
                    if let Some(given) = self
                        .by_name
                        .and_then(|given| given(&property.name, self.rng))
                    {
                        object.insert(property.name.clone(), given);
                        continue;
                    }
                    if !property.required {
                        let keep = room > 0
                            && (object.len() < *min_properties
                                || (depth < MAX_DEPTH && self.rng.random_bool(0.5)));
                        if !keep || matches!(self.refs.kind(&property.shape), Kind::Recursive) {
                            continue;
                        }
                        room -= 1;
                    }
                    let v = self.value_at(&property.shape, &property.name, depth + 1);
                    object.insert(property.name.clone(), v);
                }
                if let (Some(additional), true) = (additional, properties.is_empty()) {
                    // An untyped map gets an entry only when its name says it holds
                    // free-form labels (`metadata`, `tags`): a `configuration` or
                    // `settings` map takes known keys only, and `{}` is safer there.
                    let untyped = matches!(additional.kind, Kind::Any);
                    if depth < MAX_DEPTH && (!untyped || fake::is_label_map_name(name)) {
                        let key = fake::word(self.rng);
                        let v = self.value_at(additional, &key, depth + 1);
                        object.insert(key, v);
                    }
                }
                self.parallel = outer;
                Value::Object(object)
            }
            Kind::OneOf(members) => {
                let usable: Vec<&Shape> = members
                    .iter()
                    .filter(|m| !matches!(self.refs.kind(m), Kind::Null | Kind::Recursive))
                    .collect();
                match usable.len() {
                    0 => Value::Null,
                    n => {
                        let member = usable[self.rng.random_range(0..n)];
                        self.value_at(member, name, depth)
                    }
                }
            }
        }
    }
    /// An array of `items` with a count inside `(min, max)`, fewer past the budget.
    fn array(
        &mut self,
        items: &Shape,
        name: &str,
        (min, max): (usize, Option<usize>),
        unique: bool,
        depth: usize,
    ) -> Value {
        let hi = max
            .unwrap_or(min + EXTRA_ITEMS)
            .min(min + EXTRA_ITEMS)
            .max(min);
        // Items of a recursive schema cut off are null: as few as allowed.
        let cut = matches!(self.refs.kind(items), Kind::Recursive);
        let wanted = match self.parallel {
            _ if depth >= MAX_DEPTH || cut => min,
            Some(n) if (min..=hi).contains(&n) => n,
            _ => self.rng.random_range(min..=hi),
        };
        let wanted = wanted.min(self.budget);
        // The items are a scope of their own; the object's next arrays take this length.
        let shared = self.parallel.take().unwrap_or(wanted);
        let singular = name.strip_suffix('s').unwrap_or(name);
        let mut out: Vec<Value> = Vec::with_capacity(wanted);
        // Items already drawn, as JSON text, when they must be unique.
        let mut seen = HashSet::new();
        let mut tries = 0;
        while out.len() < wanted && tries < wanted * 10 + 10 && self.budget > 0 {
            tries += 1;
            // Unique items need fresh values: examples would repeat.
            let v = if unique {
                self.budget -= 1;
                self.fresh_unique(items, singular, depth + 1)
            } else {
                self.value_at(items, singular, depth + 1)
            };
            if unique && !seen.insert(v.to_string()) {
                continue;
            }
            out.push(v);
        }
        self.parallel = Some(shared);
        Value::Array(out)
    }
}

impl Draw<'_> {
    /// A fresh value for an item that must be unique: through references too, since
    /// examples would repeat.
    fn fresh_unique(&mut self, items: &Shape, name: &str, depth: usize) -> Value {
        match self.refs.enter(items) {
            Follow::Target(target) => {
                let value = self.fresh_unique(target, name, depth);
                self.refs.leave();
                value
            }
            Follow::NotRef => self.fresh(items, name, depth),
            Follow::Cut => Value::Null,
        }
    }
}

/// The spec's example (one of those that fit the shape), else its default if it fits,
/// else its first enum value.
fn suggested(shape: &Shape, rng: &mut SmallRng) -> Option<Value> {
    if shape.examples.is_empty() && shape.default.is_none() {
        return shape.enumeration.iter().find(|v| !v.is_null()).cloned();
    }
    let vetted = shape.vetted();
    if !vetted.examples.is_empty() {
        let pick = vetted.examples[rng.random_range(0..vetted.examples.len())];
        return Some(shape.examples[pick].clone());
    }
    if vetted.default {
        return shape.default.clone();
    }
    shape.enumeration.iter().find(|v| !v.is_null()).cloned()
}

/// Puts the user's values into a value taken from the spec: every object key, at any
/// depth, that `by_name` knows, and every property of the shape it knows that is missing.
fn overlay(
    value: &mut Value,
    shape: Option<&Shape>,
    rng: &mut SmallRng,
    by_name: &dyn Fn(&str, &mut SmallRng) -> Option<Value>,
) {
    match value {
        Value::Object(object) => {
            let properties = match shape.map(|s| &s.resolved().kind) {
                Some(Kind::Object { properties, .. }) => properties.as_slice(),
                _ => &[],
            };
            for (key, child) in object.iter_mut() {
                match by_name(key, rng) {
                    Some(given) => *child = given,
                    None => {
                        let inner = properties.iter().find(|p| p.name == *key);
                        overlay(child, inner.map(|p| &p.shape), rng, by_name);
                    }
                }
            }
            for property in properties {
                if !object.contains_key(&property.name) {
                    if let Some(given) = by_name(&property.name, rng) {
                        object.insert(property.name.clone(), given);
                    }
                }
            }
        }
        Value::Array(items) => {
            let inner = match shape.map(|s| &s.resolved().kind) {
                Some(Kind::Array { items, .. }) => Some(&**items),
                _ => None,
            };
            for item in items {
                overlay(item, inner, rng, by_name);
            }
        }
        _ => {}
    }
}

/// An integer inside `[min, max]` and a multiple of `multiple_of`; `limit`-like names stay
/// small, ids positive.
pub fn integer(
    name: &str,
    min: Option<i64>,
    max: Option<i64>,
    multiple_of: Option<i64>,
    rng: &mut SmallRng,
) -> i64 {
    let (soft_min, soft_max) = fake::integer_range(name);
    let lo = min.unwrap_or(soft_min.min(max.unwrap_or(i64::MAX)));
    let hi = match max {
        Some(max) => max.min(lo.saturating_add(soft_max.saturating_sub(soft_min).max(0))),
        None => lo.saturating_add(soft_max.saturating_sub(soft_min).max(0)),
    }
    .max(lo);
    let mut v = rng.random_range(lo..=hi);
    if let Some(step) = multiple_of {
        // The nearest multiple inside the range, if there is one.
        let up = v.div_euclid(step).saturating_add(1).saturating_mul(step);
        let down = v.div_euclid(step).saturating_mul(step);
        v = if down >= lo {
            down
        } else if up <= hi {
            up
        } else {
            v
        };
    }
    v
}

fn number(
    min: Option<f64>,
    max: Option<f64>,
    ex_min: bool,
    ex_max: bool,
    multiple_of: Option<f64>,
    rng: &mut SmallRng,
) -> Value {
    let lo = min.filter(|m| m.is_finite()).unwrap_or(0.0);
    let hi = max.filter(|m| m.is_finite()).unwrap_or(lo + 100.0).max(lo);
    // Halves first: `hi - lo` overflows for bounds near f64::MAX.
    let span = hi / 2.0 - lo / 2.0;
    // Stay a little inside exclusive bounds.
    let lo_in = if ex_min {
        lo + span * 0.02 + f64::EPSILON
    } else {
        lo
    };
    let hi_in = if ex_max {
        hi - span * 0.02 - f64::EPSILON
    } else {
        hi
    };
    let t: f64 = rng.random();
    let mut v = if hi_in > lo_in {
        lo_in * (1.0 - t) + hi_in * t
    } else {
        lo / 2.0 + hi / 2.0
    };
    let rounded = (v * 100.0).round() / 100.0;
    if rounded.is_finite() && rounded >= lo_in && rounded <= hi_in {
        v = rounded;
    }
    if let Some(step) = multiple_of {
        let candidate = (v / step).round() * step;
        let up = (v / step).ceil() * step;
        v = if candidate >= lo_in && candidate <= hi_in {
            candidate
        } else {
            up
        };
    }
    if !(v >= lo_in && v <= hi_in) {
        v = lo_in / 2.0 + hi_in / 2.0;
    }
    Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::from(0))
}

/// Pads or cuts a made-up string to the length bounds (counted in characters).
fn fit_length(mut s: String, min: usize, max: Option<usize>, rng: &mut SmallRng) -> String {
    let mut len = s.chars().count();
    while len < min {
        let c = (b'a' + rng.random_range(0..26u8)) as char;
        s.push(c);
        len += 1;
    }
    if let Some(max) = max {
        if len > max {
            s = s.chars().take(max).collect();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use serde_json::json;

    fn draw(schema: Value, name: &str, n: usize) -> Vec<Value> {
        let shape = Shape::compile(&schema);
        let mut rng = SmallRng::seed_from_u64(1);
        (0..n).map(|_| value(&shape, name, &mut rng)).collect()
    }

    #[test]
    fn the_arrays_of_one_object_share_a_length_where_their_bounds_allow() {
        // Chroma's `add`: ids, documents and metadatas are columns of one batch.
        let schema = json!({"type": "object", "required": ["ids", "documents", "metadatas", "pair"],
            "properties": {
                "ids": {"type": "array", "items": {"type": "string"}},
                "documents": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
                "metadatas": {"type": "array", "items": {"type": "object", "properties": {
                    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 5, "maxItems": 5}}}},
                "pair": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}}});
        let mut lengths = HashSet::new();
        for body in draw(schema, "body", 40) {
            let len = |key: &str| body[key].as_array().map(Vec::len);
            let ids = len("ids").unwrap();
            lengths.insert(ids);
            assert_eq!(len("metadatas"), Some(ids), "{body}");
            if !body["documents"].is_null() {
                assert_eq!(len("documents"), Some(ids), "{body}");
            }
            // Arrays whose bounds exclude the shared length keep their own; nested
            // objects are a scope of their own.
            assert_eq!(len("pair"), Some(2), "{body}");
            for metadata in body["metadatas"].as_array().unwrap() {
                if let Some(tags) = metadata.get("tags") {
                    assert_eq!(tags.as_array().unwrap().len(), 5, "{body}");
                }
            }
        }
        assert!(
            lengths.len() > 1,
            "the shared length still varies: {lengths:?}"
        );
    }

    #[test]
    fn label_maps_get_an_entry_and_untyped_embeddings_are_vectors() {
        let map = json!({"type": "object", "additionalProperties": true});
        for value in draw(map.clone(), "metadata", 10) {
            assert_eq!(value.as_object().map(|m| m.len()), Some(1), "{value}");
        }
        // A configuration map takes known keys only: none is made up.
        for value in draw(map, "configuration", 10) {
            assert_eq!(value, json!({}));
        }
        let batch = json!({"type": "object", "required": ["embeddings", "query_embeddings"],
            "properties": {"embeddings": {"type": "array", "items": {}, "minItems": 1},
                           "query_embeddings": {"type": "array", "items": {}, "minItems": 1}}});
        for body in draw(batch, "body", 10) {
            for key in ["embeddings", "query_embeddings"] {
                for vector in body[key].as_array().unwrap() {
                    let numbers = vector.as_array().unwrap();
                    assert_eq!(numbers.len(), fake::VECTOR_DIMENSION, "{body}");
                    assert!(numbers.iter().all(Value::is_f64), "{body}");
                }
            }
        }
    }

    #[test]
    fn examples_then_default_then_enum_come_first() {
        assert!(draw(
            json!({"type": "string", "example": "x", "default": "d"}),
            "a",
            5
        )
        .iter()
        .all(|v| v == "x"));
        assert!(draw(
            json!({"type": "string", "default": "d", "enum": ["e", "d"]}),
            "a",
            5
        )
        .iter()
        .all(|v| v == "d"));
        assert!(draw(json!({"type": "string", "enum": ["e", "f"]}), "a", 5)
            .iter()
            .all(|v| v == "e"));
    }

    #[test]
    fn examples_and_defaults_that_do_not_fit_their_schema_are_passed_over() {
        // As real descriptions have them: a date-time for a date, a string for a
        // boolean, an object example missing a required property, a default off the enum.
        let cases = [
            json!({"type": "string", "format": "date", "example": "2025-10-15T13:53:36.354Z"}),
            json!({"type": "string", "format": "date", "example": "2015-02-1"}),
            json!({"type": "boolean", "example": "true"}),
            json!({"type": "number", "example": "6.75"}),
            json!({"type": "string", "example": null}),
            json!({"type": "string", "enum": ["Daily", "Monthly"], "example": "daily"}),
            json!({"type": "integer", "maximum": 10, "default": 50}),
            json!({"type": "object", "required": ["id"], "example": {"name": "x"},
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}),
        ];
        for schema in cases {
            let shape = Shape::compile(&schema);
            for v in draw(schema.clone(), "field", 20) {
                assert!(shape.fits(&v), "{schema}: drew {v}");
            }
        }
        // One fitting example among others is still taken, every time.
        let mixed =
            json!({"type": "string", "format": "date", "examples": ["2013-1-15", "2013-01-15"]});
        assert!(draw(mixed, "day", 20).iter().all(|v| v == "2013-01-15"));
    }

    #[test]
    fn required_names_the_properties_do_not_declare_are_sent() {
        let schema = json!({"type": "object", "required": ["column"], "properties": {"row": {"type": "integer"}}});
        assert!(draw(schema, "position", 20)
            .iter()
            .all(|v| v.get("column").is_some()));
        // Named by the outer schema of an allOf, declared by a member.
        let schema = json!({"allOf": [{"type": "object", "properties": {"id": {"type": "integer"}}}],
                            "required": ["id"]});
        assert!(draw(schema, "thing", 20).iter().all(|v| v["id"].is_i64()));
        // Not where no other property is allowed.
        let closed = json!({"type": "object", "required": ["x"], "additionalProperties": false, "properties": {}});
        assert!(draw(closed, "thing", 5)
            .iter()
            .all(|v| v.get("x").is_none()));
    }

    #[test]
    fn objects_keep_their_property_counts_and_closed_objects_take_no_stray_example() {
        let many: Map<String, Value> = (0..30)
            .map(|i| (format!("p{i}"), json!({"type": "boolean"})))
            .collect();
        let schema = json!({"type": "object", "minProperties": 2, "maxProperties": 4,
                            "required": ["p29"], "properties": many});
        for v in draw(schema, "node", 50) {
            let n = v.as_object().unwrap().len();
            assert!((2..=4).contains(&n) && v.get("p29").is_some(), "{v}");
        }
        let closed = json!({"type": "object", "additionalProperties": false,
                            "properties": {"key": {"type": "string"}}, "example": {"id": 1}});
        assert!(draw(closed, "issue", 20)
            .iter()
            .all(|v| v.get("id").is_none()));
    }

    #[test]
    fn integers_respect_bounds_and_multiples() {
        for v in draw(
            json!({"type": "integer", "minimum": 1, "maximum": 1000, "multipleOf": 5}),
            "quota",
            200,
        ) {
            let v = v.as_i64().unwrap();
            assert!((1..=1000).contains(&v) && v % 5 == 0, "{v}");
        }
        for v in draw(
            json!({"type": "integer", "minimum": 1, "maximum": 100}),
            "limit",
            200,
        ) {
            assert!(
                (1..=20).contains(&v.as_i64().unwrap()),
                "limit-like values stay small: {v}"
            );
        }
    }

    #[test]
    fn extreme_number_bounds_do_not_overflow() {
        for v in draw(
            json!({"type": "number", "minimum": -1e308, "maximum": 1e308}),
            "x",
            50,
        ) {
            let v = v.as_f64().unwrap();
            assert!((-1e308..=1e308).contains(&v), "{v}");
        }
    }

    #[test]
    fn numbers_stay_inside_exclusive_bounds() {
        for v in draw(
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 6, "exclusiveMaximum": true}),
            "x",
            500,
        ) {
            let v = v.as_f64().unwrap();
            assert!(v > 0.0 && v < 6.0, "{v}");
        }
    }

    #[test]
    fn patterns_and_lengths_hold() {
        let re = regex::Regex::new("^[A-Z]{3}-[0-9]{4}$").unwrap();
        for v in draw(
            json!({"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}),
            "code",
            100,
        ) {
            assert!(re.is_match(v.as_str().unwrap()), "{v}");
        }
        for v in draw(
            json!({"type": "string", "minLength": 5, "maxLength": 6}),
            "title",
            100,
        ) {
            let n = v.as_str().unwrap().chars().count();
            assert!((5..=6).contains(&n), "{v}");
        }
    }

    #[test]
    fn objects_always_carry_required_properties_and_never_recurse_forever() {
        let schema = json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "child": {"x-recursive": "Node"}}});
        for v in draw(schema, "node", 50) {
            assert!(v["name"].is_string());
            assert!(v.get("child").is_none());
        }
    }

    #[test]
    fn unique_arrays_have_no_duplicates() {
        for v in draw(
            json!({"type": "array", "uniqueItems": true, "minItems": 3, "items": {"type": "integer", "minimum": 1, "maximum": 3}}),
            "ids",
            50,
        ) {
            let items = v.as_array().unwrap();
            assert_eq!(items.len(), 3, "{v}");
            let mut sorted: Vec<i64> = items.iter().map(|i| i.as_i64().unwrap()).collect();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 3);
        }
    }

    #[test]
    fn hostile_counts_give_a_bounded_value() {
        // Arrays of arrays asking for 10^12 items each (10,000 after the cap) made 10^8
        // strings, and unique items were compared pairwise: minutes per request.
        let nested = json!({"type": "array", "minItems": 1_000_000_000_000_u64, "items": {
            "type": "array", "minItems": 1_000_000_000_000_u64,
            "items": {"type": "string", "minLength": 1_000_000_000_000_u64}
        }});
        let value = draw(nested, "files", 1).remove(0);
        let size = value.to_string().len();
        assert!(size < 3 * BUDGET, "{size} bytes");
        let unique = json!({"type": "array", "minItems": 10_000, "uniqueItems": true,
            "items": {"type": "integer", "minimum": 0, "maximum": 100_000}});
        let items = draw(unique, "ids", 1).remove(0);
        let items = items.as_array().unwrap();
        let distinct: HashSet<String> = items.iter().map(Value::to_string).collect();
        assert_eq!(distinct.len(), items.len(), "unique items");
        // `ids` stay in 0..1000 (as `*_id` values do): all of them, drawn in 10^5 tries.
        assert!(items.len() > 900, "{} items", items.len());
    }
}
