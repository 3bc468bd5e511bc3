//! The one decision point for where the spec comes from, like sqlx's offline mode: the
//! live gateway when `GATEWAY_URL` is set, the committed snapshot in `generated/` when it
//! is not or when `GATEWAY_OFFLINE=true`.

use std::path::PathBuf;

/// Every environment variable the spec pipeline reads (build.rs prints rerun-if-env-changed
/// for each).
pub const ENV_VARS: &[&str] = &[
    "GATEWAY_URL",
    "GATEWAY_OFFLINE",
    "GATEWAY_TOKEN",
    "GATEWAY_HEADERS",
    "GATEWAY_PREFIXES",
    "GATEWAY_LOADTEST_CONFIG",
];

/// The committed snapshot's folder, relative to the crate root.
pub const SNAPSHOT_DIR: &str = "generated";

/// Where the spec is read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Fetched from the running gateway at this URL (its origin and any base path).
    Live { url: String },
    /// Read from the committed snapshot.
    Snapshot { dir: PathBuf },
}

/// Decides the source from the environment (`var` reads one variable).
pub fn choose(var: impl Fn(&str) -> Option<String>, crate_dir: &std::path::Path) -> Source {
    let offline =
        var("GATEWAY_OFFLINE").is_some_and(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "yes"));
    match var("GATEWAY_URL").filter(|url| !url.trim().is_empty()) {
        Some(url) if !offline => Source::Live {
            url: url.trim().trim_end_matches('/').to_string(),
        },
        _ => Source::Snapshot {
            dir: crate_dir.join(SNAPSHOT_DIR),
        },
    }
}

/// Extra headers for every fetch and request: `GATEWAY_TOKEN` as a bearer token and
/// `GATEWAY_HEADERS` as `Name: value` pairs separated by newlines or `;`.
pub fn auth_headers(var: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Some(token) = var("GATEWAY_TOKEN").filter(|t| !t.trim().is_empty()) {
        headers.push((
            "authorization".to_string(),
            format!("Bearer {}", token.trim()),
        ));
    }
    if let Some(list) = var("GATEWAY_HEADERS") {
        for pair in list.split(['\n', ';']) {
            if let Some((name, value)) = pair.split_once(':') {
                let name = name.trim();
                if !name.is_empty() {
                    headers.push((name.to_string(), value.trim().to_string()));
                }
            }
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn live_only_with_a_non_empty_url_and_not_offline() {
        let dir = Path::new("/crate");
        assert_eq!(
            choose(env(&[("GATEWAY_URL", "http://127.0.0.1:8000/")]), dir),
            Source::Live {
                url: "http://127.0.0.1:8000".into()
            }
        );
        let snapshot = Source::Snapshot {
            dir: dir.join("generated"),
        };
        assert_eq!(choose(env(&[]), dir), snapshot);
        assert_eq!(choose(env(&[("GATEWAY_URL", " ")]), dir), snapshot);
        assert_eq!(
            choose(
                env(&[("GATEWAY_URL", "http://x"), ("GATEWAY_OFFLINE", "true")]),
                dir
            ),
            snapshot
        );
    }

    #[test]
    fn prefixes_from_the_environment_come_first_and_once() {
        let settings =
            super::super::settings::parse("[discovery]\nprefixes = [\"/catalog\", \"/admin\"]\n")
                .expect("settings");
        assert_eq!(
            prefixes(
                env(&[("GATEWAY_PREFIXES", " /users, /catalog ,,")]),
                &settings
            ),
            ["/users", "/catalog", "/admin"]
        );
        assert_eq!(prefixes(env(&[]), &settings), ["/catalog", "/admin"]);
        let config = discovery_config(
            "http://127.0.0.1:1/api",
            &Default::default(),
            env(&[("GATEWAY_PREFIXES", "/users"), ("GATEWAY_TOKEN", "t")]),
        );
        assert_eq!(config.extra_prefixes, ["/users"]);
        assert_eq!(config.headers.len(), 1);
        assert!(ENV_VARS.contains(&"GATEWAY_PREFIXES"));
    }

    #[test]
    fn auth_headers_from_token_and_pairs() {
        let headers = auth_headers(env(&[
            ("GATEWAY_TOKEN", "t0k"),
            ("GATEWAY_HEADERS", "X-A: 1; X-B:two\nbad"),
        ]));
        assert_eq!(
            headers,
            vec![
                ("authorization".into(), "Bearer t0k".into()),
                ("X-A".into(), "1".into()),
                ("X-B".into(), "two".into())
            ]
        );
    }
}

/// Why the spec could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Live(super::discovery::DiscoveryError),
    #[error("{0}")]
    Snapshot(super::snapshot::SnapshotError),
}

/// The prefixes to probe besides those the gateway lists or discovery guesses:
/// `GATEWAY_PREFIXES` (comma-separated, e.g. `/users,/catalog`), then `[discovery]
/// prefixes` of the configuration file, each once. Relative to the gateway URL's base.
pub fn prefixes(
    var: impl Fn(&str) -> Option<String>,
    settings: &super::settings::Settings,
) -> Vec<String> {
    let from_env = var("GATEWAY_PREFIXES").unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    let all = from_env
        .split(',')
        .chain(settings.discovery.prefixes.iter().map(String::as_str));
    for prefix in all.map(str::trim).filter(|p| !p.is_empty()) {
        if !out.iter().any(|p| p == prefix) {
            out.push(prefix.to_string());
        }
    }
    out
}

/// How to discover the live gateway at `url`: the configuration file's `[discovery]`
/// settings, `GATEWAY_PREFIXES` and the auth headers (`var` reads the environment).
pub fn discovery_config(
    url: &str,
    settings: &super::settings::Settings,
    var: impl Fn(&str) -> Option<String>,
) -> super::discovery::DiscoveryConfig {
    let mut config = super::discovery::DiscoveryConfig::new(url);
    config.timeout = std::time::Duration::from_secs(settings.discovery.timeout_secs.max(1));
    config.extra_prefixes = prefixes(&var, settings);
    config.probe_derived_prefixes = settings.discovery.probe_derived_prefixes;
    config.headers = auth_headers(&var);
    config
}

/// Reads every app's document from `source` (`var` reads the environment).
pub fn load(
    source: &Source,
    settings: &super::settings::Settings,
    var: impl Fn(&str) -> Option<String>,
) -> Result<super::discovery::Discovery, SourceError> {
    match source {
        Source::Live { url } => {
            let config = discovery_config(url, settings, var);
            super::discovery::discover(&config).map_err(SourceError::Live)
        }
        Source::Snapshot { dir } => super::snapshot::read(dir).map_err(SourceError::Snapshot),
    }
}

/// How the source is named in the `@generated` line and in messages (no secrets).
pub fn label(source: &Source) -> String {
    match source {
        Source::Live { url } => {
            format!("the live gateway at {}", super::gateway_url::redact(url))
        }
        Source::Snapshot { dir } => format!(
            "the snapshot in {}/",
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
    }
}
