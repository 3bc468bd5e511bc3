//! A JSON schema compiled once into the shape values are drawn from: types, bounds,
//! formats, patterns, enums, examples and defaults; and an app's shared component
//! schemas ([`Schemas`]): each schema's JSON text is embedded once in the generated code
//! (one static per app) and compiled once, on first use, into one [`Shape`]; every
//! `$ref` to it is a [`Kind::Ref`] pointing at that shape, never a copy. The two are
//! one file because they are one recursive type: a shape refers to its table, the table
//! holds shapes. Recursion is cut while values are drawn or checked (`refs.rs`).

use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

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
    /// Which examples, and whether the default, fit the shape (descriptions' often do
    /// not): found on the first draw, since fitting follows shared schemas.
    pub(super) vetted: OnceLock<Vetted>,
}

/// The spec's suggestions for a shape that fit it ([`Shape::fits`]).
#[derive(Clone, Debug, Default)]
pub(super) struct Vetted {
    /// Indices into `examples`.
    pub examples: Vec<usize>,
    pub default: bool,
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
        /// `additionalProperties: false`: no property but the declared ones.
        closed: bool,
        /// `minProperties`, `maxProperties`.
        min_properties: usize,
        max_properties: Option<usize>,
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
            Some([only])
                if !object.contains_key("properties") && !object.contains_key("required") =>
            {
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
            vetted: OnceLock::new(),
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

    /// The spec's suggestions that fit the shape, vetted once.
    pub(super) fn vetted(&self) -> &Vetted {
        self.vetted.get_or_init(|| Vetted {
            examples: (0..self.examples.len())
                .filter(|&i| self.fits(&self.examples[i]))
                .collect(),
            default: self
                .default
                .as_ref()
                .is_some_and(|d| !d.is_null() && self.fits(d)),
        })
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
    let mut properties: Vec<Property> = object
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
    // A required name the properties do not declare (descriptions do this) must still
    // be sent: as any value, unless no other property is allowed.
    if object.get("additionalProperties") != Some(&Value::Bool(false)) {
        for name in required {
            if !properties.iter().any(|p| p.name == name) {
                properties.push(Property {
                    name: name.to_string(),
                    shape: Shape::default(),
                    required: true,
                });
            }
        }
    }
    let additional = match object.get("additionalProperties") {
        Some(schema @ Value::Object(_)) => Some(Box::new(Shape::compile_with(schema, cx))),
        // A free-form map (FastAPI's `dict[str, Any]`): its values may be anything. The
        // draw gives label maps an entry (apps refuse an empty `metadata`).
        Some(Value::Bool(true)) => Some(Box::default()),
        _ => None,
    };
    let count = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_u64)
            .map(|n| n.min(MAX_COUNT) as usize)
    };
    Kind::Object {
        properties,
        additional,
        closed: object.get("additionalProperties") == Some(&Value::Bool(false)),
        min_properties: count("minProperties").unwrap_or(0),
        max_properties: count("maxProperties"),
    }
}

/// Properties merged from `allOf` members, one per name: required if any member
/// requires it, its shape the first one that says more than "any value".
fn merge_properties(all: impl IntoIterator<Item = Property>) -> Vec<Property> {
    let mut merged: Vec<Property> = Vec::new();
    for property in all {
        match merged.iter_mut().find(|p| p.name == property.name) {
            Some(kept) => {
                kept.required |= property.required;
                if matches!(kept.shape.kind, Kind::Any) && kept.shape.examples.is_empty() {
                    kept.shape = property.shape;
                }
            }
            None => merged.push(property),
        }
    }
    merged
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
    // The outer schema's own properties, and its `required` (which may name members').
    if outer.contains_key("properties") || outer.contains_key("required") {
        let mut own = outer.clone();
        own.remove("allOf");
        own.insert("type".into(), "object".into());
        own.entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        shapes.push(Shape::compile_with(&Value::Object(own), cx));
    }
    if shapes.len() > 1 && shapes.iter().all(|s| matches!(s.kind, Kind::Object { .. })) {
        let merged = merge_properties(shapes.into_iter().flat_map(|shape| match shape.kind {
            Kind::Object { properties, .. } => properties,
            _ => Vec::new(),
        }));
        return Kind::Object {
            properties: merged,
            additional: None,
            closed: false,
            min_properties: 0,
            max_properties: None,
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

/// How many references in a row (`A` is `$ref: B` is `$ref: C` ...) are followed when
/// only the schema a reference stands for is wanted.
const MAX_ALIASES: usize = 64;

/// The prefix of a local component schema reference.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// The component schemas of one app: `(name, JSON text)` sorted by name, as generated.
pub struct Schemas {
    entries: &'static [(&'static str, &'static str)],
    shapes: OnceLock<Vec<Shape>>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Schemas({} entries)", self.entries.len())
    }
}

impl Schemas {
    /// The table the generated code embeds; `entries` sorted by name.
    pub const fn new(entries: &'static [(&'static str, &'static str)]) -> Schemas {
        Schemas {
            entries,
            shapes: OnceLock::new(),
        }
    }

    /// The index of schema `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|(entry, _)| (*entry).cmp(name))
            .ok()
    }

    /// The name of schema `index`.
    pub fn name(&self, index: usize) -> &'static str {
        self.entries.get(index).map_or("", |(name, _)| name)
    }

    /// Every schema compiled, once, in table order.
    pub fn shapes(&'static self) -> &'static [Shape] {
        self.shapes.get_or_init(|| {
            let mut compiler = Compiler::building(self);
            for index in 0..self.entries.len() {
                compiler.ensure(index);
            }
            match compiler.mode {
                Mode::Building { done, .. } => {
                    done.into_iter().map(Option::unwrap_or_default).collect()
                }
                _ => Vec::new(),
            }
        })
    }

    /// The compiled schema at `index`.
    pub fn shape(&'static self, index: usize) -> Option<&'static Shape> {
        self.shapes().get(index)
    }
}

/// Resolves references while a schema compiles: into a finished table, or into the
/// table being built (each entry compiled once; one on the way is not entered twice).
pub struct Compiler {
    registry: Option<&'static Schemas>,
    mode: Mode,
}

enum Mode {
    Standalone,
    Finished,
    Building {
        done: Vec<Option<Shape>>,
        busy: Vec<bool>,
    },
}

impl Compiler {
    /// For a self-contained schema: a `$ref` is any value.
    pub fn standalone() -> Compiler {
        Compiler {
            registry: None,
            mode: Mode::Standalone,
        }
    }

    /// For a schema whose `$ref`s name entries of `registry`.
    pub fn within(registry: Option<&'static Schemas>) -> Compiler {
        Compiler {
            registry,
            mode: match registry {
                Some(_) => Mode::Finished,
                None => Mode::Standalone,
            },
        }
    }

    fn building(registry: &'static Schemas) -> Compiler {
        let n = registry.entries.len();
        Compiler {
            registry: Some(registry),
            mode: Mode::Building {
                done: (0..n).map(|_| None).collect(),
                busy: vec![false; n],
            },
        }
    }

    /// The kind of `{"$ref": reference}`: a reference to the registry's entry, or any
    /// value when it names none.
    pub fn reference(&self, reference: &str) -> Kind {
        let found = self.registry.and_then(|registry| {
            let name = reference.strip_prefix(SCHEMA_REF_PREFIX)?;
            Some((registry, registry.index(name)?))
        });
        match found {
            Some((schemas, index)) => Kind::Ref { index, schemas },
            None => Kind::Any,
        }
    }

    /// What a compiled shape stands for, references followed (for `allOf`, which
    /// merges its members now); `None` for one still compiling (a cycle of `allOf`s).
    pub fn target(&mut self, shape: &Shape) -> Option<Shape> {
        let mut current = shape.clone();
        for _ in 0..MAX_ALIASES {
            let Kind::Ref { index, schemas } = current.kind else {
                return Some(current);
            };
            current = match &mut self.mode {
                Mode::Building { .. } => {
                    self.ensure(index);
                    match &self.mode {
                        Mode::Building { done, .. } => done[index].clone()?,
                        _ => return None,
                    }
                }
                _ => schemas.shape(index)?.clone(),
            };
        }
        None
    }

    fn ensure(&mut self, index: usize) {
        let Some(registry) = self.registry else {
            return;
        };
        match &mut self.mode {
            Mode::Building { done, busy } if done[index].is_none() && !busy[index] => {
                busy[index] = true;
            }
            _ => return,
        }
        let text = registry.entries[index].1;
        let shape = serde_json::from_str::<Value>(text)
            .map(|value| Shape::compile_with(&value, self))
            .unwrap_or_default();
        if let Mode::Building { done, busy } = &mut self.mode {
            done[index] = Some(shape);
            busy[index] = false;
        }
    }
}

impl Shape {
    /// The shape a reference stands for (aliases followed), or the shape itself: for
    /// looking at an object's properties, never for drawing (no recursion cut).
    pub fn resolved(&self) -> &Shape {
        let mut current = self;
        for _ in 0..MAX_ALIASES {
            match current.kind {
                Kind::Ref { index, schemas } => match schemas.shape(index) {
                    Some(target) => current = target,
                    None => return current,
                },
                _ => return current,
            }
        }
        current
    }
}

#[cfg(test)]
pub(crate) mod tests {
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

    // The shared table.
    pub(crate) static NODES: Schemas = Schemas::new(&[
        (
            "Base",
            r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}"#,
        ),
        (
            "Loop",
            r##"{"allOf":[{"$ref":"#/components/schemas/Loop"}]}"##,
        ),
        (
            "Node",
            r##"{"allOf":[{"$ref":"#/components/schemas/Base"},{"type":"object","properties":{"child":{"$ref":"#/components/schemas/Node"}}}]}"##,
        ),
    ]);

    #[test]
    fn each_schema_compiles_once_and_all_of_members_merge_through_references() {
        let node = NODES.shape(NODES.index("Node").unwrap()).unwrap();
        let Kind::Object { properties, .. } = &node.kind else {
            panic!("{node:?}");
        };
        let names: Vec<&str> = properties.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["id", "child"]);
        // The child is a reference to the one compiled Node, not a copy of it.
        assert!(std::ptr::eq(properties[1].shape.resolved(), node));
        // A schema that is its own allOf member compiles (to anything) and does not hang.
        assert!(NODES.shape(NODES.index("Loop").unwrap()).is_some());
    }
}
