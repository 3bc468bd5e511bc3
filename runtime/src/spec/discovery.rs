//! Discovery: finds every OpenAPI document a live FastAPI gateway serves, the root app's
//! and each mounted sub-app's, over HTTP.
//!
//! FastAPI leaves sub-apps mounted with `app.mount("/prefix", sub)` out of the root
//! document. Each serves its own `{prefix}/openapi.json`, whose `servers[0].url` is the
//! prefix and whose paths are relative to it. Nothing lists the mounts, so [`discover`]
//! probes candidate prefixes: those `GET /gateway/services` lists, the configured ones
//! (`[discovery] prefixes`, `GATEWAY_PREFIXES`), the documents the gateway's `/docs` page
//! links and where its landing pages redirect, and those derived from the root's paths.
//! When none is found it says so, and how to name them. Requests only ever go to the
//! gateway's origin.
//!
//! The gateway URL may hold a base path (`http://127.0.0.1:4200/api`): everything is
//! looked for under it (`{base}/openapi.json`, `{base}/gateway/services`,
//! `{base}{prefix}/openapi.json`), and every prefix and path found includes it, placed by
//! the one rule of [`super::gateway_url::under_base`] (a `servers[0].url` of `/api` or
//! `/api/users` under base `/api` is not doubled). The root app's prefix is the base.
//!
//! Every request goes through [`super::fetch`], which owns the HTTP client, the time-outs
//! and size limits and what a failed fetch says; this file decides what to ask for and
//! what the answers mean.
//!
//! Shared with `build.rs` through `#[path]`: std, serde, serde_json, thiserror and url
//! only, nothing from `crate::`. The fetcher's blocking client must not run on an async
//! runtime's thread: call [`discover`] from build.rs, a plain thread or
//! `tokio::task::spawn_blocking`.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::fetch::{human, FetchProblem, FetchSettings, Fetcher, SetupError};
use super::gateway_url::{normalize_prefix, redact, same_host_port, GatewayUrl};

/// Where the root app serves its document, and each sub-app its own under its prefix.
const OPENAPI_FILE: &str = "/openapi.json";
/// The gateway route that may list the mounted services.
const SERVICES_PATH: &str = "/gateway/services";
/// Prefixes always probed with the derived ones: where APIs are commonly mounted.
const COMMON_MOUNTS: [&str; 3] = ["/api", "/api/v1", "/v1"];
/// Pages read (under the base) for links to documents and for redirects to a mount:
/// FastAPI's Swagger UI at `/docs` names its document (`url: '/openapi.json'`).
const LANDING_PAGES: [&str; 2] = ["/", "/docs"];

/// Why a candidate derived from the root's paths is probed; such misses are quiet.
const DERIVED: &str = "derived from the root's paths";
/// Why a candidate the landing pages point at is probed; such misses are quiet too.
const LINKED: &str = "linked or redirected to from the gateway's pages";

/// How to find a gateway's documents. `Debug` shows header names only, never values.
#[derive(Clone)]
pub struct DiscoveryConfig {
    /// The gateway's origin and optional base path, e.g. `http://127.0.0.1:8000` or
    /// `http://127.0.0.1:4200/api`; may hold `user:pass`.
    pub gateway_url: String,
    /// Limit for each fetch.
    pub timeout: Duration,
    /// Limit for the whole discovery; probing stops with a warning when it is spent.
    pub total_timeout: Duration,
    /// Prefixes the user configured (relative to the base, by the `under_base` rule),
    /// probed after those `/gateway/services` lists.
    pub extra_prefixes: Vec<String>,
    /// Whether to probe prefixes derived from the root document's paths, the common
    /// mounts, and what the landing pages link or redirect to.
    pub probe_derived_prefixes: bool,
    /// Cap on the number of guessed probes (derived, common, linked); the two landing
    /// pages come on top.
    pub max_probes: usize,
    /// Sent on every fetch (auth); the values are secrets.
    pub headers: Vec<(String, String)>,
    /// Larger bodies are refused.
    pub max_document_bytes: u64,
}

impl DiscoveryConfig {
    /// Defaults: 10 s per fetch, 60 s in all, guessed probing on (48 probes, so at most
    /// 50 guessed requests with the two landing pages), 64 MiB.
    pub fn new(gateway_url: impl Into<String>) -> Self {
        DiscoveryConfig {
            gateway_url: gateway_url.into(),
            timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
            extra_prefixes: Vec::new(),
            probe_derived_prefixes: true,
            max_probes: 48,
            headers: Vec::new(),
            max_document_bytes: 64 * 1024 * 1024,
        }
    }
}

impl fmt::Debug for DiscoveryConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("DiscoveryConfig")
            .field("gateway_url", &redact(&self.gateway_url))
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("extra_prefixes", &self.extra_prefixes)
            .field("probe_derived_prefixes", &self.probe_derived_prefixes)
            .field("max_probes", &self.max_probes)
            .field("header_names", &header_names)
            .field("max_document_bytes", &self.max_document_bytes)
            .finish()
    }
}

/// One app of the gateway and its document.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiscoveredApp {
    /// Stable, unique slug: `root`, the `/gateway/services` name, or the prefix's last segment.
    pub name: String,
    /// The document's `info.title`.
    pub title: String,
    /// Where the app's paths start on the origin, base included (no trailing slash): the
    /// base for the root app (`""` or e.g. `/api`), else e.g. `/api/v1/documents`.
    pub prefix: String,
    /// Where the document was fetched from on the origin, base included, e.g.
    /// `/api/v1/documents/openapi.json`.
    pub openapi_path: String,
    /// The document as served, not normalised.
    pub document: Value,
}

/// Everything found: the root app first, then the sub-apps sorted by prefix.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Discovery {
    pub apps: Vec<DiscoveredApp>,
    pub warnings: Vec<String>,
}

/// Why discovery failed as a whole; messages fit after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The gateway URL, a header or the client.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The root document could not be fetched; `url` is redacted.
    #[error("fetch {url}: {problem}; {}", .problem.hint())]
    Fetch { url: String, problem: FetchProblem },
}

/// Finds the root app's document and every mounted sub-app's.
pub fn discover(config: &DiscoveryConfig) -> Result<Discovery, DiscoveryError> {
    let fetcher = Fetcher::new(&FetchSettings {
        gateway_url: &config.gateway_url,
        headers: &config.headers,
        timeout: config.timeout,
        total_timeout: config.total_timeout,
        max_document_bytes: config.max_document_bytes,
    })?;
    let root_path = fetcher.gateway.join(OPENAPI_FILE);
    let root = get_openapi(&fetcher, &root_path).map_err(|problem| DiscoveryError::Fetch {
        url: redact(fetcher.gateway.url(&root_path).as_str()),
        problem,
    })?;
    let root = DiscoveredApp {
        name: "root".to_string(),
        title: title_of(&root),
        prefix: fetcher.gateway.base().to_string(),
        openapi_path: root_path,
        document: root,
    };
    let mut search = Search {
        fetcher: &fetcher,
        config,
        apps: vec![root],
        warnings: Vec::new(),
    };
    let candidates = search.candidates();
    search.probe_all(&candidates);
    if search.apps.len() == 1 {
        search.warnings.push(only_root_warning(&fetcher.gateway));
    }
    Ok(search.finish())
}

/// What to say when no mounted app was found: FastAPI lists mounts nowhere.
fn only_root_warning(gateway: &GatewayUrl) -> String {
    format!(
        "found only the root app ({}): no mounted sub-app was listed at {} or found by \
         probing, and FastAPI leaves apps mounted with app.mount() out of the root \
         document; if the gateway mounts any, name their prefixes (relative to the \
         gateway URL) with GATEWAY_PREFIXES=/users,/catalog or `prefixes` under \
         [discovery] in gateway-loadtest.toml",
        gateway.join(OPENAPI_FILE),
        gateway.join(SERVICES_PATH)
    )
}

/// Whether a JSON value looks like an OpenAPI/Swagger document (object with "openapi" or
/// "swagger" string key and "info" or "paths").
pub fn looks_like_openapi(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    let versioned = ["openapi", "swagger"]
        .iter()
        .any(|k| object.get(*k).is_some_and(Value::is_string));
    versioned && (object.contains_key("info") || object.contains_key("paths"))
}

/// `GET path` as an OpenAPI document: JSON that [`looks_like_openapi`].
fn get_openapi(fetcher: &Fetcher, path: &str) -> Result<Value, FetchProblem> {
    let value = fetcher.get_json(path)?;
    looks_like_openapi(&value)
        .then_some(value)
        .ok_or(FetchProblem::NotOpenApi)
}

/// A path that may serve a sub-app's document.
struct Candidate {
    /// On the origin, base included.
    openapi_path: String,
    /// The prefix the probe assumes (base included), used when the document's `servers`
    /// gives none.
    prefix: String,
    /// The `/gateway/services` name, if any: the app's name comes from it.
    name: String,
    /// Why it is probed, for warnings; [`DERIVED`] and [`LINKED`] ones miss quietly.
    why: String,
}

impl Candidate {
    /// `prefix` is on the origin, base included.
    fn new(prefix: String, name: &str, why: String) -> Self {
        let openapi_path = format!("{prefix}{OPENAPI_FILE}");
        Candidate {
            openapi_path,
            prefix,
            name: name.trim().to_string(),
            why,
        }
    }

    /// A guess: its misses are not worth a warning.
    fn quiet(&self) -> bool {
        self.why == DERIVED || self.why == LINKED
    }
}

/// One discovery in progress. Until `finish`, a sub-app's `name` holds its service name
/// (or nothing); the unique names are given once every app is known.
struct Search<'f, 'c> {
    fetcher: &'f Fetcher,
    config: &'c DiscoveryConfig,
    apps: Vec<DiscoveredApp>,
    warnings: Vec<String>,
}

impl Search<'_, '_> {
    /// Services-listed, then configured, then guessed candidates (linked from the
    /// landing pages, derived from the root's paths, common mounts), deduplicated; every
    /// prefix under the base.
    fn candidates(&mut self) -> Vec<Candidate> {
        let fetcher = self.fetcher;
        let (config, gateway) = (self.config, &fetcher.gateway);
        let mut all = self.service_candidates();
        for raw in &config.extra_prefixes {
            match normalize_prefix(raw) {
                Some(prefix) => all.push(Candidate::new(
                    gateway.under_base(&prefix),
                    "",
                    "configured".to_string(),
                )),
                None => self.warnings.push(format!(
                    "skipped configured prefix {raw:?}: it is not a path such as /api/v1"
                )),
            }
        }
        // The root (the base itself) is fetched already.
        let base = gateway.base().to_string();
        let mut seen = HashSet::from([self.apps[0].openapi_path.clone()]);
        all.retain(|c| c.prefix != base && seen.insert(c.openapi_path.clone()));
        if config.probe_derived_prefixes {
            // The root's paths are relative to the base: derived prefixes always go under it.
            // Common mounts: where FastAPI apps mount their API, even when no path says so.
            let derived = derived_prefixes(&self.apps[0].document)
                .into_iter()
                .chain(COMMON_MOUNTS.iter().map(|p| p.to_string()))
                .map(|p| Candidate::new(gateway.join(&p), "", DERIVED.to_string()));
            let guessed: Vec<Candidate> =
                self.page_candidates().into_iter().chain(derived).collect();
            all.extend(
                guessed
                    .into_iter()
                    .filter(|c| c.prefix != base && seen.insert(c.openapi_path.clone()))
                    .take(config.max_probes),
            );
        }
        all
    }

    /// Candidates the landing pages point at: each document a Swagger UI or ReDoc page
    /// links (`url: '/users/openapi.json'`, `spec-url="..."`), and where a page redirects
    /// to on the origin (a mount answers `GET /users` with 307 to `/users/`). Misses of
    /// these fetches are quiet.
    fn page_candidates(&mut self) -> Vec<Candidate> {
        let fetcher = self.fetcher;
        let gateway = &fetcher.gateway;
        let mut out = Vec::new();
        for page in LANDING_PAGES {
            let path = gateway.join(page);
            let Ok(found) = fetcher.get_page(&path) else {
                continue;
            };
            if normalize_prefix(&found.landed) != normalize_prefix(&path) {
                // A redirect: the folder it landed in may be a mount.
                let folder = match found.landed.ends_with('/') {
                    true => normalize_prefix(&found.landed),
                    false => normalize_prefix(parent(&found.landed)),
                };
                if let Some(folder) = folder.filter(|f| !f.is_empty()) {
                    let prefix = gateway.under_base(&folder);
                    out.push(Candidate::new(prefix, "", LINKED.to_string()));
                }
            }
            for link in found
                .text
                .as_deref()
                .map(document_links)
                .unwrap_or_default()
            {
                let Some(openapi_path) = gateway.same_origin_path(&link) else {
                    continue;
                };
                let prefix = openapi_path
                    .strip_suffix(OPENAPI_FILE)
                    .unwrap_or_else(|| parent(&openapi_path))
                    .to_string();
                out.push(Candidate {
                    openapi_path,
                    prefix,
                    name: String::new(),
                    why: LINKED.to_string(),
                });
            }
        }
        out
    }

    /// Candidates from `GET {base}/gateway/services`; a gateway without that route is fine.
    fn service_candidates(&mut self) -> Vec<Candidate> {
        let fetcher = self.fetcher;
        let gateway = &fetcher.gateway;
        let services_path = gateway.join(SERVICES_PATH);
        let listing = match fetcher.get_json(&services_path) {
            Ok(listing) => listing,
            Err(
                FetchProblem::Status(404, _)
                | FetchProblem::Html
                | FetchProblem::NotJson(_)
                | FetchProblem::NotUtf8(_),
            ) => return Vec::new(),
            Err(problem) => {
                self.warnings.push(format!(
                    "could not list services at {services_path}: {problem}"
                ));
                return Vec::new();
            }
        };
        // Without a `services` list this is some other route: not ours to judge.
        let entries = listing
            .get("services")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let mut out = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(prefix) = entry
                .get("prefix")
                .and_then(Value::as_str)
                .and_then(normalize_prefix)
            else {
                self.warnings.push(format!(
                    "skipped entry {index} of {services_path}: it has no usable \"prefix\""
                ));
                continue;
            };
            let mut candidate = Candidate::new(
                gateway.under_base(&prefix),
                name,
                format!("service {name:?} in {services_path}"),
            );
            if let Some(url) = entry.get("openapi_url").and_then(Value::as_str) {
                match gateway.same_origin_path(url) {
                    Some(path) => candidate.openapi_path = path,
                    None => self.warnings.push(format!(
                        "ignored the openapi_url of service {name:?}: it leaves the gateway's \
                         origin; probing {} instead",
                        candidate.openapi_path
                    )),
                }
            }
            out.push(candidate);
        }
        out
    }

    fn probe_all(&mut self, candidates: &[Candidate]) {
        for (done, candidate) in candidates.iter().enumerate() {
            if self.fetcher.fetch_timeout().is_none() {
                let left: Vec<&str> = candidates[done..]
                    .iter()
                    .map(|c| c.openapi_path.as_str())
                    .collect();
                self.warnings.push(format!(
                    "stopped probing after {} (the total timeout); not tried: {}",
                    human(self.fetcher.total_timeout),
                    left.join(", ")
                ));
                return;
            }
            self.probe(candidate);
        }
    }

    fn probe(&mut self, candidate: &Candidate) {
        let (path, why, loud) = (&candidate.openapi_path, &candidate.why, !candidate.quiet());
        let document = match get_openapi(self.fetcher, path) {
            Ok(document) => document,
            // A derived guess that misses is normal; only a time-out is worth a word.
            Err(problem) if loud || matches!(problem, FetchProblem::TimedOut(_)) => {
                self.warnings
                    .push(format!("skipped {path} ({why}): {problem}"));
                return;
            }
            Err(_) => return,
        };
        // SPA fallbacks and aliases serve a document already found.
        if let Some(same) = self.apps.iter().find(|a| a.document == document) {
            if loud {
                let message = format!(
                    "skipped {path} ({why}): it serves the same document as {}",
                    same.openapi_path
                );
                self.warnings.push(message);
            }
            return;
        }
        let prefix = self.prefix_of(&document, candidate);
        let (name, title) = (candidate.name.clone(), title_of(&document));
        self.apps.push(DiscoveredApp {
            name,
            title,
            prefix,
            openapi_path: path.clone(),
            document,
        });
    }

    /// The sub-app's prefix: the path of its `servers[0].url` under the base (by
    /// [`super::gateway_url::under_base`]: `/api/users` and `/users` both give
    /// `/api/users` under base `/api`), else the probed prefix. A host named there is
    /// never contacted: requests stay on the gateway.
    fn prefix_of(&mut self, document: &Value, candidate: &Candidate) -> String {
        let Some(server) = document
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(str::trim)
        else {
            return candidate.prefix.clone();
        };
        let (from_server, other_host) = match Url::parse(server) {
            Ok(absolute) if absolute.has_host() => {
                let other = !same_host_port(&absolute, self.fetcher.gateway.origin());
                let host = format!(
                    "{}:{}",
                    absolute.host_str().unwrap_or_default(),
                    absolute.port_or_known_default().unwrap_or(0)
                );
                (normalize_prefix(absolute.path()), other.then_some(host))
            }
            Ok(_) => (None, None), // e.g. "localhost:8000/x", read as scheme "localhost"
            Err(_) => (normalize_prefix(server), None),
        };
        // "/" would put the sub-app on the root's paths: keep the probed prefix then.
        let prefix = from_server
            .clone()
            .filter(|p| !p.is_empty())
            .map(|p| self.fetcher.gateway.under_base(&p))
            .filter(|p| p != self.fetcher.gateway.base())
            .unwrap_or_else(|| candidate.prefix.clone());
        let path = &candidate.openapi_path;
        if let Some(host) = other_host {
            self.warnings.push(format!(
                "{path}: servers[0].url names another host ({host}), which is never \
                 contacted; using prefix {prefix} on the gateway"
            ));
        } else if from_server.is_none() && !matches!(server, "" | "/") {
            let shown = redact(server);
            self.warnings.push(format!(
                "{path}: servers[0].url {shown:?} is not a usable prefix; using {prefix}"
            ));
        }
        prefix
    }

    /// Root first, then by prefix; then stable, unique names.
    fn finish(mut self) -> Discovery {
        // Some apps serve their mounted API's document at the root too (same paths, no
        // prefix), while the paths answer only under the mount: keep the mount.
        let root_paths = self.apps[0]
            .document
            .get("paths")
            .filter(|p| p.as_object().is_some_and(|o| !o.is_empty()));
        if let Some(alias) = self.apps[1..]
            .iter()
            .find(|a| a.document.get("paths") == root_paths)
        {
            let message = format!(
                "the root document {} lists the same paths as {}: they are load-tested under {} only",
                self.apps[0].openapi_path, alias.openapi_path, alias.prefix
            );
            self.warnings.push(message);
            self.apps.remove(0);
            self.apps
                .sort_by(|a, b| (&a.prefix, &a.openapi_path).cmp(&(&b.prefix, &b.openapi_path)));
        }
        if let Some(rest) = self.apps.get_mut(1..) {
            rest.sort_by(|a, b| (&a.prefix, &a.openapi_path).cmp(&(&b.prefix, &b.openapi_path)));
        }
        let mut taken = HashSet::new();
        for app in &mut self.apps {
            let base = match slug(&app.name) {
                name if name.is_empty() => prefix_slug(&app.prefix),
                name => name,
            };
            app.name = unique(base, &mut taken);
        }
        Discovery {
            apps: self.apps,
            warnings: self.warnings,
        }
    }
}

fn title_of(document: &Value) -> String {
    document
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The folder of a path: `/users/openapi.json` → `/users`, `/docs` → `""`.
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The JSON documents an HTML page names in the ways Swagger UI and ReDoc pages do:
/// `url: '/openapi.json'`, `urls: [{"url": "/a/openapi.json", ...}]`,
/// `spec-url="/openapi.json"`; at most 32, each at most 500 characters.
fn document_links(page: &str) -> Vec<String> {
    const KEYS: [&str; 4] = ["url:", "\"url\":", "'url':", "spec-url="];
    let mut out: Vec<String> = Vec::new();
    for key in KEYS {
        for (at, _) in page.match_indices(key) {
            // `url:` must not be the end of a longer name (`oauth2RedirectUrl:` is not).
            let before = page[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let rest = page[at + key.len()..].trim_start();
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '\'' | '"')) else {
                continue;
            };
            let Some((link, _)) = rest[1..].split_once(quote) else {
                continue;
            };
            let path = link.split(['?', '#']).next().unwrap_or_default();
            if link.len() <= 500 && path.ends_with(".json") && !out.iter().any(|l| l == link) {
                out.push(link.to_string());
            }
        }
    }
    out.truncate(32);
    out
}

/// Every leading run of literal segments of each root path, excluding the full path,
/// shallowest first, then in document order: `/api/v1/users/{id}` → `/api`, `/api/v1`,
/// `/api/v1/users`.
fn derived_prefixes(root: &Value) -> Vec<String> {
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out: Vec<(usize, String)> = Vec::new();
    for path in paths.keys() {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let literal = segments.iter().take_while(|s| !s.contains('{')).count();
        let runs = if literal == segments.len() {
            literal.saturating_sub(1)
        } else {
            literal
        };
        for depth in 1..=runs {
            match normalize_prefix(&segments[..depth].join("/")) {
                Some(prefix) if seen.insert(prefix.clone()) => out.push((depth, prefix)),
                Some(_) => {}
                None => break,
            }
        }
    }
    out.sort_by_key(|(depth, _)| *depth); // stable: document order within a depth
    out.into_iter().map(|(_, prefix)| prefix).collect()
}

/// Lower-case ASCII letters, digits and single dashes: safe as a file name, and the
/// form most apps accept for a name (`params::unique`).
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `/api/v1/documents` → `documents`; `app` when no segment gives a slug.
fn prefix_slug(prefix: &str) -> String {
    prefix
        .rsplit('/')
        .map(slug)
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "app".to_string())
}

/// `base`, else `base-2`, `base-3`, ...: the first not taken.
fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut name = base.clone();
    for n in 2.. {
        if taken.insert(name.clone()) {
            break;
        }
        name = format!("{base}-{n}");
    }
    name
}

// Also used by fetch.rs's tests, which drive the fetcher through `discover`.
#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use httpmock::prelude::*;
    use serde_json::json;

    /// A FastAPI-like document: title, optional `servers[0].url`, one GET per path.
    pub(crate) fn document(title: &str, server: Option<&str>, paths: &[&str]) -> Value {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": title, "version": "1.0.0"}});
        if let Some(url) = server {
            doc["servers"] = json!([{ "url": url }]);
        }
        let items: serde_json::Map<String, Value> = paths
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    json!({"get": {"responses": {"200": {"description": "ok"}}}}),
                )
            })
            .collect();
        doc["paths"] = Value::Object(items);
        doc
    }

    pub(crate) fn serve(server: &MockServer, path: &str, body: Value) {
        server.mock(|when, then| {
            when.method(GET).path(path);
            then.status(200).json_body(body);
        });
    }

    pub(crate) fn config(server: &MockServer) -> DiscoveryConfig {
        let mut config = DiscoveryConfig::new(server.base_url());
        config.timeout = Duration::from_secs(5);
        config.total_timeout = Duration::from_secs(20);
        config
    }

    fn summary(discovery: &Discovery) -> Vec<(String, String, String)> {
        let apps = discovery.apps.iter();
        apps.map(|a| (a.name.clone(), a.prefix.clone(), a.openapi_path.clone()))
            .collect()
    }

    fn triple(name: &str, prefix: &str, path: &str) -> (String, String, String) {
        (name.to_string(), prefix.to_string(), path.to_string())
    }

    #[test]
    fn root_only_gives_the_root_app_and_says_how_to_name_mounts() {
        let server = MockServer::start();
        let root = document("Gateway", None, &["/", "/health", "/gateway/status"]);
        serve(&server, "/openapi.json", root.clone());
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(summary(&found), vec![triple("root", "", "/openapi.json")]);
        assert_eq!(found.apps[0].title, "Gateway");
        assert_eq!(found.apps[0].document, root);
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        let warning = &found.warnings[0];
        assert!(warning.starts_with("found only the root app (/openapi.json)"));
        assert!(
            warning.contains("GATEWAY_PREFIXES=/users,/catalog"),
            "{warning}"
        );
    }

    #[test]
    fn services_listed_sub_apps_take_their_prefix_from_servers() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/health"]),
        );
        let services = json!({"services": [
            {"name": "Documents", "prefix": "/api/v1/documents",
             "openapi_url": "/api/v1/documents/openapi.json"},
            {"name": "docman", "prefix": "/docman/"},
        ]});
        serve(&server, "/gateway/services", services);
        let documents = document("Documents", Some("/api/v1/documents"), &["/info"]);
        serve(&server, "/api/v1/documents/openapi.json", documents);
        serve(
            &server,
            "/docman/openapi.json",
            document("Docman", Some("/docman/"), &["/tickets"]),
        );
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(
            summary(&found),
            vec![
                triple("root", "", "/openapi.json"),
                triple(
                    "documents",
                    "/api/v1/documents",
                    "/api/v1/documents/openapi.json"
                ),
                triple("docman", "/docman", "/docman/openapi.json"),
            ]
        );
        assert_eq!(found.apps[1].title, "Documents");
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    }

    #[test]
    fn a_root_document_that_aliases_a_mount_under_api_is_tested_under_the_mount() {
        // Prefect-style: `/openapi.json` is the `/api` app's document without its prefix.
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Prefect", None, &["/flows/", "/health"]),
        );
        serve(
            &server,
            "/api/openapi.json",
            document("Prefect", Some("/api"), &["/flows/", "/health"]),
        );
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(summary(&found).len(), 1, "{:?}", summary(&found));
        assert_eq!(found.apps[0].prefix, "/api");
        assert!(
            found.warnings.iter().any(|w| w.contains("same paths")),
            "{:?}",
            found.warnings
        );
    }

    #[test]
    fn a_derived_prefix_finds_a_mount_the_services_route_does_not_list() {
        let server = MockServer::start();
        let root = document(
            "Gateway",
            None,
            &["/health", "/reports/summary", "/api/v2/users/{id}"],
        );
        serve(&server, "/openapi.json", root);
        serve(&server, "/gateway/services", json!({"services": []}));
        serve(
            &server,
            "/api/v2/openapi.json",
            document("Users", Some("/api/v2"), &["/users"]),
        );
        // A sub-app without `servers` keeps the probed prefix.
        serve(
            &server,
            "/reports/openapi.json",
            document("Reports", None, &["/daily"]),
        );
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(
            summary(&found),
            vec![
                triple("root", "", "/openapi.json"),
                triple("v2", "/api/v2", "/api/v2/openapi.json"),
                triple("reports", "/reports", "/reports/openapi.json"),
            ]
        );
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    }

    #[test]
    fn an_spa_fallback_answering_html_everywhere_is_not_a_spec() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/api/v1/users/{id}"]),
        );
        let fallback = server.mock(|when, then| {
            when.method(GET);
            then.status(200)
                .header("content-type", "text/html")
                .body("<!doctype html><html><body>app</body></html>");
        });
        let mut config = config(&server);
        config.extra_prefixes = vec!["/admin".to_string()];
        let found = discover(&config).expect("discover");
        assert_eq!(summary(&found), vec![triple("root", "", "/openapi.json")]);
        // services + /admin + the landing pages / and /docs + /api, /api/v1,
        // /api/v1/users + the common mount /v1
        fallback.assert_calls(8);
        // Only the configured prefix is worth a warning (and that none was found);
        // guessed ones miss quietly.
        assert_eq!(found.warnings.len(), 2, "{:?}", found.warnings);
        assert!(found.warnings[1].starts_with("found only the root app"));
        let warning = &found.warnings[0];
        assert!(warning.contains("/admin/openapi.json"), "{warning}");
        assert!(warning.contains("HTML, not JSON"), "{warning}");
    }

    #[test]
    fn an_spa_fallback_serving_the_root_document_is_not_a_sub_app() {
        let server = MockServer::start();
        let root = document("Gateway", None, &["/api/v1/users/{id}"]);
        server.mock(|when, then| {
            when.method(GET);
            then.status(200).json_body(root.clone());
        });
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(summary(&found), vec![triple("root", "", "/openapi.json")]);
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        assert!(found.warnings[0].starts_with("found only the root app"));
    }

    #[test]
    fn a_base_path_is_honoured_and_never_doubled() {
        // A gateway served under /gw (FastAPI root_path): every document under it.
        let server = MockServer::start();
        let outside = server.mock(|when, then| {
            when.method(GET).path_prefix("/openapi.json");
            then.status(200).json_body(document("Wrong", None, &["/x"]));
        });
        serve(
            &server,
            "/gw/openapi.json",
            document("Gateway", Some("/gw"), &["/health", "/reports/daily"]),
        );
        let services = json!({"services": [
            {"name": "a", "prefix": "/a"},
            {"name": "b", "prefix": "/gw/b", "openapi_url": "/gw/b/openapi.json"},
        ]});
        serve(&server, "/gw/gateway/services", services);
        // servers without the base (behind a proxy that strips it) and with it.
        serve(
            &server,
            "/gw/a/openapi.json",
            document("A", Some("/a"), &["/x"]),
        );
        serve(
            &server,
            "/gw/b/openapi.json",
            document("B", Some("/gw/b"), &["/y"]),
        );
        // Configured relative to the base; its servers is the origin's full URL.
        let c_server = format!("{}/gw/c", server.base_url());
        serve(
            &server,
            "/gw/c/openapi.json",
            document("C", Some(&c_server), &["/z"]),
        );
        // Derived from the root's paths, under the base.
        serve(
            &server,
            "/gw/reports/openapi.json",
            document("R", None, &["/w"]),
        );
        let mut config = DiscoveryConfig::new(format!("{}/gw/", server.base_url()));
        config.extra_prefixes = vec!["/c".to_string()];
        let found = discover(&config).expect("discover");
        assert_eq!(
            summary(&found),
            vec![
                triple("root", "/gw", "/gw/openapi.json"),
                triple("a", "/gw/a", "/gw/a/openapi.json"),
                triple("b", "/gw/b", "/gw/b/openapi.json"),
                triple("c", "/gw/c", "/gw/c/openapi.json"),
                triple("reports", "/gw/reports", "/gw/reports/openapi.json"),
            ]
        );
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        outside.assert_calls(0);
    }

    #[test]
    fn documents_linked_from_docs_and_redirects_are_probed() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/health"]),
        );
        // A Swagger UI page listing the mounted apps' documents beside the root's.
        let page = "<script>const ui = SwaggerUIBundle({\n  url: '/openapi.json',\n  \
                    urls: [{\"url\": \"/users/openapi.json\", \"name\": \"users\"}],\n  \
                    oauth2RedirectUrl: window.location.origin + '/x.json',\n  \
                    dom_id: '#swagger-ui'})</script>\
                    <redoc spec-url=\"http://elsewhere.example/evil/openapi.json\"></redoc>";
        server.mock(|when, then| {
            when.method(GET).path("/docs");
            then.status(200)
                .header("content-type", "text/html")
                .body(page);
        });
        // The landing page redirects into a mount.
        server.mock(|when, then| {
            when.method(GET).path("/");
            then.status(307).header("location", "/catalog/");
        });
        server.mock(|when, then| {
            when.method(GET).path("/catalog/");
            then.status(404);
        });
        serve(
            &server,
            "/users/openapi.json",
            document("Users", Some("/users"), &["/"]),
        );
        serve(
            &server,
            "/catalog/openapi.json",
            document("Catalog", Some("/catalog"), &["/products"]),
        );
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(
            summary(&found),
            vec![
                triple("root", "", "/openapi.json"),
                triple("catalog", "/catalog", "/catalog/openapi.json"),
                triple("users", "/users", "/users/openapi.json"),
            ]
        );
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        assert_eq!(
            document_links(page),
            [
                "/openapi.json",
                "/users/openapi.json",
                "http://elsewhere.example/evil/openapi.json"
            ]
        );
    }

    #[test]
    fn a_host_named_in_servers_is_never_contacted() {
        let server = MockServer::start();
        let elsewhere = MockServer::start();
        let trap = elsewhere.mock(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        });
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/health"]),
        );
        let services = json!({"services": [
            {"name": "billing", "prefix": "/billing"},
            {"name": "audit", "prefix": "/audit",
             "openapi_url": elsewhere.url("/audit/openapi.json")},
        ]});
        serve(&server, "/gateway/services", services);
        let billing = document(
            "Billing",
            Some(&elsewhere.url("/billing/v2")),
            &["/invoices"],
        );
        serve(&server, "/billing/openapi.json", billing);
        serve(
            &server,
            "/audit/openapi.json",
            document("Audit", Some(&elsewhere.base_url()), &["/log"]),
        );
        let found = discover(&config(&server)).expect("discover");
        assert_eq!(
            summary(&found),
            vec![
                triple("root", "", "/openapi.json"),
                triple("audit", "/audit", "/audit/openapi.json"),
                triple("billing", "/billing/v2", "/billing/openapi.json"),
            ]
        );
        trap.assert_calls(0);
        let elsewhere_host = format!("127.0.0.1:{}", elsewhere.port());
        let naming = found
            .warnings
            .iter()
            .filter(|w| w.contains(&elsewhere_host))
            .count();
        assert_eq!(naming, 2, "{:?}", found.warnings);
        assert!(found
            .warnings
            .iter()
            .any(|w| w.contains("openapi_url of service \"audit\"")));
    }

    /// The root's fetch problem and the error's whole text.
    pub(crate) fn root_error(config: &DiscoveryConfig) -> (FetchProblem, String) {
        match discover(config) {
            Err(error @ DiscoveryError::Fetch { .. }) => {
                let text = error.to_string();
                let DiscoveryError::Fetch { problem, .. } = error else {
                    unreachable!()
                };
                (problem, text)
            }
            other => panic!("expected a fetch error, got {other:?}"),
        }
    }

    #[test]
    fn probing_stops_when_the_total_timeout_is_spent() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/a/x/{id}", "/b/x/{id}"]),
        );
        server.mock(|when, then| {
            when.method(GET);
            then.status(404).delay(Duration::from_millis(400));
        });
        let mut config = config(&server);
        config.total_timeout = Duration::from_millis(1000);
        let found = discover(&config).expect("discover");
        assert_eq!(found.apps.len(), 1);
        let stopped = found
            .warnings
            .iter()
            .find(|w| w.starts_with("stopped probing after 1 s"));
        assert!(stopped.is_some(), "{:?}", found.warnings);
    }

    #[test]
    fn derived_probes_are_capped() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/a/b/c/d/e/{id}"]),
        );
        let misses = server.mock(|when, then| {
            when.method(GET).path_prefix("/a");
            then.status(404);
        });
        let mut config = config(&server);
        config.max_probes = 2;
        discover(&config).expect("discover");
        misses.assert_calls(2);
    }

    #[test]
    fn secrets_never_appear_in_errors_warnings_or_debug() {
        let server = MockServer::start();
        let gateway = format!("http://alice:pa55word@127.0.0.1:{}/", server.port());
        let header = (
            "Authorization".to_string(),
            "Bearer tok-0123456789".to_string(),
        );
        let secrets = ["pa55word", "alice", "tok-0123456789"];
        let assert_clean = |text: &str| {
            for secret in secrets {
                assert!(!text.contains(secret), "{secret} leaked in: {text}");
            }
        };
        let mut config = DiscoveryConfig::new(gateway.clone());
        config.headers = vec![header];
        config.extra_prefixes = vec!["/missing".to_string()];
        assert_clean(&format!("{config:?}"));
        assert!(format!("{config:?}").contains("Authorization"));

        // A refused connection, a failing root, and warnings, all with the secrets set.
        let (_, refused) = root_error(&DiscoveryConfig {
            gateway_url: "http://alice:pa55word@127.0.0.1:1".to_string(),
            ..config.clone()
        });
        assert_clean(&refused);
        let mut failing = server.mock(|when, then| {
            when.method(GET)
                .path("/openapi.json")
                .header("authorization", "Bearer tok-0123456789");
            then.status(500);
        });
        let error = discover(&config).expect_err("root answers 500");
        failing.assert_calls(1);
        assert_clean(&error.to_string());
        assert_clean(&format!("{error:?}"));
        failing.delete();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/health"]),
        );
        let found = discover(&config).expect("discover");
        assert_eq!(found.warnings.len(), 2, "{:?}", found.warnings);
        found.warnings.iter().for_each(|w| assert_clean(w));
        assert_clean(&format!("{found:?}"));
        let bad_url = DiscoveryConfig::new("ftp://alice:pa55word@127.0.0.1/x?token=tok-0123456789");
        assert_clean(&discover(&bad_url).expect_err("bad scheme").to_string());
    }

    #[test]
    fn odd_servers_urls_fall_back_to_the_probed_prefix() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/health"]),
        );
        let odd = [
            ("/a", json!("{scheme}://x/y"), true),
            ("/b", json!("localhost:8000/x"), true),
            ("/c", json!("/"), false),
            ("/d", json!(42), false),
            ("/e", json!("https://alice:pw@127.0.0.1:1?t=1"), true),
        ];
        for (prefix, url, _) in &odd {
            let mut doc = document(prefix, None, &["/x"]);
            doc["servers"] = json!([{ "url": url }]);
            serve(&server, &format!("{prefix}/openapi.json"), doc);
        }
        let mut config = config(&server);
        config.extra_prefixes = odd.iter().map(|(p, _, _)| p.to_string()).collect();
        let found = discover(&config).expect("discover");
        let prefixes: Vec<&str> = found.apps.iter().map(|a| a.prefix.as_str()).collect();
        assert_eq!(prefixes, ["", "/a", "/b", "/c", "/d", "/e"]);
        for (prefix, _, warned) in odd {
            let path = format!("{prefix}/openapi.json:");
            let warning = found.warnings.iter().find(|w| w.starts_with(&path));
            assert_eq!(warning.is_some(), warned, "{prefix}: {:?}", found.warnings);
        }
        assert!(!format!("{:?}", found.warnings).contains("pw"));
    }

    #[test]
    fn names_are_slugs_and_unique() {
        let server = MockServer::start();
        serve(
            &server,
            "/openapi.json",
            document("Gateway", None, &["/health"]),
        );
        let services = json!({"services": [
            {"name": "root", "prefix": "/x"},
            {"name": "Doc Man!", "prefix": "/docman"},
        ]});
        serve(&server, "/gateway/services", services);
        for (prefix, title) in [
            ("/x", "X"),
            ("/docman", "Docman"),
            ("/a/users", "A"),
            ("/b/users", "B"),
        ] {
            serve(
                &server,
                &format!("{prefix}/openapi.json"),
                document(title, Some(prefix), &["/y"]),
            );
        }
        let mut config = config(&server);
        config.extra_prefixes = vec!["a/users/".to_string(), "/b/users".to_string()];
        let found = discover(&config).expect("discover");
        let names: Vec<&str> = found.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["root", "users", "users-2", "doc-man", "root-2"]);
        assert_eq!(slug("  Ünïcode_Service v2 "), "n-code-service-v2");
        assert_eq!(prefix_slug("/api/v1/documents"), "documents");
        assert_eq!(prefix_slug("/%%"), "app");
    }

    #[test]
    fn derived_prefixes_are_leading_literal_runs_shallowest_first() {
        let root = document(
            "G",
            None,
            &[
                "/",
                "/health",
                "/api/v1/users/{id}",
                "/gateway/status",
                "/{any}/x",
                "/api/v1/items",
            ],
        );
        assert_eq!(
            derived_prefixes(&root),
            ["/api", "/gateway", "/api/v1", "/api/v1/users"]
        );
        assert!(derived_prefixes(&json!({"openapi": "3.1.0"})).is_empty());
    }

    #[test]
    fn prefixes_are_normalised_or_refused() {
        assert_eq!(
            normalize_prefix("api/v1/docs/").as_deref(),
            Some("/api/v1/docs")
        );
        assert_eq!(normalize_prefix("/").as_deref(), Some(""));
        assert_eq!(normalize_prefix("http://x/y"), None);
        assert_eq!(normalize_prefix("//evil/x"), None);
        assert_eq!(normalize_prefix("/a/../b"), None);
        assert_eq!(normalize_prefix("/a?b"), None);
    }

    #[test]
    fn openapi_documents_are_recognised() {
        assert!(looks_like_openapi(&json!({"openapi": "3.1.0", "info": {}})));
        assert!(looks_like_openapi(&json!({"swagger": "2.0", "paths": {}})));
        assert!(!looks_like_openapi(&json!({"openapi": 3, "info": {}})));
        assert!(!looks_like_openapi(&json!({"openapi": "3.1.0"})));
        assert!(!looks_like_openapi(&json!(["openapi"])));
    }

    // What a failed fetch says, through discovery.
    /// Serves one raw HTTP answer (close-delimited, no Content-Length) on 127.0.0.1.
    fn raw_server(answer: Vec<u8>) -> String {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut request);
                let _ = stream.write_all(&answer);
            }
        });
        format!("http://127.0.0.1:{port}")
    }

    #[test]
    fn root_failures_are_clear_errors_naming_the_url() {
        let cases: Vec<(u16, &str, Vec<u8>, &str)> = vec![
            (
                500,
                "application/json",
                b"{}".to_vec(),
                "answered 500 internal server error",
            ),
            (
                200,
                "text/html",
                b"<html>hi</html>".to_vec(),
                "the body is HTML, not JSON",
            ),
            (
                200,
                "text/plain",
                b"hello".to_vec(),
                "the body is not JSON (expected value",
            ),
            (
                200,
                "application/json",
                br#"{"detail": "x"}"#.to_vec(),
                "not an OpenAPI document",
            ),
            (200, "application/json", Vec::new(), "the body is not JSON"),
            (
                200,
                "application/json",
                b"{\"a\": \"\xff\xfe\"}".to_vec(),
                "not valid UTF-8 (at byte 7)",
            ),
            (
                200,
                "application/json",
                vec![b' '; 2048],
                "the body is 2048 bytes, over the limit of 1024 bytes",
            ),
        ];
        for (status, content_type, body, expected) in cases {
            let server = MockServer::start();
            server.mock(|when, then| {
                when.method(GET).path("/openapi.json");
                then.status(status)
                    .header("content-type", content_type)
                    .body(body);
            });
            let mut config = config(&server);
            config.max_document_bytes = 1024;
            let (_, text) = root_error(&config);
            let url = format!("fetch {}/openapi.json: ", server.base_url());
            assert!(text.starts_with(&url), "{text}");
            assert!(text.contains(expected), "{text}");
            assert!(text.contains("; "), "a hint follows: {text}");
        }
    }

    #[test]
    fn a_body_without_length_is_cut_at_the_limit() {
        let mut answer = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
        answer.extend(vec![b' '; 200_000]);
        let mut config = DiscoveryConfig::new(raw_server(answer));
        config.max_document_bytes = 100_000;
        let (problem, text) = root_error(&config);
        assert_eq!(problem, FetchProblem::TooLarge(100_000, None), "{text}");
    }

    #[test]
    fn a_refused_connection_says_so_and_how_to_build_offline() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind an ephemeral port");
        let (problem, text) =
            root_error(&DiscoveryConfig::new(format!("http://127.0.0.1:{port}/")));
        assert_eq!(
            problem,
            FetchProblem::Unreachable("connection refused".to_string())
        );
        assert_eq!(
            text,
            format!(
                "fetch http://127.0.0.1:{port}/openapi.json: connection refused; start the \
                 gateway or build offline from generated/ with GATEWAY_OFFLINE=true"
            )
        );
    }

    #[test]
    fn a_hanging_root_times_out_within_the_configured_timeout() {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method(GET).path("/openapi.json");
            then.status(200)
                .delay(Duration::from_secs(10))
                .json_body(document("G", None, &[]));
        });
        let mut config = config(&server);
        config.timeout = Duration::from_millis(300);
        let started = std::time::Instant::now();
        let (problem, text) = root_error(&config);
        assert_eq!(
            problem,
            FetchProblem::TimedOut(Duration::from_millis(300)),
            "{text}"
        );
        assert!(text.contains("timed out after 300 ms"), "{text}");
        // Behaviour, not speed: it gave up long before the answer would have come.
        assert!(started.elapsed() < Duration::from_secs(8));
    }

    #[test]
    fn url_credentials_are_sent_and_extreme_limits_do_not_panic() {
        let server = MockServer::start();
        let root = server.mock(|when, then| {
            when.method(GET)
                .path("/openapi.json")
                .header_exists("authorization");
            then.status(200)
                .json_body(document("G", None, &["/x/{id}"]));
        });
        let mut config = DiscoveryConfig::new(format!("http://u:p@127.0.0.1:{}", server.port()));
        config.timeout = Duration::MAX;
        config.total_timeout = Duration::MAX;
        config.max_probes = usize::MAX;
        assert_eq!(discover(&config).expect("discover").apps.len(), 1);
        root.assert_calls(1);
        config.max_document_bytes = 0;
        let (problem, _) = root_error(&config);
        assert!(
            matches!(problem, FetchProblem::TooLarge(0, _)),
            "{problem:?}"
        );
    }

    #[test]
    fn bad_gateway_urls_and_headers_are_refused() {
        let text = |c: DiscoveryConfig| discover(&c).expect_err("refused").to_string();
        assert!(text(DiscoveryConfig::new("127.0.0.1:8000")).contains("use gateway URL"));
        // A base path is fine; a query or fragment is not.
        assert!(text(DiscoveryConfig::new("http://127.0.0.1:8000/gw?x=1")).contains("query"));
        let mut config = DiscoveryConfig::new("http://127.0.0.1:8000");
        config.headers = vec![("X-Key".to_string(), "bad\nvalue".to_string())];
        let error = text(config);
        assert!(
            error.contains("\"X-Key\"") && !error.contains("bad"),
            "{error}"
        );
    }
}
