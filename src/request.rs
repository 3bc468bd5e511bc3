//! Sends one request named by its path template, reads its whole body and checks the
//! answer; both the hand-written scenarios and the generated transactions go through here.

use goose::goose::{GooseMethod, GooseRequest, GooseUser, TransactionError};
use goose::metrics::GooseRequestMetric;
use serde_json::Value;

/// What a transaction returns when it stops early.
pub type Outcome<T> = Result<T, Box<TransactionError>>;

/// A response read to the end, with the request metric Goose recorded for it.
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: bytes::Bytes,
    pub metric: GooseRequestMetric,
}

/// Sends `builder` as a request named `name` (a path template such as
/// `/documents/{doc_id}`, without the method) and reads the body to the end.
///
/// Reading the body matters: a response dropped unread makes reqwest close the
/// connection, and a new one every second request skews every number.
pub async fn send(
    user: &mut GooseUser,
    method: GooseMethod,
    name: &str,
    builder: reqwest::RequestBuilder,
) -> Outcome<Reply> {
    let request = GooseRequest::builder()
        .method(method)
        .name(name)
        .set_request_builder(crate::target::with_auth(builder))
        .build();
    let goose = user.request(request).await?;
    crate::progress::request();
    let mut metric = goose.request;
    // Goose has already counted a failed exchange (refused, reset, timed out).
    let response = goose.response.map_err(|e| {
        crate::progress::failure();
        Box::new(TransactionError::Reqwest(e))
    })?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match response.bytes().await {
        Ok(body) => Ok(Reply {
            status,
            content_type,
            body,
            metric,
        }),
        Err(e) => {
            let reason = format!(
                "{name}: read body of {status} response: {}",
                e.without_url()
            );
            Err(user
                .set_failure(&reason, &mut metric, None, None)
                .unwrap_err())
        }
    }
}

impl Reply {
    /// The body as text, lossily, for failure reasons and logs.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Marks the request failed with `reason` (shown in Goose's error summary) and stops
/// the transaction.
pub fn fail<T>(user: &mut GooseUser, reply: &mut Reply, reason: &str) -> Outcome<T> {
    crate::progress::failure();
    let body = reply.text().into_owned();
    let reason = format!("{}: {reason}", reply.metric.name);
    match user.set_failure(&reason, &mut reply.metric, None, Some(&body)) {
        Err(e) => Err(e),
        Ok(()) => Err(Box::new(TransactionError::Custom(reason))),
    }
}

/// Fails unless the status is one of `expected`; marks an expected non-2xx (a 404 from
/// a cleanup DELETE, say) as a success, since Goose counts every 4xx/5xx as failed.
pub fn expect_status(user: &mut GooseUser, reply: &mut Reply, expected: &[u16]) -> Outcome<()> {
    if !expected.contains(&reply.status) {
        let reason = format!("status {} (expected {})", reply.status, join(expected));
        return fail(user, reply, &reason);
    }
    if !reply.metric.success {
        user.set_success(&mut reply.metric)?;
    }
    Ok(())
}

/// Checks the status, then parses the body as JSON.
pub fn expect_json(user: &mut GooseUser, reply: &mut Reply, expected: &[u16]) -> Outcome<Value> {
    expect_status(user, reply, expected)?;
    match serde_json::from_slice(&reply.body) {
        Ok(value) => Ok(value),
        Err(e) => fail(user, reply, &format!("body is not JSON ({e})")),
    }
}

/// Checks a JSON answer's shape with `check`, failing the request with its reason.
pub fn expect_shape<T>(
    user: &mut GooseUser,
    reply: &mut Reply,
    value: &Value,
    check: impl FnOnce(&Value) -> Result<T, String>,
) -> Outcome<T> {
    match check(value) {
        Ok(found) => Ok(found),
        Err(reason) => fail(user, reply, &reason),
    }
}

/// `value[key]` as a string, or a reason naming the key.
pub fn str_field<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("JSON has no string field {key:?}"))
}

/// `value[key]` as an array, or a reason naming the key.
pub fn array_field<'a>(value: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("JSON has no array field {key:?}"))
}

/// `value[key]` is present and an object, or a reason naming the key.
pub fn object_field<'a>(
    value: &'a Value,
    key: &str,
) -> Result<&'a serde_json::Map<String, Value>, String> {
    value
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("JSON has no object field {key:?}"))
}

fn join(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// GETs `path`, named `name`, and expects a 200 JSON answer that passes `check`.
pub async fn get_checked<T>(
    user: &mut GooseUser,
    path: &str,
    name: &str,
    check: impl FnOnce(&Value) -> Result<T, String>,
) -> Outcome<T> {
    let builder = crate::target::request_builder(user, &GooseMethod::Get, path)?;
    let mut reply = send(user, GooseMethod::Get, name, builder).await?;
    let value = expect_json(user, &mut reply, &[200])?;
    expect_shape(user, &mut reply, &value, check)
}

/// Checks a generated request's answer: its status must be a documented success (any
/// 4xx or 5xx fails, documented or not), and a documented JSON answer must say JSON.
pub fn expect_success(
    user: &mut GooseUser,
    reply: &mut Reply,
    success: &[(u16, u16)],
    json_expected: bool,
) -> Outcome<()> {
    let documented = success
        .iter()
        .any(|(lo, hi)| (*lo..=*hi).contains(&reply.status));
    if !documented || reply.status >= 400 {
        let expected: Vec<String> = success
            .iter()
            .map(|(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect();
        let reason = format!(
            "status {} (documented: {})",
            reply.status,
            expected.join(", ")
        );
        return fail(user, reply, &reason);
    }
    if json_expected && !reply.body.is_empty() {
        let is_json = reply
            .content_type
            .as_deref()
            .is_some_and(|ct| ct.contains("json"));
        if !is_json {
            let ct = reply
                .content_type
                .clone()
                .unwrap_or_else(|| "none".to_string());
            return fail(
                user,
                reply,
                &format!("content type {ct} (documented: JSON)"),
            );
        }
    }
    if !reply.metric.success {
        user.set_success(&mut reply.metric)?;
    }
    Ok(())
}
