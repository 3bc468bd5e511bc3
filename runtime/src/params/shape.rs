//! A JSON schema compiled once into the shape values are drawn from: types, bounds,
//! formats, patterns, enums, examples and defaults. A `$ref` to a component schema is a
//! [`Kind::Ref`] to the app's one compiled copy of it (`schemas.rs`).

use super::schemas::{Compiler, Schemas};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The largest length or item count a schema may ask of a drawn value.
const MAX_COUNT: u64 = 10_000;

/// What a value must look like, and the values the spec suggests for it.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    pub kind: Kind,
    /// Examples from the spec (`example`, `examples`), preferred over anything made up.
    pub examples: Vec<Value>,
    pub default: Option<Value>,
    pub enumeration: Vec<Value>,
    pub nullable: bool,
}

/// The type-specific part of a shape.
#[derive(Clone, Debug, Default)]
pub enum Kind {
    /// No constraints at all (or a recursive schema cut off).
    #[default]
    Any,
    Null,
    Bool,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        multiple_of: Option<i64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
        exclusive_min: bool,
        exclusive_max: bool,
        multiple_of: Option<f64>,
    },
    String {
        min_len: usize,
        max_len: Option<usize>,
        format: Option<String>,
        pattern: Option<Arc<rand_regex::Regex>>,
    },
    Array {
        items: Box<Shape>,
        min_items: usize,
        max_items: Option<usize>,
        unique: bool,
    },
    Object {
        properties: Vec<Property>,
        /// `additionalProperties` as a shape, when the object is a free-form map.
        additional: Option<Box<Shape>>,
    },
    /// `oneOf`/`anyOf`: a value of any one of these.
    OneOf(Vec<Shape>),
    /// A recursive schema cut off at its bounded depth: left out when optional, else null.
    Recursive,
    /// A shared component schema: entry `index` of `schemas`, compiled once for all.
    Ref {
        index: usize,
        schemas: &'static Schemas,
    },
}

/// One property of an object shape.
#[derive(Clone, Debug)]
pub struct Property {
    pub name: String,
    pub shape: Shape,
    pub required: bool,
}

impl Shape {
    /// Compiles a self-contained schema given as JSON text (as generated code embeds it).
    /// Text that does not parse compiles to `Any`: a wrong value beats a panic mid-run.
    pub fn from_json_text(text: &str) -> Shape {
        Shape::from_json_text_in(text, None)
    }

    /// Compiles a schema given as JSON text whose `$ref`s name entries of `schemas`.
    pub fn from_json_text_in(text: &str, schemas: Option<&'static Schemas>) -> Shape {
        serde_json::from_str::<Value>(text)
            .map(|value| Shape::compile_with(&value, &mut Compiler::within(schemas)))
            .unwrap_or_default()
    }

    /// Compiles a self-contained schema (a `$ref` in it is any value).
    pub fn compile(schema: &Value) -> Shape {
        Shape::compile_with(schema, &mut Compiler::standalone())
    }

    /// Compiles a schema, its `$ref`s resolved by `cx`.
    pub fn compile_with(schema: &Value, cx: &mut Compiler) -> Shape {
        let Some(object) = schema.as_object() else {
            return Shape::default();
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            return Shape {
                kind: cx.reference(reference),
                examples: examples(object),
                default: object.get("default").cloned(),
                ..Shape::default()
            };
        }
        // `allOf: [X]` (a `$ref` with siblings, an optional enum) is X with the outer
        // schema's own examples and default on top. X is compiled once: compiling it
        // again for its kind made nested `allOf: [..]` cost 2^depth (seconds at 20 deep).
        let only = match object
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) if !object.contains_key("properties") => {
                Some(Shape::compile_with(only, cx))
            }
            _ => None,
        };
        let mut shape = Shape {
            // X's kind when there is an X, set below.
            kind: if only.is_some() {
                Kind::Any
            } else {
                compile_kind(object, cx)
            },
            examples: examples(object),
            default: object.get("default").cloned(),
            enumeration: object
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            nullable: object
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        if let Some(inner) = only {
            shape.kind = inner.kind;
            if shape.examples.is_empty() {
                shape.examples = inner.examples;
            }
            shape.default = shape.default.or(inner.default);
            if shape.enumeration.is_empty() {
                shape.enumeration = inner.enumeration;
            }
        }
        // A null-only enum (from `type: null`) is just null.
        if !shape.enumeration.is_empty() && shape.enumeration.iter().all(Value::is_null) {
            shape.kind = Kind::Null;
            shape.enumeration.clear();
        }
        shape
    }

    /// The format of a string shape, if any.
    pub fn format(&self) -> Option<&str> {
        match &self.kind {
            Kind::String { format, .. } => format.as_deref(),
            _ => None,
        }
    }
}

fn examples(object: &Map<String, Value>) -> Vec<Value> {
    let mut found = Vec::new();
    if let Some(example) = object.get("example") {
        found.push(example.clone());
    }
    if let Some(Value::Array(more)) = object.get("examples") {
        found.extend(more.iter().cloned());
    }
    found
}

fn compile_kind(object: &Map<String, Value>, cx: &mut Compiler) -> Kind {
    if object.contains_key("x-recursive") {
        return Kind::Recursive;
    }
    if let Some(all) = object.get("allOf").and_then(Value::as_array) {
        return merge_all_of(object, all, cx);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = object.get(key).and_then(Value::as_array) {
            let shapes: Vec<Shape> = members.iter().map(|m| Shape::compile_with(m, cx)).collect();
            if !shapes.is_empty() {
                return Kind::OneOf(shapes);
            }
        }
    }
    let int = |key: &str| object.get(key).and_then(Value::as_i64);
    let float = |key: &str| object.get(key).and_then(Value::as_f64);
    let flag = |key: &str| object.get(key).and_then(Value::as_bool).unwrap_or(false);
    // Counts are capped: a hostile `minLength: 1e12` must not exhaust memory.
    let count = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_u64)
            .map(|n| n.min(MAX_COUNT) as usize)
    };
    let declared = object.get("type").and_then(Value::as_str);
    let inferred = declared.or_else(|| {
        if object.contains_key("properties") {
            Some("object")
        } else if object.contains_key("items") {
            Some("array")
        } else {
            None
        }
    });
    match inferred {
        Some("boolean") => Kind::Bool,
        Some("integer") => {
            // Exclusive integer bounds are one step inside.
            let min = int("minimum").map(|m| {
                if flag("exclusiveMinimum") {
                    m.saturating_add(1)
                } else {
                    m
                }
            });
            let max = int("maximum").map(|m| {
                if flag("exclusiveMaximum") {
                    m.saturating_sub(1)
                } else {
                    m
                }
            });
            Kind::Integer {
                min,
                max,
                multiple_of: int("multipleOf").filter(|m| *m > 0),
            }
        }
        Some("number") => Kind::Number {
            min: float("minimum"),
            max: float("maximum"),
            exclusive_min: flag("exclusiveMinimum"),
            exclusive_max: flag("exclusiveMaximum"),
            multiple_of: float("multipleOf").filter(|m| *m > 0.0),
        },
        Some("string") => Kind::String {
            min_len: count("minLength").unwrap_or(0),
            max_len: count("maxLength"),
            format: object
                .get("format")
                .and_then(Value::as_str)
                .map(str::to_string),
            pattern: object
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(compile_pattern),
        },
        Some("array") => Kind::Array {
            items: Box::new(
                object
                    .get("items")
                    .map(|items| Shape::compile_with(items, cx))
                    .unwrap_or_default(),
            ),
            min_items: count("minItems").unwrap_or(0),
            max_items: count("maxItems"),
            unique: flag("uniqueItems"),
        },
        Some("object") => compile_object(object, cx),
        Some("null") => Kind::Null,
        _ => Kind::Any,
    }
}

fn compile_object(object: &Map<String, Value>, cx: &mut Compiler) -> Kind {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = object
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, schema)| Property {
                    name: name.clone(),
                    shape: Shape::compile_with(schema, cx),
                    required: required.contains(&name.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let additional = match object.get("additionalProperties") {
        Some(schema @ Value::Object(_)) => Some(Box::new(Shape::compile_with(schema, cx))),
        _ => None,
    };
    Kind::Object {
        properties,
        additional,
    }
}

/// `allOf` of objects merges their properties; of anything else, the first member wins,
/// with the outer schema's own keywords (nullable, default) kept by the caller.
fn merge_all_of(outer: &Map<String, Value>, members: &[Value], cx: &mut Compiler) -> Kind {
    // A member that is a reference merges as what it stands for (its properties are
    // references themselves: small); one still compiling (a cycle) merges as nothing.
    let mut shapes: Vec<Shape> = Vec::with_capacity(members.len() + 1);
    for member in members {
        let shape = Shape::compile_with(member, cx);
        let shape = match shape.kind {
            Kind::Ref { .. } => cx.target(&shape).unwrap_or_default(),
            _ => shape,
        };
        shapes.push(shape);
    }
    if let Some(properties) = outer.get("properties") {
        let mut own = outer.clone();
        own.remove("allOf");
        own.insert("type".into(), "object".into());
        own.insert("properties".into(), properties.clone());
        shapes.push(Shape::compile_with(&Value::Object(own), cx));
    }
    if shapes.len() > 1 && shapes.iter().all(|s| matches!(s.kind, Kind::Object { .. })) {
        let mut merged = Vec::new();
        for shape in shapes {
            if let Kind::Object { properties, .. } = shape.kind {
                merged.extend(properties);
            }
        }
        return Kind::Object {
            properties: merged,
            additional: None,
        };
    }
    shapes
        .into_iter()
        .next()
        .map(|s| s.kind)
        .unwrap_or_default()
}

/// Compiles a spec's `pattern` for generation; patterns use ECMA syntax, mostly shared
/// with Rust's regex. A pattern it cannot compile is ignored (values may then miss it).
fn compile_pattern(pattern: &str) -> Option<Arc<rand_regex::Regex>> {
    // rand_regex cannot draw anchors; a string drawn from the bare pattern matches the
    // anchored one.
    let bare = pattern.strip_prefix('^').unwrap_or(pattern);
    let bare = match bare.strip_suffix('$') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => bare,
    };
    let mut parser = regex_syntax::ParserBuilder::new().unicode(false).build();
    let hir = parser.parse(bare).ok()?;
    // Unanchored patterns match anywhere; a value of the pattern alone matches too.
    rand_regex::Regex::with_hir(hir, 8).ok().map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exclusive_integer_bounds_move_one_step_inside() {
        let shape = Shape::compile(
            &json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 6, "exclusiveMaximum": true}),
        );
        match shape.kind {
            Kind::Integer { min, max, .. } => assert_eq!((min, max), (Some(1), Some(5))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn all_of_objects_merge_their_properties() {
        let shape = Shape::compile(&json!({"allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"type": "object", "properties": {"b": {"type": "integer"}}}
        ]}));
        match shape.kind {
            Kind::Object { properties, .. } => {
                let names: Vec<_> = properties
                    .iter()
                    .map(|p| (p.name.as_str(), p.required))
                    .collect();
                assert_eq!(names, vec![("a", true), ("b", false)]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_single_all_of_member_keeps_its_enum_under_the_outer_default() {
        let shape = Shape::compile(
            &json!({"allOf": [{"type": "string", "enum": ["open", "closed"]}], "default": "closed", "nullable": true}),
        );
        assert_eq!(shape.enumeration, vec![json!("open"), json!("closed")]);
        assert_eq!(shape.default, Some(json!("closed")));
        assert!(shape.nullable);
        assert!(matches!(shape.kind, Kind::String { .. }));
    }

    #[test]
    fn garbage_compiles_to_any_and_null_enums_to_null() {
        assert!(matches!(Shape::from_json_text("{not json").kind, Kind::Any));
        assert!(matches!(
            Shape::compile(&json!({"nullable": true, "enum": [null]})).kind,
            Kind::Null
        ));
        assert!(matches!(
            Shape::compile(&json!({"x-recursive": "Node"})).kind,
            Kind::Recursive
        ));
    }

    #[test]
    fn nested_single_all_ofs_compile_once_each() {
        // Each `allOf: [X]` compiled X twice: 2^40 compiles here, where it now takes 40.
        let mut schema = json!({"type": "integer", "minimum": 3, "example": 4});
        for level in 0..40 {
            schema = json!({"allOf": [schema], "title": format!("level {level}")});
        }
        let shape = Shape::compile(&schema);
        assert!(
            matches!(shape.kind, Kind::Integer { min: Some(3), .. }),
            "{shape:?}"
        );
        assert_eq!(shape.examples, vec![json!(4)]);
    }
}
