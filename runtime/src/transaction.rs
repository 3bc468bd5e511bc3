//! Runs one generated operation: makes what its path needs first, draws its parameters,
//! sends it, checks the answer, and records what it created or deleted.

use crate::chain;
use crate::params::{self, OperationInfo};
use crate::request::{self, Outcome};
use goose::goose::GooseUser;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// How many producers deep an operation may reach to make what it needs.
const MAX_PRODUCER_DEPTH: u8 = 3;

/// A running transaction: Goose's transaction future, boxed.
pub type Sending<'a> = Pin<Box<dyn Future<Output = Outcome<()>> + Send + 'a>>;

/// The transaction of a generated operation. Not an `async fn`: every operation shares
/// this one future type, so thousands of operations add no state machine each.
pub fn send_operation<'a>(user: &'a mut GooseUser, info: &'static OperationInfo) -> Sending<'a> {
    send_at(user, info, None, 0)
}

/// Deletes one resource the user created, by the operation that deletes its kind.
pub async fn delete_resource(
    user: &mut GooseUser,
    info: &'static OperationInfo,
    resource: &'static str,
    captured: chain::Captured,
) -> Outcome<()> {
    send_at(user, info, Some((resource, captured)), 0).await
}

/// Draws the next request of `info` from `values`: what every generated request sends,
/// and what `sample` prints. `forced` pins the resource it is about (a delete of what a
/// user created); what the app refused earlier is left out (`feedback`).
pub fn draw(
    values: &mut params::Values,
    info: &'static OperationInfo,
    forced: Option<(&'static str, chain::Captured)>,
) -> params::RequestParts {
    values.begin(info, forced);
    values.send_optionals_at(crate::feedback::optional_odds(info, params::OPTIONAL_SENT));
    let mut parts = (info.sample)(values);
    crate::feedback::apply(info, &mut parts);
    parts
}

fn send_at<'a>(
    user: &'a mut GooseUser,
    info: &'static OperationInfo,
    forced: Option<(&'static str, chain::Captured)>,
    depth: u8,
) -> Sending<'a> {
    Box::pin(async move {
        // A consumer whose pool is empty makes its producer run first.
        if forced.is_none() && depth < MAX_PRODUCER_DEPTH {
            for need in info.needs {
                let (resource, producer) = (need.resource, need.producer);
                // A producer the gateway does not document is never called: the
                // consumer draws a value instead. One that existed before the run will
                // do where the plan says so (a body's reference; what cannot be deleted).
                if !params::values(user).pool.has_fitting(resource, info.path)
                    && crate::routes::serves_operation(producer)
                    && !(need.existing_will_do && crate::known::has(resource))
                {
                    // A producer that fails stops the operation: sent with a drawn id it
                    // would only measure a 404; validity.md says what it lacked. Its
                    // request takes the place of its own next card in the deal. One that
                    // has never made anything is tried only now and then (`backoff`).
                    if !crate::backoff::should_try(producer) {
                        tokio::task::yield_now().await;
                        return Ok(());
                    }
                    crate::deal::made_extra(producer);
                    let made = send_at(user, producer, None, depth + 1).await;
                    let has = params::values(user).pool.has_fitting(resource, info.path);
                    crate::backoff::record(producer, made.is_ok() && has);
                    made?;
                    // What any existing one would do for is shared with every user, so
                    // they do not each make one (the API may not delete it again).
                    if need.existing_will_do {
                        if let Some(made) = params::values(user).pool.newest(resource) {
                            crate::known::learn(resource, &made.record);
                        }
                    }
                }
            }
        }
        let values = params::values(user);
        let parts = draw(values, info, forced.clone());
        let taken = values.taken.take();
        let made_unique = values.made_unique.take();
        let optionals = values.optionals_sent;
        let method = parts.method;
        let builder = crate::target::request_builder(user, &method, &parts.path)?;
        // What the run knew before this request: a create's answer naming a record
        // learned later is its own, though another user listed it first.
        let learned_before = crate::known::moment();
        let builder = parts.apply(builder, params::values(user));
        let mut reply = request::send(user, method, info.path, builder).await?;
        if matches!(reply.status, 400 | 422) {
            crate::feedback::refused(info, reply.status, &reply.body, optionals);
        }
        let checked = request::expect_success(
            user,
            &mut reply,
            info.success,
            info.json_response,
            &info.response,
        );

        if let Some(resource) = info.deletes {
            if (200..300).contains(&reply.status) {
                crate::backoff::deleted(info);
            }
            // 404 counts as gone: someone (a parent's delete) removed it already.
            let gone = (200..300).contains(&reply.status) || reply.status == 404;
            let deleted = taken.or(forced.map(|(_, c)| c));
            if let (true, Some(deleted)) = (gone, deleted) {
                params::values(user).pool.forget_children(&deleted);
                chain::record_deleted(resource, &deleted);
                crate::known::forget(resource, &deleted.id);
            }
        }
        // A 404 about a resource the user holds may say it is gone (with a parent the
        // app deleted it with, say): the user stops using it. It stays in the ledger,
        // since the 404 may be about something else the request named (a create under
        // it that names a missing flavor): the sweep deletes it, and a 404 there is gone.
        if reply.status == 404 && info.deletes.is_none() {
            if let Some((resource, gone)) = params::values(user).take_picked() {
                params::values(user).pool.forget(resource, &gone.id);
            }
        }
        let success = (200..300).contains(&reply.status);
        if success && info.deletes.is_none() && info.method == "DELETE" {
            crate::untracked::count(info, crate::untracked::Why::UnlinkedDelete);
        }
        // What the answer shows exists, for the parameters that name it.
        // A create's answer is the user's own (its pool); other answers are shared.
        if success && info.json_response && info.deletes.is_none() && info.produces.is_none() {
            let subject = info.derived().subject;
            if let Some(subject) = subject.filter(|s| crate::known::wants(s)) {
                if info.worth_reading() {
                    if let Ok(answer) = serde_json::from_slice::<Value>(&reply.body) {
                        info.read(crate::known::learn(subject, &answer));
                    }
                }
            }
        }
        // Capture on any 2xx, documented or not: the resource exists either way, and
        // cleanup must know of it.
        if let (Some((resource, id_from)), true) =
            (info.produces, (200..300).contains(&reply.status))
        {
            use crate::untracked::Why;
            let location = reply.location.as_ref().and_then(|l| l.to_str().ok());
            let captured = match (id_from, location) {
                (params::IdFrom::Location, Some(location)) => {
                    let origin = user.base_url.origin().ascii_serialization();
                    chain::capture_location(location, &origin)
                        .map_err(|reason| warn_once(info, &reason))
                        .map_err(|_| Why::BadLocation)
                }
                (params::IdFrom::Location, None) => Err(Why::NoLocation),
                (params::IdFrom::Field(id_field), _) => {
                    let answered = match serde_json::from_slice::<Value>(&reply.body) {
                        Ok(answer) => {
                            crate::known::created(&answer, id_field).ok_or(Why::NoIdField)
                        }
                        Err(_) => Err(Why::NotJson),
                    };
                    // An answer without the key (`{}`, `null`): the unique one the body
                    // sent is it.
                    answered.or_else(|why| sent_key(id_field, made_unique.clone()).ok_or(why))
                }
            };
            match captured {
                // What the app had before (a user added to a group) is only read.
                Ok(captured)
                    if crate::known::existed_before(resource, &captured.id, learned_before) => {}
                Ok(mut captured) => {
                    captured.context = std::mem::take(&mut params::values(user).drawn);
                    if !chain::record_created(resource, &captured) {
                        crate::untracked::count(info, Why::LedgerFull);
                    }
                    params::values(user).pool.add(resource, captured);
                }
                // The resource exists, but the sweep cannot know it: the report says so.
                Err(why) => crate::untracked::count(info, why),
            }
        } else if reply.status == 201 && info.method == "POST" && info.deletes.is_none() {
            crate::untracked::count(info, crate::untracked::Why::NotLinked);
        }
        checked
    })
}

/// What a create made, keyed by the unique `key` its body sent as `id_field`.
fn sent_key(id_field: &str, key: Option<Value>) -> Option<chain::Captured> {
    let key = key?;
    Some(chain::Captured {
        record: serde_json::json!({ id_field: key.clone() }),
        id: key,
        context: Vec::new(),
    })
}

/// The token operation of the run's login, dealt as load: sent with the run's
/// credentials (what the generated body would draw cannot log in), and checked like any
/// other operation.
pub async fn send_login(user: &mut GooseUser, info: &'static OperationInfo) -> Outcome<()> {
    let Some((form, json)) = crate::auth::login_body() else {
        return send_operation(user, info).await;
    };
    let values = params::values(user);
    values.begin(info, None);
    let parts = (info.sample)(values);
    let method = parts.method;
    let builder = crate::target::request_builder(user, &method, &parts.path)?;
    let builder = match json {
        true => builder.json(
            &form
                .into_iter()
                .skip(1)
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
        false => builder.form(&form),
    };
    let mut reply = request::send(user, method, info.path, builder).await?;
    request::expect_success(
        user,
        &mut reply,
        info.success,
        info.json_response,
        &info.response,
    )
}

/// Prints why a `Location` was not followed, once per operation.
fn warn_once(info: &'static OperationInfo, reason: &str) {
    static WARNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
    if !warned.contains(&info.path) {
        warned.push(info.path);
        eprintln!(
            "gateway-loadtest: warning: {} {}: {reason}",
            info.method, info.path
        );
    }
}
