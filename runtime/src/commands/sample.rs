//! `sample "METHOD /path"`: prints requests exactly as the generated transaction would
//! send them, without sending anything. Each is drawn by the transaction's own
//! [`transaction::draw`] from the values of user 0 of a run with the same `--seed`, and
//! built by the same client and builder ([`target::builder_on`], `RequestParts::apply`);
//! what is printed is read back from the built request: method, URL, the client's headers
//! (auth values not shown), the request's own headers, and the body's bytes.

use super::CommandError;
use crate::params::{OperationInfo, Values};
use crate::{rng, target, transaction};
use std::time::Duration;

/// Where the requests would go, and what the shared client adds to each.
pub struct Client {
    /// The gateway's origin (generated paths hold their base).
    pub origin: url::Url,
    /// Whether answers may come gzipped (`--no-gzip` not given).
    pub gzip: bool,
    /// `GATEWAY_TOKEN`, `GATEWAY_HEADERS` and a URL's credentials, as a run sends them.
    pub auth: Vec<(String, String)>,
}

/// Prints `count` requests for the operation `selector` (`GET /docman/tickets`), drawn
/// with `seed`, from the generated `operations`.
pub fn run(
    operations: &[&'static OperationInfo],
    selector: &str,
    count: usize,
    seed: u64,
    client: &Client,
) -> Result<(), CommandError> {
    let info = find(operations, selector)?;
    let text = requests(info, count, seed, client)?;
    // A closed pipe (`| head`) is not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    Ok(())
}

/// The operation `selector` names.
pub fn find(
    operations: &[&'static OperationInfo],
    selector: &str,
) -> Result<&'static OperationInfo, CommandError> {
    let (method, path) = selector
        .trim()
        .split_once(' ')
        .map(|(m, p)| (m.trim(), p.trim()))
        .ok_or_else(|| {
            CommandError::Usage(format!(
                "parse {selector:?}: expected \"METHOD /path\", e.g. \"GET /health\""
            ))
        })?;
    operations
        .iter()
        .copied()
        .find(|info| info.method.eq_ignore_ascii_case(method) && info.path == path)
        .ok_or_else(|| {
            CommandError::Usage(format!(
                "find operation {method} {path}: not generated; `discover` lists the operations"
            ))
        })
}

/// `count` requests of `info`, each as text, separated by blank lines.
pub fn requests(
    info: &'static OperationInfo,
    count: usize,
    seed: u64,
    client: &Client,
) -> Result<String, CommandError> {
    let http = target::client(Duration::from_secs(60), client.gzip, &client.auth, None)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    let added = target::client_headers(client.gzip, &client.auth);
    let mut values = Values::new(rng::of_seed(seed, 0, crate::params::VALUES_STREAM));
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push('\n');
        }
        let parts = transaction::draw(&mut values, info, None);
        let method = parts.method;
        let builder =
            target::builder_on(&http, &client.origin, &method, &parts.path).ok_or_else(|| {
                CommandError::Usage(format!(
                    "build {} {}: the path {:?} is not a plain absolute path",
                    info.method, info.path, parts.path
                ))
            })?;
        let request = parts.apply(builder, &mut values).build().map_err(|e| {
            CommandError::Usage(format!(
                "build {} {}: {}",
                info.method,
                info.path,
                target::describe_reqwest_error(&e)
            ))
        })?;
        out.push_str(&describe(&request, &added));
    }
    Ok(out)
}

/// A built request as a person reads it: the request line, the headers the client adds
/// (unless the request sets its own), the request's headers, a blank line and the body.
pub fn describe(request: &reqwest::Request, client_headers: &[(String, String)]) -> String {
    let mut out = format!("{} {}\n", request.method(), request.url());
    for (name, value) in client_headers {
        if !request.headers().contains_key(name.as_str()) {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    for (name, value) in request.headers() {
        let value = match value.is_sensitive() {
            true => "<not shown>".to_string(),
            false => String::from_utf8_lossy(value.as_bytes()).into_owned(),
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
        out.push_str(&format!("content-length: {}\n\n", body.len()));
        out.push_str(&String::from_utf8_lossy(body));
        out.push('\n');
    }
    out
}
