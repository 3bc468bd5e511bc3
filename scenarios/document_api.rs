//! Calls into the document service shared by the reader and uploader personas:
//! create a session, upload an in-memory file, get a document, delete a session.

use super::DOCUMENTS_PREFIX;
use gateway_loadtest_runtime::request::{self, str_field, Outcome};
use gateway_loadtest_runtime::target::{on_base, request_builder};
use goose::prelude::*;
use rand::rngs::SmallRng;
use rand::RngExt;

/// Size of each uploaded file, as in the original toolkit.
pub const UPLOAD_BYTES: usize = 1024;

/// `POST /sessions`; returns the new session's id.
pub async fn create_session(user: &mut GooseUser, label: &str) -> Outcome<String> {
    let path = on_base(&format!("{DOCUMENTS_PREFIX}/sessions"));
    let builder = request_builder(user, &GooseMethod::Post, &path)?
        .json(&serde_json::json!({ "label": label }));
    let mut reply = request::send(user, GooseMethod::Post, &path, builder).await?;
    request::expect_checked(user, &mut reply, &[201], |v| {
        str_field(v, "session_id").map(str::to_string)
    })
}

/// `POST /session/{session_id}/upload` with a small in-memory text file; returns the doc id.
pub async fn upload_document(
    user: &mut GooseUser,
    session_id: &str,
    rng: &mut SmallRng,
) -> Outcome<String> {
    let path = on_base(&format!("{DOCUMENTS_PREFIX}/session/{session_id}/upload"));
    let name = on_base(&format!("{DOCUMENTS_PREFIX}/session/{{session_id}}/upload"));
    let number: u32 = rng.random_range(1..100_000);
    let mut form = gateway_loadtest_runtime::multipart::Multipart::new();
    form.file(
        "file",
        &format!("report-{number}.txt"),
        "text/plain",
        file_body(rng),
    );
    form.text("title", &format!("Quarterly report {number}"));
    let builder = form.send_with(request_builder(user, &GooseMethod::Post, &path)?);
    let mut reply = request::send(user, GooseMethod::Post, &name, builder).await?;
    request::expect_checked(user, &mut reply, &[201], |v| {
        let size = v
            .get("size")
            .and_then(gateway_loadtest_runtime::json::Json::as_u64);
        if size != Some(UPLOAD_BYTES as u64) {
            return Err(format!("size is {size:?}, expected {UPLOAD_BYTES}"));
        }
        str_field(v, "doc_id").map(str::to_string)
    })
}

/// `GET /documents/{doc_id}`; checks the answer names the same document.
pub async fn get_document(user: &mut GooseUser, doc_id: &str) -> Outcome<()> {
    let path = format!("{DOCUMENTS_PREFIX}/documents/{doc_id}");
    let name = format!("{DOCUMENTS_PREFIX}/documents/{{doc_id}}");
    request::get_checked(user, &path, &name, |v| match str_field(v, "doc_id")? {
        id if id == doc_id => Ok(()),
        other => Err(format!("doc_id is {other:?}, asked for {doc_id:?}")),
    })
    .await
}

/// Gets the document, if there is one to read; having none is not an error.
pub async fn get_any_document(user: &mut GooseUser, doc_id: Option<String>) -> Outcome<()> {
    match doc_id {
        Some(doc_id) => get_document(user, &doc_id).await,
        None => Ok(()),
    }
}

/// One of `doc_ids` at random, if any.
pub fn pick(doc_ids: &[String], rng: &mut SmallRng) -> Option<String> {
    (!doc_ids.is_empty()).then(|| doc_ids[rng.random_range(0..doc_ids.len())].clone())
}

/// Deletes the session, if the user still holds one.
pub async fn delete_held_session(user: &mut GooseUser, session_id: Option<String>) -> Outcome<()> {
    match session_id {
        Some(session_id) => delete_session(user, &session_id).await,
        None => Ok(()),
    }
}

/// `DELETE /session/{session_id}`, which also deletes its documents; 404 means already gone.
pub async fn delete_session(user: &mut GooseUser, session_id: &str) -> Outcome<()> {
    let path = on_base(&format!("{DOCUMENTS_PREFIX}/session/{session_id}"));
    let name = on_base(&format!("{DOCUMENTS_PREFIX}/session/{{session_id}}"));
    let builder = request_builder(user, &GooseMethod::Delete, &path)?;
    let mut reply = request::send(user, GooseMethod::Delete, &name, builder).await?;
    request::expect_status(user, &mut reply, &[200, 204, 404])
}

/// `UPLOAD_BYTES` of printable text: one of a few files made once from a fixed seed, so
/// an upload neither draws nor copies its content (`&'static` bytes go as they are).
fn file_body(rng: &mut SmallRng) -> &'static [u8] {
    const WORDS: [&str; 8] = [
        "gateway ",
        "latency ",
        "document ",
        "session ",
        "upload ",
        "quarterly ",
        "report ",
        "data ",
    ];
    static FILES: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(|| {
        let mut rng = gateway_loadtest_runtime::rng::from_seed(0x0066_696c_6573);
        (0..16)
            .map(|_| {
                let mut body = Vec::with_capacity(UPLOAD_BYTES + 16);
                while body.len() < UPLOAD_BYTES {
                    body.extend_from_slice(WORDS[rng.random_range(0..WORDS.len())].as_bytes());
                }
                body.truncate(UPLOAD_BYTES);
                body
            })
            .collect()
    });
    &FILES[rng.random_range(0..FILES.len())]
}
