//! The bare Goose baseline: `GET /health` through Goose's own client, with nothing of
//! this tool on the request path (no value generation, no checks, no shared-client
//! swap). The load-efficiency benchmark (benches/load_efficiency.sh) compares every
//! other scenario's CPU per request with it. Registered only when `--scenarios` names
//! it (`--scenarios 'bare*'`).

use goose::prelude::*;

/// `GET /health`, its body read to the end so the connection is reused as the other
/// scenarios do (an unread body makes reqwest close the connection).
async fn get_health(user: &mut GooseUser) -> TransactionResult {
    let goose = user.get("/health").await?;
    if let Ok(response) = goose.response {
        let _ = response.bytes().await;
    }
    Ok(())
}

/// The scenario's name.
pub const NAME: &str = "Bare goose health";

/// The `Bare goose health` scenario, without think time.
pub fn scenario() -> Result<Scenario, GooseError> {
    Ok(Scenario::new(NAME).register_transaction(transaction!(get_health).set_name("/health")))
}
