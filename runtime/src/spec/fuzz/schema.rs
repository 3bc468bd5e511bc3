//! Schemas as FastAPI's 3.1 output writes them, and worse: every keyword, `Optional`
//! as `anyOf` with null, type lists, refs (cyclic, dangling, foreign), bounds from the
//! awkward end, invalid patterns, boolean schemas, keywords 3.0 lacks, deep nesting.

use super::text::{FORMATS, MEDIA_TYPES, PATTERNS};
use super::Gen;
use serde_json::{json, Map, Value};

impl Gen {
    /// A `$ref` target: mostly a known schema, sometimes a dangling, foreign or odd one.
    pub(super) fn schema_ref(&mut self) -> String {
        match self.rng.below(16) {
            0 => format!("#/components/schemas/{}", self.text()),
            1 => "other.json#/components/schemas/Item".to_string(),
            2 => "#/components/parameters/limit".to_string(),
            3 => "#".to_string(),
            4 => "#/components/schemas/".to_string(),
            5 => "#/definitions/Item".to_string(),
            _ if self.schema_names.is_empty() => "#/components/schemas/Missing".to_string(),
            _ => {
                let name = self.rng.pick(&self.schema_names).clone();
                format!("#/components/schemas/{name}")
            }
        }
    }

    /// Annotations FastAPI adds to any schema, and some odd extras.
    pub(super) fn annotate(&mut self, map: &mut Map<String, Value>) {
        if self.rng.chance(1, 3) {
            map.insert("title".into(), self.text().into());
        }
        if self.rng.chance(1, 5) {
            map.insert("description".into(), self.text().into());
        }
        if self.rng.chance(1, 8) {
            map.insert("default".into(), self.value(1));
        }
        if self.rng.chance(1, 10) {
            map.insert("example".into(), self.value(1));
        }
        if self.rng.chance(1, 10) {
            let examples: Vec<Value> = (0..self.rng.below(3)).map(|_| self.value(1)).collect();
            map.insert("examples".into(), examples.into());
        }
        if self.rng.chance(1, 12) {
            map.insert("nullable".into(), self.rng.chance(1, 2).into());
        }
        if self.rng.chance(1, 16) {
            map.insert("deprecated".into(), true.into());
        }
        if self.rng.chance(1, 16) {
            let key = if self.rng.chance(1, 2) {
                "readOnly"
            } else {
                "writeOnly"
            };
            map.insert(key.into(), true.into());
        }
        if self.rng.chance(1, 20) {
            map.insert(format!("x-{}", self.name()), self.value(1));
        }
        if self.rng.chance(1, 20) {
            map.insert(
                "$schema".into(),
                "https://json-schema.org/draft/2020-12/schema".into(),
            );
            map.insert("$comment".into(), self.text().into());
        }
    }

    /// A schema, `depth` levels below its root.
    pub(super) fn schema(&mut self, depth: usize) -> Value {
        if depth >= self.max_depth {
            return self.primitive();
        }
        let mut schema = match self.rng.below(30) {
            0..=7 => self.primitive(),
            8..=9 => json!({"$ref": self.schema_ref()}),
            10 => {
                // `$ref` with siblings (FastAPI's field defaults and descriptions).
                let mut map = Map::new();
                map.insert("$ref".into(), self.schema_ref().into());
                map.insert("default".into(), self.value(1));
                map.insert("description".into(), self.text().into());
                Value::Object(map)
            }
            11..=13 => {
                // `Optional[X]`: anyOf X or null, with a null default.
                let inner = self.schema(depth + 1);
                let mut members = vec![inner, json!({"type": "null"})];
                if self.rng.chance(1, 3) {
                    members.reverse();
                }
                if self.rng.chance(1, 4) {
                    members.insert(1, self.schema(depth + 1));
                }
                json!({"anyOf": members, "default": null, "title": self.text()})
            }
            14..=15 => self.type_list(),
            16..=17 => {
                let key = if self.rng.chance(1, 2) {
                    "oneOf"
                } else {
                    "anyOf"
                };
                let members: Vec<Value> = (0..self.rng.below(4))
                    .map(|_| self.schema(depth + 1))
                    .collect();
                let mut map = Map::new();
                map.insert(key.into(), members.into());
                if self.rng.chance(1, 4) {
                    let mapping: Map<String, Value> = (0..self.rng.below(3))
                        .map(|_| (self.text(), self.schema_ref().into()))
                        .collect();
                    map.insert(
                        "discriminator".into(),
                        json!({"propertyName": self.name(), "mapping": mapping}),
                    );
                }
                Value::Object(map)
            }
            18 => {
                let members: Vec<Value> = (0..self.rng.below(3) + 1)
                    .map(|_| self.schema(depth + 1))
                    .collect();
                json!({"allOf": members})
            }
            19..=22 => self.object(depth),
            23..=25 => self.array(depth),
            26 => self.enumeration(),
            27 => Value::Bool(self.rng.chance(1, 2)),
            28 => self.unsupported(depth),
            _ => match self.rng.below(6) {
                0 => json!({}),
                1 => json!({"not": self.schema(depth + 1)}),
                2 if self.odd(1) => Value::String(self.text()),
                3 if self.odd(1) => self.number(),
                4 if self.odd(1) => Value::Null,
                5 if self.odd(1) => json!([self.schema(depth + 1)]),
                _ => json!({"description": self.text()}),
            },
        };
        if let Value::Object(map) = &mut schema {
            self.annotate(map);
        }
        schema
    }

    pub(super) fn primitive(&mut self) -> Value {
        let mut map = Map::new();
        match self.rng.below(8) {
            0..=1 => {
                map.insert("type".into(), "string".into());
                if self.rng.chance(1, 3) {
                    let format = if self.rng.chance(1, 8) {
                        self.text()
                    } else {
                        self.rng.pick(FORMATS).to_string()
                    };
                    map.insert("format".into(), format.into());
                }
                if self.rng.chance(1, 4) {
                    map.insert("minLength".into(), self.count());
                }
                if self.rng.chance(1, 4) {
                    map.insert("maxLength".into(), self.count());
                }
                if self.rng.chance(1, 4) {
                    map.insert("pattern".into(), self.rng.pick(PATTERNS).to_string().into());
                }
                if self.rng.chance(1, 8) {
                    let media = if self.rng.chance(1, 2) {
                        "application/octet-stream".to_string()
                    } else {
                        self.rng.pick(MEDIA_TYPES).to_string()
                    };
                    map.insert("contentMediaType".into(), media.into());
                }
                if self.rng.chance(1, 12) {
                    map.insert("contentEncoding".into(), "base64".into());
                }
            }
            2..=3 => {
                let ty = if self.rng.chance(1, 2) {
                    "integer"
                } else {
                    "number"
                };
                map.insert("type".into(), ty.into());
                for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
                    if self.rng.chance(1, 4) {
                        map.insert(key.into(), self.number());
                    }
                }
                if self.rng.chance(1, 10) {
                    let key = if self.rng.chance(1, 2) {
                        "exclusiveMinimum"
                    } else {
                        "exclusiveMaximum"
                    };
                    map.insert(key.into(), self.rng.chance(1, 2).into());
                }
                if self.rng.chance(1, 6) {
                    map.insert("multipleOf".into(), self.number());
                }
                if self.rng.chance(1, 5) {
                    map.insert("format".into(), self.rng.pick(FORMATS).to_string().into());
                }
            }
            4 => {
                map.insert("type".into(), "boolean".into());
            }
            5 => {
                map.insert("type".into(), "null".into());
            }
            _ if self.odd(1) => {
                // A type name 3.0 does not know, or none at all.
                let ty = match self.rng.below(4) {
                    0 => Value::String(self.text()),
                    1 => Value::Null,
                    2 => self.number(),
                    _ => Value::String("file".into()),
                };
                map.insert("type".into(), ty);
            }
            _ => {} // untyped: any value
        }
        self.annotate(&mut map);
        Value::Object(map)
    }

    /// `type: [..]` with and without null, duplicates, unknown names.
    pub(super) fn type_list(&mut self) -> Value {
        const TYPES: &[&str] = &[
            "string", "integer", "number", "boolean", "null", "array", "object", "null",
        ];
        let mut types: Vec<Value> = (0..self.rng.below(4))
            .map(|_| Value::String(self.rng.pick(TYPES).to_string()))
            .collect();
        if self.rng.chance(1, 10) {
            types.push(self.value(2));
        }
        let mut map = Map::new();
        map.insert("type".into(), types.into());
        if self.rng.chance(1, 3) {
            map.insert("items".into(), self.primitive());
        }
        if self.rng.chance(1, 3) {
            map.insert("maxLength".into(), self.count());
        }
        if self.rng.chance(1, 4) {
            map.insert("anyOf".into(), json!([{"type": "string"}]));
        }
        Value::Object(map)
    }

    pub(super) fn object(&mut self, depth: usize) -> Value {
        let mut properties = Map::new();
        for _ in 0..self.rng.below(6) {
            let name = self.name();
            properties.insert(name, self.schema(depth + 1));
        }
        let mut required: Vec<Value> = properties
            .keys()
            .filter(|_| self.rng.chance(1, 2))
            .map(|k| Value::String(k.clone()))
            .collect();
        if self.rng.chance(1, 8) {
            required.push(Value::String(self.name()));
        }
        if self.rng.chance(1, 16) {
            required.push(self.number());
        }
        let mut map = Map::new();
        if !self.rng.chance(1, 8) {
            map.insert("type".into(), "object".into());
        }
        map.insert("properties".into(), properties.into());
        if !required.is_empty() {
            map.insert("required".into(), required.into());
        }
        match self.rng.below(8) {
            0 => {
                map.insert("additionalProperties".into(), false.into());
            }
            1 => {
                map.insert("additionalProperties".into(), true.into());
            }
            2 => {
                map.insert("additionalProperties".into(), self.schema(depth + 1));
            }
            3 => {
                // A free-form map: no properties at all.
                map.remove("properties");
                map.insert("additionalProperties".into(), self.schema(depth + 1));
            }
            _ => {}
        }
        if self.rng.chance(1, 10) {
            map.insert("minProperties".into(), self.count());
            map.insert("maxProperties".into(), self.count());
        }
        if self.rng.chance(1, 10) {
            map.insert("title".into(), format!("Body_{}", self.text()).into());
        }
        Value::Object(map)
    }

    pub(super) fn array(&mut self, depth: usize) -> Value {
        let mut map = Map::new();
        map.insert("type".into(), "array".into());
        match self.rng.below(8) {
            0 => {}
            1 => {
                let tuple: Vec<Value> = (0..self.rng.below(3) + 1)
                    .map(|_| self.schema(depth + 1))
                    .collect();
                map.insert("prefixItems".into(), tuple.into());
                if self.rng.chance(1, 2) {
                    map.insert("items".into(), false.into());
                }
            }
            2 => {
                map.insert(
                    "items".into(),
                    json!({"type": "string", "format": "binary"}),
                );
            }
            _ => {
                map.insert("items".into(), self.schema(depth + 1));
            }
        }
        if self.rng.chance(1, 4) {
            map.insert("minItems".into(), self.count());
        }
        if self.rng.chance(1, 4) {
            map.insert("maxItems".into(), self.count());
        }
        if self.rng.chance(1, 6) {
            map.insert("uniqueItems".into(), true.into());
        }
        Value::Object(map)
    }

    /// `enum` of mixed values, or `const`.
    pub(super) fn enumeration(&mut self) -> Value {
        let values: Vec<Value> = (0..self.rng.below(5)).map(|_| self.value(2)).collect();
        let mut map = Map::new();
        if self.rng.chance(1, 2) {
            map.insert("type".into(), "string".into());
        }
        if self.rng.chance(1, 3) {
            map.insert("const".into(), self.value(2));
        } else {
            map.insert("enum".into(), values.into());
        }
        Value::Object(map)
    }

    /// Keywords 3.0 cannot express beside ones it can.
    pub(super) fn unsupported(&mut self, depth: usize) -> Value {
        let mut map = Map::new();
        map.insert("type".into(), "object".into());
        for key in [
            "if",
            "then",
            "else",
            "patternProperties",
            "propertyNames",
            "$defs",
            "dependentSchemas",
            "unevaluatedProperties",
            "contains",
        ] {
            if self.rng.chance(1, 4) {
                let value = if key == "patternProperties" || key == "$defs" {
                    json!({"^x": self.schema(depth + 1)})
                } else {
                    self.schema(depth + 1)
                };
                map.insert(key.into(), value);
            }
        }
        if self.rng.chance(1, 4) {
            map.insert("$id".into(), "https://example.com/x".into());
            map.insert("$anchor".into(), "x".into());
        }
        Value::Object(map)
    }

    /// A chain of `levels` nested schemas (items, properties, anyOf, allOf in turn):
    /// deep documents, some past what a JSON reader accepts.
    pub(super) fn deep_schema(&mut self, levels: usize) -> Value {
        let mut schema = self.primitive();
        for level in 0..levels {
            schema = match (level + self.rng.below(4)) % 4 {
                0 => json!({"type": "array", "items": schema}),
                1 => {
                    json!({"type": "object", "properties": {"next": schema}, "required": ["next"]})
                }
                2 => json!({"anyOf": [schema, {"type": "null"}]}),
                _ => json!({"allOf": [schema]}),
            };
        }
        schema
    }

    /// A FastAPI multipart body: `Body_<op>` with a file or a list of files.
    pub(super) fn upload_schema(&mut self) -> Value {
        let file = if self.rng.chance(1, 2) {
            json!({"type": "string", "format": "binary", "title": "File"})
        } else {
            json!({"type": "string", "contentMediaType": "application/octet-stream", "title": "File"})
        };
        let mut properties = Map::new();
        properties.insert(
            "file".into(),
            if self.rng.chance(1, 3) {
                json!({"type": "array", "items": file})
            } else {
                file
            },
        );
        for _ in 0..self.rng.below(3) {
            let name = self.name();
            properties.insert(name, self.schema(2));
        }
        json!({"type": "object", "title": format!("Body_{}", self.text()), "properties": properties, "required": ["file"]})
    }
}
