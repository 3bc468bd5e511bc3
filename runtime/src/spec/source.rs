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
    "GATEWAY_LOADTEST_CONFIG",
];

/// The committed snapshot's folder, relative to the crate root.
pub const SNAPSHOT_DIR: &str = "generated";

/// Where the spec is read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Fetched from the running gateway at this origin.
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

/// Reads every app's document from `source`.
pub fn load(
    source: &Source,
    settings: &super::settings::Settings,
    headers: Vec<(String, String)>,
) -> Result<super::discovery::Discovery, SourceError> {
    match source {
        Source::Live { url } => {
            let mut config = super::discovery::DiscoveryConfig::new(url.clone());
            config.timeout = std::time::Duration::from_secs(settings.discovery.timeout_secs.max(1));
            config.extra_prefixes = settings.discovery.prefixes.clone();
            config.probe_derived_prefixes = settings.discovery.probe_derived_prefixes;
            config.headers = headers;
            super::discovery::discover(&config).map_err(SourceError::Live)
        }
        Source::Snapshot { dir } => super::snapshot::read(dir).map_err(SourceError::Snapshot),
    }
}

/// How the source is named in the `@generated` line and in messages (no secrets).
pub fn label(source: &Source) -> String {
    match source {
        Source::Live { url } => {
            format!("the live gateway at {}", super::discovery::redact_url(url))
        }
        Source::Snapshot { dir } => format!(
            "the snapshot in {}/",
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
    }
}
