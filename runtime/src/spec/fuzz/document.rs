//! Whole documents: paths with parameters in every location, request bodies (JSON,
//! form, multipart uploads), responses, operations and components.

use super::text::{MEDIA_TYPES, METHODS, ODD_STATUSES, STATUSES, WORDS};
use super::Gen;
use serde_json::{json, Map, Value};

impl Gen {
    /// A path template: literal segments and `{name}`s, sometimes malformed.
    pub(super) fn path(&mut self) -> String {
        let mut path = String::new();
        for _ in 0..self.rng.below(5) {
            path.push('/');
            match self.rng.below(10) {
                0..=4 => path.push_str(self.rng.pick::<&str>(WORDS)),
                5..=7 => {
                    let name = self.name();
                    path.push_str(&format!("{{{name}}}"));
                }
                8 => path.push_str(&self.text()),
                _ => path.push_str(
                    self.rng
                        .pick::<&str>(&["{", "}", "{}", "{a}{b}", "{id", "", "{{x}}"]),
                ),
            }
        }
        match self.rng.below(20) {
            0 => path.trim_start_matches('/').to_string(),
            1 => path + "/",
            2 => format!("x-{path}"),
            _ if path.is_empty() => "/".to_string(),
            _ => path,
        }
    }

    pub(super) fn parameter(&mut self, name: String, location: &str) -> Value {
        let mut map = Map::new();
        map.insert("name".into(), name.into());
        map.insert("in".into(), location.into());
        match (location, self.rng.below(6)) {
            ("path", 0..=4) => {
                map.insert("required".into(), true.into());
            }
            (_, 0..=1) => {
                map.insert("required".into(), true.into());
            }
            (_, 2) => {
                map.insert("required".into(), false.into());
            }
            (_, 3) if self.odd(4) => {
                map.insert("required".into(), self.value(2));
            }
            _ => {}
        }
        if self.rng.chance(1, 8) {
            let media = self.rng.pick(MEDIA_TYPES).to_string();
            map.insert(
                "content".into(),
                json!({ media: {"schema": self.schema(1)} }),
            );
        } else if !self.odd(20) {
            let schema = self.schema(1);
            map.insert("schema".into(), schema);
        }
        if self.rng.chance(1, 6) {
            map.insert("description".into(), self.text().into());
        }
        if self.rng.chance(1, 8) {
            map.insert("example".into(), self.value(1));
        }
        if self.rng.chance(1, 10) {
            let examples: Map<String, Value> = (0..self.rng.below(3))
                .map(|_| {
                    (
                        self.text(),
                        json!({"summary": self.text(), "value": self.value(1)}),
                    )
                })
                .collect();
            map.insert("examples".into(), examples.into());
        }
        if self.rng.chance(1, 10) {
            // The styles each location allows, or any.
            let styles: &[&str] = match location {
                _ if self.odd(2) => &["form", "simple", "deepObject", "label", "bad"],
                "path" => &["simple", "label", "matrix"],
                "query" => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
                "header" => &["simple"],
                _ => &["form"],
            };
            let style = self.rng.pick(styles).to_string();
            map.insert("style".into(), style.into());
            map.insert("explode".into(), self.rng.chance(1, 2).into());
        }
        if self.rng.chance(1, 16) {
            map.insert("deprecated".into(), true.into());
        }
        Value::Object(map)
    }

    /// The parameters of an operation on `path`: its `{name}`s (mostly declared) and more.
    pub(super) fn parameters(&mut self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for name in crate::spec::template::names(path) {
            let name = name.to_string();
            if !self.rng.chance(1, 10) {
                let location = if self.rng.chance(1, 12) {
                    "query"
                } else {
                    "path"
                };
                out.push(self.parameter(name, location));
            }
        }
        for _ in 0..self.rng.below(5) {
            let location = match self.rng.below(20) {
                0..=9 => "query",
                10..=13 => "header",
                14..=16 => "cookie",
                17 => "path",
                18 if self.odd(1) => "body",
                19 if self.odd(1) => "formData",
                _ => "query",
            };
            let name = self.name();
            out.push(self.parameter(name, location));
        }
        if !self.parameter_names.is_empty() && self.rng.chance(1, 5) {
            let name = self.rng.pick(&self.parameter_names).clone();
            out.push(json!({"$ref": format!("#/components/parameters/{name}")}));
        }
        if self.rng.chance(1, 20) {
            out.push(json!({"$ref": "#/components/parameters/Dangling"}));
        }
        if self.odd(30) {
            out.push(self.value(1));
        }
        if self.rng.chance(1, 8) && !out.is_empty() {
            // The same parameter twice.
            let twin = out[self.rng.below(out.len())].clone();
            out.push(twin);
        }
        out
    }

    pub(super) fn request_body(&mut self) -> Value {
        if !self.body_names.is_empty() && self.rng.chance(1, 6) {
            let name = self.rng.pick(&self.body_names).clone();
            return json!({"$ref": format!("#/components/requestBodies/{name}")});
        }
        if self.rng.chance(1, 30) {
            return json!({"$ref": "#/components/requestBodies/Dangling"});
        }
        let mut content = Map::new();
        for _ in 0..1 + self.rng.below(2) {
            let media = self.rng.pick(MEDIA_TYPES).to_string();
            let schema = match (media.as_str(), self.rng.below(4)) {
                ("multipart/form-data", 0..=2) => self.upload_schema(),
                (_, 0) if self.rng.chance(1, 6) => {
                    let levels = 10 + self.rng.below(50);
                    self.deep_schema(levels)
                }
                _ => self.schema(0),
            };
            let mut media_type = Map::new();
            if !self.rng.chance(1, 12) {
                media_type.insert("schema".into(), schema);
            }
            if self.rng.chance(1, 8) {
                media_type.insert("example".into(), self.value(1));
            }
            if self.rng.chance(1, 12) {
                media_type.insert(
                    "encoding".into(),
                    json!({"file": {"contentType": "image/png", "headers": {"X-Rate": {"schema": self.schema(2)}}}}),
                );
            }
            content.insert(media, media_type.into());
        }
        let mut body = Map::new();
        body.insert("content".into(), content.into());
        if self.rng.chance(2, 3) {
            body.insert("required".into(), true.into());
        }
        Value::Object(body)
    }

    pub(super) fn responses(&mut self) -> Value {
        let mut responses = Map::new();
        for _ in 0..self.rng.below(4) {
            let status = if self.odd(2) {
                self.rng.pick(ODD_STATUSES).to_string()
            } else {
                self.rng.pick(STATUSES).to_string()
            };
            let response = if !self.response_names.is_empty() && self.rng.chance(1, 6) {
                let name = self.rng.pick(&self.response_names).clone();
                json!({"$ref": format!("#/components/responses/{name}")})
            } else {
                self.response()
            };
            responses.insert(status, response);
        }
        if self.rng.chance(1, 2) {
            // FastAPI's validation error.
            responses.insert(
                "422".into(),
                json!({"description": "Validation Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}),
            );
        }
        Value::Object(responses)
    }

    pub(super) fn response(&mut self) -> Value {
        let mut map = Map::new();
        if !self.odd(20) {
            map.insert("description".into(), self.text().into());
        }
        if self.rng.chance(2, 3) {
            let media = self.rng.pick(MEDIA_TYPES).to_string();
            let schema = if self.rng.chance(1, 2) {
                // An answer with an id field, for chaining.
                let mut properties = Map::new();
                properties.insert(
                    self.rng
                        .pick(&["id", "session_id", "docId", "user_id"])
                        .to_string(),
                    self.primitive(),
                );
                properties.insert(self.name(), self.schema(2));
                json!({"type": "object", "properties": properties})
            } else {
                self.schema(1)
            };
            map.insert("content".into(), json!({ media: {"schema": schema} }));
        }
        if self.rng.chance(1, 10) {
            map.insert(
                "headers".into(),
                json!({"Location": {"schema": {"type": "string"}}, "X-Rate": {"content": {"text/plain": {"schema": self.schema(2)}}}}),
            );
        }
        if self.rng.chance(1, 12) {
            map.insert(
                "links".into(),
                json!({"next": {"operationId": self.text()}}),
            );
        }
        Value::Object(map)
    }

    pub(super) fn operation(&mut self, path: &str) -> Value {
        let mut op = Map::new();
        if self.rng.chance(3, 4) {
            op.insert("summary".into(), self.text().into());
        }
        if self.rng.chance(1, 4) {
            op.insert("description".into(), self.text().into());
        }
        if self.rng.chance(3, 4) {
            let id = if self.rng.chance(1, 4) {
                "duplicate_id".to_string()
            } else {
                self.text()
            };
            op.insert("operationId".into(), id.into());
        }
        if self.rng.chance(1, 4) {
            op.insert("tags".into(), json!([self.text()]));
        }
        let parameters = self.parameters(path);
        if !parameters.is_empty() {
            op.insert("parameters".into(), parameters.into());
        }
        if self.rng.chance(1, 2) {
            op.insert("requestBody".into(), self.request_body());
        }
        if !self.rng.chance(1, 10) {
            op.insert("responses".into(), self.responses());
        }
        if self.rng.chance(1, 16) {
            op.insert("security".into(), json!([{"HTTPBearer": []}]));
        }
        if self.rng.chance(1, 20) {
            op.insert("deprecated".into(), true.into());
        }
        if self.rng.chance(1, 30) {
            let inner = self.operation("/callback");
            op.insert(
                "callbacks".into(),
                json!({"onEvent": {"{$request.body#/url}": {"post": inner}}}),
            );
        }
        Value::Object(op)
    }

    pub(super) fn path_item(&mut self, path: &str) -> Value {
        if self.rng.chance(1, 30) {
            return json!({"$ref": "#/components/pathItems/Shared"});
        }
        let mut item = Map::new();
        for _ in 0..1 + self.rng.below(3) {
            let method = if self.rng.chance(1, 25) {
                self.rng.pick(METHODS).to_ascii_uppercase()
            } else {
                self.rng.pick(METHODS).to_string()
            };
            let op = self.operation(path);
            item.insert(method, op);
        }
        if self.rng.chance(1, 6) {
            let name = self.name();
            item.insert("parameters".into(), json!([self.parameter(name, "query")]));
        }
        if self.rng.chance(1, 8) {
            item.insert("summary".into(), self.text().into());
        }
        if self.rng.chance(1, 16) {
            item.insert("servers".into(), json!([{"url": self.text()}]));
        }
        if self.rng.chance(1, 20) {
            item.insert(format!("x-{}", self.text()), self.value(1));
        }
        Value::Object(item)
    }

    /// A fresh FastAPI-like document.
    pub(super) fn document(&mut self) -> Value {
        self.max_depth = if self.rng.chance(1, 10) {
            6 + self.rng.below(6)
        } else {
            2 + self.rng.below(3)
        };
        let component_names = |gen: &mut Gen, n: usize| -> Vec<String> {
            (0..n)
                .map(|_| match gen.rng.below(6) {
                    0..=2 => gen
                        .rng
                        .pick(&[
                            "Item",
                            "UserIn",
                            "UserOut",
                            "Node",
                            "HTTPValidationError",
                            "ValidationError",
                            "Body_upload_file",
                        ])
                        .to_string(),
                    3..=4 => gen.name(),
                    _ => gen.text(),
                })
                .collect()
        };
        let counts = [7, 3, 2, 2].map(|n| self.rng.below(n));
        self.schema_names = component_names(self, counts[0]);
        self.parameter_names = component_names(self, counts[1]);
        self.body_names = component_names(self, counts[2]);
        self.response_names = component_names(self, counts[3]);

        let mut doc = Map::new();
        let version = match self.rng.below(30) {
            22..=25 => json!("3.0.3"),
            26 => json!("3.1"),
            27 if self.odd(1) => json!("3.2.0"),
            28 if self.odd(1) => json!(3.1),
            29 if self.odd(1) => Value::String(self.text()),
            _ => json!("3.1.0"),
        };
        if self.odd(40) {
            doc.insert("swagger".into(), "2.0".into());
        } else if !self.odd(60) {
            doc.insert("openapi".into(), version);
        }
        if !self.odd(20) {
            let mut info = json!({"title": self.text(), "version": self.text()});
            if self.rng.chance(1, 8) {
                info["license"] = json!({"identifier": "MIT"});
            }
            if self.rng.chance(1, 8) {
                info["description"] = self.text().into();
            }
            doc.insert("info".into(), info);
        }
        if self.rng.chance(1, 4) {
            doc.insert("servers".into(), json!([{"url": self.text()}]));
        }
        let mut paths = Map::new();
        for _ in 0..self.rng.below(9) {
            let path = self.path();
            let item = self.path_item(&path);
            paths.insert(path, item);
        }
        if self.rng.chance(1, 20) {
            paths.insert("x-ext".into(), self.value(1));
        }
        if !self.rng.chance(1, 25) {
            doc.insert("paths".into(), paths.into());
        } else if self.rng.chance(1, 2) {
            doc.insert("paths".into(), Value::Null);
        }
        doc.insert("components".into(), self.components());
        if self.rng.chance(1, 15) {
            doc.insert(
                "webhooks".into(),
                json!({"hook": {"post": self.operation("/")}}),
            );
        }
        if self.rng.chance(1, 15) {
            doc.insert(
                "jsonSchemaDialect".into(),
                "https://spec.openapis.org/oas/3.1/dialect/base".into(),
            );
        }
        if self.rng.chance(1, 10) {
            doc.insert(
                "tags".into(),
                json!([{"name": self.text(), "description": self.text()}]),
            );
        }
        if self.rng.chance(1, 10) {
            doc.insert("security".into(), json!([{"HTTPBearer": []}]));
        }
        Value::Object(doc)
    }

    pub(super) fn components(&mut self) -> Value {
        let mut schemas = Map::new();
        for name in self.schema_names.clone() {
            // Some names stay undefined: dangling refs.
            if self.rng.chance(1, 8) {
                continue;
            }
            let schema = if self.rng.chance(1, 25) {
                let levels = 20 + self.rng.below(50);
                self.deep_schema(levels)
            } else {
                self.schema(0)
            };
            schemas.insert(name, schema);
        }
        if self.rng.chance(1, 2) {
            schemas.insert(
                "HTTPValidationError".into(),
                json!({"type": "object", "title": "HTTPValidationError", "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}, "title": "Detail"}}}),
            );
            schemas.insert(
                "ValidationError".into(),
                json!({"type": "object", "required": ["loc", "msg", "type"], "properties": {"loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}, "msg": {"type": "string"}, "type": {"type": "string"}}}),
            );
        }
        if self.rng.chance(1, 6) {
            // A cycle through two schemas.
            schemas.insert(
                "Node".into(),
                json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}, "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}}),
            );
            schemas.insert(
                "Tree".into(),
                json!({"allOf": [{"$ref": "#/components/schemas/Node"}], "default": null}),
            );
        }
        let mut components = Map::new();
        components.insert("schemas".into(), schemas.into());
        let mut parameters = Map::new();
        for name in self.parameter_names.clone() {
            let location = *self.rng.pick(&["query", "header", "path", "cookie"]);
            let param_name = self.name();
            let param = self.parameter(param_name, location);
            parameters.insert(name, param);
        }
        if !parameters.is_empty() {
            components.insert("parameters".into(), parameters.into());
        }
        let mut bodies = Map::new();
        for name in self.body_names.clone() {
            // A body whose own `$ref` may point back at a component body.
            let body = self.request_body();
            bodies.insert(name, body);
        }
        if !bodies.is_empty() {
            components.insert("requestBodies".into(), bodies.into());
        }
        let mut responses = Map::new();
        for name in self.response_names.clone() {
            let response = self.response();
            responses.insert(name, response);
        }
        if !responses.is_empty() {
            components.insert("responses".into(), responses.into());
        }
        if self.rng.chance(1, 5) {
            components.insert(
                "securitySchemes".into(),
                json!({"HTTPBearer": {"type": "http", "scheme": "bearer"}, "mtls": {"type": "mutualTLS"}, "key": {"type": "apiKey", "in": "header", "name": self.text()}}),
            );
        }
        if self.rng.chance(1, 20) {
            components.insert(
                "pathItems".into(),
                json!({"Shared": {"get": {"responses": {}}}}),
            );
        }
        Value::Object(components)
    }
}
