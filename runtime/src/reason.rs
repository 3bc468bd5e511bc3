//! Why an answer was not a success, in a few words a person can act on: for a FastAPI 422
//! the field (`body.reporter.email`) and its message, for another error status the text
//! the body carries (`{"detail": "Not found"}`, `{"code": ..., "message": ...}`, an HTML
//! page's title), for a request that got no answer the kind of error.
//!
//! Only failed answers are read here (a 2xx body is never parsed for this), a body larger
//! than [`PARSE_LIMIT`] is not parsed, and every text is cut to [`MAX_CHARS`] characters,
//! so what the run keeps per reason stays small.

use serde_json::Value;

/// The most characters of a message or field path a reason keeps.
pub const MAX_CHARS: usize = 120;
/// The largest body parsed as JSON for a reason; a longer one gives its first line.
pub const PARSE_LIMIT: usize = 64 * 1024;
/// The most entries of one 422 answer's `detail` list taken as reasons.
pub const MAX_FIELDS_PER_ANSWER: usize = 4;

/// One reason an answer failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    /// The answer's status; `None` when no answer came (refused, reset, timed out).
    pub status: Option<u16>,
    /// A FastAPI validation error's `loc`, joined with dots: `body.reporter.email`,
    /// `query.limit`, `path.ticket_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loc: Option<String>,
    /// The error's message: the 422 entry's `msg`, the body's own text, or the kind of
    /// transport error.
    pub message: String,
}

impl Reason {
    /// A reason for an answer with `status`.
    pub fn new(status: Option<u16>, loc: Option<String>, message: &str) -> Reason {
        Reason {
            status,
            loc: loc.map(|l| truncate(&l)),
            message: truncate(&squeeze(message)),
        }
    }

    /// Where a values file sets the field a 422 named: `"/body/reporter/email"` for
    /// `body.reporter.email`, `"/query/limit"` for `query.limit`; `None` for another
    /// reason or a `loc` that names no part of the request.
    pub fn values_key(&self) -> Option<String> {
        let loc = self.loc.as_deref()?;
        let (part, rest) = loc.split_once('.').unwrap_or((loc, ""));
        if !matches!(part, "body" | "path" | "query" | "header" | "cookie") {
            return None;
        }
        if rest.is_empty() {
            return (part == "body").then(|| "/body".to_string());
        }
        // A JSON pointer: `~` and `/` in a name are escaped.
        let pointer: Vec<String> = rest
            .split('.')
            .map(|name| name.replace('~', "~0").replace('/', "~1"))
            .collect();
        Some(format!("/{part}/{}", pointer.join("/")))
    }
}

impl std::fmt::Display for Reason {
    /// `422 body.reporter.email: value is not a valid email address`, `404: Not found`,
    /// `no answer: connection refused`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(status) => write!(f, "{status}")?,
            None => f.write_str("no answer")?,
        }
        if let Some(loc) = &self.loc {
            write!(f, " {loc}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The reasons an answer with `status` and `body` failed: one per field a FastAPI 422
/// names (at most [`MAX_FIELDS_PER_ANSWER`]), else one (a `detail` list of plain values,
/// as ZenML answers, joined into one).
pub fn from_answer(status: u16, body: &[u8]) -> Vec<Reason> {
    let status_only = |message: &str| vec![Reason::new(Some(status), None, message)];
    if body.iter().all(u8::is_ascii_whitespace) {
        return status_only("(empty body)");
    }
    if body.len() > PARSE_LIMIT {
        let shown = first_line(&String::from_utf8_lossy(&body[..PARSE_LIMIT.min(1024)]));
        return status_only(&format!(
            "{shown} (body of {} bytes, not parsed)",
            body.len()
        ));
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return status_only(&from_text(&String::from_utf8_lossy(body)));
    };
    if let Some(entries) = value.get("detail").and_then(Value::as_array) {
        // ZenML's shape: `{"detail": ["KeyError", "the message"]}`, one reason.
        if !entries.is_empty() && entries.iter().all(|e| !e.is_object()) {
            let parts: Vec<String> = entries
                .iter()
                .map(|e| match e {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            return status_only(&parts.join(": "));
        }
        let fields: Vec<Reason> = entries
            .iter()
            .take(MAX_FIELDS_PER_ANSWER)
            .map(|entry| from_detail_entry(status, entry))
            .collect();
        if !fields.is_empty() {
            return fields;
        }
    }
    status_only(&message_of(&value))
}

/// One entry of FastAPI's `detail` list: `{"loc": ["body", "reporter", "email"], "msg":
/// "...", "type": "..."}`.
fn from_detail_entry(status: u16, entry: &Value) -> Reason {
    let loc = entry.get("loc").and_then(Value::as_array).map(|parts| {
        parts
            .iter()
            .map(|part| match part {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    });
    let message = match (entry.get("msg"), entry.get("type")) {
        (Some(Value::String(msg)), _) => msg.clone(),
        (_, Some(Value::String(kind))) => kind.clone(),
        _ => entry.to_string(),
    };
    Reason::new(Some(status), loc.filter(|l| !l.is_empty()), &message)
}

/// The message a JSON error body carries, in the shapes gateways use: `{"detail":
/// "..."}`, `{"code": ..., "message": ...}`, `{"error": "...", "error_description":
/// "..."}`, `{"error": {"code": ..., "message": ...}}` (JSON-RPC), `{"errors": [{"message":
/// ...}]}`, `{"title": ...}` (problem+json); else the JSON itself, compact.
fn message_of(value: &Value) -> String {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    let scalar = |key: &str| match value.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(n @ Value::Number(_)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(detail) = value.get("detail") {
        match detail {
            Value::String(s) => return s.clone(),
            Value::Object(_) => return message_of(detail),
            _ => {}
        }
    }
    if let Some(message) = text("message").or_else(|| text("msg")) {
        return match scalar("code") {
            Some(code) => format!("{code}: {message}"),
            None => message.to_string(),
        };
    }
    match value.get("error") {
        Some(Value::String(error)) => {
            return match text("error_description") {
                Some(description) => format!("{error}: {description}"),
                None => error.clone(),
            };
        }
        Some(error @ Value::Object(_)) => return message_of(error),
        _ => {}
    }
    if let Some(first) = value
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|errors| errors.first())
    {
        return message_of(first);
    }
    if let Some(title) = text("title") {
        return title.to_string();
    }
    if let Some(code) = scalar("code") {
        return code;
    }
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A text body's message: an HTML page's `<title>`, else its first non-empty line.
fn from_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        let start = start + "<title>".len();
        if start <= end {
            let title = text[start..end].trim();
            if !title.is_empty() {
                return title.to_string();
            }
        }
    }
    first_line(text)
}

/// The first line of `text` that holds more than white space.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("(empty body)")
        .to_string()
}

/// The reason a request got no answer: the kind of error and its innermost cause
/// (`connection failed: Connection refused (os error 111)`), without the URL.
pub fn from_error(error: &reqwest::Error) -> Reason {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "reading the answer failed"
    } else if error.is_redirect() {
        "redirect failed"
    } else if error.is_builder() {
        "the request could not be built"
    } else {
        "request failed"
    };
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let message = match std::ptr::addr_eq(cause, error as &dyn std::error::Error) {
        true => kind.to_string(),
        false => format!("{kind}: {cause}"),
    };
    Reason::new(error.status().map(|s| s.as_u16()), None, &message)
}

/// `text` on one line: runs of white space (new lines too) become one space.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to [`MAX_CHARS`] characters, the cut marked with `…`.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_CHARS) {
        None => text.to_string(),
        Some(_) => {
            let kept: String = text.chars().take(MAX_CHARS - 1).collect();
            format!("{kept}…")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(status: u16, body: &str) -> Reason {
        let reasons = from_answer(status, body.as_bytes());
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        reasons.into_iter().next().unwrap()
    }

    #[test]
    fn a_fastapi_422_names_each_field_by_its_loc() {
        let body = json!({"detail": [
            {"type": "value_error", "loc": ["body", "reporter", "email"],
             "msg": "value is not a valid email address: An email address must have an @-sign.",
             "input": "nobody", "ctx": {"reason": "An email address must have an @-sign."}},
            {"type": "string_too_short", "loc": ["body", "tags", 0], "msg": "String should have at least 1 character", "input": ""},
            {"type": "int_parsing", "loc": ["query", "limit"], "msg": "Input should be a valid integer", "input": "x"},
        ]});
        let reasons = from_answer(422, body.to_string().as_bytes());
        assert_eq!(reasons.len(), 3);
        assert_eq!(reasons[0].status, Some(422));
        assert_eq!(reasons[0].loc.as_deref(), Some("body.reporter.email"));
        assert!(reasons[0]
            .message
            .starts_with("value is not a valid email address"));
        assert_eq!(reasons[1].loc.as_deref(), Some("body.tags.0"));
        assert_eq!(reasons[2].loc.as_deref(), Some("query.limit"));
        assert_eq!(
            reasons[0].to_string(),
            format!("422 body.reporter.email: {}", reasons[0].message)
        );
        assert_eq!(
            reasons[0].values_key().as_deref(),
            Some("/body/reporter/email")
        );
        assert_eq!(reasons[1].values_key().as_deref(), Some("/body/tags/0"));
        assert_eq!(reasons[2].values_key().as_deref(), Some("/query/limit"));
    }

    #[test]
    fn a_422_with_many_fields_gives_at_most_a_few() {
        let entries: Vec<Value> = (0..50)
            .map(|i| json!({"loc": ["body", format!("f{i}")], "msg": "Field required", "type": "missing"}))
            .collect();
        let reasons = from_answer(422, json!({ "detail": entries }).to_string().as_bytes());
        assert_eq!(reasons.len(), MAX_FIELDS_PER_ANSWER);
        // A missing body, and an entry without msg.
        let body = r#"{"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required"}]}"#;
        let missing = one(422, body);
        assert_eq!(missing.loc.as_deref(), Some("body"));
        assert_eq!(missing.values_key().as_deref(), Some("/body"));
        let odd = one(422, r#"{"detail": [{"type": "uuid_parsing", "loc": []}]}"#);
        assert_eq!((odd.loc, odd.message.as_str()), (None, "uuid_parsing"));
        let empty = one(422, r#"{"detail": []}"#);
        assert_eq!(empty.message, r#"{"detail":[]}"#);
    }

    #[test]
    fn a_404_detail_and_other_error_shapes() {
        assert_eq!(one(404, r#"{"detail": "Not found"}"#).message, "Not found");
        assert_eq!(
            one(404, r#"{"detail": "Not found"}"#).to_string(),
            "404: Not found"
        );
        assert_eq!(
            one(
                400,
                r#"{"code": "resource_not_exists", "message": "no such project"}"#
            )
            .message,
            "resource_not_exists: no such project"
        );
        assert_eq!(
            one(400, r#"{"code": "resource_not_exists"}"#).message,
            "resource_not_exists"
        );
        assert_eq!(
            one(200, r#"{"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}, "id": 1}"#)
                .message,
            "-32602: Invalid params"
        );
        assert_eq!(
            one(
                401,
                r#"{"error": "invalid_grant", "error_description": "Bad password"}"#
            )
            .message,
            "invalid_grant: Bad password"
        );
        assert_eq!(
            one(409, r#"{"detail": {"message": "name taken", "code": 17}}"#).message,
            "17: name taken"
        );
        assert_eq!(
            one(
                500,
                r#"{"errors": [{"message": "boom"}, {"message": "later"}]}"#
            )
            .message,
            "boom"
        );
        assert_eq!(
            one(
                404,
                r#"{"type": "about:blank", "title": "Not Found", "status": 404}"#
            )
            .message,
            "Not Found"
        );
        assert_eq!(
            one(418, r#"{"teapot": true}"#).message,
            r#"{"teapot":true}"#
        );
        assert_eq!(one(500, r#""plain string""#).message, "plain string");
        assert_eq!(
            one(
                404,
                r#"{"detail": ["KeyError", "Unable to find stack with name 'x'."]}"#
            )
            .message,
            "KeyError: Unable to find stack with name 'x'."
        );
        // A 422 that is not FastAPI's shape still says what it holds.
        assert_eq!(one(422, r#"{"detail": "bad input"}"#).loc, None);
    }

    #[test]
    fn text_and_html_bodies() {
        assert_eq!(
            one(
                502,
                "<html><head><TITLE>502 Bad Gateway</TITLE></head><body>..</body></html>"
            )
            .message,
            "502 Bad Gateway"
        );
        assert_eq!(
            one(500, "\n\n  Internal Server Error  \ntrace...").message,
            "Internal Server Error"
        );
        assert_eq!(one(503, "").message, "(empty body)");
        assert_eq!(one(503, " \r\n").message, "(empty body)");
        assert_eq!(one(500, "{not json").message, "{not json");
        let reason = from_answer(500, b"\xff\xfe broken \xff");
        assert!(reason[0].message.contains("broken"), "{reason:?}");
    }

    #[test]
    fn huge_bodies_and_long_texts_are_cut() {
        let long = "x".repeat(10_000);
        let reason = one(404, &json!({ "detail": long }).to_string());
        assert_eq!(reason.message.chars().count(), MAX_CHARS);
        assert!(reason.message.ends_with('…'));
        // Multi-byte characters are cut at a character, not a byte.
        let reason = one(400, &"é".repeat(500));
        assert_eq!(reason.message.chars().count(), MAX_CHARS);
        // A body past the parse limit is not parsed: its first line, and its size.
        let huge = format!("{{\"detail\": \"{}\"}}", "y".repeat(PARSE_LIMIT));
        let reason = one(500, &huge);
        assert_eq!(reason.message.chars().count(), MAX_CHARS);
        assert!(
            reason.message.starts_with("{\"detail\": \"yyy"),
            "{reason:?}"
        );
        let deep = format!("{}\n{}", "short first line", "z".repeat(PARSE_LIMIT));
        assert_eq!(
            one(500, &deep).message,
            format!(
                "short first line (body of {} bytes, not parsed)",
                deep.len()
            )
        );
        let loc: Vec<String> = (0..100).map(|i| format!("field{i}")).collect();
        let body = json!({"detail": [{"loc": loc, "msg": "m\n  on\tlines"}]});
        let reason = one(422, &body.to_string());
        assert_eq!(reason.loc.unwrap().chars().count(), MAX_CHARS);
        assert_eq!(reason.message, "m on lines");
    }

    #[test]
    fn values_keys_only_for_request_parts() {
        let at = |loc: &str| Reason::new(Some(422), Some(loc.to_string()), "m").values_key();
        assert_eq!(at("path.ticket_id").as_deref(), Some("/path/ticket_id"));
        assert_eq!(at("header.x-api-key").as_deref(), Some("/header/x-api-key"));
        assert_eq!(at("body.a/b.c~d").as_deref(), Some("/body/a~1b/c~0d"));
        assert_eq!(at("query"), None);
        assert_eq!(at("response.x"), None);
        assert_eq!(Reason::new(Some(404), None, "m").values_key(), None);
    }

    #[tokio::test]
    async fn a_refused_connection_says_so_without_the_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let error = reqwest::get(format!("http://127.0.0.1:{port}/secret-path"))
            .await
            .unwrap_err();
        let reason = from_error(&error);
        assert_eq!(reason.status, None);
        assert!(
            reason.message.starts_with("connection failed"),
            "{reason:?}"
        );
        assert!(!reason.message.contains("secret-path"), "{reason:?}");
        assert!(reason
            .to_string()
            .starts_with("no answer: connection failed"));
    }
}
