//! The load-test plan as data: apps, their operations keyed by method and prefixed path,
//! parameters, bodies, expected statuses, and the links between operations (what one
//! creates, what another needs). `plan` builds it from the documents, `links` infers its
//! links, `filter` says what it leaves out, and codegen and the runtime read it.

use serde::Serialize;
use serde_json::{Map, Value};

/// What to load-test, built from the discovered documents.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub apps: Vec<AppPlan>,
    /// Operations left out, by configuration or because Goose cannot send them.
    pub excluded: Vec<Excluded>,
    pub warnings: Vec<String>,
}

/// One app (the root or a mounted sub-app) and its operations.
#[derive(Clone, Debug, Serialize)]
pub struct AppPlan {
    pub name: String,
    pub title: String,
    pub prefix: String,
    pub operations: Vec<Operation>,
    /// The component schemas the operations' `$ref`s reach, each once, by name.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub schemas: Map<String, Value>,
}

/// One operation, addressed by its method and its path with the app's prefix.
#[derive(Clone, Debug, Serialize)]
pub struct Operation {
    pub method: Method,
    /// The prefixed path template, e.g. `/api/v1/documents/documents/{doc_id}`; also the
    /// request's name in every report.
    pub path: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    /// Documented success statuses (2xx and 3xx); `2XX`-style ranges become `200..=299`.
    pub success: Vec<StatusRange>,
    /// The content type of the documented success response, if any.
    pub response_media: Option<String>,
    /// Top-level property names of the documented success response's JSON object.
    pub response_fields: Vec<String>,
    /// The documented success response's schema, `$ref`s to the app's shared schemas
    /// (checked on a sample of answers); not in `discover`'s output.
    #[serde(skip)]
    pub response_schema: Option<Value>,
    /// The OpenAPI `links` of the documented success response.
    #[serde(skip)]
    pub spec_links: Vec<SpecLink>,
    /// The documented success response declares a `Location` header.
    #[serde(skip)]
    pub answers_location: bool,
    /// The resource this operation creates, and the answer's field holding its id.
    pub produces: Option<Produces>,
    /// The resource this operation deletes (a `DELETE` of `/things/{thing_id}`).
    pub deletes: Option<String>,
    /// Resources the path needs, each with the operation that creates one.
    pub needs: Vec<Need>,
}

/// HTTP methods Goose can send (it refuses OPTIONS and TRACE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    /// Its name in the document and a values file's pointer, as in `/query/limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }

    /// The location a document or pointer names.
    pub fn parse(name: &str) -> Option<Location> {
        Some(match name {
            "path" => Location::Path,
            "query" => Location::Query,
            "header" => Location::Header,
            "cookie" => Location::Cookie,
            _ => return None,
        })
    }
}

/// One parameter with its self-contained schema.
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub location: Location,
    pub required: bool,
    /// The JSON schema (`$ref`s to the app's shared schemas); a parameter-level
    /// `example` is copied in.
    pub schema: Value,
    /// The resource the name refers to (`session_id` → `session`), for chaining.
    pub resource: Option<String>,
}

/// How a body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    Json,
    Form,
    Multipart,
}

/// A request body and its self-contained schema.
#[derive(Clone, Debug, Serialize)]
pub struct Body {
    pub media: Media,
    pub content_type: String,
    pub required: bool,
    pub schema: Value,
}

/// An inclusive range of statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRange {
    pub min: u16,
    pub max: u16,
}

/// An operation left out of the load test, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Excluded {
    pub method: String,
    pub path: String,
    pub reason: String,
}

impl Method {
    /// The method of an OpenAPI operation key; `None` for those Goose cannot send.
    pub(super) fn from_openapi(name: &str) -> Option<Method> {
        Some(match name {
            "get" => Method::Get,
            "post" => Method::Post,
            "put" => Method::Put,
            "patch" => Method::Patch,
            "delete" => Method::Delete,
            "head" => Method::Head,
            _ => return None,
        })
    }

    /// Upper-case name, as in `GET`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// What a producing operation creates, and where its answer holds the new id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Produces {
    pub resource: String,
    pub id: IdFrom<String>,
}

impl Produces {
    /// A create whose answer holds the new id in its body field `field`.
    pub fn field(resource: String, field: &str) -> Produces {
        Produces {
            resource,
            id: IdFrom::Field(field.to_string()),
        }
    }
}

/// Where a create's answer holds the new resource's id: the plan holds owned names, the
/// generated code `&'static str`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdFrom<S> {
    /// A field of the answer's body (`id`, `sku`), read through an envelope.
    Field(S),
    /// The last segment of the answer's `Location` header.
    Location,
}

impl<S> IdFrom<S> {
    /// The body field that holds the id, if the body holds it, by value.
    pub fn into_field(self) -> Option<S> {
        match self {
            IdFrom::Field(field) => Some(field),
            IdFrom::Location => None,
        }
    }
}

impl<S: AsRef<str>> IdFrom<S> {
    /// The body field that holds the id, if the body holds it.
    pub fn field(&self) -> Option<&str> {
        match self {
            IdFrom::Field(field) => Some(field.as_ref()),
            IdFrom::Location => None,
        }
    }
}

/// A resource an operation needs (its path, or its body, names one), and the operation
/// that makes one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Need {
    pub resource: String,
    pub producer_method: Method,
    pub producer_path: String,
    /// One the run saw exist will do: a required body property only refers to it, or
    /// the API has no delete for what the create would leave behind.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub existing_will_do: bool,
}

/// An OpenAPI link of a success response: the operation it leads to and, per parameter
/// of that operation, a runtime expression (`$response.body#/id`).
#[derive(Clone, Debug, PartialEq)]
pub struct SpecLink {
    pub name: String,
    pub target: LinkTarget,
    pub parameters: Vec<(String, String)>,
    /// The link's own `server`, when it names one.
    pub server: Option<String>,
}

/// How a link names the operation it leads to.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkTarget {
    Id(String),
    Ref(String),
}
