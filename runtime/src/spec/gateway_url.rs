//! The gateway's URL: its origin, the base path it is served under
//! (`http://127.0.0.1:4200/api` → base `/api`), the one rule that places an app's paths
//! under that base, and the one way any URL is printed without its secrets.
//!
//! The rule ([`under_base`]): every path this tool keeps (an app's prefix, a document's
//! path, an operation's path, a metrics row's name) is absolute on the origin and so
//! includes the base. A path from the gateway that may or may not include the base (a
//! document's `servers[0].url`, a `/gateway/services` prefix, a configured prefix, a
//! link or redirect) is taken as it is when it is the base or begins with the base's
//! segments, and is put under the base otherwise: under base `/api`, `/api` and
//! `/api/users` stay, `/users` becomes `/api/users`. FastAPI served under `root_path`
//! writes the base into `servers` (`"/api"`, `"/api/users"`); a gateway behind a proxy
//! that strips the base writes no base (`"/users"`); both land on `/api/users`, never
//! `/api/api/users`.
//!
//! Shared with `build.rs` through `#[path]`: std and url only, nothing from `crate::`.

use url::Url;

/// A gateway URL split into the origin requests go to and the base path they go under.
#[derive(Clone, PartialEq)]
pub struct GatewayUrl {
    /// Scheme, credentials (if any), host and port; path `/`, no query or fragment.
    origin: Url,
    /// `""` at the origin's root, else e.g. `/api` (no trailing slash).
    base: String,
}

impl std::fmt::Debug for GatewayUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayUrl")
            .field("origin", &redact(self.origin.as_str()))
            .field("base", &self.base)
            .finish()
    }
}

impl GatewayUrl {
    /// Parses `http(s)://host[:port][/base][/]`. The reason of an error reads after
    /// "it is not usable: " and never holds the URL (which may hold secrets).
    pub fn parse(text: &str) -> Result<GatewayUrl, String> {
        let url = Url::parse(text.trim()).map_err(|e| e.to_string())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("it is not an http(s) URL with a host".to_string());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                "it has a query or a fragment; give the origin and at most a base path".to_string(),
            );
        }
        let base = normalize_prefix(url.path())
            .ok_or_else(|| format!("its path {} is not a plain base path", url.path()))?;
        let mut origin = url;
        origin.set_path("/");
        Ok(GatewayUrl { origin, base })
    }

    /// `""` or e.g. `/api`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The origin as a URL (path `/`); it may hold credentials: print it with [`redact`].
    pub fn origin(&self) -> &Url {
        &self.origin
    }

    /// Drops a user name and password from the origin (sent as a header instead).
    pub fn strip_credentials(&mut self) {
        let _ = self.origin.set_username("");
        let _ = self.origin.set_password(None);
    }

    /// The origin as text without a trailing slash, e.g. `http://127.0.0.1:4200`.
    pub fn origin_text(&self) -> String {
        self.origin.as_str().trim_end_matches('/').to_string()
    }

    /// The URL of `path`, a path absolute on the origin (it already holds the base).
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.origin.clone();
        url.set_path(path);
        url
    }

    /// `path`, relative to the gateway's root app, under the base: `/health` → `/api/health`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// [`under_base`] with this URL's base.
    pub fn under_base(&self, path: &str) -> String {
        under_base(&self.base, path)
    }

    /// The path of `reference` (absolute, or relative to `{base}/`) when it stays on the
    /// origin, under the base by [`under_base`]; `None` when it leaves the origin.
    pub fn same_origin_path(&self, reference: &str) -> Option<String> {
        let page = self.url(&format!("{}/", self.base));
        let joined = page.join(reference.trim()).ok()?;
        if !same_origin(&joined, &self.origin) {
            return None;
        }
        normalize_prefix(joined.path()).map(|p| self.under_base(&p))
    }
}

/// `path` (normalised, e.g. `/users`) under `base`: unchanged when it is the base or
/// begins with the base's segments, else the base followed by it. See the module doc.
pub fn under_base(base: &str, path: &str) -> String {
    let path = if path == "/" { "" } else { path };
    if base.is_empty() || path == base || path.starts_with(&format!("{base}/")) {
        path.to_string()
    } else {
        format!("{base}{path}")
    }
}

/// `"api/v1/docs/"` → `"/api/v1/docs"`, `"/"` → `""`; `None` for what is not a plain path.
pub fn normalize_prefix(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.contains("://") || raw.contains(['?', '#', '\\']) || raw.starts_with("//") {
        return None;
    }
    let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return None;
    }
    Some(segments.iter().map(|s| format!("/{s}")).collect())
}

/// Same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && same_host_port(a, b)
}

/// Same host and port (the scheme's default port when none is written).
pub fn same_host_port(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// The URL as it may be printed: a user name or password becomes `***`, and so do the
/// query and the fragment; an origin prints without the `/` that parsing adds. Text that
/// is not a URL keeps only what follows its last `@` and precedes its first `?`.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url.trim()) else {
        let tail = url
            .rsplit_once('@')
            .map_or(url.to_string(), |(_, h)| format!("***@{h}"));
        return tail
            .split_once('?')
            .map_or(tail.clone(), |(h, _)| format!("{h}?***"));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let _ = parsed.set_username("***");
        let _ = parsed.set_password(None);
    }
    if parsed.query().is_some() {
        parsed.set_query(Some("***"));
    }
    if parsed.fragment().is_some() {
        parsed.set_fragment(Some("***"));
    }
    let text = parsed.to_string();
    match parsed.path() {
        "/" => text.trim_end_matches('/').to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(text: &str) -> GatewayUrl {
        GatewayUrl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn the_path_of_the_url_is_the_base_with_or_without_a_trailing_slash() {
        for text in [
            "http://127.0.0.1:4200/api",
            "http://127.0.0.1:4200/api/",
            " http://127.0.0.1:4200/api// ",
        ] {
            let url = gateway(text);
            assert_eq!(url.base(), "/api", "{text}");
            assert_eq!(url.origin_text(), "http://127.0.0.1:4200", "{text}");
            assert_eq!(url.join("/openapi.json"), "/api/openapi.json");
        }
        for text in ["http://127.0.0.1:8000", "http://127.0.0.1:8000/"] {
            assert_eq!(gateway(text).base(), "");
            assert_eq!(gateway(text).join("/openapi.json"), "/openapi.json");
        }
        assert_eq!(gateway("http://h/a/b/").base(), "/a/b");
        assert_eq!(
            gateway("http://h:1/api").url("/api/users/x").as_str(),
            "http://h:1/api/users/x"
        );
    }

    #[test]
    fn urls_that_are_more_than_an_origin_and_a_base_are_refused() {
        for (text, reason) in [
            ("127.0.0.1:8000", "relative URL"),
            ("ftp://127.0.0.1/x", "http(s)"),
            ("http://127.0.0.1:8000/api?x=1", "query"),
            ("http://127.0.0.1:8000/api#top", "fragment"),
            ("not a url", "relative URL"),
            ("http://h//api", "not a plain base path"),
        ] {
            let error = GatewayUrl::parse(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
        }
        // `..` is resolved by URL parsing, never kept.
        assert_eq!(gateway("http://h/a/../b").base(), "/b");
    }

    #[test]
    fn a_servers_url_or_prefix_is_put_under_the_base_once() {
        // servers url equal to the base: the root app under root_path.
        assert_eq!(under_base("/api", "/api"), "/api");
        // servers url with the base already in it: a sub-app mounted under root_path.
        assert_eq!(under_base("/api", "/api/users"), "/api/users");
        // a prefix without the base: behind a proxy that strips it.
        assert_eq!(under_base("/api", "/users"), "/api/users");
        // a segment that only starts like the base is not the base.
        assert_eq!(under_base("/api", "/apis/x"), "/api/apis/x");
        assert_eq!(under_base("/api", "/"), "/api");
        assert_eq!(under_base("/api", ""), "/api");
        // no base: unchanged.
        assert_eq!(under_base("", "/users"), "/users");
        assert_eq!(under_base("", "/"), "");
        assert_eq!(under_base("/a/b", "/a/b/c"), "/a/b/c");
        assert_eq!(under_base("/a/b", "/a/c"), "/a/b/a/c");
    }

    #[test]
    fn references_resolve_under_the_base_and_never_leave_the_origin() {
        let url = gateway("http://127.0.0.1:4200/api/");
        assert_eq!(
            url.same_origin_path("/api/openapi.json").as_deref(),
            Some("/api/openapi.json")
        );
        assert_eq!(
            url.same_origin_path("/users/openapi.json").as_deref(),
            Some("/api/users/openapi.json")
        );
        assert_eq!(
            url.same_origin_path("users/openapi.json").as_deref(),
            Some("/api/users/openapi.json")
        );
        assert_eq!(
            url.same_origin_path("http://127.0.0.1:4200/api/x/openapi.json")
                .as_deref(),
            Some("/api/x/openapi.json")
        );
        // An absolute URL on another host (or port, or scheme) is ignored.
        for other in [
            "http://127.0.0.2:4200/api/openapi.json",
            "http://127.0.0.1:4201/api/openapi.json",
            "https://127.0.0.1:4200/api/openapi.json",
            "//evil.example/openapi.json",
        ] {
            assert_eq!(url.same_origin_path(other), None, "{other}");
        }
    }

    #[test]
    fn redact_hides_credentials_query_and_fragment() {
        assert_eq!(
            redact("http://alice:s3cret@127.0.0.1:8000/x?token=abc"),
            "http://***@127.0.0.1:8000/x?***"
        );
        assert_eq!(redact("http://127.0.0.1:8000/"), "http://127.0.0.1:8000");
        assert_eq!(
            redact("http://u:p@127.0.0.1:8000/api"),
            "http://***@127.0.0.1:8000/api"
        );
        assert_eq!(redact("https://bob@h/#tok"), "https://***@h/#***");
        let shown = redact("not a url alice:s3cret@host?x=tok");
        assert!(
            !shown.contains("s3cret") && !shown.contains("tok"),
            "{shown}"
        );
        let debug = format!("{:?}", gateway("http://alice:s3cret@127.0.0.1:1/api"));
        assert!(
            !debug.contains("s3cret") && !debug.contains("alice"),
            "{debug}"
        );
    }
}
