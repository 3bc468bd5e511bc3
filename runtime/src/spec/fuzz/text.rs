//! The fuzz generator's words: hostile text, FastAPI names and keywords, and the
//! scalars (text, names, numbers, any value) everything else is built from.

use super::Gen;
use serde_json::{json, Map, Value};

/// Text a code generator must never let near code, one piece per entry.
#[rustfmt::skip]
pub(super) const HOSTILE: &[&str] = &[
    "\"", "'", "\\", "\"#", "r#\"raw\"#", "*/", "/*", "//", "#[", "#![allow(warnings)]", "\"]",
    "{", "}", "{}", "}}; fn evil() {{", "\"); panic!(\"", "include_str!(\"/etc/passwd\")",
    "std::process::exit(1)", "macro_rules! m { () => {} }", "concat!(\"a\", \"b\")",
    "$(rm -rf /)", "'; DROP TABLE users; --", "名前", "Ünïcödé", "emoji 🚀", "e\u{301}",
    "zero\u{200b}width", "rlo\u{202e}end\u{202c}", "lri\u{2066}x\u{2069}", "bom\u{feff}",
    "nul\u{0}", "esc\u{1b}[31m", "cr\r", "crlf\r\n", "lf\n", "tab\t", "nel\u{85}",
    "ls\u{2028}ps\u{2029}", "del\u{7f}", "NaN", "-Infinity", "1e999", "-0", "0x1F", "", " ",
    "type", "self", "Self", "super", "crate", "_", "r#type", "fn", "async", "await", "union",
    "gen", "scenario", "scenarios", "OPERATIONS", "body", "~1", "~0", "%2F", "..",
    "#/components/schemas/",
];

/// Words FastAPI apps use for paths, names and fields.
#[rustfmt::skip]
pub(super) const WORDS: &[&str] = &[
    "api", "v1", "v2", "users", "user", "sessions", "session", "documents", "docs", "items",
    "tickets", "contacts", "categories", "boxes", "status", "health", "upload", "search",
    "history", "flow_runs", "files", "name", "title", "limit", "offset", "page", "q", "tags",
    "email", "created_at", "description", "count",
];

/// Parameter and property names: plain, chaining (`*_id`), and awkward.
#[rustfmt::skip]
pub(super) const NAMES: &[&str] = &[
    "id", "user_id", "session_id", "sessionId", "doc-id", "item_id", "ticket_id", "contact_id",
    "flowRunId", "limit", "skip", "q", "name", "file", "files", "X-Request-ID", "x-api-key",
    "Authorization", "content-type", "session", "a b", "a.b", "a[0]", "123abc", "Body", "body",
    "body_2", "parts", "values", "shapes", "value", "self_", "id_2",
];

#[rustfmt::skip]
pub(super) const FORMATS: &[&str] = &[
    "uuid", "date-time", "date", "time", "duration", "email", "uri", "url", "hostname", "ipv4",
    "ipv6", "binary", "byte", "base64", "password", "int32", "int64", "float", "double",
    "json-string", "",
];

#[rustfmt::skip]
pub(super) const PATTERNS: &[&str] = &[
    "^[A-Z]{3}-[0-9]{4}$", "^\\d+$", "[a-z]+", "^[a-zA-Z0-9_-]{1,64}$", "^\\w+@\\w+\\.com$",
    "^$", "", "^.*$", "(", "[", "a{2,1}", "\\", "^abc\\$", "(?P<x", "*", "+?", "(?=a)b",
    "(a)\\1", "\\p{L}+", "\\p{Greek}", "[^\\x00-\\x7F]", "a{1000}{1000}", "(a|b|c|d){0,100000}",
    "x{4294967296}", "\\u{10FFFF}", "[\\u0000-\\uFFFF]", "(?i)Ab", "^\\/api\\/v1$",
    "\"); panic!(\"",
];

#[rustfmt::skip]
pub(super) const MEDIA_TYPES: &[&str] = &[
    "application/json", "application/json", "application/json", "multipart/form-data",
    "multipart/form-data", "application/x-www-form-urlencoded", "application/octet-stream",
    "text/plain", "application/xml", "application/vnd.api+json", "application/problem+json",
    "application/json; charset=utf-8", "APPLICATION/JSON", "*/*", "json", "", "\"; */",
];

#[rustfmt::skip]
pub(super) const STATUSES: &[&str] = &[
    "200", "200", "200", "201", "202", "204", "2XX", "3XX", "301", "default", "422", "404",
    "500", "1XX", "5XX",
];

#[rustfmt::skip]
pub(super) const ODD_STATUSES: &[&str] = &[
    "2xx", "99", "600", "abc", "200.0", "", "0200", "65536", "9XX",
];

#[rustfmt::skip]
pub(super) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Keywords whose values a mutation likes to put somewhere unexpected.
#[rustfmt::skip]
pub(super) const SCHEMA_KEYS: &[&str] = &[
    "type", "$ref", "anyOf", "oneOf", "allOf", "not", "nullable", "enum", "const", "items",
    "prefixItems", "properties", "additionalProperties", "required", "minimum", "maximum",
    "exclusiveMinimum", "multipleOf", "minLength", "maxItems", "pattern", "format", "default",
    "example", "examples", "in", "name", "schema", "content", "parameters", "requestBody",
    "responses", "paths", "components", "openapi", "get", "post", "x-recursive",
];

impl Gen {
    /// A short piece of text: a word, a hostile piece, a mix of them, or a long run.
    pub(super) fn text(&mut self) -> String {
        match self.rng.below(12) {
            0..=3 => self.rng.pick(WORDS).to_string(),
            4..=6 => self.rng.pick(HOSTILE).to_string(),
            7..=9 => {
                let n = 2 + self.rng.below(4);
                let mut out = String::new();
                for _ in 0..n {
                    let piece = if self.rng.chance(1, 2) {
                        *self.rng.pick(WORDS)
                    } else {
                        *self.rng.pick(HOSTILE)
                    };
                    out.push_str(piece);
                    if self.rng.chance(1, 2) {
                        out.push(' ');
                    }
                }
                out
            }
            10 => {
                // Any code point at all, surrogates excepted.
                (0..1 + self.rng.below(6))
                    .filter_map(|_| char::from_u32(self.rng.below(0x11_0000) as u32))
                    .collect()
            }
            _ => self.rng.pick(WORDS).repeat(1 + self.rng.below(300)),
        }
    }

    /// A parameter or property name.
    pub(super) fn name(&mut self) -> String {
        match self.rng.below(10) {
            0..=4 => self.rng.pick(NAMES).to_string(),
            5..=6 => self.rng.pick(WORDS).to_string(),
            _ => self.text(),
        }
    }

    pub(super) fn app_name(&mut self, index: usize) -> String {
        const APPS: &[&str] = &[
            "root",
            "docman",
            "documents",
            "docs-v1",
            "docs_v1",
            "type",
            "Self",
            "self",
            "scenarios",
            "operations",
            "OPERATIONS",
            "users-2",
            "users",
        ];
        match (index, self.rng.below(4)) {
            (0, 0..=1) => "root".to_string(),
            (_, 0..=2) => self.rng.pick(APPS).to_string(),
            _ => self.text(),
        }
    }

    pub(super) fn prefix(&mut self, index: usize) -> String {
        const PREFIXES: &[&str] = &[
            "/api/v1/documents",
            "/docman",
            "/api",
            "/v1",
            "/x",
            "/mnt/type's \"app\"",
            "/{id}",
            "no-slash",
            "/trailing/",
            "//",
            "/a b",
            "/名前",
        ];
        match (index, self.rng.below(4)) {
            (0, 0..=1) => String::new(),
            (_, 0..=2) => self.rng.pick(PREFIXES).to_string(),
            _ => format!("/{}", self.text()),
        }
    }

    /// Include or exclude patterns, mostly none.
    pub(super) fn patterns(&mut self) -> Vec<String> {
        if !self.rng.chance(1, 6) {
            return Vec::new();
        }
        (0..1 + self.rng.below(3)).map(|_| self.pattern()).collect()
    }

    /// An include or exclude pattern: `METHOD /path*` and worse.
    pub(super) fn pattern(&mut self) -> String {
        let method = match self.rng.below(4) {
            0 => String::new(),
            1 => "* ".to_string(),
            2 => format!("{} ", self.rng.pick(METHODS).to_ascii_uppercase()),
            _ => format!("{} ", self.text()),
        };
        let path = match self.rng.below(5) {
            0 => "*".to_string(),
            1 => format!("/{}*", self.rng.pick(WORDS)),
            2 => format!("*{}*", self.rng.pick(WORDS)),
            3 => "**".to_string(),
            _ => self.text(),
        };
        format!("{method}{path}")
    }

    /// A number from the awkward end: huge, tiny, negative, fractional.
    pub(super) fn number(&mut self) -> Value {
        match self.rng.below(14) {
            0 => json!(0),
            1 => json!(-1),
            2 => json!(1.5),
            3 => json!(1.0),
            4 => json!(i64::MAX),
            5 => json!(i64::MIN),
            6 if self.odd(2) => json!(u64::MAX),
            7 => json!(1e308),
            8 => json!(-1e308),
            9 => json!(5e-324),
            10 => json!(9_007_199_254_740_993_i64),
            11 => json!(-0.0),
            12 => json!(1e20),
            _ => json!(self.rng.below(200) as i64 - 50),
        }
    }

    /// A small count, sometimes written as a float or out of range.
    pub(super) fn count(&mut self) -> Value {
        match self.rng.below(10) {
            0 => json!(2.0),
            1 if self.odd(2) => json!(-3),
            2 => json!(1e12),
            3 => json!(0.5),
            4 if self.odd(2) => self.number(),
            _ => json!(self.rng.below(12)),
        }
    }

    /// Any JSON value, shallow.
    pub(super) fn value(&mut self, depth: usize) -> Value {
        match self.rng.below(if depth > 2 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.chance(1, 2)),
            2 => self.number(),
            3..=5 => Value::String(self.text()),
            6 => Value::Array(
                (0..self.rng.below(4))
                    .map(|_| self.value(depth + 1))
                    .collect(),
            ),
            _ => {
                let mut map = Map::new();
                for _ in 0..self.rng.below(4) {
                    let key = self.name();
                    map.insert(key, self.value(depth + 1));
                }
                Value::Object(map)
            }
        }
    }

    /// A key to rename to or insert: a schema or OpenAPI keyword, a name, hostile text.
    pub(super) fn key(&mut self) -> String {
        match self.rng.below(3) {
            0 => self.rng.pick(SCHEMA_KEYS).to_string(),
            1 => self.name(),
            _ => self.text(),
        }
    }
}
