//! Component schemas shared, never multiplied: an operation's schemas keep their local
//! `$ref`s (`#/components/schemas/X`) and the app's plan holds each schema they reach
//! once, so the plan and the generated code grow with the description, not with the
//! number of paths through its references (inlining made `fanout^depth` copies). A
//! reference that cannot be followed (not local, or naming nothing) becomes `{}`, any
//! value, with a warning. Also: how a schema reads through its references
//! ([`resolve`]), for the plan's and the generator's looks at a type or properties.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The prefix of a local component schema reference.
pub const PREFIX: &str = "#/components/schemas/";
/// How many references in a row [`resolve`] follows.
const MAX_ALIASES: usize = 64;

/// Keys whose values are data, not schemas: never searched for references.
fn is_data(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum")
}

/// Replaces each reference in `schema` that cannot be followed by `{}` (warning, with
/// `where_` naming the operation or schema), and adds the names it refers to to `used`.
pub fn check_refs(
    schema: &mut Value,
    components: &Map<String, Value>,
    used: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
    where_: &str,
) {
    match schema {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                match reference.strip_prefix(PREFIX) {
                    Some(name) if components.contains_key(name) => {
                        used.insert(name.to_string());
                    }
                    Some(_) => {
                        warnings.push(format!(
                            "{where_}: $ref {reference:?} names no schema; any value is sent"
                        ));
                        *schema = Value::Object(Map::new());
                    }
                    None => {
                        warnings.push(format!(
                            "{where_}: $ref {reference:?} is not a local schema; any value is sent"
                        ));
                        *schema = Value::Object(Map::new());
                    }
                }
                return;
            }
            for (key, value) in object.iter_mut() {
                if !is_data(key) {
                    check_refs(value, components, used, warnings, where_);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                check_refs(item, components, used, warnings, where_);
            }
        }
        _ => {}
    }
}

/// Every component schema `used` reaches, each once, its references checked: the
/// app's shared schemas, by name.
pub fn reachable(
    used: BTreeSet<String>,
    components: &Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Map<String, Value> {
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    let mut todo: Vec<String> = used.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let Some(schema) = components.get(&name) else {
            continue;
        };
        let mut schema = schema.clone();
        let mut found = BTreeSet::new();
        check_refs(
            &mut schema,
            components,
            &mut found,
            warnings,
            &format!("schema {name:?}"),
        );
        todo.extend(found.into_iter().filter(|n| !done.contains(n)));
        out.push((name, schema));
    }
    // By name (byte order), as the generated table is searched.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().collect()
}

/// What `schema` stands for: its references followed (at most [`MAX_ALIASES`]; a cycle
/// of aliases ends on a reference, which reads as no type).
pub fn resolve<'a>(schemas: &'a Map<String, Value>, mut schema: &'a Value) -> &'a Value {
    for _ in 0..MAX_ALIASES {
        let target = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(PREFIX))
            .and_then(|name| schemas.get(name));
        match target {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

/// The number of JSON nodes in `value`: what a plan's size is counted in.
pub fn node_count(value: &Value) -> usize {
    1 + match value {
        Value::Object(object) => object.values().map(node_count).sum(),
        Value::Array(items) => items.iter().map(node_count).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_kept_checked_and_their_targets_collected_once() {
        let components = json!({
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"},
                  "b2": {"$ref": "#/components/schemas/B"}, "x": {"$ref": "#/components/schemas/Nope"}}},
            "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}},
                  "example": {"$ref": "data, not a reference"}},
            "Unused": {"type": "string"}
        });
        let components = components.as_object().unwrap();
        let mut schema = json!({"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/A"},
                                          {"$ref": "other.json#/X"}]});
        let (mut used, mut warnings) = (BTreeSet::new(), Vec::new());
        check_refs(&mut schema, components, &mut used, &mut warnings, "POST /a");
        assert_eq!(schema["anyOf"][2], json!({}));
        assert!(warnings[0].contains("POST /a") && warnings[0].contains("other.json"));
        let shared = reachable(used, components, &mut warnings);
        let names: Vec<&String> = shared.keys().collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(shared["A"]["properties"]["x"], json!({}));
        assert!(warnings[1].contains("schema \"A\"") && warnings[1].contains("Nope"));
        assert_eq!(warnings.len(), 2);
        assert_eq!(resolve(&shared, &schema["anyOf"][1])["type"], "object");
    }
}
