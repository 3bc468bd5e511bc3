//! The gateway monitor persona: polls the gateway's own routes like an uptime checker.

use super::status_ok;
use gateway_loadtest_runtime::request::{array_field, get_checked, object_field, str_field};
use goose::prelude::*;

/// Gets `/` and checks it names the gateway.
pub async fn get_root(user: &mut GooseUser) -> TransactionResult {
    get_checked(user, "/", "/", |v| str_field(v, "name").map(drop)).await
}

/// Gets `/health` and checks it says ok.
pub async fn get_health(user: &mut GooseUser) -> TransactionResult {
    get_checked(user, "/health", "/health", status_ok).await
}

/// Gets `/gateway/status` and checks it reports live resources.
pub async fn get_gateway_status(user: &mut GooseUser) -> TransactionResult {
    get_checked(user, "/gateway/status", "/gateway/status", |v| {
        status_ok(v)?;
        object_field(v, "live_resources").map(drop)
    })
    .await
}

/// Gets `/gateway/services` and checks each service names its prefix and document.
pub async fn get_gateway_services(user: &mut GooseUser) -> TransactionResult {
    get_checked(user, "/gateway/services", "/gateway/services", |v| {
        for service in array_field(v, "services")? {
            str_field(service, "prefix")?;
            str_field(service, "openapi_url")?;
        }
        Ok(())
    })
    .await
}
