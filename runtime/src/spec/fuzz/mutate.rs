//! Mutations of real documents: cut to a few paths, then nodes reached by a random walk
//! dropped, renamed, duplicated, replaced, retyped or moved; only text and schemas when
//! the case is tame.

use super::text::{HOSTILE, SCHEMA_KEYS};
use super::Gen;
use serde_json::{json, Map, Number, Value};

impl Gen {
    /// A copy of `donor` with at most a few of its paths (a bulk fixture stays cheap).
    pub(super) fn excerpt(&mut self, donor: &Value) -> Value {
        let Value::Object(map) = donor else {
            return donor.clone();
        };
        let mut out = Map::new();
        for (key, value) in map {
            match (key.as_str(), value) {
                ("paths", Value::Object(paths)) if paths.len() > 8 => {
                    let keep = 1 + self.rng.below(8);
                    let mut chosen: Map<String, Value> = Map::new();
                    for _ in 0..keep {
                        let at = self.rng.below(paths.len());
                        if let Some((path, item)) = paths.iter().nth(at) {
                            chosen.insert(path.clone(), item.clone());
                        }
                    }
                    out.insert(key.clone(), chosen.into());
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// A node reached by a random walk down from `value`.
    pub(super) fn donor_node(&mut self, value: &Value) -> Value {
        let mut node = value;
        for _ in 0..40 {
            let children: Vec<&Value> = match node {
                Value::Object(map) => map.values().collect(),
                Value::Array(list) => list.iter().collect(),
                _ => break,
            };
            if children.is_empty() || self.rng.chance(1, 5) {
                break;
            }
            node = children[self.rng.below(children.len())];
        }
        node.clone()
    }

    /// Mutates one node reached by a random walk down from `value`.
    pub(super) fn mutate(&mut self, value: &mut Value, depth: usize) {
        if depth == 0 && self.wild > 0 && self.rng.chance(1, 4) {
            // A subtree of the document moved elsewhere in it.
            let donor = self.donor_node(value);
            self.walk_to(value, 0, &mut |gen, node| {
                *node = if gen.rng.chance(1, 2) {
                    donor.clone()
                } else {
                    let mut wrapper = Map::new();
                    wrapper.insert(gen.rng.pick(SCHEMA_KEYS).to_string(), donor.clone());
                    Value::Object(wrapper)
                };
            });
            return;
        }
        self.walk_to(value, depth, &mut |gen, node| gen.mutate_node(node));
    }

    /// Walks down at random and applies `act` to the node where it stops; sometimes acts
    /// on the members of a container instead (delete, rename, duplicate).
    pub(super) fn walk_to(
        &mut self,
        value: &mut Value,
        depth: usize,
        act: &mut dyn FnMut(&mut Gen, &mut Value),
    ) {
        let len = match value {
            Value::Object(map) => map.len(),
            Value::Array(list) => list.len(),
            _ => 0,
        };
        // Near the root the walk rarely stops: that is where every mutation is fatal.
        let stop_one_in = if depth < 3 { 12 } else { 5 };
        let stop = len == 0 || depth > 60 || (depth > 0 && self.rng.chance(1, stop_one_in));
        if stop {
            return act(self, value);
        }
        if depth > 0 && self.wild > 0 && self.rng.chance(1, 7) {
            return self.mutate_members(value);
        }
        let at = self.rng.below(len);
        let child = match value {
            // From the root, mostly into the paths and components.
            Value::Object(map) if depth == 0 && self.rng.chance(5, 6) => {
                let key = if self.rng.chance(2, 3) {
                    "paths"
                } else {
                    "components"
                };
                match map.contains_key(key) {
                    true => map.get_mut(key),
                    false => map.iter_mut().nth(at).map(|(_, v)| v),
                }
            }
            Value::Object(map) => map.iter_mut().nth(at).map(|(_, v)| v),
            Value::Array(list) => list.get_mut(at),
            _ => None,
        };
        if let Some(child) = child {
            self.walk_to(child, depth + 1, act);
        }
    }

    pub(super) fn mutate_members(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                let Some(key) = map.keys().nth(self.rng.below(map.len())).cloned() else {
                    return;
                };
                match self.rng.below(3) {
                    0 => {
                        map.remove(&key);
                    }
                    1 => {
                        if let Some(v) = map.remove(&key) {
                            let renamed = self.key();
                            map.insert(renamed, v);
                        }
                    }
                    _ => {
                        if let Some(v) = map.get(&key).cloned() {
                            let renamed = self.key();
                            map.insert(renamed, v);
                        }
                    }
                }
            }
            Value::Array(list) if !list.is_empty() => {
                let at = self.rng.below(list.len());
                if self.rng.chance(1, 2) {
                    list.remove(at);
                } else {
                    let twin = list[at].clone();
                    list.insert(at, twin);
                }
            }
            _ => {}
        }
    }

    /// Replaces, retypes or extends one node; when tame, only its text or, for a
    /// schema, the schema.
    pub(super) fn mutate_node(&mut self, node: &mut Value) {
        if self.wild == 0 {
            match node {
                Value::String(text) if self.rng.chance(1, 2) => *text = self.text(),
                Value::String(text) => {
                    let at = text
                        .char_indices()
                        .map(|(i, _)| i)
                        .nth(self.rng.below(text.len() + 1));
                    text.insert_str(at.unwrap_or(text.len()), self.rng.pick::<&str>(HOSTILE));
                }
                Value::Object(map) if looks_like_schema(map) => {
                    if self.rng.chance(1, 2) {
                        *node = self.schema(1);
                    } else {
                        self.annotate(map);
                    }
                }
                _ => {}
            }
            return;
        }
        match self.rng.below(9) {
            0 => *node = self.value(0),
            1 => *node = Value::String(self.text()),
            2 => *node = self.schema(1),
            3 => *node = self.number(),
            4 => {
                // Retype, keeping the content where it can.
                *node = match std::mem::take(node) {
                    Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
                    Value::Array(list) => Value::Object(
                        list.into_iter()
                            .enumerate()
                            .map(|(i, v)| (i.to_string(), v))
                            .collect(),
                    ),
                    Value::String(s) => s
                        .parse::<f64>()
                        .ok()
                        .and_then(Number::from_f64)
                        .map(Value::Number)
                        .unwrap_or(Value::Array(vec![Value::String(s)])),
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::Bool(b) => Value::String(b.to_string()),
                    Value::Null => json!({}),
                }
            }
            5 | 6 => {
                if let Value::Object(map) = node {
                    let key = self.key();
                    let value = if self.rng.chance(1, 2) {
                        self.schema(1)
                    } else {
                        self.value(1)
                    };
                    map.insert(key, value);
                } else {
                    *node = self.value(0);
                }
            }
            7 => *node = Value::Array(vec![std::mem::take(node)]),
            _ => {
                if let Value::String(s) = node {
                    let piece = self.rng.pick(HOSTILE);
                    let at = s
                        .char_indices()
                        .map(|(i, _)| i)
                        .nth(self.rng.below(s.len() + 1));
                    s.insert_str(at.unwrap_or(s.len()), piece);
                } else {
                    *node = Value::Bool(self.rng.chance(1, 2));
                }
            }
        }
    }
}

/// Whether an object is probably a schema (not a parameter or security scheme).
fn looks_like_schema(map: &Map<String, Value>) -> bool {
    let schema = [
        "type",
        "$ref",
        "anyOf",
        "oneOf",
        "allOf",
        "properties",
        "items",
    ];
    let other = ["in", "scheme", "content", "openapi", "paths"];
    schema.iter().any(|k| map.contains_key(*k)) && !other.iter().any(|k| map.contains_key(*k))
}
