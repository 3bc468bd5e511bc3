//! Registers the hand-written scenarios: which personas run, the routes each calls, their
//! weights and wait times.
//!
//! Each persona lives in its own file. Every scenario's name starts with `Static`, so
//! `--scenarios 'static*'` selects them all. Each is declared in [`PERSONAS`] with every
//! route it calls (method and templated path with the app's prefix, as in the plan): a
//! run leaves out a persona whose routes the targeted gateway does not document.

mod bare;
mod document_api;
mod document_reader;
mod document_uploader;
mod gateway_monitor;

use document_reader::{
    delete_seeded_session, get_document, get_service_health, get_service_info, list_documents,
    seed_documents,
};
use document_uploader::{
    delete_session, get_uploaded_document, list_session_documents, start_uploader, upload_document,
};
use gateway_loadtest_runtime::routes::{Persona, Route};
use gateway_monitor::{get_gateway_services, get_gateway_status, get_health, get_root};
use goose::prelude::*;
use std::time::Duration;

/// Where the document service is mounted on the demo gateway, as a literal for `concat!`.
macro_rules! documents {
    ($path:literal) => {
        concat!("/api/v1/documents", $path)
    };
}

/// Where the document service is mounted on the demo gateway.
pub const DOCUMENTS_PREFIX: &str = documents!("");

/// The gateway monitor: the demo gateway's own routes.
const GATEWAY_MONITOR: Persona = Persona {
    scenario: "Static gateway monitor",
    routes: &[
        Route::get("/"),
        Route::get("/health"),
        Route::get("/gateway/status"),
        Route::get("/gateway/services"),
    ],
};

/// The document reader: seeds, lists and reads documents of the document service.
const DOCUMENT_READER: Persona = Persona {
    scenario: "Static document reader",
    routes: &[
        Route::get(documents!("/health")),
        Route::get(documents!("/info")),
        Route::get(documents!("/")),
        Route::get(documents!("/documents/{doc_id}")),
        Route::post(documents!("/sessions")),
        Route::post(documents!("/session/{session_id}/upload")),
        Route::delete(documents!("/session/{session_id}")),
    ],
};

/// The document uploader: sessions, uploads and reads back of the document service.
const DOCUMENT_UPLOADER: Persona = Persona {
    scenario: "Static document uploader",
    routes: &[
        Route::post(documents!("/sessions")),
        Route::post(documents!("/session/{session_id}/upload")),
        Route::get(documents!("/")),
        Route::get(documents!("/documents/{doc_id}")),
        Route::delete(documents!("/session/{session_id}")),
    ],
};

/// The bare Goose baseline: the root's `/health`.
const BARE: Persona = Persona {
    scenario: bare::NAME,
    routes: &[Route::get("/health")],
};

/// Every hand-written scenario and the routes it calls.
pub const PERSONAS: &[Persona] = &[GATEWAY_MONITOR, DOCUMENT_READER, DOCUMENT_UPLOADER, BARE];

/// Every hand-written scenario, ready to register; `paced` keeps the think time between
/// transactions that real users have (off measures the gateway's top speed).
pub fn all(paced: bool) -> Result<Vec<Scenario>, GooseError> {
    Ok(vec![
        persona(&GATEWAY_MONITOR, 1, paced.then_some((1000, 3000)))?
            .register_transaction(transaction!(get_root).set_name("get root"))
            .register_transaction(
                transaction!(get_health)
                    .set_name("get health")
                    .set_weight(3)?,
            )
            .register_transaction(
                transaction!(get_gateway_status)
                    .set_name("get gateway status")
                    .set_weight(2)?,
            )
            .register_transaction(
                transaction!(get_gateway_services).set_name("get gateway services"),
            ),
        persona(&DOCUMENT_READER, 3, paced.then_some((500, 2000)))?
            .register_transaction(
                transaction!(seed_documents)
                    .set_name("seed documents")
                    .set_on_start(),
            )
            .register_transaction(transaction!(get_service_health).set_name("get service health"))
            .register_transaction(transaction!(get_service_info).set_name("get service info"))
            .register_transaction(
                transaction!(list_documents)
                    .set_name("list documents")
                    .set_weight(3)?,
            )
            .register_transaction(
                transaction!(get_document)
                    .set_name("get document")
                    .set_weight(4)?,
            )
            .register_transaction(
                transaction!(delete_seeded_session)
                    .set_name("delete seeded session")
                    .set_on_stop(),
            ),
        persona(&DOCUMENT_UPLOADER, 1, paced.then_some((1000, 3000)))?
            .register_transaction(
                transaction!(start_uploader)
                    .set_name("start uploader")
                    .set_on_start(),
            )
            .register_transaction(
                transaction!(upload_document)
                    .set_name("upload document")
                    .set_weight(3)?,
            )
            .register_transaction(
                transaction!(list_session_documents).set_name("list session documents"),
            )
            .register_transaction(
                transaction!(get_uploaded_document)
                    .set_name("get uploaded document")
                    .set_weight(2)?,
            )
            .register_transaction(
                transaction!(delete_session)
                    .set_name("delete session")
                    .set_on_stop(),
            ),
    ])
}

/// The bare Goose baseline of the load-efficiency benchmark (`--scenarios 'bare*'`).
pub fn bare() -> Result<Scenario, GooseError> {
    bare::scenario()
}

/// A persona's scenario with its weight and, when given, a think time of `min..max`
/// milliseconds.
fn persona(
    persona: &Persona,
    weight: usize,
    think_ms: Option<(u64, u64)>,
) -> Result<Scenario, GooseError> {
    let scenario = Scenario::new(persona.scenario).set_weight(weight)?;
    match think_ms {
        Some((min, max)) => {
            scenario.set_wait_time(Duration::from_millis(min), Duration::from_millis(max))
        }
        None => Ok(scenario),
    }
}

/// `{"status": "ok"}`, the answer of every health route.
fn status_ok(v: &gateway_loadtest_runtime::json::Json) -> Result<(), String> {
    match gateway_loadtest_runtime::request::str_field(v, "status")? {
        "ok" => Ok(()),
        other => Err(format!("status is {other:?}, not \"ok\"")),
    }
}
