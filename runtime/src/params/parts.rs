//! A request as plain data (method, path, query, headers, cookies, body), built by the
//! generated code and turned into a reqwest request (`apply`), the one way every
//! generated request and `sample` build theirs.

use super::{ParamText, Schemas, Shape, Values};
use crate::spec::model::IdFrom;
use goose::goose::GooseMethod;
use reqwest::RequestBuilder;
use serde_json::Value;

/// What the registry knows of one generated operation.
pub struct OperationInfo {
    pub app: &'static str,
    pub method: &'static str,
    /// The prefixed path template, also the request's name in reports.
    pub path: &'static str,
    /// Documented success statuses as inclusive ranges.
    pub success: &'static [(u16, u16)],
    pub json_response: bool,
    /// The documented JSON answer's schema, checked on a sample of answers.
    pub response: ResponseSchema,
    /// Draws fresh parameters and returns the request they make.
    pub sample: fn(&mut Values) -> RequestParts,
    /// The resource it creates, and where its answer holds the new id.
    pub produces: Option<(&'static str, IdFrom<&'static str>)>,
    /// The resource it deletes.
    pub deletes: Option<&'static str>,
    /// Resources it needs made first, each with the operation that creates one.
    pub needs: &'static [Need],
    /// What its path says, worked out on its first request, and how reading its
    /// answers has gone.
    pub facts: Facts,
}

impl OperationInfo {
    /// What the operation's path says, worked out once (it is read on every request).
    pub fn derived(&self) -> &Derived {
        self.facts.derived.get_or_init(|| Derived {
            subject: crate::known::answer_resource(self.path),
            target: crate::known::target_resource(self.path),
            verb: crate::spec::links::final_verb(self.path),
        })
    }

    /// Whether to read this answer for the records it shows: every answer until
    /// [`Facts::FRUITLESS`] in a row have shown none, then one in [`Facts::RETRY_EVERY`]
    /// (a status page's answers are about nothing the run can name).
    pub fn worth_reading(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let fruitless = self.facts.fruitless.load(Relaxed);
        fruitless < Facts::FRUITLESS
            || self.facts.skipped.fetch_add(1, Relaxed) % Facts::RETRY_EVERY == 0
    }

    /// What reading an answer found: records (`true`) or none.
    pub fn read(&self, found: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        match found {
            true if self.facts.fruitless.load(Relaxed) != 0 => {
                self.facts.fruitless.store(0, Relaxed)
            }
            true => {}
            false => {
                self.facts.fruitless.fetch_add(1, Relaxed);
            }
        }
    }
}

#[cfg(test)]
impl OperationInfo {
    /// An operation for a test: a JSON answer, any 2xx a success, nothing documented to
    /// check, nothing needed first, never sent (its `sample` panics).
    pub const fn for_test(
        app: &'static str,
        method: &'static str,
        path: &'static str,
        produces: Option<(&'static str, IdFrom<&'static str>)>,
        deletes: Option<&'static str>,
    ) -> OperationInfo {
        fn never_sent(_: &mut Values) -> RequestParts {
            unreachable!("a test's operation is never sent")
        }
        OperationInfo {
            app,
            method,
            path,
            success: &[(200, 299)],
            json_response: true,
            response: ResponseSchema::new(""),
            sample: never_sent,
            produces,
            deletes,
            needs: &[],
            facts: Facts::new(),
        }
    }
}

/// An operation's facts from its path, and a count of its answers read in vain.
pub struct Facts {
    derived: std::sync::OnceLock<Derived>,
    fruitless: std::sync::atomic::AtomicU32,
    skipped: std::sync::atomic::AtomicU32,
}

impl Facts {
    /// Answers in a row that showed no record before they are read only now and then.
    pub const FRUITLESS: u32 = 8;
    /// After that, one answer in this many is read.
    pub const RETRY_EVERY: u32 = 16;

    pub const fn new() -> Facts {
        Facts {
            derived: std::sync::OnceLock::new(),
            fruitless: std::sync::atomic::AtomicU32::new(0),
            skipped: std::sync::atomic::AtomicU32::new(0),
        }
    }
}

impl Default for Facts {
    fn default() -> Facts {
        Facts::new()
    }
}

/// What an operation's path says.
#[derive(Clone, Copy, Debug)]
pub struct Derived {
    /// The resource its answers are about (`/work_pools/` → `workpool`).
    pub subject: Option<&'static str>,
    /// The resource its last path parameter names: what a PUT, PATCH or DELETE changes.
    pub target: Option<&'static str>,
    /// The verb its last segment spells (`.../filter`: a read), if any.
    pub verb: Option<crate::spec::links::Verb>,
}

/// A resource an operation needs, and the operation that creates one.
pub struct Need {
    pub resource: &'static str,
    pub producer: &'static OperationInfo,
    /// One the run saw exist will do: a required body property (`"model_id"`) only
    /// refers to it, or the API cannot delete what its create would leave behind.
    pub existing_will_do: bool,
}

/// An operation's documented response schema: JSON text from the spec, compiled on first
/// use, and a count of the answers seen, so one in [`ResponseSchema::CHECK_EVERY`] is
/// checked (the first one included).
pub struct ResponseSchema {
    text: &'static str,
    schemas: Option<&'static Schemas>,
    shape: std::sync::OnceLock<Shape>,
    seen: std::sync::atomic::AtomicU64,
}

impl ResponseSchema {
    /// One answer in this many is checked against the schema.
    pub const CHECK_EVERY: u64 = 16;

    /// The schema `text` (empty: nothing documented, nothing checked).
    pub const fn new(text: &'static str) -> ResponseSchema {
        ResponseSchema {
            text,
            schemas: None,
            shape: std::sync::OnceLock::new(),
            seen: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// A schema `text` whose `$ref`s name the app's shared `schemas`.
    pub const fn shared(text: &'static str, schemas: &'static Schemas) -> ResponseSchema {
        ResponseSchema {
            text,
            schemas: Some(schemas),
            shape: std::sync::OnceLock::new(),
            seen: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The shape to check this answer against, when it is one of the sample.
    pub fn sampled(&self) -> Option<&Shape> {
        if self.text.is_empty() {
            return None;
        }
        let n = self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (n % Self::CHECK_EVERY == 0).then(|| self.shape())
    }

    /// The compiled shape.
    pub fn shape(&self) -> &Shape {
        self.shape
            .get_or_init(|| Shape::from_json_text_in(self.text, self.schemas))
    }
}

/// A request body, by encoding.
#[derive(Clone, Debug, Default)]
pub enum BodyValue {
    #[default]
    None,
    Json(Value),
    Form(Value),
    /// An object whose binary properties (per the shape) become in-memory files.
    Multipart(Value, &'static Shape),
}

/// One request, before it becomes a reqwest request.
#[derive(Clone, Debug)]
pub struct RequestParts {
    pub method: GooseMethod,
    pub template: &'static str,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub cookies: Vec<(&'static str, String)>,
    pub body: BodyValue,
}

impl RequestParts {
    /// An empty request for `template`; the generated code fills it in.
    pub fn new(method: GooseMethod, template: &'static str) -> RequestParts {
        RequestParts {
            method,
            template,
            path: String::with_capacity(template.len() + 32),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: BodyValue::None,
        }
    }

    /// Adds a query parameter, one `name=value` pair per array item; `None` adds none.
    pub fn query(&mut self, name: &'static str, value: Option<&impl ParamText>) {
        if let Some(value) = value {
            super::push_query(&mut self.query, name, value);
        }
    }

    /// Adds a header (an array's items joined with commas); `None` adds none.
    pub fn header(&mut self, name: &'static str, value: Option<&impl ParamText>) {
        if let Some(value) = value {
            self.headers
                .push((name, super::header_text(super::joined(value))));
        }
    }

    /// Adds a cookie (an array's items joined with commas); `None` adds none.
    pub fn cookie(&mut self, name: &'static str, value: Option<&impl ParamText>) {
        if let Some(value) = value {
            self.cookies
                .push((name, super::header_text(super::joined(value))));
        }
    }

    /// Adds query, headers, cookies and body to a builder made for `self.path`.
    pub fn apply(self, mut builder: RequestBuilder, values: &mut Values) -> RequestBuilder {
        if !self.query.is_empty() {
            builder = builder.query(&self.query);
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        builder = super::cookies(builder, &self.cookies);
        match self.body {
            BodyValue::None => builder,
            BodyValue::Json(value) => builder.json(&value),
            BodyValue::Form(value) => super::form(builder, &value),
            BodyValue::Multipart(value, shape) => super::multipart(builder, &value, shape, values),
        }
    }
}
