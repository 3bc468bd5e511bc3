//! Sends one request named by its path template, reads its body (up to a cap) and checks the
//! answer; both the hand-written scenarios and the generated transactions go through here.

use crate::json::Json;
use goose::goose::{GooseMethod, GooseRequest, GooseUser, TransactionError};
use goose::metrics::GooseRequestMetric;

/// What a transaction returns when it stops early.
pub type Outcome<T> = Result<T, Box<TransactionError>>;

/// A response read to the end, with the request metric Goose recorded for it.
pub struct Reply {
    pub status: u16,
    /// The `Content-Type` header (a cheap clone of the response's, not a copy).
    pub content_type: Option<reqwest::header::HeaderValue>,
    /// The `Location` header, when the answer has one.
    pub location: Option<reqwest::header::HeaderValue>,
    pub body: bytes::Bytes,
    pub metric: GooseRequestMetric,
}

/// Sends `builder` as a request named `name` (a path template such as
/// `/documents/{doc_id}`, without the method) and reads the body to the end; a body
/// longer than [`MAX_BODY_BYTES`] is cut off there and fails the request.
///
/// Reading the body matters: a response dropped unread makes reqwest close the
/// connection, and a new one every second request skews every number.
pub async fn send(
    user: &mut GooseUser,
    method: GooseMethod,
    name: &str,
    builder: reqwest::RequestBuilder,
) -> Outcome<Reply> {
    let label = crate::answers::method_label(&method);
    let request = GooseRequest::builder()
        .method(method)
        .name(name)
        .set_request_builder(builder)
        .build();
    let goose = user.request(request).await?;
    crate::progress::request();
    let mut metric = goose.request;
    // Goose has already counted a failed exchange (refused, reset, timed out).
    let mut response = goose.response.map_err(|e| {
        crate::progress::failure();
        crate::answers::failure(label, name, crate::reason::from_error(&e));
        Box::new(TransactionError::Reqwest(e))
    })?;
    let status = response.status().as_u16();
    if status == 401 {
        crate::auth::unauthorized().await;
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .cloned();
    let location = response.headers().get(reqwest::header::LOCATION).cloned();
    let read = read_capped(&mut response, MAX_BODY_BYTES).await;
    match &read {
        Ok(body) => crate::answers::answer(label, name, status, body),
        Err(e) => crate::answers::failure(label, name, e.reason(status)),
    }
    match read {
        Ok(body) => Ok(Reply {
            status,
            content_type,
            location,
            body,
            metric,
        }),
        Err(BodyError::TooLarge) => {
            crate::progress::failure();
            // Dropping the half-read response closes its connection.
            let reason = format!("{name}: body larger than {} (cut off)", mib(MAX_BODY_BYTES));
            Err(user
                .set_failure(&reason, &mut metric, None, None)
                .unwrap_err())
        }
        Err(BodyError::Read(e)) => {
            crate::progress::failure();
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

/// The most of a response body a request reads: a gateway that answers more (a runaway
/// export, a misrouted download) fails the request instead of filling the memory of a
/// load generator running many users at once.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Why a body could not be read whole.
#[derive(Debug)]
enum BodyError {
    /// It is longer than the cap; reading stopped there.
    TooLarge,
    Read(reqwest::Error),
}

impl BodyError {
    /// Why the answer with `status` counts as failed.
    fn reason(&self, status: u16) -> crate::reason::Reason {
        match self {
            BodyError::TooLarge => crate::reason::Reason::new(
                Some(status),
                None,
                &format!("body larger than {} (cut off)", mib(MAX_BODY_BYTES)),
            ),
            BodyError::Read(e) => crate::reason::Reason {
                status: Some(status),
                ..crate::reason::from_error(e)
            },
        }
    }
}

/// Where a body's chunks come from: a response, or a list of chunks in the unit tests.
trait Chunks {
    /// The length the body declares (`content-length`), when it declares one.
    fn declared_len(&self) -> Option<u64>;
    async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, reqwest::Error>;
}

impl Chunks for reqwest::Response {
    fn declared_len(&self) -> Option<u64> {
        self.content_length()
    }

    async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, reqwest::Error> {
        self.chunk().await
    }
}

/// Reads the body to its end, but no more than `cap` bytes: a body that declares a
/// longer length is not read at all. A body in one chunk (most answers) is returned as
/// it came; a longer one is kept as its chunks and joined once at the end, so no buffer
/// grows (and is copied, and left in the allocator) on the way.
async fn read_capped(source: &mut impl Chunks, cap: usize) -> Result<bytes::Bytes, BodyError> {
    if source.declared_len().is_some_and(|len| len > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut chunks: Vec<bytes::Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = source.next_chunk().await.map_err(BodyError::Read)? {
        total += chunk.len();
        if total > cap {
            return Err(BodyError::TooLarge);
        }
        chunks.push(chunk);
    }
    if chunks.len() <= 1 {
        return Ok(chunks.pop().unwrap_or_default());
    }
    let mut body = Vec::with_capacity(total);
    for chunk in chunks {
        body.extend_from_slice(&chunk);
    }
    Ok(body.into())
}

/// `16 MiB` for a whole number of MiB, else the bytes.
fn mib(bytes: usize) -> String {
    match bytes % (1024 * 1024) {
        0 => format!("{} MiB", bytes / (1024 * 1024)),
        _ => format!("{bytes} bytes"),
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

/// Checks the status, then reads the body as JSON and checks it with `check`, failing
/// the request with the reason. `check` sees a borrowed view of the body ([`Json`]) and
/// returns what the scenario keeps (an id, say) as owned data.
pub fn expect_checked<T>(
    user: &mut GooseUser,
    reply: &mut Reply,
    expected: &[u16],
    check: impl FnOnce(&Json) -> Result<T, String>,
) -> Outcome<T> {
    expect_status(user, reply, expected)?;
    let checked = match Json::parse(&reply.body) {
        Ok(value) => check(&value),
        Err(e) => Err(format!("body is not JSON ({e})")),
    };
    match checked {
        Ok(found) => Ok(found),
        Err(reason) => fail(user, reply, &reason),
    }
}

/// `value[key]` as a string, or a reason naming the key.
pub fn str_field<'a>(value: &'a Json, key: &str) -> Result<&'a str, String> {
    value
        .get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("JSON has no string field {key:?}"))
}

/// `value[key]` as an array, or a reason naming the key.
pub fn array_field<'a, 'j>(value: &'a Json<'j>, key: &str) -> Result<&'a [Json<'j>], String> {
    value
        .get(key)
        .and_then(Json::as_array)
        .ok_or_else(|| format!("JSON has no array field {key:?}"))
}

/// `value[key]` is present and an object, or a reason naming the key.
pub fn object_field<'a, 'j>(
    value: &'a Json<'j>,
    key: &str,
) -> Result<&'a [(std::borrow::Cow<'j, str>, Json<'j>)], String> {
    value
        .get(key)
        .and_then(Json::as_object)
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
    check: impl FnOnce(&Json) -> Result<T, String>,
) -> Outcome<T> {
    // Hand-written paths are relative to the gateway URL's base path.
    let (path, name) = (crate::target::on_base(path), crate::target::on_base(name));
    let builder = crate::target::request_builder(user, &GooseMethod::Get, &path)?;
    let mut reply = send(user, GooseMethod::Get, &name, builder).await?;
    expect_checked(user, &mut reply, &[200], check)
}

/// Checks a generated request's answer: its status must be a documented success (any
/// 4xx or 5xx fails, documented or not), a documented JSON answer must say JSON, and on
/// a sample of answers (see `ResponseSchema`) its body must match the documented schema.
pub fn expect_success(
    user: &mut GooseUser,
    reply: &mut Reply,
    success: &[(u16, u16)],
    json_expected: bool,
    schema: &crate::params::ResponseSchema,
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
        let content_type = reply.content_type.as_ref().map(|ct| ct.to_str());
        let is_json = matches!(content_type, Some(Ok(ct)) if ct.contains("json"));
        if !is_json {
            let ct = match content_type {
                Some(Ok(ct)) => ct.to_string(),
                Some(Err(_)) => "(not text)".to_string(),
                None => "none".to_string(),
            };
            return fail(
                user,
                reply,
                &format!("content type {ct} (documented: JSON)"),
            );
        }
    }
    if json_expected && !reply.body.is_empty() {
        if let Some(shape) = schema.sampled() {
            let checked = serde_json::from_slice::<serde_json::Value>(&reply.body)
                .map_err(|e| format!("body is not JSON ({e})"))
                .and_then(|value| shape.check(&value));
            if let Err(reason) = checked {
                return fail(
                    user,
                    reply,
                    &format!("answer does not match the documented schema: {reason}"),
                );
            }
        }
    }
    if !reply.metric.success {
        user.set_success(&mut reply.metric)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::collections::VecDeque;

    /// Chunks from a list, counting how many were asked for.
    struct Listed {
        chunks: VecDeque<Bytes>,
        declared: Option<u64>,
        asked: usize,
    }

    impl Listed {
        fn new(chunks: &[&'static [u8]]) -> Listed {
            Listed {
                chunks: chunks.iter().map(|c| Bytes::from_static(c)).collect(),
                declared: None,
                asked: 0,
            }
        }
    }

    impl Chunks for Listed {
        fn declared_len(&self) -> Option<u64> {
            self.declared
        }

        async fn next_chunk(&mut self) -> Result<Option<Bytes>, reqwest::Error> {
            self.asked += 1;
            Ok(self.chunks.pop_front())
        }
    }

    fn read(source: &mut Listed, cap: usize) -> Result<Bytes, BodyError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(read_capped(source, cap))
    }

    #[test]
    fn a_body_within_the_cap_is_read_whole() {
        assert_eq!(read(&mut Listed::new(&[]), 4).unwrap(), "");
        assert_eq!(read(&mut Listed::new(&[b"abcd"]), 4).unwrap(), "abcd");
        assert_eq!(
            read(&mut Listed::new(&[b"ab", b"c", b"d"]), 4).unwrap(),
            "abcd"
        );
    }

    #[test]
    fn a_body_in_one_chunk_is_not_copied() {
        let chunk: &'static [u8] = b"{\"status\":\"ok\"}";
        let body = read(&mut Listed::new(&[chunk]), 1024).unwrap();
        assert_eq!(body.as_ptr(), chunk.as_ptr());
    }

    #[test]
    fn reading_stops_at_the_first_chunk_past_the_cap() {
        let mut source = Listed::new(&[b"abcde"]);
        assert!(matches!(read(&mut source, 4), Err(BodyError::TooLarge)));
        let mut source = Listed::new(&[b"ab", b"cd", b"e", b"never read"]);
        assert!(matches!(read(&mut source, 4), Err(BodyError::TooLarge)));
        assert_eq!(
            source.asked, 3,
            "read no further than the chunk past the cap"
        );
        assert_eq!(source.chunks.len(), 1);
    }

    #[test]
    fn a_body_declared_longer_than_the_cap_is_not_read() {
        let mut source = Listed::new(&[b"abcde"]);
        source.declared = Some(5);
        assert!(matches!(read(&mut source, 4), Err(BodyError::TooLarge)));
        assert_eq!(source.asked, 0);
        let mut source = Listed::new(&[b"ab", b"cd"]);
        source.declared = Some(4);
        assert_eq!(read(&mut source, 4).unwrap(), "abcd");
    }

    #[test]
    fn a_body_in_many_chunks_is_gathered_up_to_the_cap() {
        let chunks: Vec<&'static [u8]> = vec![b"0123456789"; 10];
        let mut source = Listed::new(&chunks);
        let body = read(&mut source, 100).unwrap();
        assert_eq!(body, "0123456789".repeat(10));
        let mut source = Listed::new(&chunks);
        source.declared = Some(100);
        assert_eq!(read(&mut source, 100).unwrap(), body);
    }

    #[test]
    fn the_cap_is_named_in_mib() {
        assert_eq!(mib(MAX_BODY_BYTES), "16 MiB");
        assert_eq!(mib(1000), "1000 bytes");
    }
}
