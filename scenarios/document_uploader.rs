//! The document uploader persona: opens a session, uploads small files into it, reads them
//! back, and deletes the session (and so its documents) when it stops.

use super::document_api;
use gateway_loadtest_runtime::request::{self, array_field, Outcome};
use goose::prelude::*;
use rand::rngs::SmallRng;

/// Uploads per session before the user closes it and opens a fresh one.
const UPLOADS_PER_SESSION: usize = 20;
/// How many of its uploaded ids a user remembers for reading back.
const REMEMBERED_DOCUMENTS: usize = 32;

/// What one uploader knows: its open session and the documents it uploaded into it.
#[derive(Clone)]
struct Uploader {
    session_id: Option<String>,
    doc_ids: Vec<String>,
    uploads_in_session: usize,
    rng: SmallRng,
}

/// Sets up the uploader; its session opens with its first upload, so that request is
/// measured (Goose resets metrics once every user has started).
pub async fn start_uploader(user: &mut GooseUser) -> TransactionResult {
    let rng = gateway_loadtest_runtime::rng::for_user(user.weighted_users_index, 2);
    user.set_session_data(Uploader {
        session_id: None,
        doc_ids: Vec::new(),
        uploads_in_session: 0,
        rng,
    });
    Ok(())
}

/// Uploads a 1 KiB in-memory text file; rotates to a new session every few uploads.
pub async fn upload_document(user: &mut GooseUser) -> TransactionResult {
    let (session_id, mut rng) = ensure_session(user).await?;
    let doc_id = document_api::upload_document(user, &session_id, &mut rng).await;
    let state = state(user)?;
    state.rng = rng;
    let doc_id = doc_id?;
    if state.doc_ids.len() == REMEMBERED_DOCUMENTS {
        state.doc_ids.remove(0);
    }
    state.doc_ids.push(doc_id);
    state.uploads_in_session += 1;
    if state.uploads_in_session >= UPLOADS_PER_SESSION {
        // Close this session; the next upload opens another.
        let old = state.session_id.take();
        state.doc_ids.clear();
        state.uploads_in_session = 0;
        if let Some(old) = old {
            document_api::delete_session(user, &old).await?;
        }
    }
    Ok(())
}

/// Lists the documents of the user's session and checks the count matches what it uploaded.
pub async fn list_session_documents(user: &mut GooseUser) -> TransactionResult {
    let (session_id, _) = ensure_session(user).await?;
    let expected = state(user)?.uploads_in_session;
    let prefix = super::DOCUMENTS_PREFIX;
    let path = format!("{prefix}/?limit=100&offset=0&session_id={session_id}");
    let name = format!("{prefix}/");
    request::get_checked(user, &path, &name, |v| {
        let items = array_field(v, "items")?.len();
        if items == expected {
            Ok(())
        } else {
            Err(format!(
                "session lists {items} documents, uploaded {expected}"
            ))
        }
    })
    .await
}

/// Reads back one of the documents this user uploaded.
pub async fn get_uploaded_document(user: &mut GooseUser) -> TransactionResult {
    let state = state(user)?;
    let doc_id = document_api::pick(&state.doc_ids, &mut state.rng);
    document_api::get_any_document(user, doc_id).await
}

/// Deletes the user's open session, and with it its documents.
pub async fn delete_session(user: &mut GooseUser) -> TransactionResult {
    let session_id = user
        .get_session_data_mut::<Uploader>()
        .and_then(|s| s.session_id.take());
    document_api::delete_held_session(user, session_id).await
}

/// The open session's id (opening one if needed) and the user's generator, moved out
/// while a request borrows the user.
async fn ensure_session(user: &mut GooseUser) -> Outcome<(String, SmallRng)> {
    if state(user)?.session_id.is_none() {
        let session_id = document_api::create_session(user, "uploader").await?;
        state(user)?.session_id = Some(session_id);
    }
    let state = state(user)?;
    let session_id = state.session_id.clone().unwrap_or_default();
    Ok((session_id, state.rng.clone()))
}

fn state(user: &mut GooseUser) -> Outcome<&mut Uploader> {
    user.get_session_data_mut::<Uploader>().ok_or_else(|| {
        Box::new(TransactionError::Custom(
            "uploader has no session: its on-start transaction failed".to_string(),
        ))
    })
}
