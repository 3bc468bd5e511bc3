//! The document reader persona: checks the document service, pages through the listing
//! and reads documents it knows exist (its own, seeded when it starts and deleted when it
//! stops, so reads never race another user's cleanup).

use super::{document_api, status_ok, DOCUMENTS_PREFIX};
use gateway_loadtest_runtime::request::{self, array_field, str_field, Outcome};
use goose::prelude::*;
use rand::rngs::SmallRng;
use rand::RngExt;

/// Documents each reader uploads when it starts, so there is always something to read.
const SEEDED_DOCUMENTS: usize = 3;
/// Page sizes and offsets a person paging through the list would use.
const PAGE_SIZES: [u32; 5] = [5, 10, 20, 50, 100];
const OFFSETS: [u32; 4] = [0, 0, 10, 20];

#[derive(Clone)]
struct Reader {
    session_id: Option<String>,
    doc_ids: Vec<String>,
    rng: SmallRng,
}

/// Uploads a few documents into a session of the reader's own.
pub async fn seed_documents(user: &mut GooseUser) -> TransactionResult {
    let mut rng = gateway_loadtest_runtime::rng::for_user(user.weighted_users_index, 1);
    user.set_session_data(Reader {
        session_id: None,
        doc_ids: Vec::new(),
        rng: rng.clone(),
    });
    let session_id = document_api::create_session(user, "reader").await?;
    state(user)?.session_id = Some(session_id.clone());
    for _ in 0..SEEDED_DOCUMENTS {
        let doc_id = document_api::upload_document(user, &session_id, &mut rng).await?;
        state(user)?.doc_ids.push(doc_id);
    }
    state(user)?.rng = rng;
    Ok(())
}

/// Gets the document service's `/health`.
pub async fn get_service_health(user: &mut GooseUser) -> TransactionResult {
    let path = format!("{DOCUMENTS_PREFIX}/health");
    request::get_checked(user, &path, &path, status_ok).await
}

/// Gets the document service's `/info`.
pub async fn get_service_info(user: &mut GooseUser) -> TransactionResult {
    let path = format!("{DOCUMENTS_PREFIX}/info");
    request::get_checked(user, &path, &path, |v| str_field(v, "name").map(drop)).await
}

/// Lists documents with a varied page size and offset; checks the page respects the limit.
pub async fn list_documents(user: &mut GooseUser) -> TransactionResult {
    let rng = &mut state(user)?.rng;
    let limit = PAGE_SIZES[rng.random_range(0..PAGE_SIZES.len())];
    let offset = OFFSETS[rng.random_range(0..OFFSETS.len())];
    let path = format!("{DOCUMENTS_PREFIX}/?limit={limit}&offset={offset}");
    let name = format!("{DOCUMENTS_PREFIX}/");
    request::get_checked(user, &path, &name, |v| {
        let items = array_field(v, "items")?.len();
        if items as u32 <= limit {
            Ok(())
        } else {
            Err(format!("page holds {items} documents, limit was {limit}"))
        }
    })
    .await
}

/// Reads one of the reader's own documents.
pub async fn get_document(user: &mut GooseUser) -> TransactionResult {
    let state = state(user)?;
    let doc_id = document_api::pick(&state.doc_ids, &mut state.rng);
    document_api::get_any_document(user, doc_id).await
}

/// Deletes the reader's seeded session and its documents.
pub async fn delete_seeded_session(user: &mut GooseUser) -> TransactionResult {
    let session_id = user
        .get_session_data_mut::<Reader>()
        .and_then(|s| s.session_id.take());
    document_api::delete_held_session(user, session_id).await
}

fn state(user: &mut GooseUser) -> Outcome<&mut Reader> {
    user.get_session_data_mut::<Reader>().ok_or_else(|| {
        Box::new(TransactionError::Custom(
            "reader has no state: its on-start transaction did not run".to_string(),
        ))
    })
}
